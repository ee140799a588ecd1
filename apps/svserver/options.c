/*
 * svserver's option table: every setting and every option of the
 * subcommands, described once. The parser (getopt_long through
 * apps/common/cli_options.h) and `svserver --help` are made from it;
 * tests/unit/api/check_cli_docs.sh checks that it names every setting the
 * backend knows and that the docs carry this --help.
 */
#include <stdlib.h>
#include <string.h>

#include <streamverse/common.h>
#include <streamverse/version.h>
#include <svserver/svserver.h>

#include "cli.h"

#define SET SVS_OPT_SETTING
#define ALL 0
#define SETTINGS_HEADING                                                                       \
    "settings (each also a key of the --config JSON file and an SVSERVER_<KEY>\n"            \
    "variable, upper case with '_' for '-'; the command line wins over the\n"                \
    "environment, which wins over the file; bad values exit 2):"

static const cli_opt options[] = {
    { "listen", 0, "HOST:PORT", SET, ALL,
      "address to listen on (IPv4 or [IPv6]; port 0: any free port)", "127.0.0.1:8080",
      SETTINGS_HEADING },
    { "data", 0, "DIR", SET, ALL,
      "data folder: catalog.db, media/, staging/, uploads/; with several nodes, one "
      "shared folder", "svdata", NULL },
    { "db", 0, "URL", SET, ALL,
      "the catalog in PostgreSQL, postgresql://USER[:PASSWORD]@HOST:PORT/DB (libpq's URI "
      "form, its query options too), shared by any number of nodes and workers; wrong or "
      "unreachable: exit 2 at start; the password is never logged", "SQLite in DIR", NULL },
    { "workers", 0, "N", SET, ALL,
      "transcode threads in this process; 0: none, jobs wait for `svserver worker`s", "2",
      NULL },
    { "log-level", 0, "LEVEL", SET, ALL,
      "error, warn, info, debug (adds an access line per request), trace", "info", NULL },
    { "log-json", 0, NULL, SVS_OPT_LOG_JSON, ALL,
      "log JSON lines {\"ts\",\"level\",\"module\",\"msg\"} instead of text "
      "(in the file or the environment: log-json 1)", NULL, NULL },
    { "log-rate", 0, "N", SET, ALL,
      "log lines a second (error, warn, info) before the flood guard holds them back and "
      "later logs one \"N log lines suppressed\" line; debug lines pass; 0: off", "100",
      NULL },
    { "max-upload-mb", 0, "N", SET, ALL, "upload size limit, 413 beyond", "4096", NULL },
    { "max-header-bytes", 0, "N", SET, ALL, "request line + headers limit, 431 beyond",
      "16384", NULL },
    { "max-body-kb", 0, "N", SET, ALL, "JSON body limit, 413 beyond", "1024", NULL },
    { "header-timeout", 0, "S", SET, ALL,
      "a started request head must arrive within S s (408, then close)", "10", NULL },
    { "idle-timeout", 0, "S", SET, ALL,
      "seconds a keep-alive connection may idle, a body may stall, a reader may not read",
      "30", NULL },
    { "drain-timeout", 0, "S", SET, ALL,
      "on SIGINT/SIGTERM, in-flight answers and uploads get S s", "10", NULL },
    { "max-connections", 0, "N", SET, ALL,
      "open connections; a new one beyond gets 503 busy (Retry-After: 1) and is closed; "
      "0: half the fd limit", "0", NULL },
    { "rate-limit", 0, "R", SET, ALL,
      "API requests a second per client, 429 with Retry-After beyond; 0: off (/media/, "
      "/healthz, /metrics are not limited)", "20", NULL },
    { "rate-burst", 0, "N", SET, ALL, "requests a client may send at once", "100", NULL },
    { "trusted-proxies", 0, "A,B", SET, ALL,
      "balancers whose X-Forwarded-For (its last address) names the client, for rate "
      "limits, login throttling and the audit log", "none", NULL },
    { "public-url", 0, "URL", SET, ALL,
      "where players reach this service, http(s)://host[:port][/path]: an interstitial "
      "names its ad by it (X-ASSET-URI), for players such as hls.js that resolve that URI "
      "against the page rather than the playlist; none: relative to the playlist", "none",
      NULL },
    { "ladder", 0, "LADDER", SET, ALL,
      "video rungs: auto chooses them per title over the template "
      "240:300,360:750,480:1200,720:2800,1080:5000 (docs/packaging.md); auto:H:KBPS,... "
      "per title over that template; H:KBPS,... that fixed ladder (never upscaled)", "auto",
      NULL },
    { "codecs", 0, "LIST", SET, ALL,
      "video codecs of every rung: h264, hevc (libx265), av1 (libsvtav1), e.g. h264,av1,hevc; "
      "HEVC rungs go to <h>p-hevc, AV1 to <h>p-av1, each codec its own DASH AdaptationSet "
      "and HLS variants (docs/packaging.md); an encoder missing from FFmpeg stops start-up",
      "h264", NULL },
    { "segment-seconds", 0, "S", SET, ALL, "segment duration", "4", NULL },
    { "preset", 0, "NAME", SET, ALL, "x264 preset", "veryfast", NULL },
    { "max-attempts", 0, "N", SET, ALL,
      "a job whose worker died (or was interrupted) N times fails instead of retrying", "3",
      NULL },
    { "job-lease", 0, "S", SET, ALL,
      "a worker's claim on a job lasts S s unless renewed, every S/3 s while it works; a "
      "dead worker's job waits that long (docs/workers.md)", "30", NULL },
    { "job-parts", 0, "N", SET, ALL,
      "split each job into N parts (1-8, the ladder's rungs shared out) that workers encode "
      "at once; the last one assembles", "1", NULL },
    { "drm", 0, "none|cenc|cbcs", SET, ALL,
      "protection of newly ingested titles (needs master-key)", "none", NULL },
    { "master-key", 0, "HEX", SET, ALL,
      "64 hex digits; wraps every title's content key in the catalog (required for drm; "
      "the command line shows in ps: prefer the file or the environment)", "none", NULL },
    { "token-secret", 0, "S", SET, ALL,
      "16+ characters; signs user, playback and media tokens (HMAC-SHA256); without it "
      "svserver makes one at the first start and keeps it in DIR/token-secret (mode 0600) "
      "so tokens survive restarts (shows in ps on the command line)", "generated", NULL },
    { "media-auth", 0, "none|token", SET, ALL,
      "token: every /media/ request needs ?token= from playback/start; none: anyone may "
      "read /media/ (set token in production)", "none", NULL },
    { "edge-secret", 0, "S", SET, ALL,
      "also issue nginx secure_link_md5 parameters (md5, expires) for the edges "
      "(docs/deploy.md)", "unset", NULL },
    { "cdns", 0, "ID=URL[;W],...", SET, ALL,
      "CDN edges for playback answers, manifests and steering, at most 8, as in "
      "a=http://10.0.0.1:8081,b=http://10.0.0.2:8082;2", "none", NULL },
    { "heartbeat-interval", 0, "S", SET, ALL,
      "player heartbeat period; a session without one for 3 intervals expires", "10", NULL },
    { "playback-token-ttl", 0, "S", SET, ALL,
      "playback and media token lifetime; every heartbeat answer carries a fresh one", "120",
      NULL },
    { "login-ttl", 0, "S", SET, ALL, "user token lifetime", "43200", NULL },
    { "offline-devices", 0, "N", SET, ALL,
      "devices an account may hold offline licenses (downloads of protected titles) on at "
      "once; another device gets 409 device_limit; 0: no offline licenses", "3", NULL },
    { "offline-license-ttl", 0, "S", SET, ALL,
      "lifetime of an offline license; the player refuses it afterwards, offline too",
      "2592000", NULL },
    { "steering-ttl", 0, "S", SET, ALL, "TTL of the content steering manifest", "10", NULL },
    { "login-free-failures", 0, "N", SET, ALL,
      "failed logins per name (as typed, known or not) and per client address before "
      "back-off", "3", NULL },
    { "login-backoff-max", 0, "S", SET, ALL,
      "after the free failures each failure doubles the wait (1, 2, 4 ... s) up to S; "
      "attempts meanwhile get 429 too_many_attempts", "60", NULL },
    { "login-lockout-failures", 0, "N", SET, ALL,
      "failures on one name that lock it (429 account_locked, also for the right password)",
      "10", NULL },
    { "login-lockout", 0, "S", SET, ALL,
      "how long a lockout lasts; an admin or `svserver user unlock` lifts it earlier", "900",
      NULL },
    { "login-fail-window", 0, "S", SET, ALL,
      "failures are forgotten S s after the last one", "900", NULL },
    { "login-max-pending", 0, "N", SET, ALL,
      "logins hashing at once; beyond, 503 busy with Retry-After: 1", "64", NULL },
    { "config", 0, "FILE", SVS_OPT_CONFIG, ALL,
      "JSON object of the settings above (else $SVSERVER_CONFIG names one)", NULL, NULL },
    { "help", 'h', NULL, 'h', ALL, "this text", NULL, NULL },
    { "version", 0, NULL, SVS_OPT_VERSION, ALL, "print the version", NULL, NULL },
    { "title", 0, "T", SVS_OPT_TITLE, SVS_INGEST, "title (required)", NULL,
      "ingest options:" },
    { "genre", 0, "G", SVS_OPT_GENRE, SVS_INGEST, "a genre; repeat for several", NULL, NULL },
    { "synopsis", 0, "S", SVS_OPT_SYNOPSIS, SVS_INGEST, "synopsis", NULL, NULL },
    { "subtitles", 0, "LANG:FILE", SVS_OPT_SUBTITLES, SVS_INGEST,
      "an SRT or WebVTT file for language LANG (en, pt-BR); repeat for several", NULL, NULL },
    { "ttl", 0, "S", SVS_OPT_TTL, SVS_TOKEN, "token lifetime, 1 s to 30 days", "3600",
      "token options:" },
    { "session", 0, "ID", SVS_OPT_SESSION, SVS_TOKEN, "the playback session it belongs to",
      NULL, NULL },
    { "prefix", 0, "P", SVS_OPT_PREFIX, SVS_TOKEN,
      "the token is good for paths under this prefix only", NULL, NULL },
    { "password-file", 0, "F", SVS_OPT_PASSWORD_FILE, SVS_USER_ADD,
      "the password: the first line of F ('-': standard input), 8..1024 bytes (required)",
      NULL, "user add options:" },
    { "region", 0, "CC", SVS_OPT_REGION, SVS_USER_ADD,
      "ISO 3166 alpha-2 code in capitals (required)", NULL, NULL },
    { "max-streams", 0, "N", SVS_OPT_MAX_STREAMS, SVS_USER_ADD,
      "0..100 streams at once; 0: may browse, not play (required)", NULL, NULL },
    { "role", 0, "ROLE", SVS_OPT_ROLE, SVS_USER_ADD, "viewer, operator or admin", "viewer",
      NULL },
    { "srt-port", 0, "N", SVS_OPT_SRT_PORT, SVS_CHANNEL,
      "the channel's SRT listener port (with --rtmp-port)", "the next free pair from 9000",
      "channel add options:" },
    { "rtmp-port", 0, "N", SVS_OPT_RTMP_PORT, SVS_CHANNEL,
      "the channel's RTMP listener port (with --srt-port)", NULL, NULL },
    { "settings", 0, "JSON", SVS_OPT_CHANNEL_SETTINGS, SVS_CHANNEL,
      "live settings: dvr_s, segment_s, part_s, end_after_s, target_latency_s, ladder, "
      "passthrough, encrypt (docs/live.md)", "{\"dvr_s\":300,\"segment_s\":2,\"part_s\":0.5,...}",
      NULL },
    { "encrypt", 0, "SCHEME", SVS_OPT_ENCRYPT, SVS_CHANNEL,
      "cenc or cbcs: every event's title gets a content key and the live output is encrypted "
      "(needs master-key; the settings' encrypt)", "none", NULL },
    { NULL, 0, NULL, 0, 0, NULL, NULL, NULL },
};

static const char usage_head[] =
"usage: svserver [serve] [options]\n"
"       svserver ingest FILE --title TITLE [--genre G]... [--synopsis S]\n"
"                [--subtitles LANG:FILE]... [options]\n"
"       svserver worker [--db URL] [--data DIR] [--workers N] [options]\n"
"       svserver token TITLE_ID [--ttl S] [--session ID] [--prefix P] [options]\n"
"       svserver user add NAME --password-file F --region CC --max-streams N\n"
"                [--role viewer|operator|admin] [options]\n"
"       svserver user unlock NAME [options]   lift a login lockout\n"
"       svserver channel add NAME [--srt-port N --rtmp-port N] [--settings JSON]\n"
"                [options]\n"
"       svserver channel list|remove NAME [options]   live channels\n"
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
"`token` prints a signed playback token for a title; `user` adds an account or\n"
"lifts a lockout; `channel add` makes a live channel and prints its SRT and RTMP\n"
"publish URLs with the secret stream key (docs/live.md). Every command takes\n"
"the settings.\n"
"\n";

static const char usage_tail[] =
"\n"
"signals: SIGTERM or SIGINT stop accepting and finish what is in flight\n"
"(drain-timeout); SIGHUP reloads the settings from the same sources\n"
"(docs/deploy.md, \"Operations\").\n"
"\n"
"HTTP API reference: docs/http-api.md\n";

void svs_usage(FILE *f)
{
    fputs(usage_head, f);
    cli_print_options(f, options, 0);
    fputs(usage_tail, f);
}

int svs_parse(const char *prog, unsigned command, int argc, char **argv, sv_server_config *cfg,
              svs_option_fn fn, void *opaque, char *err, size_t errlen)
{
    cli_parser cp;
    const char *v, *config = NULL;
    const char **values = NULL;
    const cli_opt **rows = NULL;
    int c, n = 0, ret = SV_ERR_INVALID;

    err[0] = '\0';
    /* The options first, then the settings in their order of precedence:
     * defaults, the --config file, the environment, the command line. */
    values = calloc((size_t)argc + 1, sizeof(*values));
    rows = calloc((size_t)argc + 1, sizeof(*rows));
    if (!values || !rows) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    if (cli_init(&cp, prog, options, command, argc, argv) < 0)
        goto out;
    while ((c = cli_next(&cp, &v)) != CLI_END) {
        switch (c) {
        case CLI_ERROR: ret = SVS_USAGE_PRINTED; goto out;
        case 'h': svs_usage(stdout); ret = SVS_EXIT_0; goto out;
        case SVS_OPT_VERSION: printf("svserver %s\n", sv_version()); ret = SVS_EXIT_0; goto out;
        case SVS_OPT_CONFIG: config = v; break;
        case SVS_OPT_SETTING:
        case SVS_OPT_LOG_JSON:
            values[n] = c == SVS_OPT_LOG_JSON ? "1" : v;
            rows[n++] = cp.row;
            break;
        default:
            if (fn(opaque, c, v, err, errlen) < 0)
                goto out;
        }
    }
    char *load_argv[] = { "--config", (char *)config, NULL };
    if (sv_server_config_load(cfg, config ? 2 : 0, load_argv, err, errlen) < 0)
        goto out;
    for (int i = 0; i < n; i++)
        if (sv_server_config_set(cfg, rows[i]->name, values[i], err, errlen) < 0)
            goto out;
    for (int i = cli_optind(); i < argc; i++)
        if (fn(opaque, SVS_OPT_ARG, argv[i], err, errlen) < 0)
            goto out;
    ret = 0;
out:
    free(values);
    free(rows);
    return ret;
}
