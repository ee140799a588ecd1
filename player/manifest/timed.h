/*
 * Timed events as the manifest parsers hand them to the model: one shape for
 * DASH Events, emsg boxes and HLS EXT-X-DATERANGE tags (the public
 * sv_timed_event without the player's copy), and the warnings about events
 * that were malformed and left out. No I/O; strings and payloads live in
 * the arena of whatever the parser returns.
 *
 * Threads: pure functions, any thread.
 */
#ifndef SV_PLAYER_TIMED_H
#define SV_PLAYER_TIMED_H

#include <stddef.h>
#include <stdint.h>

#include "platform/arena.h"
#include "streamverse/player.h"

#define SV__SCHEME_SCTE35_BIN "urn:scte:scte35:2013:bin"
/* SCTE 214-1: the section base64 in a Signal/Binary element of an Event. */
#define SV__SCHEME_SCTE35_XML_BIN "urn:scte:scte35:2014:xml+bin"
/* Payloads larger than this are refused as malformed (an SCTE-35 section
 * is at most 4 KiB; DASH events carry small messages). */
#define SV__TIMED_MAX_PAYLOAD (64 * 1024)
/* Warnings kept per parse (all are counted). */
#define SV__TIMED_WARNINGS 8

typedef struct sv__timed_desc {
    sv_timed_source source;
    const char *scheme, *value, *id; /* never NULL ("" when absent) */
    double start_s;              /* DASH: on the period's timeline; HLS: see hls.h */
    double duration_s;           /* -1 unknown */
    const uint8_t *payload;
    size_t payload_size;
    const char *attributes;      /* HLS attribute list, "" otherwise */
    sv_scte35_info scte35;
    const char *base_url;        /* HLS: the media playlist's URL (the model sets it, for
                                    the URIs an interstitial names); NULL otherwise */
} sv__timed_desc;

/* Events a parse left out, with why (the first SV__TIMED_WARNINGS). */
typedef struct sv__timed_warnings {
    size_t count;
    const char *messages[SV__TIMED_WARNINGS];
} sv__timed_warnings;

/* 1 when events of `scheme` carry an SCTE-35 section (either scheme
 * above), else 0. */
int sv__timed_is_scte35(const char *scheme);

/* Counts a malformed event and keeps its message (formatted into `a`).
 * Returns 0, or SV_ERR_NOMEM. */
int sv__timed_warn(sv__timed_warnings *w, sv__arena *a, const char *fmt, ...)
    SV_PRINTF(3, 4);

/*
 * Sets d->payload to a copy of `n` bytes in `a` and, when d->scheme is
 * SCTE-35 (sv__timed_is_scte35()), reads it into d->scte35. Returns 0,
 * SV_ERR_NOMEM, or SV_ERR_PARSE with `why` (cap bytes) saying what was
 * wrong: the caller leaves the event out and warns.
 */
int sv__timed_set_payload(sv__timed_desc *d, sv__arena *a, const uint8_t *data, size_t n,
                          char *why, size_t cap);

/*
 * Decodes base64 text (RFC 4648 section 4; whitespace between the groups,
 * as XML content has, is skipped) into a new buffer in `a`. Returns the
 * byte count with *out set, SV_ERR_PARSE for text that is not base64,
 * SV_ERR_OVERFLOW beyond SV__TIMED_MAX_PAYLOAD, or SV_ERR_NOMEM.
 */
int sv__timed_base64(sv__arena *a, const char *text, size_t len, uint8_t **out);

#endif
