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

#define JOB_COLUMNS "id, title_id, state, attempts, input_owned, input, coalesce(worker, '')"

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
        if (sv__pg_run(cat, "UPDATE jobs SET state = 'failed', finished = $1, lease_until = NULL,"
                            " error = " GAVE_UP
                            " WHERE id = $2", "ii", now, out->id) != 1 ||
            sv__pg_run(cat, "UPDATE titles SET status = 'failed' WHERE id = $1", "i",
                       out->title_id) < 0)
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
    return held(sv__pg_run(cat, "UPDATE jobs SET percent = $1, stage = $2 WHERE id = $3"
                                " AND state = 'running' AND worker = $4 AND attempts = $5",
                           "dsisi", percent, stage, job->id, job->worker,
                           (int64_t)job->attempts));
}

int sv__pg_job_fail(sv__catalog *cat, const sv__job_info *job, const char *reason)
{
    /* One statement: the job and its title change together or not at all. */
    PGresult *r = sv__pg_query(cat, "WITH j AS (UPDATE jobs SET state = 'failed', error = $1,"
                                    " finished = $2, lease_until = NULL WHERE id = $3"
                                    " AND state = 'running' AND worker = $4 AND attempts = $5"
                                    " RETURNING title_id)"
                                    " UPDATE titles SET status = 'failed' FROM j"
                                    " WHERE titles.id = j.title_id RETURNING titles.id",
                               "siisi", reason, sv__cat_now(), job->id, job->worker,
                               (int64_t)job->attempts);
    int n;

    if (!r)
        return SV_ERR_IO;
    n = PQntuples(r);
    PQclear(r);
    return n == 0 ? SV_ERR_STATE : 0;
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
    int n, ret = SV_ERR_IO;

    if (sv__pg_exec(cat, "BEGIN") < 0)
        return SV_ERR_IO;
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
    if (sv__pg_run(cat, "UPDATE titles SET status = 'ready', duration = $1, nb_thumbs = $2"
                        " WHERE id = $3", "dii", res->duration_s, (int64_t)res->nb_thumbs,
                   job->title_id) != 1)
        goto fail;
    if (sv__pg_exec(cat, "COMMIT") == 0)
        return 0;
fail:
    rollback(cat);
    return ret;
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
                                   " WHERE state = 'running' AND attempts >= $2"
                                   " AND coalesce(lease_until, 0) < " DB_NOW
                                   " RETURNING id, title_id),"
                                   " t AS (UPDATE titles SET status = 'failed' FROM f"
                                   " WHERE titles.id = f.title_id)"
                                   " SELECT id FROM f ORDER BY id",
                              "ii", sv__cat_now(), (int64_t)max_attempts)) ||
        sv__pg_run(cat, "UPDATE jobs SET state = 'queued', percent = 0, stage = '',"
                        " worker_pid = NULL, worker = NULL, lease_until = NULL"
                        " WHERE state = 'running' AND coalesce(lease_until, 0) < " DB_NOW,
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
    if (!(r = sv__pg_query(cat, "SELECT state, count(*) FROM jobs GROUP BY state", "")))
        return SV_ERR_IO;
    for (int i = 0; i < PQntuples(r); i++) {
        int s = state_parse(sv__pg_text(r, i, 0));

        if (s >= 0)
            counts[s] = sv__pg_int(r, i, 1);
    }
    PQclear(r);
    return 0;
}
