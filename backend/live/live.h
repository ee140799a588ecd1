/*
 * Live channels at run time (docs/live.md): for every channel of the
 * catalog, an SRT and an RTMP listener (libavformat) on threads of their
 * own; a publisher's feed is decoded and encoded in real time into a
 * ladder of CMAF tracks cut into parts (one fragment per part) under
 * DATA/live/<name>/, and the loop keeps each rendition's live index, from
 * which it answers LL-HLS playlists (blocking reload, delta updates),
 * LL-DASH manifests, the parts and segments (the segment being written
 * goes out with chunked transfer as its parts land).
 *
 * Threads: every function here runs on the loop thread. The listeners and
 * encoders hand their results to the loop through a uv_async per channel.
 */
#ifndef SV_BACKEND_LIVE_LIVE_H
#define SV_BACKEND_LIVE_LIVE_H

#include <uv.h>

#include "backend/catalog.h"
#include "backend/http.h"
#include "platform/log.h"

typedef struct sv__live sv__live;

typedef struct sv__live_env {
    const char *data_dir;        /* DATA: channels live in DATA/live/<name>/ */
    const char *db;              /* the catalog (sv__catalog_connect) for the threads */
    const char *listen_host;     /* the listeners bind here (the HTTP listen address) */
    const char *x264_preset;     /* live rungs' preset; NULL: "superfast" */
    const sv__logger *log;       /* thread-safe */
    const uint8_t *master_key;   /* 32 bytes wrapping content keys (encrypted channels);
                                  * NULL: an encrypted channel's events fail to start */
} sv__live_env;

/* Starts the live side: reads the channel table, starts every channel's
 * listeners, and looks at the table again every second (channels added or
 * removed by the command line or the API). `cat` is the loop's catalog
 * connection (borrowed). Returns 0 or a negative code (logged). */
int sv__live_create(uv_loop_t *loop, sv__catalog *cat, const sv__live_env *env,
                    sv__live **out);

/* The channel table changed (the API added or removed one): look now. */
void sv__live_sync(sv__live *lv);

/* How the server rewrites a channel's master playlist or MPD for a
 * session's CDNs and content steering: fn answers req with the rewritten
 * text and returns 1, or returns 0 to let the channel send it as it is.
 * On the loop thread, during sv__live_serve. */
typedef struct sv__live_rewrite {
    int (*fn)(void *opaque, sv__http_req *req, const char *text, size_t len, int dash);
    void *opaque;
} sv__live_rewrite;

/* Answers GET/HEAD /live/<rest> (a channel's playlists, manifests, parts,
 * segments). rw (NULL: none) may rewrite the master playlist and MPD. */
void sv__live_serve(sv__live *lv, sv__http_req *req, const char *rest,
                    const sv__live_rewrite *rw);

/* Stops every listener and encoder (a publisher is cut off; the channel's
 * index stays on disk for the next start), answers parked requests and
 * frees everything once the loop ran the close callbacks. NULL is fine. */
void sv__live_destroy(sv__live *lv);

#endif
