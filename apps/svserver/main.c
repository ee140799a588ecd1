/*
 * svserver - the Streamverse reference backend: HTTP API, catalog, media
 * serving, and ingest (transcode + package) on a worker pool.
 *
 *   svserver [serve] [options]
 *   svserver ingest FILE --title T [--genre G]... [--synopsis S] [options]
 *   svserver worker [options]      (transcodes only: cmd_worker.c)
 *
 * Settings come from defaults, then --config FILE (JSON), then SVSERVER_*
 * environment variables, then the command line.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <streamverse/common.h>
#include <streamverse/version.h>
#include <svserver/svserver.h>

#include "cli.h"

/* The positional arguments and ingest's own options. */
static int take_option(void *opaque, int id, const char *value, char *err, size_t errlen)
{
    sv_server_ingest_args *ingest = opaque;

    if (id == SVS_OPT_ARG && ingest && !ingest->file) {
        ingest->file = value;
        return 0;
    }
    if (id == SVS_OPT_ARG) {
        snprintf(err, errlen, "unexpected argument '%s'", value);
        return SV_ERR_INVALID;
    }
    if (ingest && (id == SVS_OPT_TITLE || id == SVS_OPT_GENRE || id == SVS_OPT_SYNOPSIS ||
                   id == SVS_OPT_SUBTITLES))
        return svs_ingest_args_add(ingest, id == SVS_OPT_TITLE       ? "title"
                                           : id == SVS_OPT_GENRE     ? "genre"
                                           : id == SVS_OPT_SUBTITLES ? "subtitles"
                                                                     : "synopsis",
                                   value, err, errlen);
    snprintf(err, errlen, "unexpected option");
    return SV_ERR_INVALID;
}

/* The settings: defaults, --config FILE or $SVSERVER_CONFIG, the
 * environment, then the options of argv (argv[0] names the command).
 * `ingest` takes the FILE and ingest's own options; NULL for the server.
 * Returns 0, SVS_EXIT_0, SVS_USAGE_PRINTED or SV_ERR_INVALID (err). */
static int load_settings(unsigned command, int argc, char **argv,
                         sv_server_ingest_args *ingest, sv_server_config *cfg, char *err,
                         size_t errlen)
{
    return svs_parse("svserver", command, argc, argv, cfg, take_option, ingest, err, errlen);
}

/* SIGHUP: the server's settings again, from the same sources as at start. */
typedef struct reload_source {
    unsigned command;
    int argc;
    char **argv;
    sv_server_logger *log;
} reload_source;

static int reload_settings(void *opaque, sv_server_config *out, char *err, size_t errlen)
{
    reload_source *src = opaque;

    if (load_settings(src->command, src->argc, src->argv, NULL, out, err, errlen) != 0)
        return SV_ERR_INVALID;
    sv_server_logger_reload(src->log, out);
    return 0;
}

/* `svserver [serve]`: runs until SIGINT/SIGTERM drained it. Returns the
 * exit status (0, 1 failed, 2 a catalog to fix first). */
static int serve(int argc, char **argv, const sv_server_config *cfg, sv_server_logger *log)
{
    reload_source src = {SVS_SERVE, argc, argv, log};
    sv_server *srv;
    int ret;

    if ((ret = sv_server_create(cfg, log, &srv)) < 0)
        return ret == SV_ERR_INVALID ? 2 : 1;
    sv_server_set_reload(srv, reload_settings, &src);
    sv_server_run(srv);
    /* The stop has begun. Until sv_server_destroy() closes its signal
     * watchers (last, once the jobs and channels are down), another SIGTERM
     * or SIGINT is logged and ignored; after that libuv puts the default
     * action back, and one landing in the rest of the cleanup killed the
     * process (exit 143). Blocked in this thread, the only one left by
     * then, it stays pending until the exit. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    sv_server_destroy(srv);
    sv_server_log(log, SV_LOG_INFO, "server", "stopped");
    return 0;
}

int main(int argc, char **argv)
{
    sv_server_ingest_args ingest = {0};
    sv_server_config *cfg = NULL;
    sv_server_logger *log = NULL;
    char err[512];
    int i = 1, is_ingest = 0, is_worker = 0, ret = 2, r;
    unsigned command = SVS_SERVE;

    if (argc > 1 && !strcmp(argv[1], "token"))
        return svs_cmd_token(argc - 1, argv + 1);
    if (argc > 1 && !strcmp(argv[1], "user"))
        return svs_cmd_user(argc - 2, argv + 2);
    if (argc > 1 && !strcmp(argv[1], "channel"))
        return svs_cmd_channel(argc - 2, argv + 2);
    if (argc > 1 && !strcmp(argv[1], "serve")) {
        i = 2;
    } else if (argc > 1 && !strcmp(argv[1], "ingest")) {
        is_ingest = 1;
        command = SVS_INGEST;
        i = 2;
    } else if (argc > 1 && !strcmp(argv[1], "worker")) {
        is_worker = 1;
        command = SVS_WORKER;
        i = 2;
    }

    if (sv_server_config_create(&cfg) < 0) {
        fprintf(stderr, "svserver: out of memory\n");
        return 1;
    }
    /* argv[i - 1] (the program or the command) is the parser's argv[0]. */
    r = load_settings(command, argc - i + 1, argv + i - 1, is_ingest ? &ingest : NULL, cfg, err,
                      sizeof(err));
    if (r == SVS_EXIT_0 || r == SVS_USAGE_PRINTED) {
        ret = r == SVS_EXIT_0 ? 0 : 2;
        goto out;
    }
    if (r < 0)
        goto bad;
    if (is_ingest && !ingest.file) {
        snprintf(err, sizeof(err), "ingest needs a FILE");
        goto bad;
    }
    /* Every line goes through the flood guard (log-rate lines a second). */
    if (sv_server_logger_create(cfg, &log) < 0) {
        fprintf(stderr, "svserver: out of memory\n");
        ret = 1;
        goto out;
    }
    /* A peer that resets mid-sendfile must not kill the process. */
    signal(SIGPIPE, SIG_IGN);

    if (is_ingest)
        ret = svs_cmd_ingest(cfg, log, &ingest);
    else if (is_worker)
        ret = svs_cmd_worker(cfg, log);
    else
        ret = serve(argc - i + 1, argv + i - 1, cfg, log);
    goto out;

bad:
    fprintf(stderr, "svserver: %s (see svserver --help)\n", err);
out:
    sv_server_logger_destroy(log);
    sv_server_config_destroy(cfg);
    return ret;
}
