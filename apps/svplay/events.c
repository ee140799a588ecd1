/*
 * events.c - svplay's timed events (--events): DASH EventStream and emsg,
 * HLS EXT-X-DATERANGE, SCTE-35. Each event is one JSON line in the file,
 * written when the player reports it (at its media time), and one line on
 * stderr at log level info and above.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "svplay.h"

int svp_events_open(svp_app *app)
{
    if (!app->opt.events_path)
        return 0;
    if (!(app->events_log = fopen(app->opt.events_path, "w")))
        return SV_ERR_IO;
    return 0;
}

void svp_events_close(svp_app *app)
{
    if (app->events_log)
        fclose(app->events_log);
    app->events_log = NULL;
}

static const char *source_name(sv_timed_source s)
{
    switch (s) {
    case SV_TIMED_DASH_EVENT_STREAM: return "dash-event-stream";
    case SV_TIMED_DASH_EMSG: return "dash-emsg";
    case SV_TIMED_HLS_DATERANGE: return "hls-daterange";
    }
    return "unknown";
}

static const char *command_name(int c)
{
    switch (c) {
    case 0: return "splice_null";
    case 5: return "splice_insert";
    case 6: return "time_signal";
    case 7: return "bandwidth_reservation";
    case 0xff: return "private_command";
    }
    return "other";
}

static json_t *scte35_json(const sv_scte35_info *s)
{
    if (s->command < 0)
        return json_null();
    json_t *o = json_object();
    json_object_set_new(o, "command", json_string(command_name(s->command)));
    json_object_set_new(o, "out_of_network", s->out_of_network < 0 ? json_null()
                                                                   : json_boolean(s->out_of_network));
    json_object_set_new(o, "cancel", json_boolean(s->cancel));
    json_object_set_new(o, "event_id", json_integer(s->event_id));
    json_object_set_new(o, "pts_s", s->pts_s < 0 ? json_null() : json_real(s->pts_s));
    json_object_set_new(o, "duration_s", s->duration_s < 0 ? json_null() : json_real(s->duration_s));
    json_object_set_new(o, "segmentation_type", s->segmentation_type < 0
                                                    ? json_null()
                                                    : json_integer(s->segmentation_type));
    return o;
}

static void write_line(svp_app *app, const sv_timed_event *e, double elapsed_s)
{
    char hex[2 * 4096 + 1];
    size_t n = e->payload_size < 4096 ? e->payload_size : 4096;
    for (size_t i = 0; i < n; i++)
        snprintf(hex + 2 * i, 3, "%02x", e->payload[i]);
    hex[2 * n] = '\0';
    json_t *o = json_object();
    json_object_set_new(o, "source", json_string(source_name(e->source)));
    json_object_set_new(o, "scheme", json_string(e->scheme));
    json_object_set_new(o, "value", json_string(e->value));
    json_object_set_new(o, "id", json_string(e->id));
    json_object_set_new(o, "start_s", json_real(e->start_s));
    json_object_set_new(o, "duration_s", e->duration_s < 0 ? json_null() : json_real(e->duration_s));
    json_object_set_new(o, "reported_at_s", json_real(e->reported_at_s));
    json_object_set_new(o, "elapsed_s", json_real(elapsed_s));
    json_object_set_new(o, "payload_hex", json_string(hex));
    json_object_set_new(o, "payload_cut", json_boolean(e->payload_cut));
    json_object_set_new(o, "attributes", json_string(e->attributes));
    json_object_set_new(o, "scte35", scte35_json(&e->scte35));
    char *line = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(9));
    if (line) {
        fprintf(app->events_log, "%s\n", line);
        fflush(app->events_log);
        free(line);
    }
    json_decref(o);
}

void svp_events_describe(const sv_timed_event *e, char *buf, size_t cap)
{
    char scte[96] = "";
    if (e->scte35.command >= 0)
        snprintf(scte, sizeof(scte), " (SCTE-35 %s%s, event %u%s)",
                 command_name(e->scte35.command),
                 e->scte35.out_of_network == 1 ? " out"
                 : e->scte35.out_of_network == 0 ? " in" : "",
                 (unsigned)e->scte35.event_id, e->scte35.cancel ? ", cancelled" : "");
    snprintf(buf, cap, "event %s %s%s%s id %s at %.3f s%s", source_name(e->source),
             e->scheme[0] ? e->scheme : "-", e->value[0] ? " " : "", e->value, e->id, e->start_s,
             scte);
}

/* An interstitial's start or end (API 2.7), as a line of its own:
 * {"source":"interstitial","kind":"start"|"end",...}. */
static void interstitial(svp_app *app, const sv_event *ev, double elapsed_s)
{
    int start = ev->id == SV_EVENT_INTERSTITIAL_START;
    const char *id = ev->data.interstitial.id, *uri = ev->data.interstitial.asset_uri;
    if (app->events_log) {
        json_t *o = json_object();
        json_object_set_new(o, "source", json_string("interstitial"));
        json_object_set_new(o, "kind", json_string(start ? "start" : "end"));
        json_object_set_new(o, "id", json_string(id ? id : ""));
        json_object_set_new(o, "asset_uri", json_string(uri ? uri : ""));
        json_object_set_new(o, "position_s", json_real(ev->data.interstitial.position_s));
        json_object_set_new(o, "duration_s", json_real(ev->data.interstitial.duration_s));
        json_object_set_new(o, "asset_index", json_integer(ev->data.interstitial.asset_index));
        json_object_set_new(o, "nb_assets", json_integer(ev->data.interstitial.nb_assets));
        json_object_set_new(o, "error", json_integer(ev->error));
        json_object_set_new(o, "elapsed_s", json_real(elapsed_s));
        char *line = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(9));
        if (line)
            fprintf(app->events_log, "%s\n", line);
        fflush(app->events_log);
        free(line);
        json_decref(o);
    }
    if (app->opt.log_level >= SV_LOG_INFO && !app->opt.quiet)
        fprintf(stderr, "%ssvplay: ad %s %s: %s at %.3f s%s%s\n",
                app->tty_progress ? "\r\033[K" : "", id ? id : "", start ? "starts" : "ends",
                uri ? uri : "", ev->data.interstitial.position_s,
                start ? "" : " (the title resumes there)", ev->error ? " (failed)" : "");
}

void svp_events_event(svp_app *app, const sv_event *ev, double elapsed_s)
{
    if (ev->id == SV_EVENT_INTERSTITIAL_START || ev->id == SV_EVENT_INTERSTITIAL_END) {
        interstitial(app, ev, elapsed_s);
        return;
    }
    if (ev->id != SV_EVENT_TIMED_METADATA || !ev->data.timed)
        return;
    const sv_timed_event *e = ev->data.timed;
    if (app->events_log)
        write_line(app, e, elapsed_s);
    if (app->opt.log_level >= SV_LOG_INFO && !app->opt.quiet) {
        char line[600];
        svp_events_describe(e, line, sizeof(line));
        fprintf(stderr, "%ssvplay: %s\n", app->tty_progress ? "\r\033[K" : "", line);
    }
}
