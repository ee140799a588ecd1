/* Fuzz target: the preload cache's key of a URL (net/preload_cache.h), the
 * CMCD query argument left out. URLs come from manifests, so any bytes. The
 * key is never longer than the URL, is a prefix of it up to the query, and
 * keeps no argument starting "CMCD="; a key of a key is the same key. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "player/net/preload_cache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char url[1024], key[1024], again[1024], small[16];

    if (size >= sizeof(url))
        return 0;
    memcpy(url, data, size);
    url[size] = '\0';
    size_t n = strlen(url);
    if (!sv__pcache_key(url, key, sizeof(key)))
        __builtin_trap(); /* it fits: the key is not longer */
    size_t k = strlen(key), q = strcspn(url, "?");
    if (k > n || strncmp(key, url, q) != 0)
        __builtin_trap();
    for (const char *a = strchr(key, '?'); a; a = strchr(a + 1, '&'))
        if (!strncmp(a + 1, "CMCD=", 5))
            __builtin_trap();
    if (!sv__pcache_key(key, again, sizeof(again)) || strcmp(again, key) != 0)
        __builtin_trap();
    /* A buffer too small is refused, never overrun. */
    if (n >= sizeof(small) && sv__pcache_key(url, small, sizeof(small)))
        __builtin_trap();
    return 0;
}
