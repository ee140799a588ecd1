/* Fuzz target: the WebVTT cue reader on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "player/manifest/webvtt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sv__webvtt v;
    sv__parse_error err;

    memset(&err, 0, sizeof(err));
    if (sv__webvtt_parse((const char *)data, size, NULL, &v, &err) == 0) {
        volatile size_t sum = 0;
        for (size_t i = 0; i < v.nb_cues; i++)
            sum += strlen(v.cues[i].text) + (v.cues[i].end >= v.cues[i].start);
        (void)sum;
        sv__webvtt_free(&v);
    }
    return 0;
}
