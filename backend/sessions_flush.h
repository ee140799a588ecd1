/*
 * sessions_flush.h - the sessions' writer thread (sessions.c): the tick's
 * catalog work (save a batch of changed sessions, then expire the silent
 * ones) runs on its own thread and its own catalog connection, so the loop
 * thread never waits for the database on a tick: a heartbeat arriving
 * while 10,000 sessions are written is answered at once.
 *
 * One batch at a time: sv__flusher_submit refuses another while one is in
 * flight (the caller keeps its changes for the next tick). The result
 * comes back on the loop thread through the callback.
 *
 * Ownership: the flusher owns `cat` (closed by destroy) and the batch
 * while it is in flight; the callback gets the batch back and frees it.
 * Threads: create, submit and destroy on the loop thread; the callback
 * runs on the loop thread (from the loop, or from destroy).
 */
#ifndef SV_BACKEND_SESSIONS_FLUSH_H
#define SV_BACKEND_SESSIONS_FLUSH_H

#include <uv.h>

#include "backend/sessions.h"

typedef struct sv__flusher sv__flusher;

typedef struct sv__flush_result {
    sv__session *batch; /* copies of the sessions written; gone set as by sessions_save */
    int n;
    int save_ret;       /* 0 or the save's SV_ERR_*, for the whole batch */
    int expired;        /* sessions the expiry ended, or its SV_ERR_* */
    char errmsg[256];   /* the catalog's message when either failed */
} sv__flush_result;

/* The result of a batch, on the loop thread; `r->batch` is the callback's
 * to free. */
typedef void (*sv__flush_done)(void *opaque, sv__flush_result *r);

/* Returns 0 and *out, SV_ERR_NOMEM or SV_ERR_INTERNAL (then `cat` is
 * closed). */
int sv__flusher_create(uv_loop_t *loop, sv__catalog *cat, sv__flush_done done, void *opaque,
                       sv__flusher **out);

/* Hands over `batch` (n copies, malloc'd; n may be 0) to be saved, then
 * expires the sessions last seen before `expire_before` (0: none).
 * Returns 0, or SV_ERR_STATE while a batch is in flight (the caller keeps
 * `batch`). */
int sv__flusher_submit(sv__flusher *f, sv__session *batch, int n, int64_t expire_before);

/* Waits for the batch in flight, if any, and runs its callback now. */
void sv__flusher_drain(sv__flusher *f);

/* Whether a batch is in flight (submitted, its callback not yet run). */
int sv__flusher_busy(const sv__flusher *f);

/* Waits for the batch in flight, runs its callback, stops the thread and
 * closes the connection. The async handle is freed by its close callback
 * (run the loop once more). NULL is fine. */
void sv__flusher_destroy(sv__flusher *f);

#endif
