/*
 * The ISO-BMFF Segment Index box (`sidx`, ISO/IEC 14496-12 8.16.3): how a
 * DASH SegmentBase representation says where each subsegment sits in the
 * file and how long it plays. No I/O: the caller fetches the bytes of the
 * representation's indexRange and hands them over. Every length read from
 * the box is checked against the bytes given, so hostile input gets
 * SV_ERR_PARSE, never a read out of bounds.
 */
#ifndef SV_PLAYER_SIDX_H
#define SV_PLAYER_SIDX_H

#include <stddef.h>
#include <stdint.h>

#include "player/manifest/parse_error.h"
#include "platform/arena.h"

/* Refused beyond this many references (all levels together). */
#define SV_SIDX_MAX_REFS 1000000

/* One media subsegment. */
typedef struct sv__sidx_ref {
    int64_t offset;              /* of its first byte in the file */
    int64_t size;                /* bytes (referenced_size) */
    uint64_t time;               /* earliest presentation time, timescale units */
    uint64_t duration;           /* subsegment_duration, timescale units */
    int starts_with_sap;
    int sap_type;
} sv__sidx_ref;

typedef struct sv__sidx {
    uint32_t reference_id;
    uint32_t timescale;          /* > 0 */
    uint64_t earliest_presentation_time;
    int version;
    sv__sidx_ref *refs;          /* in the arena given to sv__sidx_parse */
    size_t nb_refs;
} sv__sidx;

/*
 * Parses the first `sidx` box found among the top-level boxes of `data`
 * (other boxes before it, such as `styp` or `free`, are skipped). `data_offset`
 * is the file offset of data[0] (the indexRange's first byte), so that the
 * references come out as absolute file offsets: the first subsegment starts
 * at the first byte after the sidx box plus first_offset, and each next one
 * right after the previous.
 *
 * Hierarchical indexes (reference_type 1, a reference to another sidx) are
 * followed when the referenced box lies inside `data` and uses the same
 * timescale, up to 8 levels; the result lists only media subsegments, in
 * order. A reference to a sidx outside `data` gives SV_ERR_UNSUPPORTED.
 *
 * Returns 0 and fills *out (refs allocated in `a`), or SV_ERR_PARSE (err
 * says why: truncated box, zero timescale, no sidx, offsets overflowing),
 * SV_ERR_UNSUPPORTED or SV_ERR_NOMEM. `err` may be NULL. Thread-safe.
 */
int sv__sidx_parse(const uint8_t *data, size_t size, int64_t data_offset, sv__arena *a,
                   sv__sidx *out, sv__parse_error *err);

#endif
