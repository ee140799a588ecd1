/* Fuzz target: the `sidx` parser on arbitrary bytes, at a small and at a
 * huge file offset (so the offset arithmetic meets its overflow checks). */
#include <stddef.h>
#include <stdint.h>

#include "player/manifest/sidx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int64_t offsets[] = { 0, 775, INT64_MAX - (1 << 20) };

    for (size_t k = 0; k < sizeof(offsets) / sizeof(offsets[0]); k++) {
        sv__arena *a = sv__arena_create(NULL);
        sv__sidx sidx;
        sv__parse_error err;
        if (!a)
            return 0;
        if (sv__sidx_parse(data, size, offsets[k], a, &sidx, &err) == 0) {
            /* Touch what the model reads, so bad pointers surface here. */
            volatile uint64_t sum = 0;
            for (size_t i = 0; i < sidx.nb_refs; i++)
                sum += (uint64_t)sidx.refs[i].offset + (uint64_t)sidx.refs[i].size +
                       sidx.refs[i].duration;
            (void)sum;
        }
        sv__arena_destroy(a);
    }
    return 0;
}
