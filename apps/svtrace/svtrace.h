/*
 * svtrace.h - shared declarations of the svtrace tool (private to the app).
 * svtrace uses only the public headers of libstreamverse.
 */
#ifndef SVTRACE_H
#define SVTRACE_H

#include <stddef.h>
#include <stdio.h>

#include "streamverse/abr.h"
#include "streamverse/abrsim.h"

#include "../common/cli_options.h"
#include "video_desc.h"

/* Reads a whole file; returns a malloc'd buffer (NUL-terminated) or NULL
 * with a message printed. */
char *svt_read_file(const char *path, size_t *size);

/* The rule called `name`, or NULL with "unknown rule" printed. */
const sv_abr_rule *svt_find_rule(const char *name);

/* Loads a trace file; on error prints "path:line: message" and returns NULL. */
sv_trace *svt_load_trace(const char *path);

/* Loads a video (video.c): a Pensieve video_sizes folder, a JSON ladder, or
 * an HLS/DASH presentation (video_url.h). Prints the error (with file and
 * line) and returns -1 on failure. */
int svt_load_video(const char *path, double segment_s, size_t segments, svt_video *out);

/* Opens an output file ("-" is stdout); prints the error and returns NULL. */
FILE *svt_open_out(const char *path);
/* Closes it; returns -1 (and prints) if writing failed. */
int svt_close_out(FILE *f, const char *path);

/* Parses "name=value"; returns 0 or -1. The name points into arg. */
int svt_parse_param(char *arg, sv_abr_param *out);

/* Checks rule parameters; prints what the rule accepts and returns -1 when
 * one is unknown or out of range. */
int svt_check_params(const sv_abr_rule *rule, const sv_abr_param *params, size_t count);

/* Parses a positive integer <= max. Returns 0 or -1. */
int svt_parse_count(const char *s, size_t max, size_t *out);

/* ---- the command line (options.c) ------------------------------------------ */

/* The commands, as the option table's scope bits. */
enum { SVT_RUN = 1, SVT_BATCH = 2, SVT_EMULATE = 4 };

/* What cli_next() returns for each option of the table. */
enum {
    SVT_OPT_TRACE = 256, SVT_OPT_TRACES, SVT_OPT_VIDEO, SVT_OPT_ABR, SVT_OPT_PARAM, SVT_OPT_JOBS,
    SVT_OPT_SEGMENTS, SVT_OPT_SEGMENT_DURATION, SVT_OPT_RTT, SVT_OPT_BUFFER_GOAL,
    SVT_OPT_START_BUFFER, SVT_OPT_WITH_AUDIO, SVT_OPT_MANIFEST_SIZES, SVT_OPT_MAX_SESSION,
    SVT_OPT_JSON, SVT_OPT_CSV, SVT_OPT_MD, SVT_OPT_SVG, SVT_OPT_TIME, SVT_OPT_VERBOSE
};

/* Every option of every command, once. */
extern const cli_opt svt_options[];

/* A command's --help on stdout: `intro` (usage line and description), then
 * its options from the table. */
void svt_print_help(const char *intro, unsigned command);

/* The session options `run` and `batch` share. */
#define SVT_MAX_PARAMS 16
typedef struct svt_session_opts {
    sv_abr_param params[SVT_MAX_PARAMS];  /* --param NAME=VALUE (names point into argv) */
    size_t nparams;
    size_t segments;                      /* --segments, 0 for the video's default */
    double segment_s;                     /* --segment-duration, default 4 */
} svt_session_opts;

void svt_session_opts_init(svt_session_opts *o);

/* Takes option `id` (--param, --segments or --segment-duration) with its
 * value (from argv: --param splits it in place). Returns 1 when it took the
 * option, 0 when `id` is another one, -1 (printed) for a bad value. */
int svt_session_option(int id, char *value, svt_session_opts *o);

/* Monotonic seconds. */
double svt_now(void);

/* SVG plots. */
int svt_svg_timeline(FILE *f, const char *title, const sv_abr_sim_step *steps, size_t n);
int svt_svg_cdf(FILE *f, const char *title, const char *const *names, const double *const *values,
                size_t nseries, size_t count);

/* The outputs of `run`, shared with `emulate` (cmd_run.c). */
struct json_t;
struct json_t *svt_summary_json(const char *trace_path, const sv_trace *trace,
                                const char *video_path, const sv_abr_rule *rule,
                                const sv_abr_param *params, size_t nparams,
                                const sv_abr_sim_result *r);
int svt_write_json(const char *path, struct json_t *root);
int svt_write_csv(const char *path, const sv_abr_sim_step *st, size_t n);
int svt_write_svg(const char *path, const char *title, const sv_abr_sim_step *st, size_t n);

int svt_cmd_run(int argc, char **argv);
int svt_cmd_batch(int argc, char **argv);
int svt_cmd_emulate(int argc, char **argv);

#endif
