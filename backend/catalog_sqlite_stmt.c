/*
 * catalog_sqlite_stmt.c - the statement helpers of the SQLite back end
 * (catalog_sqlite.h). A bottom file: it calls SQLite only, so the
 * operations' files (catalog_sqlite_*.c) call down into it, never up into
 * catalog_sqlite.c, whose operations table names them
 * (docs/architecture.md).
 *
 * Threads: as for every catalog handle, one thread at a time.
 */
#include "backend/catalog_sqlite.h"
#include "streamverse/common.h"

int sv__cat_prepare(sv__catalog *cat, const char *sql, sqlite3_stmt **st)
{
    return sqlite3_prepare_v2(cat->db, sql, -1, st, NULL) == SQLITE_OK ? 0 : SV_ERR_IO;
}

int sv__cat_exec(sv__catalog *cat, const char *sql)
{
    return sqlite3_exec(cat->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : SV_ERR_IO;
}
