/*
 * Fuzz target: the subtitle languages written into a packaged title's
 * manifests (backend/media/subs_manifest.c) on arbitrary bytes, read as an
 * MPD (the segment duration read back, the text sets rewritten) and as an
 * HLS master (the SUBTITLES lines rewritten). A master it takes must come
 * out with exactly one EXT-X-MEDIA TYPE=SUBTITLES line per language and
 * read the same when rewritten again; a timing it reads must be finite and
 * positive; a refusal says why.
 */
#define _GNU_SOURCE /* memmem */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend/media/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t count_lines(const char *s, size_t len, const char *prefix)
{
    size_t n = 0, pl = strlen(prefix);
    for (const char *p = s, *end = s + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        n += (size_t)(end - p) >= pl && !memcmp(p, prefix, pl);
        p = nl ? nl + 1 : end;
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const sv__manifest_subs subs[2] = { { "en", 0 }, { "pt-BR", 0 } };
    const char *text = (const char *)data;
    double seg = 0, dur = 0;
    size_t len = 0, len2 = 0;
    char err[256] = "";
    char *out, *again;

    if (size > (1 << 20))
        return 0;
    if (sv__subs_mpd_timing(text, size, &seg, &dur, err, sizeof(err)) == 0) {
        if (!(seg > 0) || !(dur > 0) || !isfinite(seg) || !isfinite(dur))
            abort();
    } else if (!err[0]) {
        abort(); /* every refusal says why */
    }
    for (int n = 0; n <= 2; n++) {
        free(sv__subs_mpd_rewrite(text, size, subs, n, seg > 0 ? seg : 4, &len));
        if (!(out = sv__subs_master_rewrite(text, size, subs, n, &len)))
            continue;
        if (count_lines(out, len, "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\"") != (size_t)n)
            abort();
        again = sv__subs_master_rewrite(out, len, subs, n, &len2);
        if (!again || len2 != len || memcmp(again, out, len))
            abort(); /* the rewrite is idempotent */
        free(again);
        free(out);
    }
    return 0;
}
