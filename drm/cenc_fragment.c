/* Decrypting a parsed fragment through a CDM, one sample at a time. */
#include <string.h>

#include "cenc.h"

void sv__cenc_fragment_sample(const sv__cenc_fragment *f, size_t i, uint8_t *data,
                              sv_encrypted_sample *s)
{
    const sv__cenc_sample *cs = &f->samples[i];

    memset(s, 0, sizeof(*s));
    s->scheme = cs->scheme;
    memcpy(s->kid, cs->kid, 16);
    memcpy(s->iv, cs->iv, 16);
    s->iv_size = cs->iv_size;
    s->crypt_byte_block = cs->crypt_byte_block;
    s->skip_byte_block = cs->skip_byte_block;
    s->subsamples = cs->nb_subsamples ? &f->subsamples[cs->first_subsample] : NULL;
    s->nb_subsamples = cs->nb_subsamples;
    s->data = data + cs->offset;
    s->size = cs->size;
}

int sv__cenc_decrypt_fragment(const sv__cenc_fragment *f, uint8_t *data, size_t size,
                              sv_cdm *cdm)
{
    sv_encrypted_sample s;

    if (!f || !data || !cdm || !cdm->decrypt)
        return SV_ERR_INVALID;
    for (size_t i = 0; i < f->nb_samples; i++) {
        const sv__cenc_sample *cs = &f->samples[i];
        if (!cs->is_protected)
            continue;
        /* The parser checked this against the same buffer; a caller that
         * passes another one must not make us write outside it. */
        if (cs->offset > size || cs->size > size - cs->offset)
            return SV_ERR_RANGE;
        sv__cenc_fragment_sample(f, i, data, &s);
        int ret = cdm->decrypt(cdm->opaque, &s);
        if (ret < 0)
            return ret;
    }
    return 0;
}
