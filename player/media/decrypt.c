/*
 * Decryption between download and demux: an encrypted init segment is read
 * for its protection (tenc, pssh), its keys are obtained through the CDM
 * (a license request when the CDM lacks them), and it is handed on in its
 * clear form; each media segment is then decrypted in place, sample by
 * sample, before the demuxer sees it. The demuxer never knows.
 *
 * Loop thread only: the CDM is never called from two threads.
 */
#include <stdlib.h>
#include <string.h>

#include "drm/cenc.h"
#include "player/media/media.h"

struct sv__decryptor {
    const sv_allocator *alloc; /* the player's (borrowed) */
    sv__cenc_init init;
    uint8_t *init_data;        /* the encrypted init (init.pssh points into it) */
    size_t init_size;
    int encrypted;
    uint8_t kids[SV__CENC_MAX_TRACKS][16];
    size_t nb_kids;
};

int sv__decryptor_create(sv__decryptor **out, const sv_allocator *alloc)
{
    *out = sv__calloc(alloc, 1, sizeof(**out));
    if (!*out)
        return SV_ERR_NOMEM;
    (*out)->alloc = alloc;
    return 0;
}

void sv__decryptor_destroy(sv__decryptor *d)
{
    if (!d)
        return;
    sv__free(d->alloc, d->init_data);
    sv__free(d->alloc, d);
}

int sv__decryptor_encrypted(const sv__decryptor *d)
{
    return d->encrypted;
}

int sv__decryptor_set_init(sv__decryptor *d, const uint8_t *data, size_t size)
{
    sv__free(d->alloc, d->init_data);
    d->init_data = NULL;
    d->encrypted = 0;
    d->nb_kids = 0;
    memset(&d->init, 0, sizeof(d->init));
    d->init_data = sv__malloc(d->alloc, size ? size : 1);
    if (!d->init_data)
        return SV_ERR_NOMEM;
    memcpy(d->init_data, data, size);
    d->init_size = size;
    /* A TS stream or a segment the CENC parser does not know is clear. */
    if (sv__cenc_parse_init(d->init_data, size, &d->init) < 0)
        return 0;
    for (size_t i = 0; i < d->init.nb_tracks; i++) {
        const sv__cenc_track *t = &d->init.tracks[i];
        if (t->scheme == SV_SCHEME_NONE || !t->tenc.is_protected)
            continue;
        d->encrypted = 1;
        int dup = 0;
        for (size_t k = 0; k < d->nb_kids; k++)
            dup |= !memcmp(d->kids[k], t->tenc.kid, 16);
        if (!dup && d->nb_kids < SV__CENC_MAX_TRACKS)
            memcpy(d->kids[d->nb_kids++], t->tenc.kid, 16);
    }
    return 0;
}

int sv__decryptor_request(sv__decryptor *d, sv_cdm *cdm, const char *license_url,
                          uint8_t **req, size_t *req_size)
{
    sv_cdm_init_data init = { .kids = (const uint8_t (*)[16])d->kids, .nb_kids = d->nb_kids,
                              .license_url = license_url };
    /* Hand the CDM the first pssh it supports, for systems that need one. */
    for (size_t i = 0; i < d->init.nb_pssh; i++) {
        if (cdm->supports && cdm->supports(cdm->opaque, d->init.pssh[i].system_id)) {
            memcpy(init.system_id, d->init.pssh[i].system_id, 16);
            init.pssh = d->init.pssh[i].box;
            init.pssh_size = d->init.pssh[i].box_size;
            break;
        }
    }
    return cdm->create_request(cdm->opaque, &init, req, req_size);
}

int sv__decryptor_clear_init(sv__decryptor *d, uint8_t **out, size_t *out_size)
{
    return sv__cenc_init_rewrite_clear(d->init_data, d->init_size, d->alloc, out, out_size);
}

int sv__decryptor_segment(sv__decryptor *d, sv_cdm *cdm, uint8_t *data, size_t size)
{
    if (!d->encrypted)
        return 0;
    sv__cenc_fragment f;
    memset(&f, 0, sizeof(f));
    f.alloc = d->alloc;
    int r = sv__cenc_parse_fragment(&d->init, data, size, &f);
    if (r == 0)
        r = sv__cenc_decrypt_fragment(&f, data, size, cdm);
    sv__cenc_fragment_reset(&f);
    return r;
}
