/*
 * The session stage: backend playback sessions (session.c). A session asks
 * the backend for a title (playback/start), hands the load it answers up to
 * the core through the host's load(), reports heartbeats on a timer of the
 * control loop and ends with playback/stop. Its status (session_info) and
 * events go up through the sv__env; it never calls the control loop.
 *
 * Threads: the control thread, except sv__session_shutdown_done (any).
 */
#ifndef SV_PLAYER_SESSION_SESSION_H
#define SV_PLAYER_SESSION_SESSION_H

#include <stdint.h>

#include "player/net/fetcher.h"
#include "player/net/loop.h"
#include "player/output/status.h"
#include "streamverse/player.h"

typedef struct sv__session_host {
    const sv__env *env;        /* status, log, events, errors: borrowed */
    sv__loop *loop;            /* heartbeat timers: borrowed */
    sv__fetcher *fetcher;      /* API calls; its media token is set here: borrowed */
    /* The backend answered: load `url` with `opts`. url, opts->auth_token
     * and opts->license_url are malloc'd and pass to the callee, which
     * frees them, also when it fails. */
    void (*load)(void *opaque, uint64_t userdata, char *url, const sv_load_options *opts);
    void *opaque;
} sv__session_host;

/* The sessions of one player: the one being played, and those whose stop is
 * still in flight. */
typedef struct sv__sessions sv__sessions;

int sv__sessions_create(sv__sessions **out, const sv__session_host *host);
/* Ends everything at once (sv__session_teardown) and frees. Accepts NULL. */
void sv__sessions_destroy(sv__sessions *m);
/* Ends the current session and starts one for `o` (strings copied): the
 * load it answers carries `userdata`. Errors go to the env. */
void sv__session_start(sv__sessions *m, const sv_session_options *o, uint64_t userdata);
/* Ends the current session (stop sent, resume position saved); no-op
 * without one. */
void sv__session_end(sv__sessions *m);
/* Destroy is coming: ends the session; sv__session_shutdown_done turns 1
 * once no stop waits for its answer any more (at once when none does). */
void sv__session_shutdown(sv__sessions *m);
int sv__session_shutdown_done(sv__sessions *m);
/* Ends everything at once, answered or not (the loop is about to go). */
void sv__session_teardown(sv__sessions *m);

#endif
