/*
 * catalog_sqlite.c - the SQLite back end: opening DATA/catalog.db, schema
 * migrations and the operations table. The statement helpers the
 * operations' files share are catalog_sqlite_stmt.c's, below them all.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/catalog_sqlite.h"
#include "streamverse/common.h"

/*
 * One entry per schema version: migrations[v] takes a catalog from version v
 * to v + 1. Append new versions; never edit a released one.
 */
static const char *const migrations[] = {
    /* 0 -> 1: titles, renditions, jobs, the search index. */
    "CREATE TABLE titles ("
    "  id INTEGER PRIMARY KEY,"
    "  title TEXT NOT NULL,"
    "  synopsis TEXT NOT NULL DEFAULT '',"
    "  genres TEXT NOT NULL DEFAULT '[]',"              /* JSON array of strings */
    "  duration REAL,"
    "  status TEXT NOT NULL DEFAULT 'processing'"
    "    CHECK (status IN ('processing', 'ready', 'failed')),"
    "  created INTEGER NOT NULL,"
    "  nb_thumbs INTEGER NOT NULL DEFAULT 0,"
    "  thumb_interval REAL NOT NULL DEFAULT 10);"
    "CREATE INDEX titles_status ON titles(status, id);"
    "CREATE TABLE renditions ("
    "  title_id INTEGER NOT NULL REFERENCES titles(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  width INTEGER, height INTEGER,"
    "  bandwidth INTEGER, average_bandwidth INTEGER,"
    "  codecs TEXT, frame_rate REAL, nb_segments INTEGER,"
    "  PRIMARY KEY (title_id, kind, name));"
    "CREATE TABLE jobs ("
    "  id INTEGER PRIMARY KEY,"
    "  title_id INTEGER NOT NULL REFERENCES titles(id) ON DELETE CASCADE,"
    "  state TEXT NOT NULL DEFAULT 'queued'"
    "    CHECK (state IN ('queued', 'running', 'done', 'failed')),"
    "  percent REAL NOT NULL DEFAULT 0,"
    "  stage TEXT NOT NULL DEFAULT '',"
    "  error TEXT,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  input TEXT NOT NULL,"
    "  input_owned INTEGER NOT NULL DEFAULT 0,"
    "  worker_pid INTEGER,"
    "  created INTEGER NOT NULL, started INTEGER, finished INTEGER,"
    "  transcode_s REAL);"
    "CREATE INDEX jobs_state ON jobs(state, id);"
    /* External-content FTS5 table kept in step by triggers. The trigram
     * tokenizer matches any substring of 3+ characters, which gives prefix
     * and infix search; typos are handled by the fuzzy pass. */
    "CREATE VIRTUAL TABLE titles_fts USING fts5("
    "  title, synopsis, content='titles', content_rowid='id', tokenize='trigram');"
    "CREATE TRIGGER titles_ai AFTER INSERT ON titles BEGIN"
    "  INSERT INTO titles_fts(rowid, title, synopsis) VALUES (new.id, new.title, new.synopsis);"
    " END;"
    "CREATE TRIGGER titles_ad AFTER DELETE ON titles BEGIN"
    "  INSERT INTO titles_fts(titles_fts, rowid, title, synopsis)"
    "    VALUES ('delete', old.id, old.title, old.synopsis);"
    " END;"
    "CREATE TRIGGER titles_au AFTER UPDATE OF title, synopsis ON titles BEGIN"
    "  INSERT INTO titles_fts(titles_fts, rowid, title, synopsis)"
    "    VALUES ('delete', old.id, old.title, old.synopsis);"
    "  INSERT INTO titles_fts(rowid, title, synopsis) VALUES (new.id, new.title, new.synopsis);"
    " END;",
    /* 1 -> 2: content protection. A title's scheme, and its content key
     * wrapped under the server's master key (AES-256-GCM: 12-byte nonce,
     * ciphertext, 16-byte tag), never the key itself. */
    "ALTER TABLE titles ADD COLUMN drm TEXT NOT NULL DEFAULT 'none'"
    "  CHECK (drm IN ('none', 'cenc', 'cbcs'));"
    "CREATE TABLE title_keys ("
    "  title_id INTEGER NOT NULL REFERENCES titles(id) ON DELETE CASCADE,"
    "  kid BLOB NOT NULL CHECK (length(kid) = 16),"
    "  wrapped_key BLOB NOT NULL,"
    "  created INTEGER NOT NULL,"
    "  PRIMARY KEY (title_id, kid));"
    "CREATE UNIQUE INDEX title_keys_kid ON title_keys(kid);",
    /* 2 -> 3: accounts and playback (backend/catalog_users.c,
     * catalog_sessions.c). A title's allowed regions (JSON array of ISO
     * 3166 codes, empty: everywhere); users with a salted scrypt hash (the
     * KDF parameters are stored per row so they can be raised later);
     * playback sessions as the heartbeats left them; resume positions per
     * user and title. */
    "ALTER TABLE titles ADD COLUMN regions TEXT NOT NULL DEFAULT '[]';"
    "CREATE TABLE users ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  pw_salt BLOB NOT NULL,"
    "  pw_hash BLOB NOT NULL,"
    "  pw_kdf TEXT NOT NULL,"                           /* "scrypt:N:r:p" */
    "  region TEXT NOT NULL,"
    "  max_streams INTEGER NOT NULL CHECK (max_streams >= 0),"
    "  created INTEGER NOT NULL);"
    "CREATE TABLE sessions ("
    "  id TEXT PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  title_id INTEGER NOT NULL REFERENCES titles(id) ON DELETE CASCADE,"
    "  device_id TEXT NOT NULL,"
    "  started INTEGER NOT NULL,"
    "  last_seen INTEGER NOT NULL,"
    "  ended INTEGER,"
    "  end_reason TEXT,"                                /* stopped, expired, replaced */
    "  position REAL NOT NULL DEFAULT 0,"
    "  heartbeats INTEGER NOT NULL DEFAULT 0,"
    "  bitrate_kbps INTEGER, buffer_s REAL, rebuffer_count INTEGER, rebuffer_s REAL,"
    "  dropped_frames INTEGER, cdn TEXT);"
    "CREATE INDEX sessions_live ON sessions(ended, user_id);"
    "CREATE TABLE resume ("
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  title_id INTEGER NOT NULL REFERENCES titles(id) ON DELETE CASCADE,"
    "  position REAL NOT NULL,"
    "  updated INTEGER NOT NULL,"
    "  PRIMARY KEY (user_id, title_id));"
    "CREATE INDEX resume_recent ON resume(user_id, updated);",
    /* 3 -> 4: roles, lockouts and the audit log (backend/catalog_users.c,
     * catalog_audit.c). Existing accounts become viewers. Lockouts are
     * keyed by the name as typed, known or not. The audit log is
     * append-only: triggers refuse to change or delete a record. */
    "ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'viewer'"
    "  CHECK (role IN ('viewer', 'operator', 'admin'));"
    "CREATE TABLE lockouts ("
    "  name TEXT PRIMARY KEY,"
    "  until INTEGER NOT NULL,"
    "  failures INTEGER NOT NULL,"
    "  since INTEGER NOT NULL);"
    "CREATE TABLE audit ("
    "  id INTEGER PRIMARY KEY,"
    "  at INTEGER NOT NULL,"
    "  actor TEXT NOT NULL,"
    "  actor_id INTEGER,"
    "  role TEXT NOT NULL,"
    "  action TEXT NOT NULL,"
    "  target TEXT,"
    "  peer TEXT NOT NULL,"
    "  status INTEGER NOT NULL,"
    "  detail TEXT);"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN"
    "  SELECT RAISE(ABORT, 'the audit log is append-only');"
    " END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN"
    "  SELECT RAISE(ABORT, 'the audit log is append-only');"
    " END;",
    /* 4 -> 5: workers claim jobs with a lease (catalog_sqlite_jobs.c):
     * `worker` names the claimer (host:pid), lease_until is when the claim
     * runs out unless the worker renews it. */
    "ALTER TABLE jobs ADD COLUMN worker TEXT;"
    "ALTER TABLE jobs ADD COLUMN lease_until INTEGER;",
    /* 5 -> 6: jobs in parts (catalog_sqlite_jobs.c): a part names the job
     * it belongs to, its index and the number of parts; a split job has
     * parts > 1; a done part keeps its output folder (under staging/). */
    "ALTER TABLE jobs ADD COLUMN parent_id INTEGER REFERENCES jobs(id) ON DELETE CASCADE;"
    "ALTER TABLE jobs ADD COLUMN part INTEGER;"
    "ALTER TABLE jobs ADD COLUMN parts INTEGER NOT NULL DEFAULT 1;"
    "ALTER TABLE jobs ADD COLUMN output TEXT;"
    "CREATE INDEX jobs_parent ON jobs(parent_id);",
    /* 6 -> 7: a per-title ladder's record (media.h, sv__ladder_report_json),
     * NULL for a fixed ladder. */
    "ALTER TABLE titles ADD COLUMN ladder TEXT;",
    /* 7 -> 8: live channels (channels.h, catalog_sqlite_channels.c): the
     * stream key is kept as it is (it configures the channel's listeners),
     * each port belongs to one channel, title_id is the VOD title an ended
     * event became. */
    "CREATE TABLE channels ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  stream_key TEXT NOT NULL,"
    "  srt_port INTEGER NOT NULL UNIQUE,"
    "  rtmp_port INTEGER NOT NULL UNIQUE,"
    "  state TEXT NOT NULL DEFAULT 'idle' CHECK (state IN ('idle', 'live', 'ended')),"
    "  settings TEXT NOT NULL DEFAULT '{}',"
    "  created INTEGER NOT NULL,"
    "  title_id INTEGER REFERENCES titles(id) ON DELETE SET NULL);",
    /* 8 -> 9: ad breaks (breaks.h, catalog_sqlite_breaks.c): where a break
     * sits in a title and how long it lasts, and the DATERANGE CLASS its
     * manifests give it. */
    "CREATE TABLE ad_breaks ("
    "  id INTEGER PRIMARY KEY,"
    "  title_id INTEGER NOT NULL REFERENCES titles(id) ON DELETE CASCADE,"
    "  at_s REAL NOT NULL CHECK (at_s >= 0),"
    "  duration_s REAL NOT NULL CHECK (duration_s > 0),"
    "  class TEXT NOT NULL,"
    "  created INTEGER NOT NULL);"
    "CREATE INDEX ad_breaks_title ON ad_breaks(title_id, at_s);",
    /* 9 -> 10: what a live session's heartbeats report (sessions.h): its
     * latency behind the live edge and its playback rate, NULL when the
     * player does not say (VOD); and its media tokens' prefix, which for a
     * session of a live title is the channel's folder for the session's
     * life. A live title needs no column of its own: it is the title a
     * live channel records into (catalog_internal.h). */
    "ALTER TABLE sessions ADD COLUMN live_latency_s REAL;"
    "ALTER TABLE sessions ADD COLUMN playback_rate REAL;"
    "ALTER TABLE sessions ADD COLUMN prefix TEXT;",
    /* 10 -> 11: an ad break played from another title, an interstitial
     * (breaks.h): the title it plays, NULL for a break that is only
     * signalled. */
    "ALTER TABLE ad_breaks ADD COLUMN asset_title_id INTEGER REFERENCES titles(id);",
    /* 11 -> 12: the breaks sessions' players reached (their heartbeats and
     * stops say so): one row per session, break and start, so a report sent
     * again counts once. */
    "CREATE TABLE ad_impressions ("
    "  break_id INTEGER NOT NULL REFERENCES ad_breaks(id) ON DELETE CASCADE,"
    "  session_id TEXT NOT NULL,"
    "  start_s REAL NOT NULL,"
    "  created INTEGER NOT NULL,"
    "  PRIMARY KEY (break_id, session_id, start_s));",
    /* 12 -> 13: offline licenses (api_offline.c, catalog_sqlite_offline.c):
     * who holds one, for which title and device, until when, and whether
     * it was revoked. The keys themselves are only in the signed license. */
    "CREATE TABLE offline_licenses ("
    "  id TEXT PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  title_id INTEGER NOT NULL REFERENCES titles(id) ON DELETE CASCADE,"
    "  device_id TEXT NOT NULL,"
    "  created INTEGER NOT NULL,"
    "  expires INTEGER NOT NULL,"
    "  revoked INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX offline_licenses_user ON offline_licenses(user_id, revoked, expires);",
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == SV__CATALOG_SCHEMA_VERSION,
               "one migration per schema version");

const char *sv__sqlite_errmsg(sv__catalog *cat)
{
    return cat && cat->db ? sqlite3_errmsg(cat->db) : "no catalog";
}

/* A local file: there is no connection to lose. */
int sv__sqlite_available(sv__catalog *cat)
{
    (void)cat;
    return 1;
}

int sv__sqlite_disk_full(sv__catalog *cat)
{
    int rc;

    if (!cat || !cat->db)
        return 0;
    rc = sqlite3_extended_errcode(cat->db);
    if ((rc & 0xff) == SQLITE_FULL)
        return 1;
    return (rc & 0xff) == SQLITE_IOERR && (sqlite3_system_errno(cat->db) == ENOSPC ||
                                           sqlite3_system_errno(cat->db) == EDQUOT);
}

static int user_version(sv__catalog *cat, int *v)
{
    sqlite3_stmt *st;
    int ret = SV_ERR_IO;

    if (sv__cat_prepare(cat, "PRAGMA user_version", &st) < 0)
        return SV_ERR_IO;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *v = sqlite3_column_int(st, 0);
        ret = 0;
    }
    sqlite3_finalize(st);
    return ret;
}

static int migrate(sv__catalog *cat, char *err, size_t errlen)
{
    int v;

    if (user_version(cat, &v) < 0)
        goto fail;
    if (v > SV__CATALOG_SCHEMA_VERSION) {
        snprintf(err, errlen, "catalog schema version %d is newer than this svserver (%d)", v,
                 SV__CATALOG_SCHEMA_VERSION);
        return SV_ERR_UNSUPPORTED;
    }
    for (; v < SV__CATALOG_SCHEMA_VERSION; v++) {
        char pragma[64];

        snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", v + 1);
        if (sv__cat_exec(cat, "BEGIN IMMEDIATE") < 0)
            goto fail;
        if (sv__cat_exec(cat, migrations[v]) < 0 || sv__cat_exec(cat, pragma) < 0) {
            snprintf(err, errlen, "catalog migration to version %d: %s", v + 1,
                     sqlite3_errmsg(cat->db));
            sv__cat_exec(cat, "ROLLBACK");
            return SV_ERR_IO;
        }
        if (sv__cat_exec(cat, "COMMIT") < 0)
            goto fail;
    }
    return 0;

fail:
    snprintf(err, errlen, "catalog: %s", sqlite3_errmsg(cat->db));
    return SV_ERR_IO;
}

int sv__sqlite_open(const char *path, sv__catalog **out, char *err, size_t errlen)
{
    sv__catalog *cat = calloc(1, sizeof(*cat));
    int ret = SV_ERR_IO;

    if (!cat) {
        snprintf(err, errlen, "out of memory");
        return SV_ERR_NOMEM;
    }
    cat->ops = &sv__sqlite_ops;
    if (sqlite3_open_v2(path, &cat->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                        SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot open catalog %s: %s", path,
                 cat->db ? sqlite3_errmsg(cat->db) : "out of memory");
        goto fail;
    }
    /* Writers (the loop, workers, an `svserver ingest` beside a running
     * server) hold the lock for milliseconds; wait rather than fail. */
    sqlite3_busy_timeout(cat->db, 10000);
    if (sv__cat_exec(cat, "PRAGMA journal_mode = WAL") < 0 ||
        sv__cat_exec(cat, "PRAGMA synchronous = NORMAL") < 0 ||
        sv__cat_exec(cat, "PRAGMA foreign_keys = ON") < 0) {
        snprintf(err, errlen, "catalog %s: %s", path, sqlite3_errmsg(cat->db));
        goto fail;
    }
    if ((ret = migrate(cat, err, errlen)) < 0)
        goto fail;
    *out = cat;
    return 0;

fail:
    sv__sqlite_close(cat);
    return ret;
}

void sv__sqlite_close(sv__catalog *cat)
{
    if (!cat)
        return;
    sqlite3_close_v2(cat->db);
    free(cat);
}

const sv__catalog_ops sv__sqlite_ops = {
    .name = "sqlite",
    .close = sv__sqlite_close,
    .errmsg = sv__sqlite_errmsg,
    .disk_full = sv__sqlite_disk_full,
    .available = sv__sqlite_available,
    .lockout_get = sv__sqlite_lockout_get,
    .lockout_set = sv__sqlite_lockout_set,
    .lockout_clear = sv__sqlite_lockout_clear,
    .audit_add = sv__sqlite_audit_add,
    .audit_list = sv__sqlite_audit_list,
    .job_create = sv__sqlite_job_create,
    .job_json = sv__sqlite_job_json,
    .job_get = sv__sqlite_job_get,
    .job_claim = sv__sqlite_job_claim,
    .job_renew = sv__sqlite_job_renew,
    .job_progress = sv__sqlite_job_progress,
    .job_fail = sv__sqlite_job_fail,
    .job_requeue = sv__sqlite_job_requeue,
    .publish = sv__sqlite_publish,
    .job_split = sv__sqlite_job_split,
    .job_part_done = sv__sqlite_job_part_done,
    .job_parts = sv__sqlite_job_parts,
    .recover = sv__sqlite_recover,
    .job_inputs_active = sv__sqlite_job_inputs_active,
    .job_counts = sv__sqlite_job_counts,
    .key_insert = sv__sqlite_key_insert,
    .key_by_title = sv__sqlite_key_by_title,
    .key_by_kid = sv__sqlite_key_by_kid,
    .title_set_drm = sv__sqlite_title_set_drm,
    .title_drm = sv__sqlite_title_drm,
    .session_start = sv__sqlite_session_start,
    .session_get = sv__sqlite_session_get,
    .sessions_expire = sv__sqlite_sessions_expire,
    .sessions_live = sv__sqlite_sessions_live,
    .sessions_save = sv__sqlite_sessions_save,
    .session_ended = sv__sqlite_session_ended,
    .resume_get = sv__sqlite_resume_get,
    .continue_watching = sv__sqlite_continue_watching,
    .title_access = sv__sqlite_title_access,
    .title_set_regions = sv__sqlite_title_set_regions,
    .break_add = sv__sqlite_break_add,
    .breaks = sv__sqlite_breaks,
    .break_remove = sv__sqlite_break_remove,
    .ad_impressions_add = sv__sqlite_ad_impressions_add,
    .offline_add = sv__sqlite_offline_add,
    .offline_get = sv__sqlite_offline_get,
    .offline_revoke = sv__sqlite_offline_revoke,
    .title_ladder = sv__sqlite_title_ladder,
    .title_create = sv__sqlite_title_create,
    .title_update = sv__sqlite_title_update,
    .title_json = sv__sqlite_title_json,
    .titles_list = sv__sqlite_titles_list,
    .user_insert = sv__sqlite_user_insert,
    .user_find = sv__sqlite_user_find,
    .user_get = sv__sqlite_user_get,
    .user_set_role = sv__sqlite_user_set_role,
    .users_list = sv__sqlite_users_list,
    .channel_insert = sv__sqlite_channel_insert,
    .channel_get = sv__sqlite_channel_get,
    .channels = sv__sqlite_channels,
    .channel_remove = sv__sqlite_channel_remove,
    .channel_set_state = sv__sqlite_channel_set_state,
};
