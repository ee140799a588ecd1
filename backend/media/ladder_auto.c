/*
 * ladder_auto.c - the ladder setting (the default, its parser) and choosing
 * a per-title ladder from probe points (media.h):
 * the rate-quality convex hull across resolutions, then one rung per
 * template quality level. Pure functions of their arguments.
 *
 * Rates are compared on a log scale (x = log2 kb/s), as rate-quality curves
 * are close to straight there; quality is PSNR in dB.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/media.h"
#include "streamverse/common.h"

#define MIN_KBPS 50
#define MIN_STEP 1.25        /* neighbouring rungs at least this rate ratio apart */

static double lx(double kbps)
{
    return log2(kbps);
}

static int by_rate(const void *a, const void *b)
{
    const sv__probe_point *p = a, *q = b;

    return (p->kbps > q->kbps) - (p->kbps < q->kbps);
}

/* z-component of (b - a) x (c - a) in the (rate, quality) plane: > 0 when
 * a, b, c turn left. */
static double cross(const sv__probe_point *a, const sv__probe_point *b, const sv__probe_point *c)
{
    return (b->kbps - a->kbps) * (c->psnr - a->psnr) - (b->psnr - a->psnr) * (c->kbps - a->kbps);
}

/* Marks the vertices of the upper convex hull of all points in the
 * (rate, quality) plane, from the cheapest point to the best one: the
 * operating points no mix of other encodes beats. */
static void mark_hull(sv__ladder_report *rep)
{
    sv__probe_point sorted[SV_LADDER_MAX_POINTS];
    int hull[SV_LADDER_MAX_POINTS], k = 0, best = 0, n = 0;

    for (int i = 0; i < rep->nb_points; i++)
        if (rep->points[i].codec == SV__CODEC_H264)
            sorted[n++] = rep->points[i];
    if (!n)
        return;
    qsort(sorted, (size_t)n, sizeof(sorted[0]), by_rate);
    for (int i = 1; i < n; i++)
        if (sorted[i].psnr > sorted[best].psnr)
            best = i;
    for (int i = 0; i <= best; i++) {
        while (k >= 2 && cross(&sorted[hull[k - 2]], &sorted[hull[k - 1]], &sorted[i]) >= 0)
            k--;
        hull[k++] = i;
    }
    for (int j = 0; j < rep->nb_points; j++) {
        rep->points[j].on_hull = 0;
        for (int i = 0; i < k; i++)
            if (!memcmp(&rep->points[j], &sorted[hull[i]], sizeof(sorted[0])))
                rep->points[j].on_hull = 1;
    }
}

/* One height's rate-quality curve in one codec: its points in rate order, made
 * non-decreasing in quality (more bits never make an encode worse; a dip is
 * measurement noise). */
typedef struct curve {
    int height;
    sv__probe_point p[SV_LADDER_MAX_POINTS];
    int n;
} curve;

static void make_curve(const sv__ladder_report *rep, int height, int codec, curve *c)
{
    double best = -INFINITY, best_ssim = -INFINITY;

    c->height = height;
    c->n = 0;
    for (int i = 0; i < rep->nb_points; i++)
        if (rep->points[i].height == height && rep->points[i].codec == codec)
            c->p[c->n++] = rep->points[i];
    qsort(c->p, (size_t)c->n, sizeof(c->p[0]), by_rate);
    for (int i = 0; i < c->n; i++) {
        if (c->p[i].psnr < best)
            c->p[i].psnr = best;
        if (c->p[i].ssim < best_ssim)
            c->p[i].ssim = best_ssim;
        best = c->p[i].psnr;
        best_ssim = c->p[i].ssim;
    }
}

/* Quality at `kbps`, linear in log rate between the curve's points; above
 * its last point the last quality (a lower bound: more bits do not hurt);
 * NAN below its first point (not measured). */
static double at(const curve *c, double kbps, double *ssim)
{
    const sv__probe_point *last;

    if (!c->n || kbps < c->p[0].kbps * (1 - 1e-9))
        return NAN;
    last = &c->p[c->n - 1];
    if (kbps >= last->kbps) {
        if (ssim)
            *ssim = last->ssim;
        return last->psnr;
    }
    for (int i = 1; i < c->n; i++) {
        const sv__probe_point *a = &c->p[i - 1], *b = &c->p[i];

        if (kbps <= b->kbps) {
            double t = b->kbps > a->kbps ? (lx(kbps) - lx(a->kbps)) / (lx(b->kbps) - lx(a->kbps)) : 1;

            if (ssim)
                *ssim = a->ssim + t * (b->ssim - a->ssim);
            return a->psnr + t * (b->psnr - a->psnr);
        }
    }
    if (ssim)
        *ssim = c->p[0].ssim;
    return c->p[0].psnr;
}

/* The encoder rate (target) that produces `kbps` on this curve, linear in
 * log rate between the points: below the first point in proportion, above
 * the last its target (the encoder does not spend more there anyway). */
static double target_at(const curve *c, double kbps)
{
    if (kbps <= c->p[0].kbps)
        return c->p[0].target_kbps * kbps / c->p[0].kbps;
    for (int i = 1; i < c->n; i++) {
        const sv__probe_point *a = &c->p[i - 1], *b = &c->p[i];

        if (kbps <= b->kbps && b->kbps > a->kbps) {
            double t = (lx(kbps) - lx(a->kbps)) / (lx(b->kbps) - lx(a->kbps));

            return exp2(lx(a->target_kbps) + t * (lx(b->target_kbps) - lx(a->target_kbps)));
        }
    }
    return c->p[c->n - 1].target_kbps;
}

#define SCAN_STEPS 256

/* The lowest rate in [first point, hi] where the curve reaches `level`;
 * 0 when it does not. */
static double lowest_rate(const curve *c, double hi, double level)
{
    double lo;

    if (!c->n || hi < c->p[0].kbps)
        return 0;
    lo = c->p[0].kbps;
    for (int s = 0; s <= SCAN_STEPS; s++) {
        double r = exp2(lx(lo) + (lx(hi) - lx(lo)) * s / SCAN_STEPS);

        if (at(c, r, NULL) >= level)
            return r;
    }
    return 0;
}

static int width_for(const sv__ladder_report *rep, int height)
{
    int w = rep->src_height > 0 ? (int)lround((double)rep->src_width * height / rep->src_height)
                                : height * 16 / 9;

    return (w + 1) & ~1;
}

/* The template's rungs that fit the source, unchanged. */
static void choose_template(const sv__ladder *tmpl, sv__ladder_report *rep)
{
    rep->nb_chosen = 0;
    for (int i = 0; i < tmpl->nb_rungs && rep->nb_chosen < SV_MEDIA_MAX_RUNGS; i++) {
        sv__ladder_choice *c = &rep->chosen[rep->nb_chosen];

        if (rep->src_height > 0 && tmpl->rungs[i].height > rep->src_height)
            continue;
        memset(c, 0, sizeof(*c));
        c->height = tmpl->rungs[i].height;
        c->width = width_for(rep, c->height);
        c->kbps = tmpl->rungs[i].bitrate_kbps;
        c->expected_kbps = c->kbps;
        c->from_rung = i;
        c->psnr = c->ssim = c->level_psnr = NAN;
        rep->nb_chosen++;
    }
}

static int by_kbps(const void *a, const void *b)
{
    const sv__ladder_choice *p = a, *q = b;

    return (p->kbps > q->kbps) - (p->kbps < q->kbps);
}

/* The best of every resolution at `kbps`: the quality level a template
 * rung of that rate stands for on this title. */
static double level_at(const curve *curves, int nb, double kbps)
{
    double best = -INFINITY;

    for (int i = 0; i < nb; i++) {
        double q = at(&curves[i], kbps, NULL);

        if (!isnan(q) && q > best)
            best = q;
    }
    return best;
}

/* The cheapest resolution (at most max_height tall) reaching `level`, and
 * its rate; when none reaches it, the resolution best at the template rate,
 * at the rate where it stops improving. Returns the curve index or -1. */
static int place(const curve *curves, int nb, int max_height, double tmpl_kbps, double level,
                 double *kbps)
{
    int best = -1;
    double best_q = -INFINITY;

    *kbps = 0;
    for (int i = 0; i < nb; i++) {
        double r;

        if (curves[i].height > max_height)
            continue;
        r = lowest_rate(&curves[i], tmpl_kbps, level - SV_LADDER_TOLERANCE_DB);
        if (r > 0 && (best < 0 || r < *kbps || (r == *kbps && curves[i].height > curves[best].height))) {
            best = i;
            *kbps = r;
        }
    }
    if (best >= 0)
        return best;
    for (int i = 0; i < nb; i++) {
        double q = curves[i].height <= max_height ? at(&curves[i], tmpl_kbps, NULL) : NAN;

        if (!isnan(q) && q > best_q) {
            best_q = q;
            best = i;
        }
    }
    if (best >= 0)
        *kbps = lowest_rate(&curves[best], tmpl_kbps, best_q - SV_LADDER_TOLERANCE_DB);
    return *kbps > 0 ? best : -1;
}

/* The curve of `height`, or NULL. */
static const curve *curve_of(const curve *curves, int nb, int height)
{
    for (int i = 0; i < nb; i++)
        if (curves[i].height == height)
            return &curves[i];
    return NULL;
}

/* The resolution (at most max_height tall) best at `kbps`, or -1. */
static int best_at(const curve *curves, int nb, int max_height, double kbps)
{
    int best = -1;
    double best_q = -INFINITY;

    for (int i = 0; i < nb; i++) {
        double q = curves[i].height <= max_height ? at(&curves[i], kbps, NULL) : NAN;

        if (!isnan(q) && q > best_q) {
            best_q = q;
            best = i;
        }
    }
    return best;
}

/* The rate the encoder produces when asked for `target` on this curve:
 * linear in log rate between the probed targets, in proportion outside
 * them, except above a last point that produced under 90 % of its target
 * (the encoder ran out of things to spend bits on: it will not spend more). */
static double rate_for_target(const curve *c, double target)
{
    const sv__probe_point *first = &c->p[0], *last = &c->p[c->n - 1];

    if (target <= first->target_kbps)
        return first->kbps * target / first->target_kbps;
    if (target >= last->target_kbps)
        return last->kbps < 0.9 * last->target_kbps ? last->kbps
                                                     : last->kbps * target / last->target_kbps;
    for (int i = 1; i < c->n; i++) {
        const sv__probe_point *a = &c->p[i - 1], *b = &c->p[i];

        if (target <= b->target_kbps && b->target_kbps > a->target_kbps) {
            double t = (lx(target) - lx(a->target_kbps)) / (lx(b->target_kbps) - lx(a->target_kbps));

            return exp2(lx(a->kbps) + t * (lx(b->kbps) - lx(a->kbps)));
        }
    }
    return last->kbps;
}

void sv__ladder_choose(const sv__ladder *tmpl, sv__ladder_report *rep)
{
    curve curves[SV_MEDIA_MAX_RUNGS];
    sv__ladder_choice out[SV_MEDIA_MAX_RUNGS];
    int nb_curves = 0, nb_out = 0, max_height = INT32_MAX;

    if (rep->nb_points < 2) {
        if (!rep->note[0])
            snprintf(rep->note, sizeof(rep->note), "too few probe points: the template ladder");
        choose_template(tmpl, rep);
        return;
    }
    mark_hull(rep);
    sv__ladder_codec_rates(rep);
    for (int i = 0; i < rep->nb_points && nb_curves < SV_MEDIA_MAX_RUNGS; i++) {
        int seen = rep->points[i].codec != SV__CODEC_H264;

        for (int k = 0; k < nb_curves; k++)
            seen |= curves[k].height == rep->points[i].height;
        if (!seen)
            make_curve(rep, rep->points[i].height, SV__CODEC_H264, &curves[nb_curves++]);
    }
    /* From the top level down: every rung at most as tall as the one above
     * and clearly cheaper, or it is left out (the level above costs hardly
     * more). */
    for (int i = tmpl->nb_rungs - 1; i >= 0; i--) {
        const sv__rung *t = &tmpl->rungs[i];
        double level, kbps, target, ssim = NAN;
        int c;

        if (rep->src_height > 0 && t->height > rep->src_height)
            continue;
        level = level_at(curves, nb_curves, t->bitrate_kbps);
        if (!isfinite(level))
            continue;
        if (level <= SV_LADDER_CEILING_DB) {
            /* Bits still buy quality one can see: the template's rate, at
             * the resolution that makes the most of it. */
            if ((c = best_at(curves, nb_curves, max_height, t->bitrate_kbps)) < 0)
                continue;
            target = t->bitrate_kbps;
            kbps = fmin(rate_for_target(&curves[c], target), t->bitrate_kbps);
        } else {
            /* Above the ceiling more bits are not seen: the cheapest rate
             * that keeps the ceiling, or the fixed rung's own quality on
             * this title when that is higher (never worse than the fixed
             * ladder). */
            const curve *own = curve_of(curves, nb_curves, t->height);
            double fixed = own ? at(own, t->bitrate_kbps, NULL) : NAN;

            level = fmin(level, fmax(isnan(fixed) ? level : fixed, SV_LADDER_CEILING_DB));
            if ((c = place(curves, nb_curves, max_height, t->bitrate_kbps, level, &kbps)) < 0)
                continue;
            target = target_at(&curves[c], kbps);
        }
        if (nb_out && out[nb_out - 1].expected_kbps < kbps * MIN_STEP)
            continue;
        max_height = curves[c].height;
        out[nb_out] = (sv__ladder_choice){
            .width = width_for(rep, curves[c].height),
            .height = curves[c].height,
            .kbps = (int)lround(fmax(target, MIN_KBPS)),
            .expected_kbps = kbps,
            .from_rung = i,
            .level_psnr = level,
        };
        out[nb_out].psnr = at(&curves[c], kbps, &ssim);
        out[nb_out].ssim = ssim;
        nb_out++;
    }
    if (!nb_out) {
        snprintf(rep->note, sizeof(rep->note), "no rung could be placed: the template ladder");
        choose_template(tmpl, rep);
        return;
    }
    qsort(out, (size_t)nb_out, sizeof(out[0]), by_kbps);
    memcpy(rep->chosen, out, sizeof(out[0]) * (size_t)nb_out);
    rep->nb_chosen = nb_out;
}

void sv__ladder_default(sv__ladder *l)
{
    static const sv__rung defaults[] = {
        { 240, 300 }, { 360, 750 }, { 480, 1200 }, { 720, 2800 }, { 1080, 5000 },
    };
    memset(l, 0, sizeof(*l));
    l->nb_rungs = (int)(sizeof(defaults) / sizeof(defaults[0]));
    memcpy(l->rungs, defaults, sizeof(defaults));
    l->segment_s = 4.0;
    l->audio_kbps = 128;
    l->x264_preset = "veryfast";
    l->threads = 0;
    l->thumb_interval_s = 10.0;
    l->per_title = 1;
    l->codecs = SV__CODECS_DEFAULT;
}

int sv__ladder_parse(const char *spec, sv__ladder *l)
{
    sv__rung rungs[SV_MEDIA_MAX_RUNGS];
    const char *p = spec;
    int n = 0, per_title = !strncmp(spec, "auto", 4);

    if (per_title) {
        if (!spec[4]) {
            sv__ladder defaults;

            sv__ladder_default(&defaults);
            memcpy(l->rungs, defaults.rungs, sizeof(l->rungs));
            l->nb_rungs = defaults.nb_rungs;
            l->per_title = 1;
            return 0;
        }
        if (spec[4] != ':')
            return SV_ERR_INVALID;
        p = spec + 5;
    }
    while (*p) {
        char *end;
        long h = strtol(p, &end, 10), kbps;

        if (end == p || *end != ':' || h < 16 || h > 4320 || n >= SV_MEDIA_MAX_RUNGS)
            return SV_ERR_INVALID;
        p = end + 1;
        kbps = strtol(p, &end, 10);
        if (end == p || kbps < 16 || kbps > 200000 || (*end && *end != ','))
            return SV_ERR_INVALID;
        rungs[n].height = (int)h;
        rungs[n++].bitrate_kbps = (int)kbps;
        p = *end ? end + 1 : end;
    }
    if (!n)
        return SV_ERR_INVALID;
    memcpy(l->rungs, rungs, sizeof(rungs[0]) * (size_t)n);
    l->nb_rungs = n;
    l->per_title = per_title;
    return 0;
}

void sv__ladder_apply(const sv__ladder *tmpl, const sv__ladder_report *rep, sv__ladder *out)
{
    *out = *tmpl;
    out->per_title = 0;
    for (int c = 0; c < SV__NB_CODECS; c++)
        if (rep->codec_percent[c] > 0)
            out->codec_percent[c] = rep->codec_percent[c];
    out->nb_rungs = 0;
    for (int i = 0; i < rep->nb_chosen && i < SV_MEDIA_MAX_RUNGS; i++) {
        out->rungs[i].height = rep->chosen[i].height;
        out->rungs[i].bitrate_kbps = rep->chosen[i].kbps;
        out->nb_rungs++;
    }
}

int sv__ladder_codec_reference(const sv__ladder *tmpl, int src_height)
{
    int fit[SV_MEDIA_MAX_RUNGS], n = 0;

    for (int i = 0; i < tmpl->nb_rungs && i < SV_MEDIA_MAX_RUNGS; i++)
        if (src_height <= 0 || tmpl->rungs[i].height <= src_height)
            fit[n++] = i;
    return n ? fit[n / 2] : -1;
}

/* The reference is the codec's own 100 % point: its target is the H.264
 * reference rate, its height the reference height. */
static const sv__probe_point *codec_reference(const sv__ladder_report *rep, int codec)
{
    const sv__probe_point *ref = NULL;

    for (int i = 0; i < rep->nb_points; i++)
        if (rep->points[i].codec == codec && (!ref || rep->points[i].target_kbps > ref->target_kbps))
            ref = &rep->points[i];
    return ref;
}

void sv__ladder_codec_rates(sv__ladder_report *rep)
{
    for (int codec = SV__CODEC_H264 + 1; codec < SV__NB_CODECS; codec++) {
        const sv__probe_point *ref = codec_reference(rep, codec);
        curve h264, other;
        double level, rate, percent;

        rep->codec_percent[codec] = 0;
        if (!ref)
            continue;
        make_curve(rep, ref->height, SV__CODEC_H264, &h264);
        make_curve(rep, ref->height, codec, &other);
        if (!h264.n || other.n < 2)
            continue;
        level = at(&h264, rate_for_target(&h264, ref->target_kbps), NULL);
        if (isnan(level))
            continue;
        rate = lowest_rate(&other, other.p[other.n - 1].kbps, level);
        percent = rate > 0 ? 100.0 * target_at(&other, rate) / ref->target_kbps : 100;
        rep->codec_percent[codec] = (int)lround(fmin(fmax(percent, SV_CODEC_MIN_PERCENT), 100));
    }
}
