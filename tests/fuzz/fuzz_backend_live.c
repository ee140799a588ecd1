/*
 * Fuzz target: the live channels' request input and what answers it
 * (backend/live/): the blocking reload parameters of a media playlist's
 * query (_HLS_msn, _HLS_part, _HLS_skip, through the query helpers), a
 * media file's name, and a live index built from arbitrary part events
 * (out of order, gaps, repeats: refused or listed), trimmed to a DVR
 * window, then written as LL-HLS playlists (full and delta) and an MPD.
 *
 * Input: "QUERY\nNAME\n" then 8-byte events: rendition, msn step, part,
 * duration, flags (independent, last), the window.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "backend/live/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *line(const uint8_t *p, const uint8_t *end, char *out, size_t cap)
{
    const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = (size_t)((nl ? nl : end) - p);

    if (n >= cap)
        n = cap - 1;
    memcpy(out, p, n);
    out[n] = '\0';
    return nl ? nl + 1 : end;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p = data, *end = data + size;
    sv__live_rend rends[3];
    sv__live_view v;
    char query[1024], name[256], err[128];
    int64_t msn = 0, got_msn, dropped[16];
    int part, skip, is_part;
    double window = 30;
    sv__buf b = {0};

    p = line(p, end, query, sizeof(query));
    p = line(p, end, name, sizeof(name));
    sv__live_hls_query(query, strlen(query), &got_msn, &part, &skip, err, sizeof(err));
    sv__live_media_name(name, &is_part, &got_msn, &part);

    memset(rends, 0, sizeof(rends));
    snprintf(rends[0].name, sizeof(rends[0].name), "720p");
    snprintf(rends[1].name, sizeof(rends[1].name), "360p");
    snprintf(rends[2].name, sizeof(rends[2].name), "audio");
    rends[2].is_audio = 1;
    for (; end - p >= 8; p += 8) {
        sv__live_rend *r = &rends[p[0] % 3];

        msn += p[1] % 3;
        if (p[6] & 4)
            window = 2 + p[7];
        sv__live_index_add(r, msn, p[2] % (SV__LIVE_MAX_PARTS + 2), (double)p[3] / 100.0,
                           p[6] & 1, (uint32_t)p[4] * 1000, (int64_t)p[5] * 1000, p[6] >> 4,
                           0, p[6] & 8);
        if (p[6] & 2)
            sv__live_index_complete(r, msn);
        while (sv__live_index_trim(r, window, dropped, 16) > 0)
            ;
        sv__live_index_has(r, msn, p[2] % 8 - 1);
    }
    v = (sv__live_view){.rends = rends, .nb_rends = 3, .segment_s = 2.0, .part_s = 0.4,
                        .dvr_s = window, .target_latency_s = 1.5};
    for (int state = 0; state < 3; state++) { /* live, its publisher gone, ended */
        v.ended = state == 2;
        v.gone = state == 1;
        sv__live_hls_master(&v, &b);
        for (int i = 0; i < 3; i++) {
            b.size = 0;
            sv__live_hls_media(&v, i, 0, &b);
            b.size = 0;
            sv__live_hls_media(&v, i, 1, &b);
        }
        b.size = 0;
        sv__live_dash_mpd(&v, 0, &b);
    }
    sv__buf_free(&b);
    for (int i = 0; i < 3; i++)
        sv__live_index_free(&rends[i]);
    return 0;
}
