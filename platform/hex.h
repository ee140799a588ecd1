/* Hexadecimal digits, shared by the parsers and writers of keys, IVs and
 * digests. */
#ifndef SV_PLATFORM_HEX_H
#define SV_PLATFORM_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Returns the value of one hex digit (either case), or -1. */
static inline int sv__hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads exactly 2 * n hex digits (the whole string) into out[n]. Returns 0
 * or -1 (wrong length, a non-hex character). */
static inline int sv__hex_decode(const char *s, uint8_t *out, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        int hi = sv__hex_digit(s[2 * i]), lo = hi < 0 ? -1 : sv__hex_digit(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return s[2 * n] == '\0' ? 0 : -1;
}

/* Writes in[n] as 2 * n lowercase hex digits and a NUL into out. */
static inline void sv__hex_encode(const uint8_t *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

#endif
