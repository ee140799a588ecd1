/*
 * catalog_sqlite_jobs.c - ingest jobs on SQLite: creation, claims with a
 * lease, state changes, publishing a title and start-up recovery.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/catalog_sqlite.h"
#include "streamverse/common.h"

/* The reason of a job given up because its worker died max-attempts times. */
static void gave_up_reason(char *out, size_t cap, int attempts)
{
    snprintf(out, cap, "the worker died %d time%s; giving up", attempts, attempts == 1 ? "" : "s");
}

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

int sv__sqlite_job_create(sv__catalog *cat, int64_t title_id, const char *input,
                           int input_owned, int64_t *job_id)
{
    if (run(cat, "INSERT INTO jobs (title_id, input, input_owned, created) VALUES (?, ?, ?, ?)",
            "isii", title_id, input, (int64_t)input_owned, sv__cat_now()) != 1)
        return SV_ERR_IO;
    *job_id = sqlite3_last_insert_rowid(cat->db);
    return 0;
}

json_t *sv__sqlite_job_json(sv__catalog *cat, int64_t job_id, int *err)
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

static void job_row(sqlite3_stmt *st, sv__job_info *out)
{
    const char *worker = (const char *)sqlite3_column_text(st, 6);

    memset(out, 0, sizeof(*out));
    out->id = sqlite3_column_int64(st, 0);
    out->title_id = sqlite3_column_int64(st, 1);
    out->state = state_parse((const char *)sqlite3_column_text(st, 2));
    out->attempts = sqlite3_column_int(st, 3);
    out->input_owned = sqlite3_column_int(st, 4);
    snprintf(out->input, sizeof(out->input), "%s", (const char *)sqlite3_column_text(st, 5));
    snprintf(out->worker, sizeof(out->worker), "%s", worker ? worker : "");
    out->parent_id = sqlite3_column_int64(st, 7);
    out->part = sqlite3_column_int(st, 8);
    out->parts = sqlite3_column_int(st, 9);
}

#define JOB_COLUMNS \
    "id, title_id, state, attempts, input_owned, input, worker, coalesce(parent_id, 0)," \
    " coalesce(part, 0), parts"

int sv__sqlite_job_get(sv__catalog *cat, int64_t job_id, sv__job_info *out)
{
    sqlite3_stmt *st;
    int rc, ret = SV_ERR_IO;

    if (sv__cat_prepare(cat, "SELECT " JOB_COLUMNS " FROM jobs WHERE id = ?", &st) < 0)
        return SV_ERR_IO;
    sqlite3_bind_int64(st, 1, job_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        job_row(st, out);
        ret = 0;
    } else if (rc == SQLITE_DONE) {
        ret = SV_ERR_NOT_FOUND;
    }
    sqlite3_finalize(st);
    return ret;
}

/* The claim test of every statement that changes a running job: this job,
 * still running under the same worker and attempt. */
#define HELD " id = ? AND state = 'running' AND worker = ? AND attempts = ?"

/* Fails a job (already checked to be the caller's, or given up) and its
 * title; for a part, the job it belongs to and its other parts too. */
static int fail_family(sv__catalog *cat, const sv__job_info *job, const char *reason, int64_t now)
{
    int64_t head = job->parent_id ? job->parent_id : job->id;

    if (run(cat, "UPDATE jobs SET state = 'failed', error = ?, finished = ?, lease_until = NULL"
                 " WHERE (id = ? OR id = ? OR parent_id = ?) AND state IN ('queued', 'running')",
            "siiii", reason, now, job->id, head, head) < 1 ||
        run(cat, "UPDATE titles SET status = 'failed' WHERE id = ?", "i", job->title_id) < 0)
        return SV_ERR_IO;
    return 0;
}

int sv__sqlite_job_claim(sv__catalog *cat, int64_t job_id, const sv__job_claim_args *c,
                         sv__job_info *out)
{
    sqlite3_stmt *st = NULL;
    int64_t now = sv__cat_now();
    int rc, ret = SV_ERR_IO;

    /* BEGIN IMMEDIATE takes the write lock first: no other claimer reads
     * the same row between our SELECT and UPDATE. */
    if (sv__cat_exec(cat, "BEGIN IMMEDIATE") < 0)
        return SV_ERR_IO;
    if (sv__cat_prepare(cat, "SELECT " JOB_COLUMNS " FROM jobs WHERE (state = 'queued' OR"
                             " (state = 'running' AND lease_until < ?)) AND (? = 0 OR id = ?)"
                             " ORDER BY id LIMIT 1", &st) < 0)
        goto fail;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, job_id);
    sqlite3_bind_int64(st, 3, job_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_finalize(st);
        return sv__cat_exec(cat, "COMMIT") < 0 ? SV_ERR_IO : 0;
    }
    if (rc != SQLITE_ROW)
        goto fail;
    job_row(st, out);
    sqlite3_finalize(st);
    st = NULL;
    if (out->state == SV__JOB_RUNNING && out->attempts >= c->max_attempts) {
        /* Its lease ran out: the worker died, once too often. */
        char reason[96];

        gave_up_reason(reason, sizeof(reason), out->attempts);
        if (fail_family(cat, out, reason, now) < 0)
            goto fail;
        out->state = SV__JOB_FAILED;
    } else {
        if (run(cat, "UPDATE jobs SET state = 'running', attempts = attempts + 1, worker = ?,"
                     " worker_pid = ?, lease_until = ?, started = ?, percent = 0,"
                     " stage = 'queued', error = NULL WHERE id = ?",
                "siiii", c->worker, (int64_t)c->pid, now + c->lease_s, now, out->id) != 1)
            goto fail;
        out->state = SV__JOB_RUNNING;
        out->attempts++;
        snprintf(out->worker, sizeof(out->worker), "%s", c->worker);
    }
    if (sv__cat_exec(cat, "COMMIT") < 0)
        goto fail;
    return 1;
fail:
    sqlite3_finalize(st);
    sv__cat_exec(cat, "ROLLBACK");
    return ret;
}

/* n rows changed by a statement guarded by HELD: 0 means the claim is lost. */
static int held(int n)
{
    return n < 0 ? n : n == 0 ? SV_ERR_STATE : 0;
}

int sv__sqlite_job_renew(sv__catalog *cat, const sv__job_info *job, int lease_s)
{
    return held(run(cat, "UPDATE jobs SET lease_until = ? WHERE" HELD, "iisi",
                    sv__cat_now() + lease_s, job->id, job->worker, (int64_t)job->attempts));
}

int sv__sqlite_job_progress(sv__catalog *cat, const sv__job_info *job, double percent,
                            const char *stage)
{
    int r = held(run(cat, "UPDATE jobs SET percent = ?, stage = ? WHERE" HELD, "dsisi", percent,
                     stage, job->id, job->worker, (int64_t)job->attempts));

    /* A split job shows how far its parts are, on average. */
    if (r == 0 && job->parent_id &&
        run(cat, "UPDATE jobs SET percent = (SELECT avg(percent) FROM jobs WHERE parent_id = ?)"
                 " WHERE id = ? AND state = 'running'", "ii", job->parent_id,
            job->parent_id) < 0)
        r = SV_ERR_IO;
    return r;
}

int sv__sqlite_job_fail(sv__catalog *cat, const sv__job_info *job, const char *reason)
{
    int64_t now = sv__cat_now();
    int n;

    if (sv__cat_exec(cat, "BEGIN IMMEDIATE") < 0)
        return SV_ERR_IO;
    n = run(cat, "UPDATE jobs SET state = 'failed', error = ?, finished = ?, lease_until = NULL"
                 " WHERE" HELD, "siisi", reason, now, job->id, job->worker,
            (int64_t)job->attempts);
    if (n != 1)
        goto fail;
    if ((job->parent_id && fail_family(cat, job, reason, now) < 0) ||
        run(cat, "UPDATE titles SET status = 'failed' WHERE id = ?", "i", job->title_id) < 0)
        goto fail;
    if (sv__cat_exec(cat, "COMMIT") == 0)
        return 0;
    n = SV_ERR_IO;
fail:
    sv__cat_exec(cat, "ROLLBACK");
    return n == 0 ? SV_ERR_STATE : SV_ERR_IO;
}

int sv__sqlite_job_requeue(sv__catalog *cat, const sv__job_info *job)
{
    return held(run(cat, "UPDATE jobs SET state = 'queued', percent = 0, stage = '',"
                         " worker_pid = NULL, worker = NULL, lease_until = NULL,"
                         " attempts = max(attempts - 1, 0) WHERE" HELD, "isi",
                    job->id, job->worker, (int64_t)job->attempts));
}

int sv__sqlite_publish(sv__catalog *cat, const sv__job_info *job, const sv__media_result *res)
{
    char *ladder = sv__cat_ladder_text(res);
    int n;

    if (sv__cat_exec(cat, "BEGIN IMMEDIATE") < 0) {
        free(ladder);
        return SV_ERR_IO;
    }
    n = run(cat, "UPDATE jobs SET state = 'done', percent = 100, stage = 'done', finished = ?,"
                 " transcode_s = ?, lease_until = NULL WHERE" HELD, "idisi", sv__cat_now(),
            res->transcode_s, job->id, job->worker, (int64_t)job->attempts);
    if (n != 1)
        goto fail;
    n = SV_ERR_IO;
    if (run(cat, "DELETE FROM renditions WHERE title_id = ?", "i", job->title_id) < 0)
        goto fail;
    for (int i = 0; i < res->nb_renditions; i++) {
        const sv__rendition_info *r = &res->renditions[i];

        if (run(cat, "INSERT INTO renditions (title_id, kind, name, width, height, bandwidth,"
                     " average_bandwidth, codecs, frame_rate, nb_segments)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "issiiiisdi", job->title_id,
                r->kind, r->name, (int64_t)r->width, (int64_t)r->height, r->bandwidth,
                r->average_bandwidth, r->codecs, r->frame_rate, (int64_t)r->nb_segments) != 1)
            goto fail;
    }
    if (run(cat, "UPDATE titles SET status = 'ready', duration = ?, nb_thumbs = ?, ladder = ?"
                 " WHERE id = ?", "disi", res->duration_s, (int64_t)res->nb_thumbs, ladder,
            job->title_id) != 1)
        goto fail;
    if (sv__cat_exec(cat, "COMMIT") == 0) {
        free(ladder);
        return 0;
    }
fail:
    free(ladder);
    sv__cat_exec(cat, "ROLLBACK");
    return n == 0 ? SV_ERR_STATE : SV_ERR_IO;
}

int sv__sqlite_title_ladder(sv__catalog *cat, int64_t title_id, char **json_text)
{
    sqlite3_stmt *st;
    int ret = SV_ERR_NOT_FOUND;

    if (sv__cat_prepare(cat, "SELECT ladder FROM titles WHERE id = ?", &st) < 0)
        return SV_ERR_IO;
    sqlite3_bind_int64(st, 1, title_id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(st, 0);

        ret = 0;
        if (text && !(*json_text = strdup(text)))
            ret = SV_ERR_NOMEM;
    }
    sqlite3_finalize(st);
    return ret;
}

int sv__sqlite_job_split(sv__catalog *cat, const sv__job_info *job, int parts)
{
    int64_t now = sv__cat_now();
    int n;

    if (sv__cat_exec(cat, "BEGIN IMMEDIATE") < 0)
        return SV_ERR_IO;
    /* The claim is handed back (that attempt does not count) and the job
     * waits, running without a worker or lease, for its parts. */
    n = run(cat, "UPDATE jobs SET parts = ?, worker = NULL, worker_pid = NULL, lease_until = NULL,"
                 " attempts = max(attempts - 1, 0), stage = 'transcode', percent = 0"
                 " WHERE" HELD " AND parent_id IS NULL", "iisi", (int64_t)parts, job->id,
            job->worker, (int64_t)job->attempts);
    if (n != 1)
        goto fail;
    for (int k = 0; k < parts; k++)
        if (run(cat, "INSERT INTO jobs (title_id, input, input_owned, created, parent_id, part,"
                     " parts) VALUES (?, ?, 0, ?, ?, ?, ?)", "isiiii", job->title_id, job->input,
                now, job->id, (int64_t)k, (int64_t)parts) != 1) {
            n = SV_ERR_IO;
            goto fail;
        }
    if (sv__cat_exec(cat, "COMMIT") == 0)
        return 0;
    n = SV_ERR_IO;
fail:
    sv__cat_exec(cat, "ROLLBACK");
    return n == 0 ? SV_ERR_STATE : SV_ERR_IO;
}

int sv__sqlite_job_part_done(sv__catalog *cat, const sv__job_info *part, const char *output,
                             int lease_s, sv__job_info *parent)
{
    sqlite3_stmt *st = NULL;
    int64_t now = sv__cat_now();
    int n, left = -1;

    /* One writer at a time: the last part to finish sees no part left. */
    if (sv__cat_exec(cat, "BEGIN IMMEDIATE") < 0)
        return SV_ERR_IO;
    n = run(cat, "UPDATE jobs SET state = 'done', percent = 100, stage = 'done', output = ?,"
                 " finished = ?, lease_until = NULL WHERE" HELD, "siisi", output, now, part->id,
            part->worker, (int64_t)part->attempts);
    if (n != 1)
        goto fail;
    n = SV_ERR_IO;
    if (sv__cat_prepare(cat, "SELECT count(*) FROM jobs WHERE parent_id = ? AND state <> 'done'",
                        &st) < 0)
        goto fail;
    sqlite3_bind_int64(st, 1, part->parent_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        left = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (left < 0)
        goto fail;
    if (left == 0) {
        /* The caller claims the job itself to put the parts together. */
        if (run(cat, "UPDATE jobs SET worker = ?, worker_pid = (SELECT worker_pid FROM jobs"
                     " WHERE id = ?), attempts = attempts + 1, lease_until = ?,"
                     " stage = 'package', percent = 96 WHERE id = ? AND state = 'running'"
                     " AND lease_until IS NULL", "siii", part->worker, part->id, now + lease_s,
                part->parent_id) != 1 ||
            sv__sqlite_job_get(cat, part->parent_id, parent) < 0)
            goto fail;
    }
    if (sv__cat_exec(cat, "COMMIT") < 0)
        goto fail;
    return left == 0;
fail:
    sv__cat_exec(cat, "ROLLBACK");
    return n == 0 ? SV_ERR_STATE : SV_ERR_IO;
}

int sv__sqlite_job_parts(sv__catalog *cat, int64_t job_id, sv__job_part *out, int cap)
{
    sqlite3_stmt *st;
    int n = 0, rc;

    if (sv__cat_prepare(cat, "SELECT part, state, coalesce(output, '') FROM jobs"
                             " WHERE parent_id = ? ORDER BY part", &st) < 0)
        return SV_ERR_IO;
    sqlite3_bind_int64(st, 1, job_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < cap) {
        out[n].part = sqlite3_column_int(st, 0);
        out[n].state = state_parse((const char *)sqlite3_column_text(st, 1));
        snprintf(out[n].output, sizeof(out[n].output), "%s",
                 (const char *)sqlite3_column_text(st, 2));
        n++;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? n : SV_ERR_IO;
}

/* Is the process that claimed a job gone? Our own pid counts as gone: a
 * previous run that got the same pid cannot be running any more. */
static int owner_gone(int64_t pid, int self_pid)
{
    if (pid <= 0 || pid == self_pid)
        return 1;
    return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

/* Appends v to a growing list. */
static int push(int64_t **list, size_t *n, size_t *cap, int64_t v)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 8;
        int64_t *l = realloc(*list, c * sizeof(*l));

        if (!l)
            return SV_ERR_NOMEM;
        *list = l;
        *cap = c;
    }
    (*list)[(*n)++] = v;
    return 0;
}

int sv__sqlite_recover(sv__catalog *cat, int self_pid, int max_attempts,
                       sv__job_gave_up_fn gave_up, void *opaque, int64_t **ids)
{
    sqlite3_stmt *st = NULL;
    int64_t *list = NULL, *dead = NULL, now = sv__cat_now();
    size_t n = 0, cap = 0, nb_dead = 0, dead_cap = 0;
    int ret = SV_ERR_IO;

    *ids = NULL;
    if (sv__cat_exec(cat, "BEGIN IMMEDIATE") < 0)
        return SV_ERR_IO;
    /* A split job waiting for its parts (running, no lease) has no worker
     * to lose. */
    if (sv__cat_prepare(cat, "SELECT id, worker_pid, attempts, lease_until < ?, title_id,"
                             " coalesce(parent_id, 0) FROM jobs WHERE state = 'running'"
                             " AND NOT (parts > 1 AND lease_until IS NULL)", &st) < 0)
        goto fail;
    sqlite3_bind_int64(st, 1, now);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        int attempts = sqlite3_column_int(st, 2);

        /* A live worker_pid is an `svserver ingest` or `svserver worker`
         * on this data folder, still working unless its lease ran out. */
        if (!owner_gone(sqlite3_column_int64(st, 1), self_pid) && !sqlite3_column_int(st, 3))
            continue;
        if (attempts >= max_attempts) {
            sv__job_info job = {.id = id, .title_id = sqlite3_column_int64(st, 4),
                                .parent_id = sqlite3_column_int64(st, 5)};
            char reason[96];

            if ((ret = push(&dead, &nb_dead, &dead_cap, id)) < 0)
                goto fail;
            ret = SV_ERR_IO;
            gave_up_reason(reason, sizeof(reason), attempts);
            if (fail_family(cat, &job, reason, now) < 0)
                goto fail;
        } else if (run(cat, "UPDATE jobs SET state = 'queued', percent = 0, stage = '',"
                            " worker_pid = NULL, worker = NULL, lease_until = NULL WHERE id = ?",
                       "i", id) < 0) {
            goto fail;
        }
    }
    sqlite3_finalize(st);
    st = NULL;
    if (sv__cat_prepare(cat, "SELECT id FROM jobs WHERE state = 'queued' ORDER BY id", &st) < 0)
        goto fail;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if ((ret = push(&list, &n, &cap, sqlite3_column_int64(st, 0))) < 0)
            goto fail;
    }
    ret = SV_ERR_IO;
    sqlite3_finalize(st);
    st = NULL;
    if (sv__cat_exec(cat, "COMMIT") < 0)
        goto fail;
    for (size_t i = 0; i < nb_dead && gave_up; i++) {
        sv__job_info info;

        if (sv__sqlite_job_get(cat, dead[i], &info) == 0)
            gave_up(opaque, &info);
    }
    free(dead);
    *ids = list;
    return (int)n;
fail:
    sqlite3_finalize(st);
    sv__cat_exec(cat, "ROLLBACK");
    free(list);
    free(dead);
    return ret;
}

int sv__sqlite_job_inputs_active(sv__catalog *cat, void (*fn)(void *opaque, const char *input),
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

int sv__sqlite_job_counts(sv__catalog *cat, int64_t *counts)
{
    sqlite3_stmt *st;

    memset(counts, 0, sizeof(*counts) * SV__JOB_NB);
    /* Jobs as uploaded: the parts of split ones are not counted again. */
    if (sv__cat_prepare(cat, "SELECT state, count(*) FROM jobs WHERE parent_id IS NULL"
                             " GROUP BY state", &st) < 0)
        return SV_ERR_IO;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int s = state_parse((const char *)sqlite3_column_text(st, 0));
        if (s >= 0)
            counts[s] = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return 0;
}
