/*
 * Fuzz target: ClearKey license and request JSON. The input goes to the
 * CDM's update (license), to the request parser the license service uses,
 * and to the KID:KEY parser as a string.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drm/clearkey.h"
#include "streamverse/cdm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sv_cdm *cdm = NULL;
    uint8_t (*kids)[16] = NULL;
    size_t n = 0;
    char *text;

    if (sv_cdm_clearkey_create(&cdm) == 0) {
        if (cdm->update(cdm->opaque, data, size) == 0) {
            uint8_t kid[16] = { 0 };
            (void)cdm->has_key(cdm->opaque, kid);
        }
        cdm->destroy(cdm);
    }
    if (sv__clearkey_request_parse(data, size, &kids, &n) == 0)
        free(kids);
    if ((text = malloc(size + 1))) {
        uint8_t kid[16], key[16];
        memcpy(text, data, size);
        text[size] = '\0';
        (void)sv_cdm_parse_key_pair(text, kid, key);
        free(text);
    }
    return 0;
}
