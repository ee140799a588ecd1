/*
 * Builds small protected init segments and fragments in memory with the
 * drm/ writers, so the parser tests read boxes a packager would write.
 */
#ifndef SV_TEST_DRM_FIXTURE_H
#define SV_TEST_DRM_FIXTURE_H

#include "drm/cenc.h"

extern const uint8_t fx_kid[16];   /* Shaka's ClearKey test asset KID */
extern const uint8_t fx_key[16];   /* ... and key */

/* ftyp + moov(trak(tkhd, mdia(minf(stbl(stsd(encv{avcC, sinf}))))), mvex(trex), pssh x2).
 * track_id 1. */
void fx_init(sv__buf *b, uint32_t scheme_type, const sv__tenc *tenc);

/* Where things landed in a fragment, for tests that corrupt them. */
typedef struct fx_layout {
    size_t senc;          /* offset of the senc box */
    size_t saiz;
    size_t trun;
    size_t mdat_data;     /* first sample byte */
} fx_layout;

/* One key rotation group: samples [first, first+count) use seig entry `entry`. */
typedef struct fx_frag {
    const uint8_t *const *samples;  /* sample data, already protected */
    const uint32_t *sizes;
    const sv__cenc_sample *info;    /* IV, subsamples */
    const sv_subsample *subsamples;
    size_t nb;
    int iv_size;                    /* 0: constant IV */
    int with_subsamples;
    const sv__tenc *seig;           /* optional: seig entries for key rotation */
    size_t nb_seig;
    const uint32_t *seig_runs;      /* pairs (sample_count, 1-based local index) */
    size_t nb_runs;
} fx_frag;

void fx_fragment(sv__buf *b, const fx_frag *f, fx_layout *layout);

#endif
