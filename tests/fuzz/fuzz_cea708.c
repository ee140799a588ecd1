/* Fuzz target: the CEA-708 (DTVCC) decoder on arbitrary cc_data, as the
 * video decoder hands it over frame by frame. The input is a run of frames,
 * each one byte N (its low 5 bits: the triplet count, as cc_count) and N
 * triplets; the first byte chooses the service (1-63). Every cue and the
 * screen are read, so their text is checked by the sanitizers too. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "player/output/cea708.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_cue(void *opaque, const sv__dtvcc_cue *q)
{
    size_t *sum = opaque;
    *sum += strlen(q->text) + (q->end > q->start) + (size_t)q->window;
}

static void on_bad(void *opaque, double pts, const char *why)
{
    size_t *sum = opaque;
    *sum += strlen(why) + (pts >= 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    volatile size_t out = 0;
    size_t sum = 0;
    sv__dtvcc_callbacks cb = { .opaque = &sum, .cue = on_cue, .bad = on_bad };
    sv__dtvcc *d;
    char screen[512];

    if (size < 1 || sv__dtvcc_create(&d, NULL, 1 + data[0] % 63, &cb) < 0)
        return 0;
    size_t i = 1;
    for (double pts = 0; i < size; pts += 0.04) {
        size_t n = (size_t)(data[i++] & 0x1f) * 3;
        if (n > size - i)
            n = size - i;
        sv__dtvcc_feed(d, pts, data + i, n);
        i += n;
        sv__dtvcc_screen(d, screen, sizeof(screen));
        sum += strlen(screen);
        if (pts > 100 && !(data[i - 1] & 7))
            sv__dtvcc_reset(d);
    }
    out = sum + (size_t)sv__dtvcc_services(d);
    (void)out;
    sv__dtvcc_destroy(d);
    return 0;
}
