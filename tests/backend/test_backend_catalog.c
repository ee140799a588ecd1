/*
 * The catalog on a real SQLite file: schema version, listing with paging and
 * genre filter, FTS5 search with the typo-tolerant fallback ("strnger"),
 * publishing, the job states and start-up recovery of orphaned jobs.
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
#include <sqlite3.h>

#include "backend/catalog.h"
#include "backend/fsutil.h"
#include "streamverse/common.h"

typedef struct fixture {
    char dir[256];
    char path[300];
    sv__catalog *cat;
    int64_t ids[5];
} fixture;

static const char *const titles[5] = {"Stranger Things", "The Crown", "Planet Earth",
                                      "Strange Days", "Dark"};
static const char *const genres[5][2] = {{"Drama", "SciFi"}, {"Drama", "History"},
                                         {"Documentary", NULL}, {"SciFi", NULL},
                                         {"Drama", NULL}};

/* A worker on host "testhost" with pid 1 (which always lives). */
static const sv__job_claim_args claimer = {"testhost:1", 1, 30, 3};

static void publish(sv__catalog *cat, int64_t title_id)
{
    sv__media_result res;
    sv__job_info info;
    int64_t job;

    memset(&res, 0, sizeof(res));
    res.duration_s = 60;
    res.nb_renditions = 2;
    snprintf(res.renditions[0].kind, 8, "video");
    snprintf(res.renditions[0].name, 16, "240p");
    res.renditions[0].height = 240;
    res.renditions[0].width = 426;
    res.renditions[0].bandwidth = 350000;
    snprintf(res.renditions[0].codecs, 48, "avc1.64000d");
    snprintf(res.renditions[1].kind, 8, "audio");
    snprintf(res.renditions[1].name, 16, "audio");
    res.nb_thumbs = 6;
    assert_int_equal(sv__catalog_job_create(cat, title_id, "/in.mp4", 0, &job), 0);
    assert_int_equal(sv__catalog_job_claim(cat, job, &claimer, &info), 1);
    assert_int_equal(sv__catalog_publish(cat, &info, &res), 0);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    char err[256];

    snprintf(f->dir, sizeof(f->dir), "%s/sv-catalog-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/catalog.db", f->dir);
    assert_int_equal(sv__catalog_open(f->path, &f->cat, err, sizeof(err)), 0);
    for (int i = 0; i < 5; i++) {
        int ng = genres[i][1] ? 2 : 1;
        assert_int_equal(sv__catalog_title_create(f->cat, titles[i], "synopsis", genres[i], ng,
                                                  &f->ids[i]), 0);
    }
    /* Dark stays "processing"; the others are published. */
    for (int i = 0; i < 4; i++)
        publish(f->cat, f->ids[i]);
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

static json_t *list(fixture *f, const char *q, const char *genre, int all, int limit, int offset)
{
    sv__title_query tq = {q, genre, all, limit, offset};
    int err;
    json_t *r = sv__catalog_titles_list(f->cat, &tq, &err);

    assert_non_null(r);
    return r;
}

static const char *item_title(json_t *r, size_t i)
{
    return json_string_value(json_object_get(json_array_get(json_object_get(r, "items"), i), "title"));
}

static int64_t total(json_t *r)
{
    return json_integer_value(json_object_get(r, "total"));
}

static void test_schema_version(void **state)
{
    fixture *f = *state;
    sqlite3 *db;
    sqlite3_stmt *st;
    sv__catalog *again;
    char err[256];

    /* Re-opening migrates nothing and keeps the data. */
    assert_int_equal(sv__catalog_open(f->path, &again, err, sizeof(err)), 0);
    sv__catalog_close(again);
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), SV__CATALOG_SCHEMA_VERSION);
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    /* A newer schema is refused, not corrupted. */
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(sv__catalog_open(f->path, &again, err, sizeof(err)), SV_ERR_UNSUPPORTED);
    assert_non_null(strstr(err, "newer"));
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    sqlite3_exec(db, "PRAGMA user_version = 1", NULL, NULL, NULL);
    sqlite3_close(db);
}

static void test_list_paging_genre(void **state)
{
    fixture *f = *state;
    json_t *r;

    r = list(f, NULL, NULL, 0, 20, 0);
    assert_int_equal(total(r), 4); /* only ready titles */
    assert_string_equal(item_title(r, 0), "Strange Days"); /* newest first */
    json_decref(r);
    r = list(f, NULL, NULL, 1, 20, 0);
    assert_int_equal(total(r), 5);
    json_decref(r);
    r = list(f, NULL, NULL, 0, 2, 2);
    assert_int_equal(json_array_size(json_object_get(r, "items")), 2);
    assert_string_equal(item_title(r, 0), "The Crown");
    assert_string_equal(item_title(r, 1), "Stranger Things");
    json_decref(r);
    r = list(f, NULL, "drama", 0, 20, 0);
    assert_int_equal(total(r), 2);
    json_decref(r);
    r = list(f, NULL, "SciFi", 0, 20, 0);
    assert_int_equal(total(r), 2);
    json_decref(r);
}

static void test_search(void **state)
{
    fixture *f = *state;
    json_t *r;

    r = list(f, "crown", NULL, 0, 20, 0);
    assert_int_equal(total(r), 1);
    assert_string_equal(item_title(r, 0), "The Crown");
    json_decref(r);
    r = list(f, "strange", NULL, 0, 20, 0); /* substring: both */
    assert_int_equal(total(r), 2);
    json_decref(r);
    r = list(f, "strnger", NULL, 0, 20, 0); /* typo: the fuzzy pass, closest first */
    assert_int_equal(total(r), 2);
    assert_string_equal(item_title(r, 0), "Stranger Things"); /* distance 1 */
    assert_string_equal(item_title(r, 1), "Strange Days");    /* distance 2 */
    json_decref(r);
    r = list(f, "planet erth", NULL, 0, 20, 0);
    assert_int_equal(total(r), 1);
    assert_string_equal(item_title(r, 0), "Planet Earth");
    json_decref(r);
    r = list(f, "st", NULL, 0, 20, 0); /* too short for trigrams: prefix */
    assert_int_equal(total(r), 2);
    json_decref(r);
    r = list(f, "strange", "History", 0, 20, 0);
    assert_int_equal(total(r), 0);
    json_decref(r);
    r = list(f, "zzzzqq", NULL, 0, 20, 0);
    assert_int_equal(total(r), 0);
    json_decref(r);
    r = list(f, "dark", NULL, 0, 20, 0); /* not ready */
    assert_int_equal(total(r), 0);
    json_decref(r);
    r = list(f, "\"quoted\" \"", NULL, 0, 20, 0); /* FTS syntax stays inert */
    assert_int_equal(total(r), 0);
    json_decref(r);
}

static void test_title_json(void **state)
{
    fixture *f = *state;
    json_t *t, *g;
    int err;

    t = sv__catalog_title_json(f->cat, f->ids[0], &err);
    assert_non_null(t);
    assert_string_equal(json_string_value(json_object_get(t, "status")), "ready");
    assert_string_equal(json_string_value(json_object_get(json_object_get(t, "manifests"), "hls")),
                        "/media/1/master.m3u8");
    assert_int_equal(json_array_size(json_object_get(t, "renditions")), 2);
    assert_int_equal(json_array_size(json_object_get(json_object_get(t, "thumbnails"), "urls")), 6);
    json_decref(t);
    assert_null(sv__catalog_title_json(f->cat, 999, &err));
    assert_int_equal(err, SV_ERR_NOT_FOUND);
    g = json_pack("[s]", "Thriller");
    assert_int_equal(sv__catalog_title_update(f->cat, f->ids[1], "The Crown II", NULL, g), 0);
    json_decref(g);
    t = sv__catalog_title_json(f->cat, f->ids[1], &err);
    assert_string_equal(json_string_value(json_object_get(t, "title")), "The Crown II");
    assert_string_equal(json_string_value(json_array_get(json_object_get(t, "genres"), 0)),
                        "Thriller");
    json_decref(t);
    assert_int_equal(sv__catalog_title_update(f->cat, 999, "x", NULL, NULL), SV_ERR_NOT_FOUND);
}

static void test_jobs_and_recovery(void **state)
{
    fixture *f = *state;
    char self_name[64];
    sv__job_claim_args self = {self_name, (int)getpid(), 30, 3};
    int64_t job, job2, *ids, counts[SV__JOB_NB];
    sv__job_info info, again, stale;
    json_t *j;
    int err, n;

    snprintf(self_name, sizeof(self_name), "testhost:%d", (int)getpid());
    assert_int_equal(sv__catalog_job_create(f->cat, f->ids[4], "/up", 1, &job), 0);
    assert_int_equal(sv__catalog_job_claim(f->cat, job, &claimer, &info), 1);
    assert_int_equal(info.state, SV__JOB_RUNNING);
    assert_int_equal(info.attempts, 1);
    assert_string_equal(info.worker, "testhost:1");
    assert_int_equal(sv__catalog_job_claim(f->cat, job, &claimer, &again), 0); /* taken */
    assert_int_equal(sv__catalog_job_claim(f->cat, 0, &claimer, &again), 0);   /* none left */
    assert_int_equal(sv__catalog_job_progress(f->cat, &info, 42.5, "transcode"), 0);
    j = sv__catalog_job_json(f->cat, job, &err);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "running");
    assert_true(json_real_value(json_object_get(j, "percent")) == 42.5);
    json_decref(j);

    /* pid 1 lives and its lease runs: the job is not an orphan. */
    n = sv__catalog_recover(f->cat, (int)getpid(), 2, NULL, NULL, &ids);
    assert_int_equal(n, 0);
    free(ids);
    /* Handed back: this attempt does not count, and only once. */
    assert_int_equal(sv__catalog_job_requeue(f->cat, &info), 0);
    assert_int_equal(sv__catalog_job_requeue(f->cat, &info), SV_ERR_STATE);
    /* Claimed by this pid (an earlier life): queued again. */
    assert_int_equal(sv__catalog_job_claim(f->cat, 0, &self, &info), 1);
    assert_int_equal(info.attempts, 1);
    n = sv__catalog_recover(f->cat, (int)getpid(), 3, NULL, NULL, &ids);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], job);
    free(ids);
    /* The claim recovery replaced is stale: it changes nothing. */
    assert_int_equal(sv__catalog_job_progress(f->cat, &info, 50, "transcode"), SV_ERR_STATE);
    assert_int_equal(sv__catalog_job_claim(f->cat, 0, &self, &info), 1);
    assert_int_equal(info.attempts, 2);
    n = sv__catalog_recover(f->cat, (int)getpid(), 3, NULL, NULL, &ids);
    assert_int_equal(n, 1);
    free(ids);
    /* Third death with at most 3 attempts: failed with a reason, the title
     * too. */
    assert_int_equal(sv__catalog_job_claim(f->cat, 0, &self, &info), 1);
    assert_int_equal(info.attempts, 3);
    n = sv__catalog_recover(f->cat, (int)getpid(), 3, NULL, NULL, &ids);
    assert_int_equal(n, 0);
    free(ids);
    assert_int_equal(sv__catalog_job_get(f->cat, job, &info), 0);
    assert_int_equal(info.state, SV__JOB_FAILED);
    assert_int_equal(info.attempts, 3);
    j = sv__catalog_job_json(f->cat, job, &err);
    assert_string_equal(json_string_value(json_object_get(j, "error")),
                        "the worker died 3 times; giving up");
    json_decref(j);
    j = sv__catalog_title_json(f->cat, f->ids[4], &err);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "failed");
    json_decref(j);

    assert_int_equal(sv__catalog_job_create(f->cat, f->ids[4], "/up2", 1, &job2), 0);
    assert_int_equal(sv__catalog_job_claim(f->cat, job2, &claimer, &info), 1);
    stale = info;
    stale.attempts--;
    assert_int_equal(sv__catalog_job_fail(f->cat, &stale, "not mine"), SV_ERR_STATE);
    assert_int_equal(sv__catalog_job_fail(f->cat, &info, "no video stream"), 0);
    assert_int_equal(sv__catalog_job_counts(f->cat, counts), 0);
    assert_int_equal(counts[SV__JOB_DONE], 4);
    assert_int_equal(counts[SV__JOB_FAILED], 2);
    assert_int_equal(counts[SV__JOB_RUNNING], 0);
    assert_null(sv__catalog_job_json(f->cat, 999, &err));
    assert_int_equal(err, SV_ERR_NOT_FOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_schema_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_paging_genre, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search, setup, teardown),
        cmocka_unit_test_setup_teardown(test_title_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jobs_and_recovery, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
