/* Fuzz target: HLS interstitials. The input's first line is the attribute
 * list of an interstitial EXT-X-DATERANGE (read with
 * sv__interstitial_read against a playlist URL); the rest is an
 * X-ASSET-LIST document (sv__asset_list_parse, jansson). Both must refuse
 * what is wrong with SV_ERR_PARSE and a reason, never crash or read past
 * the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "player/manifest/interstitial.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static sv__interstitial_desc d;
    static sv__asset assets[SV__ASSETS_MAX];
    char why[300];
    size_t n = 0;
    if (size > 65536)
        return 0;
    const uint8_t *nl = memchr(data, '\n', size);
    size_t first = nl ? (size_t)(nl - data) : size;
    char *attrs = malloc(first + 1);
    if (!attrs)
        return 0;
    memcpy(attrs, data, first);
    attrs[first] = '\0';
    volatile size_t sum = 0;
    if (sv__interstitial_read(attrs, "http://127.0.0.1/t/video/index.m3u8", &d, why,
                              sizeof(why)) == 0)
        sum += strlen(d.asset_uri) + strlen(d.list_uri) + (size_t)d.cue + (size_t)d.restrict_flags;
    else
        sum += strlen(why);
    free(attrs);
    const char *rest = nl ? (const char *)nl + 1 : "";
    size_t len = nl ? size - first - 1 : 0;
    if (sv__asset_list_parse(rest, len, "http://127.0.0.1/lists/a.json", assets, SV__ASSETS_MAX,
                             &n, why, sizeof(why)) == 0) {
        for (size_t i = 0; i < n; i++)
            sum += strlen(assets[i].uri);
    } else {
        sum += strlen(why);
    }
    (void)sum;
    return 0;
}
