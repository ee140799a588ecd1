/*
 * faultsrv.c - the fault server's lifecycle: configuration, binding, the
 * server thread and its loop, stopping, and the thread-safe public calls.
 */
#define _XOPEN_SOURCE 700 /* realpath() */
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <pthread.h>

#include "faultsrv_internal.h"

void sv__fault_set_err(char *err, size_t err_size, const char *fmt, ...)
{
    va_list ap;

    if (!err || !err_size)
        return;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
}

void sv_faultsrv_default_config(sv_faultsrv_config *cfg)
{
    if (!cfg)
        return;
    memset(cfg, 0, sizeof(*cfg));
    cfg->host = "127.0.0.1";
    cfg->max_connections = 128;
    cfg->idle_timeout_ms = 30000;
}

uint64_t sv__fault_now_ms(const sv_faultsrv *srv)
{
    return (uv_hrtime() - srv->start_ns) / 1000000u;
}

/*
 * Fills `addr` from a numeric host and port, refusing anything but loopback:
 * the fault server is a test tool and must never be reachable from outside.
 */
static int loopback_addr(const char *host, int port, struct sockaddr_storage *addr,
                         char *err, size_t err_size)
{
    struct sockaddr_in *a4 = (struct sockaddr_in *)addr;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)addr;

    memset(addr, 0, sizeof(*addr));
    if (uv_ip4_addr(host, port, a4) == 0) {
        /* 127.0.0.0/8, in network byte order. */
        if (((const unsigned char *)&a4->sin_addr)[0] == 127)
            return 0;
    } else if (uv_ip6_addr(host, port, a6) == 0) {
        if (!memcmp(&a6->sin6_addr, &in6addr_loopback, sizeof(a6->sin6_addr)))
            return 0;
    } else {
        sv__fault_set_err(err, err_size, "\"%s\" is not a numeric IP address (use 127.0.0.1 or ::1)", host);
        return SV_ERR_INVALID;
    }
    sv__fault_set_err(err, err_size, "refusing to bind %s: the fault server binds loopback addresses only "
            "(127.0.0.0/8 or ::1)", host);
    return SV_ERR_INVALID;
}

void sv__fault_log_record(sv_faultsrv *srv, const sv__fault_record *rec)
{
    uv_mutex_lock(&srv->lock);
    sv__fault_log_append(&srv->log, rec);
    uv_mutex_unlock(&srv->lock);
}

/* The HTTP layer's messages: while starting, the last error is kept for
 * the caller's `err`; afterwards they go to stderr. */
static void http_log(void *opaque, sv_log_level level, const char *module, const char *message)
{
    sv_faultsrv *srv = opaque;

    (void)module;
    if (srv->starting && level == SV_LOG_ERROR)
        snprintf(srv->listen_err, sizeof(srv->listen_err), "%s", message);
    else
        fprintf(stderr, "sv-faultsrv: %s\n", message);
}

/* The last connection closed (the drain below): the loop may end. */
static void on_drained(void *opaque)
{
    sv_faultsrv *srv = opaque;

    sv__http_server_destroy(srv->http);
    srv->http = NULL;
    if (srv->asyncs_open) {
        srv->asyncs_open = 0;
        uv_close((uv_handle_t *)&srv->stop_async, NULL);
        uv_close((uv_handle_t *)&srv->sync_async, NULL);
    }
}

static void on_stop(uv_async_t *async)
{
    sv_faultsrv *srv = async->data;
    sv__http_limits limits;

    srv->stopping = 1;
    /* No grace: every connection closes on the next loop turn; answers in
     * flight are logged "aborted" (or "stalled") as they go. */
    sv__http_limits_default(&limits);
    limits.drain_timeout_ms = 0;
    sv__http_server_set_limits(srv->http, &limits);
    sv__http_server_drain(srv->http);
}

static void on_sync(uv_async_t *async)
{
    sv_faultsrv *srv = async->data;

    uv_mutex_lock(&srv->lock);
    srv->sync_done = srv->sync_asked;
    uv_cond_broadcast(&srv->synced);
    uv_mutex_unlock(&srv->lock);
}

/*
 * Waits until the server thread has run one more loop iteration. A client
 * that has received a whole response caused the server's last write before
 * this call, so that write's callback, which logs the request, runs first
 * (libuv runs completed writes before it polls for the async wake-up). After
 * this, the log holds every response a client has fully received.
 */
static void sync_with_loop(sv_faultsrv *srv)
{
    uint64_t ticket;

    uv_mutex_lock(&srv->lock);
    ticket = ++srv->sync_asked;
    uv_mutex_unlock(&srv->lock);
    uv_async_send(&srv->sync_async);
    uv_mutex_lock(&srv->lock);
    while (srv->sync_done < ticket)
        uv_cond_wait(&srv->synced, &srv->lock);
    uv_mutex_unlock(&srv->lock);
}

static void server_thread(void *arg)
{
    sv_faultsrv *srv = arg;
    sigset_t set;

    /* SIGPIPE from writing to a closed socket stays pending on this thread
     * (the write returns EPIPE instead), and SIGINT/SIGTERM go to the host's
     * threads: the server changes no process-wide signal disposition. */
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    uv_run(&srv->loop, UV_RUN_DEFAULT);
}

/* Closes whatever handles were opened and frees the server. */
static void server_free(sv_faultsrv *srv, int loop_ok)
{
    if (!srv)
        return;
    /* A server that never served drains at once; on_drained then closes
     * the HTTP server and the async handles. */
    if (srv->http)
        sv__http_server_drain(srv->http);
    else if (srv->asyncs_open)
        on_drained(srv);
    if (loop_ok) {
        /* Let the close callbacks run, then the loop can be closed. */
        uv_run(&srv->loop, UV_RUN_DEFAULT);
        uv_loop_close(&srv->loop);
        uv_cond_destroy(&srv->synced);
        uv_mutex_destroy(&srv->lock);
    }
    sv__fault_log_close(&srv->log);
    sv__fault_rules_unref(srv->rules);
    json_decref(srv->expect);
    free(srv->root);
    free(srv);
}

/* Serves on host:port through the HTTP layer (backend/http.h). */
static int listen_http(sv_faultsrv *srv, const sv_faultsrv_config *cfg, char *err,
                       size_t err_size)
{
    const char *host = cfg->host ? cfg->host : "127.0.0.1";
    sv__http_callbacks cb;
    sv__http_limits limits;

    sv__http_limits_default(&limits);
    limits.max_connections = (size_t)cfg->max_connections;
    limits.close_when_full = 1;
    limits.idle_timeout_ms = (unsigned)cfg->idle_timeout_ms;
    limits.header_timeout_ms = (unsigned)cfg->idle_timeout_ms;
    limits.max_head_bytes = SV__FAULT_MAX_HEAD;
    limits.max_body_bytes = SV__FAULT_MAX_REQ_BODY;
    sv__logger_init(&srv->http_log, http_log, srv, SV_LOG_ERROR);
    sv__fault_callbacks(srv, &cb);
    cb.on_drained = on_drained;
    srv->starting = 1;
    if (sv__http_server_create(&srv->loop, host, cfg->port, &limits, &cb, &srv->http_log,
                               &srv->http) < 0) {
        srv->starting = 0;
        srv->http = NULL;
        sv__fault_set_err(err, err_size, "cannot listen on %s port %d: %s", host, cfg->port,
                          srv->listen_err[0] ? srv->listen_err : "error");
        return SV_ERR_NETWORK;
    }
    srv->starting = 0;
    sv__http_server_set_name(srv->http, "sv-faultsrv");
    srv->port = sv__http_server_port(srv->http);
    return 0;
}

int sv_faultsrv_start(const sv_faultsrv_config *cfg, sv_faultsrv **out,
                      char *err, size_t err_size)
{
    sv__fault_scenario *sc = NULL;
    sv_faultsrv *srv = NULL;
    struct sockaddr_storage addr;
    struct stat st;
    const char *root;
    int loop_ok = 0, ret;

    if (!cfg || !out) {
        sv__fault_set_err(err, err_size, "no config or output pointer");
        return SV_ERR_INVALID;
    }
    if (cfg->scenario_path && cfg->scenario_json) {
        sv__fault_set_err(err, err_size, "give a scenario file or a scenario string, not both");
        return SV_ERR_INVALID;
    }
    if (cfg->port < 0 || cfg->port > 65535 || cfg->max_connections < 1 ||
        cfg->max_connections > SV__FAULT_MAX_CONNS || cfg->idle_timeout_ms < 1) {
        sv__fault_set_err(err, err_size, "port, max_connections or idle_timeout_ms out of range");
        return SV_ERR_INVALID;
    }
    if ((ret = loopback_addr(cfg->host ? cfg->host : "127.0.0.1", cfg->port, &addr,
                             err, err_size)) < 0)
        return ret;

    if (cfg->scenario_path) {
        ret = sv__fault_scenario_load(cfg->scenario_path, &sc, err, err_size);
    } else if (cfg->scenario_json) {
        char msg[384];
        ret = sv__fault_scenario_parse(cfg->scenario_json, strlen(cfg->scenario_json), NULL, 0,
                                       &sc, msg, sizeof(msg));
        if (ret < 0)
            sv__fault_set_err(err, err_size, "scenario: %s", msg);
    } else {
        ret = sv__fault_scenario_parse("{}", 2, NULL, 0, &sc, err, err_size);
    }
    if (ret < 0)
        goto fail;

    ret = SV_ERR_NOMEM;
    if (!(srv = calloc(1, sizeof(*srv)))) {
        sv__fault_set_err(err, err_size, "out of memory");
        goto fail;
    }
    ret = SV_ERR_IO;
    root = cfg->root ? cfg->root : sc->root;
    if (!root) {
        sv__fault_set_err(err, err_size, "no root folder: give one, or put \"root\" in the scenario");
        goto fail;
    }
    if (!(srv->root = realpath(root, NULL)) || stat(srv->root, &st) != 0 ||
        !S_ISDIR(st.st_mode)) {
        sv__fault_set_err(err, err_size, "%s: not a folder", root);
        goto fail;
    }
    srv->rules = sc->rules;
    sc->rules = NULL;
    srv->expect = sc->expect;
    sc->expect = NULL;
    if ((ret = sv__fault_log_open(&srv->log, cfg->log_path, err, err_size)) < 0)
        goto fail;

    ret = SV_ERR_INTERNAL;
    if (uv_loop_init(&srv->loop) != 0) {
        sv__fault_set_err(err, err_size, "cannot create an event loop");
        goto fail;
    }
    if (uv_mutex_init(&srv->lock) != 0) {
        uv_loop_close(&srv->loop);
        sv__fault_set_err(err, err_size, "cannot create a mutex");
        goto fail;
    }
    if (uv_cond_init(&srv->synced) != 0) {
        uv_mutex_destroy(&srv->lock);
        uv_loop_close(&srv->loop);
        sv__fault_set_err(err, err_size, "cannot create a condition variable");
        goto fail;
    }
    loop_ok = 1;
    if ((ret = listen_http(srv, cfg, err, err_size)) < 0)
        goto fail;
    ret = SV_ERR_INTERNAL;
    /* Both or neither: server_free() closes them together. */
    if (uv_async_init(&srv->loop, &srv->stop_async, on_stop) != 0) {
        sv__fault_set_err(err, err_size, "cannot create the stop signal");
        goto fail;
    }
    if (uv_async_init(&srv->loop, &srv->sync_async, on_sync) != 0) {
        uv_close((uv_handle_t *)&srv->stop_async, NULL);
        sv__fault_set_err(err, err_size, "cannot create the sync signal");
        goto fail;
    }
    srv->stop_async.data = srv;
    srv->sync_async.data = srv;
    srv->asyncs_open = 1;
    srv->start_ns = uv_hrtime();
    /* The handles were set up on this thread; thread creation publishes them
     * to the server thread, which owns the loop from here on. */
    if (uv_thread_create(&srv->thread, server_thread, srv) != 0) {
        sv__fault_set_err(err, err_size, "cannot start the server thread");
        goto fail;
    }
    sv__fault_scenario_free(sc);
    *out = srv;
    return 0;

fail:
    server_free(srv, loop_ok);
    sv__fault_scenario_free(sc);
    return ret;
}

int sv_faultsrv_port(const sv_faultsrv *srv)
{
    return srv ? srv->port : SV_ERR_INVALID;
}

int sv__fault_set_rules(sv_faultsrv *srv, const char *json, size_t len,
                        char *err, size_t err_size)
{
    sv__fault_scenario *sc = NULL;
    sv__fault_rules *old;
    int ret;

    if ((ret = sv__fault_scenario_parse(json, len, NULL, 1, &sc, err, err_size)) < 0)
        return ret;
    uv_mutex_lock(&srv->lock);
    old = srv->rules;
    srv->rules = sc->rules;
    sc->rules = NULL;
    if (sc->expect) {
        json_decref(srv->expect);
        srv->expect = sc->expect;
        sc->expect = NULL;
    }
    /* Responses in flight hold their own reference to the old set. */
    sv__fault_rules_unref(old);
    uv_mutex_unlock(&srv->lock);
    sv__fault_scenario_free(sc);
    return 0;
}

int sv_faultsrv_set_rules(sv_faultsrv *srv, const char *json, char *err, size_t err_size)
{
    if (!srv || !json) {
        sv__fault_set_err(err, err_size, "no server or no JSON");
        return SV_ERR_INVALID;
    }
    return sv__fault_set_rules(srv, json, strlen(json), err, err_size);
}

char *sv_faultsrv_log(sv_faultsrv *srv)
{
    char *out;

    if (!srv)
        return NULL;
    sync_with_loop(srv);
    uv_mutex_lock(&srv->lock);
    out = sv__fault_log_dump(&srv->log);
    uv_mutex_unlock(&srv->lock);
    return out;
}

size_t sv_faultsrv_log_count(sv_faultsrv *srv)
{
    size_t n;

    if (!srv)
        return 0;
    sync_with_loop(srv);
    uv_mutex_lock(&srv->lock);
    n = srv->log.n;
    uv_mutex_unlock(&srv->lock);
    return n;
}

int sv_faultsrv_check(sv_faultsrv *srv, char *err, size_t err_size)
{
    int ret;

    if (!srv)
        return SV_ERR_INVALID;
    sync_with_loop(srv);
    uv_mutex_lock(&srv->lock);
    ret = sv__fault_log_check(&srv->log, srv->expect, err, err_size);
    uv_mutex_unlock(&srv->lock);
    return ret;
}

void sv_faultsrv_reset(sv_faultsrv *srv)
{
    if (!srv)
        return;
    uv_mutex_lock(&srv->lock);
    sv__fault_log_clear(&srv->log);
    sv__fault_rules_reset_hits_locked(srv->rules);
    uv_mutex_unlock(&srv->lock);
}

void sv_faultsrv_stop(sv_faultsrv *srv)
{
    if (!srv)
        return;
    uv_async_send(&srv->stop_async);
    uv_thread_join(&srv->thread);
    /* on_stop closed every handle and the loop ran until they were gone. */
    server_free(srv, 1);
}
