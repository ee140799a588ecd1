/* Fuzz target: EXT-X-DATERANGE. The input is the attribute list of one or
 * more tags (one per line), put into a media playlist with dates around
 * them, so every input reaches the DATERANGE reader, its SCTE-35 hex and
 * section reading, END-ON-NEXT and the placing through the dates. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "player/manifest/hls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char head[] = "#EXTM3U\n#EXT-X-TARGETDURATION:4\n"
                               "#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00Z\n"
                               "#EXTINF:4,\na.ts\n";
    static const char tail[] = "\n#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:04Z\n"
                               "#EXTINF:4,\nb.ts\n#EXT-X-ENDLIST\n";
    if (size > 65536)
        return 0;
    /* Every input line becomes a DATERANGE tag. */
    size_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    char *text = malloc(sizeof(head) + size + lines * 17 + sizeof(tail));
    if (!text)
        return 0;
    size_t o = 0;
    memcpy(text, head, sizeof(head) - 1);
    o = sizeof(head) - 1;
    memcpy(text + o, "#EXT-X-DATERANGE:", 17);
    o += 17;
    for (size_t i = 0; i < size; i++) {
        text[o++] = (char)data[i];
        if (data[i] == '\n') {
            memcpy(text + o, "#EXT-X-DATERANGE:", 17);
            o += 17;
        }
    }
    memcpy(text + o, tail, sizeof(tail) - 1);
    o += sizeof(tail) - 1;
    sv__hls_playlist *pl = NULL;
    if (sv__hls_parse(text, o, "http://127.0.0.1/v.m3u8", NULL, &pl, NULL) == 0) {
        volatile size_t sum = 0;
        for (size_t i = 0; i < pl->nb_dateranges; i++) {
            const sv__timed_desc *d = &pl->dateranges[i];
            sum += strlen(d->scheme) + strlen(d->value) + strlen(d->id) + strlen(d->attributes) +
                   d->payload_size;
            for (size_t k = 0; k < d->payload_size; k++)
                sum += d->payload[k];
        }
        size_t n = pl->daterange_warnings.count < SV__TIMED_WARNINGS
                       ? pl->daterange_warnings.count : SV__TIMED_WARNINGS;
        for (size_t i = 0; i < n; i++)
            sum += strlen(pl->daterange_warnings.messages[i]);
        (void)sum;
        sv__hls_playlist_free(pl);
    }
    free(text);
    return 0;
}
