/*
 * DASH MPDs (ISO/IEC 23009-1), parsed with libxml2 into plain structs, and
 * the expansion of a representation's segment addressing (SegmentTemplate
 * with or without SegmentTimeline, SegmentList, SegmentBase) into concrete
 * segment URLs and times. No I/O: SegmentBase needs the `sidx` box, which the
 * caller fetches from index_range and hands back. Everything lives in one
 * arena freed by sv__dash_mpd_free().
 */
#ifndef SV_PLAYER_DASH_H
#define SV_PLAYER_DASH_H

#include <stddef.h>
#include <stdint.h>

#include "player/manifest/parse_error.h"
#include "player/manifest/timed.h"
#include "platform/arena.h"

#define SV_DASH_MAX_BYTES (32 * 1024 * 1024)

typedef enum sv__dash_content {
    SV_DASH_VIDEO, SV_DASH_AUDIO, SV_DASH_TEXT, SV_DASH_OTHER
} sv__dash_content;

/* A byte range; length -1 means none (the whole resource). */
typedef struct sv__dash_range { int64_t offset, length; } sv__dash_range;

/* One BaseURL candidate: several at one level are alternative CDNs. */
typedef struct sv__dash_base_url {
    const char *url;              /* resolved against the levels above */
    const char *service_location; /* CDN identity, or NULL */
    int priority, weight;         /* DVB-DASH dvb:priority / dvb:weight (defaults 1, 1) */
    /* @availabilityTimeOffset summed over this BaseURL and those above it
     * (seconds; INFINITY for "INF"), and the nearest @availabilityTimeComplete
     * (-1 when none says). */
    double availability_time_offset;
    int availability_time_complete;
} sv__dash_base_url;

/* One <S t d r> entry of a SegmentTimeline. */
typedef struct sv__dash_s { int64_t t, d, r; int has_t; } sv__dash_s;

typedef enum sv__dash_addressing {
    SV_DASH_ADDR_NONE,      /* single-segment representation (BaseURL only) */
    SV_DASH_ADDR_TEMPLATE,
    SV_DASH_ADDR_LIST,
    SV_DASH_ADDR_BASE       /* SegmentBase: index in a sidx box */
} sv__dash_addressing;

typedef struct sv__dash_segment_url { const char *media; sv__dash_range range; } sv__dash_segment_url;

/* Segment addressing after inheritance from Period and AdaptationSet. */
typedef struct sv__dash_segments {
    sv__dash_addressing kind;
    uint64_t timescale;                /* default 1 */
    int64_t duration;                  /* @duration in timescale units, 0 if absent */
    int64_t start_number;              /* default 1 */
    int64_t end_number;                /* @endNumber, 0 if absent */
    int64_t presentation_time_offset;
    const char *media;                 /* template (TEMPLATE) */
    const char *initialization;        /* template (TEMPLATE) or URL (LIST/BASE), may be NULL */
    sv__dash_range init_range;         /* Initialization@range */
    sv__dash_range index_range;        /* SegmentBase@indexRange */
    sv__dash_s *timeline;
    size_t nb_timeline;
    sv__dash_segment_url *list;        /* SegmentList */
    size_t nb_list;
    double availability_time_offset;   /* seconds (INFINITY: "INF"), 0 if absent */
    int availability_time_complete;    /* 0 "false", 1 "true", -1 absent */
} sv__dash_segments;

typedef struct sv__dash_representation {
    const char *id;
    int64_t bandwidth;
    int width, height;
    double frame_rate;
    const char *codecs, *mime_type;
    int audio_sampling_rate;
    sv__dash_base_url *base_urls;      /* at least one (the MPD URL's folder) */
    size_t nb_base_urls;
    sv__dash_segments seg;
} sv__dash_representation;

typedef struct sv__dash_protection {
    const char *scheme_id_uri;         /* lowercased */
    const char *value;
    const char *default_kid;           /* cenc:default_KID, or NULL */
    const char *laurl;                 /* dashif:laurl / clearkey:Laurl, or NULL */
    const char *pssh;                  /* cenc:pssh base64, or NULL */
} sv__dash_protection;

/* A Role or Accessibility descriptor: schemeIdUri (lowercased) and value
 * (NULL when absent). */
typedef struct sv__dash_descriptor {
    const char *scheme_id_uri;
    const char *value;
} sv__dash_descriptor;

typedef struct sv__dash_adaptation {
    int id;
    sv__dash_content content;
    const char *mime_type, *codecs, *lang, *label;
    sv__dash_descriptor *roles;        /* Role elements, in document order */
    size_t nb_roles;
    sv__dash_descriptor *accessibility; /* Accessibility elements */
    size_t nb_accessibility;
    sv__dash_descriptor *essentials;   /* EssentialProperty elements */
    size_t nb_essentials;
    sv__dash_representation *reps;
    size_t nb_reps;
    sv__dash_protection *protections;
    size_t nb_protections;
} sv__dash_adaptation;

typedef struct sv__dash_period {
    const char *id;
    double start;                      /* seconds from the presentation start */
    double duration;                   /* seconds; < 0 when unknown (open live period) */
    sv__dash_adaptation *sets;
    size_t nb_sets;
    /* EventStream Events (dash_events.c), start_s on the period's timeline
     * (presentationTime - presentationTimeOffset over the timescale). */
    sv__timed_desc *events;
    size_t nb_events;
    /* InbandEventStream schemes of the period's sets and representations
     * (schemeIdUri and value, "" when absent): the emsg boxes announced. */
    sv__dash_descriptor *inband;
    size_t nb_inband;
} sv__dash_period;

typedef struct sv__dash_mpd {
    sv__arena *arena;
    int dynamic;                       /* type="dynamic" (live) */
    double duration;                   /* mediaPresentationDuration, < 0 if absent */
    double min_buffer_time;
    double max_segment_duration;       /* maxSegmentDuration, < 0 if absent */
    double min_update_period;          /* < 0 if absent */
    double time_shift_buffer_depth;    /* < 0 if absent */
    double suggested_presentation_delay; /* < 0 if absent */
    double availability_start_time;    /* seconds since 1970 (UTC), 0 if absent */
    double target_latency;             /* ServiceDescription Latency@target (s), < 0 if absent */
    double min_latency, max_latency;   /* Latency@min, @max (s), < 0 if absent */
    double publish_time;
    const char *utc_timing_scheme, *utc_timing_value; /* first UTCTiming, or NULL */
    const char *steering_uri;          /* ContentSteering, or NULL */
    const char *steering_default_service_location;
    sv__dash_period *periods;
    size_t nb_periods;
    sv__timed_warnings event_warnings; /* Events left out, and why */
} sv__dash_mpd;

/*
 * Parses an MPD of `size` bytes loaded from `url` (absolute). On success
 * returns 0 and stores an MPD freed with sv__dash_mpd_free(). On failure
 * returns SV_ERR_PARSE (err says why; line from libxml2 when it is an XML
 * error), SV_ERR_OVERFLOW or SV_ERR_NOMEM, *out untouched. The parser never
 * loads external entities or DTDs and never touches the network.
 */
int sv__dash_parse(const char *text, size_t size, const char *url, const sv_allocator *alloc,
                   sv__dash_mpd **out, sv__parse_error *err);

void sv__dash_mpd_free(sv__dash_mpd *mpd);

/* Parses an xs:duration ("PT1H2M3.5S", "P1DT2H") into seconds; -1 on error.
 * Decimals are read with strtod: sv__dash_parse calls it inside a C-numeric
 * scope (platform/numeric.h); other callers enter one themselves. */
double sv__dash_parse_duration(const char *s);

/* Parses an xs:dateTime ("2026-11-20T10:00:00Z", offsets allowed) into
 * seconds since 1970-01-01 UTC; returns -1 on error. */
double sv__dash_parse_datetime(const char *s);

/* One concrete segment of a representation. */
typedef struct sv__dash_seg {
    const char *url;                   /* resolved, in the expansion arena */
    sv__dash_range range;
    double start;                      /* seconds, on the period's timeline */
    double duration;
    int64_t number;                    /* $Number$ */
    int64_t time;                      /* $Time$, in timescale units */
    int64_t d;                         /* its duration in timescale units, before any
                                          cut at the period's end */
} sv__dash_seg;

/*
 * Fills in $RepresentationID$, $Number$, $Bandwidth$ and $Time$ (with
 * optional %0<N>d widths) and $$ in `tmpl`. Returns the string in the arena,
 * or NULL when the template is malformed (unknown identifier, unterminated $).
 */
char *sv__dash_fill_template(sv__arena *a, const char *tmpl, const char *rep_id,
                             int64_t number, int64_t bandwidth, int64_t time);

/*
 * Like sv__dash_fill_template(), into buf[cap] (NUL-terminated). Returns the
 * length, SV_ERR_PARSE when the template is malformed, or SV_ERR_OVERFLOW
 * when the result does not fit.
 */
int sv__dash_fill_template_buf(const char *tmpl, const char *rep_id, int64_t number,
                               int64_t bandwidth, int64_t time, char *buf, size_t cap);

/*
 * Called by sv__dash_walk() for each segment, in order. seg->url is the
 * reference as the MPD gives it, neither filled in nor resolved: the
 * template (SegmentTemplate), the SegmentURL@media or NULL (SegmentList,
 * single segment: the BaseURL itself). Returns 0 to go on, 1 to stop, or
 * a negative code that sv__dash_walk() returns.
 */
typedef int (*sv__dash_visit)(void *opaque, const sv__dash_seg *seg);

/*
 * Walks the segments of `rep` that overlap [from, to) seconds of the period
 * (to <= 0: the whole period of `period_duration` seconds), at most
 * max_segments of them, building no URL and allocating nothing. Returns how
 * many were handed to `visit`, a visitor's negative code, SV_ERR_PARSE for
 * an open-ended timeline without a bound, or SV_ERR_STATE for SegmentBase.
 */
int sv__dash_walk(const sv__dash_representation *rep, double period_duration, double from,
                  double to, size_t max_segments, sv__dash_visit visit, void *opaque);

/*
 * Lists the segments of `rep` that overlap [from, to) seconds of the period
 * (to <= 0: the whole period of `period_duration` seconds). URLs are resolved
 * against base_urls[base_index]. Returns the number of segments stored in
 * *out (an arena array), or SV_ERR_PARSE for a malformed template, or
 * SV_ERR_STATE for SegmentBase (use sv__dash_segments_from_sidx()).
 * At most max_segments are listed.
 */
int sv__dash_expand(sv__arena *a, const sv__dash_representation *rep, size_t base_index,
                    double period_duration, double from, double to, size_t max_segments,
                    sv__dash_seg **out);

/* The init segment's URL and range (NULL URL when there is none): a
 * template's or an Initialization@sourceURL; else, for an Initialization
 * with only a range (SegmentBase, or SegmentList as ffmpeg -single_file
 * writes it), that range of the BaseURL; else, for a SegmentBase with an
 * indexRange, the bytes before the index (ftyp and moov of an on-demand
 * file). */
const char *sv__dash_init_url(sv__arena *a, const sv__dash_representation *rep,
                              size_t base_index, sv__dash_range *range);

/*
 * The availabilityTimeOffset that moves the segments of `rep` (reached
 * through base_urls[base_index]) earlier: the segment information's plus
 * the BaseURLs' (23009-1 5.3.9.5.3), in seconds, INFINITY for "INF".
 */
double sv__dash_availability_offset(const sv__dash_representation *rep, size_t base_index);
/* availabilityTimeComplete (the segment information's, else the BaseURL's;
 * 1 when absent): 0 means a segment is only being written from its
 * availability time on (low-latency chunked delivery), and is read as it
 * grows. */
int sv__dash_availability_complete(const sv__dash_representation *rep, size_t base_index);

#endif
