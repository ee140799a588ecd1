/*
 * http_server.c - the listening socket, accepting, and the graceful drain.
 */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend/http_internal.h"
#include "backend/http_util.h"
#include "streamverse/common.h"

void sv__http_limits_default(sv__http_limits *l)
{
    l->max_head_bytes = 16 * 1024;
    l->max_body_bytes = 1024 * 1024;
    l->header_timeout_ms = 10000;
    l->idle_timeout_ms = 30000;
    l->drain_timeout_ms = 10000;
}

static void maybe_drained(sv__http_server *srv)
{
    if (srv->draining && !srv->nb_conns && !srv->listening && !srv->drained_signalled) {
        srv->drained_signalled = 1;
        uv_timer_stop(&srv->drain_timer);
        if (srv->cb.on_drained)
            srv->cb.on_drained(srv->cb.opaque);
    }
}

/* A connection left the list (http_conn.c). */
static void on_conn_gone(sv__http_server *srv)
{
    maybe_drained(srv);
}

/* Refusals are counted and logged at most once per interval, so a flood
 * of connections cannot become a flood of log lines. */
#define REFUSE_LOG_NS (5ull * 1000 * 1000 * 1000)
#define BACKOFF_MIN_MS 10
#define BACKOFF_MAX_MS 1000

/* What a connection refused out of file descriptors gets, written straight
 * to the socket (nothing else can be done without an fd to spare). */
#define BUSY_BODY "{\"error\":{\"code\":\"busy\",\"message\":\"the server is at its connection limit\"}}\n"
static const char busy_answer[] =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
    "Content-Length: 76\r\nRetry-After: 1\r\nConnection: close\r\n\r\n" BUSY_BODY;
_Static_assert(sizeof(BUSY_BODY) - 1 == 76, "Content-Length of the busy answer");

static void log_refusals(sv__http_server *srv)
{
    uint64_t now = uv_hrtime();

    if (srv->refuse_logged_ns && now - srv->refuse_logged_ns < REFUSE_LOG_NS)
        return;
    SV_LOGW(srv->log, "http",
            "refused %llu connection(s) at the limit of %zu and %llu out of file descriptors "
            "(accept paused %u ms); next report in %llu s at the earliest",
            (unsigned long long)srv->refused_full, srv->max_conns,
            (unsigned long long)srv->refused_nofd, srv->accept_backoff_ms,
            (unsigned long long)(REFUSE_LOG_NS / 1000000000u));
    srv->refused_full = srv->refused_nofd = 0;
    srv->refuse_logged_ns = now;
}

/* At the connection limit: the connection is served one 503 through the
 * normal path (so the answer survives a request still arriving) and then
 * closed. */
static void refuse_full(sv__http_server *srv, int fd)
{
    sv__http_conn *conn;

    srv->refused_full++;
    log_refusals(srv);
    if (srv->limits.close_when_full) {
        close(fd);
        return;
    }
    if (!(conn = sv__http_conn_start(srv, fd)))
        return;
    conn->state = SV__CONN_HANDLING;
    conn->req.t_start_ns = uv_hrtime();
    sv__http_add_header(&conn->req, "Retry-After", "1");
    sv__http_reject(&conn->req, 503, "busy", "the server is at its connection limit");
}

static void on_accept(uv_poll_t *h, int status, int events);

static void on_accept_resume(uv_timer_t *t)
{
    sv__http_server *srv = t->data;

    if (srv->listening && !srv->draining)
        uv_poll_start(&srv->listen_poll, UV_READABLE, on_accept);
}

/* Out of file descriptors: the listening socket stays readable, so without a
 * pause the loop would spin on it. Refuse the first waiting client with the
 * reserve fd, then stop watching the listener for a growing interval. */
static void pause_accept(sv__http_server *srv)
{
    srv->refused_nofd++;
    if (srv->reserve_fd >= 0) {
        int fd;

        close(srv->reserve_fd);
        fd = accept4(srv->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            (void)!send(fd, busy_answer, sizeof(busy_answer) - 1, MSG_NOSIGNAL);
            close(fd);
        }
        srv->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    }
    srv->accept_backoff_ms = srv->accept_backoff_ms ? srv->accept_backoff_ms * 2 : BACKOFF_MIN_MS;
    if (srv->accept_backoff_ms > BACKOFF_MAX_MS)
        srv->accept_backoff_ms = BACKOFF_MAX_MS;
    log_refusals(srv);
    uv_poll_stop(&srv->listen_poll);
    uv_timer_start(&srv->accept_timer, on_accept_resume, srv->accept_backoff_ms, 0);
}

static void on_accept(uv_poll_t *h, int status, int events)
{
    sv__http_server *srv = h->data;

    (void)events;
    if (status < 0) {
        SV_LOGW(srv->log, "http", "accept poll: %s", uv_strerror(status));
        return;
    }
    /* Level-triggered: take what is queued now, a bounded batch so one busy
     * listener cannot starve the connections. */
    for (int i = 0; i < 64; i++) {
        int one = 1;
        int fd = accept4(srv->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                pause_accept(srv);
            else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
                     errno != ECONNABORTED)
                SV_LOGW(srv->log, "http", "accept: %s", strerror(errno));
            return;
        }
        srv->accept_backoff_ms = 0;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        if (srv->nb_conns >= srv->max_conns)
            refuse_full(srv, fd);
        else
            sv__http_conn_start(srv, fd);
    }
}

/* The connection limit when none is set: half the fds left after a reserve
 * for the catalog, logs and the ingest workers. */
static size_t default_max_conns(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
        return 100000;
    return rl.rlim_cur > 64 + 32 ? (size_t)(rl.rlim_cur - 64) / 2 : 16;
}

static void on_handle_closed(uv_handle_t *h)
{
    sv__http_server *srv = h->data;

    if (h == (uv_handle_t *)&srv->listen_poll) {
        close(srv->fd);
        srv->fd = -1;
        srv->listening = 0;
    }
    maybe_drained(srv);
}

int sv__http_server_create(uv_loop_t *loop, const char *host, int port,
                           const sv__http_limits *limits, const sv__http_callbacks *cb,
                           const sv__logger *log, sv__http_server **out)
{
    struct sockaddr_storage ss;
    socklen_t slen;
    sv__http_server *srv;
    int one = 1, err = SV_ERR_NETWORK;

    if (!(srv = calloc(1, sizeof(*srv))))
        return SV_ERR_NOMEM;
    srv->loop = loop;
    srv->conn_gone = on_conn_gone;
    snprintf(srv->name, sizeof(srv->name), "svserver");
    srv->fd = -1;
    srv->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    srv->log = log;
    srv->cb = *cb;
    if (limits)
        srv->limits = *limits;
    else
        sv__http_limits_default(&srv->limits);
    srv->max_conns = srv->limits.max_connections ? srv->limits.max_connections
                                                 : default_max_conns();

    memset(&ss, 0, sizeof(ss));
    if (uv_ip4_addr(host, port, (struct sockaddr_in *)&ss) == 0) {
        slen = sizeof(struct sockaddr_in);
    } else if (uv_ip6_addr(host, port, (struct sockaddr_in6 *)&ss) == 0) {
        slen = sizeof(struct sockaddr_in6);
    } else {
        SV_LOGE(log, "http", "listen address '%s' is not an IP literal", host);
        err = SV_ERR_INVALID;
        goto fail;
    }
    srv->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (srv->fd < 0)
        goto fail_errno;
    setsockopt(srv->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(srv->fd, (struct sockaddr *)&ss, slen) < 0 || listen(srv->fd, 511) < 0)
        goto fail_errno;
    slen = sizeof(ss);
    if (getsockname(srv->fd, (struct sockaddr *)&ss, &slen) < 0)
        goto fail_errno;
    srv->port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                              : ((struct sockaddr_in6 *)&ss)->sin6_port);
    if (uv_poll_init(loop, &srv->listen_poll, srv->fd) < 0)
        goto fail;
    srv->listen_poll.data = srv;
    srv->listening = 1;
    uv_timer_init(loop, &srv->drain_timer);
    srv->drain_timer.data = srv;
    uv_timer_init(loop, &srv->accept_timer);
    srv->accept_timer.data = srv;
    uv_poll_start(&srv->listen_poll, UV_READABLE, on_accept);
    *out = srv;
    return 0;

fail_errno:
    SV_LOGE(log, "http", "cannot listen on %s:%d: %s", host, port, strerror(errno));
fail:
    if (srv->fd >= 0)
        close(srv->fd);
    if (srv->reserve_fd >= 0)
        close(srv->reserve_fd);
    free(srv);
    return err;
}

void sv__http_server_adopt(sv__http_server *srv, int fd)
{
    int flags = fcntl(fd, F_GETFL);

    if (flags >= 0)
        fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    sv__http_conn_start(srv, fd);
}

int sv__http_server_set_name(sv__http_server *srv, const char *name)
{
    size_t n = name ? strlen(name) : 0;

    /* A token: no separators, nothing that could split the header. */
    if (n == 0 || n >= sizeof(srv->name) || strcspn(name, " \t\r\n\"(),:;<=>?@[\\]{}") != n)
        return SV_ERR_INVALID;
    memcpy(srv->name, name, n + 1);
    return 0;
}

int sv__http_server_port(const sv__http_server *srv)
{
    return srv->port;
}

void sv__http_server_set_limits(sv__http_server *srv, const sv__http_limits *limits)
{
    size_t max_connections = srv->limits.max_connections;

    srv->limits = *limits;
    srv->limits.max_connections = max_connections;
}

static void on_drain_timeout(uv_timer_t *t)
{
    sv__http_server *srv = t->data;

    SV_LOGW(srv->log, "http", "drain timeout: closing %zu connection(s)", srv->nb_conns);
    for (sv__http_conn *c = srv->conns; c; c = c->next)
        if (c->state != SV__CONN_CLOSING)
            sv__http_conn_close(c);
}

void sv__http_server_drain(sv__http_server *srv)
{
    sv__http_conn *c, *next;

    if (srv->draining)
        return;
    srv->draining = 1;
    uv_timer_stop(&srv->accept_timer);
    uv_close((uv_handle_t *)&srv->accept_timer, NULL);
    uv_poll_stop(&srv->listen_poll);
    uv_close((uv_handle_t *)&srv->listen_poll, on_handle_closed);
    for (c = srv->conns; c; c = next) {
        next = c->next;
        c->close_after = 1;
        /* A connection between requests has nothing in flight. */
        if (c->state == SV__CONN_IDLE && c->in_len == 0)
            sv__http_conn_close(c);
    }
    uv_timer_start(&srv->drain_timer, on_drain_timeout, srv->limits.drain_timeout_ms, 0);
}

static void on_timer_closed(uv_handle_t *h)
{
    sv__http_server *srv = h->data;

    if (srv->reserve_fd >= 0)
        close(srv->reserve_fd);
    free(srv);
}

void sv__http_server_destroy(sv__http_server *srv)
{
    if (srv)
        uv_close((uv_handle_t *)&srv->drain_timer, on_timer_closed);
}
