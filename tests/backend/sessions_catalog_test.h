/*
 * What the sessions catalog test's two files share
 * (test_backend_sessions_catalog.c: the fixture and the cases of one
 * connection; test_backend_sessions_races.c: two connections at once).
 */
#ifndef SV_TESTS_SESSIONS_CATALOG_TEST_H
#define SV_TESTS_SESSIONS_CATALOG_TEST_H

#include <stdint.h>

#include "backend/catalog_internal.h"

extern const char *pg_url; /* the back end of the run: NULL for SQLite */

typedef struct fixture {
    char dir[256];
    sv__catalog *cat, *other; /* two connections: two servers */
    int64_t now;
} fixture;

/* A user with a fixed, fast password record (no KDF). */
int64_t add_user(sv__catalog *cat, const char *name, int max_streams);
/* A session as sessions.c makes one, with a readable 32-character id. */
sv__session session(int64_t n, int64_t user, int64_t title, const char *device, int64_t now);
int save(sv__catalog *cat, sv__session *s, const char *reason);
/* Heartbeat figures derived from `pos`, as a server would hold them. */
void stats(sv__session *s, int64_t last_seen, double pos, int64_t unsaved, const char *cdn);

/* test_backend_sessions_races.c */
void test_racing_starts(void **state);
void test_concurrent_saves(void **state);
void test_save_many(void **state);

#endif
