/*
 * Live playback sessions. The catalog holds the truth (so that any number
 * of svserver processes on one PostgreSQL database answer for any
 * session); each server keeps a write-behind cache of the sessions it has
 * seen, on its loop thread.
 *
 * Why a cache: heartbeats are the hottest request of the service (one per
 * viewer every heartbeat-interval seconds) and must cost microseconds, so a
 * heartbeat updates a struct found through a hash table and never waits
 * for the database. A repeating timer (every second, or every half
 * heartbeat interval when that is shorter) then
 *   - writes every session changed here since the last tick in one
 *     transaction, merged with what other servers wrote (heartbeat counts
 *     add up, the later report wins), and drops the ones another server
 *     ended;
 *   - ends in the catalog every open session not seen for three intervals
 *     (any server may do it; it is one UPDATE), and forgets cached sessions
 *     this server has not heard of for as long.
 * A start goes to the catalog at once (the stream limit is checked there,
 * serialised per user, so it holds across servers); so do a stop and its
 * resume position. A heartbeat for a session this server has not cached
 * (started elsewhere, or before a restart) reads its row once.
 *
 * What a crash loses: the heartbeats of the last tick (at most a second);
 * the session itself, its limit slot and its last saved position are in
 * the catalog, and the next heartbeat, on any server, carries on.
 *
 * The catalog rows (table sessions) keep the last reported statistics of a
 * session and why it ended: "stopped", "expired" or "replaced" (a new start
 * from the same device ends the previous session of that device).
 *
 * Threads: everything runs on the loop thread that created the table.
 */
#ifndef SV_BACKEND_SESSIONS_H
#define SV_BACKEND_SESSIONS_H

#include <jansson.h>
#include <stdint.h>
#include <uv.h>

#include "backend/catalog.h"
#include "platform/log.h"

#define SV__SESSION_ID_LEN 32 /* hex characters */

/* What a heartbeat reports. */
typedef struct sv__session_stats {
    double position_s;
    int64_t bitrate_kbps;
    double buffer_s;
    int64_t rebuffer_count;
    double rebuffer_s;
    int64_t dropped_frames;
    char cdn[32];
    double live_latency_s;   /* live: now - the shown frame's program date time (below 0
                              * when the clocks disagree); NAN: not reported */
    double playback_rate;    /* live: the player's rate (latency control); NAN: not reported */
} sv__session_stats;

typedef struct sv__session {
    char id[SV__SESSION_ID_LEN + 1];
    int64_t user_id, title_id;
    char device_id[65];
    int64_t started;          /* Unix s */
    int64_t last_seen;        /* Unix s, for the catalog */
    uint64_t last_seen_ms;    /* loop clock: the last heartbeat here, or the row's age */
    int64_t heartbeats;       /* as the catalog had them when read, plus this server's */
    sv__session_stats stats;
    char prefix[128];         /* its media tokens' URL prefix: /media/ID/, or /live/NAME/
                               * for a live title (kept in the catalog; "" for a row from
                               * before: playback.c finds it again) */
    int dirty;                /* to write at the next tick (a heartbeat, or a lookup) */
    int64_t unsaved_heartbeats; /* received here since the last write */
    int gone;                 /* the catalog says another server ended it */
    struct sv__session *next_id; /* hash chain (sessions.c) */
} sv__session;

typedef struct sv__sessions sv__sessions;

/* The table on `loop`. heartbeat_s is the interval players are told; three
 * of them without a heartbeat expire a session. The timer does not keep
 * the loop alive. `cat` and `log` outlive the table. writer_cat, when not
 * NULL, is a second connection to the same catalog, which the table owns:
 * the tick's writes (every changed session, then the expiry) run on a
 * thread of their own on it (sessions_flush.h), so the loop never waits
 * for them; NULL: the tick writes on the loop thread through `cat`.
 * Returns 0, SV_ERR_NOMEM or SV_ERR_INTERNAL (writer_cat closed then). */
int sv__sessions_create(uv_loop_t *loop, sv__catalog *cat, sv__catalog *writer_cat,
                        const sv__logger *log, double heartbeat_s, sv__sessions **out);

/* Writes what is unsaved and frees the table (the timer handle goes when
 * the loop runs its close callback; run the loop once more). NULL is fine. */
void sv__sessions_destroy(sv__sessions *ss);

/* The live session with that id (cached here, or read from the catalog),
 * or NULL: unknown, ended or expired, or the catalog unreachable. */
sv__session *sv__sessions_find(sv__sessions *ss, const char *id);

/*
 * Opens a session for user_id on device_id, which replaces the user's live
 * session on that device, unless the user's other live sessions number
 * max_streams already. `prefix` is its media tokens' URL prefix (kept with
 * the session in the catalog; sv__session.prefix). Returns 0 and *out (owned by the table),
 * SV_ERR_OVERFLOW (the stream limit), SV_ERR_NOMEM, SV_ERR_IO or
 * SV_ERR_INTERNAL.
 */
int sv__sessions_open(sv__sessions *ss, int64_t user_id, int64_t title_id,
                      const char *device_id, int max_streams, const char *prefix,
                      sv__session **out);

/* Records a heartbeat: the session stays alive for three more intervals. */
void sv__sessions_heartbeat(sv__sessions *ss, sv__session *s, const sv__session_stats *st);

/* Ends a session ("stopped", "expired", "replaced") at `position_s` and
 * writes it with its resume position now; s is freed. Returns 0 or
 * SV_ERR_IO (the session is gone from memory either way). */
int sv__sessions_end(sv__sessions *ss, sv__session *s, double position_s, const char *reason);

/*
 * Whether a session id may still use its tokens: 1 live, 0 ended (stopped,
 * expired, replaced) according to the catalog, SV_ERR_NOT_FOUND unknown
 * (another origin's session: tokens are stateless, so accepted), SV_ERR_IO.
 */
int sv__sessions_usable(sv__sessions *ss, const char *id);

/* Writes what is unsaved and ends the sessions that missed three intervals
 * now, rather than at the next tick (up to a second later): /metrics counts
 * exact figures. On the loop thread, after the writer's batch in flight. */
void sv__sessions_expire(sv__sessions *ss);

/* Number of live sessions in the catalog, all servers together (for
 * /metrics and tests); the last known figure when the catalog fails. */
int sv__sessions_count(sv__sessions *ss);

/* Sessions this server ended since the table was created, by reason (for
 * /metrics): its stops, the starts that replaced a session, and the
 * expiries its timer wrote. */
void sv__sessions_ended(const sv__sessions *ss, uint64_t *stopped, uint64_t *expired,
                        uint64_t *replaced);

/*
 * ---- the catalog side (catalog_sqlite_sessions.c, catalog_pg_sessions.c) ----
 *
 * The catalog is the truth about sessions, so that every server on one
 * database answers for every session; the table above is each server's
 * write-behind cache of the heartbeats it received.
 */

/*
 * Opens session s (id, user, title, device, started, last_seen, prefix) in one
 * transaction serialised per user (PostgreSQL: the user's row locked FOR
 * NO KEY UPDATE; SQLite: the database's write lock): the user's open
 * session on s->device_id ends ("replaced"), and the row is inserted unless
 * the user's other open sessions seen since stale_before already number
 * max_streams (stale ones do not count; the servers' tick ends them). Starts racing on
 * several servers therefore never exceed the limit. Returns the number of
 * sessions it ended as replaced (0 or 1), SV_ERR_OVERFLOW (the limit:
 * nothing is changed), or SV_ERR_IO.
 */
int sv__catalog_session_start(sv__catalog *cat, const sv__session *s, int max_streams,
                              int64_t stale_before);

/* Reads session `id` into *out (every field the row has; the cache fields
 * zeroed). Returns 1 open, 0 ended, SV_ERR_NOT_FOUND or SV_ERR_IO. */
int sv__catalog_session_get(sv__catalog *cat, const char *id, sv__session *out);

/*
 * Saves n sessions in one transaction, merged with what other servers
 * wrote: heartbeats += s->unsaved_heartbeats, last_seen the later of the
 * two, statistics and position from the later. A row that another server
 * already ended is left as it is and s[i]->gone set to 1. With reason
 * non-NULL ("stopped") the open rows are also ended now. The user's resume
 * position follows each saved position (removed past 95 % of the title).
 * Returns 0 or SV_ERR_IO (nothing saved).
 */
int sv__catalog_sessions_save(sv__catalog *cat, sv__session *const *s, int n,
                              const char *reason);

/* Ends every open session last seen before `before` ("expired"). Returns
 * how many ended, or SV_ERR_IO. */
int sv__catalog_sessions_expire(sv__catalog *cat, int64_t before);

/* The number of open sessions seen at or after `since`, in *n. */
int sv__catalog_sessions_live(sv__catalog *cat, int64_t since, int64_t *n);

/* 1 ended, 0 open, SV_ERR_NOT_FOUND, SV_ERR_IO. */
int sv__catalog_session_ended(sv__catalog *cat, const char *id);

/* The saved position of user_id in title_id (0 when none). */
int sv__catalog_resume_get(sv__catalog *cat, int64_t user_id, int64_t title_id, double *pos);

/* {"items":[{"title_id","title","position_s","duration","updated"}]}, the
 * most recent first, ready titles only. */
json_t *sv__catalog_continue_watching(sv__catalog *cat, int64_t user_id, int limit, int *err);

/* What playback/start needs of a title: playable (1: ready, or live), its
 * regions (a JSON array, caller owns it) and, for a live title, the name of
 * the channel whose event it records into live_channel[cap] ("" for any
 * other title). SV_ERR_NOT_FOUND or SV_ERR_IO. */
int sv__catalog_title_access(sv__catalog *cat, int64_t title_id, int *ready, json_t **regions,
                             char *live_channel, size_t cap);

/* Sets a title's allowed regions (array of "CC" strings, borrowed; []
 * means everywhere). SV_ERR_NOT_FOUND, SV_ERR_IO. */
int sv__catalog_title_set_regions(sv__catalog *cat, int64_t title_id, json_t *regions);

#endif
