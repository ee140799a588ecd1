/*
 * video_desc.h - a video description as svtrace's sessions use it
 * (video_desc.c): the ladder and segment sizes, and for a real title what
 * the player fetches besides the segments. The loaders (video.c,
 * video_url.c) fill it; nothing here calls them.
 */
#ifndef SVTRACE_VIDEO_DESC_H
#define SVTRACE_VIDEO_DESC_H

#include <stddef.h>
#include <stdint.h>

#include "streamverse/abrsim.h"

/* A loaded video description; owns its arrays. */
typedef struct svt_video {
    sv_abr_video v;
    uint32_t *bitrates;
    uint64_t *sizes;
    size_t play_segments;   /* segments a session plays (<= v.num_segments) */
    int player_start;       /* a real title: sessions start at the lowest rung, as the
                               player does (else the simulator's start rung) */
    /* A real title: what the player fetches besides the segments
     * (sv_emulate_video), NULL/0 otherwise. */
    uint64_t manifest_bytes;
    uint64_t *index_bytes, *init_bytes;
} svt_video;

void svt_video_free(svt_video *v);

/* The simulator's setup for sessions over `v`: a real title starts at the
 * lowest rung and pays for the manifest, playlists and init segments the
 * player fetches, as `svtrace emulate` does. */
void svt_video_sim_config(const svt_video *v, sv_abr_sim_config *cfg);

#endif
