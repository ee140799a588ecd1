/*
 * video_url.h - an HLS or DASH presentation as a video description
 * (video_url.c), through libstreamverse's sv_emulate_describe().
 */
#ifndef SVTRACE_VIDEO_URL_H
#define SVTRACE_VIDEO_URL_H

#include <stddef.h>

#include "video_desc.h"

/* 1 when `path` names a presentation: a URL, or a file ending in .mpd/.m3u8(8). */
int svt_is_manifest(const char *path);

/* The presentation's video ladder and segment sizes into *out (owned by the
 * caller: svt_video_free). Prints the error and returns -1 on failure. */
int svt_load_video_url(const char *url, size_t segments, svt_video *out);

#endif
