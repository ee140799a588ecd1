/*
 * catalog_pg_channels.c - the channels rows (channels.h) on PostgreSQL.
 * Same codes as catalog_sqlite_channels.c. Schema: catalog_pg.c, version 4.
 */
#include <stdio.h>
#include <string.h>

#include "backend/catalog_pg.h"
#include "streamverse/common.h"

#define COLUMNS "id, name, stream_key, srt_port, rtmp_port, state, settings, created, " \
                "COALESCE(title_id, 0)"

static void row_out(const PGresult *r, int row, sv__channel *ch)
{
    memset(ch, 0, sizeof(*ch));
    ch->id = sv__pg_int(r, row, 0);
    snprintf(ch->name, sizeof(ch->name), "%s", sv__pg_text(r, row, 1));
    snprintf(ch->key, sizeof(ch->key), "%s", sv__pg_text(r, row, 2));
    ch->srt_port = (int)sv__pg_int(r, row, 3);
    ch->rtmp_port = (int)sv__pg_int(r, row, 4);
    ch->state = sv__channel_state_parse(sv__pg_text(r, row, 5));
    snprintf(ch->settings, sizeof(ch->settings), "%s", sv__pg_text(r, row, 6));
    ch->created = sv__pg_int(r, row, 7);
    ch->title_id = sv__pg_int(r, row, 8);
}

int sv__pg_channel_insert(sv__catalog *cat, sv__channel *ch)
{
    PGresult *r = sv__pg_query(cat, "INSERT INTO channels (name, stream_key, srt_port,"
                                    " rtmp_port, state, settings, created)"
                                    " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                               "ssiissi", ch->name, ch->key, (int64_t)ch->srt_port,
                               (int64_t)ch->rtmp_port, sv__channel_state_name(ch->state),
                               ch->settings[0] ? ch->settings : "{}", ch->created);

    if (!r)
        return !strncmp(sv__pg_sqlstate(cat), "23", 2) ? SV_ERR_STATE : SV_ERR_IO;
    ch->id = sv__pg_int(r, 0, 0);
    PQclear(r);
    return 0;
}

int sv__pg_channel_get(sv__catalog *cat, const char *name, sv__channel *out)
{
    PGresult *r = sv__pg_query(cat, "SELECT " COLUMNS " FROM channels WHERE name = $1", "s",
                               name);
    int ret = SV_ERR_NOT_FOUND;

    if (!r)
        return SV_ERR_IO;
    if (PQntuples(r) == 1) {
        row_out(r, 0, out);
        ret = 0;
    }
    PQclear(r);
    return ret;
}

int sv__pg_channels(sv__catalog *cat, sv__channel *out, int cap)
{
    PGresult *r = sv__pg_query(cat, "SELECT " COLUMNS " FROM channels ORDER BY id", "");
    int n;

    if (!r)
        return SV_ERR_IO;
    for (n = 0; n < PQntuples(r) && n < cap; n++)
        row_out(r, n, &out[n]);
    PQclear(r);
    return n;
}

int sv__pg_channel_remove(sv__catalog *cat, const char *name)
{
    int n = sv__pg_run(cat, "DELETE FROM channels WHERE name = $1", "s", name);

    return n < 0 ? n : n == 1 ? 0 : SV_ERR_NOT_FOUND;
}

int sv__pg_channel_set_state(sv__catalog *cat, const char *name, int state, int64_t title_id)
{
    int n = sv__pg_run(cat, "UPDATE channels SET state = $1,"
                            " title_id = CASE WHEN $2::bigint > 0 THEN $2::bigint"
                            " ELSE title_id END WHERE name = $3", "sis",
                       sv__channel_state_name(state), title_id, name);

    return n < 0 ? n : n == 1 ? 0 : SV_ERR_NOT_FOUND;
}
