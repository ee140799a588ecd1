/*
 * The layout of a protected track's samples (internal.h): chooses the
 * codec's implementation from the init segment's sample entry.
 */
#include "backend/media/layout.h"
#include "drm/package.h"
#include "streamverse/common.h"

#define T(a, b, c, d) SV__FOURCC(a, b, c, d)

int sv__layout_create(const sv__video_config *vc, sv__layout **out)
{
    *out = NULL;
    if (vc->entry == T('h', 'v', 'c', '1') || vc->entry == T('h', 'e', 'v', '1'))
        return sv__layout_create_hevc(vc, out);
    if (vc->entry == T('a', 'v', '0', '1'))
        return sv__layout_create_av1(vc, out);
    return SV_ERR_UNSUPPORTED;
}

int sv__layout_sample(sv__layout *l, const uint8_t *sample, size_t size, sv__cenc_range *out,
                      size_t max)
{
    return l->sample(l, sample, size, out, max);
}

void sv__layout_destroy(sv__layout *l)
{
    if (l)
        l->destroy(l);
}
