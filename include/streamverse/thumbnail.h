/*
 * streamverse/thumbnail.h - seek thumbnails: the picture for a time of the
 * presentation, for a seek bar (player.h includes this header; docs/sdk.md,
 * "Seek thumbnails").
 *
 * Threads: every function is thread-safe, like player.h's.
 */
#ifndef STREAMVERSE_THUMBNAIL_H
#define STREAMVERSE_THUMBNAIL_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

/* sv_player is player.h's, which includes this header; named by its struct
 * tag here so that this header compiles on its own. */
struct sv_player;

#ifdef __cplusplus
extern "C" {
#endif

/*
 * (API 2.4) A seek thumbnail, from the presentation's thumbnail images (DASH
 * thumbnail_tile image sets: grids of small pictures, one every few seconds).
 * Initialise with SV_THUMBNAIL_INIT, then point `pixels` at a buffer of
 * `capacity` bytes; the player writes the picture there as RGBA, 4 bytes a
 * pixel, width * 4 bytes a row.
 */
typedef struct sv_thumbnail {
    size_t struct_size;
    uint8_t *pixels;            /* the host's buffer (borrowed during the call) */
    size_t capacity;            /* its size in bytes */
    int width, height;          /* out: the thumbnail's size in pixels */
    double start_s, duration_s; /* out: the stretch of the timeline it stands for */
} sv_thumbnail;

#define SV_THUMBNAIL_INIT SV_STRUCT_INIT(sv_thumbnail)

/*
 * The thumbnail for presentation time `t` (the current period's): a cell
 * of its image set, or (API 2.6), when it has none, the key frame at or
 * before `t` of its I-frame track (clear, on demand; docs/sdk.md). The
 * first call of the player's life starts the fetching: from then on the
 * player fetches the images of every load (the one under the playback
 * position first, then on from there) and keeps them, so a host scrubbing
 * gets an answer without waiting on the network, and a host that never
 * asks spends no bandwidth on them (call it once when a seek bar may be
 * shown; SV_ERR_AGAIN until the image is in). Cutting one out takes
 * about a millisecond (the image decoded last is kept). Returns 0;
 * SV_ERR_NOT_FOUND (no thumbnails, or none for `t`); SV_ERR_AGAIN (that
 * image is not fetched yet); SV_ERR_DECODE (it could not be fetched or
 * decoded); SV_ERR_OVERFLOW (the buffer is too small: width and height say
 * what is needed); SV_ERR_INVALID. Thread-safe.
 */
SV_API int sv_player_get_thumbnail(struct sv_player *player, double t, sv_thumbnail *thumb);

#ifdef __cplusplus
}
#endif

#endif /* STREAMVERSE_THUMBNAIL_H */
