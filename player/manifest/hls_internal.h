/*
 * Inside the HLS parser: the state hls_parse.c (lines, tags, the driver)
 * shares with hls_segment.c (segment URI lines, kept or handed over, and
 * their scratch buffers) and hls_ll.c (the low-latency tags). Only those
 * files include it.
 */
#ifndef SV_PLAYER_HLS_INTERNAL_H
#define SV_PLAYER_HLS_INTERNAL_H

#include "player/manifest/hls.h"

/* Refuse absurd playlists before they exhaust memory. */
#define SV_HLS_MAX_SEGMENTS 1000000
#define SV_HLS_MAX_VARIANTS 1000
#define SV_HLS_MAX_KEYS 100000

/* A buffer reused from one segment to the next (sv__hls_parse_each). */
typedef struct sv__hls_scratch {
    char *buf;
    size_t cap;
} sv__hls_scratch;

typedef struct sv__hls_parser {
    sv__hls_playlist *pl;
    sv__arena *arena;
    const sv_allocator *alloc;
    const char *url;
    sv__parse_error *err;
    int line;
    size_t cap_variants, cap_renditions, cap_session_keys, cap_segments, cap_keys, cap_maps;
    size_t cap_parts, cap_reports;
    sv__hls_segment_fn each;          /* NULL: segments go into pl->segments */
    void *each_opaque;

    /* Carried from tags to the next URI line; the title and date point into
     * the text, which outlives the parse. */
    int have_inf;
    double inf_duration;
    const char *inf_title;
    size_t inf_title_len;
    int have_range;
    int64_t range_len, range_off;     /* off -1: continues the previous range */
    int discontinuity, gap;
    const char *pdt;                  /* NULL when none */
    size_t pdt_len;
    int pending_variant;              /* STREAM-INF waiting for its URI, or -1 */
    int cur_key, cur_map;

    /* Media playlist bookkeeping. */
    int64_t next_sequence;
    int64_t disc_sequence;
    int sequence_started;             /* a segment was seen: MEDIA-SEQUENCE is too late */
    int have_range_uri;               /* range_uri holds the last sub-range's URI */
    int64_t last_range_end;
    int saw_master_tag, saw_media_tag;
    /* Scratch: the last sub-range's URI (for BYTERANGE without an offset);
     * when streaming, a segment's reference, resolved URI, title and date. */
    sv__hls_scratch range_uri, ref, uri, title, date;
    /* When streaming: the playlist's folder as libcurl resolves against it
     * (folder_len 0 until known, -1 when unusable), so that the usual
     * "seg_0001.ts" needs no libcurl call (url.h, sv__url_plain_path). */
    sv__hls_scratch folder;
    int folder_len;

    /* EXT-X-DATERANGE (hls_daterange.c): the last segment with a date
     * (its date and start), and per event what placing it needs. */
    int have_anchor;
    double anchor_date, anchor_start;
    double first_anchor_date, first_anchor_start;
    struct sv__hls_dr_state *dr;
    size_t cap_dateranges, cap_dr;
} sv__hls_parser;

#define FAIL(...) sv__parse_fail(p->err, p->line, __VA_ARGS__)

/* Appends one zeroed element to an arena array; NULL when out of memory. */
#define APPEND(p, arr, count, cap, max)                                          \
    ((count) >= (max) ? NULL                                                      \
     : ((arr) = sv__arena_grow((p)->arena, (arr), &(cap), (count) + 1, sizeof(*(arr)))) \
       ? memset(&(arr)[(count)++], 0, sizeof(*(arr)))                             \
       : NULL)

/* Resolves a URI of the playlist into the arena; NULL when malformed. */
const char *sv__hls_resolve(sv__hls_parser *p, const char *uri, size_t len);
/* A URI line: a variant's (after EXT-X-STREAM-INF) or a segment's, kept in
 * pl->segments or handed to p->each. 0 or a negative code (err filled). */
int sv__hls_uri_line(sv__hls_parser *p, const char *line, size_t len);
/* A low-latency tag (hls_ll.c) named by the `nlen` bytes at `name`, with
 * its value: 0 handled, 1 not one of them, or a negative code. */
int sv__hls_ll_tag(sv__hls_parser *p, const char *name, size_t nlen, const char *v, size_t vlen);
/* EXT-X-DATERANGE (hls_daterange.c): a tag (a malformed one is counted
 * and left out: only SV_ERR_NOMEM fails), a segment's date (`pdt`, `len`
 * bytes) as the anchor of the tags that follow, and the placing of every
 * tag once the playlist was read. */
int sv__hls_daterange_tag(sv__hls_parser *p, const char *v, size_t len);
void sv__hls_daterange_anchor(sv__hls_parser *p, const char *pdt, size_t len, double start);
int sv__hls_daterange_finish(sv__hls_parser *p);
/* Frees the scratch buffers (accepts a parser that made none). */
void sv__hls_scratch_free(sv__hls_parser *p);

#endif
