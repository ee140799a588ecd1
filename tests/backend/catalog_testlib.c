/*
 * catalog_testlib.c - catalog test helpers on either back end
 * (catalog_testlib.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "tests/backend/catalog_testlib.h"

void test_sql(sv__catalog *cat, const char *q)
{
    if (cat->pg) {
        PGresult *r = PQexec(cat->pg, q);
        ExecStatusType st = PQresultStatus(r);

        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
            fail_msg("%s: %s", q, PQresultErrorMessage(r));
        PQclear(r);
    } else {
        char *msg = NULL;

        if (sqlite3_exec(cat->db, q, NULL, NULL, &msg) != SQLITE_OK)
            fail_msg("%s: %s", q, msg);
    }
}

const char *test_sql_value(sv__catalog *cat, char *out, size_t cap, const char *fmt, ...)
{
    char q[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(q, sizeof(q), fmt, ap);
    va_end(ap);
    out[0] = '\0';
    if (cat->pg) {
        PGresult *r = PQexec(cat->pg, q);

        assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
        assert_int_equal(PQntuples(r), 1);
        snprintf(out, cap, "%s", PQgetvalue(r, 0, 0));
        PQclear(r);
    } else {
        sqlite3_stmt *st;
        const unsigned char *t;

        assert_int_equal(sqlite3_prepare_v2(cat->db, q, -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        t = sqlite3_column_text(st, 0);
        snprintf(out, cap, "%s", t ? (const char *)t : "");
        sqlite3_finalize(st);
    }
    return out;
}

void test_catalog_dir(char *dir, size_t cap, const char *name)
{
    snprintf(dir, cap, "%s/sv-%s-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", name);
    assert_non_null(mkdtemp(dir));
}

void test_catalog_open(const char *pg_url, const char *dir, sv__catalog **cat)
{
    char err[512];

    assert_int_equal(sv__catalog_connect(pg_url ? pg_url : "", dir, cat, err, sizeof(err)), 0);
}
