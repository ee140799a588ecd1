/*
 * Segment URLs stored once (issue 16: a million-segment playlist). A URL is
 * split at the last run of decimal digits of its path, before any query or
 * fragment: "http://h/v/seg_0001234.ts" is the pattern
 * ("http://h/v/seg_", 7 digits, ".ts") and the number 1234. Consecutive
 * segments share a pattern, so a playlist of a million segments keeps a few
 * patterns and one 64-bit number per segment instead of a million strings;
 * a URL without digits (byte ranges of one file) is a pattern of its own,
 * also stored once while its segments follow each other.
 *
 * The table lives in the arena it was created in (the rep's segment
 * arena). Lossless: sv__uri_table_format() gives back the bytes that went
 * in. Not thread-safe; the model's owner (the control thread) uses it.
 */
#ifndef SV_PLAYER_MODEL_URI_TABLE_H
#define SV_PLAYER_MODEL_URI_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "platform/arena.h"

/* The longest URL a segment may have, NUL included: a buffer this large
 * holds any URL the table gives back. */
#define SV__URL_MAX 8192

typedef struct sv__uri_table sv__uri_table;

/* Creates an empty table in `a`; NULL when out of memory. */
sv__uri_table *sv__uri_table_create(sv__arena *a);

/*
 * Stores `len` bytes of `url` and sets *pattern and *number so that
 * sv__uri_table_format() gives them back. Returns 0, SV_ERR_OVERFLOW when
 * the URL is SV__URL_MAX bytes or longer, or SV_ERR_NOMEM.
 */
int sv__uri_table_add(sv__uri_table *t, const char *url, size_t len, uint32_t *pattern,
                      uint64_t *number);

/*
 * Writes the URL of (pattern, number) into buf[cap], NUL-terminated, and
 * returns buf; NULL when pattern is not in the table or the URL does not fit
 * (never with cap >= SV__URL_MAX).
 */
const char *sv__uri_table_format(const sv__uri_table *t, uint32_t pattern, uint64_t number,
                                 char *buf, size_t cap);

/* How many patterns the table holds. */
size_t sv__uri_table_patterns(const sv__uri_table *t);

#endif
