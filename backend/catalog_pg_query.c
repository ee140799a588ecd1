/*
 * catalog_pg_query.c - the query helpers of the PostgreSQL back end
 * (catalog_pg.h): queries with parameters, the reset of a lost connection,
 * the last error, field accessors. A bottom file: it calls libpq and libuv's
 * clock only, so the operations' files (catalog_pg_*.c) call down into it,
 * never up into catalog_pg.c, whose operations table names them
 * (docs/architecture.md).
 *
 * Threads: as for every catalog handle, one thread at a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "backend/catalog_pg.h"
#include "streamverse/common.h"

/* libpq's messages end with a newline and may span lines: keep the first. */
void sv__pg_set_error(sv__catalog *cat, const char *what, const char *msg, const char *state)
{
    size_t n;

    snprintf(cat->errmsg, sizeof(cat->errmsg), "%s%s%s", what ? what : "", what ? ": " : "",
             msg && msg[0] ? msg : "unknown error");
    n = strcspn(cat->errmsg, "\n");
    cat->errmsg[n] = '\0';
    snprintf(cat->sqlstate, sizeof(cat->sqlstate), "%s", state ? state : "");
}

/* A dropped connection is reset before the next command (a database that
 * restarted is found again); a database still down fails the call. */
int sv__pg_ensure_connected(sv__catalog *cat)
{
    uint64_t now = uv_hrtime();

    if (PQstatus(cat->pg) == CONNECTION_OK)
        return 0;
    /* While the database is down, every request would wait for a connect
     * attempt: one a second is enough to notice it is back. */
    if (now < cat->retry_ns)
        return SV_ERR_IO;
    cat->retry_ns = now + 1000000000ull;
    PQreset(cat->pg);
    if (PQstatus(cat->pg) == CONNECTION_OK)
        return 0;
    sv__pg_set_error(cat, "database unreachable", PQerrorMessage(cat->pg), NULL);
    return SV_ERR_IO;
}

PGresult *sv__pg_vquery(sv__catalog *cat, const char *sql, const char *fmt, va_list ap)
{
    enum { MAX_PARAMS = 24 };
    const char *vals[MAX_PARAMS];
    int lens[MAX_PARAMS], formats[MAX_PARAMS];
    char nums[MAX_PARAMS][32];
    int n = (int)strlen(fmt);
    PGresult *r;
    ExecStatusType st;

    if (n > MAX_PARAMS) {
        sv__pg_set_error(cat, "query", "too many parameters", NULL);
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        lens[i] = 0;
        formats[i] = 0;
        switch (fmt[i]) {
        case 'i':
            snprintf(nums[i], sizeof(nums[i]), "%lld", (long long)va_arg(ap, int64_t));
            vals[i] = nums[i];
            break;
        case 'd':
            snprintf(nums[i], sizeof(nums[i]), "%.17g", va_arg(ap, double));
            vals[i] = nums[i];
            break;
        case 's':
            vals[i] = va_arg(ap, const char *);
            break;
        case 'b':
            vals[i] = (const char *)va_arg(ap, const uint8_t *);
            lens[i] = (int)va_arg(ap, size_t);
            formats[i] = 1;
            break;
        default:
            vals[i] = NULL;
            break;
        }
    }
    if (sv__pg_ensure_connected(cat) < 0)
        return NULL;
    r = PQexecParams(cat->pg, sql, n, NULL, vals, lens, formats, 0);
    st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        cat->sqlstate[0] = '\0';
        return r;
    }
    sv__pg_set_error(cat, NULL, r ? PQresultErrorMessage(r) : PQerrorMessage(cat->pg),
              r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL);
    PQclear(r);
    return NULL;
}

PGresult *sv__pg_query(sv__catalog *cat, const char *sql, const char *fmt, ...)
{
    PGresult *r;
    va_list ap;

    va_start(ap, fmt);
    r = sv__pg_vquery(cat, sql, fmt, ap);
    va_end(ap);
    return r;
}

int sv__pg_run(sv__catalog *cat, const char *sql, const char *fmt, ...)
{
    PGresult *r;
    va_list ap;
    int n;

    va_start(ap, fmt);
    r = sv__pg_vquery(cat, sql, fmt, ap);
    va_end(ap);
    if (!r)
        return SV_ERR_IO;
    n = atoi(PQcmdTuples(r));
    PQclear(r);
    return n;
}

int sv__pg_exec(sv__catalog *cat, const char *sql)
{
    PGresult *r;
    ExecStatusType st;

    if (sv__pg_ensure_connected(cat) < 0)
        return SV_ERR_IO;
    /* The simple query protocol: a migration is several statements in one
     * string, which PQexecParams refuses. */
    r = PQexec(cat->pg, sql);
    st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        cat->sqlstate[0] = '\0';
        PQclear(r);
        return 0;
    }
    sv__pg_set_error(cat, NULL, r ? PQresultErrorMessage(r) : PQerrorMessage(cat->pg),
              r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL);
    PQclear(r);
    return SV_ERR_IO;
}

int64_t sv__pg_int(const PGresult *r, int row, int col)
{
    return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

double sv__pg_double(const PGresult *r, int row, int col)
{
    return strtod(PQgetvalue(r, row, col), NULL);
}

const char *sv__pg_text(const PGresult *r, int row, int col)
{
    return PQgetvalue(r, row, col);
}

int sv__pg_null(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col);
}

int sv__pg_bytes(const PGresult *r, int row, int col, uint8_t *out, size_t cap)
{
    size_t len = 0;
    unsigned char *raw = PQunescapeBytea((const unsigned char *)PQgetvalue(r, row, col), &len);
    int ret = SV_ERR_IO;

    if (raw && len <= cap) {
        memcpy(out, raw, len);
        ret = (int)len;
    }
    PQfreemem(raw);
    return ret;
}

const char *sv__pg_sqlstate(sv__catalog *cat)
{
    return cat->sqlstate;
}
