/*
 * Properties, stats, names and the track lists the host reads. Everything
 * here is a snapshot under player->lock; nothing waits for the network.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "player/core/internal.h"
#include "platform/abi.h"
#include "player/model/track_prefs.h"

/* The sizes of the first published versions (ABI 1) of the structs written here. */
#define STATS_V1 SV__SIZE_TO(sv_player_stats, max_av_drift_s)
#define TRACK_V1 SV__SIZE_TO(sv_track_info, codecs)
#define REP_V1 SV__SIZE_TO(sv_representation_info, id)

const char *sv_player_state_name(sv_player_state s)
{
    static const char *const names[] = { "idle", "loading", "buffering", "playing",
                                         "paused", "seeking", "ended", "error" };
    return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

const char *sv_event_name(sv_event_id id)
{
    static const char *const names[] = { "none", "command-reply", "state-changed",
                                         "tracks-changed", "rendition-changed",
                                         "rebuffer-start", "rebuffer-end", "seek-done",
                                         "cdn-changed", "end-of-file", "error",
                                         "subtitle", "session", "segment-skipped",
                                         "subtitle-cue", "timed-metadata",
                                         "trick-rate", "preload" };
    return (unsigned)id < sizeof(names) / sizeof(names[0]) ? names[id] : "unknown";
}

/* How many properties there are: the last value of sv_property plus one
 * (move it when a property is appended; the ABI test names each one).
 * Kept here, not in player.h, so that adding a property never changes a
 * public constant a host may have compiled in. */
#define PROP_COUNT ((unsigned)SV_PROP_TRICK_RATE + 1)

static const char *const prop_names[PROP_COUNT] = {
    "state", "position", "duration", "buffer", "bitrate", "throughput", "dropped-frames",
    "decoded-frames", "rebuffer-count", "rebuffer-time", "volume", "mute", "video-width",
    "video-height", "quality-index", "quality-locked", "startup-time", "av-drift",
    "live-latency", "playback-rate", "seekable-start", "seekable-end", "trick-rate",
};

const char *sv_property_name(sv_property prop)
{
    return (unsigned)prop < PROP_COUNT ? prop_names[prop] : NULL;
}

/* Reads one property as a double (is_int says whether it is an integer). */
static int get_locked(struct sv_player *p, sv_property prop, double *out, int *is_int)
{
    *is_int = 1;
    switch (prop) {
    case SV_PROP_STATE: *out = p->st.state; return 0;
    case SV_PROP_DROPPED_FRAMES: *out = (double)p->st.stats.dropped_frames; return 0;
    case SV_PROP_DECODED_FRAMES: *out = (double)p->st.stats.decoded_frames; return 0;
    case SV_PROP_REBUFFER_COUNT: *out = (double)p->st.stats.rebuffer_count; return 0;
    case SV_PROP_MUTE: *out = p->st.muted; return 0;
    case SV_PROP_QUALITY_LOCKED: *out = p->st.quality_locked; return 0;
    case SV_PROP_TRICK_RATE: *out = p->st.trick_rate ? p->st.trick_rate : 1; return 0;
    default: break;
    }
    int idle = p->st.state == SV_STATE_IDLE;
    switch (prop) {
    case SV_PROP_BITRATE: *out = (double)p->st.bitrate_bps; return idle ? SV_ERR_STATE : 0;
    case SV_PROP_VIDEO_WIDTH: *out = p->st.video_width; return p->st.video_width ? 0 : SV_ERR_STATE;
    case SV_PROP_VIDEO_HEIGHT: *out = p->st.video_height; return p->st.video_height ? 0 : SV_ERR_STATE;
    case SV_PROP_QUALITY_INDEX: *out = p->st.quality_index; return p->st.quality_index >= 0 ? 0 : SV_ERR_STATE;
    default: break;
    }
    *is_int = 0;
    switch (prop) {
    case SV_PROP_POSITION: *out = p->st.position_s; return idle ? SV_ERR_STATE : 0;
    case SV_PROP_DURATION: *out = p->st.duration_s; return idle ? SV_ERR_STATE : 0;
    case SV_PROP_BUFFER: *out = p->st.buffer_s; return idle ? SV_ERR_STATE : 0;
    case SV_PROP_THROUGHPUT: *out = p->st.throughput_bps; return p->st.throughput_bps > 0 ? 0 : SV_ERR_STATE;
    case SV_PROP_REBUFFER_TIME: *out = p->st.stats.rebuffer_time_s; return 0;
    case SV_PROP_VOLUME: *out = p->st.volume; return 0;
    case SV_PROP_STARTUP_TIME:
        *out = p->st.stats.startup_time_s;
        return p->st.stats.startup_time_s >= 0 ? 0 : SV_ERR_STATE;
    case SV_PROP_AV_DRIFT: *out = p->st.av_drift_s; return idle ? SV_ERR_STATE : 0;
    case SV_PROP_LIVE_LATENCY:
        *out = p->st.stats.live_latency_s;
        return !idle && p->st.live && p->st.stats.live_latency_s >= 0 ? 0 : SV_ERR_STATE;
    case SV_PROP_PLAYBACK_RATE:
        *out = p->st.stats.playback_rate;
        return !idle && p->st.live ? 0 : SV_ERR_STATE;
    case SV_PROP_SEEKABLE_START:
        *out = p->st.seekable_start_s;
        return !idle && p->st.live > 1 ? 0 : SV_ERR_STATE;
    case SV_PROP_SEEKABLE_END:
        *out = p->st.seekable_end_s;
        return !idle && p->st.live > 1 ? 0 : SV_ERR_STATE;
    default: return SV_ERR_INVALID;
    }
}

int sv_player_get_double(sv_player *p, sv_property prop, double *out)
{
    if (!p || !out || (unsigned)prop >= PROP_COUNT)
        return SV_ERR_INVALID;
    int is_int;
    double v = 0;
    sv__mutex_lock(&p->st.lock);
    int r = get_locked(p, prop, &v, &is_int);
    sv__mutex_unlock(&p->st.lock);
    if (r == 0)
        *out = v;
    return r;
}

int sv_player_get_int64(sv_player *p, sv_property prop, int64_t *out)
{
    double v;
    int r = sv_player_get_double(p, prop, &v);
    if (r == 0)
        *out = (int64_t)v;
    return r;
}

int sv_player_get_thumbnail(sv_player *p, double t, sv_thumbnail *thumb)
{
    if (!p || !isfinite(t) || sv__struct_size(thumb) < sizeof(sv_thumbnail))
        return SV_ERR_INVALID;
    return sv__thumbs_get(p->thumbs, t, thumb);
}

int sv_player_get_stats(sv_player *p, sv_player_stats *host)
{
    if (!p || sv__struct_size(host) < STATS_V1)
        return SV_ERR_INVALID;
    sv_player_stats full, *st = &full;
    sv__mutex_lock(&p->st.lock);
    *st = p->st.stats;
    st->mean_bitrate_bps = p->st.bitrate_time_weight > 0
                               ? p->st.bitrate_weighted_sum / p->st.bitrate_time_weight : 0;
    sv__mutex_unlock(&p->st.lock);
    sv__fetch_stats fs;
    if (p->fetcher) {
        /* The fetcher's counters belong to the loop thread; the integers are
         * read racily but each is a plain word, and stats are advisory. */
        sv__fetcher_stats(p->fetcher, &fs);
        st->segment_retries = fs.retries;
        st->cdn_switches = fs.cdn_switches;
        st->http1_requests = fs.http1_requests;
        st->http2_requests = fs.http2_requests;
        st->connections_opened = fs.connections;
        st->segment_fetch_p50_s = fs.segment_fetch_p50_s;
        st->segment_fetch_p95_s = fs.segment_fetch_p95_s;
    } else {
        st->segment_fetch_p50_s = st->segment_fetch_p95_s = -1;
    }
    return sv__struct_write(host, &full, sizeof(full), STATS_V1);
}

/* ---- tracks ------------------------------------------------------------------ */

int sv_player_track_count(sv_player *p, sv_track_type type)
{
    if (!p || (unsigned)type > SV_TRACK_TEXT)
        return SV_ERR_INVALID;
    sv__mutex_lock(&p->st.lock);
    int n = p->nb_tracks[type];
    sv__mutex_unlock(&p->st.lock);
    return n;
}

int sv_player_get_track(sv_player *p, sv_track_type type, int index, sv_track_info *host)
{
    if (!p || sv__struct_size(host) < TRACK_V1 || (unsigned)type > SV_TRACK_TEXT)
        return SV_ERR_INVALID;
    int r = SV_ERR_RANGE;
    sv_track_info full, *info = &full;
    sv__mutex_lock(&p->st.lock);
    if (index >= 0 && index < p->nb_tracks[type]) {
        *info = p->tracks[type][index];
        info->selected = (type == SV_TRACK_VIDEO && index == p->video_track) ||
                         (type == SV_TRACK_AUDIO && index == p->audio_track) ||
                         (type == SV_TRACK_TEXT && index == p->text_track);
        r = 0;
    }
    sv__mutex_unlock(&p->st.lock);
    return r < 0 ? r : sv__struct_write(host, &full, sizeof(full), TRACK_V1);
}

int sv_player_get_representation(sv_player *p, sv_track_type type, int index, int rep,
                                 sv_representation_info *host)
{
    if (!p || sv__struct_size(host) < REP_V1 || (unsigned)type > SV_TRACK_TEXT)
        return SV_ERR_INVALID;
    int r = SV_ERR_RANGE;
    sv_representation_info full;
    sv__mutex_lock(&p->st.lock);
    if (index >= 0 && index < p->nb_tracks[type] && rep >= 0 && rep < p->nb_reps[type][index]) {
        full = p->reps[type][index][rep];
        r = 0;
    }
    sv__mutex_unlock(&p->st.lock);
    return r < 0 ? r : sv__struct_write(host, &full, sizeof(full), REP_V1);
}

static void copy_str(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

void sv__props_clear(struct sv_player *p)
{
    sv__mutex_lock(&p->st.lock);
    for (int t = 0; t < 3; t++) {
        for (int i = 0; i < SV__MAX_TRACKS; i++) {
            sv__free(p->settings.allocator, p->reps[t][i]);
            p->reps[t][i] = NULL;
            p->nb_reps[t][i] = 0;
        }
        p->nb_tracks[t] = 0;
    }
    p->st.video_width = p->st.video_height = 0;
    p->st.quality_index = -1;
    sv__mutex_unlock(&p->st.lock);
}

void sv__props_publish_tracks(struct sv_player *p)
{
    sv__props_clear(p);
    if (!p->pres || !p->pres->nb_periods)
        return;
    const sv__period *per = &p->pres->periods[0];
    sv__mutex_lock(&p->st.lock);
    for (size_t i = 0; i < per->nb_tracks; i++) {
        const sv__track *t = &per->tracks[i];
        int type = t->type;
        if ((unsigned)type > SV_TRACK_TEXT || p->nb_tracks[type] >= SV__MAX_TRACKS)
            continue;
        int k = p->nb_tracks[type]++;
        sv_track_info *ti = &p->tracks[type][k];
        memset(ti, 0, sizeof(*ti));
        ti->index = k;
        ti->type = t->type;
        ti->nb_representations = (int)t->nb_reps;
        ti->encrypted = t->encrypted;
        ti->is_default = t->is_default;
        copy_str(ti->language, sizeof(ti->language), t->language);
        copy_str(ti->label, sizeof(ti->label), t->label);
        copy_str(ti->codecs, sizeof(ti->codecs), t->codecs);
        sv__role_names(t->roles, ti->roles, sizeof(ti->roles));
        p->reps[type][k] = sv__calloc(p->settings.allocator, t->nb_reps ? t->nb_reps : 1, sizeof(sv_representation_info));
        if (!p->reps[type][k])
            continue;
        p->nb_reps[type][k] = (int)t->nb_reps;
        for (size_t r = 0; r < t->nb_reps; r++) {
            const sv__rep *rep = &t->reps[r];
            sv_representation_info *ri = &p->reps[type][k][r];
            ri->index = (int)r;
            ri->bandwidth_bps = rep->bandwidth;
            ri->width = rep->width;
            ri->height = rep->height;
            ri->frame_rate = rep->frame_rate;
            copy_str(ri->codecs, sizeof(ri->codecs), rep->codecs);
            copy_str(ri->id, sizeof(ri->id), rep->id);
        }
    }
    sv__mutex_unlock(&p->st.lock);
    sv_event ev = { .id = SV_EVENT_TRACKS_CHANGED };
    sv__events_push(&p->events, &ev, NULL, NULL, NULL);
}

SV_API int sv_player_get_subtitle(sv_player *p, char *buf, size_t cap)
{
    if (!p || !buf || !cap)
        return SV_ERR_INVALID;
    return sv__subs_text(p->subs, buf, cap);
}
