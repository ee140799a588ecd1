/*
 * catalog_sqlite_channels.c - the channels rows (channels.h) on SQLite.
 * Schema: catalog_sqlite.c, version 8.
 */
#include <stdio.h>
#include <string.h>

#include "backend/catalog_sqlite.h"
#include "streamverse/common.h"

#define COLUMNS "id, name, stream_key, srt_port, rtmp_port, state, settings, created, " \
                "COALESCE(title_id, 0)"

static void text_out(sqlite3_stmt *st, int col, char *out, size_t cap)
{
    const char *s = (const char *)sqlite3_column_text(st, col);

    snprintf(out, cap, "%s", s ? s : "");
}

static void row_out(sqlite3_stmt *st, sv__channel *ch)
{
    char state[16];

    memset(ch, 0, sizeof(*ch));
    ch->id = sqlite3_column_int64(st, 0);
    text_out(st, 1, ch->name, sizeof(ch->name));
    text_out(st, 2, ch->key, sizeof(ch->key));
    ch->srt_port = sqlite3_column_int(st, 3);
    ch->rtmp_port = sqlite3_column_int(st, 4);
    text_out(st, 5, state, sizeof(state));
    ch->state = sv__channel_state_parse(state);
    text_out(st, 6, ch->settings, sizeof(ch->settings));
    ch->created = sqlite3_column_int64(st, 7);
    ch->title_id = sqlite3_column_int64(st, 8);
}

int sv__sqlite_channel_insert(sv__catalog *cat, sv__channel *ch)
{
    sqlite3_stmt *st;
    int rc;

    if (sv__cat_prepare(cat, "INSERT INTO channels (name, stream_key, srt_port, rtmp_port,"
                             " state, settings, created) VALUES (?, ?, ?, ?, ?, ?, ?)", &st) < 0)
        return SV_ERR_IO;
    sqlite3_bind_text(st, 1, ch->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, ch->key, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, ch->srt_port);
    sqlite3_bind_int(st, 4, ch->rtmp_port);
    sqlite3_bind_text(st, 5, sv__channel_state_name(ch->state), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, ch->settings[0] ? ch->settings : "{}", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, ch->created);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) {
        ch->id = sqlite3_last_insert_rowid(cat->db);
        return 0;
    }
    /* The name or a port is another channel's. */
    return (rc & 0xff) == SQLITE_CONSTRAINT ? SV_ERR_STATE : SV_ERR_IO;
}

int sv__sqlite_channel_get(sv__catalog *cat, const char *name, sv__channel *out)
{
    sqlite3_stmt *st;
    int rc, ret = SV_ERR_IO;

    if (sv__cat_prepare(cat, "SELECT " COLUMNS " FROM channels WHERE name = ?", &st) < 0)
        return SV_ERR_IO;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        row_out(st, out);
        ret = 0;
    } else if (rc == SQLITE_DONE) {
        ret = SV_ERR_NOT_FOUND;
    }
    sqlite3_finalize(st);
    return ret;
}

int sv__sqlite_channels(sv__catalog *cat, sv__channel *out, int cap)
{
    sqlite3_stmt *st;
    int rc, n = 0;

    if (sv__cat_prepare(cat, "SELECT " COLUMNS " FROM channels ORDER BY id", &st) < 0)
        return SV_ERR_IO;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < cap)
        row_out(st, &out[n++]);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? n : SV_ERR_IO;
}

int sv__sqlite_channel_remove(sv__catalog *cat, const char *name)
{
    sqlite3_stmt *st;
    int ret = SV_ERR_IO;

    if (sv__cat_prepare(cat, "DELETE FROM channels WHERE name = ?", &st) < 0)
        return SV_ERR_IO;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_DONE)
        ret = sqlite3_changes(cat->db) == 1 ? 0 : SV_ERR_NOT_FOUND;
    sqlite3_finalize(st);
    return ret;
}

int sv__sqlite_channel_set_state(sv__catalog *cat, const char *name, int state,
                                 int64_t title_id)
{
    sqlite3_stmt *st;
    int ret = SV_ERR_IO;

    if (sv__cat_prepare(cat, "UPDATE channels SET state = ?,"
                             " title_id = CASE WHEN ? > 0 THEN ? ELSE title_id END"
                             " WHERE name = ?", &st) < 0)
        return SV_ERR_IO;
    sqlite3_bind_text(st, 1, sv__channel_state_name(state), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, title_id);
    sqlite3_bind_int64(st, 3, title_id);
    sqlite3_bind_text(st, 4, name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_DONE)
        ret = sqlite3_changes(cat->db) == 1 ? 0 : SV_ERR_NOT_FOUND;
    sqlite3_finalize(st);
    return ret;
}
