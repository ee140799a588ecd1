/*
 * HLS playlists (RFC 8216bis): a line-based parser with attribute lists that
 * turns a master or media playlist into plain structs. No I/O: the caller
 * fetches the text and passes the URL it came from, against which every URI
 * is resolved. Everything the result points to lives in one arena and is
 * freed by sv__hls_playlist_free().
 */
#ifndef SV_PLAYER_HLS_H
#define SV_PLAYER_HLS_H

#include <stddef.h>
#include <stdint.h>

#include "player/manifest/parse_error.h"
#include "player/manifest/timed.h"
#include "platform/arena.h"

/* Playlists larger than this are refused before parsing. */
#define SV_HLS_MAX_BYTES (32 * 1024 * 1024)

typedef enum sv__hls_media_type {
    SV_HLS_AUDIO, SV_HLS_VIDEO, SV_HLS_SUBTITLES, SV_HLS_CLOSED_CAPTIONS
} sv__hls_media_type;

typedef enum sv__hls_key_method {
    SV_HLS_KEY_NONE, SV_HLS_KEY_AES128, SV_HLS_KEY_SAMPLE_AES, SV_HLS_KEY_SAMPLE_AES_CTR
} sv__hls_key_method;

/* EXT-X-KEY / EXT-X-SESSION-KEY. */
typedef struct sv__hls_key {
    sv__hls_key_method method;
    const char *uri;            /* resolved; NULL for METHOD=NONE */
    uint8_t iv[16];
    int has_iv;                 /* 0: IV is the media sequence number */
    const char *keyformat;      /* "identity" when absent */
    const char *keyformatversions;
} sv__hls_key;

/* EXT-X-MAP: the init segment of the segments that follow. */
typedef struct sv__hls_map {
    const char *uri;
    int64_t offset, length;     /* length -1: the whole resource */
} sv__hls_map;

typedef struct sv__hls_segment {
    const char *uri;            /* resolved */
    const char *title;          /* EXTINF title, or "" */
    double duration;            /* seconds, from EXTINF */
    double start;               /* sum of the durations before it */
    int64_t offset, length;     /* EXT-X-BYTERANGE; length -1: whole resource */
    int64_t sequence;           /* media sequence number */
    int64_t discontinuity_sequence;
    int discontinuity;          /* EXT-X-DISCONTINUITY before it */
    int gap;                    /* EXT-X-GAP: no media here */
    int key;                    /* index into keys, -1 for clear */
    int map;                    /* index into maps, -1 for none (TS) */
    const char *program_date_time; /* EXT-X-PROGRAM-DATE-TIME text, or NULL */
} sv__hls_segment;

/* EXT-X-PART: a part of segment `sequence` (the segment the next URI line
 * lists, or the one still being written after the last URI line). */
typedef struct sv__hls_part {
    const char *uri;            /* resolved */
    double duration;            /* seconds */
    double start;               /* like a segment's: the durations before it */
    int64_t offset, length;     /* BYTERANGE; length -1: the whole resource */
    int64_t sequence;           /* media sequence number of its segment */
    int index;                  /* in its segment, from 0 */
    int independent, gap;       /* INDEPENDENT=YES, GAP=YES */
} sv__hls_part;

/* EXT-X-RENDITION-REPORT: where another rendition's playlist ends. */
typedef struct sv__hls_rendition_report {
    const char *uri;            /* resolved */
    int64_t last_msn, last_part; /* -1 when absent */
} sv__hls_rendition_report;

/* EXT-X-STREAM-INF (or EXT-X-I-FRAME-STREAM-INF with iframe_only). */
typedef struct sv__hls_variant {
    const char *uri;
    int64_t bandwidth, average_bandwidth; /* bits/s; average 0 when absent */
    int width, height;          /* 0 when absent */
    double frame_rate;          /* 0 when absent */
    const char *codecs;         /* "" when absent */
    const char *audio, *video, *subtitles, *closed_captions; /* group IDs or NULL */
    const char *pathway_id;     /* content steering pathway, "." when absent */
    const char *stable_id;
    int iframe_only;
    int image_only;             /* EXT-X-IMAGE-STREAM-INF (iframe_only is set too: not played) */
} sv__hls_variant;

/* EXT-X-MEDIA: an alternative rendition in a group. */
typedef struct sv__hls_rendition {
    sv__hls_media_type type;
    const char *group_id, *name;
    const char *uri;            /* NULL: the media is in the variant stream itself */
    const char *language;       /* NULL when absent */
    const char *assoc_language;
    const char *channels;
    const char *instream_id;
    const char *characteristics;
    int is_default, autoselect, forced;
} sv__hls_rendition;

typedef enum sv__hls_playlist_type {
    SV_HLS_TYPE_NONE, SV_HLS_TYPE_VOD, SV_HLS_TYPE_EVENT
} sv__hls_playlist_type;

typedef struct sv__hls_playlist {
    sv__arena *arena;
    int is_master;
    int version;                /* EXT-X-VERSION, 1 when absent */
    int independent_segments;
    double start_offset;        /* EXT-X-START TIME-OFFSET */
    int has_start_offset;
    int start_precise;

    /* Master playlist. */
    sv__hls_variant *variants;
    size_t nb_variants;
    sv__hls_rendition *renditions;
    size_t nb_renditions;
    sv__hls_key *session_keys;
    size_t nb_session_keys;
    const char *steering_uri;   /* EXT-X-CONTENT-STEERING SERVER-URI, resolved */
    const char *steering_pathway;

    /* Media playlist. */
    double target_duration;
    int64_t media_sequence;
    int64_t discontinuity_sequence;
    int endlist;
    sv__hls_playlist_type type;
    int iframes_only;
    int tiles_cols, tiles_rows; /* the first EXT-X-TILES LAYOUT (image playlists); 0 none */
    double tiles_duration;      /* the first EXT-X-TILES DURATION (one thumbnail's
                                   seconds); 0 none */
    sv__hls_segment *segments;
    size_t nb_segments;
    sv__hls_key *keys;
    size_t nb_keys;
    sv__hls_map *maps;
    size_t nb_maps;
    double duration;            /* sum of the segment durations */

    /* Low-latency HLS (hls_ll.c). EXT-X-SERVER-CONTROL: */
    int can_block_reload;       /* CAN-BLOCK-RELOAD=YES: _HLS_msn/_HLS_part answered */
    double can_skip_until;      /* CAN-SKIP-UNTIL (s): _HLS_skip=YES answered; < 0 absent */
    double hold_back;           /* HOLD-BACK (s), < 0 absent */
    double part_hold_back;      /* PART-HOLD-BACK (s), < 0 absent */
    double part_target;         /* EXT-X-PART-INF PART-TARGET (s), 0 absent */
    int64_t skipped_segments;   /* EXT-X-SKIP: segments left out before the first listed */
    sv__hls_part *parts;        /* every EXT-X-PART, in playlist order */
    size_t nb_parts;
    /* EXT-X-PRELOAD-HINT TYPE=PART: the next part (of segment
     * preload_sequence, index preload_index), being written; NULL none. */
    const char *preload_uri;
    int64_t preload_offset, preload_length; /* length -1: to the end */
    int64_t preload_sequence;
    int preload_index;
    sv__hls_rendition_report *reports;
    size_t nb_reports;

    /* EXT-X-DATERANGE (hls_daterange.c), one event per tag, or one per
     * SCTE35-OUT, -IN and -CMD it carries (value names which). start_s is
     * on this playlist's own timeline (like a segment's start: the
     * durations before it), mapped from START-DATE through the
     * EXT-X-PROGRAM-DATE-TIME of the nearest segment before the tag (else
     * the first after it); an -IN event starts at the range's end when
     * that is known. Malformed tags, and all of them in a playlist without
     * dates, are left out and counted with why. */
    sv__timed_desc *dateranges;
    size_t nb_dateranges;
    sv__timed_warnings daterange_warnings;

    /* What is in force after the last URI line, for the parts of the
     * segment being written and the preload hint: an EXT-X-DISCONTINUITY,
     * EXT-X-MAP, EXT-X-KEY or EXT-X-PROGRAM-DATE-TIME there applies to them
     * (an encoder that came back starts its first segment so). */
    int64_t tail_discontinuity_sequence;
    int tail_discontinuity;     /* EXT-X-DISCONTINUITY after the last URI line */
    int tail_map, tail_key;     /* indexes, -1 none */
    const char *tail_program_date_time; /* NULL none */
} sv__hls_playlist;

/*
 * Parses `size` bytes of playlist text loaded from `url` (absolute). On
 * success returns 0 and stores a playlist the caller frees with
 * sv__hls_playlist_free(). On failure returns SV_ERR_PARSE (err says where
 * and why), SV_ERR_OVERFLOW (too large) or SV_ERR_NOMEM, and *out is
 * untouched. `alloc` may be NULL. Thread-safe (no shared state).
 */
int sv__hls_parse(const char *text, size_t size, const char *url, const sv_allocator *alloc,
                  sv__hls_playlist **out, sv__parse_error *err);

void sv__hls_playlist_free(sv__hls_playlist *pl);

/*
 * Receives each segment of a media playlist as sv__hls_parse_each() reads
 * it. `seg` and the strings it points to are valid during the call only;
 * seg->key and seg->map index pl->keys and pl->maps, which hold the keys and
 * maps read so far (the arrays may move between calls). Returns 0 to go on,
 * or a negative code that ends the parse with it (the callback may fill the
 * parse's error first; otherwise the parser names the line).
 */
typedef int (*sv__hls_segment_fn)(void *opaque, const sv__hls_playlist *pl,
                                  const sv__hls_segment *seg);

/*
 * Parses like sv__hls_parse(), but hands each segment to `fn` instead of
 * keeping it: pl->segments stays NULL while nb_segments, duration and the
 * rest are filled as usual. Per segment the parser keeps nothing, so a
 * playlist of a million segments costs what the caller keeps of them (the
 * model: issue 16). Returns what sv__hls_parse() returns, or fn's code.
 */
int sv__hls_parse_each(const char *text, size_t size, const char *url, const sv_allocator *alloc,
                       sv__hls_segment_fn fn, void *opaque, sv__hls_playlist **out,
                       sv__parse_error *err);

/* One NAME=VALUE pair of an attribute list; value excludes the quotes. */
typedef struct sv__hls_attr {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
    int quoted;
} sv__hls_attr;

#define SV_HLS_MAX_ATTRS 32

/*
 * Splits an attribute list (RFC 8216 4.2) of `len` bytes. Returns the number
 * of attributes (0..max) or SV_ERR_PARSE for a malformed list (missing '=',
 * unterminated quote, more than `max` attributes). Pointers point into s.
 */
int sv__hls_attrs_split(const char *s, size_t len, sv__hls_attr *out, int max);

#endif
