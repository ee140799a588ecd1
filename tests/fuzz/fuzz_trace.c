/*
 * Fuzz target for one trace reader: built once per format with SV_FUZZ_TRACE_FORMAT
 * set to SV_TRACE_PENSIEVE, _MAHIMAHI or _CSV (tests/fuzz/abr.cmake). It
 * parses with that format forced, then the same bytes
 * with format detection. A parsed trace must be simulatable: its summary
 * values are finite and one short session completes.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "streamverse/abrsim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const sv_trace *t)
{
    static const uint32_t ladder[2] = { 300, 3000 };
    static const uint64_t sizes[4] = { 1500, 15000, 1500, 15000 };
    const sv_abr_video video = { .bitrates_kbps = ladder, .num_rungs = 2, .segment_bytes = sizes,
                                 .num_segments = 2, .segment_duration_s = 4.0 };
    sv_abr_sim_result r;

    if (!isfinite(sv_trace_duration(t)) || !(sv_trace_mean_mbps(t) > 0))
        abort();
    /* Very slow or very long traces are valid but would only make the
     * fuzzer slow: a session walks the trace point by point. */
    if (sv_trace_num_points(t) > 1000 || sv_trace_mean_mbps(t) < 0.1)
        return;
    int rc = sv_abr_simulate(t, &video, &sv_abr_rule_hybrid, NULL, NULL, 0, &r);
    if (rc != 0 && rc != SV_ERR_RANGE)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sv_trace *t = NULL;
    sv_trace_error err;

    if (sv_trace_parse(data, size, SV_FUZZ_TRACE_FORMAT, NULL, &t, &err) == 0) {
        check(t);
        sv_trace_destroy(t);
    }
    if (sv_trace_parse(data, size, SV_TRACE_AUTO, NULL, &t, &err) == 0) {
        check(t);
        sv_trace_destroy(t);
    }
    return 0;
}
