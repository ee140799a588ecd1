/* Fuzz target: the HLS playlist parser on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "player/manifest/hls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sv__hls_playlist *pl = NULL;
    sv__parse_error err;

    if (sv__hls_parse((const char *)data, size, "http://127.0.0.1/a/b/index.m3u8", NULL, &pl,
                      &err) == 0) {
        /* Touch what the player reads, so bad pointers surface here. */
        volatile size_t sum = 0;
        for (size_t i = 0; i < pl->nb_segments; i++)
            sum += (size_t)pl->segments[i].uri[0] + (size_t)pl->segments[i].length;
        for (size_t i = 0; i < pl->nb_variants; i++)
            sum += (size_t)(pl->variants[i].uri ? pl->variants[i].uri[0] : 0);
        (void)sum;
        sv__hls_playlist_free(pl);
    }
    return 0;
}
