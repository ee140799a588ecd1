/*
 * streamverse/stats.h - the player's quality-of-experience counters
 * (player.h includes this header; its fields are described here).
 *
 * Threads: sv_player_get_stats is thread-safe, like player.h's functions.
 */
#ifndef STREAMVERSE_STATS_H
#define STREAMVERSE_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

/* sv_player is player.h's, which includes this header; named by its struct
 * tag here so that this header compiles on its own. */
struct sv_player;

#ifdef __cplusplus
extern "C" {
#endif

/* A consistent snapshot of the session's quality-of-experience counters.
 * Initialise with SV_PLAYER_STATS_INIT. */
typedef struct sv_player_stats {
    size_t struct_size;
    double startup_time_s;      /* load to first frame; -1 before it */
    int64_t rebuffer_count;
    double rebuffer_time_s;
    int64_t switches;           /* video representation changes after the first */
    double mean_bitrate_bps;    /* time-weighted declared bitrate of what was played */
    int64_t decoded_frames;
    int64_t dropped_frames;
    double played_s;            /* media time presented */
    int64_t bytes_downloaded;
    int64_t segments_downloaded;
    int64_t segment_retries;    /* requests repeated after a failure */
    int64_t cdn_switches;
    double max_av_drift_s;      /* largest |audio - video| seen at presentation */
    /* (API 2.1) Segments given up and played over (their URLs come
     * with SV_EVENT_SEGMENT_SKIPPED), and the media time they covered. */
    int64_t skipped_segments;
    double skipped_s;
    /* (API 2.3) Live: now minus the program date time of the frame on
     * screen (DASH availabilityStartTime + its time, HLS
     * EXT-X-PROGRAM-DATE-TIME), sampled every 50 ms while playing: the
     * last sample and the median and 95th percentile of them all (10 ms
     * steps); -1 when not live or the stream gives no date. */
    double live_latency_s;
    double live_latency_p50_s;
    double live_latency_p95_s;
    double live_target_latency_s; /* the target held; -1 none */
    double playback_rate;         /* now: 1, or 0.95 to 1.05 holding the target */
    double min_playback_rate;     /* the lowest and highest played since load */
    double max_playback_rate;
    int64_t playback_rate_changes;
    /* (API 2.4) Text tracks, captions and thumbnails: pieces skipped
     * because they did not parse (a subtitle segment or file, a TTML
     * document or element, a caption packet, a thumbnail image), each
     * logged as a warning; playback goes on. */
    int64_t text_skipped;
    /* (API 2.5) HTTP: requests answered over HTTP/1.x and over HTTP/2
     * (every attempt: manifests, segments, keys, retries), and the
     * connections opened for them (one per host when HTTP/2 multiplexes
     * them all). Segment fetches (init and media; low-latency chunks read
     * while they are written excluded) from request to last byte: median
     * and 95th percentile, 1 ms steps under 1 s, 10 ms above; -1 before
     * the first. */
    int64_t http1_requests;
    int64_t http2_requests;
    int64_t connections_opened;
    double segment_fetch_p50_s;
    double segment_fetch_p95_s;
    /* (API 2.4) Timed events (SV_EVENT_TIMED_METADATA): reported, and
     * skipped because they were malformed (a DASH Event, emsg box,
     * EXT-X-DATERANGE or SCTE-35 section the player could not read; each
     * is logged as a warning naming what was wrong). */
    int64_t timed_events;
    int64_t timed_events_malformed;
} sv_player_stats;

#define SV_PLAYER_STATS_INIT SV_STRUCT_INIT(sv_player_stats)

/* Copies the current stats into as many fields as stats->struct_size holds.
 * Returns 0 or SV_ERR_INVALID (NULL, or struct_size too small).
 * Thread-safe. */
SV_API int sv_player_get_stats(struct sv_player *player, sv_player_stats *stats);

#ifdef __cplusplus
}
#endif

#endif /* STREAMVERSE_STATS_H */
