/* Fuzz target: a text track's bytes into cues (player/manifest/text_track.c:
 * WebVTT, TTML, TTML in fragmented MP4 by what the bytes are), and the
 * TTML/IMSC1 reader alone, as a sidecar file and as an stpp sample with an
 * end. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "player/manifest/text_track.h"
#include "player/manifest/ttml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sv__ttml t;
    sv__parse_error err;

    for (int pass = 0; pass < 2; pass++) {
        memset(&err, 0, sizeof(err));
        if (sv__ttml_parse((const char *)data, size, pass ? 10.0 : INFINITY, NULL, &t, &err) == 0) {
            volatile size_t sum = 0;
            for (size_t i = 0; i < t.nb_cues; i++)
                sum += strlen(t.cues[i].text) + (t.cues[i].end > t.cues[i].start) +
                       (size_t)t.cues[i].style.font_size;
            (void)sum;
            sv__ttml_free(&t);
        }
    }
    sv__text_cues c;
    memset(&err, 0, sizeof(err));
    if (sv__text_parse(data, size, 10.0, NULL, &c, &err) == 0) {
        volatile size_t sum = 0;
        for (size_t i = 0; i < c.nb_cues; i++)
            sum += strlen(c.cues[i].text);
        (void)sum;
        sv__text_cues_free(&c);
    }
    return 0;
}
