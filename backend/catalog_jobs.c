/*
 * catalog_jobs.c - ingest jobs: creation, state changes, publishing a
 * title and start-up recovery.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/catalog_internal.h"
#include "streamverse/common.h"

static int state_parse(const char *s)
{
    for (int i = 0; i < SV__JOB_NB; i++)
        if (!strcmp(s, sv__job_state_name(i)))
            return i;
    return -1;
}

/* Runs one statement with binds given as a format: 'i' int64, 'd' double,
 * 's' text (NULL allowed). Returns the number of changed rows. */
static int run(sv__catalog *cat, const char *sql, const char *fmt, ...)
{
    sqlite3_stmt *st;
    va_list ap;
    int ret = SV_ERR_IO;

    if (sv__cat_prepare(cat, sql, &st) < 0)
        return SV_ERR_IO;
    va_start(ap, fmt);
    for (int i = 0; fmt[i]; i++) {
        if (fmt[i] == 'i')
            sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
        else if (fmt[i] == 'd')
            sqlite3_bind_double(st, i + 1, va_arg(ap, double));
        else
            sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
    }
    va_end(ap);
    if (sqlite3_step(st) == SQLITE_DONE)
        ret = sqlite3_changes(cat->db);
    sqlite3_finalize(st);
    return ret;
}

int sv__catalog_job_create(sv__catalog *cat, int64_t title_id, const char *input,
                           int input_owned, int64_t *job_id)
{
    if (run(cat, "INSERT INTO jobs (title_id, input, input_owned, created) VALUES (?, ?, ?, ?)",
            "isii", title_id, input, (int64_t)input_owned, sv__cat_now()) != 1)
        return SV_ERR_IO;
    *job_id = sqlite3_last_insert_rowid(cat->db);
    return 0;
}

json_t *sv__catalog_job_json(sv__catalog *cat, int64_t job_id, int *err)
{
    sqlite3_stmt *st;
    json_t *j = NULL;
    int rc;

    *err = SV_ERR_IO;
    if (sv__cat_prepare(cat, "SELECT id, title_id, state, percent, stage, error, attempts,"
                             " created, started, finished FROM jobs WHERE id = ?", &st) < 0)
        return NULL;
    sqlite3_bind_int64(st, 1, job_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        char created[32];

        sv__cat_iso8601(sqlite3_column_int64(st, 7), created, sizeof(created));
        j = json_pack("{s:I,s:I,s:s,s:f,s:s,s:s?,s:i,s:s}", "id",
                      (json_int_t)sqlite3_column_int64(st, 0), "title_id",
                      (json_int_t)sqlite3_column_int64(st, 1), "state",
                      (const char *)sqlite3_column_text(st, 2), "percent",
                      sqlite3_column_double(st, 3), "stage",
                      (const char *)sqlite3_column_text(st, 4), "error",
                      (const char *)sqlite3_column_text(st, 5), "attempts",
                      sqlite3_column_int(st, 6), "created", created);
        *err = j ? 0 : SV_ERR_NOMEM;
    } else if (rc == SQLITE_DONE) {
        *err = SV_ERR_NOT_FOUND;
    }
    sqlite3_finalize(st);
    return j;
}

int sv__catalog_job_get(sv__catalog *cat, int64_t job_id, sv__job_info *out)
{
    sqlite3_stmt *st;
    int rc, ret = SV_ERR_IO;

    if (sv__cat_prepare(cat, "SELECT id, title_id, state, attempts, input_owned, input"
                             " FROM jobs WHERE id = ?", &st) < 0)
        return SV_ERR_IO;
    sqlite3_bind_int64(st, 1, job_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof(*out));
        out->id = sqlite3_column_int64(st, 0);
        out->title_id = sqlite3_column_int64(st, 1);
        out->state = state_parse((const char *)sqlite3_column_text(st, 2));
        out->attempts = sqlite3_column_int(st, 3);
        out->input_owned = sqlite3_column_int(st, 4);
        snprintf(out->input, sizeof(out->input), "%s", (const char *)sqlite3_column_text(st, 5));
        ret = 0;
    } else if (rc == SQLITE_DONE) {
        ret = SV_ERR_NOT_FOUND;
    }
    sqlite3_finalize(st);
    return ret;
}

int sv__catalog_job_claim(sv__catalog *cat, int64_t job_id, int pid)
{
    int n = run(cat, "UPDATE jobs SET state = 'running', attempts = attempts + 1, worker_pid = ?,"
                     " started = ?, percent = 0, stage = 'queued', error = NULL"
                     " WHERE id = ? AND state = 'queued'",
                "iii", (int64_t)pid, sv__cat_now(), job_id);

    return n < 0 ? n : n == 1 ? 0 : SV_ERR_STATE;
}

int sv__catalog_job_progress(sv__catalog *cat, int64_t job_id, double percent, const char *stage)
{
    int n = run(cat, "UPDATE jobs SET percent = ?, stage = ? WHERE id = ? AND state = 'running'",
                "dsi", percent, stage, job_id);

    return n < 0 ? n : 0;
}

int sv__catalog_job_fail(sv__catalog *cat, int64_t job_id, const char *reason)
{
    int ret = SV_ERR_IO;

    if (sv__cat_exec(cat, "BEGIN IMMEDIATE") < 0)
        return SV_ERR_IO;
    if (run(cat, "UPDATE jobs SET state = 'failed', error = ?, finished = ? WHERE id = ?", "sii",
            reason, sv__cat_now(), job_id) < 0 ||
        run(cat, "UPDATE titles SET status = 'failed' WHERE id = (SELECT title_id FROM jobs"
                 " WHERE id = ?)", "i", job_id) < 0)
        goto fail;
    if (sv__cat_exec(cat, "COMMIT") == 0)
        return 0;
fail:
    sv__cat_exec(cat, "ROLLBACK");
    return ret;
}

int sv__catalog_job_requeue(sv__catalog *cat, int64_t job_id)
{
    int n = run(cat, "UPDATE jobs SET state = 'queued', percent = 0, stage = '', worker_pid = NULL"
                     " WHERE id = ? AND state = 'running'", "i", job_id);

    return n < 0 ? n : 0;
}

int sv__catalog_publish(sv__catalog *cat, int64_t job_id, int64_t title_id,
                        const sv__media_result *res)
{
    if (sv__cat_exec(cat, "BEGIN IMMEDIATE") < 0)
        return SV_ERR_IO;
    if (run(cat, "DELETE FROM renditions WHERE title_id = ?", "i", title_id) < 0)
        goto fail;
    for (int i = 0; i < res->nb_renditions; i++) {
        const sv__rendition_info *r = &res->renditions[i];

        if (run(cat, "INSERT INTO renditions (title_id, kind, name, width, height, bandwidth,"
                     " average_bandwidth, codecs, frame_rate, nb_segments)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "issiiiisdi", title_id, r->kind,
                r->name, (int64_t)r->width, (int64_t)r->height, r->bandwidth,
                r->average_bandwidth, r->codecs, r->frame_rate, (int64_t)r->nb_segments) != 1)
            goto fail;
    }
    if (run(cat, "UPDATE titles SET status = 'ready', duration = ?, nb_thumbs = ? WHERE id = ?",
            "dii", res->duration_s, (int64_t)res->nb_thumbs, title_id) != 1 ||
        run(cat, "UPDATE jobs SET state = 'done', percent = 100, stage = 'done', finished = ?,"
                 " transcode_s = ? WHERE id = ?", "idi", sv__cat_now(), res->transcode_s,
            job_id) != 1)
        goto fail;
    if (sv__cat_exec(cat, "COMMIT") == 0)
        return 0;
fail:
    sv__cat_exec(cat, "ROLLBACK");
    return SV_ERR_IO;
}

/* Is the process that claimed a job gone? Our own pid counts as gone: a
 * previous run that got the same pid cannot be running any more. */
static int owner_gone(int64_t pid, int self_pid)
{
    if (pid <= 0 || pid == self_pid)
        return 1;
    return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

int sv__catalog_recover(sv__catalog *cat, int self_pid, int max_attempts, int64_t **ids)
{
    sqlite3_stmt *st = NULL;
    int64_t *list = NULL;
    size_t n = 0, cap = 0;
    int ret = SV_ERR_IO;

    *ids = NULL;
    if (sv__cat_exec(cat, "BEGIN IMMEDIATE") < 0)
        return SV_ERR_IO;
    if (sv__cat_prepare(cat, "SELECT id, worker_pid, attempts FROM jobs WHERE state = 'running'",
                        &st) < 0)
        goto fail;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        int attempts = sqlite3_column_int(st, 2);

        if (!owner_gone(sqlite3_column_int64(st, 1), self_pid))
            continue; /* an `svserver ingest` still working on it */
        if (attempts >= max_attempts) {
            if (run(cat, "UPDATE jobs SET state = 'failed', finished = ?, error ="
                         " 'interrupted ' || attempts || ' times (the process stopped during"
                         " the transcode); giving up' WHERE id = ?", "ii", sv__cat_now(), id) < 0 ||
                run(cat, "UPDATE titles SET status = 'failed' WHERE id ="
                         " (SELECT title_id FROM jobs WHERE id = ?)", "i", id) < 0)
                goto fail;
        } else if (run(cat, "UPDATE jobs SET state = 'queued', percent = 0, stage = '',"
                            " worker_pid = NULL WHERE id = ?", "i", id) < 0) {
            goto fail;
        }
    }
    sqlite3_finalize(st);
    st = NULL;
    if (sv__cat_prepare(cat, "SELECT id FROM jobs WHERE state = 'queued' ORDER BY id", &st) < 0)
        goto fail;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n == cap) {
            int64_t *l = realloc(list, (cap = cap ? cap * 2 : 8) * sizeof(*list));
            if (!l) {
                ret = SV_ERR_NOMEM;
                goto fail;
            }
            list = l;
        }
        list[n++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    st = NULL;
    if (sv__cat_exec(cat, "COMMIT") < 0)
        goto fail;
    *ids = list;
    return (int)n;
fail:
    sqlite3_finalize(st);
    sv__cat_exec(cat, "ROLLBACK");
    free(list);
    return ret;
}

int sv__catalog_job_inputs_active(sv__catalog *cat, void (*fn)(void *opaque, const char *input),
                                  void *opaque)
{
    sqlite3_stmt *st;
    int rc;

    if (sv__cat_prepare(cat, "SELECT input FROM jobs WHERE state IN ('queued', 'running')",
                        &st) < 0)
        return SV_ERR_IO;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        fn(opaque, (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : SV_ERR_IO;
}

int sv__catalog_job_counts(sv__catalog *cat, int64_t *counts)
{
    sqlite3_stmt *st;

    memset(counts, 0, sizeof(*counts) * SV__JOB_NB);
    if (sv__cat_prepare(cat, "SELECT state, count(*) FROM jobs GROUP BY state", &st) < 0)
        return SV_ERR_IO;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int s = state_parse((const char *)sqlite3_column_text(st, 0));
        if (s >= 0)
            counts[s] = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return 0;
}
