/*
 * The download object shared by download.c (public calls) and
 * download_run.c (its thread).
 */
#ifndef SV_PLAYER_DOWNLOAD_DOWNLOAD_H
#define SV_PLAYER_DOWNLOAD_DOWNLOAD_H

#include <errno.h>

#include "platform/thread.h"
#include "player/download/internal.h"

struct sv_download {
    sv_allocator alloc_copy;
    const sv_allocator *alloc;     /* &alloc_copy, or NULL for the C library */
    sv__logger log;
    char *dir, *audio, *subs;      /* settings, copied; fixed after create */
    char *lic_url, *lic_token, *lic_device, *lic_key; /* offline license settings, or NULL */
    char *backend;                 /* settings.backend_url (no trailing '/'), or NULL */
    int64_t title_id;              /* with backend: the title; 0 otherwise */
    /* The playback session of a title's run (download_title.c; the thread's). */
    char session_id[40];           /* "" when none is open */
    int64_t hb_interval_ns, next_hb_ns;
    int choice_height;
    int64_t choice_bandwidth, quota;
    sv_download_progress_fn on_progress;
    void *progress_opaque;
    sv__dl_fetcher *fetcher;       /* stop/reset from any thread (atomics inside) */

    /* The state: the thread's while it runs (between start and its end),
     * the public calls' otherwise (they join the thread first). */
    sv__dl_state st;
    sv__thread thread;
    int thread_live;               /* started and not joined; public calls only */

    sv__mutex lock;
    sv__cond cond;                 /* broadcast when prog.state leaves RUNNING */
    /* Guarded by lock: */
    sv_download_progress prog;     /* storage_bytes filled when read */
    int stop;                      /* pause/cancel/destroy asked the thread to stop */
};

/* Title mode (download_title.c), on the download's thread: opens a
 * playback session: the manifest URL (into dl->st.url when it has none),
 * the media query (into the fetcher), the title's offline-license route
 * (dl->lic_url). Returns 0 or an SV_ERR_* with msg set. */
int sv__dl_title_session(sv_download *dl, char *msg, size_t cap);
/* Sends the session's heartbeat when it is due (a fresh media token), or
 * opens a new session when the server ended it. 0 or an SV_ERR_*. */
int sv__dl_title_heartbeat(sv_download *dl, char *msg, size_t cap);
/* Stops the session, if one is open (best effort). */
void sv__dl_title_stop(sv_download *dl);

/* The thread (download_run.c). */
void *sv__dl_run(void *opaque);
/* Recomputes dl->prog's counts from dl->st and sets its state, under the
 * lock. Called by the state's owner. */
void sv__dl_progress_from_state(sv_download *dl, sv_download_state state);

#endif
