/*
 * Fuzz target: svserver's JSON request bodies (PATCH /api/v1/titles/{id}),
 * parsed with jansson and validated by sv__title_patch_parse().
 */
#include <stdint.h>
#include <string.h>

#include "backend/api_params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sv__title_patch patch;
    char err[256];

    if (sv__title_patch_parse((const char *)data, size, &patch, err, sizeof(err)) == 0) {
        /* What the handler reads must be valid. */
        volatile size_t sum = 0;

        if (patch.title)
            sum += strlen(patch.title);
        if (patch.synopsis)
            sum += strlen(patch.synopsis);
        if (patch.genres)
            sum += json_array_size(patch.genres);
        (void)sum;
        json_decref(patch.root);
    } else if (!err[0]) {
        __builtin_trap(); /* a refusal must say why */
    }
    return 0;
}
