/* Fuzz target: svplay's poster decode (apps/svplay/poster_decode.c) on
 * arbitrary bytes: the size alone, then scaled to a card's poster box. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "apps/svplay/poster.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t *argb = NULL;
    int w = 0, h = 0;

    if (svp_poster_decode(data, size, 0, 0, NULL, &w, &h) == 0 &&
        svp_poster_decode(data, size, 128, 72, &argb, &w, &h) == 0) {
        volatile uint32_t sum = argb[0] + argb[128 * 72 - 1];
        (void)sum;
    }
    free(argb);
    return 0;
}
