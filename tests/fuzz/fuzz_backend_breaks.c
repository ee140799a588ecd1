/*
 * Fuzz target: ad breaks into a title's manifests (backend/breaks.h). The
 * input is a title's MPD, then after a line "--asset--" an asset's MPD (the
 * same one when there is no such line): the split into Periods around an
 * interstitial, the Events of a signalled break, the segment boundary an
 * interstitial moves to, and the HLS rewrite of the input as a playlist.
 * Whatever is written must read back as an MPD the rewrite takes again.
 */
#define _GNU_SOURCE /* memmem */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/breaks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SEP "\n--asset--\n"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data, *asset = text;
    size_t len = size, asset_len = size;
    sv__ad_break b[3] = {
        {.id = 1, .title_id = 1, .at_s = 0, .duration_s = 1.5, .asset_title_id = 2},
        {.id = 2, .title_id = 1, .at_s = 2.5, .duration_s = 1, .asset_title_id = 0},
        {.id = 3, .title_id = 1, .at_s = 4, .duration_s = 2, .asset_title_id = 2},
    };
    double at = 0;
    size_t out_len = 0;

    if (size > 1 << 20)
        return 0;
    const char *sep = memmem(data, size, SEP, strlen(SEP));
    if (sep) {
        len = (size_t)(sep - text);
        asset = sep + strlen(SEP);
        asset_len = size - len - strlen(SEP);
    }
    snprintf(b[0].cls, sizeof(b[0].cls), "%s", SV__BREAK_CLASS_INTERSTITIAL);
    snprintf(b[1].cls, sizeof(b[1].cls), "%s", SV__BREAK_CLASS_DEFAULT);
    snprintf(b[2].cls, sizeof(b[2].cls), "%s", SV__BREAK_CLASS_INTERSTITIAL);
    if (sv__breaks_dash_periods(text, len) < 0)
        abort();
    if (sv__breaks_dash_boundary(text, len, 3.3, &at) == 0 && (at < 0 || at != at))
        abort();
    const char *assets[3] = {asset, NULL, asset};
    size_t lens[3] = {asset_len, 0, asset_len};
    char *out = sv__breaks_dash(text, len, b, 3, assets, lens, &out_len);
    if (out) {
        /* A split MPD is no base any more: refused, never crashed on. */
        size_t again_len = 0;
        char *again = sv__breaks_dash(out, out_len, b + 1, 1, NULL, NULL, &again_len);
        free(again);
        free(out);
    }
    out = sv__breaks_dash(text, len, b + 1, 1, NULL, NULL, &out_len);
    free(out);
    out = sv__breaks_hls(text, len, b, 3, "../../ads/", &out_len);
    free(out);
    return 0;
}
