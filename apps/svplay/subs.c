/*
 * subs.c - svplay's subtitle choice (--sub, --slang) and cue log (--sub-log).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "svplay.h"

int svp_subs_open(svp_app *app)
{
    if (!app->opt.sub_log_path)
        return 0;
    if (!(app->sub_log = fopen(app->opt.sub_log_path, "w")))
        return SV_ERR_IO;
    return 0;
}

void svp_subs_close(svp_app *app)
{
    if (app->sub_log)
        fclose(app->sub_log);
    app->sub_log = NULL;
}

/* The text track --sub names: -1 for none. */
static int choose(sv_player *p, const char *sel)
{
    int n = sv_player_track_count(p, SV_TRACK_TEXT);
    sv_track_info ti = SV_TRACK_INFO_INIT;
    char *end;

    if (!strcmp(sel, "off") || n <= 0)
        return -1;
    long k = strtol(sel, &end, 10);
    if (end != sel && !*end)
        return k >= 0 && k < n ? (int)k : -1;
    for (int i = 0; i < n; i++) {
        if (sv_player_get_track(p, SV_TRACK_TEXT, i, &ti) < 0)
            continue;
        if (!strcmp(sel, "auto") ? ti.selected || ti.is_default
                                 : !strcasecmp(ti.language, sel) ||
                                       !strncasecmp(ti.language, sel, strlen(sel)))
            return i;
    }
    return -1;
}

static const char *align_name(sv_cue_align a)
{
    return a == SV_CUE_ALIGN_START ? "start" : a == SV_CUE_ALIGN_CENTER ? "center" : "end";
}

/* The fourth column of a cue with a style: the fields its source set,
 * separated by spaces. */
static void log_style(FILE *f, const sv_cue_style *st)
{
    char b[256];
    int n = 0;

    if (st->width > 0)
        n += snprintf(b + n, sizeof(b) - (size_t)n, " region=%.1f,%.1f,%.1f,%.1f", st->x, st->y,
                      st->width, st->height);
    if (st->text_align)
        n += snprintf(b + n, sizeof(b) - (size_t)n, " text-align=%s", align_name(st->text_align));
    if (st->display_align)
        n += snprintf(b + n, sizeof(b) - (size_t)n, " display-align=%s",
                      align_name(st->display_align));
    if (st->color)
        n += snprintf(b + n, sizeof(b) - (size_t)n, " color=#%08x", (unsigned)st->color);
    if (st->background)
        n += snprintf(b + n, sizeof(b) - (size_t)n, " background=#%08x", (unsigned)st->background);
    if (st->font_size > 0)
        n += snprintf(b + n, sizeof(b) - (size_t)n, " font-size=%.1f", st->font_size);
    snprintf(b + n, sizeof(b) - (size_t)n, "%s%s%s", st->italic ? " italic" : "",
             st->bold ? " bold" : "", st->underline ? " underline" : "");
    fprintf(f, "\t%s", b[0] ? b + 1 : "");
}

/* One --sub-log line per cue: start, end (media times, seconds), text with
 * its newlines written as \n, and when the source gives one, its style.
 * Flushed, so a run cut short keeps its lines. */
static void log_cue(svp_app *app, const sv_event *ev)
{
    fprintf(app->sub_log, "%.3f\t%.3f\t", ev->data.cue.start_s, ev->data.cue.end_s);
    for (const char *c = ev->data.cue.text ? ev->data.cue.text : ""; *c; c++) {
        if (*c == '\n')
            fputs("\\n", app->sub_log);
        else
            fputc(*c, app->sub_log);
    }
    if (ev->data.cue.style)
        log_style(app->sub_log, ev->data.cue.style);
    fputc('\n', app->sub_log);
    fflush(app->sub_log);
}

void svp_subs_event(svp_app *app, const sv_event *ev)
{
    if (ev->id == SV_EVENT_TRACKS_CHANGED && !app->sub_chosen && app->player) {
        app->sub_chosen = 1;
        /* With --slang and no --sub the player chose at load (or chose none). */
        if (!app->opt.sub && app->opt.slang)
            return;
        int t = choose(app->player, app->opt.sub ? app->opt.sub : "auto");
        /* A --sub that names no track turns off what --slang chose. */
        if ((t >= 0 || app->opt.sub) &&
            sv_player_select_track(app->player, SV_TRACK_TEXT, t, 0) < 0 && t >= 0)
            fprintf(stderr, "svplay: warning: cannot show subtitle track %d\n", t);
    } else if (ev->id == SV_EVENT_SUBTITLE_CUE && app->sub_log) {
        log_cue(app, ev);
    }
}
