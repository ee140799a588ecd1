/*
 * The Event Message box (`emsg`, ISO/IEC 23009-1 5.10.3.3): timed metadata
 * carried inside fMP4 media segments, version 0 (time relative to the
 * segment's earliest presentation time) and version 1 (absolute, with its
 * own timescale). No I/O and no allocation: the results point into the
 * bytes given. Every length is checked against the box, so hostile input
 * gets SV_ERR_PARSE with a message, never a read out of bounds.
 *
 * Threads: pure functions, any thread.
 */
#ifndef SV_PLAYER_EMSG_H
#define SV_PLAYER_EMSG_H

#include <stddef.h>
#include <stdint.h>

#include "player/manifest/parse_error.h"

/* Segments are walked for at most this many top-level boxes. */
#define SV_EMSG_MAX_BOXES 4096

typedef struct sv__emsg {
    int version;                 /* 0 or 1 */
    const char *scheme;          /* scheme_id_uri, NUL-terminated inside the box */
    const char *value;
    uint32_t timescale;          /* > 0 */
    uint64_t time;               /* v0: presentation_time_delta; v1: presentation_time */
    uint32_t duration;           /* event_duration; 0xFFFFFFFF: unknown */
    uint32_t id;
    const uint8_t *data;         /* message_data */
    size_t data_size;
} sv__emsg;

/* Reads the payload of one emsg box (the bytes after its 8- or 16-byte
 * header). Returns 0 or SV_ERR_PARSE (err says which field broke what). */
int sv__emsg_parse(const uint8_t *payload, size_t size, sv__emsg *out, sv__parse_error *err);

/* Receives each emsg box of a segment: `e` is NULL when the box was
 * malformed (err says why). Returns 0 to go on, or a negative code that
 * stops the walk with it. */
typedef int (*sv__emsg_fn)(void *opaque, const sv__emsg *e, const sv__parse_error *err);

/*
 * Walks the top-level boxes of a media segment and hands every emsg box to
 * fn. Returns the number of emsg boxes seen, fn's code, or SV_ERR_PARSE
 * when the boxes themselves are cut or malformed before the end (those
 * before it were handed over; a segment that is not ISO-BMFF, such as
 * MPEG-TS, gives 0).
 */
int sv__emsg_each(const uint8_t *data, size_t size, sv__emsg_fn fn, void *opaque);

#endif
