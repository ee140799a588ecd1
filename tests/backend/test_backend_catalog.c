/*
 * The catalog on both back ends: always on real SQLite files, then again on
 * PostgreSQL when a URL is given (first argument, or SV_TEST_PG_URL; the
 * database is emptied before each test). The same assertions run on both:
 * listing with paging and genre filter, search (substrings, then the
 * typo-tolerant fallback: "strnger"), the title JSON, content keys and DRM
 * schemes, lockouts and the append-only audit log. On PostgreSQL the same
 * titles are also made in an SQLite file and every listing, search and title
 * must give the same JSON byte for byte. SQLite only: the schema version
 * pragma and the job states with start-up recovery by pid (the jobs on both
 * back ends: test_backend_jobs).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "backend/accounts.h"
#include "backend/catalog_internal.h"
#include "platform/fs.h"
#include "backend/keys.h"
#include "streamverse/common.h"

static const char *pg_url; /* NULL: SQLite */

typedef struct fixture {
    char dir[256];
    char path[300];
    sv__catalog *cat; /* the back end under test */
    sv__catalog *ref; /* PostgreSQL runs: the same titles on SQLite, NULL otherwise */
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

/* Runs SQL without results on either back end; returns 0 or -1 (the
 * statement failed, which some tests expect). */
static int sql(sv__catalog *cat, const char *q)
{
    if (cat->pg) {
        PGresult *r = PQexec(cat->pg, q);
        ExecStatusType st = PQresultStatus(r);

        PQclear(r);
        return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : -1;
    }
    return sqlite3_exec(cat->db, q, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* The first column of a one-row query as an integer. */
static int64_t sql_int(sv__catalog *cat, const char *q)
{
    int64_t v;

    if (cat->pg) {
        PGresult *r = PQexec(cat->pg, q);

        assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
        v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        PQclear(r);
    } else {
        sqlite3_stmt *st;

        assert_int_equal(sqlite3_prepare_v2(cat->db, q, -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    return v;
}

/* The five titles, four of them published; a fixed creation time so that
 * two catalogs give the same JSON. */
static void fill(sv__catalog *cat, int64_t *ids)
{
    for (int i = 0; i < 5; i++) {
        int ng = genres[i][1] ? 2 : 1;
        assert_int_equal(sv__catalog_title_create(cat, titles[i], "synopsis", genres[i], ng,
                                                  &ids[i]), 0);
    }
    /* Dark stays "processing"; the others are published. */
    for (int i = 0; i < 4; i++)
        publish(cat, ids[i]);
    assert_int_equal(sql(cat, "UPDATE titles SET created = 1700000000"), 0);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    int64_t ref_ids[5];
    char err[256];

    snprintf(f->dir, sizeof(f->dir), "%s/sv-catalog-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/catalog.db", f->dir);
    if (pg_url) {
        assert_int_equal(sv__catalog_connect(pg_url, f->dir, &f->cat, err, sizeof(err)), 0);
        /* Ids from 1 again, as in a new SQLite file. TRUNCATE fires no
         * row trigger: the audit log's refusal of DELETE stays. */
        assert_int_equal(sql(f->cat, "TRUNCATE audit, lockouts, title_keys, resume, sessions,"
                                     " users, jobs, renditions, titles RESTART IDENTITY CASCADE"),
                         0);
        assert_int_equal(sv__catalog_open(f->path, &f->ref, err, sizeof(err)), 0);
        fill(f->ref, ref_ids);
    } else {
        assert_int_equal(sv__catalog_open(f->path, &f->cat, err, sizeof(err)), 0);
    }
    fill(f->cat, f->ids);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    sv__catalog_close(f->cat);
    if (f->ref)
        sv__catalog_close(f->ref);
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

/* JSON as text, keys in the order they were set (both back ends build the
 * same objects in the same order). */
static char *dump(json_t *j)
{
    char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);

    assert_non_null(text);
    return text;
}

static void assert_same_json(json_t *a, json_t *b, const char *what)
{
    char *ta = dump(a), *tb = dump(b);

    /* stderr: cmocka's messages would cut a listing short. */
    if (strcmp(ta, tb)) {
        fprintf(stderr, "%s:\n  postgresql %s\n  sqlite     %s\n", what, ta, tb);
        fail_msg("%s: the back ends differ", what);
    }
    free(ta);
    free(tb);
}

/* PostgreSQL: listings, searches and titles give SQLite's JSON, byte for
 * byte: the same items in the same order, the same totals and fields. */
static void test_same_json_as_sqlite(void **state)
{
    static const struct {
        const char *q, *genre;
        int all, limit, offset;
    } cases[] = {
        {NULL, NULL, 0, 20, 0},        {NULL, NULL, 1, 20, 0},
        {NULL, NULL, 0, 2, 2},         {NULL, NULL, 0, 20, 9},  /* past the end: total only */
        {NULL, "drama", 0, 20, 0},     {NULL, "DRAMA", 1, 20, 0},
        {NULL, "none", 0, 20, 0},      {"crown", NULL, 0, 20, 0},
        {"strange", NULL, 0, 20, 0},   {"STRANGE", NULL, 0, 1, 1},
        {"strnger", NULL, 0, 20, 0},   {"strnger", NULL, 0, 1, 1},
        {"planet erth", NULL, 0, 20, 0}, {"st", NULL, 0, 20, 0},
        {"syn", NULL, 0, 20, 0},       {"synopsis crown", NULL, 0, 20, 0},
        {"ge Da", NULL, 0, 20, 0},     {"strange", "History", 0, 20, 0},
        {"zzzzqq", NULL, 0, 20, 0},    {"dark", NULL, 0, 20, 0},
        {"dark", NULL, 1, 20, 0},      {"\"quoted\" \"", NULL, 0, 20, 0},
        {"100%", NULL, 0, 20, 0},      {"ng_d", NULL, 0, 20, 0},
        {"e\\", NULL, 0, 20, 0},      {"thi ngs", NULL, 0, 20, 0},
    };
    fixture *f = *state;
    char what[128];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sv__title_query tq = {cases[i].q, cases[i].genre, cases[i].all, cases[i].limit,
                              cases[i].offset};
        int e1, e2;
        json_t *a = sv__catalog_titles_list(f->cat, &tq, &e1);
        json_t *b = sv__catalog_titles_list(f->ref, &tq, &e2);

        assert_non_null(a);
        assert_non_null(b);
        snprintf(what, sizeof(what), "list q=%s genre=%s all=%d limit=%d offset=%d",
                 cases[i].q ? cases[i].q : "-", cases[i].genre ? cases[i].genre : "-",
                 cases[i].all, cases[i].limit, cases[i].offset);
        assert_same_json(a, b, what);
        json_decref(a);
        json_decref(b);
    }
    for (int64_t id = 1; id <= 6; id++) {
        int e1, e2;
        json_t *a = sv__catalog_title_json(f->cat, id, &e1);
        json_t *b = sv__catalog_title_json(f->ref, id, &e2);

        assert_int_equal(e1, e2);
        snprintf(what, sizeof(what), "title %lld", (long long)id);
        if (a || b)
            assert_same_json(a, b, what);
        json_decref(a);
        json_decref(b);
    }
}

static void test_keys_and_drm(void **state)
{
    fixture *f = *state;
    uint8_t kid[16], kid2[16], wrapped[256], out[256], out_kid[16];
    int64_t title_id = 0;
    size_t len = 0;
    char drm[16];
    json_t *t;
    int err;

    /* Every byte value, NUL and backslash included, survives the trip. */
    for (int i = 0; i < 256; i++)
        wrapped[i] = (uint8_t)(255 - i);
    memset(kid, 0, sizeof(kid));
    kid[15] = '\\';
    memset(kid2, 0xab, sizeof(kid2));
    assert_int_equal(sv__catalog_key_insert(f->cat, f->ids[0], kid, wrapped, sizeof(wrapped)), 0);
    /* A KID collision, and an unknown title. */
    assert_int_equal(sv__catalog_key_insert(f->cat, f->ids[1], kid, wrapped, 40), SV_ERR_STATE);
    assert_int_equal(sv__catalog_key_insert(f->cat, 999, kid2, wrapped, 40), SV_ERR_STATE);
    assert_int_equal(sv__catalog_key_insert(f->cat, f->ids[1], kid2, wrapped + 3, 40), 0);

    assert_int_equal(sv__catalog_key_by_title(f->cat, f->ids[0], out_kid, out, sizeof(out), &len),
                     0);
    assert_memory_equal(out_kid, kid, 16);
    assert_int_equal(len, sizeof(wrapped));
    assert_memory_equal(out, wrapped, sizeof(wrapped));
    assert_int_equal(sv__catalog_key_by_title(f->cat, f->ids[0], out_kid, out, 255, &len),
                     SV_ERR_OVERFLOW);
    assert_int_equal(sv__catalog_key_by_title(f->cat, f->ids[2], out_kid, out, sizeof(out), &len),
                     SV_ERR_NOT_FOUND);

    assert_int_equal(sv__catalog_key_by_kid(f->cat, kid2, &title_id, out, sizeof(out), &len), 0);
    assert_int_equal(title_id, f->ids[1]);
    assert_int_equal(len, 40);
    assert_memory_equal(out, wrapped + 3, 40);
    assert_int_equal(sv__catalog_key_by_kid(f->cat, kid2, &title_id, out, 39, &len),
                     SV_ERR_OVERFLOW);
    kid2[0] = 0;
    assert_int_equal(sv__catalog_key_by_kid(f->cat, kid2, &title_id, out, sizeof(out), &len),
                     SV_ERR_NOT_FOUND);

    assert_int_equal(sv__catalog_title_drm(f->cat, f->ids[0], drm, sizeof(drm)), 0);
    assert_string_equal(drm, "none");
    assert_int_equal(sv__catalog_title_set_drm(f->cat, f->ids[0], "cenc"), 0);
    assert_int_equal(sv__catalog_title_drm(f->cat, f->ids[0], drm, sizeof(drm)), 0);
    assert_string_equal(drm, "cenc");
    assert_int_equal(sv__catalog_title_drm(f->cat, f->ids[0], drm, 4), SV_ERR_OVERFLOW);
    assert_int_equal(sv__catalog_title_set_drm(f->cat, f->ids[0], "widevine"), SV_ERR_INVALID);
    assert_int_equal(sv__catalog_title_set_drm(f->cat, 999, "cbcs"), SV_ERR_NOT_FOUND);
    assert_int_equal(sv__catalog_title_drm(f->cat, 999, drm, sizeof(drm)), SV_ERR_NOT_FOUND);
    t = sv__catalog_title_json(f->cat, f->ids[0], &err);
    assert_string_equal(json_string_value(json_object_get(t, "drm")), "cenc");
    json_decref(t);
}

/* One audit record with fixed fields but `action`. */
static void audit(sv__catalog *cat, const char *action, const char *actor, int64_t actor_id,
                  int role, const char *target, const char *peer, int status, const char *detail)
{
    sv__audit_rec r = {actor, actor_id, role, action, target, peer, status, detail};

    assert_int_equal(sv__catalog_audit_add(cat, &r), 0);
}

/* The audit log as JSON without the times (the two catalogs wrote it at
 * different moments). */
static json_t *audit_without_at(sv__catalog *cat, int64_t before, int limit)
{
    json_t *arr = sv__catalog_audit_list(cat, before, limit), *rec;
    size_t i;

    assert_non_null(arr);
    json_array_foreach(arr, i, rec) {
        assert_non_null(json_string_value(json_object_get(rec, "at")));
        json_object_del(rec, "at");
    }
    return arr;
}

static void add_records(sv__catalog *cat)
{
    audit(cat, "POST /api/v1/users", "root", 1, SV__ROLE_ADMIN, "carol", "127.0.0.1", 201, NULL);
    audit(cat, "login", NULL, 0, SV__ROLE_NONE, NULL, NULL, 401, "bad password");
    audit(cat, "user unlock", "op", 7, SV__ROLE_OPERATOR, "bob", "cli", 0, "lifted");
}

static void test_audit_and_lockouts(void **state)
{
    fixture *f = *state;
    int64_t now = (int64_t)time(NULL), until = -1, newest;
    json_t *arr, *rec;

    assert_int_equal(sv__catalog_lockout_get(f->cat, "alice", &until), 0);
    assert_int_equal(until, 0);
    assert_int_equal(sv__catalog_lockout_set(f->cat, "alice", now + 60, 5), 0);
    assert_int_equal(sv__catalog_lockout_get(f->cat, "alice", &until), 0);
    assert_int_equal(until, now + 60);
    assert_int_equal(sv__catalog_lockout_set(f->cat, "alice", now + 120, 6), 0); /* replaces */
    assert_int_equal(sv__catalog_lockout_get(f->cat, "alice", &until), 0);
    assert_int_equal(until, now + 120);
    assert_int_equal(sql_int(f->cat, "SELECT failures FROM lockouts WHERE name = 'alice'"), 6);
    assert_int_equal(sv__catalog_lockout_set(f->cat, "bob", now - 10, 3), 0); /* already over */
    assert_int_equal(sv__catalog_lockout_get(f->cat, "bob", &until), 0);
    assert_int_equal(until, 0);
    assert_int_equal(sv__catalog_lockout_clear(f->cat, "bob"), 0);
    assert_int_equal(sv__catalog_lockout_clear(f->cat, "alice"), 1);
    assert_int_equal(sv__catalog_lockout_clear(f->cat, "alice"), 0);
    /* Clearing also dropped the past lockout. */
    assert_int_equal(sql_int(f->cat, "SELECT count(*) FROM lockouts"), 0);

    add_records(f->cat);
    arr = sv__catalog_audit_list(f->cat, 0, 10);
    assert_int_equal(json_array_size(arr), 3);
    rec = json_array_get(arr, 1); /* newest first: the failed login */
    assert_string_equal(json_string_value(json_object_get(rec, "action")), "login");
    assert_string_equal(json_string_value(json_object_get(rec, "actor")), "-");
    assert_true(json_is_null(json_object_get(rec, "actor_id")));
    assert_string_equal(json_string_value(json_object_get(rec, "role")), "anonymous");
    assert_true(json_is_null(json_object_get(rec, "target")));
    assert_string_equal(json_string_value(json_object_get(rec, "peer")), "-");
    assert_int_equal(json_integer_value(json_object_get(rec, "status")), 401);
    assert_string_equal(json_string_value(json_object_get(rec, "detail")), "bad password");
    newest = json_integer_value(json_object_get(json_array_get(arr, 0), "id"));
    assert_int_equal(json_integer_value(json_object_get(json_array_get(arr, 2), "actor_id")), 1);
    json_decref(arr);
    arr = sv__catalog_audit_list(f->cat, newest, 1); /* the page before the newest */
    assert_int_equal(json_array_size(arr), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 0), "action")),
                        "login");
    json_decref(arr);
    /* Append-only: neither changed nor deleted. */
    assert_int_equal(sql(f->cat, "UPDATE audit SET actor = 'someone'"), -1);
    assert_int_equal(sql(f->cat, "DELETE FROM audit"), -1);
    assert_int_equal(sql_int(f->cat, "SELECT count(*) FROM audit WHERE actor = 'someone'"), 0);
    assert_int_equal(sql_int(f->cat, "SELECT count(*) FROM audit"), 3);

    if (f->ref) {
        json_t *a = audit_without_at(f->cat, 0, 10), *b;

        add_records(f->ref);
        b = audit_without_at(f->ref, 0, 10);
        assert_same_json(a, b, "audit list");
        json_decref(a);
        json_decref(b);
    }
}

static int run_group(const char *name)
{
    const struct CMUnitTest sqlite_only[] = {
        cmocka_unit_test_setup_teardown(test_schema_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jobs_and_recovery, setup, teardown),
    };
    const struct CMUnitTest both[] = {
        cmocka_unit_test_setup_teardown(test_list_paging_genre, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search, setup, teardown),
        cmocka_unit_test_setup_teardown(test_title_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keys_and_drm, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_and_lockouts, setup, teardown),
    };
    const struct CMUnitTest pg_only[] = {
        cmocka_unit_test_setup_teardown(test_same_json_as_sqlite, setup, teardown),
    };
    char group[64];
    int failed;

    snprintf(group, sizeof(group), "%s_both", name);
    failed = _cmocka_run_group_tests(group, both, sizeof(both) / sizeof(both[0]), NULL, NULL);
    snprintf(group, sizeof(group), "%s_only", name);
    if (pg_url)
        failed += _cmocka_run_group_tests(group, pg_only, sizeof(pg_only) / sizeof(pg_only[0]),
                                          NULL, NULL);
    else
        failed += _cmocka_run_group_tests(group, sqlite_only,
                                          sizeof(sqlite_only) / sizeof(sqlite_only[0]), NULL,
                                          NULL);
    return failed;
}

int main(int argc, char **argv)
{
    int failed;

    pg_url = NULL;
    failed = run_group("catalog_sqlite");
    pg_url = argc > 1 ? argv[1] : getenv("SV_TEST_PG_URL");
    if (pg_url && pg_url[0])
        failed += run_group("catalog_postgresql");
    else
        pg_url = NULL;
    return failed;
}
