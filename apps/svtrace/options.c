/*
 * svtrace's option table: every option of every command, described once;
 * the parsers (getopt_long, apps/common/cli_options.h) and the commands'
 * --help are made from it.
 */
#include <stdlib.h>
#include <string.h>

#include "svtrace.h"

#define RUN SVT_RUN
#define BATCH SVT_BATCH
#define EMU SVT_EMULATE

const cli_opt svt_options[] = {
    { "trace", 0, "FILE", SVT_OPT_TRACE, RUN | EMU,
      "bandwidth trace: Pensieve, mahimahi or CSV (auto-detected)", NULL, NULL },
    { "traces", 0, "DIR", SVT_OPT_TRACES, BATCH,
      "folder of traces (Pensieve, mahimahi or CSV)", NULL, NULL },
    { "video", 0, "V", SVT_OPT_VIDEO, RUN | BATCH,
      "a Pensieve video_sizes folder, a JSON ladder, or an HLS/DASH "
      "URL or manifest path (sizes from byte ranges or HEAD requests; "
      "the first segment at the lowest rung, as the player starts; the "
      "manifest, HLS playlists and init segments the player fetches "
      "cost their requests too, as in 'svtrace emulate')", NULL, NULL },
    { "abr", 0, "RULE", SVT_OPT_ABR, RUN | EMU,
      "bba, bola, throughput, mpc or hybrid", "hybrid", NULL },
    { "abr", 0, "LIST", SVT_OPT_ABR, BATCH,
      "comma-separated rules", "bba,bola,throughput,mpc,hybrid", NULL },
    { "param", 0, "NAME=VALUE", SVT_OPT_PARAM, 0,
      "set a rule parameter (repeatable; see 'svtrace rules'); "
      "batch sets it for every listed rule", NULL, NULL },
    { "jobs", 0, "N", SVT_OPT_JOBS, BATCH, "worker threads, 1 to 256", "all cores", NULL },
    { "segments", 0, "N", SVT_OPT_SEGMENTS, RUN | BATCH,
      "segments to play (default: all; a video_sizes folder: its lines - 1)", NULL, NULL },
    { "segment-duration", 0, "S", SVT_OPT_SEGMENT_DURATION, RUN | BATCH,
      "segment duration of a video_sizes folder", "4", NULL },
    { "rtt", 0, "S", SVT_OPT_RTT, EMU,
      "latency per request (a CSV trace's rtt_ms wins)", "0.08", NULL },
    { "buffer-goal", 0, "S", SVT_OPT_BUFFER_GOAL, EMU,
      "the player stops fetching above this buffer", "60", NULL },
    { "start-buffer", 0, "S", SVT_OPT_START_BUFFER, EMU,
      "buffer needed to start and to resume", "2", NULL },
    { "with-audio", 0, NULL, SVT_OPT_WITH_AUDIO, EMU,
      "also fetch a separate audio track over the same link", NULL, NULL },
    { "manifest-sizes", 0, NULL, SVT_OPT_MANIFEST_SIZES, EMU,
      "the ABR knows only the segment sizes the manifest gives "
      "(default: every size, measured first with HEAD requests, "
      "as 'svtrace run --video URL' knows them)", NULL, NULL },
    { "max-session", 0, "S", SVT_OPT_MAX_SESSION, EMU,
      "give up after S s of emulated time", "3600", NULL },
    { "json", 0, "FILE", SVT_OPT_JSON, RUN | EMU,
      "JSON summary ('-' for standard output)", NULL, NULL },
    { "json", 0, "FILE", SVT_OPT_JSON, BATCH,
      "per-rule results as JSON ('-' for standard output)", NULL, NULL },
    { "csv", 0, "FILE", SVT_OPT_CSV, RUN | EMU,
      "CSV timeline, one row per video segment", NULL, NULL },
    { "csv", 0, "FILE", SVT_OPT_CSV, BATCH, "per-rule table as CSV", NULL, NULL },
    { "md", 0, "FILE", SVT_OPT_MD, BATCH, "per-rule table as Markdown", NULL, NULL },
    { "svg", 0, "FILE", SVT_OPT_SVG, RUN | EMU,
      "plot of bitrate, buffer and throughput with stalls", NULL, NULL },
    { "svg", 0, "FILE", SVT_OPT_SVG, BATCH,
      "CDF of the QoE per session, one curve per rule", NULL, NULL },
    { "time", 0, NULL, SVT_OPT_TIME, EMU, "print the wall time taken on standard error", NULL,
      NULL },
    { "verbose", 0, NULL, SVT_OPT_VERBOSE, EMU, "the player's debug log on standard error",
      NULL, NULL },
    { "help", 'h', NULL, 'h', 0, "this text", NULL, NULL },
    { NULL, 0, NULL, 0, 0, NULL, NULL, NULL },
};

void svt_print_help(const char *intro, unsigned command)
{
    fputs(intro, stdout);
    fputc('\n', stdout);
    cli_print_options(stdout, svt_options, command);
}

void svt_session_opts_init(svt_session_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->segment_s = 4.0;
}

int svt_session_option(int id, char *value, svt_session_opts *o)
{
    char *end = NULL;

    switch (id) {
    case SVT_OPT_PARAM:
        if (o->nparams == SVT_MAX_PARAMS ||
            svt_parse_param(value, &o->params[o->nparams]) < 0) {
            fprintf(stderr, "svtrace: --param expects NAME=VALUE, got '%s'\n", value);
            return -1;
        }
        o->nparams++;
        return 1;
    case SVT_OPT_SEGMENTS:
        if (svt_parse_count(value, 1000000, &o->segments) < 0) {
            fprintf(stderr, "svtrace: --segments expects a positive integer, got '%s'\n", value);
            return -1;
        }
        return 1;
    case SVT_OPT_SEGMENT_DURATION:
        o->segment_s = strtod(value, &end);
        if (end == value || *end || !(o->segment_s > 0) || o->segment_s > 3600) {
            fprintf(stderr, "svtrace: --segment-duration expects seconds > 0, got '%s'\n",
                    value);
            return -1;
        }
        return 1;
    default:
        return 0;
    }
}
