/*
 * catalog_testlib.h - helpers of the catalog unit tests that run on either
 * back end (test_backend_sessions_catalog, test_backend_jobs): plain SQL on
 * the handle's own connection (SQLite or PostgreSQL) and a fresh catalog in
 * a temporary folder. Failures fail the current cmocka test.
 */
#ifndef SV_TESTS_CATALOG_TESTLIB_H
#define SV_TESTS_CATALOG_TESTLIB_H

#include <stddef.h>

#include "backend/catalog_internal.h"
#include "platform/log.h"

/* Runs one or more statements. */
void test_sql(sv__catalog *cat, const char *q);

/* The one text value ("" for NULL) of a one-row query, into out. */
const char *test_sql_value(sv__catalog *cat, char *out, size_t cap, const char *fmt, ...)
    SV_PRINTF(4, 5);

/* A new temporary folder TMPDIR/sv-NAME-XXXXXX into dir. */
void test_catalog_dir(char *dir, size_t cap, const char *name);

/* Opens the catalog of `dir` (SQLite) or of pg_url when not NULL. */
void test_catalog_open(const char *pg_url, const char *dir, sv__catalog **cat);

#endif
