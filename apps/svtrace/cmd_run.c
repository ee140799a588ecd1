/*
 * cmd_run.c - "svtrace run": one session of one rule over one trace.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "svtrace.h"


static const char intro[] =
    "usage: svtrace run --trace FILE --video V [--abr RULE] [options]\n"
    "\n"
    "Plays the video over the trace with one ABR rule in the Pensieve reference\n"
    "setup and reports the session. Without --json/--csv/--svg the JSON summary\n"
    "goes to standard output.\n";

json_t *svt_summary_json(const char *trace_path, const sv_trace *trace, const char *video_path,
                         const sv_abr_rule *rule, const sv_abr_param *params, size_t nparams,
                         const sv_abr_sim_result *r)
{
    json_t *root = json_object();
    json_t *jp = json_object();

    for (size_t i = 0; i < sv_abr_rule_param_count(rule); i++) {
        sv_abr_param_info pi;
        sv_abr_rule_param_info(rule, i, &pi);
        double v = pi.default_value;
        for (size_t k = 0; k < nparams; k++)
            if (strcmp(params[k].name, pi.name) == 0)
                v = params[k].value;
        json_object_set_new(jp, pi.name, json_real(v));
    }
    size_t counted = r->segments > 1 ? r->segments - 1 : r->segments;
    json_object_set_new(root, "trace", json_string(trace_path));
    json_object_set_new(root, "trace_format",
                        json_string(sv_trace_format_name(sv_trace_get_format(trace))));
    json_object_set_new(root, "video", json_string(video_path));
    json_object_set_new(root, "abr", json_string(sv_abr_rule_name(rule)));
    json_object_set_new(root, "params", jp);
    json_object_set_new(root, "segments", json_integer((json_int_t)r->segments));
    json_object_set_new(root, "qoe", json_real(r->qoe));
    json_object_set_new(root, "qoe_per_segment", json_real(counted ? r->qoe / counted : 0));
    json_object_set_new(root, "rebuffer_s", json_real(r->rebuffer_s));
    json_object_set_new(root, "rebuffer_ratio", json_real(r->rebuffer_ratio));
    json_object_set_new(root, "startup_s", json_real(r->startup_s));
    json_object_set_new(root, "mean_bitrate_kbps", json_real(r->mean_bitrate_kbps));
    json_object_set_new(root, "switches", json_integer(r->switches));
    json_object_set_new(root, "session_s", json_real(r->session_s));
    return root;
}

int svt_write_json(const char *path, json_t *root)
{
    FILE *f = svt_open_out(path);
    if (!f)
        return -1;
    if (json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10)) < 0)
        fprintf(stderr, "svtrace: %s: cannot write JSON\n", path);
    fputc('\n', f);
    return svt_close_out(f, path);
}

int svt_write_csv(const char *path, const sv_abr_sim_step *st, size_t n)
{
    FILE *f = svt_open_out(path);
    if (!f)
        return -1;
    fprintf(f, "segment,request_s,download_s,rung,bitrate_kbps,bytes,rebuffer_s,buffer_s,sleep_s,"
               "delay_s,throughput_kbps,estimate_kbps,qoe,reason\n");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%zu,%.6f,%.6f,%d,%u,%llu,%.6f,%.6f,%.6f,%.6f,%.3f,%.3f,%.6f,\"%s\"\n",
                st[i].segment + 1, st[i].request_s, st[i].download_s, st[i].index,
                st[i].bitrate_kbps, (unsigned long long)st[i].bytes, st[i].rebuffer_s,
                st[i].buffer_s, st[i].sleep_s, st[i].delay_s, st[i].throughput_kbps,
                st[i].estimate_kbps, st[i].qoe, st[i].reason);
    return svt_close_out(f, path);
}

int svt_write_svg(const char *path, const char *title, const sv_abr_sim_step *st, size_t n)
{
    FILE *f = svt_open_out(path);
    if (!f)
        return -1;
    svt_svg_timeline(f, title, st, n);
    return svt_close_out(f, path);
}

int svt_cmd_run(int argc, char **argv)
{
    const char *trace_path = NULL, *video_path = NULL, *rule_name = "hybrid";
    const char *json_path = NULL, *csv_path = NULL, *svg_path = NULL;
    svt_session_opts opts;
    sv_trace *trace = NULL;
    svt_video video;
    sv_abr_sim_step *steps = NULL;
    json_t *root = NULL;
    int rc = 2;

    memset(&video, 0, sizeof(video));
    svt_session_opts_init(&opts);
    cli_parser cp;
    const char *v;
    int c;
    if (cli_init(&cp, "svtrace run", svt_options, SVT_RUN, argc, argv) < 0)
        return 2;
    while ((c = cli_next(&cp, &v)) != CLI_END) {
        switch (c) {
        case CLI_ERROR: return 2;
        case 'h': svt_print_help(intro, SVT_RUN); return 0;
        case SVT_OPT_TRACE: trace_path = v; break;
        case SVT_OPT_VIDEO: video_path = v; break;
        case SVT_OPT_ABR: rule_name = v; break;
        case SVT_OPT_JSON: json_path = v; break;
        case SVT_OPT_CSV: csv_path = v; break;
        case SVT_OPT_SVG: svg_path = v; break;
        default:
            if (svt_session_option(c, (char *)v, &opts) <= 0)
                return 2;
        }
    }
    if (cli_optind() < argc) {
        cli_usage_error("svtrace run", "unexpected argument '%s'", argv[cli_optind()]);
        return 2;
    }
    if (!trace_path || !video_path) {
        fprintf(stderr, "svtrace: run needs --trace and --video (see svtrace run --help)\n");
        return 2;
    }
    const sv_abr_rule *rule = svt_find_rule(rule_name);
    if (!rule)
        return 2;
    if (svt_check_params(rule, opts.params, opts.nparams) < 0)
        return 2;

    rc = 1;
    trace = svt_load_trace(trace_path);
    if (!trace)
        goto done;
    if (svt_load_video(video_path, opts.segment_s, opts.segments, &video) < 0)
        goto done;
    steps = calloc(video.play_segments, sizeof(*steps));
    if (!steps) {
        fprintf(stderr, "svtrace: out of memory\n");
        goto done;
    }
    sv_abr_sim_config cfg;
    sv_abr_sim_default_config(&cfg);
    cfg.num_segments = video.play_segments;
    svt_video_sim_config(&video, &cfg);
    cfg.params = opts.params;
    cfg.num_params = opts.nparams;
    sv_abr_sim_result res;
    int err = sv_abr_simulate(trace, &video.v, rule, &cfg, steps, video.play_segments, &res);
    if (err < 0) {
        fprintf(stderr, "svtrace: %s: simulation failed: %s\n", trace_path, sv_strerror(err));
        goto done;
    }

    root = svt_summary_json(trace_path, trace, video_path, rule, opts.params, opts.nparams, &res);
    rc = 0;
    if (!json_path && !csv_path && !svg_path)
        json_path = "-";
    if (json_path && svt_write_json(json_path, root) < 0)
        rc = 1;
    if (csv_path && svt_write_csv(csv_path, steps, res.segments) < 0)
        rc = 1;
    if (svg_path) {
        char title[512];
        snprintf(title, sizeof(title), "%s: %s, QoE %.2f, stalls %.2f s", trace_path,
                 sv_abr_rule_name(rule), res.qoe, res.rebuffer_s);
        if (svt_write_svg(svg_path, title, steps, res.segments) < 0)
            rc = 1;
    }

done:
    json_decref(root);
    free(steps);
    svt_video_free(&video);
    sv_trace_destroy(trace);
    return rc;
}
