/*
 * The presentation model: HLS and DASH both become periods -> tracks ->
 * representations -> segments, and the scheduler only ever sees this model.
 *
 * Building a model does no I/O. The control loop fetches a manifest and hands
 * its text to sv__model_create(); what the model still needs (HLS media
 * playlists, DASH SegmentBase `sidx` boxes, a live refresh) is described by
 * fields the loop reads (rep->playlist_url, rep->index_range, pres->refresh_s)
 * and fed back with the sv__model_* calls below.
 *
 * Memory: everything a presentation points to lives in pres->arena, except
 * each representation's segments, which live in its own arena
 * (rep->seg_arena) so a live refresh can replace them without growing the
 * presentation forever. Segments the manifest lists one by one (HLS, DASH
 * SegmentList and sidx) are an array of 80-byte records whose URLs are a
 * pattern and a number (uri_table.h): a million cost 80 MB, not a million
 * allocations. Segments a DASH SegmentTemplate describes are not stored at
 * all: the rep keeps runs of equal segments (a SegmentTimeline's <S t d r>,
 * or @duration numbering) and sv__rep_segment() computes segment i and
 * sv__segment_url() its URL on demand, so a timeline of a million segments
 * costs a few bytes per run. Not thread-safe: the control thread owns a model.
 * Segments and the resources they point to stay valid until the next
 * load/refresh of that representation; hold (period, track, rep, segment
 * number) across calls, not pointers. A DASH refresh that adds a period moves pres->periods (the
 * tracks and reps arrays stay put).
 *
 * Timelines: DASH segment times are period start + (t -
 * presentationTimeOffset) / timescale. HLS VOD starts at 0; HLS live time 0
 * is the start of the first segment of the first media playlist loaded, and
 * every later load (refresh, or another variant or rendition) is placed on
 * that timeline by media sequence number.
 */
#ifndef SV_PLAYER_MODEL_H
#define SV_PLAYER_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "player/manifest/parse_error.h"
#include "player/manifest/timed.h"
#include "player/model/uri_table.h"
#include "platform/arena.h"
#include "streamverse/player.h"

typedef enum sv__source_kind {
    SV__SOURCE_HLS,
    SV__SOURCE_DASH,
    SV__SOURCE_FILE      /* a plain media file: libavformat opens the URL itself */
} sv__source_kind;

/* Whole-segment (HLS AES-128) or sample (SAMPLE-AES[-CTR]) encryption
 * announced by the manifest. CENC keys of fMP4 come from the init segment. */
typedef enum sv__key_method {
    SV__KEY_NONE = 0,
    SV__KEY_AES128,          /* HLS METHOD=AES-128: AES-CBC over the whole segment */
    SV__KEY_SAMPLE_AES,      /* cbcs in fMP4 */
    SV__KEY_SAMPLE_AES_CTR   /* cenc in fMP4 */
} sv__key_method;

typedef struct sv__key {
    sv__key_method method;
    const char *uri;         /* key URI (AES-128: fetch 16 bytes from it), or NULL */
    const char *keyformat;   /* "identity", a ClearKey keyformat, ... */
    uint8_t iv[16];
    int has_iv;              /* 0: IV is the segment's media sequence number */
} sv__key;

/* A resource or a byte range of one; length -1 means to the end. */
typedef struct sv__resource {
    const char *url;         /* absolute; NULL when there is none */
    int64_t offset, length;
} sv__resource;

/* One segment: 80 bytes on LP64 and no string of its own, so a playlist
 * of a million segments costs 80 MB here (its URL is a pattern of the rep's
 * uri table and a number: sv__segment_url()). */
typedef struct sv__segment {
    double start;            /* seconds on the presentation timeline */
    double duration;         /* seconds; cut at the end of its period */
    int64_t number;          /* HLS media sequence / DASH $Number$; increasing */
    int64_t disc;            /* discontinuity sequence (HLS) / period index (DASH):
                                when it changes the demuxer starts afresh */
    int64_t offset, length;  /* the bytes of its URL; length -1 means to the end */
    const sv__resource *init; /* init segment (EXT-X-MAP / DASH Initialization), NULL for TS */
    const sv__key *key;      /* NULL when the manifest announces no encryption */
    uint64_t uri_number;     /* its URL: pattern `uri` of rep->uris with this number;
                                for a rep computed from template runs, its $Time$ */
    uint32_t uri;
    int8_t gap;              /* EXT-X-GAP: no media, skip it */
    int8_t independent;      /* a decoder can start here: a whole segment, or an LL-HLS
                                part with INDEPENDENT=YES */
    int16_t part;            /* LL-HLS: 1 + the index of the EXT-X-PART this entry is
                                within segment `number` (the playlist lists the parts of
                                its last segments instead of them); 0: a whole segment */
} sv__segment;

/* HLS: a variant's id is its STABLE-VARIANT-ID (or ""); an EXT-X-MEDIA
 * rendition's rep has id = GROUP-ID and bandwidth 0 (HLS declares no
 * rendition bitrate), ordered by the cheapest variant that uses the group.
 * A rendition without URI (carried in the variant's segments) is READY with
 * no segments and playlist_url NULL. */
typedef struct sv__rep {
    int index;                   /* in its track, 0.. sorted by bandwidth ascending */
    const char *id;              /* manifest ID ("" if none) */
    int64_t bandwidth;           /* declared, bit/s (0: unknown) */
    int64_t average_bandwidth;   /* 0 when unknown */
    int width, height;           /* 0 for audio / unknown */
    double frame_rate;           /* 0 when unknown */
    const char *codecs;          /* "" when unknown */
    const char *mime_type;       /* "" when unknown */
    int audio_sample_rate;       /* 0 when unknown */

    /* Segments, sorted by start; valid when seg_state == SV__SEGS_READY.
     * Read segment i (< nb_segs) with sv__rep_segment(). */
    enum { SV__SEGS_NEED_PLAYLIST, SV__SEGS_NEED_INDEX, SV__SEGS_READY } seg_state;
    size_t nb_segs;
    sv__segment *seg_array;      /* the segments stored one by one, or NULL when they
                                    are computed from runs */
    struct sv__seg_runs *runs;   /* DASH SegmentTemplate: the runs they are computed
                                    from (model_internal.h), or NULL */
    sv__uri_table *uris;         /* the stored segments' URLs (uri_table.h) */
    sv__arena *seg_arena;        /* owns seg_array or runs, uris and their strings */
    /* DASH: the list holds the last segment of the rep's period (a static
     * MPD, a sidx, or a live period whose end has become available), so
     * nothing more will come for it; 0 otherwise, and always for HLS. */
    int complete;
    /* DASH availabilityTimeComplete="false" (low-latency chunked delivery):
     * a segment is listed from availabilityTimeOffset before its end, when
     * its first chunks are written, and the scheduler reads it as it grows
     * (the fetcher hands each piece on as it arrives). */
    int chunked;
    /* LL-HLS, from the last media playlist loaded (RFC 8216bis 6.2.5):
     * blocking reloads ask for part `next_part` of segment `next_msn` (the
     * one after the last listed), delta updates (_HLS_skip=YES) are
     * answered. The preload hint, when there is one, is listed as the
     * last entry (duration: the part target) so it is asked for ahead. */
    struct {
        int can_block, can_skip;
        int64_t next_msn;
        int next_part;
        double part_target;
        double target_duration;  /* EXT-X-TARGETDURATION: a server holds a blocking
                                    reload or a preload hint up to three of them */
        /* EXT-X-RENDITION-REPORT: where the other renditions' playlists
         * end (in seg_arena; replaced with each load). */
        const struct sv__ll_report { const char *uri; int64_t last_msn, last_part; } *reports;
        size_t nb_reports;
    } ll;

    /* What is still needed to list the segments: */
    const char *playlist_url;    /* HLS media playlist (NEED_PLAYLIST, and live refresh);
                                    follows the URL of the last load (redirects) */
    sv__resource index_range;    /* DASH SegmentBase sidx (NEED_INDEX) */
    sv__resource init_res;       /* init segment for SegmentBase (url + range); the
                                    segments listed from the sidx point to a copy */

    /* Opaque link back to the manifest structs the model was built from. */
    const void *source;
} sv__rep;

typedef struct sv__track {
    int index;                   /* among the period's tracks of its type */
    sv_track_type type;
    const char *language;        /* "" when unknown */
    const char *label;           /* "" when unknown */
    const char *codecs;          /* common codecs ("" when they differ/unknown) */
    const char *group_id;        /* HLS rendition group, or "" */
    int is_default;
    unsigned roles;              /* SV__ROLE_* bits (track_prefs.h): DASH Role and
                                    Accessibility, HLS CHARACTERISTICS and FORCED;
                                    0 when the manifest says nothing */
    int muxed;                   /* HLS: audio travels inside the video segments
                                    (every rendition of the track has no URI) */
    /* Protection announced by the manifest (DASH ContentProtection, HLS
     * EXT-X-KEY/SESSION-KEY); the init segment's tenc/pssh are authoritative. */
    int encrypted;
    uint8_t default_kid[16];
    int has_default_kid;
    const char *license_url;     /* dashif:laurl, or NULL */
    sv__rep *reps;
    size_t nb_reps;
} sv__track;

/* A closed caption service the manifest says the video carries: an HLS
 * EXT-X-MEDIA TYPE=CLOSED-CAPTIONS rendition of a variant's group, a DASH
 * Accessibility urn:scte:dash:cc:cea-608:2015 or cea-708:2015 entry of a
 * video AdaptationSet (model_captions.c). */
typedef struct sv__caption_decl {
    char name[12];               /* "CC1" to "CC4", "SERVICE1" to "SERVICE63" */
    int service;                 /* 0: CC1; 1-63: that CEA-708 service; -1: CC2-CC4 */
    const char *language;        /* BCP 47 ("" unknown); DASH's ISO 639-2 codes
                                    given as their two-letter form when there is one */
    const char *label;           /* HLS NAME, or "" */
} sv__caption_decl;

typedef struct sv__period {
    const char *id;
    double start;                /* seconds */
    double duration;             /* seconds; < 0 while unknown (live) */
    sv__track *tracks;           /* video tracks first, then audio, then text */
    size_t nb_tracks;
    sv__caption_decl *captions;  /* the closed captions declared, in manifest order */
    size_t nb_captions;
    /* Seek thumbnails (a DASH-IF thumbnail_tile image set, an HLS image
     * playlist: READY once sv__model_hls_thumbs read it): one image per
     * segment, a grid of thumb_cols x thumb_rows thumbnails each standing
     * for segment duration / (cols x rows), row by row; rep->width and
     * height are the whole image's. NULL when the period has none. */
    sv__rep *thumbs;
    int thumb_cols, thumb_rows;
    double thumb_cell_s;         /* HLS EXT-X-TILES DURATION: one thumbnail's
                                    seconds, which a cut last image keeps; 0 none */
    /* Trick play (key frames only): the HLS I-frame playlists
     * (EXT-X-I-FRAME-STREAM-INF of the primary pathway, each rep
     * NEED_PLAYLIST until sv__model_hls_media() is given its playlist) or
     * the reps of the period's first DASH trick-mode set (EssentialProperty
     * http://dashif.org/guidelines/trickmode), as a video track of its own
     * whose reps are sorted by bandwidth. Never played as the video; NULL
     * when the period has none. */
    sv__track *trick;
} sv__period;

/* A CDN/base URL alternative (DASH BaseURL@serviceLocation, HLS PATHWAY-ID).
 * base_url is the shortest prefix, ending in '/', that tells the
 * alternatives apart ("http://127.0.0.1:9001/"), so replacing cdns[0]'s base
 * by another's in a segment URL addresses the same file on that CDN. Listed
 * only when there are two or more. Segment URLs use the first alternative
 * (HLS: the EXT-X-CONTENT-STEERING PATHWAY-ID, else the first pathway). */
typedef struct sv__model_cdn {
    const char *id;
    const char *base_url;
    int priority, weight;
} sv__model_cdn;

typedef struct sv__presentation {
    sv__arena *arena;
    sv__source_kind kind;
    const char *url;             /* the manifest URL (after redirects) */
    int live;                    /* segments keep coming until endlist/static */
    double duration;             /* seconds; 0 for live or unknown */
    sv__period *periods;
    size_t nb_periods;

    /* Live: reload the manifest (DASH) or the media playlists (HLS) every
     * refresh_s seconds; 0 for VOD. HLS: the target duration, or half of it
     * when the last load found the playlist unchanged (RFC 8216 6.3.4).
     * DASH: minimumUpdatePeriod, 2 s when absent or 0. */
    double refresh_s;
    /* Live: where to start playing, seconds on the presentation timeline.
     * HLS (last media playlist loaded): the start of the segment holding
     * end - 3 target durations, or EXT-X-START's TIME-OFFSET. DASH: now -
     * the target latency (ServiceDescription Latency@target, else
     * suggestedPresentationDelay, else 3 x the longest segment and at least
     * minBufferTime; never under the longest segment + the publishing margin
     * + 0.5 s), moved where every audio and video rep lists a segment
     * (between their latest first start and their earliest last end - 0.5
     * s), so all sets start at this one time, inside a segment (the player
     * decodes from the segment's start and shows from here). 0 for VOD. */
    double live_start;
    /* DASH dynamic: the wall-clock (UTC, seconds since 1970) time that
     * presentation time 0 corresponds to; 0 otherwise. */
    double availability_start_time;
    double time_shift_buffer_depth; /* seconds, < 0 if none */
    /* Live latency (core/latency.c). What the manifest asks for, seconds,
     * < 0 when it says nothing: DASH ServiceDescription Latency@target,
     * @min, @max; HLS EXT-X-SERVER-CONTROL PART-HOLD-BACK when the
     * playlist has parts, else HOLD-BACK (no min or max). */
    double target_latency, min_latency, max_latency;
    /* The UTC time (seconds since 1970) that presentation time 0 stands
     * for, so that a frame's program date time is this + its time: DASH
     * availabilityStartTime (dynamic), HLS a segment's EXT-X-PROGRAM-DATE-
     * TIME less its start (the last media playlist loaded that has one);
     * 0 when unknown. */
    double wallclock_origin;
    /* DASH UTCTiming (the MPD's first): the clock to follow, or NULL. */
    const char *utc_timing_scheme, *utc_timing_value;

    const char *steering_uri;    /* HLS/DASH content steering server, or NULL */
    sv__model_cdn *cdns;         /* alternative bases announced by the manifest */
    size_t nb_cdns;
} sv__presentation;

/* Guesses the source from the first bytes of a resource, its URL and its
 * Content-Type (may be NULL): SV__SOURCE_HLS for "#EXTM3U", SV__SOURCE_DASH
 * for an <MPD>, SV__SOURCE_FILE otherwise. Never fails. */
sv__source_kind sv__model_detect(const uint8_t *head, size_t len, const char *url,
                                 const char *content_type);

/*
 * Builds a presentation from manifest text loaded from `url` (absolute, after
 * redirects). `now_utc` (seconds since 1970) places a dynamic MPD's segments:
 * those that have ended by now and end within timeShiftBufferDepth of it.
 * HLS master playlists give reps in SV__SEGS_NEED_PLAYLIST (pres->live is
 * known only once a media playlist is loaded); a media playlist alone
 * becomes one video track with one rep, already READY. DASH
 * SegmentTemplate/List reps are READY, SegmentBase reps NEED_INDEX (READY
 * with one whole-file segment when there is no indexRange). AdaptationSets
 * that are not video, audio or text (thumbnails) are left out.
 * SV__SOURCE_FILE (text may be NULL) gives one video track with one READY
 * rep whose single segment is the whole URL, duration 0 (unknown).
 * Returns 0 and *out (free with sv__model_destroy), or SV_ERR_PARSE (err says
 * why), SV_ERR_UNSUPPORTED (no playable track) or SV_ERR_NOMEM.
 */
int sv__model_create(sv__source_kind kind, const char *text, size_t size, const char *url,
                     double now_utc, const sv_allocator *alloc, sv__presentation **out,
                     sv__parse_error *err);
void sv__model_destroy(sv__presentation *pres);

/*
 * Gives an HLS rep its media playlist (first load or live refresh; `url` is
 * where it was loaded from). Replaces the rep's segment list; on a refresh
 * the media sequence numbers keep their meaning. Also updates pres->live,
 * duration, refresh_s and live_start. Returns 0, SV_ERR_PARSE or SV_ERR_NOMEM
 * (the rep keeps its old segments on failure).
 */
int sv__model_hls_media(sv__presentation *pres, sv__rep *rep, const char *text, size_t size,
                        const char *url, sv__parse_error *err);
/* The image playlist of period `per`'s thumbnails (per->thumbs, from
 * EXT-X-IMAGE-STREAM-INF) into its segments, and its grid from EXT-X-TILES.
 * Returns 0, SV_ERR_PARSE with err set (no LAYOUT, a bad playlist),
 * SV_ERR_NOMEM. */
int sv__model_hls_thumbs(sv__presentation *pres, sv__period *per, const char *text, size_t size,
                         const char *url, sv__parse_error *err);

/* Gives a SegmentBase rep the bytes of its index_range (a `sidx` box,
 * possibly after other boxes; see player/sidx.h). Segments get byte ranges
 * of the rep's file, $Number$-style numbers from startNumber, and init ->
 * init_res. Returns 0, SV_ERR_PARSE, SV_ERR_UNSUPPORTED (a hierarchical
 * index outside the bytes given) or SV_ERR_NOMEM; on failure the rep stays
 * as it was. */
int sv__model_dash_sidx(sv__presentation *pres, sv__rep *rep, const uint8_t *data, size_t size,
                        sv__parse_error *err);

/*
 * Refreshes a live DASH presentation from a reloaded MPD: the periods,
 * tracks and reps keep their indexes (periods matched by @id, or by start
 * without one; reps by @id); segment lists are recomputed for `now_utc`.
 * New periods are appended (disc = their index); reps and periods the MPD
 * no longer lists keep their place with no segments; new reps or sets in a
 * known period are ignored. `url` NULL keeps pres->url. All or nothing:
 * returns 0, or SV_ERR_PARSE / SV_ERR_NOMEM with the model unchanged.
 */
int sv__model_dash_refresh(sv__presentation *pres, const char *text, size_t size,
                           const char *url, double now_utc, sv__parse_error *err);

/*
 * Live DASH segments become available at availabilityStartTime + Period@start
 * + their end - availabilityTimeOffset (23009-1 5.3.9.5.3); the model lists
 * them this long after that, because encoders and origins publish a segment
 * a little after its nominal time (ffmpeg -re: about 50 ms on an idle
 * machine) and a request at the nominal time would find nothing.
 */
#define SV__DASH_PUBLISH_MARGIN_S 0.3

/*
 * Live DASH: lists every rep's segments again for now_utc from the MPD of
 * the last load or refresh, without a new manifest: a SegmentTemplate with
 * @duration, or a timeline that repeats with r = -1, gains the segments that
 * have become available since (and drops those that left the time-shift
 * buffer). Indexes keep their meaning as with sv__model_dash_refresh(). All
 * or nothing: returns 0, or SV_ERR_PARSE / SV_ERR_NOMEM with the model
 * unchanged; SV_ERR_INVALID when pres is not a live DASH presentation.
 */
int sv__model_dash_update(sv__presentation *pres, double now_utc, sv__parse_error *err);

/*
 * The host's target latency (settings.live_target_latency_ms), seconds; < 0
 * goes back to the manifest's. It becomes pres->target_latency, and a live
 * start is placed by it: a live DASH presentation's live_start is computed
 * again for now_utc (call it right after sv__model_create), an HLS one's at
 * each media playlist load (end - the target, at the start of the segment
 * holding it).
 */
void sv__model_set_target_latency(sv__presentation *pres, double target, double now_utc);

/*
 * A target latency (seconds; < 0: none, returned as is) within the
 * manifest's range: DASH ServiceDescription Latency@min and @max when they
 * are given (the service says how close it can be played and how far
 * behind it may be). Pure: reads pres->min_latency and max_latency only.
 */
double sv__model_clamp_latency(const sv__presentation *pres, double target);

/*
 * LL-HLS: the URL to load `playlist_url` (another rendition's) with, from
 * the rendition report of `from` (the rep played): the playlist with the
 * _HLS_msn and _HLS_part the report gives (RFC 8216bis 6.2.5.2). Returns 0
 * with the URL in buf, or SV_ERR_NOT_FOUND (no report for it, or it does
 * not fit).
 */
int sv__model_hls_report_url(const sv__rep *from, const char *playlist_url, char *buf,
                             size_t cap);

/*
 * Live: the positions a seek may take at now_utc, on the presentation
 * timeline: from the latest first start of the audio and video reps listed
 * (the DVR window: DASH timeShiftBufferDepth, an HLS sliding playlist) to
 * the live start (where a load now would start: DASH recomputed for
 * now_utc, HLS that of the last media playlist loaded). Returns 0, or
 * SV_ERR_STATE when the presentation is not live or lists nothing yet.
 */
int sv__model_seekable(sv__presentation *pres, double now_utc, double *start, double *end);

/*
 * Live DASH: when, at the earliest, some rep's list can grow (wall-clock UTC,
 * seconds since 1970), over every rep of every period:
 * - the availability time of the next segment that the MPD describes but the
 *   model does not list yet (a template with @duration, a timeline with
 *   r = -1, a later period's first segment): *needs_refresh = 0, and
 *   sv__model_dash_update() at that time lists it;
 * - the time at which the next segment of a SegmentTimeline that ends before
 *   its period would become available if the timeline went on with its last
 *   duration: *needs_refresh = 1, only a reloaded MPD can list it (the time
 *   is already past when the publisher is late).
 * 0 when there is neither (a finished timeline in a period whose end is
 * there, availabilityTimeOffset INF) or pres is not live DASH.
 */
double sv__model_dash_next_available(const sv__presentation *pres, double now_utc,
                                     int *needs_refresh);

/* ---- timed events (model_events.c) ------------------------------------ */

/*
 * Hands over the timed events the manifest loads since the last call
 * brought: DASH EventStream Events (every create and refresh: the same
 * Events come again and the taker drops copies) and HLS EXT-X-DATERANGE
 * (every media playlist load), with start_s on the presentation timeline;
 * then the events the loads left out as malformed, one message each.
 * `d` and `msg` are valid during the call only; the model then frees
 * them. Loop thread.
 */
typedef struct sv__model_event_sink {
    void *opaque;
    void (*event)(void *opaque, const sv__timed_desc *d);
    void (*malformed)(void *opaque, const char *msg);
} sv__model_event_sink;
void sv__model_take_events(sv__presentation *pres, const sv__model_event_sink *sink);

/* Whether the emsg boxes of `scheme` in period `pi` are to be reported:
 * DASH: an InbandEventStream of the period announces the scheme, or the
 * period announces none; HLS and plain files: always. */
int sv__model_inband_wanted(const sv__presentation *pres, size_t pi, const char *scheme);

/* Presentation seconds minus media seconds (the times inside the rep's
 * segments) for a DASH rep: its period's start less its
 * presentationTimeOffset; NAN for HLS and files (no manifest says). */
double sv__model_media_offset(sv__presentation *pres, const sv__rep *rep);

/* Segment i of rep, by value (i < rep->nb_segs of a READY rep): a stored
 * one, or one computed from the rep's runs. Its init and key point into
 * the rep's segment arena (valid until the rep's next load or refresh). */
sv__segment sv__rep_segment(const sv__rep *rep, size_t i);
/* DASH @duration numbering (SegmentTemplate@duration): that duration in
 * seconds, which the last segment keeps even where the period cuts it
 * short; 0 for a SegmentTimeline, a list, HLS or a rep not READY. */
double sv__rep_nominal_duration(const sv__rep *rep);

/*
 * The URL of segment `seg` of `rep` (a segment sv__rep_segment() gave for
 * this rep), written into buf[cap] (SV__URL_MAX bytes hold any); returns
 * buf, or NULL when it does not fit.
 */
const char *sv__segment_url(const sv__rep *rep, const sv__segment *seg, char *buf, size_t cap);

/* Returns the index in rep of the segment containing time t (the last
 * one that starts at or before t + 1 ms), or -1 when t is past the end or the
 * list is not READY. Times before the first segment give 0. */
long sv__model_find_segment(const sv__rep *rep, double t);

/* Returns the index of the segment with media sequence `number`, or -1. */
long sv__model_find_number(const sv__rep *rep, int64_t number);

#endif
