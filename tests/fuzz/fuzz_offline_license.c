/*
 * Fuzz target: offline licenses (drm/offline_license.h). The input is
 * checked as a license against a fixed key (splitting, base64url, the
 * signature); and, when it is a JSON object, signed as claims with that key
 * and verified again, so the header and claims checks and the device and
 * expiry checks see arbitrary claims behind a valid signature.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drm/offline_license.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t seed[32] = { 7 };
    static char pem[256], jws[SV__OLIC_MAX];
    char why[200];
    json_t *claims = NULL;

    if (!pem[0] && sv__olic_public_pem(seed, pem, sizeof(pem)) < 0)
        abort();
    if (sv__olic_verify(pem, (const char *)data, size, &claims, why, sizeof(why)) == 0)
        json_decref(claims);
    json_t *in = json_loadb((const char *)data, size, 0, NULL);
    if (in && sv__olic_sign(seed, in, jws, sizeof(jws)) > 0 &&
        sv__olic_verify(pem, jws, strlen(jws), &claims, why, sizeof(why)) == 0) {
        (void)sv__olic_check(claims, "device-1", 1000, why, sizeof(why));
        json_decref(claims);
    }
    json_decref(in);
    return 0;
}
