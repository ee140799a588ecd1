/*
 * backend/media/layout.h - the contract of the per-codec layouts
 * (layout_hevc.c, layout_av1.c): a descriptor the generic sv__layout_*
 * calls of internal.h dispatch through (layout.c).
 */
#ifndef SV_BACKEND_MEDIA_LAYOUT_H
#define SV_BACKEND_MEDIA_LAYOUT_H

#include "backend/media/internal.h"

struct sv__layout {
    int (*sample)(sv__layout *l, const uint8_t *sample, size_t size, sv__cenc_range *out,
                  size_t max);
    void (*destroy)(sv__layout *l);
};

#endif
