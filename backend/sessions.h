/*
 * Live playback sessions: kept in memory on the loop thread, persisted to
 * the catalog in batches.
 *
 * Why in memory: heartbeats are the hottest request of the service (one per
 * viewer every heartbeat-interval seconds) and must cost microseconds, so a
 * heartbeat only updates a struct found through a hash table; it never
 * touches SQLite. A repeating timer (every second, or every heartbeat
 * interval when that is shorter) then
 *   - expires sessions whose last heartbeat is older than three intervals
 *     (they stop counting against the stream limit), and
 *   - writes every session changed since the last tick, and its resume
 *     position, in one transaction.
 * A stop, an expiry and a replaced session are written at once, so the
 * resume position (continue-watching) is in the catalog when the stop
 * answer leaves. At start-up the sessions the catalog still has open are
 * loaded back (a restart does not reset stream limits); the ones that
 * stopped heartbeating while the server was down expire on the first tick.
 * On shutdown every open session is written once more (still open).
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
} sv__session_stats;

typedef struct sv__session {
    char id[SV__SESSION_ID_LEN + 1];
    int64_t user_id, title_id;
    char device_id[65];
    int64_t started;          /* Unix s */
    int64_t last_seen;        /* Unix s, for the catalog */
    uint64_t last_seen_ms;    /* loop clock, for expiry */
    int64_t heartbeats;
    sv__session_stats stats;
    int dirty;                /* changed since the last write */
    struct sv__session *next_id, *next_user; /* hash chains (sessions.c) */
} sv__session;

typedef struct sv__sessions sv__sessions;

/* The table on `loop`, loading the catalog's open sessions. heartbeat_s is
 * the interval players are told; three of them without a heartbeat expire
 * a session. The timer does not keep the loop alive. Returns 0,
 * SV_ERR_NOMEM or SV_ERR_IO. `cat` and `log` outlive the table. */
int sv__sessions_create(uv_loop_t *loop, sv__catalog *cat, const sv__logger *log,
                        double heartbeat_s, sv__sessions **out);

/* Writes the open sessions and frees the table (the timer handle goes when
 * the loop runs its close callback; run the loop once more). NULL is fine. */
void sv__sessions_destroy(sv__sessions *ss);

/* The live session with that id, or NULL (unknown, ended or expired). */
sv__session *sv__sessions_find(sv__sessions *ss, const char *id);

/* Live sessions of a user (expired ones are ended first), not counting
 * the one on `except_device` (NULL: count all), which a start from that
 * device replaces. */
int sv__sessions_count_user(sv__sessions *ss, int64_t user_id, const char *except_device);

/*
 * Opens a session: ends the user's live session on the same device
 * ("replaced"), writes the row, and adds it to the table. Returns 0 and
 * *out (owned by the table), SV_ERR_NOMEM, SV_ERR_IO or SV_ERR_INTERNAL.
 */
int sv__sessions_open(sv__sessions *ss, int64_t user_id, int64_t title_id,
                      const char *device_id, sv__session **out);

/* Records a heartbeat: the session stays alive for three more intervals. */
void sv__sessions_heartbeat(sv__sessions *ss, sv__session *s, const sv__session_stats *st);

/* Ends a session ("stopped", "expired", "replaced") at `position_s` and
 * writes it with its resume position now; s is freed. Returns 0 or
 * SV_ERR_IO (the session is gone from memory either way). */
int sv__sessions_end(sv__sessions *ss, sv__session *s, double position_s, const char *reason);

/*
 * Whether a session id may still use its tokens: 1 live here, 0 ended
 * (stopped, expired, replaced) according to the catalog, SV_ERR_NOT_FOUND
 * unknown (another origin's session: tokens are stateless, so accepted),
 * SV_ERR_IO.
 */
int sv__sessions_usable(sv__sessions *ss, const char *id);

/* Ends the sessions that missed three intervals now, rather than at the
 * next tick (up to a second later): /metrics counts exact figures. */
void sv__sessions_expire(sv__sessions *ss);

/* Number of live sessions (for /metrics and tests). */
int sv__sessions_count(const sv__sessions *ss);

/* Sessions ended since the table was created, by reason (for /metrics). */
void sv__sessions_ended(const sv__sessions *ss, uint64_t *stopped, uint64_t *expired,
                        uint64_t *replaced);

/* ---- the catalog side (catalog_sessions.c) ---- */

int sv__catalog_session_insert(sv__catalog *cat, const sv__session *s);

/* Writes n sessions' statistics and resume positions in one transaction;
 * with reason non-NULL they are also marked ended. */
int sv__catalog_sessions_save(sv__catalog *cat, sv__session *const *s, int n,
                              const char *reason);

/* 1 ended, 0 open, SV_ERR_NOT_FOUND, SV_ERR_IO. */
int sv__catalog_session_ended(sv__catalog *cat, const char *id);

/* Calls fn for every open session row (stats filled from the row). */
int sv__catalog_sessions_load(sv__catalog *cat, int (*fn)(void *opaque, const sv__session *s),
                              void *opaque);

/* The saved position of user_id in title_id (0 when none). */
int sv__catalog_resume_get(sv__catalog *cat, int64_t user_id, int64_t title_id, double *pos);

/* {"items":[{"title_id","title","position_s","duration","updated"}]}, the
 * most recent first, ready titles only. */
json_t *sv__catalog_continue_watching(sv__catalog *cat, int64_t user_id, int limit, int *err);

/* What playback/start needs of a title: ready (1/0), its regions (a JSON
 * array, caller owns it). SV_ERR_NOT_FOUND or SV_ERR_IO. */
int sv__catalog_title_access(sv__catalog *cat, int64_t title_id, int *ready, json_t **regions);

/* Sets a title's allowed regions (array of "CC" strings, borrowed; []
 * means everywhere). SV_ERR_NOT_FOUND, SV_ERR_IO. */
int sv__catalog_title_set_regions(sv__catalog *cat, int64_t title_id, json_t *regions);

#endif
