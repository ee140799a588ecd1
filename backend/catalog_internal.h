/* Shared by catalog*.c: the handle and statement helpers. */
#ifndef SV_BACKEND_CATALOG_INTERNAL_H
#define SV_BACKEND_CATALOG_INTERNAL_H

#include <sqlite3.h>

#include "backend/catalog.h"

struct sv__catalog {
    sqlite3 *db;
};

/* Prepares `sql` (SV_ERR_IO on failure). */
int sv__cat_prepare(sv__catalog *cat, const char *sql, sqlite3_stmt **st);

/* Runs statements without results (migrations, BEGIN/COMMIT). */
int sv__cat_exec(sv__catalog *cat, const char *sql);

/* Seconds since the epoch, for created/started/finished columns. */
int64_t sv__cat_now(void);

/* ISO 8601 UTC ("2024-05-01T12:00:00Z") of an epoch second; buf >= 21. */
void sv__cat_iso8601(int64_t t, char *buf, size_t cap);

#endif
