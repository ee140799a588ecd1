/* Hexadecimal digits, shared by the parsers that read keys and IVs. */
#ifndef SV_PLATFORM_HEX_H
#define SV_PLATFORM_HEX_H

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

#endif
