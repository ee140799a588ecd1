/*
 * fuzz_faultsrv_scenario.c - the fault server's scenario parser (jansson plus
 * our validation), as at start-up and as PUT /_fault/rules at run time, then
 * the rule matcher and the expectation check on whatever was accepted.
 */
#include <stddef.h>
#include <stdint.h>

#include "faultsrv_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise(sv__fault_scenario *sc)
{
    static const char *const paths[] = {
        "/", "/master.m3u8", "/video/seg-1.m4s", "/video/hd/seg-2.m4s", "/a b", "/_fault/log",
    };
    static const char *const methods[] = { "GET", "HEAD", "PUT" };
    sv__fault_log log;
    sv__fault_record rec = { .method = "GET", .path = "/video/seg-1.m4s", .status = 200 };
    size_t i, j;
    char err[256];

    /* Twice over, so `times` limits are crossed. */
    for (i = 0; i < 2 * sizeof(paths) / sizeof(paths[0]); i++)
        for (j = 0; j < sizeof(methods) / sizeof(methods[0]); j++)
            sv__fault_rules_match_locked(sc->rules, methods[j],
                                         paths[i % (sizeof(paths) / sizeof(paths[0]))]);
    sv__fault_rules_reset_hits_locked(sc->rules);

    if (sv__fault_log_open(&log, NULL, NULL, 0) == 0) {
        sv__fault_log_check(&log, sc->expect, err, sizeof(err));
        sv__fault_log_append(&log, &rec);
        sv__fault_log_check(&log, sc->expect, err, sizeof(err));
        sv__fault_log_close(&log);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sv__fault_scenario *sc = NULL;
    char err[256];
    int runtime;

    for (runtime = 0; runtime <= 1; runtime++) {
        if (sv__fault_scenario_parse((const char *)data, size, "/base", runtime, &sc,
                                     err, sizeof(err)) == 0) {
            exercise(sc);
            sv__fault_scenario_free(sc);
            sc = NULL;
        }
    }
    return 0;
}
