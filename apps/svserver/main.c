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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <streamverse/common.h>
#include <streamverse/version.h>
#include <svserver/svserver.h>

#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f,
"usage: svserver [serve] [options]\n"
"       svserver ingest FILE --title TITLE [--genre G]... [--synopsis S] [options]\n"
"       svserver worker [--db URL] [--data DIR] [--workers N] [options]\n"
"       svserver token TITLE_ID [--ttl S] [--session ID] [--prefix P] [options]\n"
"       svserver user add NAME --password-file F --region CC --max-streams N\n"
"                [--role viewer|operator|admin] [options]\n"
"       svserver user unlock NAME [options]   lift a login lockout\n"
"\n"
"Serves the HTTP API (/api/v1/titles, /api/v1/jobs), the media tree (/media/),\n"
"/healthz and /metrics from one process; ingest jobs run on a worker pool.\n"
"`ingest` adds a video file to the catalog from the command line (a progress bar\n"
"on a terminal) and prints the new title id on its last line. It can run beside\n"
"a server using the same data folder.\n"
"`worker` runs transcodes only (no HTTP): N threads claim jobs from the catalog\n"
"(PostgreSQL shared by every node, or DIR's SQLite catalog on this machine) and\n"
"publish into DIR/media; idle threads look for new jobs every second. Run the\n"
"API nodes with --workers 0 to leave all transcoding to workers. SIGTERM/SIGINT\n"
"hand running jobs back to the queue; a killed worker's jobs are taken over by\n"
"another once their lease (job-lease) runs out.\n"
"\n"
"options (each also a key of the --config JSON file and an SVSERVER_<KEY> variable,\n"
"upper case with '_' for '-'; the command line wins over the environment, which\n"
"wins over the file):\n"
"  --listen HOST:PORT      listen address (default 127.0.0.1:8080; port 0: any free)\n"
"  --data DIR              data folder: catalog.db, media/, staging/, uploads/ (svdata)\n"
"  --db URL                postgresql://USER@HOST:PORT/DB: the catalog in PostgreSQL,\n"
"                          shared by several svserver processes (default: SQLite in DIR)\n"
"  --workers N             transcode threads; 0: none, jobs wait for `svserver worker`s (2)\n"
"  --log-level LEVEL       error, warn, info, debug (access lines), trace (info)\n"
"  --log-json              log JSON lines instead of text\n"
"  --max-upload-mb N       upload size limit, 413 beyond (4096)\n"
"  --max-header-bytes N    request line + headers limit, 431 beyond (16384)\n"
"  --max-body-kb N         JSON body limit, 413 beyond (1024)\n"
"  --header-timeout S      a started request head must arrive within S s (10)\n"
"  --idle-timeout S        keep-alive idle and send-progress timeout (30)\n"
"  --drain-timeout S       on SIGINT/SIGTERM, in-flight answers and uploads get S s (10)\n"
"  --ladder H:KBPS,...     video rungs (240:300,360:750,480:1200,720:2800,1080:5000)\n"
"  --segment-seconds S     segment duration (4)\n"
"  --preset NAME           x264 preset (veryfast)\n"
"  --max-attempts N        a job whose worker died N times fails instead of retrying (3)\n"
"  --job-lease S           a worker's claim on a job lasts S s unless renewed, every\n"
"                          S/3 s while it works; a dead worker's job waits that long (30)\n"
"  --job-parts N           split each job into N parts (1-8) that workers encode at once\n"
"                          (the ladder's rungs shared out); the last one assembles (1)\n"
"  --media-auth none|token /media/ wants ?token= from playback/start (none)\n"
"  --edge-secret S         also issue nginx secure_link tokens (docs/deploy.md)\n"
"  --cdns ID=URL[;W],...   CDN edges for playback answers, manifests and steering\n"
"  --heartbeat-interval S  player heartbeat period; 3 missed expire a session (10)\n"
"  --playback-token-ttl S  media/playback token lifetime (120)\n"
"  --login-ttl S           user token lifetime (43200)\n"
"  --steering-ttl S        content steering TTL (10)\n"
"  --max-connections N     open connections; beyond, 503 and close (0: half the fd limit)\n"
"  --rate-limit R          API requests a second per client, 429 beyond (20; 0: off)\n"
"  --rate-burst N          requests a client may send at once (100)\n"
"  --trusted-proxies A,B   balancers whose X-Forwarded-For names the client\n"
"  --log-rate N            log lines a second before the flood guard holds them (100)\n"
"  --login-free-failures N failed logins per name or address before back-off (3)\n"
"  --login-backoff-max S   the back-off doubles from 1 s up to S s, 429 meanwhile (60)\n"
"  --login-lockout-failures N  failures that lock a name (10)\n"
"  --login-lockout S       how long a lockout lasts; `user unlock` lifts it (900)\n"
"  --login-fail-window S   failures are forgotten S s after the last one (900)\n"
"  --login-max-pending N   logins hashing at once, 503 beyond (64)\n"
"  --config FILE           JSON object of the settings above\n"
"  -h, --help              this text\n"
"  --version               print the version\n"
"\n"
"ingest options:\n"
"  --title T               title (required)\n"
"  --genre G               a genre; repeat for several\n"
"  --synopsis S            synopsis\n"
"  --drm none|cenc|cbcs    protect the title (the drm setting; needs master-key)\n"
"\n"
"signals: SIGTERM or SIGINT stop accepting and finish what is in flight (drain-timeout);\n"
"SIGHUP reloads the settings from the same sources (docs/deploy.md, \"Operations\").\n"
"\n"
"HTTP API reference: docs/http-api.md\n");
}

/* Options that are not settings: flags, and ingest's own. */
static int is_ingest_opt(const char *name)
{
    return !strcmp(name, "title") || !strcmp(name, "genre") || !strcmp(name, "synopsis");
}

/* The settings: defaults, --config FILE or $SVSERVER_CONFIG, the
 * environment, then the options in argv (after the subcommand). `ingest`
 * takes the FILE and ingest's own options; NULL for the server. Returns 0
 * or < 0 with a message. */
static int load_settings(int argc, char **argv, sv_server_ingest_args *ingest,
                         sv_server_config *cfg, char *err, size_t errlen)
{
    if (sv_server_config_load(cfg, argc, argv, err, errlen) < 0)
        return SV_ERR_INVALID;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];

        if (strncmp(a, "--", 2) != 0) {
            if (ingest && !ingest->file) {
                ingest->file = a;
                continue;
            }
            snprintf(err, errlen, "unexpected argument '%s'", a);
            return SV_ERR_INVALID;
        }
        a += 2;
        if (!strcmp(a, "log-json")) {
            if (sv_server_config_set(cfg, "log-json", "1", err, errlen) < 0)
                return SV_ERR_INVALID;
            continue;
        }
        if (i + 1 >= argc) {
            snprintf(err, errlen, "--%s needs a value", a);
            return SV_ERR_INVALID;
        }
        if (!strcmp(a, "config")) {
            i++;
        } else if (ingest && is_ingest_opt(a)) {
            if (svs_ingest_args_add(ingest, a, argv[++i], err, errlen) < 0)
                return SV_ERR_INVALID;
        } else if (sv_server_config_set(cfg, a, argv[++i], err, errlen) < 0) {
            return SV_ERR_INVALID;
        }
    }
    return 0;
}

/* SIGHUP: the server's settings again, from the same sources as at start. */
typedef struct reload_source {
    int argc;
    char **argv;
    sv_server_logger *log;
} reload_source;

static int reload_settings(void *opaque, sv_server_config *out, char *err, size_t errlen)
{
    reload_source *src = opaque;

    if (load_settings(src->argc, src->argv, NULL, out, err, errlen) < 0)
        return SV_ERR_INVALID;
    sv_server_logger_reload(src->log, out);
    return 0;
}

/* `svserver [serve]`: runs until SIGINT/SIGTERM drained it. Returns the
 * exit status (0, 1 failed, 2 a catalog to fix first). */
static int serve(int argc, char **argv, const sv_server_config *cfg, sv_server_logger *log)
{
    reload_source src = {argc, argv, log};
    sv_server *srv;
    int ret;

    if ((ret = sv_server_create(cfg, log, &srv)) < 0)
        return ret == SV_ERR_INVALID ? 2 : 1;
    sv_server_set_reload(srv, reload_settings, &src);
    sv_server_run(srv);
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
    int i = 1, is_ingest = 0, is_worker = 0, ret = 2;

    if (argc > 1 && !strcmp(argv[1], "token"))
        return svs_cmd_token(argc - 2, argv + 2);
    if (argc > 1 && !strcmp(argv[1], "user"))
        return svs_cmd_user(argc - 2, argv + 2);
    if (argc > 1 && !strcmp(argv[1], "serve")) {
        i = 2;
    } else if (argc > 1 && !strcmp(argv[1], "ingest")) {
        is_ingest = 1;
        i = 2;
    } else if (argc > 1 && !strcmp(argv[1], "worker")) {
        is_worker = 1;
        i = 2;
    }
    for (int k = i; k < argc; k++) {
        if (!strcmp(argv[k], "-h") || !strcmp(argv[k], "--help")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(argv[k], "--version")) {
            printf("svserver %s\n", sv_version());
            return 0;
        }
    }

    if (sv_server_config_create(&cfg) < 0) {
        fprintf(stderr, "svserver: out of memory\n");
        return 1;
    }
    if (load_settings(argc - i, argv + i, is_ingest ? &ingest : NULL, cfg, err,
                      sizeof(err)) < 0)
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
        ret = serve(argc - i, argv + i, cfg, log);
    goto out;

bad:
    fprintf(stderr, "svserver: %s (see svserver --help)\n", err);
out:
    sv_server_logger_destroy(log);
    sv_server_config_destroy(cfg);
    return ret;
}
