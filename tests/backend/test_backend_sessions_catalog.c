/*
 * The catalog side of sessions, resume positions and accounts (sessions.h,
 * accounts.h) on both back ends: always on fresh SQLite files, then again on
 * PostgreSQL when a URL is given (first argument, or SV_TEST_PG_URL; the
 * database is emptied first). The same assertions run on both, so the back
 * ends answer alike: user checks and codes, users JSON byte for byte, the
 * stream limit with expired and replaced sessions, the merge of saves from
 * two servers (heartbeats add up, the later report wins), `gone` for rows
 * another server ended, resume positions (removed past 95 %), expiry,
 * continue-watching JSON, title regions, live titles and live session
 * figures; and the cases of two connections at once
 * (test_backend_sessions_races.c).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "backend/catalog_internal.h"
#include "backend/channels.h"
#include "tests/backend/catalog_testlib.h"
#include "tests/backend/sessions_catalog_test.h"
#include "platform/fs.h"
#include "streamverse/common.h"

const char *pg_url; /* NULL: SQLite */

/* Titles 1 (100 s, ready), 2 (200 s, ready) and 3 (processing). */
static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));

    test_catalog_dir(f->dir, sizeof(f->dir), "sessions");
    test_catalog_open(pg_url, f->dir, &f->cat);
    test_catalog_open(pg_url, f->dir, &f->other);
    if (pg_url)
        test_sql(f->cat, "TRUNCATE resume, sessions, users, jobs, renditions, titles"
                    " RESTART IDENTITY CASCADE");
    test_sql(f->cat, "INSERT INTO titles (title, created, duration, status) VALUES"
                " ('One', 0, 100, 'ready'), ('Two', 0, 200, 'ready'),"
                " ('Three', 0, NULL, 'processing')");
    f->now = (int64_t)time(NULL);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    sv__catalog_close(f->cat);
    sv__catalog_close(f->other);
    sv__remove_tree(f->dir);
    free(f);
    return 0;
}

/* A user with a fixed, fast password record (no KDF). */
int64_t add_user(sv__catalog *cat, const char *name, int max_streams)
{
    sv__pw_record rec;
    int64_t id = 0;

    sv__pw_record_dummy(&rec);
    assert_int_equal(sv__catalog_user_insert(cat, name, &rec, "FR", max_streams, SV__ROLE_VIEWER,
                                             &id), 0);
    return id;
}

/* A session as sessions.c makes one, with a readable 32-character id. */
sv__session session(int64_t n, int64_t user, int64_t title, const char *device,
                    int64_t now)
{
    sv__session s;

    memset(&s, 0, sizeof(s));
    snprintf(s.id, sizeof(s.id), "%032lld", (long long)n);
    s.user_id = user;
    s.title_id = title;
    snprintf(s.device_id, sizeof(s.device_id), "%s", device);
    s.started = s.last_seen = now;
    return s;
}

int save(sv__catalog *cat, sv__session *s, const char *reason)
{
    return sv__catalog_sessions_save(cat, &s, 1, reason);
}

static double resume(sv__catalog *cat, int64_t user, int64_t title)
{
    double pos = -1;

    assert_int_equal(sv__catalog_resume_get(cat, user, title, &pos), 0);
    return pos;
}

static void test_users(void **state)
{
    fixture *f = *state;
    sv__pw_record rec, got;
    sv__user u;
    json_t *list;
    char *text, v[64];
    int64_t id = 0, id2 = 0;

    memset(&rec, 0, sizeof(rec));
    rec.salt_len = 16;
    for (int i = 0; i < 16; i++)
        rec.salt[i] = (uint8_t)(i * 23); /* a 0x00, a 0x5c ('\\') */
    rec.salt[5] = '\\';
    memset(rec.hash, 0xa5, sizeof(rec.hash));
    rec.hash[0] = 0;
    rec.n = 16384;
    rec.r = 8;
    rec.p = 1;
    assert_int_equal(sv__catalog_user_insert(f->cat, "alice", &rec, "FR", 2, SV__ROLE_VIEWER,
                                             &id), 0);
    assert_int_equal(sv__catalog_user_insert(f->cat, "bob.b@x", &rec, "DE", 0, SV__ROLE_ADMIN,
                                             &id2), 0);
    assert_true(id > 0 && id2 > id);
    /* A taken name: the same code on both back ends. */
    assert_int_equal(sv__catalog_user_insert(f->other, "alice", &rec, "FR", 1, SV__ROLE_VIEWER,
                                             &id), SV_ERR_STATE);
    assert_int_equal(sv__catalog_user_insert(f->cat, "bad name", &rec, "FR", 1, SV__ROLE_VIEWER,
                                             &id), SV_ERR_INVALID);
    assert_int_equal(sv__catalog_user_insert(f->cat, "carol", &rec, "fr", 1, SV__ROLE_VIEWER,
                                             &id), SV_ERR_INVALID);
    assert_int_equal(sv__catalog_user_insert(f->cat, "carol", &rec, "FR", 101, SV__ROLE_VIEWER,
                                             &id), SV_ERR_INVALID);
    assert_int_equal(sv__catalog_user_insert(f->cat, "carol", &rec, "FR", 1, SV__ROLE_NONE,
                                             &id), SV_ERR_INVALID);

    assert_int_equal(sv__catalog_user_find(f->other, "alice", &u, &got), 0);
    assert_int_equal(u.id, 1);
    assert_string_equal(u.name, "alice");
    assert_string_equal(u.region, "FR");
    assert_int_equal(u.max_streams, 2);
    assert_int_equal(u.role, SV__ROLE_VIEWER);
    assert_int_equal(got.salt_len, 16);
    assert_memory_equal(got.salt, rec.salt, 16);
    assert_memory_equal(got.hash, rec.hash, sizeof(rec.hash));
    assert_true(got.n == 16384 && got.r == 8 && got.p == 1);
    /* Unknown: the dummy record, so a login does the same work. */
    assert_int_equal(sv__catalog_user_find(f->cat, "nobody", &u, &got), SV_ERR_NOT_FOUND);
    sv__pw_record_dummy(&rec);
    assert_memory_equal(&got, &rec, sizeof(rec));

    assert_int_equal(sv__catalog_user_get(f->cat, id2, &u), 0);
    assert_string_equal(u.name, "bob.b@x");
    assert_int_equal(u.role, SV__ROLE_ADMIN);
    assert_int_equal(sv__catalog_user_get(f->cat, 99, &u), SV_ERR_NOT_FOUND);
    assert_int_equal(sv__catalog_user_set_role(f->cat, "alice", SV__ROLE_OPERATOR), 0);
    assert_int_equal(sv__catalog_user_set_role(f->cat, "nobody", SV__ROLE_OPERATOR),
                     SV_ERR_NOT_FOUND);
    assert_int_equal(sv__catalog_user_set_role(f->cat, "alice", 7), SV_ERR_INVALID);
    assert_string_equal(test_sql_value(f->cat, v, sizeof(v), "SELECT role FROM users WHERE id = 1"),
                        "operator");

    test_sql(f->cat, "UPDATE users SET created = 1700000000");
    assert_non_null(list = sv__catalog_users_list(f->other));
    text = json_dumps(list, JSON_COMPACT);
    assert_string_equal(text, "[{\"id\":1,\"name\":\"alice\",\"region\":\"FR\",\"max_streams\":2,"
                              "\"role\":\"operator\",\"created\":\"2023-11-14T22:13:20Z\"},"
                              "{\"id\":2,\"name\":\"bob.b@x\",\"region\":\"DE\",\"max_streams\":0,"
                              "\"role\":\"admin\",\"created\":\"2023-11-14T22:13:20Z\"}]");
    free(text);
    json_decref(list);
}

/* max_streams 2: a third device is refused; the same device replaces its
 * session; a stale session is expired and no longer counts. */
static void test_stream_limit(void **state)
{
    fixture *f = *state;
    int64_t user = add_user(f->cat, "viewer", 2), none = add_user(f->cat, "none", 0);
    sv__session a = session(1, user, 1, "dev-a", f->now), b = session(2, user, 1, "dev-b", f->now),
                c = session(3, user, 2, "dev-c", f->now), a2 = session(4, user, 2, "dev-a", f->now),
                z = session(5, none, 1, "dev-z", f->now), got;
    char v[64];
    int64_t n;

    assert_int_equal(sv__catalog_session_start(f->cat, &a, 2, f->now - 30), 0);
    assert_int_equal(sv__catalog_session_start(f->other, &b, 2, f->now - 30), 0);
    assert_int_equal(sv__catalog_session_start(f->cat, &c, 2, f->now - 30), SV_ERR_OVERFLOW);
    assert_int_equal(sv__catalog_session_get(f->cat, c.id, &got), SV_ERR_NOT_FOUND);
    /* dev-a again: replaces a (returns 1), within the limit. */
    assert_int_equal(sv__catalog_session_start(f->other, &a2, 2, f->now - 30), 1);
    assert_int_equal(sv__catalog_session_ended(f->cat, a.id), 1);
    assert_string_equal(test_sql_value(f->cat, v, sizeof(v), "SELECT end_reason FROM sessions WHERE"
                                  " id = '%s'", a.id), "replaced");
    assert_int_equal(sv__catalog_session_ended(f->cat, a2.id), 0);
    assert_int_equal(sv__catalog_session_ended(f->cat, "nope"), SV_ERR_NOT_FOUND);
    assert_int_equal(sv__catalog_sessions_live(f->cat, f->now - 30, &n), 0);
    assert_int_equal(n, 2);

    /* b goes stale: it no longer counts against the limit (a start that
     * fits leaves it to the servers' tick, which ends it as expired). */
    test_sql(f->cat, "UPDATE sessions SET last_seen = last_seen - 100 WHERE id = "
                "'00000000000000000000000000000002'");
    assert_int_equal(sv__catalog_session_start(f->cat, &c, 1, f->now - 30), SV_ERR_OVERFLOW);
    assert_int_equal(sv__catalog_session_ended(f->cat, b.id), 0);
    assert_int_equal(sv__catalog_session_start(f->cat, &c, 2, f->now - 30), 0);
    assert_int_equal(sv__catalog_session_ended(f->cat, b.id), 0);
    assert_int_equal(sv__catalog_sessions_expire(f->cat, f->now - 30), 1);
    assert_int_equal(sv__catalog_session_ended(f->cat, b.id), 1);
    assert_string_equal(test_sql_value(f->cat, v, sizeof(v), "SELECT end_reason FROM sessions WHERE"
                                  " id = '%s'", b.id), "expired");

    /* max_streams 0: may not play at all. */
    assert_int_equal(sv__catalog_session_start(f->cat, &z, 0, f->now - 30), SV_ERR_OVERFLOW);

    /* What session_get reads back. */
    assert_int_equal(sv__catalog_session_get(f->other, c.id, &got), 1);
    assert_string_equal(got.id, c.id);
    assert_int_equal(got.user_id, user);
    assert_int_equal(got.title_id, 2);
    assert_string_equal(got.device_id, "dev-c");
    assert_int_equal(got.started, f->now);
    assert_int_equal(got.last_seen, f->now);
    assert_int_equal(got.heartbeats, 0);
    assert_int_equal(got.dirty, 0);
    assert_string_equal(got.stats.cdn, "");
    assert_int_equal(sv__catalog_session_get(f->other, a.id, &got), 0);
}

void stats(sv__session *s, int64_t last_seen, double pos, int64_t unsaved, const char *cdn)
{
    s->last_seen = last_seen;
    s->stats.position_s = pos;
    s->stats.bitrate_kbps = (int64_t)pos * 100;
    s->stats.buffer_s = pos / 10;
    s->stats.rebuffer_count = (int64_t)pos / 10;
    s->stats.rebuffer_s = pos / 100;
    s->stats.dropped_frames = (int64_t)pos + 1;
    snprintf(s->stats.cdn, sizeof(s->stats.cdn), "%s", cdn);
    s->unsaved_heartbeats = unsaved;
}

/* Two servers save the same session: heartbeat counts add up, the later
 * report (last_seen) wins, an older one changes only the count. */
static void test_merge(void **state)
{
    fixture *f = *state;
    int64_t user = add_user(f->cat, "viewer", 1), t = f->now;
    sv__session s = session(1, user, 1, "dev", t), a, b, got;

    assert_int_equal(sv__catalog_session_start(f->cat, &s, 1, t - 30), 0);
    assert_int_equal(sv__catalog_session_get(f->cat, s.id, &a), 1);
    assert_int_equal(sv__catalog_session_get(f->other, s.id, &b), 1);
    stats(&a, t + 10, 30.5, 3, "cdn-a");
    stats(&b, t + 5, 20.25, 2, "cdn-\"b\\{}");
    assert_int_equal(save(f->cat, &a, NULL), 0);
    assert_int_equal(save(f->other, &b, NULL), 0);
    assert_false(a.gone || b.gone);

    assert_int_equal(sv__catalog_session_get(f->cat, s.id, &got), 1);
    assert_int_equal(got.heartbeats, 5);
    assert_int_equal(got.last_seen, t + 10);
    assert_true(got.stats.position_s == 30.5);
    assert_int_equal(got.stats.bitrate_kbps, 3000);
    assert_true(got.stats.buffer_s == 3.05);
    assert_int_equal(got.stats.rebuffer_count, 3);
    assert_true(got.stats.rebuffer_s == 0.305);
    assert_int_equal(got.stats.dropped_frames, 31);
    assert_string_equal(got.stats.cdn, "cdn-a");
    /* The resume position follows the row, not the older report. */
    assert_true(resume(f->cat, user, 1) == 30.5);

    /* As recent as the row: taken (and a cdn that is array syntax). */
    stats(&b, t + 10, 40, 1, "cdn-\"b\\{}");
    assert_int_equal(save(f->other, &b, NULL), 0);
    assert_int_equal(sv__catalog_session_get(f->cat, s.id, &got), 1);
    assert_int_equal(got.heartbeats, 6);
    assert_true(got.stats.position_s == 40);
    assert_int_equal(got.stats.dropped_frames, 41);
    assert_string_equal(got.stats.cdn, "cdn-\"b\\{}");
    assert_true(resume(f->cat, user, 1) == 40);
}

/* A row another server ended (or that never was) is left as it is and
 * its entry marked gone; the rest of the batch is saved. */
static void test_gone(void **state)
{
    fixture *f = *state;
    int64_t u1 = add_user(f->cat, "one", 1), u2 = add_user(f->cat, "two", 1), t = f->now;
    sv__session s1 = session(1, u1, 1, "dev", t), s2 = session(2, u2, 2, "dev", t),
                ghost = session(3, u1, 1, "dev", t), a, got;
    sv__session *batch[3] = {&s1, &s2, &ghost};
    char v[64];

    assert_int_equal(sv__catalog_session_start(f->cat, &s1, 1, t - 30), 0);
    assert_int_equal(sv__catalog_session_start(f->cat, &s2, 1, t - 30), 0);
    /* The other server stops s1 at 50 s. */
    assert_int_equal(sv__catalog_session_get(f->other, s1.id, &a), 1);
    stats(&a, t + 1, 50, 1, "x");
    assert_int_equal(save(f->other, &a, "stopped"), 0);
    assert_false(a.gone);
    assert_int_equal(sv__catalog_session_ended(f->cat, s1.id), 1);
    assert_string_equal(test_sql_value(f->cat, v, sizeof(v), "SELECT end_reason FROM sessions"
                                  " WHERE id = '%s'", s1.id), "stopped");
    assert_true(resume(f->cat, u1, 1) == 50);

    stats(&s1, t + 2, 60, 4, "y");
    stats(&s2, t + 2, 70, 4, "y");
    stats(&ghost, t + 2, 80, 4, "y");
    assert_int_equal(sv__catalog_sessions_save(f->cat, batch, 3, NULL), 0);
    assert_true(s1.gone);
    assert_false(s2.gone);
    assert_true(ghost.gone);
    assert_int_equal(sv__catalog_session_get(f->cat, s1.id, &got), 0);
    assert_int_equal(got.heartbeats, 1);
    assert_true(got.stats.position_s == 50);
    assert_true(resume(f->cat, u1, 1) == 50);
    assert_int_equal(sv__catalog_session_get(f->cat, s2.id, &got), 1);
    assert_int_equal(got.heartbeats, 4);
    assert_true(resume(f->cat, u2, 2) == 70);
    assert_int_equal(sv__catalog_session_get(f->cat, ghost.id, &got), SV_ERR_NOT_FOUND);
    /* An empty batch is nothing to do. */
    assert_int_equal(sv__catalog_sessions_save(f->cat, batch, 0, NULL), 0);
}

/* Resume rows: written once a position is > 0, removed past 95 % of the
 * title; with two sessions on one title in a batch the later one decides;
 * continue-watching lists ready titles, the most recent first. */
static void test_resume(void **state)
{
    fixture *f = *state;
    int64_t user = add_user(f->cat, "viewer", 3), t = f->now;
    sv__session a = session(1, user, 1, "dev-a", t), b = session(2, user, 1, "dev-b", t),
                c = session(3, user, 3, "dev-c", t), d, e;
    sv__session *batch[2] = {&a, &b};
    json_t *cw;
    char *text;
    int err;

    assert_int_equal(sv__catalog_session_start(f->cat, &a, 3, t - 30), 0);
    assert_int_equal(sv__catalog_session_start(f->cat, &b, 3, t - 30), 0);
    assert_int_equal(sv__catalog_session_start(f->cat, &c, 3, t - 30), 0);
    stats(&a, t, 0, 1, "");
    assert_int_equal(save(f->cat, &a, NULL), 0);
    assert_true(resume(f->cat, user, 1) == 0); /* nothing at 0 s */
    assert_string_equal(
        test_sql_value(f->cat, (char[16]){0}, 16, "SELECT count(*) FROM resume"), "0");

    stats(&a, t, 10, 1, "");
    stats(&b, t, 50, 1, "");
    assert_int_equal(sv__catalog_sessions_save(f->cat, batch, 2, NULL), 0);
    assert_true(resume(f->cat, user, 1) == 50);
    stats(&a, t + 1, 60, 1, "");
    stats(&b, t + 1, 20, 1, "");
    assert_int_equal(sv__catalog_sessions_save(f->cat, batch, 2, NULL), 0);
    assert_true(resume(f->cat, user, 1) == 20);

    /* 95 of 100 s: watched. */
    stats(&b, t + 2, 95, 1, "");
    assert_int_equal(save(f->cat, &b, NULL), 0);
    assert_true(resume(f->cat, user, 1) == 0);
    stats(&b, t + 3, 94.9, 1, "");
    assert_int_equal(save(f->cat, &b, NULL), 0);
    assert_true(resume(f->cat, user, 1) == 94.9);
    /* A stop at the end removes it too. */
    stats(&b, t + 4, 99, 1, "");
    assert_int_equal(save(f->cat, &b, "stopped"), 0);
    assert_true(resume(f->cat, user, 1) == 0);
    assert_int_equal(sv__catalog_session_ended(f->cat, b.id), 1);
    /* A first report already past 95 % writes no resume row either. */
    e = session(5, user, 1, "dev-e", t);
    assert_int_equal(sv__catalog_session_start(f->cat, &e, 3, t - 30), 0);
    stats(&e, t + 4, 97, 1, "");
    assert_int_equal(save(f->cat, &e, "stopped"), 0);
    assert_true(resume(f->cat, user, 1) == 0);

    /* Title 3 has no duration (never watched to the end) and is not ready. */
    stats(&c, t + 4, 5000, 1, "");
    assert_int_equal(save(f->cat, &c, NULL), 0);
    assert_true(resume(f->cat, user, 3) == 5000);
    d = session(4, user, 2, "dev-b", t);
    assert_int_equal(sv__catalog_session_start(f->cat, &d, 3, t - 30), 0);
    stats(&d, t + 5, 12.5, 1, "");
    assert_int_equal(save(f->cat, &d, NULL), 0);
    stats(&a, t + 5, 33, 1, "");
    assert_int_equal(save(f->cat, &a, NULL), 0);

    test_sql(f->cat, "UPDATE resume SET updated = 1700000000 + title_id");
    /* (err tells only why there is no answer.) */
    assert_non_null(cw = sv__catalog_continue_watching(f->other, user, 10, &err));
    text = json_dumps(cw, JSON_COMPACT);
    assert_string_equal(text, "{\"items\":[{\"title_id\":2,\"title\":\"Two\",\"position_s\":12.5,"
                              "\"duration\":200.0,\"updated\":\"2023-11-14T22:13:22Z\"},"
                              "{\"title_id\":1,\"title\":\"One\",\"position_s\":33.0,"
                              "\"duration\":100.0,\"updated\":\"2023-11-14T22:13:21Z\"}]}");
    free(text);
    json_decref(cw);
    assert_non_null(cw = sv__catalog_continue_watching(f->other, user, 1, &err));
    assert_int_equal(json_array_size(json_object_get(cw, "items")), 1);
    json_decref(cw);
    assert_non_null(cw = sv__catalog_continue_watching(f->other, 999, 10, &err));
    assert_int_equal(json_array_size(json_object_get(cw, "items")), 0);
    json_decref(cw);
}

/* One UPDATE ends every open session last seen before the cut. */
static void test_expire(void **state)
{
    fixture *f = *state;
    int64_t user = add_user(f->cat, "viewer", 5), t = f->now, n;
    sv__session s[4];
    char v[64];

    for (int i = 0; i < 4; i++) {
        char dev[16];

        snprintf(dev, sizeof(dev), "dev-%d", i);
        s[i] = session(i + 1, user, 1, dev, t);
        assert_int_equal(sv__catalog_session_start(f->cat, &s[i], 5, t - 30), 0);
    }
    stats(&s[3], t, 42, 1, "");
    assert_int_equal(save(f->cat, &s[3], "stopped"), 0);
    test_sql(f->cat, "UPDATE sessions SET last_seen = last_seen - 100 WHERE id IN"
                " ('00000000000000000000000000000001', '00000000000000000000000000000002',"
                " '00000000000000000000000000000004')");
    assert_int_equal(sv__catalog_sessions_live(f->cat, t - 30, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(sv__catalog_sessions_expire(f->other, t - 30), 2);
    assert_int_equal(sv__catalog_sessions_expire(f->other, t - 30), 0);
    assert_int_equal(sv__catalog_session_ended(f->cat, s[0].id), 1);
    assert_int_equal(sv__catalog_session_ended(f->cat, s[2].id), 0);
    assert_string_equal(test_sql_value(f->cat, v, sizeof(v), "SELECT end_reason FROM sessions"
                                  " WHERE id = '%s'", s[1].id), "expired");
    assert_string_equal(test_sql_value(f->cat, v, sizeof(v), "SELECT end_reason FROM sessions"
                                  " WHERE id = '%s'", s[3].id), "stopped");
    assert_true(resume(f->cat, user, 1) == 42);
    assert_int_equal(sv__catalog_sessions_live(f->cat, 0, &n), 0);
    assert_int_equal(n, 1);
}

static void test_regions(void **state)
{
    fixture *f = *state;
    json_t *regions = json_pack("[ss]", "FR", "DE"), *got = NULL;
    int ready = -1;
    char *text, live[64] = "x";

    assert_int_equal(sv__catalog_title_access(f->cat, 1, &ready, &got, live, sizeof(live)), 0);
    assert_int_equal(ready, 1);
    assert_string_equal(live, "");
    assert_int_equal(json_array_size(got), 0);
    json_decref(got);
    assert_int_equal(sv__catalog_title_set_regions(f->cat, 3, regions), 0);
    assert_int_equal(sv__catalog_title_access(f->other, 3, &ready, &got, live, sizeof(live)), 0);
    assert_int_equal(ready, 0);
    text = json_dumps(got, JSON_COMPACT);
    assert_string_equal(text, "[\"FR\",\"DE\"]");
    free(text);
    json_decref(got);
    assert_int_equal(sv__catalog_title_set_regions(f->cat, 99, regions), SV_ERR_NOT_FOUND);
    assert_int_equal(sv__catalog_title_access(f->cat, 99, &ready, &got, live, sizeof(live)),
                     SV_ERR_NOT_FOUND);
    json_decref(regions);
}

/* A processing title that a live channel records into is live: playable,
 * with the channel's manifests, listed among ready titles; no longer once
 * the channel is not live (and not once the title is published). */
static void test_live_title(void **state)
{
    fixture *f = *state;
    sv__title_query q = {NULL, NULL, 0, 50, 0};
    json_t *got = NULL, *t, *list;
    sv__channel ch;
    char live[64];
    int ready = -1, err;

    memset(&ch, 0, sizeof(ch));
    snprintf(ch.name, sizeof(ch.name), "cam");
    snprintf(ch.key, sizeof(ch.key), "%032d", 7);
    snprintf(ch.settings, sizeof(ch.settings), "{}");
    ch.srt_port = 9300;
    ch.rtmp_port = 9301;
    assert_int_equal(sv__catalog_channel_add(f->cat, &ch, 9300), 0);
    assert_int_equal(sv__catalog_channel_set_state(f->cat, "cam", SV__CHANNEL_LIVE, 3), 0);
    assert_int_equal(sv__catalog_title_access(f->other, 3, &ready, &got, live, sizeof(live)), 0);
    json_decref(got);
    assert_int_equal(ready, 1);
    assert_string_equal(live, "cam");
    t = sv__catalog_title_json(f->other, 3, &err);
    assert_non_null(t);
    assert_string_equal(json_string_value(json_object_get(t, "status")), "live");
    assert_string_equal(json_string_value(json_object_get(t, "channel")), "cam");
    assert_string_equal(json_string_value(json_object_get(json_object_get(t, "manifests"),
                                                          "hls")), "/live/cam/master.m3u8");
    json_decref(t);
    list = sv__catalog_titles_list(f->other, &q, &err);
    assert_non_null(list);
    assert_int_equal(json_integer_value(json_object_get(list, "total")), 3);
    json_decref(list);
    /* A ready title is not live, even if a live channel names it. */
    assert_int_equal(sv__catalog_channel_set_state(f->cat, "cam", SV__CHANNEL_LIVE, 1), 0);
    assert_int_equal(sv__catalog_title_access(f->cat, 1, &ready, &got, live, sizeof(live)), 0);
    json_decref(got);
    assert_string_equal(live, "");
    assert_int_equal(sv__catalog_channel_set_state(f->cat, "cam", SV__CHANNEL_ENDED, 3), 0);
    assert_int_equal(sv__catalog_title_access(f->cat, 3, &ready, &got, live, sizeof(live)), 0);
    json_decref(got);
    assert_int_equal(ready, 0);
    assert_string_equal(live, "");
    t = sv__catalog_title_json(f->cat, 3, &err);
    assert_string_equal(json_string_value(json_object_get(t, "status")), "processing");
    assert_null(json_object_get(t, "manifests"));
    json_decref(t);
    list = sv__catalog_titles_list(f->cat, &q, &err);
    assert_int_equal(json_integer_value(json_object_get(list, "total")), 2);
    json_decref(list);
}

/* A live session's token prefix is kept from its start; its latency (below
 * 0 too) and rate are saved and read back, NULL (NAN) when the player does
 * not report them. */
static void test_live_stats(void **state)
{
    fixture *f = *state;
    int64_t user = add_user(f->cat, "lena", 2);
    sv__session s = session(1, user, 2, "tv", f->now), got;

    snprintf(s.prefix, sizeof(s.prefix), "/live/cam/");
    assert_int_equal(sv__catalog_session_start(f->cat, &s, 2, 0), 0);
    assert_int_equal(sv__catalog_session_get(f->other, s.id, &got), 1);
    assert_string_equal(got.prefix, "/live/cam/");
    s.stats.live_latency_s = s.stats.playback_rate = NAN;
    s.last_seen = f->now;
    s.unsaved_heartbeats = 1;
    assert_int_equal(save(f->cat, &s, NULL), 0);
    assert_int_equal(sv__catalog_session_get(f->other, s.id, &got), 1);
    assert_true(isnan(got.stats.live_latency_s) && isnan(got.stats.playback_rate));
    s.stats.live_latency_s = 1.25;
    s.stats.playback_rate = 1.04;
    s.last_seen = f->now + 1;
    s.unsaved_heartbeats = 1;
    assert_int_equal(save(f->cat, &s, NULL), 0);
    assert_int_equal(sv__catalog_session_get(f->other, s.id, &got), 1);
    assert_true(got.stats.live_latency_s == 1.25 && got.stats.playback_rate == 1.04);
    s.stats.live_latency_s = -0.25;
    s.last_seen = f->now + 2;
    assert_int_equal(save(f->cat, &s, NULL), 0);
    assert_int_equal(sv__catalog_session_get(f->other, s.id, &got), 1);
    assert_true(got.stats.live_latency_s == -0.25);
    s.stats.live_latency_s = s.stats.playback_rate = NAN;
    s.last_seen = f->now + 3;
    assert_int_equal(save(f->cat, &s, NULL), 0);
    assert_int_equal(sv__catalog_session_get(f->other, s.id, &got), 1);
    assert_true(isnan(got.stats.live_latency_s) && isnan(got.stats.playback_rate));
}

static int run_group(const char *name)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_users, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resume, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expire, setup, teardown),
        cmocka_unit_test_setup_teardown(test_regions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_live_title, setup, teardown),
        cmocka_unit_test_setup_teardown(test_live_stats, setup, teardown),
        cmocka_unit_test_setup_teardown(test_racing_starts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_saves, setup, teardown),
        cmocka_unit_test_setup_teardown(test_save_many, setup, teardown),
    };

    return _cmocka_run_group_tests(name, tests, sizeof(tests) / sizeof(tests[0]), NULL, NULL);
}

int main(int argc, char **argv)
{
    int failed;

    pg_url = NULL;
    failed = run_group("sessions_catalog_sqlite");
    pg_url = argc > 1 ? argv[1] : getenv("SV_TEST_PG_URL");
    if (pg_url && pg_url[0])
        failed += run_group("sessions_catalog_postgresql");
    return failed;
}
