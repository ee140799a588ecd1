/*
 * sv-media-ingest: a thin command-line driver of sv__media_ingest() for the
 * backend_media tests and bench/transcode.sh.
 *
 *   sv-media-ingest INPUT OUT_DIR [--ladder 240:300,360:750|auto[:H:KBPS,...]] [--segment S]
 *                   [--codecs h264,hevc,av1] [--tile-interval S] [--no-extras]
 *                   [--subtitles LANG:FILE]...
 *                   [--threads N] [--preset P] [--cancel-at PERCENT] [--progress]
 *                   [--verbose] [--drm none|cenc|cbcs --kid HEX32 --key HEX32]
 *                   [--part K/N]
 *   sv-media-ingest --assemble OUT_DIR PART_DIR... [--drm ... --kid ... --key ...]
 *
 * --part K/N runs part K of an ingest split in N (sv__media_ingest_part);
 * --assemble packages the N part folders into OUT_DIR (sv__media_assemble).
 * With --drm the output is encrypted under the given key (backend_drm tests,
 * bench/decrypt.sh). --threads 1 makes x264's output the same from run to
 * run, so a clear and an encrypted build of one input hold the same samples.
 *
 * The ladder is the fixed default unless --ladder says otherwise; "auto"
 * chooses it per title (from the default template, or the one after the
 * colon) and prints the probe points and the choice as well; --probe-only
 * stops there (no encode), for bench/per_title.sh.
 *
 * Prints the result as key=value lines on stdout (duration, renditions,
 * thumbs, wall time) and exits 0; on failure prints "error=<code> <reason>"
 * on stderr and exits 1. --cancel-at raises the cancel flag from the
 * progress callback once the job passes PERCENT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/log.h>

#include "backend/media.h"
#include "platform/hex.h"
#include "streamverse/common.h"

typedef struct cli_state {
    double cancel_at;        /* < 0: never */
    volatile int cancel;
    int show_progress;
    double last;
} cli_state;

static void on_progress(void *opaque, double percent, const char *stage)
{
    cli_state *s = opaque;
    if (percent < s->last)
        fprintf(stderr, "progress went backwards: %.1f after %.1f\n", percent, s->last);
    s->last = percent;
    if (s->show_progress)
        fprintf(stderr, "progress %5.1f%% %s\n", percent, stage);
    if (s->cancel_at >= 0 && percent >= s->cancel_at)
        s->cancel = 1;
}

static void print_ladder(const sv__ladder_report *l);

static void print_result(const sv__media_result *res)
{
    printf("duration=%.3f\nwall=%.3f\nthumbs=%d\ntiles=%d\nposter=%d\nsubtitles=%d\n"
           "renditions=%d\n", res->duration_s, res->transcode_s, res->nb_thumbs, res->nb_tiles,
           res->poster, res->nb_subs, res->nb_renditions);
    for (int i = 0; i < res->nb_renditions; i++) {
        const sv__rendition_info *r = &res->renditions[i];
        printf("rendition=%s %s %dx%d bw=%lld avg=%lld codecs=%s fps=%.3f segs=%d\n",
               r->kind, r->name, r->width, r->height, (long long)r->bandwidth,
               (long long)r->average_bandwidth, r->codecs, r->frame_rate, r->nb_segments);
    }
    if (res->per_title)
        print_ladder(&res->ladder);
}

static void print_ladder(const sv__ladder_report *l)
{
    printf("ladder=auto probe_s=%.3f windows=%d sample_s=%.2f display=%dx%d note=%s\n", l->probe_s,
           l->nb_windows, l->sample_s, l->display_width, l->display_height, l->note);
    for (int i = 0; i < l->nb_points; i++)
        printf("probe=%dp target=%d kbps=%.1f psnr=%.3f ssim=%.5f hull=%d\n", l->points[i].height,
               l->points[i].target_kbps, l->points[i].kbps, l->points[i].psnr, l->points[i].ssim,
               l->points[i].on_hull);
    for (int i = 0; i < l->nb_chosen; i++)
        printf("chosen=%dp kbps=%d from=%d expected_kbps=%.1f psnr=%.3f ssim=%.5f level=%.3f\n",
               l->chosen[i].height, l->chosen[i].kbps, l->chosen[i].from_rung,
               l->chosen[i].expected_kbps, l->chosen[i].psnr, l->chosen[i].ssim,
               l->chosen[i].level_psnr);
}

/* --assemble OUT_DIR PART_DIR... [--drm S --kid HEX --key HEX] */
static int assemble(int argc, char **argv)
{
    sv__media_protection prot = { .license_url = "/api/v1/license" };
    const char *parts[SV_MEDIA_MAX_PARTS];
    sv__media_result res;
    char err[512];
    int n = 0, rc;

    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--drm") && i + 1 < argc) {
            prot.scheme = !strcmp(argv[++i], "cbcs") ? SV__PROTECT_CBCS
                        : !strcmp(argv[i], "cenc") ? SV__PROTECT_CENC : SV__PROTECT_NONE;
        } else if ((!strcmp(argv[i], "--kid") || !strcmp(argv[i], "--key")) && i + 1 < argc) {
            int is_kid = !strcmp(argv[i], "--kid");
            if (sv__hex_decode(argv[++i], is_kid ? prot.kid : prot.key, 16) < 0)
                return 2;
        } else if (n < SV_MEDIA_MAX_PARTS) {
            parts[n++] = argv[i];
        } else {
            fprintf(stderr, "at most %d parts\n", SV_MEDIA_MAX_PARTS);
            return 2;
        }
    }
    if ((rc = sv__media_assemble(parts, n, argv[2], &prot, &res, err, sizeof(err))) < 0) {
        fprintf(stderr, "error=%d %s: %s\n", rc, sv_strerror(rc), err);
        return 1;
    }
    print_result(&res);
    return 0;
}

int main(int argc, char **argv)
{
    sv__ladder ladder;
    sv__media_part part = { 0, 0 };
    sv__subtitle_input subs[SV_MEDIA_MAX_SUBS];
    char sub_langs[SV_MEDIA_MAX_SUBS][32];
    int nb_subs = 0;
    cli_state st = { .cancel_at = -1, .last = 0 };
    sv__media_protection prot = { .license_url = "/api/v1/license" };
    int verbose = 0, have_kid = 0, have_key = 0, probe_only = 0;
    sv__ladder_default(&ladder);
    ladder.per_title = 0;
    if (argc < 3) {
        fprintf(stderr, "usage: %s INPUT OUT_DIR [--ladder H:KBPS,...] [--segment S] "
                        "[--threads N] [--preset P] [--cancel-at PERCENT] [--progress] [--verbose] "
                        "[--drm none|cenc|cbcs --kid HEX --key HEX]\n", argv[0]);
        return 2;
    }
    if (!strcmp(argv[1], "--assemble"))
        return assemble(argc, argv);
    for (int i = 3; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--progress")) {
            st.show_progress = 1;
            continue;
        }
        if (!strcmp(a, "--verbose")) {
            verbose = 1;
            continue;
        }
        if (!strcmp(a, "--probe-only")) {
            probe_only = 1;
            continue;
        }
        if (!strcmp(a, "--no-extras")) {
            ladder.no_extras = 1;
            continue;
        }
        if (!v) {
            fprintf(stderr, "%s needs a value\n", a);
            return 2;
        }
        i++;
        if (!strcmp(a, "--ladder")) {
            if (sv__ladder_parse(v, &ladder) < 0) {
                fprintf(stderr, "bad ladder: %s\n", v);
                return 2;
            }
        } else if (!strcmp(a, "--codecs")) {
            char why[256];
            if (sv__codecs_parse(v, &ladder.codecs, why, sizeof(why)) < 0) {
                fprintf(stderr, "%s\n", why);
                return 2;
            }
        } else if (!strcmp(a, "--segment")) {
            ladder.segment_s = atof(v);
        } else if (!strcmp(a, "--tile-interval")) {
            ladder.tile_interval_s = atof(v);
        } else if (!strcmp(a, "--subtitles")) {
            /* LANG:FILE, repeatable; the colon after the language. */
            const char *colon = strchr(v, ':');
            if (!colon || colon == v || nb_subs == SV_MEDIA_MAX_SUBS ||
                (size_t)(colon - v) >= sizeof(sub_langs[0])) {
                fprintf(stderr, "--subtitles needs LANG:FILE (at most %d)\n", SV_MEDIA_MAX_SUBS);
                return 2;
            }
            snprintf(sub_langs[nb_subs], sizeof(sub_langs[0]), "%.*s", (int)(colon - v), v);
            subs[nb_subs].lang = sub_langs[nb_subs];
            subs[nb_subs].path = colon + 1;
            ladder.subs = subs;
            ladder.nb_subs = ++nb_subs;
        } else if (!strcmp(a, "--threads")) {
            ladder.threads = atoi(v);
        } else if (!strcmp(a, "--preset")) {
            ladder.x264_preset = v;
        } else if (!strcmp(a, "--part")) {
            if (sscanf(v, "%d/%d", &part.index, &part.count) != 2) {
                fprintf(stderr, "--part needs K/N\n");
                return 2;
            }
        } else if (!strcmp(a, "--cancel-at")) {
            st.cancel_at = atof(v);
        } else if (!strcmp(a, "--drm")) {
            prot.scheme = !strcmp(v, "cenc") ? SV__PROTECT_CENC
                        : !strcmp(v, "cbcs") ? SV__PROTECT_CBCS
                        : !strcmp(v, "none") ? SV__PROTECT_NONE : -1;
            if (prot.scheme < 0) {
                fprintf(stderr, "bad --drm %s\n", v);
                return 2;
            }
        } else if (!strcmp(a, "--kid") || !strcmp(a, "--key")) {
            int is_kid = !strcmp(a, "--kid");
            if (sv__hex_decode(v, is_kid ? prot.kid : prot.key, 16) < 0) {
                fprintf(stderr, "%s needs 32 hex digits\n", a);
                return 2;
            }
            *(is_kid ? &have_kid : &have_key) = 1;
        } else {
            fprintf(stderr, "unknown option %s\n", a);
            return 2;
        }
    }
    if (prot.scheme != SV__PROTECT_NONE && (!have_kid || !have_key)) {
        fprintf(stderr, "--drm needs --kid and --key\n");
        return 2;
    }
    /* The encoders' statistics are noise here; warnings and errors stay. */
    if (!verbose)
        av_log_set_level(AV_LOG_WARNING);
    sv__media_result res;
    char err[512];
    if (probe_only) {
        int rc = sv__ladder_probe(argv[1], &ladder, NULL, &res.ladder, err, sizeof(err));
        if (rc < 0) {
            fprintf(stderr, "error=%d %s: %s\n", rc, sv_strerror(rc), err);
            return 1;
        }
        sv__ladder_choose(&ladder, &res.ladder);
        print_ladder(&res.ladder);
        return 0;
    }
    int rc = sv__media_ingest_part(argv[1], argv[2], &ladder, &prot, part.count ? &part : NULL,
                                   on_progress, &st, &st.cancel, &res, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "error=%d %s: %s\n", rc, sv_strerror(rc), err);
        return 1;
    }
    print_result(&res);
    return 0;
}
