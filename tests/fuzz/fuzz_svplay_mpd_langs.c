/* Fuzz target: svplay's MPD language reader (apps/svplay/mpd_langs.c) on
 * arbitrary bytes; the lists it writes must stay NUL-terminated. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "apps/svplay/mpd_langs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char audio[64], subs[64];

    if (svp_mpd_languages((const char *)data, size, audio, sizeof(audio), subs, sizeof(subs)) ==
        0) {
        volatile size_t n = strlen(audio) + strlen(subs);
        (void)n;
    }
    return 0;
}
