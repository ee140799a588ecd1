/*
 * catalog_pg_sessions.c - playback sessions, resume positions and title
 * regions in the PostgreSQL catalog (sessions.h). Same contracts, codes and
 * JSON as catalog_sqlite_sessions.c, for several svserver processes on one
 * database.
 *
 * Lock order. Without sticky routing a viewer's heartbeats reach every
 * server in turn, so each tick the saves of several servers hold mostly the
 * same sessions. A start locks the user's row, then the user's open session
 * rows by id; a save locks the session rows it writes by id, then resume
 * rows by (user, title). Taking rows in one order, two servers wait for each
 * other in turn and never in a cycle (which PostgreSQL would break only
 * after a second, by failing one of them).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/catalog_pg.h"
#include "platform/buf.h"
#include "platform/log.h"
#include "streamverse/common.h"

/* Ends a transaction that failed, keeping the failed statement's error in
 * errmsg (ROLLBACK's own outcome does not matter: a broken connection
 * aborts the transaction anyway). */
static void rollback(sv__catalog *cat)
{
    char msg[sizeof(cat->errmsg)], state[sizeof(cat->sqlstate)];

    memcpy(msg, cat->errmsg, sizeof(msg));
    memcpy(state, cat->sqlstate, sizeof(state));
    sv__pg_exec(cat, "ROLLBACK");
    memcpy(cat->errmsg, msg, sizeof(msg));
    memcpy(cat->sqlstate, state, sizeof(state));
}

/*
 * The user's row is locked FOR NO KEY UPDATE rather than FOR UPDATE: starts
 * still wait for each other, but not for the foreign-key checks (FOR KEY
 * SHARE) of a save writing this user's resume rows, which holds session rows
 * this start may have to end.
 */
int sv__pg_session_start(sv__catalog *cat, const sv__session *s, int max_streams,
                         int64_t stale_before)
{
    PGresult *r = NULL;
    int64_t now = sv__cat_now();
    int ret = SV_ERR_IO, replace = 0, open = 0, replaced = 0;

    if (sv__pg_exec(cat, "BEGIN") < 0)
        return SV_ERR_IO;
    /* Under the user's lock, each statement's snapshot sees every start
     * that committed before: racing starts count each other. */
    if (!(r = sv__pg_query(cat, "SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE", "i",
                           s->user_id)))
        goto fail;
    PQclear(r);
    if (!(r = sv__pg_query(cat, "SELECT last_seen < $2, device_id = $3 FROM sessions"
                                " WHERE user_id = $1 AND ended IS NULL ORDER BY id FOR UPDATE",
                           "iis", s->user_id, stale_before, s->device_id)))
        goto fail;
    for (int i = 0; i < PQntuples(r); i++) {
        /* Stale sessions do not count; the servers' tick ends them (and
         * counts them as expired). */
        if (sv__pg_text(r, i, 0)[0] == 't')
            continue;
        if (sv__pg_text(r, i, 1)[0] == 't')
            replace++;
        else
            open++;
    }
    PQclear(r);
    r = NULL;
    if (open >= max_streams) {
        ret = SV_ERR_OVERFLOW;
        goto fail;
    }
    if ((replace && (replaced = sv__pg_run(cat, "UPDATE sessions SET ended = $1,"
                                                " end_reason = 'replaced' WHERE user_id = $2"
                                                " AND ended IS NULL AND device_id = $3",
                                           "iis", now, s->user_id, s->device_id)) < 0) ||
        sv__pg_run(cat, "INSERT INTO sessions (id, user_id, title_id, device_id, started,"
                        " last_seen, prefix) VALUES ($1, $2, $3, $4, $5, $6, $7)", "siisiis",
                   s->id, s->user_id, s->title_id, s->device_id, s->started, s->last_seen,
                   s->prefix) != 1)
        goto fail;
    return sv__pg_exec(cat, "COMMIT") < 0 ? SV_ERR_IO : replaced;

fail:
    PQclear(r);
    rollback(cat);
    return ret;
}

int sv__pg_session_get(sv__catalog *cat, const char *id, sv__session *out)
{
    PGresult *r = sv__pg_query(cat, "SELECT user_id, title_id, device_id, started, last_seen,"
                                    " (ended IS NULL)::int, position, heartbeats,"
                                    " coalesce(bitrate_kbps, 0), coalesce(buffer_s, 0),"
                                    " coalesce(rebuffer_count, 0), coalesce(rebuffer_s, 0),"
                                    " coalesce(dropped_frames, 0), coalesce(cdn, ''),"
                                    " live_latency_s, playback_rate, coalesce(prefix, '')"
                                    " FROM sessions WHERE id = $1", "s", id);
    int ret = SV_ERR_NOT_FOUND;

    if (!r)
        return SV_ERR_IO;
    if (PQntuples(r) == 1) {
        memset(out, 0, sizeof(*out));
        snprintf(out->id, sizeof(out->id), "%s", id);
        out->user_id = sv__pg_int(r, 0, 0);
        out->title_id = sv__pg_int(r, 0, 1);
        snprintf(out->device_id, sizeof(out->device_id), "%s", sv__pg_text(r, 0, 2));
        out->started = sv__pg_int(r, 0, 3);
        out->last_seen = sv__pg_int(r, 0, 4);
        ret = (int)sv__pg_int(r, 0, 5);
        out->stats.position_s = sv__pg_double(r, 0, 6);
        out->heartbeats = sv__pg_int(r, 0, 7);
        out->stats.bitrate_kbps = sv__pg_int(r, 0, 8);
        out->stats.buffer_s = sv__pg_double(r, 0, 9);
        out->stats.rebuffer_count = sv__pg_int(r, 0, 10);
        out->stats.rebuffer_s = sv__pg_double(r, 0, 11);
        out->stats.dropped_frames = sv__pg_int(r, 0, 12);
        snprintf(out->stats.cdn, sizeof(out->stats.cdn), "%s", sv__pg_text(r, 0, 13));
        out->stats.live_latency_s = sv__pg_null(r, 0, 14) ? NAN : sv__pg_double(r, 0, 14);
        out->stats.playback_rate = sv__pg_null(r, 0, 15) ? NAN : sv__pg_double(r, 0, 15);
        snprintf(out->prefix, sizeof(out->prefix), "%s", sv__pg_text(r, 0, 16));
    }
    PQclear(r);
    return ret;
}

/* ---- sessions_save: a whole batch in a constant number of statements ---- */

/* PostgreSQL array literals ("{1,2,3}", '{"a","b"}') are built in an
 * sv__buf: each element starts with a comma, or the opening brace. */

/* Appends one element printed from fmt. */
static void lit_add(sv__buf *l, const char *fmt, ...) SV_PRINTF(2, 3);

static void lit_add(sv__buf *l, const char *fmt, ...)
{
    char tmp[64];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    sv__buf_u8(l, l->size ? ',' : '{');
    sv__buf_append(l, tmp, n > 0 ? (size_t)n : 0);
}

/* Appends a text element, double-quoted with its quotes and backslashes
 * escaped (so "", NULL and {} read as text, not as array syntax). */
static void lit_add_text(sv__buf *l, const char *s)
{
    sv__buf_u8(l, l->size ? ',' : '{');
    sv__buf_u8(l, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            sv__buf_u8(l, '\\');
        sv__buf_u8(l, (uint8_t)*s);
    }
    sv__buf_u8(l, '"');
}

/* Closes the literal (a NUL-terminated string inside l); NULL when memory
 * ran out. */
static const char *lit_end(sv__buf *l)
{
    if (!l->size)
        sv__buf_u8(l, '{');
    sv__buf_append(l, "}", 2);
    return l->err ? NULL : (const char *)l->data;
}

enum { C_ID, C_LAST_SEEN, C_POSITION, C_UNSAVED, C_BITRATE, C_BUFFER, C_REBUF_COUNT, C_REBUF_S,
       C_DROPPED, C_CDN, C_LATENCY, C_RATE, C_NB };

/*
 * The merge, then the resume rows, in one statement. v is the batch (ord:
 * its index + 1; the ids are distinct, one cache entry per session; $13
 * and $14 its live latencies and rates, NULL when not reported), $11
 * the end reason or NULL, $12 now; u the open rows updated; w, for each
 * (user, title), the batch's last session with the row's merged position,
 * whose resume row is removed (watched: past 95 % of the title) or written
 * (SQLite's rule, applied once per user and title). Every SET
 * expression reads the row as it was, so "the later report wins" compares
 * with the old last_seen throughout. Rows already ended are not in u: their
 * ord is missing from the answer.
 */
static const char SAVE_SQL[] =
    "WITH v AS (SELECT * FROM unnest($1::text[], $2::int8[], $3::float8[], $4::int8[],"
    "  $5::int8[], $6::float8[], $7::int8[], $8::float8[], $9::int8[], $10::text[],"
    "  $13::float8[], $14::float8[])"
    "  WITH ORDINALITY AS v(id, last_seen, position, unsaved, bitrate_kbps, buffer_s,"
    "  rebuffer_count, rebuffer_s, dropped_frames, cdn, live_latency_s, playback_rate, ord)),"
    " u AS (UPDATE sessions s SET heartbeats = s.heartbeats + v.unsaved,"
    "  position = CASE WHEN v.last_seen >= s.last_seen THEN v.position ELSE s.position END,"
    "  bitrate_kbps = CASE WHEN v.last_seen >= s.last_seen THEN v.bitrate_kbps"
    "   ELSE s.bitrate_kbps END,"
    "  buffer_s = CASE WHEN v.last_seen >= s.last_seen THEN v.buffer_s ELSE s.buffer_s END,"
    "  rebuffer_count = CASE WHEN v.last_seen >= s.last_seen THEN v.rebuffer_count"
    "   ELSE s.rebuffer_count END,"
    "  rebuffer_s = CASE WHEN v.last_seen >= s.last_seen THEN v.rebuffer_s"
    "   ELSE s.rebuffer_s END,"
    "  dropped_frames = CASE WHEN v.last_seen >= s.last_seen THEN v.dropped_frames"
    "   ELSE s.dropped_frames END,"
    "  cdn = CASE WHEN v.last_seen >= s.last_seen THEN v.cdn ELSE s.cdn END,"
    "  live_latency_s = CASE WHEN v.last_seen >= s.last_seen THEN v.live_latency_s"
    "   ELSE s.live_latency_s END,"
    "  playback_rate = CASE WHEN v.last_seen >= s.last_seen THEN v.playback_rate"
    "   ELSE s.playback_rate END,"
    "  last_seen = greatest(s.last_seen, v.last_seen),"
    "  ended = CASE WHEN $11::text IS NULL THEN s.ended ELSE $12::bigint END,"
    "  end_reason = coalesce($11::text, s.end_reason)"
    "  FROM v WHERE s.id = v.id AND s.ended IS NULL"
    "  RETURNING v.ord, s.user_id, s.title_id, s.position),"
    " w AS (SELECT DISTINCT ON (u.user_id, u.title_id) u.user_id, u.title_id, u.position,"
    "  coalesce(t.duration > 0 AND u.position >= t.duration * 0.95, false) AS watched"
    "  FROM u JOIN titles t ON t.id = u.title_id"
    "  ORDER BY u.user_id, u.title_id, u.ord DESC),"
    " d AS (DELETE FROM resume r USING w"
    "  WHERE w.watched AND r.user_id = w.user_id AND r.title_id = w.title_id),"
    " i AS (INSERT INTO resume (user_id, title_id, position, updated)"
    "  SELECT user_id, title_id, position, $12 FROM w WHERE NOT watched AND position > 0"
    "  ORDER BY user_id, title_id"
    "  ON CONFLICT (user_id, title_id) DO UPDATE"
    "  SET position = excluded.position, updated = excluded.updated)"
    " SELECT ord FROM u";

int sv__pg_sessions_save(sv__catalog *cat, sv__session *const *s, int n, const char *reason)
{
    sv__buf col[C_NB] = {{0}};
    const char *arg[C_NB];
    char *saved = NULL;
    PGresult *r = NULL;
    int ret = SV_ERR_NOMEM;

    if (n == 0)
        return 0;
    for (int i = 0; i < n; i++) {
        const sv__session_stats *t = &s[i]->stats;

        lit_add_text(&col[C_ID], s[i]->id);
        lit_add(&col[C_LAST_SEEN], "%lld", (long long)s[i]->last_seen);
        lit_add(&col[C_POSITION], "%.17g", t->position_s);
        lit_add(&col[C_UNSAVED], "%lld", (long long)s[i]->unsaved_heartbeats);
        lit_add(&col[C_BITRATE], "%lld", (long long)t->bitrate_kbps);
        lit_add(&col[C_BUFFER], "%.17g", t->buffer_s);
        lit_add(&col[C_REBUF_COUNT], "%lld", (long long)t->rebuffer_count);
        lit_add(&col[C_REBUF_S], "%.17g", t->rebuffer_s);
        lit_add(&col[C_DROPPED], "%lld", (long long)t->dropped_frames);
        lit_add_text(&col[C_CDN], t->cdn);
        if (!isnan(t->live_latency_s))
            lit_add(&col[C_LATENCY], "%.17g", t->live_latency_s);
        else
            lit_add(&col[C_LATENCY], "NULL");
        if (!isnan(t->playback_rate))
            lit_add(&col[C_RATE], "%.17g", t->playback_rate);
        else
            lit_add(&col[C_RATE], "NULL");
    }
    for (int c = 0; c < C_NB; c++)
        if (!(arg[c] = lit_end(&col[c])))
            goto out;
    if (!(saved = calloc((size_t)n, 1)))
        goto out;
    ret = SV_ERR_IO;
    if (sv__pg_exec(cat, "BEGIN") < 0)
        goto out;
    /* The rows in id order first (the lock order above); a row that is
     * ended now stays so, as ending it takes this lock. */
    if (!(r = sv__pg_query(cat, "SELECT count(*) FROM (SELECT id FROM sessions"
                                " WHERE id = ANY($1::text[]) AND ended IS NULL"
                                " ORDER BY id FOR UPDATE) l", "s", arg[C_ID])))
        goto fail;
    PQclear(r);
    if (!(r = sv__pg_query(cat, SAVE_SQL, "sssssssssssiss", arg[C_ID], arg[C_LAST_SEEN],
                           arg[C_POSITION], arg[C_UNSAVED], arg[C_BITRATE], arg[C_BUFFER],
                           arg[C_REBUF_COUNT], arg[C_REBUF_S], arg[C_DROPPED], arg[C_CDN],
                           reason, sv__cat_now(), arg[C_LATENCY], arg[C_RATE])))
        goto fail;
    if (sv__pg_exec(cat, "COMMIT") < 0)
        goto out;
    for (int i = 0; i < PQntuples(r); i++) {
        int64_t ord = sv__pg_int(r, i, 0);

        if (ord >= 1 && ord <= n)
            saved[ord - 1] = 1;
    }
    /* Not updated: ended by another server, or unknown. */
    for (int i = 0; i < n; i++)
        if (!saved[i])
            s[i]->gone = 1;
    ret = 0;
    goto out;

fail:
    rollback(cat);
out:
    PQclear(r);
    for (int c = 0; c < C_NB; c++)
        sv__buf_free(&col[c]);
    free(saved);
    return ret;
}

int sv__pg_session_ended(sv__catalog *cat, const char *id)
{
    PGresult *r = sv__pg_query(cat, "SELECT (ended IS NOT NULL)::int FROM sessions WHERE id = $1",
                               "s", id);
    int ret;

    if (!r)
        return SV_ERR_IO;
    ret = PQntuples(r) == 1 ? (int)sv__pg_int(r, 0, 0) : SV_ERR_NOT_FOUND;
    PQclear(r);
    return ret;
}

/*
 * One UPDATE through the partial index of open sessions (a few rows among
 * the history). It takes its rows in the index's order, not by id: a
 * save could only wait for it in a cycle over two sessions both expiring
 * and heartbeating again at that moment, and PostgreSQL would end that by
 * failing one of the two (the save is retried at the next tick), which is
 * cheaper than sorting every tick's expiry. Resume rows need nothing: each
 * save already wrote the session's position.
 */
int sv__pg_sessions_expire(sv__catalog *cat, int64_t before)
{
    return sv__pg_run(cat, "UPDATE sessions SET ended = $1, end_reason = 'expired'"
                           " WHERE ended IS NULL AND last_seen < $2", "ii", sv__cat_now(), before);
}

int sv__pg_sessions_live(sv__catalog *cat, int64_t since, int64_t *n)
{
    PGresult *r = sv__pg_query(cat, "SELECT count(*) FROM sessions WHERE ended IS NULL"
                                    " AND last_seen >= $1", "i", since);

    if (!r)
        return SV_ERR_IO;
    *n = sv__pg_int(r, 0, 0);
    PQclear(r);
    return 0;
}

int sv__pg_resume_get(sv__catalog *cat, int64_t user_id, int64_t title_id, double *pos)
{
    PGresult *r = sv__pg_query(cat, "SELECT position FROM resume WHERE user_id = $1"
                                    " AND title_id = $2", "ii", user_id, title_id);

    *pos = 0;
    if (!r)
        return SV_ERR_IO;
    if (PQntuples(r) == 1)
        *pos = sv__pg_double(r, 0, 0);
    PQclear(r);
    return 0;
}

/* Ties on `updated` (one save writes several titles) go to the higher title
 * id; SQLite breaks them by its rowid, the order of first insertion. */
json_t *sv__pg_continue_watching(sv__catalog *cat, int64_t user_id, int limit, int *err)
{
    PGresult *r;
    json_t *items = NULL, *root = NULL;
    char when[32];

    *err = SV_ERR_IO;
    if (!(r = sv__pg_query(cat, "SELECT r.title_id, t.title, r.position, t.duration, r.updated"
                                " FROM resume r JOIN titles t ON t.id = r.title_id"
                                " WHERE r.user_id = $1 AND t.status = 'ready'"
                                " ORDER BY r.updated DESC, r.title_id DESC LIMIT $2", "ii",
                           user_id, (int64_t)limit)))
        return NULL;
    *err = SV_ERR_NOMEM;
    if (!(items = json_array()))
        goto out;
    for (int i = 0; i < PQntuples(r); i++) {
        sv__cat_iso8601(sv__pg_int(r, i, 4), when, sizeof(when));
        if (json_array_append_new(items, json_pack("{s:I,s:s,s:f,s:f,s:s}", "title_id",
                                                   (json_int_t)sv__pg_int(r, i, 0), "title",
                                                   sv__pg_text(r, i, 1), "position_s",
                                                   sv__pg_double(r, i, 2), "duration",
                                                   sv__pg_double(r, i, 3), "updated",
                                                   when)) < 0)
            goto out;
    }
    if ((root = json_pack("{s:o}", "items", items)))
        *err = 0;
    items = NULL;
out:
    PQclear(r);
    json_decref(items);
    return root;
}

int sv__pg_title_access(sv__catalog *cat, int64_t title_id, int *ready, json_t **regions,
                        char *live_channel, size_t cap)
{
    PGresult *r = sv__pg_query(cat, "SELECT (t.status = 'ready')::int, t.regions, "
                                    SV__CAT_LIVE_CHANNEL " FROM titles t WHERE t.id = $1", "i",
                               title_id);
    int ret = SV_ERR_NOT_FOUND;

    if (!r)
        return SV_ERR_IO;
    if (PQntuples(r) == 1) {
        int live = !sv__pg_null(r, 0, 2);

        snprintf(live_channel, cap, "%s", live ? sv__pg_text(r, 0, 2) : "");
        *ready = (int)sv__pg_int(r, 0, 0) || live;
        *regions = json_loads(sv__pg_text(r, 0, 1), 0, NULL);
        ret = json_is_array(*regions) ? 0 : SV_ERR_IO;
        if (ret < 0) {
            json_decref(*regions);
            *regions = NULL;
        }
    }
    PQclear(r);
    return ret;
}

int sv__pg_title_set_regions(sv__catalog *cat, int64_t title_id, json_t *regions)
{
    char *text = json_dumps(regions, JSON_COMPACT);
    int n;

    if (!text)
        return SV_ERR_NOMEM;
    n = sv__pg_run(cat, "UPDATE titles SET regions = $1 WHERE id = $2", "si", text, title_id);
    free(text);
    return n < 0 ? SV_ERR_IO : n == 0 ? SV_ERR_NOT_FOUND : 0;
}
