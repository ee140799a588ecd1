/*
 * cmd_batch.c - "svtrace batch": every rule over every trace of a folder,
 * on all cores. Each session writes its own slot of the result table, so
 * the output does not depend on the number of jobs or their timing.
 */
#include <dirent.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "svtrace.h"

#define MAX_RULES 16

static const char intro[] =
    "usage: svtrace batch --traces DIR --video V [--abr LIST] [options]\n"
    "\n"
    "Runs each rule over each trace file of DIR (files starting with '.' or\n"
    "'README' are skipped) and reports per rule the mean, median and 5th\n"
    "percentile QoE per session, stalls, bitrate and switches. Without\n"
    "--json/--csv/--md/--svg the Markdown table goes to standard output.\n"
    "The speed (sessions per second) is printed on standard error.\n";

typedef struct batch {
    const sv_abr_rule *rules[MAX_RULES];
    size_t nrules;
    sv_trace **traces;
    char **names;
    size_t ntraces;
    const svt_video *video;
    const sv_abr_param *params;
    size_t nparams;
    sv_abr_sim_result *results;  /* [rule * ntraces + trace] */
    int *status;
    pthread_mutex_t lock;        /* guards next, done */
    size_t next, done;
    int progress;
} batch;

typedef struct rule_stats {
    sv_abr_stats qoe;
    double rebuffer_s, rebuffer_total_s, rebuffer_ratio, bitrate, switches;
} rule_stats;

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists the trace files of dir, sorted by name. Returns the count or -1. */
static long list_traces(const char *dir, char ***out)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **names = NULL, path[4096];
    size_t n = 0, cap = 0;
    struct stat st;

    if (!d) {
        fprintf(stderr, "svtrace: %s: cannot open the folder\n", dir);
        return -1;
    }
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.' || strncmp(de->d_name, "README", 6) == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(names, cap * sizeof(*names));
            if (!nn)
                goto fail;
            names = nn;
        }
        if (!(names[n] = strdup(de->d_name)))
            goto fail;
        n++;
    }
    closedir(d);
    if (n == 0) {
        fprintf(stderr, "svtrace: %s: no trace files\n", dir);
        free(names);
        return -1;
    }
    qsort(names, n, sizeof(*names), cmp_name);
    *out = names;
    return (long)n;

fail:
    fprintf(stderr, "svtrace: out of memory\n");
    closedir(d);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return -1;
}

static void draw_progress(size_t done, size_t total)
{
    const int width = 40;
    int filled = (int)(width * done / total);
    fprintf(stderr, "\r[%.*s%*s] %zu/%zu", filled, "########################################",
            width - filled, "", done, total);
    if (done == total)
        fputc('\n', stderr);
    fflush(stderr);
}

static void *worker(void *arg)
{
    batch *b = arg;
    const size_t total = b->nrules * b->ntraces;
    sv_abr_sim_config cfg;

    sv_abr_sim_default_config(&cfg);
    cfg.num_segments = b->video->play_segments;
    svt_video_sim_config(b->video, &cfg);
    cfg.params = b->params;
    cfg.num_params = b->nparams;
    for (;;) {
        pthread_mutex_lock(&b->lock);
        size_t job = b->next < total ? b->next++ : total;
        pthread_mutex_unlock(&b->lock);
        if (job == total)
            break;
        const sv_abr_rule *rule = b->rules[job / b->ntraces];
        b->status[job] = sv_abr_simulate(b->traces[job % b->ntraces], &b->video->v, rule, &cfg,
                                         NULL, 0, &b->results[job]);
        pthread_mutex_lock(&b->lock);
        b->done++;
        if (b->progress && (b->done % 8 == 0 || b->done == total))
            draw_progress(b->done, total);
        pthread_mutex_unlock(&b->lock);
    }
    return NULL;
}

static int run_jobs(batch *b, size_t jobs)
{
    pthread_t threads[256];
    size_t started = 0;

    if (jobs > 256)
        jobs = 256;
    for (; started < jobs; started++)
        if (pthread_create(&threads[started], NULL, worker, b) != 0)
            break;
    if (started == 0)
        worker(b);
    for (size_t i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    return 0;
}

static void compute_stats(const batch *b, size_t r, double *qoe, double *scratch, rule_stats *s)
{
    const sv_abr_sim_result *res = &b->results[r * b->ntraces];
    memset(s, 0, sizeof(*s));
    for (size_t t = 0; t < b->ntraces; t++) {
        qoe[t] = res[t].qoe;
        s->rebuffer_total_s += res[t].rebuffer_s;
        s->rebuffer_ratio += res[t].rebuffer_ratio;
        s->bitrate += res[t].mean_bitrate_kbps;
        s->switches += res[t].switches;
    }
    sv_abr_stats_compute(qoe, b->ntraces, scratch, &s->qoe);
    double n = (double)b->ntraces;
    s->rebuffer_s = s->rebuffer_total_s / n;
    s->rebuffer_ratio /= n;
    s->bitrate /= n;
    s->switches /= n;
}

static void write_md(FILE *f, const batch *b, const rule_stats *st)
{
    fprintf(f, "| rule | mean QoE | median QoE | p5 QoE | stall s/session | stall s total | "
               "stall ratio | bitrate kbit/s | switches |\n");
    fprintf(f, "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (size_t r = 0; r < b->nrules; r++)
        fprintf(f, "| %s | %.2f | %.2f | %.2f | %.2f | %.1f | %.4f | %.0f | %.2f |\n",
                sv_abr_rule_name(b->rules[r]), st[r].qoe.mean, st[r].qoe.median, st[r].qoe.p5,
                st[r].rebuffer_s, st[r].rebuffer_total_s, st[r].rebuffer_ratio, st[r].bitrate,
                st[r].switches);
}

static void write_csv(FILE *f, const batch *b, const rule_stats *st)
{
    fprintf(f, "rule,sessions,mean_qoe,median_qoe,p5_qoe,rebuffer_s,rebuffer_total_s,"
               "rebuffer_ratio,mean_bitrate_kbps,switches\n");
    for (size_t r = 0; r < b->nrules; r++)
        fprintf(f, "%s,%zu,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.3f,%.4f\n",
                sv_abr_rule_name(b->rules[r]), b->ntraces, st[r].qoe.mean, st[r].qoe.median,
                st[r].qoe.p5, st[r].rebuffer_s, st[r].rebuffer_total_s, st[r].rebuffer_ratio,
                st[r].bitrate, st[r].switches);
}

static json_t *batch_json(const batch *b, const rule_stats *st, const char *dir,
                          const char *video_path)
{
    json_t *root = json_object(), *rules = json_object(), *names = json_array();
    for (size_t t = 0; t < b->ntraces; t++)
        json_array_append_new(names, json_string(b->names[t]));
    for (size_t r = 0; r < b->nrules; r++) {
        json_t *o = json_object(), *per = json_array();
        json_object_set_new(o, "mean_qoe", json_real(st[r].qoe.mean));
        json_object_set_new(o, "median_qoe", json_real(st[r].qoe.median));
        json_object_set_new(o, "p5_qoe", json_real(st[r].qoe.p5));
        json_object_set_new(o, "rebuffer_s", json_real(st[r].rebuffer_s));
        json_object_set_new(o, "rebuffer_ratio", json_real(st[r].rebuffer_ratio));
        json_object_set_new(o, "mean_bitrate_kbps", json_real(st[r].bitrate));
        json_object_set_new(o, "switches", json_real(st[r].switches));
        json_object_set_new(o, "rebuffer_total_s", json_real(st[r].rebuffer_total_s));
        json_object_set_new(o, "sessions", json_integer((json_int_t)b->ntraces));
        for (size_t t = 0; t < b->ntraces; t++)
            json_array_append_new(per, json_real(b->results[r * b->ntraces + t].qoe));
        json_object_set_new(o, "qoe_per_trace", per);
        json_object_set_new(rules, sv_abr_rule_name(b->rules[r]), o);
    }
    json_object_set_new(root, "traces_dir", json_string(dir));
    json_object_set_new(root, "video", json_string(video_path));
    json_object_set_new(root, "segments", json_integer((json_int_t)b->video->play_segments));
    json_object_set_new(root, "traces", names);
    json_object_set_new(root, "rules", rules);
    return root;
}

static int parse_rules(const char *list, batch *b)
{
    char buf[512];
    if (strlen(list) >= sizeof(buf)) {
        fprintf(stderr, "svtrace: --abr list too long\n");
        return -1;
    }
    strcpy(buf, list);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        const sv_abr_rule *rule = svt_find_rule(tok);
        if (!rule)
            return -1;
        for (size_t i = 0; i < b->nrules; i++)
            if (b->rules[i] == rule) {
                fprintf(stderr, "svtrace: rule '%s' listed twice\n", tok);
                return -1;
            }
        if (b->nrules == MAX_RULES)
            return -1;
        b->rules[b->nrules++] = rule;
    }
    if (b->nrules == 0) {
        fprintf(stderr, "svtrace: --abr names no rule\n");
        return -1;
    }
    return 0;
}

static int write_outputs(const batch *b, const rule_stats *st, double *const *qoe,
                         const char *dir, const char *video_path, const char *json_path,
                         const char *csv_path, const char *md_path, const char *svg_path)
{
    int rc = 0;
    FILE *f;

    if (md_path && (f = svt_open_out(md_path))) {
        write_md(f, b, st);
        rc |= svt_close_out(f, md_path);
    } else if (md_path) {
        rc = -1;
    }
    if (csv_path && (f = svt_open_out(csv_path))) {
        write_csv(f, b, st);
        rc |= svt_close_out(f, csv_path);
    } else if (csv_path) {
        rc = -1;
    }
    if (json_path && (f = svt_open_out(json_path))) {
        json_t *root = batch_json(b, st, dir, video_path);
        json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
        fputc('\n', f);
        json_decref(root);
        rc |= svt_close_out(f, json_path);
    } else if (json_path) {
        rc = -1;
    }
    if (svg_path && (f = svt_open_out(svg_path))) {
        const char *names[MAX_RULES];
        char title[512];
        for (size_t r = 0; r < b->nrules; r++)
            names[r] = sv_abr_rule_name(b->rules[r]);
        snprintf(title, sizeof(title), "QoE per session over %s (%zu traces)", dir, b->ntraces);
        svt_svg_cdf(f, title, names, (const double *const *)qoe, b->nrules, b->ntraces);
        rc |= svt_close_out(f, svg_path);
    } else if (svg_path) {
        rc = -1;
    }
    return rc;
}

int svt_cmd_batch(int argc, char **argv)
{
    const char *dir = NULL, *video_path = NULL, *rule_list = "bba,bola,throughput,mpc,hybrid";
    const char *json_path = NULL, *csv_path = NULL, *md_path = NULL, *svg_path = NULL, *v;
    size_t jobs = 0;
    svt_session_opts opts;
    svt_video video;
    batch b;
    rule_stats st[MAX_RULES];
    double *qoe[MAX_RULES] = { 0 }, *scratch = NULL;
    int rc = 2;

    memset(&b, 0, sizeof(b));
    memset(&video, 0, sizeof(video));
    svt_session_opts_init(&opts);
    cli_parser cp;
    int c;
    if (cli_init(&cp, "svtrace batch", svt_options, SVT_BATCH, argc, argv) < 0)
        return 2;
    while ((c = cli_next(&cp, &v)) != CLI_END) {
        switch (c) {
        case CLI_ERROR: return 2;
        case 'h': svt_print_help(intro, SVT_BATCH); return 0;
        case SVT_OPT_TRACES: dir = v; break;
        case SVT_OPT_VIDEO: video_path = v; break;
        case SVT_OPT_ABR: rule_list = v; break;
        case SVT_OPT_JSON: json_path = v; break;
        case SVT_OPT_CSV: csv_path = v; break;
        case SVT_OPT_MD: md_path = v; break;
        case SVT_OPT_SVG: svg_path = v; break;
        case SVT_OPT_JOBS:
            if (svt_parse_count(v, 256, &jobs) < 0) {
                fprintf(stderr, "svtrace: --jobs expects an integer between 1 and 256, got '%s'\n",
                        v);
                return 2;
            }
            break;
        default:
            if (svt_session_option(c, (char *)v, &opts) <= 0)
                return 2;
        }
    }
    if (cli_optind() < argc) {
        cli_usage_error("svtrace batch", "unexpected argument '%s'", argv[cli_optind()]);
        return 2;
    }
    if (!dir || !video_path) {
        fprintf(stderr, "svtrace: batch needs --traces and --video (see svtrace batch --help)\n");
        return 2;
    }
    if (parse_rules(rule_list, &b) < 0)
        return 2;
    for (size_t r = 0; r < b.nrules; r++)
        if (svt_check_params(b.rules[r], opts.params, opts.nparams) < 0)
            return 2;
    b.params = opts.params;
    b.nparams = opts.nparams;
    if (jobs == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = n > 0 ? (size_t)n : 1;
    }

    rc = 1;
    pthread_mutex_init(&b.lock, NULL);
    long n = list_traces(dir, &b.names);
    if (n < 0)
        goto done;
    b.ntraces = (size_t)n;
    b.traces = calloc(b.ntraces, sizeof(*b.traces));
    if (!b.traces)
        goto done;
    for (size_t t = 0; t < b.ntraces; t++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, b.names[t]);
        if (!(b.traces[t] = svt_load_trace(path)))
            goto done;
    }
    if (svt_load_video(video_path, opts.segment_s, opts.segments, &video) < 0)
        goto done;
    b.video = &video;
    size_t total = b.nrules * b.ntraces;
    b.results = calloc(total, sizeof(*b.results));
    b.status = calloc(total, sizeof(*b.status));
    scratch = calloc(b.ntraces, sizeof(double));
    if (!b.results || !b.status || !scratch)
        goto done;
    for (size_t r = 0; r < b.nrules; r++)
        if (!(qoe[r] = calloc(b.ntraces, sizeof(double))))
            goto done;
    b.progress = isatty(STDERR_FILENO);

    double t0 = svt_now();
    run_jobs(&b, jobs < total ? jobs : total);
    double elapsed = svt_now() - t0;
    for (size_t j = 0; j < total; j++) {
        if (b.status[j] < 0) {
            fprintf(stderr, "svtrace: %s/%s: %s: simulation failed: %s\n", dir,
                    b.names[j % b.ntraces], sv_abr_rule_name(b.rules[j / b.ntraces]),
                    sv_strerror(b.status[j]));
            goto done;
        }
    }
    fprintf(stderr, "svtrace: %zu sessions in %.3f s: %.0f sessions/s (%zu jobs)\n", total,
            elapsed, elapsed > 0 ? (double)total / elapsed : 0.0, jobs < total ? jobs : total);

    for (size_t r = 0; r < b.nrules; r++)
        compute_stats(&b, r, qoe[r], scratch, &st[r]);
    if (!json_path && !csv_path && !md_path && !svg_path)
        md_path = "-";
    rc = write_outputs(&b, st, qoe, dir, video_path, json_path, csv_path, md_path, svg_path) < 0
             ? 1 : 0;

done:
    for (size_t r = 0; r < MAX_RULES; r++)
        free(qoe[r]);
    free(scratch);
    free(b.results);
    free(b.status);
    if (b.traces)
        for (size_t t = 0; t < b.ntraces; t++)
            sv_trace_destroy(b.traces[t]);
    free(b.traces);
    if (b.names)
        for (size_t t = 0; t < b.ntraces; t++)
            free(b.names[t]);
    free(b.names);
    svt_video_free(&video);
    pthread_mutex_destroy(&b.lock);
    return rc;
}
