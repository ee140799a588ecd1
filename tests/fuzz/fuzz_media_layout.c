/*
 * Fuzz target: what the packager reads of an HEVC or AV1 track before it
 * encrypts (backend/media: codec_string.c, layout*.c over GStreamer's
 * parsers) and the subsample rules drm/ applies to it. Input: a 16-bit
 * big-endian init length, the init segment (ftyp + moov), then samples,
 * each after a 16-bit big-endian length. The init's sample entry and
 * configuration are read and its codec string made; for hvc1/av01 a layout
 * follows the samples in order, and each sample's ranges become a cenc and
 * a cbcs subsample map that must cover the sample exactly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend/media/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_RANGES 256
#define MAX_SUBS 1024

static void check_map(const uint8_t *s, size_t n, const sv__cenc_range *r, int nr, int blocks)
{
    sv_subsample subs[MAX_SUBS];
    size_t total = 0;
    int k = sv__cenc_range_subsamples(n, r, (size_t)nr, blocks, subs, MAX_SUBS);
    (void)s;
    if (k < 0)
        return;
    for (int i = 0; i < k; i++) {
        if (subs[i].clear_bytes > 65535 || (blocks && subs[i].protected_bytes % 16))
            abort();
        total += subs[i].clear_bytes + subs[i].protected_bytes;
    }
    if (total != n)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sv__video_config vc;
    sv__layout *l = NULL;
    sv__cenc_range ranges[MAX_RANGES];
    char codecs[48];

    if (size < 2)
        return 0;
    size_t init = (size_t)data[0] << 8 | data[1];
    if (init > size - 2)
        return 0;
    if (sv__init_video_config(data + 2, init, &vc) < 0)
        return 0;
    (void)sv__codec_string(&vc, codecs, sizeof(codecs));
    if (sv__layout_create(&vc, &l) < 0)
        return 0;
    for (size_t pos = 2 + init; size - pos >= 2;) {
        size_t n = (size_t)data[pos] << 8 | data[pos + 1];
        pos += 2;
        if (n > size - pos)
            break;
        int nr = sv__layout_sample(l, data + pos, n, ranges, MAX_RANGES);
        for (int i = 0; i < nr; i++)
            if (ranges[i].offset > n || ranges[i].size > n - ranges[i].offset)
                abort();
        if (nr >= 0) {
            check_map(data + pos, n, ranges, nr, 1);
            check_map(data + pos, n, ranges, nr, 0);
        }
        pos += n;
    }
    sv__layout_destroy(l);
    return 0;
}
