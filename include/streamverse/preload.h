/*
 * streamverse/preload.h - preloading the next item (API 2.6), so that a
 * playlist moves to it at once (player.h includes this header; docs/sdk.md,
 * "Preloading the next item").
 *
 * While the current item plays, sv_player_preload() fetches the next one's
 * manifest, the media playlists or segment index of the representations a
 * load would start on (the lowest video rung of the codec the player would
 * choose, or the load options' quality_index; the best audio rendition), its
 * keys (an HLS AES-128 key; a CENC license, asked of the player's CDM, which
 * keeps the keys), and its init segments and first media segments from the
 * start position, and keeps the bodies in memory. A later sv_player_load()
 * of the same URL with the same auth token is answered from them without a
 * network round trip, so its first frame comes as fast as the demuxer and
 * decoder open (docs/sdk.md has the figures). Nothing is decoded ahead.
 *
 * Bandwidth and CPU go to the current item first: the preload fetches one
 * resource at a time, and only while the current item is neither loading,
 * buffering nor seeking (a rebuffer pauses it).
 *
 * Memory: at most sv_preload_options.max_bytes of bodies are kept; a body
 * that would pass the bound is not kept and the preload stops there (ready,
 * with less media: sv_preload_info.bytes says how much). The bodies stay
 * until another preload, a stop, a load of another URL after the preloaded
 * one was played, or sv_player_destroy().
 *
 * Threads: every function is thread-safe, like player.h's.
 */
#ifndef STREAMVERSE_PRELOAD_H
#define STREAMVERSE_PRELOAD_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

/* sv_player and sv_load_options are player.h's, which includes this header;
 * named by their struct tags here so that this header compiles on its own. */
struct sv_player;
struct sv_load_options;

#ifdef __cplusplus
extern "C" {
#endif

/* (API 2.6) Where a preload is. */
typedef enum sv_preload_state {
    SV_PRELOAD_NONE = 0,    /* none asked for, or cancelled by a stop */
    SV_PRELOAD_LOADING = 1, /* fetching (or waiting for the current item to play) */
    SV_PRELOAD_READY = 2,   /* everything asked for is held */
    SV_PRELOAD_FAILED = 3,  /* a fetch failed or the manifest did not parse:
                               sv_preload_info.error and message say why */
    SV_PRELOAD_USED = 4     /* a load of its URL took it (ready or not yet) */
} sv_preload_state;

/* Returns a static lowercase name for a state ("ready"), or "unknown". */
SV_API const char *sv_preload_state_name(sv_preload_state state);

/*
 * (API 2.6) Options of sv_player_preload(): start from
 * SV_PRELOAD_OPTIONS_INIT (every other field zero: the defaults).
 */
typedef struct sv_preload_options {
    size_t struct_size;
    /* The options the item will be loaded with, or NULL for the defaults.
     * Read during the call: start_position_s (where the fetched media
     * starts), auth_token (carried by every request, as the load's will;
     * a load with another token fetches again), license_url (overrides
     * settings.license_url, then the manifest's) and quality_index (the
     * video representation fetched). Its CDN list is not used: the preload
     * fetches from the manifest's own URLs. */
    const struct sv_load_options *load;
    /* Bound on the bodies kept, bytes; 0: 32 MiB. At least 64 KiB. */
    size_t max_bytes;
    /* Media fetched ahead from the start position, seconds of each stream;
     * 0: settings.start_buffer_s (at least one segment is fetched). */
    double ahead_s;
    /* Gapless: non-zero makes the player move to this item by itself when
     * the current one ends, its audio following the current item's last
     * sample in the same open audio sink (docs/sdk.md, "Gapless"): once
     * every sample and frame of the current item is queued, the preloaded
     * item is loaded (as sv_player_load(url, opts->load) would, its reply
     * carrying this command's userdata) with the outputs playing on; its
     * first samples are queued right behind the current item's last ones,
     * the current item's last frames are shown on its own clock, and the
     * new item's video starts when its audio is heard. The host gets
     * SV_EVENT_END_OF_FILE for the current item, then the new load's
     * events (no ENDED state in between). Needs the preload READY by then
     * and an audio track of its own in the next item (not muxed in its
     * video segments); otherwise the current item ends as usual. Default 0:
     * the host loads the next item itself. */
    int gapless;
} sv_preload_options;

#define SV_PRELOAD_OPTIONS_INIT SV_STRUCT_INIT(sv_preload_options)

/*
 * (API 2.6) Starts preloading `url` (an HLS or DASH manifest URL; a plain
 * media file is opened by the demuxer at load time and nothing is fetched
 * ahead: the preload is READY at once), replacing and cancelling the
 * previous preload (its reply carries SV_ERR_CANCELLED) and dropping what
 * it held. `opts` may be NULL. The current playback is not touched.
 *
 * Returns 0 or SV_ERR_INVALID (NULL player or url, bad options). The
 * command's reply (SV_EVENT_COMMAND_REPLY with `userdata`) comes when the
 * preload ends: 0 when it is ready, the failure's code (SV_ERR_NOT_FOUND,
 * SV_ERR_HTTP, SV_ERR_NETWORK, SV_ERR_PARSE, SV_ERR_DRM ...), or
 * SV_ERR_CANCELLED (replaced, stopped, or taken by a load before it was
 * ready). SV_EVENT_PRELOAD says the same with the URL and a message; a
 * failed preload never raises SV_EVENT_ERROR nor stops the current item.
 */
SV_API int sv_player_preload(struct sv_player *player, const char *url,
                             const sv_preload_options *opts, uint64_t userdata);

/* (API 2.6) The preload's state and figures. Initialise with
 * SV_PRELOAD_INFO_INIT. */
typedef struct sv_preload_info {
    size_t struct_size;
    sv_preload_state state;
    int error;                /* FAILED: a negative code; else 0 */
    char message[200];        /* FAILED: what failed, with the URL; else "" */
    int64_t requests;         /* resources fetched for it */
    int64_t bytes;            /* body bytes held */
    int64_t hits;             /* requests answered from them since it started */
    double ready_s;           /* from the command to READY, seconds; -1 before */
    int bounded;              /* max_bytes stopped it before ahead_s was held */
} sv_preload_info;

#define SV_PRELOAD_INFO_INIT SV_STRUCT_INIT(sv_preload_info)

/* Copies the preload's state into as many fields as info->struct_size
 * holds. Returns 0 or SV_ERR_INVALID (NULL, or struct_size too small).
 * Thread-safe; never blocks on the network. */
SV_API int sv_player_get_preload(struct sv_player *player, sv_preload_info *info);

#ifdef __cplusplus
}
#endif

#endif /* STREAMVERSE_PRELOAD_H */
