/*
 * Writes seed inputs for tests/fuzz/corpus/fuzz_cenc_boxes: a 16-bit init
 * length, a protected init from fixture.c, then one encrypted fragment.
 * Not a test; run by hand: make_corpus OUTPUT_DIR.
 */
#include <stdio.h>
#include <string.h>

#include "fixture.h"

static int write_one(const char *dir, const char *name, sv_encryption_scheme scheme, int iv_size,
                     uint8_t crypt, uint8_t skip)
{
    uint8_t sample[200];
    const uint8_t *samples[1] = { sample };
    uint32_t sizes[1] = { sizeof(sample) };
    sv_subsample subs[1] = { { 8, 192 } };
    sv__cenc_sample info = { .nb_subsamples = 1, .iv_size = 16 };
    sv__tenc tenc = { .is_protected = 1, .iv_size = (uint8_t)iv_size, .crypt_byte_block = crypt,
                      .skip_byte_block = skip, .constant_iv_size = iv_size ? 0 : 16 };
    sv__buf init, frag;
    fx_layout layout;
    char path[512];

    memcpy(tenc.kid, fx_kid, 16);
    memset(tenc.constant_iv, 0x5c, iv_size ? 0 : 16);
    memset(info.iv, iv_size ? 0x31 : 0x5c, 16);
    for (size_t i = 0; i < sizeof(sample); i++)
        sample[i] = (uint8_t)i;
    sv_encrypted_sample s = { .scheme = scheme, .iv_size = 16, .crypt_byte_block = crypt,
                              .skip_byte_block = skip, .subsamples = subs, .nb_subsamples = 1,
                              .data = sample, .size = sizeof(sample) };
    memcpy(s.iv, info.iv, 16);
    if (sv__cenc_crypt_sample(fx_key, &s, 1) < 0)
        return 1;
    sv__buf_init(&init);
    sv__buf_init(&frag);
    fx_init(&init, sv__cenc_scheme_fourcc(scheme), &tenc);
    fx_frag f = { .samples = samples, .sizes = sizes, .info = &info, .subsamples = subs, .nb = 1,
                  .iv_size = iv_size, .with_subsamples = 1 };
    fx_fragment(&frag, &f, &layout);
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *out = fopen(path, "wb");
    if (!out || init.err || frag.err)
        return 1;
    uint8_t len[2] = { (uint8_t)(init.size >> 8), (uint8_t)init.size };
    fwrite(len, 1, 2, out);
    fwrite(init.data, 1, init.size, out);
    fwrite(frag.data, 1, frag.size, out);
    fclose(out);
    sv__buf_free(&init);
    sv__buf_free(&frag);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    return write_one(argv[1], "cenc_iv8.bin", SV_SCHEME_CENC, 8, 0, 0) |
           write_one(argv[1], "cbcs_constant_iv.bin", SV_SCHEME_CBCS, 0, 1, 9) |
           write_one(argv[1], "cens_iv16.bin", SV_SCHEME_CENS, 16, 1, 9) |
           write_one(argv[1], "cbc1_iv16.bin", SV_SCHEME_CBC1, 16, 0, 0);
}
