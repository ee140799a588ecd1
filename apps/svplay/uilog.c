/*
 * --ui-log: what the window laid out (seek bar, catalog cards, title page),
 * one JSON line each time it changes, for tests and bug reports.
 */
#include "svplay.h"

int svp_uilog_open(svp_app *app)
{
    if (!app->opt.ui_log_path || app->ui_log)
        return 0;
    return (app->ui_log = fopen(app->opt.ui_log_path, "w")) ? 0 : -1;
}

void svp_uilog_close(svp_app *app)
{
    if (app->ui_log)
        fclose(app->ui_log);
    app->ui_log = NULL;
}

void svp_uilog_write(svp_app *app, json_t *line)
{
    if (app->ui_log && line && json_dumpf(line, app->ui_log, JSON_COMPACT) == 0) {
        fputc('\n', app->ui_log);
        fflush(app->ui_log);
    }
    json_decref(line);
}
