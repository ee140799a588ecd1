/* Fuzz target: the HLS playlist parser on arbitrary bytes, both ways: the
 * segments kept in the playlist, and handed one by one to a callback
 * (sv__hls_parse_each, the model's way); both must see the same segments. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "player/manifest/hls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct seen {
    const sv__hls_playlist *kept; /* the first parse's playlist */
    size_t n;
} seen;

static int each(void *opaque, const sv__hls_playlist *pl, const sv__hls_segment *seg)
{
    seen *s = opaque;
    const sv__hls_segment *k = &s->kept->segments[s->n++];
    /* The same segment as the first parse kept, with its key and map
     * already read. */
    if (strcmp(k->uri, seg->uri) != 0 || strcmp(k->title, seg->title) != 0 ||
        k->offset != seg->offset || k->length != seg->length || k->sequence != seg->sequence ||
        (seg->key >= 0 && (size_t)seg->key >= pl->nb_keys) ||
        (seg->map >= 0 && (size_t)seg->map >= pl->nb_maps) ||
        (!k->program_date_time) != (!seg->program_date_time))
        __builtin_trap();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *url = "http://127.0.0.1/a/b/index.m3u8";
    sv__hls_playlist *pl = NULL, *pl2 = NULL;
    sv__parse_error err;

    if (sv__hls_parse((const char *)data, size, url, NULL, &pl, &err) == 0) {
        /* Touch what the player reads, so bad pointers surface here. */
        volatile size_t sum = 0;
        for (size_t i = 0; i < pl->nb_segments; i++)
            sum += (size_t)pl->segments[i].uri[0] + (size_t)pl->segments[i].length;
        for (size_t i = 0; i < pl->nb_variants; i++)
            sum += (size_t)(pl->variants[i].uri ? pl->variants[i].uri[0] : 0);
        /* LL-HLS: parts, the hint and the reports. */
        for (size_t i = 0; i < pl->nb_parts; i++)
            sum += (size_t)pl->parts[i].uri[0] + (size_t)pl->parts[i].index;
        for (size_t i = 0; i < pl->nb_reports; i++)
            sum += (size_t)pl->reports[i].uri[0];
        if (pl->preload_uri)
            sum += (size_t)pl->preload_uri[0];
        (void)sum;
        seen s = { pl, 0 };
        if (sv__hls_parse_each((const char *)data, size, url, NULL, each, &s, &pl2, &err) != 0 ||
            s.n != pl->nb_segments || pl2->nb_segments != pl->nb_segments || pl2->segments)
            __builtin_trap();
        sv__hls_playlist_free(pl2);
        sv__hls_playlist_free(pl);
    }
    return 0;
}
