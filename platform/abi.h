/*
 * Reading and writing the public structs that carry a leading `struct_size`
 * (docs/sdk.md, "ABI and versions"). A host built against older headers
 * hands the library a smaller struct: the library reads the fields that fit
 * (the rest keep their defaults) and writes only the fields that fit. A size
 * below the first published version of the struct (0, or a struct that was
 * never initialised) is refused with SV_ERR_INVALID.
 *
 * The first published size of a struct is fixed with SV__SIZE_TO(type,
 * last_field_of_abi_1): fields appended later do not move it.
 *
 * Threads: no state; any thread.
 */
#ifndef SV_PLATFORM_ABI_H
#define SV_PLATFORM_ABI_H

#include <stddef.h>
#include <string.h>

#include "streamverse/common.h"

/* Bytes from the start of `type` to the end of `field`. */
#define SV__SIZE_TO(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))

/* The struct_size of a host struct (its first member), or 0 for NULL. */
static inline size_t sv__struct_size(const void *host)
{
    size_t n = 0;
    if (host)
        memcpy(&n, host, sizeof(n));
    return n;
}

/*
 * Copies a host struct into `full` (dst_size bytes, already holding the
 * defaults): the bytes the host has, up to dst_size. Afterwards
 * full->struct_size is dst_size. Returns 0, or SV_ERR_INVALID (full untouched)
 * when host is NULL or its struct_size is below min_size.
 */
static inline int sv__struct_read(void *full, size_t dst_size, const void *host, size_t min_size)
{
    size_t n = sv__struct_size(host);
    if (n < min_size)
        return SV_ERR_INVALID;
    memcpy(full, host, n < dst_size ? n : dst_size);
    memcpy(full, &dst_size, sizeof(dst_size));
    return 0;
}

/*
 * Copies `full` (src_size bytes, filled by the library) into a host struct,
 * as many bytes as the host's struct_size holds; the host's struct_size is
 * kept. Returns 0, or SV_ERR_INVALID (nothing written) when host is NULL or
 * its struct_size is below min_size.
 */
static inline int sv__struct_write(void *host, const void *full, size_t src_size, size_t min_size)
{
    size_t n = sv__struct_size(host);
    if (n < min_size)
        return SV_ERR_INVALID;
    if (n > src_size)
        n = src_size;
    memcpy((char *)host + sizeof(size_t), (const char *)full + sizeof(size_t),
           n - sizeof(size_t));
    return 0;
}

/*
 * Fills a host struct of host_size bytes (the size it states, its
 * struct_size-to-be) with the defaults in `full` (full_size bytes): the
 * fields that fit, and struct_size = host_size. Nothing is written when host
 * is NULL or host_size is below min_size.
 */
static inline void sv__struct_defaults(void *host, size_t host_size, const void *full,
                                       size_t full_size, size_t min_size)
{
    if (!host || host_size < min_size)
        return;
    memcpy(host, full, host_size < full_size ? host_size : full_size);
    memcpy(host, &host_size, sizeof(host_size));
}

#endif
