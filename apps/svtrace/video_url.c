/*
 * video_url.c - an HLS or DASH presentation as a video description: the
 * ladder and per-segment sizes libstreamverse reads with the player's own
 * manifest parser (sv_emulate_describe: byte ranges where the manifest or
 * sidx gives them, HEAD requests otherwise). Sessions over such a video
 * start at the lowest rung, as the player does, play the whole title, and
 * pay for the manifest, the media playlists (HLS) and the init segments the
 * player fetches besides the segments, as `svtrace emulate` does, so the
 * two report comparable QoE.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <stdio.h>

#include "streamverse/emulate.h"
#include "video_url.h"

/* HEAD requests in flight at once. */
#define PARALLEL 8

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strcspn(s, "?#"), k = strlen(suffix);
    return n >= k && strncasecmp(s + n - k, suffix, k) == 0;
}

int svt_is_manifest(const char *path)
{
    return strstr(path, "://") != NULL || ends_with(path, ".mpd") || ends_with(path, ".m3u8") ||
           ends_with(path, ".m3u");
}

int svt_load_video_url(const char *url, size_t segments, svt_video *out)
{
    sv_emulate_video *ev = NULL;
    char err[512];

    memset(out, 0, sizeof(*out));
    int ret = sv_emulate_describe(url, PARALLEL, &ev, err, sizeof(err));
    if (ret < 0) {
        fprintf(stderr, "svtrace: %s\n", err);
        return -1;
    }
    size_t rungs = ev->video.num_rungs, n = ev->video.num_segments;
    out->bitrates = calloc(rungs, sizeof(uint32_t));
    out->sizes = calloc(n * rungs, sizeof(uint64_t));
    out->index_bytes = calloc(rungs, sizeof(uint64_t));
    out->init_bytes = calloc(rungs, sizeof(uint64_t));
    if (!out->bitrates || !out->sizes || !out->index_bytes || !out->init_bytes) {
        fprintf(stderr, "svtrace: out of memory\n");
        sv_emulate_video_free(ev);
        svt_video_free(out);
        return -1;
    }
    memcpy(out->bitrates, ev->video.bitrates_kbps, rungs * sizeof(uint32_t));
    memcpy(out->sizes, ev->video.segment_bytes, n * rungs * sizeof(uint64_t));
    memcpy(out->index_bytes, ev->index_bytes, rungs * sizeof(uint64_t));
    memcpy(out->init_bytes, ev->init_bytes, rungs * sizeof(uint64_t));
    out->manifest_bytes = ev->manifest_bytes;
    out->v = ev->video;
    out->v.bitrates_kbps = out->bitrates;
    out->v.segment_bytes = out->sizes;
    out->play_segments = segments ? segments : n;
    out->player_start = 1;
    sv_emulate_video_free(ev);
    if (out->play_segments > n) {
        fprintf(stderr, "svtrace: %s: --segments %zu, but the video has %zu\n", url,
                out->play_segments, n);
        svt_video_free(out);
        return -1;
    }
    return 0;
}
