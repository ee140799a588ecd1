/*
 * The sessions catalog with two connections at once (two servers), on the
 * back end test_backend_sessions_catalog.c runs: racing starts for a
 * one-stream user (exactly one wins, 200 times over); two connections
 * saving the same sessions in opposite orders at once (no deadlock, every
 * heartbeat counted); and the time sessions_save takes for 10,000 dirty
 * sessions (printed, not asserted).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "tests/backend/catalog_testlib.h"
#include "tests/backend/sessions_catalog_test.h"
#include "platform/thread.h"
#include "streamverse/common.h"

/* ---- racing starts ---- */

enum { PAIRS = 200 };

/* Both threads leave wait() together, once per pair. */
typedef struct barrier {
    sv__mutex m;
    sv__cond c;
    int waiting;
    unsigned gen;
} barrier;

static void barrier_wait(barrier *b)
{
    unsigned gen;

    sv__mutex_lock(&b->m);
    gen = b->gen;
    if (++b->waiting == 2) {
        b->waiting = 0;
        b->gen++;
        sv__cond_broadcast(&b->c);
    } else {
        while (gen == b->gen)
            sv__cond_wait(&b->c, &b->m);
    }
    sv__mutex_unlock(&b->m);
}

typedef struct racer {
    sv__catalog *cat;
    barrier *bar;
    int side;
    int64_t first_user, now;
    int result[PAIRS];
} racer;

static void *race(void *arg)
{
    racer *r = arg;

    for (int i = 0; i < PAIRS; i++) {
        /* Other devices: neither start may replace the other's session. */
        sv__session s = session(2 * i + r->side + 1, r->first_user + i, 1,
                                r->side ? "tv" : "phone", r->now);

        barrier_wait(r->bar);
        r->result[i] = sv__catalog_session_start(r->cat, &s, 1, r->now - 30);
    }
    return NULL;
}

void test_racing_starts(void **state)
{
    fixture *f = *state;
    barrier bar = {0};
    static racer rc[2];
    sv__thread th[2];
    int64_t first = 0;
    int wins[2] = {0, 0};
    char v[64];

    for (int i = 0; i < PAIRS; i++) {
        char name[32];
        int64_t id;

        snprintf(name, sizeof(name), "racer%d", i);
        id = add_user(f->cat, name, 1);
        if (i == 0)
            first = id;
        assert_int_equal(id, first + i);
    }
    assert_int_equal(sv__mutex_init(&bar.m), 0);
    assert_int_equal(sv__cond_init(&bar.c), 0);
    for (int k = 0; k < 2; k++) {
        memset(&rc[k], 0, sizeof(rc[k]));
        rc[k].cat = k ? f->other : f->cat;
        rc[k].bar = &bar;
        rc[k].side = k;
        rc[k].first_user = first;
        rc[k].now = f->now;
        assert_int_equal(sv__thread_create(&th[k], "racer", race, &rc[k]), 0);
    }
    for (int k = 0; k < 2; k++)
        sv__thread_join(&th[k]);
    sv__cond_destroy(&bar.c);
    sv__mutex_destroy(&bar.m);

    for (int i = 0; i < PAIRS; i++) {
        int a = rc[0].result[i], b = rc[1].result[i];

        if (!((a == 0 && b == SV_ERR_OVERFLOW) || (a == SV_ERR_OVERFLOW && b == 0)))
            fail_msg("pair %d: %d and %d (want one 0 and one %d)", i, a, b, SV_ERR_OVERFLOW);
        wins[a == 0 ? 0 : 1]++;
    }
    print_message("%s: %d racing pairs, one winner each (first connection won %d, second %d)\n",
                  sv__catalog_backend(f->cat), PAIRS, wins[0], wins[1]);
    assert_string_equal(test_sql_value(f->cat, v, sizeof(v), "SELECT count(*) FROM sessions"
                                  " WHERE ended IS NULL"), "200");
    assert_string_equal(test_sql_value(f->cat, v, sizeof(v), "SELECT count(DISTINCT user_id) FROM"
                                  " sessions WHERE ended IS NULL"), "200");
}

/* ---- two servers saving the same sessions at once ---- */

enum { SHARED = 300, TICKS = 20 };

typedef struct saver {
    sv__catalog *cat;
    barrier *bar;
    int reverse;
    int64_t now;
    sv__session *s;
    int result[TICKS];
} saver;

/* Without sticky routing each server has nearly every session dirty at
 * each tick: here one saves them in one order, the other in reverse. */
static void *save_ticks(void *arg)
{
    saver *sv = arg;
    sv__session *list[SHARED];

    for (int i = 0; i < SHARED; i++)
        list[i] = &sv->s[sv->reverse ? SHARED - 1 - i : i];
    for (int k = 0; k < TICKS; k++) {
        for (int i = 0; i < SHARED; i++)
            stats(&sv->s[i], sv->now + k, 1 + k, 1, sv->reverse ? "b" : "a");
        barrier_wait(sv->bar);
        sv->result[k] = sv__catalog_sessions_save(sv->cat, list, SHARED, NULL);
    }
    return NULL;
}

void test_concurrent_saves(void **state)
{
    fixture *f = *state;
    barrier bar = {0};
    static saver sv[2];
    static sv__session s[2][SHARED];
    sv__thread th[2];
    char v[64];

    for (int i = 0; i < SHARED; i++) {
        char name[32];
        int64_t user;

        snprintf(name, sizeof(name), "viewer%d", i);
        user = add_user(f->cat, name, 1);
        s[0][i] = session(i + 1, user, 1 + i % 2, "dev", f->now);
        assert_int_equal(sv__catalog_session_start(f->cat, &s[0][i], 1, f->now - 30), 0);
        s[1][i] = s[0][i];
    }
    assert_int_equal(sv__mutex_init(&bar.m), 0);
    assert_int_equal(sv__cond_init(&bar.c), 0);
    for (int k = 0; k < 2; k++) {
        memset(&sv[k], 0, sizeof(sv[k]));
        sv[k].cat = k ? f->other : f->cat;
        sv[k].bar = &bar;
        sv[k].reverse = k;
        sv[k].now = f->now;
        sv[k].s = s[k];
        assert_int_equal(sv__thread_create(&th[k], "saver", save_ticks, &sv[k]), 0);
    }
    for (int k = 0; k < 2; k++)
        sv__thread_join(&th[k]);
    sv__cond_destroy(&bar.c);
    sv__mutex_destroy(&bar.m);
    for (int k = 0; k < TICKS; k++)
        if (sv[0].result[k] != 0 || sv[1].result[k] != 0)
            fail_msg("tick %d: %d and %d (%s / %s)", k, sv[0].result[k], sv[1].result[k],
                     sv__catalog_errmsg(f->cat), sv__catalog_errmsg(f->other));
    /* Every heartbeat of both counted once. */
    assert_string_equal(
        test_sql_value(f->cat, v, sizeof(v), "SELECT sum(heartbeats) FROM sessions"),
                        "12000");
    assert_string_equal(test_sql_value(f->cat, v, sizeof(v), "SELECT count(*) FROM sessions"
                                  " WHERE position = 20 AND last_seen = %lld",
                                  (long long)f->now + TICKS - 1), "300");
}

/* ---- sessions_save of a server with 10,000 viewers ---- */

enum { MANY = 10000, ROUNDS = 5 };

static double elapsed_ms(int64_t since_ns)
{
    return (double)(sv__monotonic_ns() - since_ns) / 1e6;
}

void test_save_many(void **state)
{
    fixture *f = *state;
    sv__session *s = calloc(MANY, sizeof(*s));
    sv__session **list = calloc(MANY, sizeof(*list));
    double ms[ROUNDS];
    char q[1024], v[64];

    assert_non_null(s);
    assert_non_null(list);
    /* Users and their open sessions, 3 titles, made in SQL (fast). */
    snprintf(q, sizeof(q), "%s INSERT INTO users (name, pw_salt, pw_hash, pw_kdf, region,"
                           " max_streams, created) SELECT 'u' || x, %s, %s, 'scrypt:1:1:1', 'FR',"
                           " 1, 0 FROM g",
             pg_url ? "WITH g(x) AS (SELECT generate_series(1, 10000))"
                    : "WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g"
                      " WHERE x < 10000)",
             pg_url ? "'\\x00'::bytea" : "x'00'", pg_url ? "'\\x00'::bytea" : "x'00'");
    test_sql(f->cat, q);
    snprintf(q, sizeof(q), "%s INSERT INTO sessions (id, user_id, title_id, device_id, started,"
                           " last_seen) SELECT %s, x, 1 + x %% 3, 'dev', %lld, %lld FROM g",
             pg_url ? "WITH g(x) AS (SELECT generate_series(1, 10000))"
                    : "WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g"
                      " WHERE x < 10000)",
             pg_url ? "lpad(x::text, 32, '0')" : "printf('%032d', x)", (long long)f->now,
             (long long)f->now);
    test_sql(f->cat, q);
    if (pg_url)
        test_sql(f->cat, "ANALYZE sessions");
    for (int i = 0; i < MANY; i++) {
        s[i] = session(i + 1, i + 1, 1 + (i + 1) % 3, "dev", f->now);
        list[i] = &s[i];
    }
    for (int k = 0; k < ROUNDS; k++) {
        int64_t t0;

        for (int i = 0; i < MANY; i++)
            stats(&s[i], f->now + k, 1 + k + i % 50, 1, "cdn-a");
        t0 = sv__monotonic_ns();
        assert_int_equal(sv__catalog_sessions_save(f->cat, list, MANY, NULL), 0);
        ms[k] = elapsed_ms(t0);
        for (int i = 0; i < MANY; i++)
            assert_false(s[i].gone);
    }
    print_message("%s: sessions_save of %d dirty sessions: %.1f ms (first: resume rows"
                  " inserted), then %.1f %.1f %.1f %.1f ms\n", sv__catalog_backend(f->cat), MANY,
                  ms[0], ms[1], ms[2], ms[3], ms[4]);
    assert_string_equal(
        test_sql_value(f->cat, v, sizeof(v), "SELECT sum(heartbeats) FROM sessions"),
                        "50000");
    assert_string_equal(test_sql_value(f->cat, v, sizeof(v), "SELECT count(*) FROM resume"),
                        "10000");
    free(list);
    free(s);
}
