/*
 * streamverse/session.h - playing a title of a Streamverse backend (svserver)
 * as a playback session: entitlement and stream-limit checks, heartbeats,
 * the resume position (player.h includes this header; docs/sdk.md,
 * "Backend sessions, CDNs and CMCD").
 *
 * Threads: every function is thread-safe, like player.h's.
 */
#ifndef STREAMVERSE_SESSION_H
#define STREAMVERSE_SESSION_H

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

/*
 * Options for sv_player_load_title(): start from SV_SESSION_OPTIONS_INIT
 * (every other field zero), then set the fields. Strings are copied.
 */
typedef struct sv_session_options {
    size_t struct_size;
    const char *server_url;     /* the backend's API base, "http://127.0.0.1:8080" */
    const char *user_token;     /* the account's bearer token (POST /api/v1/auth/login) */
    int64_t title_id;
    const char *device_id;      /* counts against the account's stream limit; NULL: "sdk" */
    int prefer_hls;             /* 1: the HLS master playlist; 0 (default): the DASH MPD */
    int from_start;             /* 1: start at load.start_position_s, not the resume point */
    /* Load options, or NULL for the defaults. Only start_position_s (with
     * from_start) and quality_index are used; the session supplies the CDNs,
     * license URL and media token. Read during the call. */
    const struct sv_load_options *load;
} sv_session_options;

#define SV_SESSION_OPTIONS_INIT SV_STRUCT_INIT(sv_session_options)

/*
 * Plays a title of a Streamverse backend as a playback session, replacing
 * whatever was playing: POST /api/v1/playback/start (entitlement, region
 * and stream-limit checks), then the session's manifest over the CDNs it
 * names, its license URL and its short-lived media token (refreshed by
 * each heartbeat), from the resume position. While it plays, the control
 * thread sends a heartbeat every heartbeat_interval_s (position, bitrate,
 * buffer, rebuffers, dropped frames, CDN); a stop, a new load, the end of
 * the title, a fatal error or sv_player_destroy() ends the session with
 * POST /api/v1/playback/stop, which saves the resume position (destroy
 * waits up to 2 s for that answer).
 *
 * Returns 0 (the reply follows like sv_player_load()'s) or SV_ERR_INVALID.
 * A refusal arrives as a fatal SV_EVENT_ERROR whose message starts with
 * the backend's code ("too_many_streams: ...", "geo_blocked: ...",
 * "not_entitled: ...") and code SV_ERR_FORBIDDEN, SV_ERR_NOT_FOUND or
 * SV_ERR_HTTP.
 */
SV_API int sv_player_load_title(struct sv_player *player, const sv_session_options *opts,
                                uint64_t userdata);

/* The current backend session. Initialise with SV_SESSION_INFO_INIT. */
typedef struct sv_session_info {
    size_t struct_size;
    int active;                 /* 1 between "started" and its end */
    char session_id[64];
    double heartbeat_interval_s;
    double resume_position_s;   /* where the session started */
    int64_t heartbeats_sent, heartbeats_failed;
} sv_session_info;

#define SV_SESSION_INFO_INIT SV_STRUCT_INIT(sv_session_info)

/* Copies the session state (zeroes when none) into as many fields as
 * info->struct_size holds. Returns 0 or SV_ERR_INVALID (NULL, or
 * struct_size too small). Thread-safe. */
SV_API int sv_player_get_session(struct sv_player *player, sv_session_info *info);

#ifdef __cplusplus
}
#endif

#endif /* STREAMVERSE_SESSION_H */
