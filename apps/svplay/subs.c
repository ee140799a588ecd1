/*
 * subs.c - svplay's subtitle choice (--sub) and log (--sub-log).
 */
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

static void log_text(svp_app *app, const char *text)
{
    double pos = 0;

    sv_player_get_double(app->player, SV_PROP_POSITION, &pos);
    fprintf(app->sub_log, "%.3f\t", pos);
    for (const char *c = text; *c; c++) {
        if (*c == '\n')
            fputs("\\n", app->sub_log);
        else
            fputc(*c, app->sub_log);
    }
    fputc('\n', app->sub_log);
    fflush(app->sub_log);
}

void svp_subs_event(svp_app *app, const sv_event *ev)
{
    if (ev->id == SV_EVENT_TRACKS_CHANGED && !app->sub_chosen && app->player) {
        int t = choose(app->player, app->opt.sub ? app->opt.sub : "auto");
        app->sub_chosen = 1;
        if (t >= 0 && sv_player_select_track(app->player, SV_TRACK_TEXT, t, 0) < 0)
            fprintf(stderr, "svplay: warning: cannot show subtitle track %d\n", t);
    } else if (ev->id == SV_EVENT_SUBTITLE && app->sub_log) {
        char text[4096];

        sv_player_get_subtitle(app->player, text, sizeof(text));
        log_text(app, text);
    }
}
