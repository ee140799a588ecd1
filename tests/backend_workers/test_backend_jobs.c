/*
 * Job claims on either catalog back end: with no argument on a fresh SQLite
 * file, with a postgresql:// URL on that (empty or disposable) database.
 * The same assertions run on both, so the back ends behave and answer
 * alike: claim order, a claim's identity fencing every change (renew,
 * progress, fail, requeue, publish), a lease that runs out and is taken
 * over, a job given up after max-attempts deaths (by a claim, and by
 * start-up recovery), start-up recovery by lease, jobs split into parts (the
 * last part's worker claims the job, a part's failure or give-up fails the
 * job), the job JSON byte for byte, and racing claimers each getting
 * distinct jobs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "backend/catalog_internal.h"
#include "tests/backend/catalog_testlib.h"
#include "platform/fs.h"
#include "platform/thread.h"
#include "streamverse/common.h"

static const char *pg_url; /* NULL: SQLite */

typedef struct fixture {
    char dir[256];
    sv__catalog *cat;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));

    test_catalog_dir(f->dir, sizeof(f->dir), "jobs");
    test_catalog_open(pg_url, f->dir, &f->cat);
    if (pg_url)
        test_sql(f->cat, "TRUNCATE jobs, renditions, titles RESTART IDENTITY CASCADE");
    test_sql(f->cat, "INSERT INTO titles (title, created) VALUES ('One', 0), ('Two', 0),"
                " ('Three', 0)");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    sv__catalog_close(f->cat);
    sv__remove_tree(f->dir);
    free(f);
    return 0;
}

static sv__job_claim_args worker(const char *name, int lease_s)
{
    sv__job_claim_args c = {name, 1 /* lives */, lease_s, 3};

    return c;
}

/* Claims until the lease of the job's current claim has run out (a lease of
 * 0 s runs out when the database's clock passes the next second). */
static int claim_after_expiry(sv__catalog *cat, int64_t job, const sv__job_claim_args *c,
                              sv__job_info *out)
{
    for (int i = 0; i < 40; i++) {
        int r = sv__catalog_job_claim(cat, job, c, out);

        if (r != 0)
            return r;
        sv__sleep_ns(100000000);
    }
    return 0;
}

static void test_json(void **state)
{
    fixture *f = *state;
    int64_t job;
    json_t *j;
    char *text, want[256], created[32];
    int err;

    assert_int_equal(sv__catalog_job_create(f->cat, 1, "/data/uploads/u1", 1, &job), 0);
    assert_int_equal(job, 1);
    j = sv__catalog_job_json(f->cat, job, &err);
    assert_non_null(j);
    snprintf(created, sizeof(created), "%s", json_string_value(json_object_get(j, "created")));
    assert_int_equal(strlen(created), 20);
    text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    snprintf(want, sizeof(want), "{\"attempts\":0,\"created\":\"%s\",\"error\":null,\"id\":1,"
             "\"percent\":0.0,\"stage\":\"\",\"state\":\"queued\",\"title_id\":1}", created);
    assert_string_equal(text, want);
    free(text);
    json_decref(j);
    assert_null(sv__catalog_job_json(f->cat, 99, &err));
    assert_int_equal(err, SV_ERR_NOT_FOUND);
}

static void test_claim_order_and_fencing(void **state)
{
    fixture *f = *state;
    sv__job_claim_args a = worker("host-a:10", 30), b = worker("host-b:20", 30);
    sv__job_info ja, jb, stale, info;
    sv__media_result res;
    int64_t j1, j2, j3, counts[SV__JOB_NB];
    char v[64];
    json_t *j;
    int err;

    assert_int_equal(sv__catalog_job_create(f->cat, 1, "/in1", 0, &j1), 0);
    assert_int_equal(sv__catalog_job_create(f->cat, 2, "/in2", 1, &j2), 0);
    assert_int_equal(sv__catalog_job_create(f->cat, 3, "/in3", 0, &j3), 0);
    /* Oldest first, each once. */
    assert_int_equal(sv__catalog_job_claim(f->cat, 0, &a, &ja), 1);
    assert_int_equal(ja.id, j1);
    assert_int_equal(ja.state, SV__JOB_RUNNING);
    assert_int_equal(ja.attempts, 1);
    assert_string_equal(ja.worker, "host-a:10");
    assert_string_equal(ja.input, "/in1");
    assert_int_equal(sv__catalog_job_claim(f->cat, 0, &b, &jb), 1);
    assert_int_equal(jb.id, j2);
    assert_int_equal(jb.input_owned, 1);
    assert_int_equal(sv__catalog_job_claim(f->cat, j1, &b, &info), 0); /* a holds it */
    assert_int_equal(sv__catalog_job_get(f->cat, j2, &info), 0);
    assert_string_equal(info.worker, "host-b:20");

    /* Another worker's name, or an earlier attempt, is not the claim. */
    stale = ja;
    snprintf(stale.worker, sizeof(stale.worker), "host-b:20");
    assert_int_equal(sv__catalog_job_renew(f->cat, &stale, 30), SV_ERR_STATE);
    assert_int_equal(sv__catalog_job_progress(f->cat, &stale, 5, "x"), SV_ERR_STATE);
    assert_int_equal(sv__catalog_job_fail(f->cat, &stale, "x"), SV_ERR_STATE);
    assert_int_equal(sv__catalog_job_requeue(f->cat, &stale), SV_ERR_STATE);
    memset(&res, 0, sizeof(res));
    res.duration_s = 8;
    res.nb_renditions = 1;
    snprintf(res.renditions[0].kind, 8, "video");
    snprintf(res.renditions[0].name, 16, "240p");
    snprintf(res.renditions[0].codecs, 48, "avc1.64000d");
    res.renditions[0].height = 240;
    res.renditions[0].nb_segments = 4;
    assert_int_equal(sv__catalog_publish(f->cat, &stale, &res), SV_ERR_STATE);
    assert_string_equal(test_sql_value(f->cat, v, sizeof(v),
                                       "SELECT status FROM titles WHERE id = 1"),
                        "processing");
    assert_string_equal(test_sql_value(f->cat, v, sizeof(v), "SELECT count(*) FROM renditions"),
                        "0");

    /* The holder does all of it. */
    assert_int_equal(sv__catalog_job_renew(f->cat, &ja, 30), 0);
    assert_int_equal(sv__catalog_job_progress(f->cat, &ja, 40, "transcode"), 0);
    j = sv__catalog_job_json(f->cat, j1, &err);
    assert_string_equal(json_string_value(json_object_get(j, "stage")), "transcode");
    assert_true(json_real_value(json_object_get(j, "percent")) == 40.0);
    json_decref(j);
    assert_int_equal(sv__catalog_publish(f->cat, &ja, &res), 0);
    assert_string_equal(test_sql_value(f->cat, v, sizeof(v),
                                       "SELECT status FROM titles WHERE id = 1"),
                        "ready");
    assert_string_equal(test_sql_value(f->cat, v, sizeof(v),
                                       "SELECT nb_segments FROM renditions WHERE title_id = 1"),
                        "4");
    assert_int_equal(sv__catalog_publish(f->cat, &ja, &res), SV_ERR_STATE); /* done */
    j = sv__catalog_job_json(f->cat, j1, &err);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "done");
    assert_true(json_real_value(json_object_get(j, "percent")) == 100.0);
    json_decref(j);

    /* Handed back: claimable again, and the attempt does not count. */
    assert_int_equal(sv__catalog_job_requeue(f->cat, &jb), 0);
    assert_int_equal(sv__catalog_job_claim(f->cat, 0, &a, &info), 1);
    assert_int_equal(info.id, j2);
    assert_int_equal(info.attempts, 1);
    assert_int_equal(sv__catalog_job_fail(f->cat, &info, "no video stream"), 0);
    assert_string_equal(test_sql_value(f->cat, v, sizeof(v),
                                       "SELECT status FROM titles WHERE id = 2"),
                        "failed");
    j = sv__catalog_job_json(f->cat, j2, &err);
    assert_string_equal(json_string_value(json_object_get(j, "error")), "no video stream");
    json_decref(j);

    assert_int_equal(sv__catalog_job_claim(f->cat, 0, &b, &info), 1);
    assert_int_equal(info.id, j3);
    assert_int_equal(sv__catalog_job_claim(f->cat, 0, &b, &info), 0);
    assert_int_equal(sv__catalog_job_counts(f->cat, counts), 0);
    assert_int_equal(counts[SV__JOB_QUEUED], 0);
    assert_int_equal(counts[SV__JOB_RUNNING], 1);
    assert_int_equal(counts[SV__JOB_DONE], 1);
    assert_int_equal(counts[SV__JOB_FAILED], 1);
}

static void test_lease_takeover(void **state)
{
    fixture *f = *state;
    sv__job_claim_args a = worker("host-a:10", 0), b = worker("host-b:20", 30);
    sv__job_info ja, jb;
    sv__media_result res;
    int64_t job;
    json_t *j;
    int err;

    assert_int_equal(sv__catalog_job_create(f->cat, 1, "/in1", 0, &job), 0);
    assert_int_equal(sv__catalog_job_claim(f->cat, 0, &a, &ja), 1);
    /* a stops renewing (it died): b takes the job over once the lease ran
     * out, as attempt 2. */
    assert_int_equal(claim_after_expiry(f->cat, 0, &b, &jb), 1);
    assert_int_equal(jb.id, job);
    assert_int_equal(jb.state, SV__JOB_RUNNING);
    assert_int_equal(jb.attempts, 2);
    assert_string_equal(jb.worker, "host-b:20");
    /* a comes back: its claim is gone, whatever it tries. */
    memset(&res, 0, sizeof(res));
    assert_int_equal(sv__catalog_job_renew(f->cat, &ja, 30), SV_ERR_STATE);
    assert_int_equal(sv__catalog_publish(f->cat, &ja, &res), SV_ERR_STATE);
    assert_int_equal(sv__catalog_job_fail(f->cat, &ja, "x"), SV_ERR_STATE);
    assert_int_equal(sv__catalog_job_renew(f->cat, &jb, 30), 0);
    /* b's lease runs: nobody else gets it. */
    assert_int_equal(sv__catalog_job_claim(f->cat, 0, &a, &ja), 0);
    assert_int_equal(sv__catalog_publish(f->cat, &jb, &res), 0);
    j = sv__catalog_job_json(f->cat, job, &err);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "done");
    assert_int_equal(json_integer_value(json_object_get(j, "attempts")), 2);
    json_decref(j);
}

static void test_give_up(void **state)
{
    fixture *f = *state;
    sv__job_claim_args dying = worker("host-a:10", 0);
    sv__job_info info;
    int64_t job, later;
    char v[64];
    json_t *j;
    int err;

    assert_int_equal(sv__catalog_job_create(f->cat, 3, "/in3", 1, &job), 0);
    assert_int_equal(sv__catalog_job_claim(f->cat, 0, &dying, &info), 1);
    assert_int_equal(claim_after_expiry(f->cat, 0, &dying, &info), 1);
    assert_int_equal(claim_after_expiry(f->cat, 0, &dying, &info), 1);
    assert_int_equal(info.attempts, 3);
    /* Third death with max-attempts 3: the claim gives the job up (the
     * caller removes its files) rather than running it again. */
    assert_int_equal(claim_after_expiry(f->cat, 0, &dying, &info), 1);
    assert_int_equal(info.id, job);
    assert_int_equal(info.state, SV__JOB_FAILED);
    assert_int_equal(info.input_owned, 1);
    assert_string_equal(info.input, "/in3");
    j = sv__catalog_job_json(f->cat, job, &err);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "failed");
    assert_string_equal(json_string_value(json_object_get(j, "error")),
                        "the worker died 3 times; giving up");
    assert_int_equal(json_integer_value(json_object_get(j, "attempts")), 3);
    json_decref(j);
    assert_string_equal(test_sql_value(f->cat, v, sizeof(v),
                                       "SELECT status FROM titles WHERE id = 3"),
                        "failed");
    /* The next claim goes on with the next job. */
    assert_int_equal(sv__catalog_job_create(f->cat, 2, "/in2", 0, &later), 0);
    assert_int_equal(sv__catalog_job_claim(f->cat, 0, &dying, &info), 1);
    assert_int_equal(info.id, later);
    assert_int_equal(info.state, SV__JOB_RUNNING);
}

static void test_recover(void **state)
{
    fixture *f = *state;
    sv__job_claim_args live = worker("host-a:10", 30), dead = worker("host-b:20", 0);
    sv__job_info ja, jb, info;
    int64_t j1, j2, j3, *ids;
    int n;

    assert_int_equal(sv__catalog_job_create(f->cat, 1, "/in1", 0, &j1), 0);
    assert_int_equal(sv__catalog_job_create(f->cat, 2, "/in2", 0, &j2), 0);
    assert_int_equal(sv__catalog_job_create(f->cat, 3, "/in3", 0, &j3), 0);
    assert_int_equal(sv__catalog_job_claim(f->cat, j1, &live, &ja), 1);
    assert_int_equal(sv__catalog_job_claim(f->cat, j2, &dead, &jb), 1);
    /* Once j2's lease ran out: j2 queued again (its worker's pid lives,
     * but the lease says it is gone), j1 left to its worker. */
    for (int i = 0; i < 40; i++) {
        assert_int_equal(sv__catalog_job_get(f->cat, j2, &info), 0);
        if (info.state != SV__JOB_RUNNING)
            break;
        n = sv__catalog_recover(f->cat, (int)getpid(), 3, NULL, NULL, &ids);
        assert_true(n >= 1);
        free(ids);
        if (n == 2)
            break;
        sv__sleep_ns(100000000);
    }
    assert_int_equal(sv__catalog_job_get(f->cat, j2, &info), 0);
    assert_int_equal(info.state, SV__JOB_QUEUED);
    assert_string_equal(info.worker, "");
    assert_int_equal(sv__catalog_job_get(f->cat, j1, &info), 0);
    assert_int_equal(info.state, SV__JOB_RUNNING);
    n = sv__catalog_recover(f->cat, (int)getpid(), 3, NULL, NULL, &ids);
    assert_int_equal(n, 2);
    assert_int_equal(ids[0], j2);
    assert_int_equal(ids[1], j3);
    free(ids);
    assert_int_equal(sv__catalog_job_renew(f->cat, &jb, 30), SV_ERR_STATE);
    assert_int_equal(sv__catalog_job_renew(f->cat, &ja, 30), 0);
}

static void on_gave_up(void *opaque, const sv__job_info *job)
{
    sv__job_info *out = opaque;

    *out = *job;
}

static void test_recover_gives_up(void **state)
{
    fixture *f = *state;
    sv__job_claim_args dead = worker("host-b:20", 0);
    sv__job_info info, given = {0};
    int64_t job, *ids;
    char v[64];
    int n = 0;

    assert_int_equal(sv__catalog_job_create(f->cat, 2, "/uploads/u2", 1, &job), 0);
    assert_int_equal(sv__catalog_job_claim(f->cat, job, &dead, &info), 1);
    /* With max-attempts 1, its first death is the last. */
    for (int i = 0; i < 40 && given.id == 0; i++) {
        n = sv__catalog_recover(f->cat, (int)getpid(), 1, on_gave_up, &given, &ids);
        assert_int_equal(n, 0);
        free(ids);
        if (given.id == 0)
            sv__sleep_ns(100000000);
    }
    assert_int_equal(given.id, job);
    assert_int_equal(given.state, SV__JOB_FAILED);
    assert_int_equal(given.title_id, 2);
    assert_int_equal(given.input_owned, 1);
    assert_string_equal(given.input, "/uploads/u2");
    assert_string_equal(test_sql_value(f->cat, v, sizeof(v), "SELECT error FROM jobs WHERE id = 1"),
                        "the worker died 1 time; giving up");
    assert_string_equal(test_sql_value(f->cat, v, sizeof(v),
                                       "SELECT status FROM titles WHERE id = 2"),
                        "failed");
}

static void test_parts(void **state)
{
    fixture *f = *state;
    sv__job_claim_args a = worker("host-a:10", 30), b = worker("host-b:20", 30);
    sv__job_info head, stale, p[3], info, back;
    sv__job_part list[8];
    sv__media_result res;
    int64_t job, other, *ids, counts[SV__JOB_NB];
    char v[64];
    json_t *j;
    int err, n;

    assert_int_equal(sv__catalog_job_create(f->cat, 1, "/uploads/u1", 1, &job), 0);
    assert_int_equal(sv__catalog_job_claim(f->cat, 0, &a, &head), 1);
    assert_int_equal(sv__catalog_job_split(f->cat, &head, 3), 0);
    assert_int_equal(sv__catalog_job_split(f->cat, &head, 3), SV_ERR_STATE); /* handed back */
    assert_int_equal(sv__catalog_job_get(f->cat, job, &info), 0);
    assert_int_equal(info.state, SV__JOB_RUNNING);
    assert_int_equal(info.parts, 3);
    assert_int_equal(info.attempts, 0);
    assert_string_equal(info.worker, "");
    /* The parts are jobs of their own, in order; the job itself is not
     * claimable while they run. */
    for (int k = 0; k < 3; k++) {
        assert_int_equal(sv__catalog_job_claim(f->cat, 0, k == 1 ? &a : &b, &p[k]), 1);
        assert_int_equal(p[k].parent_id, job);
        assert_int_equal(p[k].part, k);
        assert_int_equal(p[k].parts, 3);
        assert_int_equal(p[k].title_id, 1);
        assert_string_equal(p[k].input, "/uploads/u1");
        assert_int_equal(p[k].input_owned, 0);
    }
    assert_int_equal(sv__catalog_job_claim(f->cat, 0, &a, &info), 0);
    /* The job shows its parts' progress. */
    assert_int_equal(sv__catalog_job_progress(f->cat, &p[0], 60, "transcode"), 0);
    j = sv__catalog_job_json(f->cat, job, &err);
    assert_true(json_real_value(json_object_get(j, "percent")) == 20.0);
    json_decref(j);
    /* Recovery leaves a job waiting for its parts alone. */
    n = sv__catalog_recover(f->cat, (int)getpid(), 3, NULL, NULL, &ids);
    assert_int_equal(n, 0);
    free(ids);
    assert_int_equal(sv__catalog_job_get(f->cat, job, &info), 0);
    assert_int_equal(info.state, SV__JOB_RUNNING);

    stale = p[1];
    stale.attempts++;
    assert_int_equal(sv__catalog_job_part_done(f->cat, &stale, "1.p1.done", 30, &back),
                     SV_ERR_STATE);
    assert_int_equal(sv__catalog_job_part_done(f->cat, &p[1], "1.p1.done", 30, &back), 0);
    assert_int_equal(sv__catalog_job_part_done(f->cat, &p[0], "1.p0.done", 30, &back), 0);
    /* The last part: its worker holds the job now. */
    assert_int_equal(sv__catalog_job_part_done(f->cat, &p[2], "1.p2.done", 30, &back), 1);
    assert_int_equal(back.id, job);
    assert_int_equal(back.parts, 3);
    assert_int_equal(back.attempts, 1);
    assert_string_equal(back.worker, "host-b:20");
    assert_int_equal(sv__catalog_job_parts(f->cat, job, list, 8), 3);
    for (int k = 0; k < 3; k++) {
        char want[32];

        snprintf(want, sizeof(want), "1.p%d.done", k);
        assert_int_equal(list[k].part, k);
        assert_int_equal(list[k].state, SV__JOB_DONE);
        assert_string_equal(list[k].output, want);
    }
    memset(&res, 0, sizeof(res));
    res.duration_s = 9;
    assert_int_equal(sv__catalog_publish(f->cat, &back, &res), 0);
    assert_string_equal(test_sql_value(f->cat, v, sizeof(v),
                                       "SELECT status FROM titles WHERE id = 1"),
                        "ready");
    assert_int_equal(sv__catalog_job_counts(f->cat, counts), 0);
    assert_int_equal(counts[SV__JOB_DONE], 1); /* the parts are not counted again */

    /* A part that fails fails its job, its other parts and the title. */
    assert_int_equal(sv__catalog_job_create(f->cat, 2, "/uploads/u2", 1, &other), 0);
    assert_int_equal(sv__catalog_job_claim(f->cat, 0, &a, &head), 1);
    assert_int_equal(sv__catalog_job_split(f->cat, &head, 2), 0);
    assert_int_equal(sv__catalog_job_claim(f->cat, 0, &a, &p[0]), 1);
    assert_int_equal(sv__catalog_job_fail(f->cat, &p[0], "no video stream"), 0);
    assert_int_equal(sv__catalog_job_get(f->cat, other, &info), 0);
    assert_int_equal(info.state, SV__JOB_FAILED);
    j = sv__catalog_job_json(f->cat, other, &err);
    assert_string_equal(json_string_value(json_object_get(j, "error")), "no video stream");
    json_decref(j);
    assert_int_equal(sv__catalog_job_claim(f->cat, 0, &a, &info), 0); /* part 1 failed too */
    assert_string_equal(test_sql_value(f->cat, v, sizeof(v),
                                       "SELECT status FROM titles WHERE id = 2"),
                        "failed");
}

/* A part whose workers die max-attempts times gives its job up. */
static void test_part_given_up(void **state)
{
    fixture *f = *state;
    sv__job_claim_args a = worker("host-a:10", 30), dying = worker("host-b:20", 0);
    sv__job_info head, info;
    int64_t job;
    char v[64];
    json_t *j;
    int err;

    assert_int_equal(sv__catalog_job_create(f->cat, 3, "/uploads/u3", 1, &job), 0);
    assert_int_equal(sv__catalog_job_claim(f->cat, 0, &a, &head), 1);
    assert_int_equal(sv__catalog_job_split(f->cat, &head, 2), 0);
    assert_int_equal(sv__catalog_job_claim(f->cat, 0, &a, &info), 1);      /* part 0 lives */
    for (int i = 0; i < 3; i++)                                              /* part 1 dies */
        assert_int_equal(claim_after_expiry(f->cat, 0, &dying, &info), 1);
    assert_int_equal(info.part, 1);
    assert_int_equal(info.attempts, 3);
    assert_int_equal(claim_after_expiry(f->cat, 0, &dying, &info), 1);
    assert_int_equal(info.state, SV__JOB_FAILED);
    assert_int_equal(info.parent_id, job);
    j = sv__catalog_job_json(f->cat, job, &err);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "failed");
    assert_string_equal(json_string_value(json_object_get(j, "error")),
                        "the worker died 3 times; giving up");
    json_decref(j);
    assert_string_equal(test_sql_value(f->cat, v, sizeof(v),
                                       "SELECT status FROM titles WHERE id = 3"),
                        "failed");
    assert_string_equal(test_sql_value(f->cat, v, sizeof(v),
                                       "SELECT state FROM jobs WHERE parent_id = 1 AND part = 0"),
                        "failed");
}

enum { RACE_JOBS = 40, RACERS = 4 };

typedef struct racer {
    fixture *f;
    char name[32];
    int64_t got[RACE_JOBS];
    int n;
    int failed;
} racer;

static void *race(void *arg)
{
    racer *r = arg;
    sv__job_claim_args c = worker(r->name, 30);
    sv__catalog *cat;
    sv__job_info info;
    char err[512];

    if (sv__catalog_connect(pg_url ? pg_url : "", r->f->dir, &cat, err, sizeof(err)) < 0) {
        r->failed = 1;
        return NULL;
    }
    for (;;) {
        int ret = sv__catalog_job_claim(cat, 0, &c, &info);

        if (ret < 0) {
            r->failed = 1;
            break;
        }
        if (ret == 0)
            break;
        r->got[r->n++] = info.id;
    }
    sv__catalog_close(cat);
    return NULL;
}

static void test_racing_claims(void **state)
{
    fixture *f = *state;
    static racer racers[RACERS];
    sv__thread threads[RACERS];
    int seen[RACE_JOBS + 1] = {0}, total = 0;
    int64_t id;

    for (int i = 0; i < RACE_JOBS; i++)
        assert_int_equal(sv__catalog_job_create(f->cat, 1 + i % 3, "/in", 0, &id), 0);
    for (int i = 0; i < RACERS; i++) {
        memset(&racers[i], 0, sizeof(racers[i]));
        racers[i].f = f;
        snprintf(racers[i].name, sizeof(racers[i].name), "racer-%d:%d", i, 100 + i);
        assert_int_equal(sv__thread_create(&threads[i], "racer", race, &racers[i]), 0);
    }
    for (int i = 0; i < RACERS; i++)
        sv__thread_join(&threads[i]);
    for (int i = 0; i < RACERS; i++) {
        assert_false(racers[i].failed);
        for (int k = 0; k < racers[i].n; k++) {
            assert_true(racers[i].got[k] >= 1 && racers[i].got[k] <= RACE_JOBS);
            seen[racers[i].got[k]]++;
            total++;
        }
    }
    assert_int_equal(total, RACE_JOBS);
    for (int i = 1; i <= RACE_JOBS; i++)
        assert_int_equal(seen[i], 1);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claim_order_and_fencing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lease_takeover, setup, teardown),
        cmocka_unit_test_setup_teardown(test_give_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recover, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recover_gives_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_part_given_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_racing_claims, setup, teardown),
    };

    if (argc > 1)
        pg_url = argv[1];
    return cmocka_run_group_tests(tests, NULL, NULL);
}
