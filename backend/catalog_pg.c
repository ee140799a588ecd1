/*
 * catalog_pg.c - the PostgreSQL back end: connecting, schema migrations
 * and the operations table (catalog_pg.h). The query helpers the
 * operations' files share are catalog_pg_query.c's, below them all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/catalog_pg.h"
#include "streamverse/common.h"

/*
 * One entry per schema version: migrations[v] takes a database from version
 * v to v + 1. Append new versions; never edit a released one. Version 1 is
 * the SQLite catalog's schema 5 in PostgreSQL's types, with trigram indexes
 * for search and a partial index of the open sessions.
 */
static const char *const migrations[] = {
    /* 0 -> 1 */
    "CREATE EXTENSION IF NOT EXISTS pg_trgm;"
    "CREATE TABLE titles ("
    "  id BIGSERIAL PRIMARY KEY,"
    "  title TEXT NOT NULL,"
    "  synopsis TEXT NOT NULL DEFAULT '',"
    "  genres TEXT NOT NULL DEFAULT '[]',"                 /* JSON array of strings */
    "  duration DOUBLE PRECISION,"
    "  status TEXT NOT NULL DEFAULT 'processing'"
    "    CHECK (status IN ('processing', 'ready', 'failed')),"
    "  created BIGINT NOT NULL,"
    "  nb_thumbs INTEGER NOT NULL DEFAULT 0,"
    "  thumb_interval DOUBLE PRECISION NOT NULL DEFAULT 10,"
    "  drm TEXT NOT NULL DEFAULT 'none' CHECK (drm IN ('none', 'cenc', 'cbcs')),"
    "  regions TEXT NOT NULL DEFAULT '[]');"               /* JSON array of ISO 3166 codes */
    "CREATE INDEX titles_status ON titles(status, id);"
    "CREATE INDEX titles_title_trgm ON titles USING gin (lower(title) gin_trgm_ops);"
    "CREATE INDEX titles_synopsis_trgm ON titles USING gin (lower(synopsis) gin_trgm_ops);"
    "CREATE TABLE renditions ("
    "  title_id BIGINT NOT NULL REFERENCES titles(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  width INTEGER, height INTEGER,"
    "  bandwidth BIGINT, average_bandwidth BIGINT,"
    "  codecs TEXT, frame_rate DOUBLE PRECISION, nb_segments INTEGER,"
    "  PRIMARY KEY (title_id, kind, name));"
    /* Jobs are claimed by workers on any machine: `worker` names the
     * claimer (host:pid), lease_until is when the claim runs out unless the
     * worker renews it. */
    "CREATE TABLE jobs ("
    "  id BIGSERIAL PRIMARY KEY,"
    "  title_id BIGINT NOT NULL REFERENCES titles(id) ON DELETE CASCADE,"
    "  state TEXT NOT NULL DEFAULT 'queued'"
    "    CHECK (state IN ('queued', 'running', 'done', 'failed')),"
    "  percent DOUBLE PRECISION NOT NULL DEFAULT 0,"
    "  stage TEXT NOT NULL DEFAULT '',"
    "  error TEXT,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  input TEXT NOT NULL,"
    "  input_owned INTEGER NOT NULL DEFAULT 0,"
    "  worker_pid INTEGER,"
    "  worker TEXT,"
    "  lease_until BIGINT,"
    "  created BIGINT NOT NULL, started BIGINT, finished BIGINT,"
    "  transcode_s DOUBLE PRECISION);"
    "CREATE INDEX jobs_state ON jobs(state, id);"
    "CREATE TABLE title_keys ("
    "  title_id BIGINT NOT NULL REFERENCES titles(id) ON DELETE CASCADE,"
    "  kid BYTEA NOT NULL CHECK (length(kid) = 16),"
    "  wrapped_key BYTEA NOT NULL,"
    "  created BIGINT NOT NULL,"
    "  PRIMARY KEY (title_id, kid));"
    "CREATE UNIQUE INDEX title_keys_kid ON title_keys(kid);"
    "CREATE TABLE users ("
    "  id BIGSERIAL PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  pw_salt BYTEA NOT NULL,"
    "  pw_hash BYTEA NOT NULL,"
    "  pw_kdf TEXT NOT NULL,"                              /* "scrypt:N:r:p" */
    "  region TEXT NOT NULL,"
    "  max_streams INTEGER NOT NULL CHECK (max_streams >= 0),"
    "  created BIGINT NOT NULL,"
    "  role TEXT NOT NULL DEFAULT 'viewer' CHECK (role IN ('viewer', 'operator', 'admin')));"
    /* Heartbeats rewrite a session row every few seconds: room on each
     * page keeps those updates HOT (no index is touched). */
    "CREATE TABLE sessions ("
    "  id TEXT PRIMARY KEY,"
    "  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  title_id BIGINT NOT NULL REFERENCES titles(id) ON DELETE CASCADE,"
    "  device_id TEXT NOT NULL,"
    "  started BIGINT NOT NULL,"
    "  last_seen BIGINT NOT NULL,"
    "  ended BIGINT,"
    "  end_reason TEXT,"                                   /* stopped, expired, replaced */
    "  position DOUBLE PRECISION NOT NULL DEFAULT 0,"
    "  heartbeats BIGINT NOT NULL DEFAULT 0,"
    "  bitrate_kbps BIGINT, buffer_s DOUBLE PRECISION, rebuffer_count BIGINT,"
    "  rebuffer_s DOUBLE PRECISION, dropped_frames BIGINT, cdn TEXT)"
    "  WITH (fillfactor = 70);"
    "CREATE INDEX sessions_live ON sessions(user_id) WHERE ended IS NULL;"
    "CREATE TABLE resume ("
    "  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  title_id BIGINT NOT NULL REFERENCES titles(id) ON DELETE CASCADE,"
    "  position DOUBLE PRECISION NOT NULL,"
    "  updated BIGINT NOT NULL,"
    "  PRIMARY KEY (user_id, title_id));"
    "CREATE INDEX resume_recent ON resume(user_id, updated);"
    "CREATE TABLE lockouts ("
    "  name TEXT PRIMARY KEY,"
    "  until BIGINT NOT NULL,"
    "  failures INTEGER NOT NULL,"
    "  since BIGINT NOT NULL);"
    "CREATE TABLE audit ("
    "  id BIGSERIAL PRIMARY KEY,"
    "  at BIGINT NOT NULL,"
    "  actor TEXT NOT NULL,"
    "  actor_id BIGINT,"
    "  role TEXT NOT NULL,"
    "  action TEXT NOT NULL,"
    "  target TEXT,"
    "  peer TEXT NOT NULL,"
    "  status INTEGER NOT NULL,"
    "  detail TEXT);"
    "CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS"
    "  $$BEGIN RAISE EXCEPTION 'the audit log is append-only'; END$$;"
    "CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit"
    "  FOR EACH ROW EXECUTE FUNCTION audit_append_only();",
    /* 1 -> 2: jobs in parts (catalog_pg_jobs.c): a part names the job it
     * belongs to, its index and the number of parts; a split job has
     * parts > 1; a done part keeps its output folder (under staging/). */
    "ALTER TABLE jobs ADD COLUMN parent_id BIGINT REFERENCES jobs(id) ON DELETE CASCADE;"
    "ALTER TABLE jobs ADD COLUMN part INTEGER;"
    "ALTER TABLE jobs ADD COLUMN parts INTEGER NOT NULL DEFAULT 1;"
    "ALTER TABLE jobs ADD COLUMN output TEXT;"
    "CREATE INDEX jobs_parent ON jobs(parent_id);",
    /* 2 -> 3: a per-title ladder's record (media.h, sv__ladder_report_json),
     * NULL for a fixed ladder. */
    "ALTER TABLE titles ADD COLUMN ladder TEXT;",
    /* 3 -> 4: live channels (channels.h, catalog_pg_channels.c), as
     * SQLite's version 8. */
    "CREATE TABLE channels ("
    "  id BIGSERIAL PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  stream_key TEXT NOT NULL,"
    "  srt_port INTEGER NOT NULL UNIQUE,"
    "  rtmp_port INTEGER NOT NULL UNIQUE,"
    "  state TEXT NOT NULL DEFAULT 'idle' CHECK (state IN ('idle', 'live', 'ended')),"
    "  settings TEXT NOT NULL DEFAULT '{}',"
    "  created BIGINT NOT NULL,"
    "  title_id BIGINT REFERENCES titles(id) ON DELETE SET NULL);",
    /* 4 -> 5: ad breaks (breaks.h, catalog_pg_breaks.c), as SQLite's
     * version 9. */
    "CREATE TABLE ad_breaks ("
    "  id BIGSERIAL PRIMARY KEY,"
    "  title_id BIGINT NOT NULL REFERENCES titles(id) ON DELETE CASCADE,"
    "  at_s DOUBLE PRECISION NOT NULL CHECK (at_s >= 0),"
    "  duration_s DOUBLE PRECISION NOT NULL CHECK (duration_s > 0),"
    "  class TEXT NOT NULL,"
    "  created BIGINT NOT NULL);"
    "CREATE INDEX ad_breaks_title ON ad_breaks(title_id, at_s);",
    /* 5 -> 6: a live session's latency and playback rate, its tokens'
     * prefix, as SQLite's version 10. */
    "ALTER TABLE sessions ADD COLUMN live_latency_s DOUBLE PRECISION;"
    "ALTER TABLE sessions ADD COLUMN playback_rate DOUBLE PRECISION;"
    "ALTER TABLE sessions ADD COLUMN prefix TEXT;",
    /* 6 -> 7: the title an interstitial break plays, as SQLite's version
     * 11. */
    "ALTER TABLE ad_breaks ADD COLUMN asset_title_id BIGINT REFERENCES titles(id);",
    /* 7 -> 8: the breaks sessions' players reached, as SQLite's version
     * 12. */
    "CREATE TABLE ad_impressions ("
    "  break_id BIGINT NOT NULL REFERENCES ad_breaks(id) ON DELETE CASCADE,"
    "  session_id TEXT NOT NULL,"
    "  start_s DOUBLE PRECISION NOT NULL,"
    "  created BIGINT NOT NULL,"
    "  PRIMARY KEY (break_id, session_id, start_s));",
    /* 8 -> 9: offline licenses (catalog_pg_offline.c), as SQLite's
     * version 13. */
    "CREATE TABLE offline_licenses ("
    "  id TEXT PRIMARY KEY,"
    "  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  title_id BIGINT NOT NULL REFERENCES titles(id) ON DELETE CASCADE,"
    "  device_id TEXT NOT NULL,"
    "  created BIGINT NOT NULL,"
    "  expires BIGINT NOT NULL,"
    "  revoked INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX offline_licenses_user ON offline_licenses(user_id, revoked, expires);",
};

#define PG_SCHEMA_VERSION ((int)(sizeof(migrations) / sizeof(migrations[0])))

/* Key of the advisory lock that serialises migrations between processes
 * starting at the same time ('svmg'). */
#define MIGRATION_LOCK "1937141607"

static const char *pg_errmsg(sv__catalog *cat)
{
    return cat->errmsg[0] ? cat->errmsg : "no error";
}

/* SQLSTATE class 53: insufficient resources; 53100 disk_full. */
static int pg_disk_full(sv__catalog *cat)
{
    return !strcmp(cat->sqlstate, "53100");
}

/* A connection the server closed (a shutdown, a restart) is only noticed
 * by libpq when it reads: read what is waiting, without blocking, so a
 * health check sees the loss at once instead of at the next query. Twice:
 * the server's farewell message, then the end of the stream. */
static int pg_available(sv__catalog *cat)
{
    if (PQstatus(cat->pg) == CONNECTION_OK && PQconsumeInput(cat->pg) &&
        PQconsumeInput(cat->pg) && PQstatus(cat->pg) == CONNECTION_OK)
        return 1;
    return sv__pg_ensure_connected(cat) == 0;
}

static void pg_close(sv__catalog *cat)
{
    PQfinish(cat->pg);
    free(cat);
}

static void quiet_notices(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* "extension already exists, skipping" and the like */
}

/* Each migration runs in one transaction holding the migration lock, and
 * reads the version under it: two processes starting together apply each
 * step once, and a failed step leaves the schema as it was. */
static int migrate(sv__catalog *cat, char *err, size_t errlen)
{
    for (;;) {
        PGresult *r;
        int v;

        if (sv__pg_exec(cat, "BEGIN") < 0 ||
            sv__pg_exec(cat, "SELECT pg_advisory_xact_lock(" MIGRATION_LOCK ")") < 0 ||
            sv__pg_exec(cat, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT "
                        "NULL)") < 0 ||
            !(r = sv__pg_query(cat, "SELECT coalesce(max(version), 0) FROM schema_version", "")))
            goto fail;
        v = (int)sv__pg_int(r, 0, 0);
        PQclear(r);
        if (v > PG_SCHEMA_VERSION) {
            sv__pg_exec(cat, "ROLLBACK");
            snprintf(err, errlen, "catalog schema version %d is newer than this svserver (%d)",
                     v, PG_SCHEMA_VERSION);
            return SV_ERR_UNSUPPORTED;
        }
        if (v == PG_SCHEMA_VERSION) {
            if (sv__pg_exec(cat, "COMMIT") < 0)
                goto fail;
            return 0;
        }
        if (sv__pg_exec(cat, migrations[v]) < 0 ||
            sv__pg_run(cat, "DELETE FROM schema_version", "") < 0 ||
            sv__pg_run(cat, "INSERT INTO schema_version VALUES ($1)", "i", (int64_t)v + 1) < 0) {
            snprintf(err, errlen, "catalog migration to version %d: %s", v + 1, cat->errmsg);
            sv__pg_exec(cat, "ROLLBACK");
            return SV_ERR_IO;
        }
        if (sv__pg_exec(cat, "COMMIT") < 0)
            goto fail;
    }

fail:
    snprintf(err, errlen, "catalog: %s", cat->errmsg);
    sv__pg_exec(cat, "ROLLBACK");
    return SV_ERR_IO;
}

int sv__pg_open(const char *url, sv__catalog **out, char *err, size_t errlen)
{
    /* The URL's own settings win over these defaults (later keywords
     * override earlier ones, and dbname expands in place). */
    static const char *const keys[] = {"connect_timeout", "application_name", "options",
                                       "dbname", NULL};
    const char *vals[] = {"3", "svserver",
                          "-c statement_timeout=10000 -c lock_timeout=5000", url, NULL};
    sv__catalog *cat = calloc(1, sizeof(*cat));
    int ret;

    if (!cat) {
        snprintf(err, errlen, "out of memory");
        return SV_ERR_NOMEM;
    }
    cat->ops = &sv__pg_ops;
    cat->pg = PQconnectdbParams(keys, vals, 1);
    if (!cat->pg || PQstatus(cat->pg) != CONNECTION_OK) {
        sv__pg_set_error(cat, NULL, cat->pg ? PQerrorMessage(cat->pg) : "out of memory", NULL);
        snprintf(err, errlen, "cannot connect to the PostgreSQL catalog: %s", cat->errmsg);
        ret = SV_ERR_IO;
        goto fail;
    }
    PQsetNoticeProcessor(cat->pg, quiet_notices, NULL);
    if ((ret = migrate(cat, err, errlen)) < 0)
        goto fail;
    *out = cat;
    return 0;

fail:
    pg_close(cat);
    return ret;
}

const sv__catalog_ops sv__pg_ops = {
    .name = "postgresql",
    .close = pg_close,
    .errmsg = pg_errmsg,
    .disk_full = pg_disk_full,
    .available = pg_available,
    .job_create = sv__pg_job_create,
    .job_json = sv__pg_job_json,
    .job_get = sv__pg_job_get,
    .job_claim = sv__pg_job_claim,
    .job_renew = sv__pg_job_renew,
    .job_progress = sv__pg_job_progress,
    .job_fail = sv__pg_job_fail,
    .job_requeue = sv__pg_job_requeue,
    .publish = sv__pg_publish,
    .job_split = sv__pg_job_split,
    .job_part_done = sv__pg_job_part_done,
    .job_parts = sv__pg_job_parts,
    .recover = sv__pg_recover,
    .job_inputs_active = sv__pg_job_inputs_active,
    .job_counts = sv__pg_job_counts,
    .session_start = sv__pg_session_start,
    .session_get = sv__pg_session_get,
    .sessions_expire = sv__pg_sessions_expire,
    .sessions_live = sv__pg_sessions_live,
    .sessions_save = sv__pg_sessions_save,
    .session_ended = sv__pg_session_ended,
    .resume_get = sv__pg_resume_get,
    .continue_watching = sv__pg_continue_watching,
    .title_access = sv__pg_title_access,
    .title_set_regions = sv__pg_title_set_regions,
    .break_add = sv__pg_break_add,
    .breaks = sv__pg_breaks,
    .break_remove = sv__pg_break_remove,
    .ad_impressions_add = sv__pg_ad_impressions_add,
    .offline_add = sv__pg_offline_add,
    .offline_get = sv__pg_offline_get,
    .offline_revoke = sv__pg_offline_revoke,
    .title_ladder = sv__pg_title_ladder,
    .user_insert = sv__pg_user_insert,
    .user_find = sv__pg_user_find,
    .user_get = sv__pg_user_get,
    .user_set_role = sv__pg_user_set_role,
    .users_list = sv__pg_users_list,
    .channel_insert = sv__pg_channel_insert,
    .channel_get = sv__pg_channel_get,
    .channels = sv__pg_channels,
    .channel_remove = sv__pg_channel_remove,
    .channel_set_state = sv__pg_channel_set_state,
    .title_create = sv__pg_title_create,
    .title_update = sv__pg_title_update,
    .title_json = sv__pg_title_json,
    .titles_list = sv__pg_titles_list,
    .key_insert = sv__pg_key_insert,
    .key_by_title = sv__pg_key_by_title,
    .key_by_kid = sv__pg_key_by_kid,
    .title_set_drm = sv__pg_title_set_drm,
    .title_drm = sv__pg_title_drm,
    .lockout_get = sv__pg_lockout_get,
    .lockout_set = sv__pg_lockout_set,
    .lockout_clear = sv__pg_lockout_clear,
    .audit_add = sv__pg_audit_add,
    .audit_list = sv__pg_audit_list,
};
