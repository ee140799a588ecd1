/*
 * server.c - svserver's life: data folder, catalog, recovery, workers, the
 * HTTP server, signals (drain, settings reload) and the graceful stop.
 */
#define _DEFAULT_SOURCE /* DT_* */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "platform/fs.h"
#include "backend/login_guard.h"
#include "backend/ratelimit.h"
#include "backend/server_internal.h"
#include "platform/b64url.h"
#include "streamverse/common.h"
#include "streamverse/version.h"

void sv__log_to_stderr(void *opaque, sv_log_level level, const char *module, const char *msg)
{
    const int *json = opaque;
    struct timeval tv;
    struct tm tm;
    char ts[64];

    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             (int)(tv.tv_usec / 1000));
    if (json && *json) {
        json_t *j = json_pack("{s:s,s:s,s:s,s:s}", "ts", ts, "level", sv_log_level_name(level),
                              "module", module, "msg", msg);
        char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;

        if (text)
            fprintf(stderr, "%s\n", text);
        free(text);
        json_decref(j);
    } else {
        fprintf(stderr, "%s %s %s: %s\n", ts, sv_log_level_name(level), module, msg);
    }
}

static void on_closed(uv_handle_t *h)
{
    (void)h;
}

static void on_drained(void *opaque)
{
    sv__server *srv = opaque;

    SV_LOGI(srv->log, "server", "all connections closed");
    sv__http_server_destroy(srv->http);
    srv->http = NULL;
}

static void on_signal(uv_signal_t *h, int signum)
{
    sv__server *srv = h->data;

    if (srv->stopping) {
        SV_LOGI(srv->log, "server", "%s again: already stopping (drain-timeout bounds it)",
                signum == SIGINT ? "SIGINT" : "SIGTERM");
        return;
    }
    srv->stopping = 1;
    SV_LOGI(srv->log, "server", "%s: finishing in-flight requests",
            signum == SIGINT ? "SIGINT" : "SIGTERM");
    /* The watchers stay until sv__server_destroy(): once the last watcher of
     * a signal stops, libuv puts its default action (terminate) back, and a
     * second SIGTERM during the drain or the jobs' stop would kill the
     * process half-way. Unreferenced, they no longer keep the loop running. */
    uv_unref((uv_handle_t *)&srv->sig_int);
    uv_unref((uv_handle_t *)&srv->sig_term);
    uv_unref((uv_handle_t *)&srv->sig_hup);
#ifdef SV_HAVE_MEDIA
    /* Live publishers are cut off and parked live requests answered (503)
     * first: the drain would wait for them, and their handles would keep
     * the loop running. */
    sv__live_destroy(srv->live);
    srv->live = NULL;
#endif
    sv__http_server_drain(srv->http);
}

/* ---- settings reload (SIGHUP) ---------------------------------------------- */

#define FIXED(key, field, kind) \
    {key, offsetof(sv__config, field), sizeof(((sv__config *)0)->field), kind}

/* Settings read only at start: a reload keeps their running value. 's':
 * compared as strings, 'b' as bytes. */
static const struct fixed_setting {
    const char *key;
    size_t off, size;
    char kind;
} fixed[] = {
    FIXED("listen", listen_host, 's'),       FIXED("listen", listen_port, 'b'),
    FIXED("data", data_dir, 's'),            FIXED("workers", workers, 'b'),
    FIXED("db", db, 's'),
    FIXED("log-json", log_json, 'b'),        FIXED("ladder", ladder.rungs, 'b'),
    FIXED("ladder", ladder.nb_rungs, 'b'),   FIXED("segment-seconds", ladder.segment_s, 'b'),
    FIXED("codecs", ladder.codecs, 'b'),
    FIXED("preset", preset, 's'),            FIXED("master-key", master_key, 'b'),
    FIXED("master-key", has_master_key, 'b'), FIXED("cdns", cdns, 's'),
    FIXED("heartbeat-interval", heartbeat_s, 'b'), FIXED("steering-ttl", steering_ttl, 'b'),
    FIXED("max-connections", http.max_connections, 'b'),
    FIXED("max-attempts", max_attempts, 'b'), FIXED("job-lease", job_lease, 'b'),
    FIXED("job-parts", job_parts, 'b'),
};

static void apply_settings(sv__server *srv, sv__config *next)
{
    sv__config *cur = &srv->cfg_live;
    const char *said = "";
    /* Tokens signed with the old secret live at most this long. */
    int grace = cur->login_ttl > cur->playback_token_ttl ? cur->login_ttl
                                                         : cur->playback_token_ttl;

    if (!next->token_secret[0])
        snprintf(next->token_secret, sizeof(next->token_secret), "%s", srv->file_secret);
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        char *a = (char *)cur + fixed[i].off, *b = (char *)next + fixed[i].off;
        int same = fixed[i].kind == 's' ? !strcmp(a, b) : !memcmp(a, b, fixed[i].size);

        if (!same && strcmp(said, fixed[i].key)) {
            SV_LOGW(srv->log, "server", "reload: %s changed but is read only at start: "
                    "restart svserver to apply it (the running value stays)", fixed[i].key);
            said = fixed[i].key;
        }
        memcpy(b, a, fixed[i].size);
    }
    next->ladder = cur->ladder; /* also its preset pointer into cur */
    /* The rate limiter exists only when it was on at start. */
    if ((cur->rate_limit > 0) != (next->rate_limit > 0)) {
        SV_LOGW(srv->log, "server", "reload: rate-limit turned %s: restart svserver to apply it",
                next->rate_limit > 0 ? "on" : "off");
        next->rate_limit = cur->rate_limit;
        next->rate_burst = cur->rate_burst;
    }
    *cur = *next;
    OPENSSL_cleanse(next, sizeof(*next));
    srv->log_live.level = (sv_log_level)cur->log_level;
    sv__http_server_set_limits(srv->http, &cur->http);
    if (srv->ratelimit)
        sv__ratelimit_set(srv->ratelimit, cur->rate_limit, cur->rate_burst);
    sv__login_guard_set_limits(srv->login_guard, &cur->login);
    if (sv__playback_reload(srv->playback, grace))
        SV_LOGI(srv->log, "server", "reload: token-secret rotated; the previous secret verifies "
                "tokens for %d s more", grace);
    SV_LOGI(srv->log, "server", "settings reloaded (log level %s)",
            sv_log_level_name((sv_log_level)cur->log_level));
}

static void on_sighup(uv_signal_t *h, int signum)
{
    sv__server *srv = h->data;
    sv__config *next;
    char err[512];

    (void)signum;
    if (srv->stopping) {
        SV_LOGI(srv->log, "server", "SIGHUP while stopping: ignored");
        return;
    }
    if (!srv->reload) {
        SV_LOGW(srv->log, "server", "SIGHUP: no settings source to reload from; ignored");
        return;
    }
    if (!(next = malloc(sizeof(*next)))) {
        SV_LOGE(srv->log, "server", "SIGHUP: out of memory; the current settings stay");
        return;
    }
    err[0] = '\0';
    if (srv->reload(srv->reload_opaque, next, err, sizeof(err)) < 0)
        SV_LOGE(srv->log, "server", "SIGHUP: the new settings are refused (%s); the current "
                "ones stay", err[0] ? err : "invalid");
    else
        apply_settings(srv, next);
    OPENSSL_cleanse(next, sizeof(*next));
    free(next);
}

void sv__server_set_reload(sv__server *srv, sv__server_reload_fn fn, void *opaque)
{
    srv->reload = fn;
    srv->reload_opaque = opaque;
}

/* ---- the data folder ------------------------------------------------------- */

/* Reads DATA/token-secret into srv->file_secret, or makes it: 32 random
 * bytes in base64url, stored with mode 0600 and created atomically (a
 * second process starting at the same moment reads the first one's). */
static int load_file_secret(sv__server *srv)
{
    char path[1100], text[160];
    uint8_t rnd[32];
    struct stat st;

    snprintf(path, sizeof(path), "%s/token-secret", srv->cfg_live.data_dir);
    for (int tries = 0; tries < 2; tries++) {
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), r;
        ssize_t n;

        if (fd >= 0) {
            n = read(fd, text, sizeof(text) - 1);
            r = fstat(fd, &st);
            close(fd);
            if (n < 0 || r < 0)
                goto fail;
            text[n] = '\0';
            text[strcspn(text, "\r\n")] = '\0';
            if (strlen(text) < 16 || strlen(text) >= sizeof(srv->file_secret)) {
                SV_LOGE(srv->log, "server", "%s must hold one line of 16 to %zu characters",
                        path, sizeof(srv->file_secret) - 1);
                return SV_ERR_INVALID;
            }
            if (st.st_mode & 077)
                SV_LOGW(srv->log, "server", "%s is readable by other users: chmod 600 it",
                        path);
            memcpy(srv->file_secret, text, sizeof(srv->file_secret));
            OPENSSL_cleanse(text, sizeof(text));
            return 0;
        }
        if (errno != ENOENT)
            goto fail;
        if (RAND_bytes(rnd, sizeof(rnd)) != 1 ||
            (n = sv__b64url_encode(rnd, sizeof(rnd), text, sizeof(text) - 1)) < 0)
            return SV_ERR_INTERNAL;
        OPENSSL_cleanse(rnd, sizeof(rnd));
        text[n] = '\n';
        r = sv__file_create_atomic(path, text, (size_t)n + 1, 0600);
        OPENSSL_cleanse(text, sizeof(text));
        if (r == 0)
            SV_LOGI(srv->log, "server", "no token-secret set: made one and stored it in %s "
                    "(tokens survive restarts)", path);
        else if (r != SV_ERR_STATE)
            goto fail;
    }
fail:
    SV_LOGE(srv->log, "server", "cannot read or store %s: %s", path, strerror(errno));
    return SV_ERR_IO;
}

typedef struct keep_set {
    struct stat *st;
    size_t n, cap;
} keep_set;

static void keep_input(void *opaque, const char *input)
{
    keep_set *k = opaque;
    struct stat st;

    if (stat(input, &st) < 0)
        return;
    if (k->n == k->cap) {
        size_t cap = k->cap ? 2 * k->cap : 16;
        struct stat *p = realloc(k->st, cap * sizeof(*p));

        if (!p)
            return;
        k->st = p;
        k->cap = cap;
    }
    k->st[k->n++] = st;
}

/* Removes what no queued or running job reads from DATA/uploads: uploads
 * cut off by a crash before their job existed, and the inputs of jobs that
 * failed (after max-attempts interruptions). Files are matched by device
 * and inode, so a data folder named differently from the last run is safe. */
static void clean_uploads(sv__server *srv)
{
    keep_set keep = {NULL, 0, 0};
    struct dirent *e;
    DIR *d;
    int removed = 0;

    if (sv__catalog_job_inputs_active(srv->cat, keep_input, &keep) < 0) {
        SV_LOGW(srv->log, "server", "cannot list the jobs' inputs: uploads/ is not cleaned");
        goto out;
    }
    if (!(d = opendir(srv->uploads_dir)))
        goto out;
    while ((e = readdir(d))) {
        char path[1400];
        struct stat st;
        size_t i;

        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(path, sizeof(path), "%s/%s", srv->uploads_dir, e->d_name);
        if (lstat(path, &st) < 0)
            continue;
        for (i = 0; i < keep.n; i++)
            if (keep.st[i].st_dev == st.st_dev && keep.st[i].st_ino == st.st_ino)
                break;
        if (i < keep.n)
            continue;
        SV_LOGI(srv->log, "server", "removing orphaned upload %s (%lld bytes)", path,
                (long long)st.st_size);
        if (sv__remove_tree(path) == 0)
            removed++;
    }
    closedir(d);
    if (removed)
        sv__fsync_dir(srv->uploads_dir);
out:
    free(keep.st);
}

#ifdef SV_HAVE_MEDIA
static int start_jobs(sv__server *srv)
{
    int64_t *ids = NULL;
    int n, ret;

    /* The workers' threads read the start-time copies, which never change. */
    srv->env.data_dir = srv->cfg_start.data_dir;
    srv->env.db = srv->cfg_start.db;
    srv->env.ladder = &srv->cfg_start.ladder;
    srv->env.log = srv->log_start;
    srv->env.metrics = srv->metrics;
    srv->env.master_key = srv->cfg_start.has_master_key ? srv->cfg_start.master_key : NULL;
    srv->env.lease_s = srv->cfg_start.job_lease;
    srv->env.max_attempts = srv->cfg_start.max_attempts;
    srv->env.parts = srv->cfg_start.job_parts;
    if ((n = sv__jobs_recover(&srv->env, srv->cat, srv->cfg_start.max_attempts, &ids)) < 0)
        return n;
    if ((ret = sv__jobs_create(&srv->env, srv->cfg_start.workers, &srv->jobs)) < 0)
        goto out;
    for (int i = 0; i < n && ret == 0; i++)
        ret = sv__jobs_submit(srv->jobs, ids[i]);
out:
    free(ids);
    return ret;
}
#endif

int sv__server_create(const sv__config *cfg, const sv__logger *log, sv__server **out)
{
    sv__http_callbacks cb = {sv__api_on_headers, sv__api_on_request, sv__api_on_done, on_drained,
                             NULL};
    sv__server *srv = calloc(1, sizeof(*srv));
    char path[1100], err[512];
    int ret = SV_ERR_IO;

    if (!srv)
        return SV_ERR_NOMEM;
    /* The server keeps its own copies: a reload changes cfg_live, and the
     * logger's level, on the loop thread only. */
    srv->cfg_live = srv->cfg_start = *cfg;
    if (cfg->ladder.x264_preset == cfg->preset) {
        srv->cfg_live.ladder.x264_preset = srv->cfg_live.preset;
        srv->cfg_start.ladder.x264_preset = srv->cfg_start.preset;
    }
    srv->log_live = *log;
    srv->log_start = log;
    cfg = srv->cfg = &srv->cfg_live;
    log = srv->log = &srv->log_live;
    srv->started_ns = uv_hrtime();
    if (uv_loop_init(&srv->loop) < 0) {
        free(srv);
        return SV_ERR_INTERNAL;
    }
    snprintf(srv->media_dir, sizeof(srv->media_dir), "%s/media", cfg->data_dir);
    snprintf(srv->uploads_dir, sizeof(srv->uploads_dir), "%s/uploads", cfg->data_dir);
    snprintf(path, sizeof(path), "%s/staging", cfg->data_dir);
    snprintf(srv->staging_dir, sizeof(srv->staging_dir), "%s", path);
    if (sv__mkdirs(srv->media_dir) < 0 || sv__mkdirs(srv->uploads_dir) < 0 ||
        sv__mkdirs(path) < 0) {
        SV_LOGE(log, "server", "cannot create the data folder %s", cfg->data_dir);
        goto fail;
    }
    /* Uploads are jobs' inputs, which workers in other processes (other
     * folders) read: their paths are absolute. */
    {
        char abs[PATH_MAX];
        size_t len;

        if (realpath(srv->uploads_dir, abs) && (len = strlen(abs)) < sizeof(srv->uploads_dir))
            memcpy(srv->uploads_dir, abs, len + 1);
    }
    if ((ret = sv__catalog_connect(cfg->db, cfg->data_dir, &srv->cat, err, sizeof(err))) < 0) {
        SV_LOGE(log, "server", "%s", err);
        ret = SV_ERR_INVALID; /* the db setting or its database: the operator's to fix */
        goto fail;
    }
    if (!cfg->token_secret[0]) {
        if ((ret = load_file_secret(srv)) < 0)
            goto fail;
        memcpy(srv->cfg_live.token_secret, srv->file_secret, sizeof(srv->file_secret));
    }
    if ((ret = sv__metrics_create(&srv->metrics)) < 0 ||
        (ret = sv__static_create(srv->media_dir, &srv->media)) < 0 ||
        (ret = sv__playback_create(&srv->loop, cfg, srv->cat, log, &srv->playback)) < 0 ||
        (ret = sv__login_guard_create(&cfg->login, &srv->login_guard)) < 0 ||
        (cfg->rate_limit > 0 &&
         (ret = sv__ratelimit_create(cfg->rate_limit, cfg->rate_burst, &srv->ratelimit)) < 0))
        goto fail;
    /* The live-session gauge is in /metrics from the start. */
    sv__playback_attach_metrics(srv->playback, srv->metrics);
#ifdef SV_HAVE_MEDIA
    /* A codec this FFmpeg cannot encode is the operator's to fix now, not
     * a failed job per upload later. */
    if ((ret = sv__codecs_check(cfg->ladder.codecs, err, sizeof(err))) < 0) {
        SV_LOGE(log, "server", "%s", err);
        ret = SV_ERR_INVALID;
        goto fail;
    }
    if ((ret = start_jobs(srv)) < 0) {
        SV_LOGE(log, "server", "cannot start the job workers: %s", sv_strerror(ret));
        goto fail;
    }
    {
        sv__live_env le = {srv->cfg_start.data_dir, srv->cfg_start.db,
                           srv->cfg_start.listen_host, NULL, srv->log_start,
                           srv->env.master_key};

        if ((ret = sv__live_create(&srv->loop, srv->cat, &le, &srv->live)) < 0)
            goto fail;
    }
#else
    SV_LOGW(log, "server", "built without the media library: ingest is disabled");
#endif
    clean_uploads(srv);
    cb.opaque = srv;
    if ((ret = sv__http_server_create(&srv->loop, cfg->listen_host, cfg->listen_port, &cfg->http,
                                      &cb, log, &srv->http)) < 0)
        goto fail;
    uv_signal_init(&srv->loop, &srv->sig_int);
    uv_signal_init(&srv->loop, &srv->sig_term);
    uv_signal_init(&srv->loop, &srv->sig_hup);
    srv->sig_int.data = srv->sig_term.data = srv->sig_hup.data = srv;
    srv->signals_on = 1;
    uv_signal_start(&srv->sig_int, on_signal, SIGINT);
    uv_signal_start(&srv->sig_term, on_signal, SIGTERM);
    uv_signal_start(&srv->sig_hup, on_sighup, SIGHUP);
    printf("listening on http://%s%s%s:%d\n", strchr(cfg->listen_host, ':') ? "[" : "",
           cfg->listen_host, strchr(cfg->listen_host, ':') ? "]" : "",
           sv__http_server_port(srv->http));
    fflush(stdout);
    SV_LOGI(log, "server", "svserver %s: data %s, %d worker(s), listening on port %d",
            sv_version(), cfg->data_dir, cfg->workers, sv__http_server_port(srv->http));
    *out = srv;
    return 0;

fail:
    sv__server_destroy(srv);
    return ret;
}

int sv__server_run(sv__server *srv)
{
    uv_run(&srv->loop, UV_RUN_DEFAULT);
    return 0;
}

/* The signal watchers go last, once the loop has nothing else left: the
 * default actions come back with them (on_signal), when every part has
 * stopped and written what it had. */
static void close_signals(sv__server *srv)
{
    uv_signal_t *sigs[] = {&srv->sig_int, &srv->sig_term, &srv->sig_hup};

    if (!srv->signals_on)
        return;
    for (size_t i = 0; i < 3; i++)
        uv_unref((uv_handle_t *)sigs[i]);
    uv_run(&srv->loop, UV_RUN_DEFAULT);
    for (size_t i = 0; i < 3; i++)
        uv_close((uv_handle_t *)sigs[i], on_closed);
}

void sv__server_destroy(sv__server *srv)
{
    if (!srv)
        return;
    /* A signal from now on is only logged (on_signal, on_sighup). */
    srv->stopping = 1;
    /* Open sessions are written; its timer closes in the uv_run below. */
    sv__playback_destroy(srv->playback);
#ifdef SV_HAVE_MEDIA
    /* Running transcodes are cancelled and queued again for the next start. */
    sv__jobs_destroy(srv->jobs);
    /* Publishers are cut off; the channels' windows stay on disk. */
    sv__live_destroy(srv->live);
#endif
    if (srv->http) {
        /* Created but never run: close its handles before the loop goes. */
        sv__http_server_drain(srv->http);
        uv_run(&srv->loop, UV_RUN_NOWAIT);
    }
    close_signals(srv);
    uv_run(&srv->loop, UV_RUN_DEFAULT);
    uv_loop_close(&srv->loop);
    sv__static_destroy(srv->media);
    sv__login_guard_destroy(srv->login_guard);
    sv__ratelimit_destroy(srv->ratelimit);
    sv__metrics_destroy(srv->metrics);
    sv__catalog_close(srv->cat);
    OPENSSL_cleanse(srv, sizeof(*srv));
    free(srv);
}
