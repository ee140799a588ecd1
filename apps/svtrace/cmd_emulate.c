/*
 * cmd_emulate.c - "svtrace emulate": the real player core over a trace
 * (streamverse/emulate.h), with the outputs of "svtrace run".
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "streamverse/emulate.h"
#include "svtrace.h"

static const char intro[] =
    "usage: svtrace emulate --trace FILE [options] URL\n"
    "\n"
    "Plays the HLS or DASH presentation at URL (http(s)://, file:// or a local\n"
    "manifest path) with the real player core - manifest parsing, scheduler,\n"
    "fetcher, ABR rule, buffer and rebuffer accounting - headless on a virtual\n"
    "clock. The real segments are fetched, but delivered when a link shaped by\n"
    "the trace would deliver them (RTT, then 0.95 of the trace bandwidth; the\n"
    "trace wraps). Nothing is decoded. Reports the same JSON, CSV and SVG as\n"
    "'svtrace run' (QoE over video segments 2..N, Pensieve units); the same\n"
    "inputs give byte-identical outputs. Compare with\n"
    "'svtrace run --trace FILE --video URL', the simulator on the same sizes.\n";

static int parse_seconds(const char *opt, const char *v, double max, double *out)
{
    char *end = NULL;
    errno = 0;
    double d = strtod(v, &end);
    if (end == v || *end || errno || !(d >= 0) || d > max) {
        fprintf(stderr, "svtrace: %s expects seconds between 0 and %g\n", opt, max);
        return -1;
    }
    *out = d;
    return 0;
}

static json_t *player_json(const sv_emulate_report *r)
{
    json_t *p = json_object();
    json_t *ladder = json_array();
    for (size_t i = 0; i < r->num_rungs; i++)
        json_array_append_new(ladder, json_integer(r->bitrates_kbps[i]));
    json_object_set_new(p, "ladder_kbps", ladder);
    json_object_set_new(p, "startup_time_s", json_real(r->stats.startup_time_s));
    json_object_set_new(p, "rebuffer_count", json_integer(r->stats.rebuffer_count));
    json_object_set_new(p, "rebuffer_time_s", json_real(r->stats.rebuffer_time_s));
    json_object_set_new(p, "bytes_downloaded", json_integer(r->stats.bytes_downloaded));
    json_object_set_new(p, "segments_downloaded", json_integer(r->stats.segments_downloaded));
    json_object_set_new(p, "segment_retries", json_integer(r->stats.segment_retries));
    return p;
}

int svt_cmd_emulate(int argc, char **argv)
{
    const char *trace_path = NULL, *url = NULL, *rule_name = "hybrid";
    const char *json_path = NULL, *csv_path = NULL, *svg_path = NULL, *v = NULL;
    sv_emulate_config cfg;
    sv_trace *trace = NULL;
    sv_emulate_report *rep = NULL;
    json_t *root = NULL;
    sv_abr_param params[SVT_MAX_PARAMS];
    size_t nparams = 0;
    int rc = 2, timing = 0;

    sv_emulate_default_config(&cfg);
    cli_parser cp;
    int c;
    if (cli_init(&cp, "svtrace emulate", svt_options, SVT_EMULATE, argc, argv) < 0)
        return 2;
    while ((c = cli_next(&cp, &v)) != CLI_END) {
        switch (c) {
        case CLI_ERROR: return 2;
        case 'h': svt_print_help(intro, SVT_EMULATE); return 0;
        case SVT_OPT_WITH_AUDIO: cfg.with_audio = 1; break;
        case SVT_OPT_TIME: timing = 1; break;
        case SVT_OPT_MANIFEST_SIZES: cfg.sizes_known = 0; break;
        case SVT_OPT_VERBOSE: cfg.log_level = SV_LOG_DEBUG; break;
        case SVT_OPT_TRACE: trace_path = v; break;
        case SVT_OPT_ABR: rule_name = v; break;
        case SVT_OPT_JSON: json_path = v; break;
        case SVT_OPT_CSV: csv_path = v; break;
        case SVT_OPT_SVG: svg_path = v; break;
        case SVT_OPT_PARAM:
            if (nparams == SVT_MAX_PARAMS || svt_parse_param((char *)v, &params[nparams]) < 0) {
                fprintf(stderr, "svtrace: --param expects NAME=VALUE, got '%s'\n", v);
                return 2;
            }
            nparams++;
            break;
        case SVT_OPT_RTT:
            if (parse_seconds("--rtt", v, 60, &cfg.rtt_s) < 0)
                return 2;
            break;
        case SVT_OPT_BUFFER_GOAL:
            if (parse_seconds("--buffer-goal", v, 3600, &cfg.buffer_goal_s) < 0)
                return 2;
            if (!(cfg.buffer_goal_s > 0)) {
                fprintf(stderr, "svtrace: --buffer-goal must be more than 0\n");
                return 2;
            }
            break;
        case SVT_OPT_START_BUFFER:
            if (parse_seconds("--start-buffer", v, 3600, &cfg.start_buffer_s) < 0)
                return 2;
            break;
        case SVT_OPT_MAX_SESSION:
            if (parse_seconds("--max-session", v, 864000, &cfg.max_session_s) < 0)
                return 2;
            if (!(cfg.max_session_s > 0)) {
                fprintf(stderr, "svtrace: --max-session must be more than 0\n");
                return 2;
            }
            break;
        default: return 2;
        }
    }
    for (int i = cli_optind(); i < argc; i++) {
        if (url) {
            fprintf(stderr, "svtrace: emulate takes one URL ('%s' and '%s')\n", url, argv[i]);
            return 2;
        }
        url = argv[i];
    }
    if (!trace_path || !url) {
        fprintf(stderr, "svtrace: emulate needs --trace and a URL (see svtrace emulate --help)\n");
        return 2;
    }
    const sv_abr_rule *rule = svt_find_rule(rule_name);
    if (!rule)
        return 2;
    if (svt_check_params(rule, params, nparams) < 0)
        return 2;
    cfg.abr_rule = sv_abr_rule_name(rule);
    cfg.abr_params = params;
    cfg.num_abr_params = nparams;

    rc = 1;
    if (!(trace = svt_load_trace(trace_path)))
        goto done;
    char err[512];
    double t0 = svt_now();
    int ret = sv_emulate_run(url, trace, &cfg, &rep, err, sizeof(err));
    double wall = svt_now() - t0;
    if (ret < 0) {
        fprintf(stderr, "svtrace: emulate %s: %s\n", url, err);
        goto done;
    }
    if (timing)
        fprintf(stderr, "svtrace: emulated %.1f s of session (%zu segments) in %.3f s of wall time\n",
                rep->result.session_s, rep->num_steps, wall);
    if (rep->num_steps == 0) {
        fprintf(stderr, "svtrace: emulate %s: no video segment was played\n", url);
        goto done;
    }

    root = svt_summary_json(trace_path, trace, url, rule, params, nparams, &rep->result);
    json_object_set_new(root, "mode", json_string("emulate"));
    json_object_set_new(root, "player", player_json(rep));
    rc = 0;
    if (!json_path && !csv_path && !svg_path)
        json_path = "-";
    if (json_path && svt_write_json(json_path, root) < 0)
        rc = 1;
    if (csv_path && svt_write_csv(csv_path, rep->steps, rep->num_steps) < 0)
        rc = 1;
    if (svg_path) {
        char title[512];
        snprintf(title, sizeof(title), "%s: %s (emulated player), QoE %.2f, stalls %.2f s",
                 trace_path, sv_abr_rule_name(rule), rep->result.qoe, rep->result.rebuffer_s);
        if (svt_write_svg(svg_path, title, rep->steps, rep->num_steps) < 0)
            rc = 1;
    }

done:
    json_decref(root);
    sv_emulate_report_free(rep);
    sv_trace_destroy(trace);
    return rc;
}
