/*
 * The seek bar's model (seekbar.h): the scrub point moved by keys and the
 * mouse, and where everything goes in the window. Pure: no SDL, no player.
 */
#include "seekbar.h"

#include <streamverse/sdl2.h>

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static double clampd(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Column of time t on the bar. */
static int x_of(const svp_seekbar_model *m, const int bar[4], double t)
{
    if (m->duration_s <= 0)
        return bar[0];
    return bar[0] + (int)(bar[2] * clampd(t / m->duration_s, 0, 1) + 0.5);
}

void svp_seekbar_layout_for(const svp_seekbar_model *m, int out_w, int out_h, int thumb_w,
                            int thumb_h, svp_seekbar_layout *l)
{
    /* Text grows with the window as the sink's panel does. */
    int ts = clampi(out_h / 360 + 1, 1, 4);
    int cell_w = SV_SDL2_TEXT_CELL_W * ts, cell_h = SV_SDL2_TEXT_CELL_H * ts;
    int margin = out_w / 40 > 4 ? out_w / 40 : 4;
    int bar_h = out_h / 60 > 4 ? out_h / 60 : 4;

    l->text_scale = ts;
    l->time[0] = margin;
    l->time[1] = out_h - 3 * ts - cell_h;
    l->bar[0] = margin;
    l->bar[1] = l->time[1] - 3 * ts - bar_h;
    l->bar[2] = out_w - 2 * margin > 1 ? out_w - 2 * margin : 1;
    l->bar[3] = bar_h;
    l->label[1] = l->bar[1] - 3 * ts - cell_h;
    l->panel[0] = 0;
    l->panel[1] = l->label[1] - 2 * ts;
    l->panel[2] = out_w;
    l->panel[3] = out_h - l->panel[1];
    l->hot_y = l->panel[1];
    l->played_x = x_of(m, l->bar, m->position_s);
    l->buffered_x = x_of(m, l->bar, m->position_s + m->buffer_s);
    l->marker_x = m->mode != SVP_SCRUB_NONE ? x_of(m, l->bar, m->scrub_s) : -1;

    /* The scrub time under the thumbnail, centred on the marker. */
    int cols = m->duration_s >= 3600 ? 9 : 7;
    int anchor = l->marker_x >= 0 ? l->marker_x : l->played_x;
    l->label[0] = clampi(anchor - cols * cell_w / 2, margin, out_w - margin - cols * cell_w);
    l->thumb[0] = l->thumb[1] = l->thumb[2] = l->thumb[3] = 0;
    l->thumb_scale = out_w >= 1280 ? 2 : 1;
    if (l->marker_x < 0 || thumb_w <= 0 || thumb_h <= 0)
        return;
    l->thumb[2] = thumb_w * l->thumb_scale;
    l->thumb[3] = thumb_h * l->thumb_scale;
    l->thumb[0] = clampi(l->marker_x - l->thumb[2] / 2, margin, out_w - margin - l->thumb[2]);
    l->thumb[1] = l->panel[1] - 2 * ts - l->thumb[3];
}

double svp_seekbar_time_at(const svp_seekbar_model *m, const svp_seekbar_layout *l, int x)
{
    if (m->duration_s <= 0 || l->bar[2] <= 0)
        return 0;
    return clampd((double)(x - l->bar[0]) / l->bar[2], 0, 1) * m->duration_s;
}

svp_scrub_result svp_seekbar_key(svp_seekbar_model *m, svp_scrub_key key, double *seek_s)
{
    double step = 0;

    if (m->duration_s <= 0)
        return SVP_SCRUB_IGNORED; /* live or not loaded: no bar */
    if (m->mode != SVP_SCRUB_KEYS) {
        if (key != SVP_SCRUB_ENTER || m->mode == SVP_SCRUB_DRAG)
            return SVP_SCRUB_IGNORED;
        m->mode = SVP_SCRUB_KEYS;
        m->scrub_s = clampd(m->position_s, 0, m->duration_s);
        return SVP_SCRUB_TAKEN;
    }
    switch (key) {
    case SVP_SCRUB_ENTER:
        *seek_s = m->scrub_s;
        m->mode = SVP_SCRUB_NONE;
        return SVP_SCRUB_SEEK;
    case SVP_SCRUB_CANCEL: m->mode = SVP_SCRUB_NONE; return SVP_SCRUB_TAKEN;
    case SVP_SCRUB_LEFT: step = -SVP_SCRUB_STEP_S; break;
    case SVP_SCRUB_RIGHT: step = SVP_SCRUB_STEP_S; break;
    case SVP_SCRUB_DOWN: step = -SVP_SCRUB_BIG_STEP_S; break;
    case SVP_SCRUB_UP: step = SVP_SCRUB_BIG_STEP_S; break;
    case SVP_SCRUB_HOME: step = -m->duration_s; break;
    case SVP_SCRUB_END: step = m->duration_s; break;
    }
    m->scrub_s = clampd(m->scrub_s + step, 0, m->duration_s);
    return SVP_SCRUB_TAKEN;
}

svp_scrub_result svp_seekbar_mouse(svp_seekbar_model *m, const svp_seekbar_layout *l, int x,
                                   int y, int button, double *seek_s)
{
    int over = y >= l->hot_y;

    if (m->duration_s <= 0)
        return SVP_SCRUB_IGNORED;
    if (m->mode == SVP_SCRUB_DRAG) {
        m->scrub_s = svp_seekbar_time_at(m, l, x);
        if (button >= 0)
            return SVP_SCRUB_TAKEN;
        *seek_s = m->scrub_s;
        m->mode = over ? SVP_SCRUB_HOVER : SVP_SCRUB_NONE;
        return SVP_SCRUB_SEEK;
    }
    if (button > 0) {
        if (!over)
            return SVP_SCRUB_IGNORED;
        m->mode = SVP_SCRUB_DRAG;
        m->scrub_s = svp_seekbar_time_at(m, l, x);
        return SVP_SCRUB_TAKEN;
    }
    if (button < 0 || m->mode == SVP_SCRUB_KEYS)
        return over && button < 0 ? SVP_SCRUB_TAKEN : SVP_SCRUB_IGNORED;
    if (over) {
        m->mode = SVP_SCRUB_HOVER;
        m->scrub_s = svp_seekbar_time_at(m, l, x);
        return SVP_SCRUB_TAKEN;
    }
    if (m->mode == SVP_SCRUB_HOVER) {
        m->mode = SVP_SCRUB_NONE;
        return SVP_SCRUB_TAKEN;
    }
    return SVP_SCRUB_IGNORED;
}
