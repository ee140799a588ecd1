/*
 * Fuzz target: CENC box parsing on arbitrary bytes. The first two bytes give
 * the length of an init segment, the rest is a media segment; the init is
 * parsed and rewritten to its clear form, the segment parsed against it and,
 * when it parses, decrypted through a ClearKey CDM holding the fixture key
 * (so the sample bounds the parser promised are exercised by real writes).
 * The whole input is also tried as an init on its own.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drm/cenc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void try_init(const uint8_t *p, size_t n, const uint8_t *frag, size_t frag_size)
{
    static const uint8_t kid[16] = { 0x40, 0x60, 0xa8, 0x65, 0x88, 0x78, 0x42, 0x67,
                                     0x9c, 0xbf, 0x91, 0xae, 0x5b, 0xae, 0x1e, 0x72 };
    static const uint8_t key[16] = { 0xfc, 0x35, 0x34, 0x08, 0x37, 0x31, 0x0c, 0xc0,
                                     0xfb, 0x53, 0xde, 0x97, 0xe2, 0x2a, 0x69, 0xe0 };
    sv__cenc_init *init = malloc(sizeof(*init));
    uint8_t *clear = NULL, *copy = NULL;
    size_t clear_size = 0;
    sv__cenc_fragment f = { 0 };
    sv_cdm *cdm = NULL;

    if (!init)
        return;
    if (sv__cenc_init_rewrite_clear(p, n, NULL, &clear, &clear_size) == 0)
        free(clear);
    if (sv__cenc_parse_init(p, n, init) < 0 || !frag)
        goto done;
    /* An exact-size copy, so ASan sees any write past the segment. */
    if (!(copy = malloc(frag_size ? frag_size : 1)))
        goto done;
    memcpy(copy, frag, frag_size);
    if (sv__cenc_parse_fragment(init, copy, frag_size, &f) == 0) {
        if (sv_cdm_clearkey_create(&cdm) == 0 && sv_cdm_clearkey_add_key(cdm, kid, key) == 0)
            sv__cenc_decrypt_fragment(&f, copy, frag_size, cdm);
        if (cdm)
            cdm->destroy(cdm);
        sv__cenc_fragment_reset(&f);
    }
done:
    free(copy);
    free(init);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= 2) {
        size_t n = (size_t)data[0] << 8 | data[1];
        if (n <= size - 2)
            try_init(data + 2, n, data + 2 + n, size - 2 - n);
    }
    try_init(data, size, NULL, 0);
    return 0;
}
