/*
 * Where and why a manifest failed to parse. Parsers fill it so the player can
 * report "line 12: EXT-X-BYTERANGE without a length" instead of a bare code.
 */
#ifndef SV_PLAYER_PARSE_ERROR_H
#define SV_PLAYER_PARSE_ERROR_H

#include "platform/log.h"

typedef struct sv__parse_error {
    int line;             /* 1-based; 0 when not tied to a line */
    char message[200];
} sv__parse_error;

/* Records an error (the first one wins) and returns SV_ERR_PARSE. */
int sv__parse_fail(sv__parse_error *err, int line, const char *fmt, ...) SV_PRINTF(3, 4);

#endif
