/*
 * ladder_report.c - a per-title ladder's record (media.h) as JSON, for the
 * catalog, the API and the parts of a split ingest, and as an SVG plot:
 * PSNR against rate (log scale), one polyline per resolution, the hull's
 * vertices ringed, the chosen rungs as filled dots. Pure functions.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "backend/media/internal.h"
#include "platform/buf.h"
#include "streamverse/common.h"

json_t *sv__ladder_report_json(const sv__ladder_report *rep)
{
    json_t *points = json_array(), *chosen = json_array(), *percent = json_object(), *root;

    if (!points || !chosen || !percent)
        goto fail;
    for (int i = 0; i < rep->nb_points; i++) {
        const sv__probe_point *p = &rep->points[i];

        if (json_array_append_new(points, json_pack("{s:s,s:i,s:i,s:i,s:f,s:f,s:f,s:b}", "codec",
                                                     sv__codec_name(p->codec), "width", p->width,
                                                     "height", p->height, "target_kbps",
                                                     p->target_kbps, "kbps", p->kbps, "psnr",
                                                     p->psnr, "ssim", p->ssim, "on_hull",
                                                     p->on_hull)) < 0)
            goto fail;
    }
    for (int i = 0; i < rep->nb_chosen; i++) {
        const sv__ladder_choice *c = &rep->chosen[i];

        /* A template ladder chosen without a probe has no estimates. */
        if (json_array_append_new(chosen, json_pack("{s:i,s:i,s:i,s:f,s:i,s:o,s:o,s:o}", "width",
                                                    c->width, "height", c->height, "kbps", c->kbps,
                                                    "expected_kbps", c->expected_kbps,
                                                    "from_rung", c->from_rung, "psnr",
                                                    isfinite(c->psnr) ? json_real(c->psnr) : json_null(),
                                                    "ssim",
                                                    isfinite(c->ssim) ? json_real(c->ssim) : json_null(),
                                                    "level_psnr",
                                                    isfinite(c->level_psnr) ? json_real(c->level_psnr)
                                                                            : json_null())) < 0)
            goto fail;
    }
    for (int c = SV__CODEC_H264 + 1; c < SV__NB_CODECS; c++)
        if (rep->codec_percent[c] > 0 &&
            json_object_set_new(percent, sv__codec_name(c), json_integer(rep->codec_percent[c])) < 0)
            goto fail;
    root = json_pack("{s:i,s:i,s:i,s:i,s:i,s:f,s:f,s:f,s:f,s:s,s:o,s:o,s:o}", "src_width",
                     rep->src_width, "src_height", rep->src_height, "display_width",
                     rep->display_width, "display_height", rep->display_height, "windows",
                     rep->nb_windows, "sample_s", rep->sample_s, "probe_s", rep->probe_s,
                     "tolerance_db", SV_LADDER_TOLERANCE_DB, "ceiling_db", SV_LADDER_CEILING_DB,
                     "note", rep->note, "points", points, "chosen", chosen, "codec_percent",
                     percent);
    return root;
fail:
    json_decref(points);
    json_decref(chosen);
    json_decref(percent);
    return NULL;
}

static double real_or_nan(json_t *v)
{
    return json_is_number(v) ? json_number_value(v) : NAN;
}

int sv__ladder_report_parse(json_t *root, sv__ladder_report *rep)
{
    json_t *points, *chosen, *v, *percent = NULL;
    const char *note = "";
    size_t i;

    memset(rep, 0, sizeof(*rep));
    if (json_unpack(root, "{s:i,s:i,s:i,s:i,s:i,s:F,s:F,s?s,s:o,s:o,s?o}", "src_width",
                    &rep->src_width, "src_height", &rep->src_height, "display_width",
                    &rep->display_width, "display_height", &rep->display_height, "windows",
                    &rep->nb_windows, "sample_s", &rep->sample_s, "probe_s", &rep->probe_s,
                    "note", &note, "points", &points, "chosen", &chosen, "codec_percent",
                    &percent) < 0 ||
        !json_is_array(points) || !json_is_array(chosen) ||
        json_array_size(points) > SV_LADDER_MAX_POINTS ||
        json_array_size(chosen) > SV_MEDIA_MAX_RUNGS)
        return SV_ERR_PARSE;
    snprintf(rep->note, sizeof(rep->note), "%s", note);
    for (int c = SV__CODEC_H264 + 1; c < SV__NB_CODECS && json_is_object(percent); c++) {
        json_t *n = json_object_get(percent, sv__codec_name(c));

        if (n && (!json_is_integer(n) || json_integer_value(n) < SV_CODEC_MIN_PERCENT ||
                  json_integer_value(n) > 100))
            return SV_ERR_PARSE;
        rep->codec_percent[c] = n ? (int)json_integer_value(n) : 0;
    }
    json_array_foreach(points, i, v) {
        sv__probe_point *p = &rep->points[rep->nb_points++];
        const char *codec = "h264";
        int on_hull = 0;

        if (json_unpack(v, "{s?s,s:i,s:i,s:i,s:F,s:F,s:F,s?b}", "codec", &codec, "width",
                        &p->width, "height", &p->height, "target_kbps", &p->target_kbps, "kbps",
                        &p->kbps, "psnr", &p->psnr, "ssim", &p->ssim, "on_hull", &on_hull) < 0)
            return SV_ERR_PARSE;
        for (p->codec = 0; p->codec < SV__NB_CODECS; p->codec++)
            if (!strcmp(sv__codec_name(p->codec), codec))
                break;
        if (p->codec == SV__NB_CODECS)
            return SV_ERR_PARSE;
        p->on_hull = on_hull;
    }
    json_array_foreach(chosen, i, v) {
        sv__ladder_choice *c = &rep->chosen[rep->nb_chosen++];
        json_t *psnr = NULL, *ssim = NULL, *level = NULL;

        if (json_unpack(v, "{s:i,s:i,s:i,s:F,s:i,s?o,s?o,s?o}", "width", &c->width, "height",
                        &c->height, "kbps", &c->kbps, "expected_kbps", &c->expected_kbps,
                        "from_rung", &c->from_rung, "psnr", &psnr,
                        "ssim", &ssim, "level_psnr", &level) < 0 || c->kbps <= 0 || c->height <= 0)
            return SV_ERR_PARSE;
        c->psnr = real_or_nan(psnr);
        c->ssim = real_or_nan(ssim);
        c->level_psnr = real_or_nan(level);
    }
    return 0;
}

/* ---- the plot ----------------------------------------------------------- */

#define W 720
#define H 440
#define L 60                 /* margins: left, right, top, bottom */
#define R 150
#define T 30
#define B 50

static const char *const colours[] = { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                       "#9467bd", "#8c564b", "#e377c2", "#7f7f7f" };

typedef struct plot {
    double x0, x1, y0, y1;   /* log2 kbps, dB */
} plot;

static double px(const plot *p, double kbps)
{
    return L + (log2(kbps) - p->x0) / (p->x1 - p->x0) * (W - L - R);
}

static double py(const plot *p, double psnr)
{
    return H - B - (psnr - p->y0) / (p->y1 - p->y0) * (H - T - B);
}

static int by_kbps(const void *a, const void *b)
{
    const sv__probe_point *x = a, *y = b;

    return (x->kbps > y->kbps) - (x->kbps < y->kbps);
}

static void bounds(const sv__ladder_report *rep, plot *p)
{
    p->x0 = p->y0 = INFINITY;
    p->x1 = p->y1 = -INFINITY;
    for (int i = 0; i < rep->nb_points; i++) {
        p->x0 = fmin(p->x0, log2(rep->points[i].kbps));
        p->x1 = fmax(p->x1, log2(rep->points[i].kbps));
        p->y0 = fmin(p->y0, rep->points[i].psnr);
        p->y1 = fmax(p->y1, rep->points[i].psnr);
    }
    p->x0 = floor(p->x0);
    p->x1 = ceil(p->x1) > p->x0 ? ceil(p->x1) : p->x0 + 1;
    p->y0 = floor(p->y0) - 1;
    p->y1 = ceil(p->y1) + 1;
}

static void axes(sv__buf *b, const plot *p)
{
    sv__buf_printf(b, "<rect x='%d' y='%d' width='%d' height='%d' fill='none' stroke='#444'/>\n",
                    L, T, W - L - R, H - T - B);
    for (double x = p->x0; x <= p->x1 + 1e-9; x += 1) {
        double v = exp2(x);

        sv__buf_printf(b, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='#ddd'/>"
                           "<text x='%.1f' y='%d' text-anchor='middle'>%.0f</text>\n",
                        px(p, v), T, px(p, v), H - B, px(p, v), H - B + 16, v);
    }
    for (double y = ceil(p->y0); y <= p->y1; y += (p->y1 - p->y0) > 12 ? 5 : 2) {
        sv__buf_printf(b, "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#ddd'/>"
                           "<text x='%d' y='%.1f' text-anchor='end'>%.0f</text>\n",
                        L, py(p, y), W - R, py(p, y), L - 6, py(p, y) + 4, y);
    }
    sv__buf_printf(b, "<text x='%d' y='%d' text-anchor='middle'>rate (kb/s, log scale)</text>\n"
                       "<text x='16' y='%d' transform='rotate(-90 16 %d)' text-anchor='middle'>"
                       "PSNR (dB)</text>\n",
                    (W - R + L) / 2, H - 12, (H - B + T) / 2, (H - B + T) / 2);
}

/* One polyline per codec and height: H.264 solid, the others dashed, with
 * the share of the H.264 rate they were given in the legend. */
static void curves(sv__buf *b, const sv__ladder_report *rep, const plot *p)
{
    int keys[SV_LADDER_MAX_POINTS], nb = 0;

    for (int i = 0; i < rep->nb_points; i++) {
        int key = rep->points[i].codec * 100000 + rep->points[i].height, seen = 0;

        for (int k = 0; k < nb; k++)
            seen |= keys[k] == key;
        if (!seen)
            keys[nb++] = key;
    }
    for (int k = 0; k < nb; k++) {
        sv__probe_point pts[SV_LADDER_MAX_POINTS];
        const char *col = colours[k % 8];
        int n = 0, codec = keys[k] / 100000, height = keys[k] % 100000;

        for (int i = 0; i < rep->nb_points; i++)
            if (rep->points[i].codec * 100000 + rep->points[i].height == keys[k])
                pts[n++] = rep->points[i];
        qsort(pts, (size_t)n, sizeof(pts[0]), by_kbps);
        sv__buf_printf(b, "<polyline fill='none' stroke='%s' stroke-width='2'%s points='", col,
                        codec ? " stroke-dasharray='6 3'" : "");
        for (int i = 0; i < n; i++)
            sv__buf_printf(b, "%.1f,%.1f ", px(p, pts[i].kbps), py(p, pts[i].psnr));
        sv__buf_printf(b, "'/>\n");
        for (int i = 0; i < n; i++)
            sv__buf_printf(b, "<circle cx='%.1f' cy='%.1f' r='%d' fill='%s' stroke='#000' "
                               "stroke-width='%d'/>\n",
                            px(p, pts[i].kbps), py(p, pts[i].psnr), pts[i].on_hull ? 5 : 3, col,
                            pts[i].on_hull ? 1 : 0);
        if (codec)
            sv__buf_printf(b, "<text x='%d' y='%d' fill='%s'>%dp %s %d%%</text>\n", W - R + 12,
                            T + 16 + 18 * k, col, height, sv__codec_name(codec),
                            rep->codec_percent[codec]);
        else
            sv__buf_printf(b, "<text x='%d' y='%d' fill='%s'>%dp</text>\n", W - R + 12,
                            T + 16 + 18 * k, col, height);
    }
}

static void choices(sv__buf *b, const sv__ladder_report *rep, const plot *p)
{
    for (int i = 0; i < rep->nb_chosen; i++) {
        const sv__ladder_choice *c = &rep->chosen[i];

        if (!isfinite(c->psnr))
            continue;
        sv__buf_printf(b, "<rect x='%.1f' y='%.1f' width='8' height='8' fill='#000'/>"
                           "<text x='%.1f' y='%.1f' font-size='11'>%dp %dk</text>\n",
                        px(p, c->expected_kbps) - 4, py(p, c->psnr) - 4, px(p, c->expected_kbps) + 7,
                        py(p, c->psnr) + 14, c->height, c->kbps);
    }
    sv__buf_printf(b, "<text x='%d' y='%d'>&#9632; chosen</text>"
                       "<text x='%d' y='%d'>ringed: hull</text>\n",
                    W - R + 12, H - B - 24, W - R + 12, H - B - 6);
}

int sv__ladder_svg(const sv__ladder_report *rep, char **out, size_t *len)
{
    sv__buf b = { 0 };
    plot p;

    *out = NULL;
    *len = 0;
    sv__buf_printf(&b, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
                        "font-family='sans-serif' font-size='12'>\n"
                        "<rect width='100%%' height='100%%' fill='#fff'/>\n", W, H);
    if (rep->nb_points < 2) {
        sv__buf_printf(&b, "<text x='%d' y='%d' text-anchor='middle'>no probe: %s</text>\n",
                        W / 2, H / 2, rep->note[0] ? "see the note" : "fixed ladder");
    } else {
        bounds(rep, &p);
        axes(&b, &p);
        curves(&b, rep, &p);
        choices(&b, rep, &p);
    }
    sv__buf_printf(&b, "</svg>\n");
    sv__buf_append(&b, "", 1); /* a C string too */
    if (b.err) {
        sv__buf_free(&b);
        return SV_ERR_NOMEM;
    }
    *out = (char *)sv__buf_take(&b, len);
    (*len)--;
    return 0;
}
