/*
 * server.c - svserver's life: data folder, catalog, recovery, workers, the
 * HTTP server, signals and the graceful stop.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "backend/fsutil.h"
#include "backend/server_internal.h"
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
    uv_close((uv_handle_t *)&srv->sig_int, on_closed);
    uv_close((uv_handle_t *)&srv->sig_term, on_closed);
    sv__http_server_destroy(srv->http);
    srv->http = NULL;
}

static void on_signal(uv_signal_t *h, int signum)
{
    sv__server *srv = h->data;

    SV_LOGI(srv->log, "server", "%s: finishing in-flight requests",
            signum == SIGINT ? "SIGINT" : "SIGTERM");
    uv_signal_stop(&srv->sig_int);
    uv_signal_stop(&srv->sig_term);
    sv__http_server_drain(srv->http);
}

#ifdef SV_HAVE_MEDIA
static int start_jobs(sv__server *srv)
{
    int64_t *ids = NULL;
    int n, ret;

    srv->env.data_dir = srv->cfg->data_dir;
    srv->env.ladder = &srv->cfg->ladder;
    srv->env.log = srv->log;
    srv->env.metrics = srv->metrics;
    srv->env.master_key = srv->cfg->has_master_key ? srv->cfg->master_key : NULL;
    if ((n = sv__jobs_recover(&srv->env, srv->cat, srv->cfg->max_attempts, &ids)) < 0)
        return n;
    if ((ret = sv__jobs_create(&srv->env, srv->cfg->workers, &srv->jobs)) < 0)
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
    srv->cfg = cfg;
    srv->log = log;
    srv->started_ns = uv_hrtime();
    if (uv_loop_init(&srv->loop) < 0) {
        free(srv);
        return SV_ERR_INTERNAL;
    }
    snprintf(srv->media_dir, sizeof(srv->media_dir), "%s/media", cfg->data_dir);
    snprintf(srv->uploads_dir, sizeof(srv->uploads_dir), "%s/uploads", cfg->data_dir);
    snprintf(path, sizeof(path), "%s/staging", cfg->data_dir);
    if (sv__mkdirs(srv->media_dir) < 0 || sv__mkdirs(srv->uploads_dir) < 0 ||
        sv__mkdirs(path) < 0) {
        SV_LOGE(log, "server", "cannot create the data folder %s", cfg->data_dir);
        goto fail;
    }
    snprintf(path, sizeof(path), "%s/catalog.db", cfg->data_dir);
    if ((ret = sv__catalog_open(path, &srv->cat, err, sizeof(err))) < 0) {
        SV_LOGE(log, "server", "%s", err);
        goto fail;
    }
    if ((ret = sv__metrics_create(&srv->metrics)) < 0 ||
        (ret = sv__static_create(srv->media_dir, &srv->media)) < 0 ||
        (ret = sv__playback_create(&srv->loop, cfg, srv->cat, log, &srv->playback)) < 0)
        goto fail;
    /* The live-session gauge is in /metrics from the start. */
    sv__playback_attach_metrics(srv->playback, srv->metrics);
#ifdef SV_HAVE_MEDIA
    if ((ret = start_jobs(srv)) < 0) {
        SV_LOGE(log, "server", "cannot start the job workers: %s", sv_strerror(ret));
        goto fail;
    }
#else
    SV_LOGW(log, "server", "built without the media library: ingest is disabled");
#endif
    cb.opaque = srv;
    if ((ret = sv__http_server_create(&srv->loop, cfg->listen_host, cfg->listen_port, &cfg->http,
                                      &cb, log, &srv->http)) < 0)
        goto fail;
    uv_signal_init(&srv->loop, &srv->sig_int);
    uv_signal_init(&srv->loop, &srv->sig_term);
    srv->sig_int.data = srv->sig_term.data = srv;
    uv_signal_start(&srv->sig_int, on_signal, SIGINT);
    uv_signal_start(&srv->sig_term, on_signal, SIGTERM);
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

void sv__server_destroy(sv__server *srv)
{
    if (!srv)
        return;
    /* Open sessions are written; its timer closes in the uv_run below. */
    sv__playback_destroy(srv->playback);
#ifdef SV_HAVE_MEDIA
    /* Running transcodes are cancelled and queued again for the next start. */
    sv__jobs_destroy(srv->jobs);
#endif
    if (srv->http) {
        /* Created but never run: close its handles before the loop goes. */
        sv__http_server_drain(srv->http);
        uv_run(&srv->loop, UV_RUN_NOWAIT);
    }
    uv_run(&srv->loop, UV_RUN_DEFAULT);
    uv_loop_close(&srv->loop);
    sv__static_destroy(srv->media);
    sv__metrics_destroy(srv->metrics);
    sv__catalog_close(srv->cat);
    free(srv);
}
