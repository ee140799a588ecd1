/*
 * catalog_pg_jobs.c - ingest jobs on PostgreSQL: creation, claims with a
 * lease (FOR UPDATE SKIP LOCKED), state changes, publishing a title and
 * start-up recovery. Same behaviour and JSON as catalog_sqlite_jobs.c.
 *
 * Leases are measured on the database's clock, so workers on machines whose
 * clocks disagree still agree on when a lease ran out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/catalog_pg.h"
#include "streamverse/common.h"

/* Whole seconds since the epoch on the database server. */
#define DB_NOW "floor(extract(epoch FROM clock_timestamp()))::bigint"

/* A running job whose worker is gone for start-up recovery: its lease ran
 * out, or it never had one; but not a split job waiting for its parts. */
#define GONE \
    "state = 'running' AND coalesce(lease_until, 0) < " DB_NOW \
    " AND NOT (parts > 1 AND lease_until IS NULL)"

#define JOB_COLUMNS \
    "id, title_id, state, attempts, input_owned, input, coalesce(worker, '')," \
    " coalesce(parent_id, 0), coalesce(part, 0), parts"

/* The reason of a job given up because its worker died max-attempts times. */
#define GAVE_UP "'the worker died ' || attempts ||" \
                " CASE attempts WHEN 1 THEN ' time' ELSE ' times' END || '; giving up'"

static int state_parse(const char *s)
{
    for (int i = 0; i < SV__JOB_NB; i++)
        if (!strcmp(s, sv__job_state_name(i)))
            return i;
    return -1;
}

static void job_row(const PGresult *r, sv__job_info *out)
{
    memset(out, 0, sizeof(*out));
    out->id = sv__pg_int(r, 0, 0);
    out->title_id = sv__pg_int(r, 0, 1);
    out->state = state_parse(sv__pg_text(r, 0, 2));
    out->attempts = (int)sv__pg_int(r, 0, 3);
    out->input_owned = (int)sv__pg_int(r, 0, 4);
    snprintf(out->input, sizeof(out->input), "%s", sv__pg_text(r, 0, 5));
    snprintf(out->worker, sizeof(out->worker), "%s", sv__pg_text(r, 0, 6));
    out->parent_id = sv__pg_int(r, 0, 7);
    out->part = (int)sv__pg_int(r, 0, 8);
    out->parts = (int)sv__pg_int(r, 0, 9);
}

/* The held claim of a statement's $1 (id), $2 (worker), $3 (attempts). */
#define HELD "id = $1 AND state = 'running' AND worker = $2 AND attempts = $3"

/* Fails the rest of a job's family (inside a transaction): the job and
 * its title, and for a part the job it belongs to and its other parts. */
static int fail_family(sv__catalog *cat, const sv__job_info *job, const char *reason)
{
    int64_t head = job->parent_id ? job->parent_id : job->id;

    if (sv__pg_run(cat, "UPDATE jobs SET state = 'failed', error = $1, finished = $2,"
                        " lease_until = NULL WHERE (id = $3 OR id = $4 OR parent_id = $4)"
                        " AND state IN ('queued', 'running')", "siii", reason, sv__cat_now(),
                   job->id, head) < 0 ||
        sv__pg_run(cat, "UPDATE titles SET status = 'failed' WHERE id = $1", "i",
                   job->title_id) < 0)
        return SV_ERR_IO;
    return 0;
}

/* Locks a split job's row: the transactions that finish or fail its parts
 * take it first, one at a time, so the last part sees every other one. */
static int lock_parent(sv__catalog *cat, int64_t parent_id)
{
    PGresult *r;

    if (!parent_id)
        return 0;
    if (!(r = sv__pg_query(cat, "SELECT id FROM jobs WHERE id = $1 FOR UPDATE", "i", parent_id)))
        return SV_ERR_IO;
    PQclear(r);
    return 0;
}

/* Ends a transaction that failed; the error of the failed statement stays
 * in errmsg (ROLLBACK's own outcome does not matter: a broken connection
 * aborts the transaction anyway). */
static void rollback(sv__catalog *cat)
{
    char msg[sizeof(cat->errmsg)], state[sizeof(cat->sqlstate)];

    memcpy(msg, cat->errmsg, sizeof(msg));
    memcpy(state, cat->sqlstate, sizeof(state));
    sv__pg_exec(cat, "ROLLBACK");
    memcpy(cat->errmsg, msg, sizeof(msg));
    memcpy(cat->sqlstate, state, sizeof(state));
}

int sv__pg_job_create(sv__catalog *cat, int64_t title_id, const char *input, int input_owned,
                      int64_t *job_id)
{
    PGresult *r = sv__pg_query(cat, "INSERT INTO jobs (title_id, input, input_owned, created)"
                                    " VALUES ($1, $2, $3, $4) RETURNING id",
                               "isii", title_id, input, (int64_t)input_owned, sv__cat_now());

    if (!r)
        return SV_ERR_IO;
    *job_id = sv__pg_int(r, 0, 0);
    PQclear(r);
    return 0;
}

json_t *sv__pg_job_json(sv__catalog *cat, int64_t job_id, int *err)
{
    PGresult *r = sv__pg_query(cat, "SELECT id, title_id, state, percent, stage, error, attempts,"
                                    " created FROM jobs WHERE id = $1", "i", job_id);
    json_t *j = NULL;
    char created[32];

    *err = SV_ERR_IO;
    if (!r)
        return NULL;
    if (PQntuples(r) == 0) {
        *err = SV_ERR_NOT_FOUND;
        goto out;
    }
    sv__cat_iso8601(sv__pg_int(r, 0, 7), created, sizeof(created));
    j = json_pack("{s:I,s:I,s:s,s:f,s:s,s:s?,s:i,s:s}", "id", (json_int_t)sv__pg_int(r, 0, 0),
                  "title_id", (json_int_t)sv__pg_int(r, 0, 1), "state", sv__pg_text(r, 0, 2),
                  "percent", sv__pg_double(r, 0, 3), "stage", sv__pg_text(r, 0, 4), "error",
                  sv__pg_null(r, 0, 5) ? NULL : sv__pg_text(r, 0, 5), "attempts",
                  (int)sv__pg_int(r, 0, 6), "created", created);
    *err = j ? 0 : SV_ERR_NOMEM;
out:
    PQclear(r);
    return j;
}

int sv__pg_job_get(sv__catalog *cat, int64_t job_id, sv__job_info *out)
{
    PGresult *r = sv__pg_query(cat, "SELECT " JOB_COLUMNS " FROM jobs WHERE id = $1", "i",
                               job_id);
    int ret = SV_ERR_NOT_FOUND;

    if (!r)
        return SV_ERR_IO;
    if (PQntuples(r) == 1) {
        job_row(r, out);
        ret = 0;
    }
    PQclear(r);
    return ret;
}

int sv__pg_job_claim(sv__catalog *cat, int64_t job_id, const sv__job_claim_args *c,
                     sv__job_info *out)
{
    PGresult *r = NULL;
    int64_t now = sv__cat_now();

    if (sv__pg_exec(cat, "BEGIN") < 0)
        return SV_ERR_IO;
    /* SKIP LOCKED: a row another worker is claiming right now is not
     * waited for; this claim takes the next one. */
    r = sv__pg_query(cat, "SELECT " JOB_COLUMNS " FROM jobs WHERE (state = 'queued' OR"
                          " (state = 'running' AND lease_until < " DB_NOW "))"
                          " AND ($1::bigint = 0 OR id = $1::bigint)"
                          " ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED", "i", job_id);
    if (!r)
        goto fail;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return sv__pg_exec(cat, "COMMIT") < 0 ? SV_ERR_IO : 0;
    }
    job_row(r, out);
    PQclear(r);
    if (out->state == SV__JOB_RUNNING && out->attempts >= c->max_attempts) {
        /* Its lease ran out: the worker died, once too often. */
        char reason[96];

        snprintf(reason, sizeof(reason), "the worker died %d time%s; giving up", out->attempts,
                 out->attempts == 1 ? "" : "s");
        if (fail_family(cat, out, reason) < 0)
            goto fail;
        out->state = SV__JOB_FAILED;
    } else {
        if (sv__pg_run(cat, "UPDATE jobs SET state = 'running', attempts = attempts + 1,"
                            " worker = $1, worker_pid = $2, lease_until = " DB_NOW " + $3,"
                            " started = $4, percent = 0, stage = 'queued', error = NULL"
                            " WHERE id = $5", "siiii", c->worker, (int64_t)c->pid,
                       (int64_t)c->lease_s, now, out->id) != 1)
            goto fail;
        out->state = SV__JOB_RUNNING;
        out->attempts++;
        snprintf(out->worker, sizeof(out->worker), "%s", c->worker);
    }
    if (sv__pg_exec(cat, "COMMIT") < 0)
        goto fail;
    return 1;
fail:
    rollback(cat);
    return SV_ERR_IO;
}

/* n rows changed by a statement that tests the claim: 0 means it is lost. */
static int held(int n)
{
    return n < 0 ? n : n == 0 ? SV_ERR_STATE : 0;
}

int sv__pg_job_renew(sv__catalog *cat, const sv__job_info *job, int lease_s)
{
    return held(sv__pg_run(cat, "UPDATE jobs SET lease_until = " DB_NOW " + $1 WHERE id = $2"
                                " AND state = 'running' AND worker = $3 AND attempts = $4",
                           "iisi", (int64_t)lease_s, job->id, job->worker,
                           (int64_t)job->attempts));
}

int sv__pg_job_progress(sv__catalog *cat, const sv__job_info *job, double percent,
                        const char *stage)
{
    int r = held(sv__pg_run(cat, "UPDATE jobs SET percent = $1, stage = $2 WHERE id = $3"
                                 " AND state = 'running' AND worker = $4 AND attempts = $5",
                            "dsisi", percent, stage, job->id, job->worker,
                            (int64_t)job->attempts));

    /* A split job shows how far its parts are, on average. */
    if (r == 0 && job->parent_id &&
        sv__pg_run(cat, "UPDATE jobs SET percent = (SELECT avg(percent) FROM jobs"
                        " WHERE parent_id = $1) WHERE id = $1 AND state = 'running'", "i",
                   job->parent_id) < 0)
        r = SV_ERR_IO;
    return r;
}

int sv__pg_job_fail(sv__catalog *cat, const sv__job_info *job, const char *reason)
{
    int n;

    if (sv__pg_exec(cat, "BEGIN") < 0)
        return SV_ERR_IO;
    if (lock_parent(cat, job->parent_id) < 0)
        goto fail;
    n = sv__pg_run(cat, "UPDATE jobs SET state = 'failed', error = $4, finished = $5,"
                        " lease_until = NULL WHERE " HELD, "isisi", job->id, job->worker,
                   (int64_t)job->attempts, reason, sv__cat_now());
    if (n == 0) {
        sv__pg_exec(cat, "ROLLBACK");
        return SV_ERR_STATE;
    }
    if (n < 0 || fail_family(cat, job, reason) < 0 || sv__pg_exec(cat, "COMMIT") < 0)
        goto fail;
    return 0;
fail:
    rollback(cat);
    return SV_ERR_IO;
}

int sv__pg_job_requeue(sv__catalog *cat, const sv__job_info *job)
{
    return held(sv__pg_run(cat, "UPDATE jobs SET state = 'queued', percent = 0, stage = '',"
                                " worker_pid = NULL, worker = NULL, lease_until = NULL,"
                                " attempts = greatest(attempts - 1, 0) WHERE id = $1"
                                " AND state = 'running' AND worker = $2 AND attempts = $3",
                           "isi", job->id, job->worker, (int64_t)job->attempts));
}

int sv__pg_publish(sv__catalog *cat, const sv__job_info *job, const sv__media_result *res)
{
    char *ladder = sv__cat_ladder_text(res);
    int n, ret = SV_ERR_IO;

    if (sv__pg_exec(cat, "BEGIN") < 0) {
        free(ladder);
        return SV_ERR_IO;
    }
    n = sv__pg_run(cat, "UPDATE jobs SET state = 'done', percent = 100, stage = 'done',"
                        " finished = $1, transcode_s = $2, lease_until = NULL WHERE id = $3"
                        " AND state = 'running' AND worker = $4 AND attempts = $5",
                   "idisi", sv__cat_now(), res->transcode_s, job->id, job->worker,
                   (int64_t)job->attempts);
    if (n != 1) {
        ret = n == 0 ? SV_ERR_STATE : SV_ERR_IO;
        goto fail;
    }
    if (sv__pg_run(cat, "DELETE FROM renditions WHERE title_id = $1", "i", job->title_id) < 0)
        goto fail;
    for (int i = 0; i < res->nb_renditions; i++) {
        const sv__rendition_info *r = &res->renditions[i];

        if (sv__pg_run(cat, "INSERT INTO renditions (title_id, kind, name, width, height,"
                            " bandwidth, average_bandwidth, codecs, frame_rate, nb_segments)"
                            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)", "issiiiisdi",
                       job->title_id, r->kind, r->name, (int64_t)r->width, (int64_t)r->height,
                       r->bandwidth, r->average_bandwidth, r->codecs, r->frame_rate,
                       (int64_t)r->nb_segments) != 1)
            goto fail;
    }
    if (sv__pg_run(cat, "UPDATE titles SET status = 'ready', duration = $1, nb_thumbs = $2,"
                        " ladder = $3 WHERE id = $4", "disi", res->duration_s,
                   (int64_t)res->nb_thumbs, ladder, job->title_id) != 1)
        goto fail;
    if (sv__pg_exec(cat, "COMMIT") == 0) {
        free(ladder);
        return 0;
    }
fail:
    free(ladder);
    rollback(cat);
    return ret;
}

int sv__pg_title_ladder(sv__catalog *cat, int64_t title_id, char **json_text)
{
    PGresult *r = sv__pg_query(cat, "SELECT ladder FROM titles WHERE id = $1", "i", title_id);
    int ret = SV_ERR_NOT_FOUND;

    if (!r)
        return SV_ERR_IO;
    if (PQntuples(r) == 1) {
        ret = 0;
        if (!sv__pg_null(r, 0, 0) && !(*json_text = strdup(sv__pg_text(r, 0, 0))))
            ret = SV_ERR_NOMEM;
    }
    PQclear(r);
    return ret;
}

int sv__pg_job_split(sv__catalog *cat, const sv__job_info *job, int parts)
{
    int n;

    if (sv__pg_exec(cat, "BEGIN") < 0)
        return SV_ERR_IO;
    /* The claim is handed back (that attempt does not count) and the job
     * waits, running without a worker or lease, for its parts. */
    n = sv__pg_run(cat, "UPDATE jobs SET parts = $4, worker = NULL, worker_pid = NULL,"
                        " lease_until = NULL, attempts = greatest(attempts - 1, 0),"
                        " stage = 'transcode', percent = 0 WHERE " HELD " AND parent_id IS NULL",
                   "isii", job->id, job->worker, (int64_t)job->attempts, (int64_t)parts);
    if (n == 0) {
        sv__pg_exec(cat, "ROLLBACK");
        return SV_ERR_STATE;
    }
    if (n < 0 ||
        sv__pg_run(cat, "INSERT INTO jobs (title_id, input, input_owned, created, parent_id, part,"
                        " parts) SELECT $1::bigint, $2::text, 0, $3::bigint, $4::bigint, k,"
                        " $5::int FROM generate_series(0, $5::int - 1) k",
                   "isiii", job->title_id, job->input, sv__cat_now(), job->id,
                   (int64_t)parts) != parts ||
        sv__pg_exec(cat, "COMMIT") < 0) {
        rollback(cat);
        return SV_ERR_IO;
    }
    return 0;
}

int sv__pg_job_part_done(sv__catalog *cat, const sv__job_info *part, const char *output,
                         int lease_s, sv__job_info *parent)
{
    PGresult *r;
    int n, left;

    if (sv__pg_exec(cat, "BEGIN") < 0)
        return SV_ERR_IO;
    if (lock_parent(cat, part->parent_id) < 0)
        goto fail;
    n = sv__pg_run(cat, "UPDATE jobs SET state = 'done', percent = 100, stage = 'done',"
                        " output = $4, finished = $5, lease_until = NULL WHERE " HELD, "isisi",
                   part->id, part->worker, (int64_t)part->attempts, output, sv__cat_now());
    if (n == 0) {
        sv__pg_exec(cat, "ROLLBACK");
        return SV_ERR_STATE;
    }
    if (n < 0 || !(r = sv__pg_query(cat, "SELECT count(*) FROM jobs WHERE parent_id = $1"
                                         " AND state <> 'done'", "i", part->parent_id)))
        goto fail;
    left = (int)sv__pg_int(r, 0, 0);
    PQclear(r);
    /* The last part: the caller claims the job itself to put the parts
     * together. */
    if (left == 0 &&
        (sv__pg_run(cat, "UPDATE jobs SET worker = $1, attempts = attempts + 1,"
                         " worker_pid = (SELECT worker_pid FROM jobs WHERE id = $2),"
                         " lease_until = " DB_NOW " + $3, stage = 'package', percent = 96"
                         " WHERE id = $4 AND state = 'running' AND lease_until IS NULL",
                    "siii", part->worker, part->id, (int64_t)lease_s, part->parent_id) != 1 ||
         sv__pg_job_get(cat, part->parent_id, parent) < 0))
        goto fail;
    if (sv__pg_exec(cat, "COMMIT") < 0)
        goto fail;
    return left == 0;
fail:
    rollback(cat);
    return SV_ERR_IO;
}

int sv__pg_job_parts(sv__catalog *cat, int64_t job_id, sv__job_part *out, int cap)
{
    PGresult *r = sv__pg_query(cat, "SELECT part, state, coalesce(output, '') FROM jobs"
                                    " WHERE parent_id = $1 ORDER BY part", "i", job_id);
    int n;

    if (!r)
        return SV_ERR_IO;
    for (n = 0; n < PQntuples(r) && n < cap; n++) {
        out[n].part = (int)sv__pg_int(r, n, 0);
        out[n].state = state_parse(sv__pg_text(r, n, 1));
        snprintf(out[n].output, sizeof(out[n].output), "%s", sv__pg_text(r, n, 2));
    }
    PQclear(r);
    return n;
}

/*
 * Workers live on other machines: a pid says nothing here, only the lease
 * does. Running jobs whose lease ran out (or that never had one) go back to
 * the queue, or fail once their worker died max_attempts times; jobs under
 * a live lease are left to their worker.
 */
int sv__pg_recover(sv__catalog *cat, int self_pid, int max_attempts, sv__job_gave_up_fn gave_up,
                   void *opaque, int64_t **ids)
{
    PGresult *r = NULL, *dead = NULL;
    int64_t *list = NULL;
    int n;

    (void)self_pid;
    *ids = NULL;
    if (sv__pg_exec(cat, "BEGIN") < 0)
        return SV_ERR_IO;
    if (!(dead = sv__pg_query(cat, "WITH f AS (UPDATE jobs SET state = 'failed', finished = $1,"
                                   " lease_until = NULL,"
                                   " error = " GAVE_UP
                                   " WHERE " GONE " AND attempts >= $2"
                                   " RETURNING id, title_id, coalesce(parent_id, 0), error),"
                                   " t AS (UPDATE titles SET status = 'failed' FROM f"
                                   " WHERE titles.id = f.title_id)"
                                   " SELECT * FROM f ORDER BY id",
                              "ii", sv__cat_now(), (int64_t)max_attempts)))
        goto fail;
    for (int i = 0; i < PQntuples(dead); i++) {
        sv__job_info part = {.id = sv__pg_int(dead, i, 0), .title_id = sv__pg_int(dead, i, 1),
                             .parent_id = sv__pg_int(dead, i, 2)};

        if (part.parent_id && fail_family(cat, &part, sv__pg_text(dead, i, 3)) < 0)
            goto fail;
    }
    if (sv__pg_run(cat, "UPDATE jobs SET state = 'queued', percent = 0, stage = '',"
                        " worker_pid = NULL, worker = NULL, lease_until = NULL WHERE " GONE,
                   "") < 0 ||
        !(r = sv__pg_query(cat, "SELECT id FROM jobs WHERE state = 'queued' ORDER BY id", "")))
        goto fail;
    n = PQntuples(r);
    if (n > 0 && !(list = malloc((size_t)n * sizeof(*list)))) {
        PQclear(r);
        PQclear(dead);
        rollback(cat);
        return SV_ERR_NOMEM;
    }
    for (int i = 0; i < n; i++)
        list[i] = sv__pg_int(r, i, 0);
    PQclear(r);
    if (sv__pg_exec(cat, "COMMIT") < 0) {
        free(list);
        goto fail;
    }
    for (int i = 0; i < PQntuples(dead) && gave_up; i++) {
        sv__job_info info;

        if (sv__pg_job_get(cat, sv__pg_int(dead, i, 0), &info) == 0)
            gave_up(opaque, &info);
    }
    PQclear(dead);
    *ids = list;
    return n;
fail:
    PQclear(dead);
    rollback(cat);
    return SV_ERR_IO;
}

int sv__pg_job_inputs_active(sv__catalog *cat, void (*fn)(void *opaque, const char *input),
                             void *opaque)
{
    PGresult *r = sv__pg_query(cat, "SELECT input FROM jobs WHERE state IN ('queued', 'running')",
                               "");

    if (!r)
        return SV_ERR_IO;
    for (int i = 0; i < PQntuples(r); i++)
        fn(opaque, sv__pg_text(r, i, 0));
    PQclear(r);
    return 0;
}

int sv__pg_job_counts(sv__catalog *cat, int64_t *counts)
{
    PGresult *r;

    memset(counts, 0, sizeof(*counts) * SV__JOB_NB);
    /* Jobs as uploaded: the parts of split ones are not counted again. */
    if (!(r = sv__pg_query(cat, "SELECT state, count(*) FROM jobs WHERE parent_id IS NULL"
                                " GROUP BY state", "")))
        return SV_ERR_IO;
    for (int i = 0; i < PQntuples(r); i++) {
        int s = state_parse(sv__pg_text(r, i, 0));

        if (s >= 0)
            counts[s] = sv__pg_int(r, i, 1);
    }
    PQclear(r);
    return 0;
}
