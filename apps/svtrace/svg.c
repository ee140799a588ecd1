/*
 * svg.c - plots written as plain SVG text: a session timeline (bitrate,
 * buffer, throughput, stalls) and a QoE CDF for batch runs. Every number is
 * printed with a fixed precision so equal inputs give equal files.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "svtrace.h"

#define W 960.0
#define LEFT 70.0
#define RIGHT 20.0
#define PANEL_H 170.0
#define GAP 40.0
#define TOP 40.0

static const char *const colors[] = { "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                      "#8c564b", "#e377c2", "#7f7f7f" };

static void xml_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

/* A "nice" axis maximum: 1, 2 or 5 x 10^k at or above v. */
static double nice_max(double v)
{
    if (!(v > 0))
        return 1;
    double e = pow(10, floor(log10(v)));
    double m = v / e;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * e;
}

typedef struct panel {
    double y0;        /* top */
    double xmax, ymax;
} panel;

static double px(const panel *p, double x)
{
    return LEFT + (W - LEFT - RIGHT) * (x / p->xmax);
}

static double py(const panel *p, double y)
{
    return p->y0 + PANEL_H - PANEL_H * (y / p->ymax);
}

static void frame(FILE *f, const panel *p, const char *label, const char *xlabel)
{
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
               "stroke=\"#888\"/>\n", LEFT, p->y0, W - LEFT - RIGHT, PANEL_H);
    for (int i = 0; i <= 4; i++) {
        double y = p->ymax * i / 4.0;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>\n",
                LEFT, py(p, y), W - RIGHT, py(p, y));
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%g</text>\n",
                LEFT - 6, py(p, y) + 4, y);
    }
    for (int i = 0; i <= 5; i++) {
        double x = p->xmax * i / 5.0;
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">%g"
                   "</text>\n", px(p, x), p->y0 + PANEL_H + 14, x);
    }
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\">", LEFT, p->y0 - 6);
    xml_text(f, label);
    fputs("</text>\n", f);
    if (xlabel) {
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">", W - RIGHT,
                p->y0 + PANEL_H + 28);
        xml_text(f, xlabel);
        fputs("</text>\n", f);
    }
}

int svt_svg_timeline(FILE *f, const char *title, const sv_abr_sim_step *st, size_t n)
{
    double tend = 0, bmax = 0, buf_max = 0, tmax = 0;

    for (size_t i = 0; i < n; i++) {
        double arrival = st[i].request_s + st[i].download_s;
        if (arrival > tend)
            tend = arrival;
        if (st[i].bitrate_kbps > bmax)
            bmax = st[i].bitrate_kbps;
        if (st[i].buffer_s + st[i].sleep_s > buf_max)
            buf_max = st[i].buffer_s + st[i].sleep_s;
        if (st[i].throughput_kbps > tmax)
            tmax = st[i].throughput_kbps;
        if (st[i].estimate_kbps > tmax)
            tmax = st[i].estimate_kbps;
    }
    tend = nice_max(tend);
    panel pr = { TOP + 20, tend, nice_max(bmax) };
    panel pb = { pr.y0 + PANEL_H + GAP, tend, nice_max(buf_max) };
    panel pt = { pb.y0 + PANEL_H + GAP, tend, nice_max(tmax) };
    double height = pt.y0 + PANEL_H + 40;

    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
               "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\">\n", W, height, W, height);
    fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
    fprintf(f, "<text x=\"%.1f\" y=\"24\" font-size=\"15\" font-weight=\"bold\">", LEFT);
    xml_text(f, title);
    fputs("</text>\n", f);

    /* Stalls: a red band over all three panels. */
    for (size_t i = 0; i < n; i++) {
        if (!(st[i].rebuffer_s > 0))
            continue;
        double end = st[i].request_s + st[i].download_s, start = end - st[i].rebuffer_s;
        const panel *ps[3] = { &pr, &pb, &pt };
        for (int k = 0; k < 3; k++)
            fprintf(f, "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" "
                       "fill=\"#d62728\" fill-opacity=\"0.25\"/>\n", px(ps[k], start), ps[k]->y0,
                    px(ps[k], end) - px(ps[k], start), PANEL_H);
    }

    frame(f, &pr, "bitrate (kbit/s); red bands: stalls", NULL);
    fputs("<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"", f);
    for (size_t i = 0; i < n; i++) {
        double t0 = st[i].request_s;
        double t1 = i + 1 < n ? st[i + 1].request_s : st[i].request_s + st[i].download_s;
        fprintf(f, "%.2f,%.2f %.2f,%.2f ", px(&pr, t0), py(&pr, st[i].bitrate_kbps), px(&pr, t1),
                py(&pr, st[i].bitrate_kbps));
    }
    fputs("\"/>\n", f);

    frame(f, &pb, "buffer (s)", NULL);
    fputs("<polyline fill=\"none\" stroke=\"#2ca02c\" stroke-width=\"1.5\" points=\"", f);
    fprintf(f, "%.2f,%.2f ", px(&pb, 0), py(&pb, 0));
    for (size_t i = 0; i < n; i++) {
        double arrival = st[i].request_s + st[i].download_s;
        fprintf(f, "%.2f,%.2f ", px(&pb, arrival), py(&pb, st[i].buffer_s + st[i].sleep_s));
        if (i + 1 < n) {
            /* Playback drains the buffer until the next segment arrives. */
            double next = st[i + 1].request_s + st[i + 1].download_s;
            double b = st[i].buffer_s + st[i].sleep_s - (next - arrival);
            fprintf(f, "%.2f,%.2f ", px(&pb, next), py(&pb, b > 0 ? b : 0));
        }
    }
    fputs("\"/>\n", f);

    frame(f, &pt, "throughput (kbit/s): dots measured per segment, line estimate", "time (s)");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"2.5\" fill=\"#ff7f0e\"/>\n",
                px(&pt, st[i].request_s + st[i].download_s), py(&pt, st[i].throughput_kbps));
    fputs("<polyline fill=\"none\" stroke=\"#9467bd\" stroke-width=\"1.5\" points=\"", f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%.2f,%.2f ", px(&pt, st[i].request_s + st[i].download_s),
                py(&pt, st[i].estimate_kbps));
    fputs("\"/>\n</svg>\n", f);
    return ferror(f) ? -1 : 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int svt_svg_cdf(FILE *f, const char *title, const char *const *names, const double *const *values,
                size_t nseries, size_t count)
{
    double lo = HUGE_VAL, hi = -HUGE_VAL;
    double *sorted = malloc((count ? count : 1) * sizeof(double));

    if (!sorted)
        return -1;

    for (size_t s = 0; s < nseries; s++)
        for (size_t i = 0; i < count; i++) {
            if (values[s][i] < lo)
                lo = values[s][i];
            if (values[s][i] > hi)
                hi = values[s][i];
        }
    if (!(hi > lo)) {
        lo = count ? lo - 1 : 0;
        hi = lo + 2;
    }
    double span = nice_max(hi - lo) / 10;
    lo = floor(lo / span) * span;
    hi = ceil(hi / span) * span;
    const double x0 = LEFT, x1 = W - RIGHT - 130, y0 = TOP + 10, y1 = y0 + 360;
    double height = y1 + 50;

    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
               "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\">\n", W, height, W, height);
    fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
    fprintf(f, "<text x=\"%.1f\" y=\"24\" font-size=\"15\" font-weight=\"bold\">", x0);
    xml_text(f, title);
    fputs("</text>\n", f);
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
               "stroke=\"#888\"/>\n", x0, y0, x1 - x0, y1 - y0);
    for (int i = 0; i <= 10; i++) {
        double v = lo + (hi - lo) * i / 10.0, x = x0 + (x1 - x0) * i / 10.0;
        double y = y1 - (y1 - y0) * i / 10.0;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>\n",
                x0, y, x1, y);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">%.4g"
                   "</text>\n", x, y1 + 14, v);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%.1f</text>\n",
                x0 - 6, y + 4, i / 10.0);
    }
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"middle\">QoE per "
               "session</text>\n", (x0 + x1) / 2, y1 + 32);
    for (size_t s = 0; s < nseries; s++) {
        const char *color = colors[s % (sizeof(colors) / sizeof(colors[0]))];
        memcpy(sorted, values[s], count * sizeof(double));
        qsort(sorted, count, sizeof(double), cmp_double);
        fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" points=\"", color);
        for (size_t i = 0; i < count; i++) {
            double x = x0 + (x1 - x0) * (sorted[i] - lo) / (hi - lo);
            fprintf(f, "%.2f,%.2f %.2f,%.2f ", x, y1 - (y1 - y0) * (double)i / (double)count, x,
                    y1 - (y1 - y0) * (double)(i + 1) / (double)count);
        }
        fputs("\"/>\n", f);
        double ly = y0 + 16 + 20.0 * (double)s;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                   "stroke-width=\"3\"/>\n", x1 + 15, ly - 4, x1 + 40, ly - 4, color);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\">", x1 + 46, ly);
        xml_text(f, names[s]);
        fputs("</text>\n", f);
    }
    fputs("</svg>\n", f);
    free(sorted);
    return ferror(f) ? -1 : 0;
}
