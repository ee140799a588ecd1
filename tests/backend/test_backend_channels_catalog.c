/*
 * Live channels in the catalog (channels.h) on both back ends: fresh
 * SQLite files, then PostgreSQL when a URL is given (first argument, or
 * SV_TEST_PG_URL; the table is emptied first). Names and ports are unique,
 * free port pairs are chosen from the base, states and the VOD title
 * change, removal, and the settings parser's refusals name the key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backend/catalog_internal.h"
#include "backend/channels.h"
#include "tests/backend/catalog_testlib.h"
#include "platform/fs.h"
#include "streamverse/common.h"

static const char *pg_url; /* NULL: SQLite */

typedef struct fixture {
    char dir[256];
    sv__catalog *cat;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));

    test_catalog_dir(f->dir, sizeof(f->dir), "channels");
    test_catalog_open(pg_url, f->dir, &f->cat);
    if (pg_url)
        test_sql(f->cat, "TRUNCATE channels RESTART IDENTITY CASCADE");
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

static void make(sv__channel *ch, const char *name, int srt, int rtmp)
{
    memset(ch, 0, sizeof(*ch));
    snprintf(ch->name, sizeof(ch->name), "%s", name);
    assert_int_equal(sv__channel_new_key(ch->key), 0);
    ch->srt_port = srt;
    ch->rtmp_port = rtmp;
    snprintf(ch->settings, sizeof(ch->settings), "{\"dvr_s\":60}");
}

static void test_add_get_list(void **state)
{
    fixture *f = *state;
    sv__channel a, b, c, d, got, list[8];

    make(&a, "news", 0, 0);
    assert_int_equal(sv__catalog_channel_add(f->cat, &a, 9100), 0);
    assert_int_equal(a.srt_port, 9100);
    assert_int_equal(a.rtmp_port, 9101);
    assert_true(a.id > 0);
    /* An explicit pair, then the next free pair skips it. */
    make(&b, "sport", 9102, 9103);
    assert_int_equal(sv__catalog_channel_add(f->cat, &b, 9100), 0);
    make(&c, "music", 0, 0);
    assert_int_equal(sv__catalog_channel_add(f->cat, &c, 9100), 0);
    assert_int_equal(c.srt_port, 9104);
    assert_int_equal(c.rtmp_port, 9105);
    /* A taken name or port. */
    make(&d, "news", 0, 0);
    assert_int_equal(sv__catalog_channel_add(f->cat, &d, 9100), SV_ERR_STATE);
    make(&d, "other", 9101, 9200);
    assert_int_equal(sv__catalog_channel_add(f->cat, &d, 9100), SV_ERR_STATE);
    make(&d, "other", 9300, 9300);
    assert_int_equal(sv__catalog_channel_add(f->cat, &d, 9100), SV_ERR_STATE);

    assert_int_equal(sv__catalog_channel_get(f->cat, "sport", &got), 0);
    assert_string_equal(got.key, b.key);
    assert_int_equal(strlen(got.key), SV__CHANNEL_KEY_LEN);
    assert_int_equal(got.state, SV__CHANNEL_IDLE);
    assert_string_equal(got.settings, "{\"dvr_s\":60}");
    assert_int_equal(got.title_id, 0);
    assert_int_equal(sv__catalog_channel_get(f->cat, "nope", &got), SV_ERR_NOT_FOUND);
    assert_int_equal(sv__catalog_channels(f->cat, list, 8), 3);
    assert_string_equal(list[0].name, "news");
    assert_string_equal(list[2].name, "music");
    /* Two keys are never the same. */
    assert_string_not_equal(a.key, b.key);
}

static void test_state_remove(void **state)
{
    fixture *f = *state;
    sv__channel a, got;

    make(&a, "cam", 0, 0);
    assert_int_equal(sv__catalog_channel_add(f->cat, &a, 9000), 0);
    assert_int_equal(sv__catalog_channel_set_state(f->cat, "cam", SV__CHANNEL_LIVE, 0), 0);
    assert_int_equal(sv__catalog_channel_get(f->cat, "cam", &got), 0);
    assert_int_equal(got.state, SV__CHANNEL_LIVE);
    test_sql(f->cat, "INSERT INTO titles (title, created) VALUES ('cam event', 0)");
    assert_int_equal(sv__catalog_channel_set_state(f->cat, "cam", SV__CHANNEL_ENDED, 1), 0);
    assert_int_equal(sv__catalog_channel_get(f->cat, "cam", &got), 0);
    assert_int_equal(got.state, SV__CHANNEL_ENDED);
    assert_int_equal(got.title_id, 1);
    assert_int_equal(sv__catalog_channel_set_state(f->cat, "nope", SV__CHANNEL_LIVE, 0),
                     SV_ERR_NOT_FOUND);
    assert_int_equal(sv__catalog_channel_set_state(f->cat, "cam", 7, 0), SV_ERR_INVALID);
    assert_int_equal(sv__catalog_channel_remove(f->cat, "cam"), 0);
    assert_int_equal(sv__catalog_channel_remove(f->cat, "cam"), SV_ERR_NOT_FOUND);
}

static void test_names_settings(void **state)
{
    sv__channel_settings s;
    char err[256], text[512];

    (void)state;
    assert_true(sv__channel_name_valid("cam-1_b"));
    assert_false(sv__channel_name_valid(""));
    assert_false(sv__channel_name_valid("Cam"));
    assert_false(sv__channel_name_valid("a/b"));
    assert_false(sv__channel_name_valid("0123456789012345678901234567890123456789012345678"));
    assert_int_equal(sv__channel_settings_parse(NULL, &s, err, sizeof(err)), 0);
    assert_true(s.dvr_s == 300 && s.segment_s == 2 && s.part_s == 0.4);
    assert_int_equal(sv__channel_settings_parse("{\"part_s\":0.4,\"segment_s\":2}", &s, err,
                                                sizeof(err)), 0);
    assert_int_equal(sv__channel_settings_format(&s, text, sizeof(text)), 0);
    assert_non_null(strstr(text, "\"part_s\":0.4"));
    assert_int_equal(sv__channel_settings_parse("{\"part_s\":0.3}", &s, err, sizeof(err)),
                     SV_ERR_INVALID);
    assert_non_null(strstr(err, "part_s 0.3"));
    assert_int_equal(sv__channel_settings_parse("{\"dvr_s\":5}", &s, err, sizeof(err)),
                     SV_ERR_INVALID);
    assert_non_null(strstr(err, "dvr_s"));
    assert_int_equal(sv__channel_settings_parse("{\"what\":1}", &s, err, sizeof(err)),
                     SV_ERR_INVALID);
    assert_non_null(strstr(err, "what"));
    assert_int_equal(sv__channel_settings_parse("{\"ladder\":\"1:2,3:4,5:6,7:8\"}", &s, err,
                                                sizeof(err)), SV_ERR_INVALID);
    assert_int_equal(sv__channel_settings_parse("[1]", &s, err, sizeof(err)), SV_ERR_INVALID);
    assert_int_equal(sv__channel_settings_parse("{\"passthrough\":1}", &s, err, sizeof(err)),
                     SV_ERR_INVALID);
    assert_non_null(strstr(err, "passthrough"));
    assert_int_equal(sv__channel_settings_parse("{\"passthrough\":true}", &s, err, sizeof(err)),
                     0);
    assert_true(s.passthrough);
    assert_int_equal(sv__channel_settings_format(&s, text, sizeof(text)), 0);
    assert_non_null(strstr(text, "\"passthrough\":true"));
    assert_non_null(strstr(text, "\"encrypt\":\"none\""));
    assert_int_equal(sv__channel_settings_parse("{\"encrypt\":\"aes\"}", &s, err, sizeof(err)),
                     SV_ERR_INVALID);
    assert_non_null(strstr(err, "encrypt"));
    assert_non_null(strstr(err, "aes"));
    assert_int_equal(sv__channel_settings_parse("{\"encrypt\":\"cbcs\"}", &s, err, sizeof(err)),
                     0);
    assert_string_equal(s.encrypt, "cbcs");
    assert_int_equal(sv__channel_settings_format(&s, text, sizeof(text)), 0);
    assert_non_null(strstr(text, "\"encrypt\":\"cbcs\""));
}

static int run_group(const char *name)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_add_get_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_remove, setup, teardown),
        cmocka_unit_test(test_names_settings),
    };

    return _cmocka_run_group_tests(name, tests, sizeof(tests) / sizeof(tests[0]), NULL, NULL);
}

int main(int argc, char **argv)
{
    int failed;

    pg_url = NULL;
    failed = run_group("channels_catalog_sqlite");
    pg_url = argc > 1 ? argv[1] : getenv("SV_TEST_PG_URL");
    if (pg_url && pg_url[0])
        failed += run_group("channels_catalog_postgresql");
    return failed;
}
