/*
 * Logging: levels filter, module tags and messages reach the host callback
 * intact, long lines are cut, and error codes all have messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "platform/log.h"
#include "streamverse/common.h"

typedef struct captured {
    int calls;
    sv_log_level level;
    char module[32];
    char message[2048];
} captured;

static void capture(void *opaque, sv_log_level level, const char *module, const char *message)
{
    captured *c = opaque;
    c->calls++;
    c->level = level;
    strncpy(c->module, module, sizeof(c->module) - 1);
    strncpy(c->message, message, sizeof(c->message) - 1);
}

static void levels_filter_and_tags_pass(void **state)
{
    captured c = { 0 };
    sv__logger lg;
    (void)state;

    sv__logger_init(&lg, capture, &c, SV_LOG_INFO);
    SV_LOGD(&lg, "hls", "hidden %d", 1);
    assert_int_equal(c.calls, 0);
    SV_LOGW(&lg, "fetch", "segment %d failed: %s\n", 7, "timeout");
    assert_int_equal(c.calls, 1);
    assert_int_equal(c.level, SV_LOG_WARN);
    assert_string_equal(c.module, "fetch");
    /* The trailing newline is dropped: the callback gets one bare line. */
    assert_string_equal(c.message, "segment 7 failed: timeout");
    assert_true(sv__log_enabled(&lg, SV_LOG_ERROR));
    assert_false(sv__log_enabled(&lg, SV_LOG_TRACE));
    assert_false(sv__log_enabled(NULL, SV_LOG_ERROR));
    sv__log(NULL, SV_LOG_ERROR, "x", "a NULL logger swallows %s", "this");
}

static void long_lines_are_cut(void **state)
{
    captured c = { 0 };
    sv__logger lg;
    char big[3000];
    (void)state;

    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    sv__logger_init(&lg, capture, &c, SV_LOG_TRACE);
    sv__log(&lg, SV_LOG_INFO, "abr", "%s", big);
    assert_int_equal(strlen(c.message), 1023);
    assert_string_equal(c.message + 1020, "...");
}

static void level_names_round_trip(void **state)
{
    (void)state;
    for (int l = SV_LOG_ERROR; l <= SV_LOG_TRACE; l++)
        assert_int_equal(sv__log_level_parse(sv_log_level_name((sv_log_level)l)), l);
    assert_int_equal(sv__log_level_parse("WARNING"), SV_LOG_WARN);
    assert_int_equal(sv__log_level_parse("loud"), SV_ERR_INVALID);
    assert_int_equal(sv__log_level_parse(NULL), SV_ERR_INVALID);
    assert_string_equal(sv_log_level_name((sv_log_level)42), "unknown");
}

static void every_error_code_has_a_message(void **state)
{
    (void)state;
    for (int e = SV_ERR_INTERNAL; e <= SV_OK; e++) {
        const char *m = sv_strerror(e);
        assert_non_null(m);
        assert_string_not_equal(m, "unknown error");
    }
    assert_string_equal(sv_strerror(SV_ERR_TIMEOUT), "timed out");
    assert_string_equal(sv_strerror(5), "success"); /* counts are successes */
    assert_string_equal(sv_strerror(-1000), "unknown error");
    assert_string_equal(sv_strerror(INT32_MIN), "unknown error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(levels_filter_and_tags_pass),
        cmocka_unit_test(long_lines_are_cut),
        cmocka_unit_test(level_names_round_trip),
        cmocka_unit_test(every_error_code_has_a_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
