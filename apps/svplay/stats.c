/*
 * The --stats JSON: the player's own counters (sv_player_get_stats) plus
 * the timeline svplay saw in events: each rendition switch, each rebuffer
 * and each CDN change, stamped with seconds since the load command. A CDN
 * change also records what the player held then (buffer ahead, position,
 * segments fetched so far), so a test can tell that the switch came at
 * the next request and with how much media in hand. A rendition records
 * its codecs string, so a test can tell the codec never changed. A skipped
 * segment records its URL, the gap it left and why it was given up. Each
 * change of the subtitle text shown is stamped with the position it was
 * seen at (a real-time run tells when subtitles appear), and at the end the
 * track lists say which audio and text tracks played (language, roles).
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svplay.h"

typedef struct rendition_rec {
    double t_s;
    sv_track_type type;
    int index;
    int64_t bitrate_bps;
    int width, height;
    char codecs[64];   /* the representation's, from sv_player_get_representation() */
} rendition_rec;

typedef struct rebuffer_rec {
    double t_s, duration_s;
} rebuffer_rec;

typedef struct subtitle_rec {
    double t_s, position_s;        /* position -1 when unknown */
    char text[200];
} subtitle_rec;

typedef struct cdn_rec {
    double t_s;
    char from[64], to[64], reason[64];
    double buffer_s, position_s;   /* -1 when unknown */
    int64_t segments;              /* segments_downloaded at the change */
    int64_t rebuffers;             /* rebuffer_count at the change */
} cdn_rec;

typedef struct skip_rec {
    double t_s, start_s, duration_s;
    sv_track_type type;
    char url[256], reason[200];
} skip_rec;

typedef struct timed_rec {
    double t_s, start_s, duration_s, reported_at_s;
    char scheme[128], value[32], id[64];
} timed_rec;

struct svp_stats {
    rendition_rec *renditions;
    size_t nb_renditions, cap_renditions;
    rebuffer_rec *rebuffers;
    size_t nb_rebuffers, cap_rebuffers;
    cdn_rec *cdns;
    size_t nb_cdns, cap_cdns;
    skip_rec *skips;
    size_t nb_skips, cap_skips;
    subtitle_rec *subtitles;
    size_t nb_subtitles, cap_subtitles;
    timed_rec *timed;
    size_t nb_timed, cap_timed;
    timed_rec *ads;            /* interstitials started and ended (value "start", "end") */
    size_t nb_ads, cap_ads;
    double rebuffer_start_s;     /* -1 when not stalled */
    double load_unix_s;          /* 0 until the load command */
    json_t *items;               /* playlist items' figures, or NULL */
    uint64_t caption_services;   /* CEA-708 services carried (bit n), over the run */
    sv_caption_track_info caption_tracks[SVP_MAX_CAPTION_TRACKS]; /* the last list seen */
    int nb_caption_tracks;
};

int svp_stats_create(svp_stats **out)
{
    svp_stats *st = calloc(1, sizeof(*st));
    if (!st)
        return -1;
    st->rebuffer_start_s = -1;
    *out = st;
    return 0;
}

void svp_stats_destroy(svp_stats *st)
{
    if (!st)
        return;
    free(st->renditions);
    free(st->rebuffers);
    free(st->cdns);
    free(st->skips);
    free(st->subtitles);
    free(st->timed);
    free(st->ads);
    json_decref(st->items);
    free(st);
}

void svp_stats_item(svp_stats *st, json_t *item)
{
    if (!st->items)
        st->items = json_array();
    if (!st->items || json_array_append_new(st->items, item) < 0)
        json_decref(item);
}

/* Grows an array by one slot; returns the slot or NULL. */
static void *grow(void **arr, size_t *nb, size_t *cap, size_t elem)
{
    if (*nb == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        void *n = realloc(*arr, ncap * elem);
        if (!n)
            return NULL;
        *arr = n;
        *cap = ncap;
    }
    return (char *)*arr + (*nb)++ * elem;
}

static void copy_id(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

static void record_cdn(svp_stats *st, const sv_event *ev, double t_s, sv_player *player)
{
    sv_player_stats ps = SV_PLAYER_STATS_INIT;
    cdn_rec *r = grow((void **)&st->cdns, &st->nb_cdns, &st->cap_cdns, sizeof(*r));

    if (!r)
        return;
    r->t_s = t_s;
    copy_id(r->from, sizeof(r->from), ev->data.cdn.from);
    copy_id(r->to, sizeof(r->to), ev->data.cdn.to);
    copy_id(r->reason, sizeof(r->reason), ev->data.cdn.reason);
    r->buffer_s = r->position_s = -1;
    r->segments = r->rebuffers = -1;
    /* Read as the event arrives: the player moved on by at most the time
     * this thread took to wake, a few milliseconds. */
    if (!player)
        return;
    if (sv_player_get_double(player, SV_PROP_BUFFER, &r->buffer_s) < 0)
        r->buffer_s = -1;
    if (sv_player_get_double(player, SV_PROP_POSITION, &r->position_s) < 0)
        r->position_s = -1;
    if (sv_player_get_stats(player, &ps) == 0) {
        r->segments = ps.segments_downloaded;
        r->rebuffers = ps.rebuffer_count;
    }
}

/* The codecs of representation `rep` of the selected track of `type` ("" if unknown). */
static void rendition_codecs(sv_player *player, sv_track_type type, int rep, char *out,
                             size_t len)
{
    int n = player ? sv_player_track_count(player, type) : 0;
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        sv_track_info ti = SV_TRACK_INFO_INIT;
        sv_representation_info ri = SV_REPRESENTATION_INFO_INIT;
        if (sv_player_get_track(player, type, i, &ti) == 0 && ti.selected &&
            sv_player_get_representation(player, type, i, rep, &ri) == 0) {
            snprintf(out, len, "%s", ri.codecs);
            return;
        }
    }
}

/* The caption tracks, kept past the unload (which empties the list). */
static void note_captions(svp_stats *st, sv_player *player)
{
    int n = player ? sv_player_caption_track_count(player) : 0;

    if (n <= 0)
        return;
    st->nb_caption_tracks = 0;
    for (int i = 0; i < n && st->nb_caption_tracks < SVP_MAX_CAPTION_TRACKS; i++) {
        sv_caption_track_info *t = &st->caption_tracks[st->nb_caption_tracks];
        *t = (sv_caption_track_info)SV_CAPTION_TRACK_INFO_INIT;
        if (sv_player_get_caption_track(player, i, t) < 0)
            continue;
        st->nb_caption_tracks++;
        if (t->carried && !strncmp(t->name, "SERVICE", 7))
            st->caption_services |= (uint64_t)1 << atoi(t->name + 7);
    }
}

void svp_stats_event(svp_stats *st, const sv_event *ev, double t_s, sv_player *player)
{
    if (!st)
        return;
    note_captions(st, player);
    if (ev->id == SV_EVENT_CDN_CHANGED) {
        record_cdn(st, ev, t_s, player);
        return;
    }
    if (ev->id == SV_EVENT_SEGMENT_SKIPPED) {
        skip_rec *r = grow((void **)&st->skips, &st->nb_skips, &st->cap_skips, sizeof(*r));
        if (!r)
            return;
        r->t_s = t_s;
        r->type = ev->data.skip.type;
        r->start_s = ev->data.skip.start_s;
        r->duration_s = ev->data.skip.duration_s;
        copy_id(r->url, sizeof(r->url), ev->data.skip.url);
        copy_id(r->reason, sizeof(r->reason), ev->data.skip.reason);
        return;
    }
    if (ev->id == SV_EVENT_TIMED_METADATA && ev->data.timed) {
        const sv_timed_event *e = ev->data.timed;
        timed_rec *r = grow((void **)&st->timed, &st->nb_timed, &st->cap_timed, sizeof(*r));
        if (!r)
            return;
        r->t_s = t_s;
        r->start_s = e->start_s;
        r->duration_s = e->duration_s;
        r->reported_at_s = e->reported_at_s;
        copy_id(r->scheme, sizeof(r->scheme), e->scheme);
        copy_id(r->value, sizeof(r->value), e->value);
        copy_id(r->id, sizeof(r->id), e->id);
        return;
    }
    if (ev->id == SV_EVENT_INTERSTITIAL_START || ev->id == SV_EVENT_INTERSTITIAL_END) {
        timed_rec *r = grow((void **)&st->ads, &st->nb_ads, &st->cap_ads, sizeof(*r));
        if (!r)
            return;
        r->t_s = t_s;
        r->start_s = ev->data.interstitial.position_s;
        r->duration_s = ev->data.interstitial.duration_s;
        r->reported_at_s = ev->error;
        copy_id(r->scheme, sizeof(r->scheme), ev->data.interstitial.asset_uri);
        copy_id(r->value, sizeof(r->value), ev->id == SV_EVENT_INTERSTITIAL_START ? "start" : "end");
        copy_id(r->id, sizeof(r->id), ev->data.interstitial.id);
        return;
    }
    if (ev->id == SV_EVENT_SUBTITLE) {
        subtitle_rec *r = grow((void **)&st->subtitles, &st->nb_subtitles, &st->cap_subtitles,
                               sizeof(*r));
        if (!r)
            return;
        r->t_s = t_s;
        if (!player || sv_player_get_double(player, SV_PROP_POSITION, &r->position_s) < 0)
            r->position_s = -1;
        copy_id(r->text, sizeof(r->text), ev->data.subtitle.text);
        return;
    }
    if (ev->id == SV_EVENT_RENDITION_CHANGED) {
        rendition_rec *r = grow((void **)&st->renditions, &st->nb_renditions,
                                &st->cap_renditions, sizeof(*r));
        if (!r)
            return;
        r->t_s = t_s;
        r->type = ev->data.rendition.type;
        r->index = ev->data.rendition.index;
        r->bitrate_bps = ev->data.rendition.bitrate_bps;
        r->width = ev->data.rendition.width;
        r->height = ev->data.rendition.height;
        rendition_codecs(player, r->type, r->index, r->codecs, sizeof(r->codecs));
    } else if (ev->id == SV_EVENT_REBUFFER_START) {
        st->rebuffer_start_s = t_s;
    } else if (ev->id == SV_EVENT_REBUFFER_END) {
        rebuffer_rec *r = grow((void **)&st->rebuffers, &st->nb_rebuffers, &st->cap_rebuffers,
                               sizeof(*r));
        if (!r)
            return;
        /* The end event carries the stall's length; its start is ours when
         * we saw it, else worked back from the end. */
        r->duration_s = ev->data.rebuffer.duration_s;
        r->t_s = st->rebuffer_start_s >= 0 ? st->rebuffer_start_s : t_s - r->duration_s;
        st->rebuffer_start_s = -1;
    }
}

void svp_stats_loaded(svp_stats *st, double unix_s)
{
    st->load_unix_s = unix_s;
}

static const char *track_type_name(sv_track_type t)
{
    return t == SV_TRACK_VIDEO ? "video" : t == SV_TRACK_AUDIO ? "audio" : "text";
}

static json_t *timeline_json(const svp_stats *st)
{
    json_t *renditions = json_array(), *rebuffers = json_array(), *cdns = json_array();
    json_t *skips = json_array();
    json_t *obj = json_object();

    for (size_t i = 0; st && i < st->nb_renditions; i++) {
        const rendition_rec *r = &st->renditions[i];
        json_array_append_new(renditions,
                              json_pack("{s:f,s:s,s:i,s:I,s:i,s:i,s:s}", "t_s", r->t_s,
                                        "type", track_type_name(r->type), "index", r->index,
                                        "bitrate_bps", (json_int_t)r->bitrate_bps, "width",
                                        r->width, "height", r->height, "codecs", r->codecs));
    }
    for (size_t i = 0; st && i < st->nb_rebuffers; i++)
        json_array_append_new(rebuffers, json_pack("{s:f,s:f}", "t_s", st->rebuffers[i].t_s,
                                                   "duration_s", st->rebuffers[i].duration_s));
    for (size_t i = 0; st && i < st->nb_cdns; i++) {
        const cdn_rec *r = &st->cdns[i];
        json_array_append_new(cdns, json_pack("{s:f,s:s,s:s,s:s,s:f,s:f,s:I,s:I}", "t_s", r->t_s,
                                              "from", r->from, "to", r->to, "reason", r->reason,
                                              "buffer_s", r->buffer_s, "position_s",
                                              r->position_s, "segments_downloaded",
                                              (json_int_t)r->segments, "rebuffer_count",
                                              (json_int_t)r->rebuffers));
    }
    json_t *subs = json_array();
    for (size_t i = 0; st && i < st->nb_subtitles; i++)
        json_array_append_new(subs, json_pack("{s:f,s:f,s:s}", "t_s", st->subtitles[i].t_s,
                                              "position_s", st->subtitles[i].position_s,
                                              "text", st->subtitles[i].text));
    json_object_set_new(obj, "renditions", renditions);
    json_object_set_new(obj, "rebuffers", rebuffers);
    for (size_t i = 0; st && i < st->nb_skips; i++) {
        const skip_rec *r = &st->skips[i];
        json_array_append_new(skips, json_pack("{s:f,s:s,s:s,s:f,s:f,s:s}", "t_s", r->t_s,
                                               "track", track_type_name(r->type), "url",
                                               r->url, "start_s", r->start_s, "duration_s",
                                               r->duration_s, "reason", r->reason));
    }
    json_object_set_new(obj, "cdn_changes", cdns);
    json_object_set_new(obj, "segment_skips", skips);
    json_object_set_new(obj, "subtitles", subs);
    json_t *timed = json_array();
    for (size_t i = 0; st && i < st->nb_timed; i++) {
        const timed_rec *r = &st->timed[i];
        json_array_append_new(timed, json_pack("{s:f,s:s,s:s,s:s,s:f,s:f,s:f}", "t_s", r->t_s,
                                               "scheme", r->scheme, "value", r->value, "id", r->id,
                                               "start_s", r->start_s, "duration_s", r->duration_s,
                                               "reported_at_s", r->reported_at_s));
    }
    json_object_set_new(obj, "timed_events_list", timed);
    /* Interstitials: the title's position at each start and end (where it
     * resumes), the seconds of the ad played, the asset. */
    json_t *ads = json_array();
    for (size_t i = 0; st && i < st->nb_ads; i++) {
        const timed_rec *r = &st->ads[i];
        json_array_append_new(ads, json_pack("{s:f,s:s,s:s,s:s,s:f,s:f,s:i}", "t_s", r->t_s,
                                             "kind", r->value, "id", r->id, "asset_uri",
                                             r->scheme, "position_s", r->start_s, "duration_s",
                                             r->duration_s, "error", (int)r->reported_at_s));
    }
    json_object_set_new(obj, "interstitials", ads);
    return obj;
}

/* Every audio and text track of the presentation, as the player lists
 * them at the end: which one played, its language and roles. */
static json_t *tracks_json(sv_player *player)
{
    json_t *arr = json_array();
    static const sv_track_type types[] = { SV_TRACK_VIDEO, SV_TRACK_AUDIO, SV_TRACK_TEXT };

    for (size_t k = 0; player && k < sizeof(types) / sizeof(types[0]); k++) {
        int n = sv_player_track_count(player, types[k]);
        for (int i = 0; i < n; i++) {
            sv_track_info ti = SV_TRACK_INFO_INIT;
            if (sv_player_get_track(player, types[k], i, &ti) < 0)
                continue;
            json_array_append_new(arr, json_pack("{s:s,s:i,s:b,s:b,s:s,s:s,s:s,s:s}", "type",
                                                 track_type_name(types[k]), "index", i,
                                                 "selected", ti.selected, "default",
                                                 ti.is_default, "language", ti.language,
                                                 "label", ti.label, "roles", ti.roles,
                                                 "codecs", ti.codecs));
        }
    }
    return arr;
}

int svp_stats_write(const svp_stats *st, const char *path, sv_player *player,
                    int64_t audio_frames, int64_t audio_silence_frames,
                    const char *audio_md5, int error_code, const char *error_message,
                    int exit_code)
{
    sv_player_stats ps = SV_PLAYER_STATS_INIT;
    int ret = -1;

    ps.startup_time_s = -1;
    ps.segment_fetch_p50_s = ps.segment_fetch_p95_s = -1;
    if (player)
        sv_player_get_stats(player, &ps);
    json_t *root = json_object();
    json_object_set_new(root, "startup_time_s", json_real(ps.startup_time_s));
    json_object_set_new(root, "rebuffer_count", json_integer(ps.rebuffer_count));
    json_object_set_new(root, "rebuffer_time_s", json_real(ps.rebuffer_time_s));
    json_object_set_new(root, "switches", json_integer(ps.switches));
    json_object_set_new(root, "mean_bitrate_bps", json_real(ps.mean_bitrate_bps));
    json_object_set_new(root, "decoded_frames", json_integer(ps.decoded_frames));
    json_object_set_new(root, "dropped_frames", json_integer(ps.dropped_frames));
    json_object_set_new(root, "played_s", json_real(ps.played_s));
    json_object_set_new(root, "bytes_downloaded", json_integer(ps.bytes_downloaded));
    json_object_set_new(root, "segments_downloaded", json_integer(ps.segments_downloaded));
    json_object_set_new(root, "segment_retries", json_integer(ps.segment_retries));
    json_object_set_new(root, "cdn_switches", json_integer(ps.cdn_switches));
    json_object_set_new(root, "max_av_drift_s", json_real(ps.max_av_drift_s));
    json_object_set_new(root, "skipped_segments", json_integer(ps.skipped_segments));
    json_object_set_new(root, "skipped_s", json_real(ps.skipped_s));
    json_object_set_new(root, "live_latency_s", json_real(ps.live_latency_s));
    json_object_set_new(root, "live_latency_p50_s", json_real(ps.live_latency_p50_s));
    json_object_set_new(root, "live_latency_p95_s", json_real(ps.live_latency_p95_s));
    json_object_set_new(root, "live_target_latency_s", json_real(ps.live_target_latency_s));
    json_object_set_new(root, "playback_rate", json_real(ps.playback_rate));
    json_object_set_new(root, "min_playback_rate", json_real(ps.min_playback_rate));
    json_object_set_new(root, "max_playback_rate", json_real(ps.max_playback_rate));
    json_object_set_new(root, "playback_rate_changes", json_integer(ps.playback_rate_changes));
    json_object_set_new(root, "text_skipped", json_integer(ps.text_skipped));
    json_t *services = json_array();
    for (int n = 1; n < 64; n++)
        if (st && (st->caption_services >> n & 1))
            json_array_append_new(services, json_integer(n));
    json_object_set_new(root, "caption_services", services);
    json_t *tracks = json_array();
    for (int i = 0; st && i < st->nb_caption_tracks; i++) {
        const sv_caption_track_info *t = &st->caption_tracks[i];
        json_array_append_new(tracks, json_pack("{s:s, s:s, s:s, s:b, s:b, s:b}", "name", t->name,
                                                "language", t->language, "label", t->label,
                                                "declared", t->declared, "carried", t->carried,
                                                "selected", t->selected));
    }
    json_object_set_new(root, "caption_tracks", tracks);
    json_object_set_new(root, "http1_requests", json_integer(ps.http1_requests));
    json_object_set_new(root, "http2_requests", json_integer(ps.http2_requests));
    json_object_set_new(root, "connections_opened", json_integer(ps.connections_opened));
    json_object_set_new(root, "segment_fetch_p50_s", json_real(ps.segment_fetch_p50_s));
    json_object_set_new(root, "segment_fetch_p95_s", json_real(ps.segment_fetch_p95_s));
    json_object_set_new(root, "timed_events", json_integer(ps.timed_events));
    json_object_set_new(root, "timed_events_malformed", json_integer(ps.timed_events_malformed));
    json_object_set_new(root, "audio_frames", json_integer(audio_frames));
    json_object_set_new(root, "audio_silence_frames", json_integer(audio_silence_frames));
    json_object_set_new(root, "audio_md5", audio_md5 ? json_string(audio_md5) : json_null());
    json_object_set_new(root, "load_unix_s",
                        st && st->load_unix_s > 0 ? json_real(st->load_unix_s) : json_null());
    if (st && st->items)
        json_object_set(root, "items", st->items);
    json_t *tl = timeline_json(st);
    json_object_update(root, tl);
    json_decref(tl);
    json_object_set_new(root, "tracks", tracks_json(player));
    if (error_code)
        json_object_set_new(root, "error",
                            json_pack("{s:i,s:s}", "code", error_code, "message",
                                      error_message ? error_message : sv_strerror(error_code)));
    else
        json_object_set_new(root, "error", json_null());
    json_object_set_new(root, "exit_code", json_integer(exit_code));

    FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
    if (!f) {
        fprintf(stderr, "svplay: cannot write %s: %s\n", path, strerror(errno));
        goto fail;
    }
    int dumped = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 &&
                 fputc('\n', f) != EOF;
    int closed = f == stdout ? fflush(f) == 0 : fclose(f) == 0;
    if (!dumped || !closed) {
        fprintf(stderr, "svplay: cannot write %s\n", path);
        goto fail;
    }
    ret = 0;
fail:
    json_decref(root);
    return ret;
}
