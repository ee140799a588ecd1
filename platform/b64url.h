/*
 * base64url (RFC 4648 section 5) through OpenSSL's EVP block coder: the one
 * copy for ClearKey messages, playback tokens, JWTs and edge tokens.
 *
 * Threads: pure functions, any thread.
 */
#ifndef SV_PLATFORM_B64URL_H
#define SV_PLATFORM_B64URL_H

#include <stddef.h>
#include <stdint.h>

/* Writes base64url without padding and a NUL. Returns the length, or
 * SV_ERR_OVERFLOW when out_size is short (4 * ceil(n / 3) + 1 always fits). */
int sv__b64url_encode(const uint8_t *in, size_t n, char *out, size_t out_size);
/* Decodes base64url (trailing '=' padding tolerated; '+' and '/' refused) of
 * `len` characters. Returns the number of bytes, SV_ERR_PARSE on a bad
 * character or length, SV_ERR_OVERFLOW when more than `max` bytes would come
 * out, or SV_ERR_NOMEM. */
int sv__b64url_decode(const char *in, size_t len, uint8_t *out, size_t max);

#endif
