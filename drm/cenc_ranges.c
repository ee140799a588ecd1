/*
 * The subsample map from protectable ranges (package.h): what the HEVC and
 * AV1 rules of Common Encryption leave to the codec's syntax (which bytes
 * are slice data or tile data) is found by the caller; what the schemes
 * add is here: 'cenc' protects whole 16-byte blocks ending on a range's
 * last byte, 'cbcs' the range exactly, one subsample per range.
 */
#include "package.h"

int sv__subsample_emit(sv_subsample *out, size_t max, size_t *n, size_t clear, size_t prot)
{
    while (clear > UINT16_MAX) {
        if (*n == max)
            return SV_ERR_OVERFLOW;
        out[(*n)++] = (sv_subsample){ UINT16_MAX, 0 };
        clear -= UINT16_MAX;
    }
    if (*n == max)
        return SV_ERR_OVERFLOW;
    if (prot > UINT32_MAX)
        return SV_ERR_RANGE;
    out[(*n)++] = (sv_subsample){ (uint32_t)clear, (uint32_t)prot };
    return 0;
}

int sv__cenc_range_subsamples(size_t sample_size, const sv__cenc_range *ranges, size_t n,
                              int whole_blocks, sv_subsample *out, size_t max)
{
    size_t pos = 0, clear = 0, count = 0;
    int ret;

    if (!out || (n && !ranges))
        return SV_ERR_INVALID;
    for (size_t i = 0; i < n; i++) {
        const sv__cenc_range *r = &ranges[i];
        if (r->offset < pos || r->size > sample_size || r->offset > sample_size - r->size)
            return SV_ERR_INVALID;
        size_t prot = whole_blocks ? r->size & ~(size_t)15 : r->size;
        clear += r->offset - pos + (r->size - prot);
        pos = r->offset + r->size;
        if (prot == 0 && whole_blocks)
            continue;   /* under one block: clear, in the run that goes on */
        if ((ret = sv__subsample_emit(out, max, &count, clear, prot)) < 0)
            return ret;
        clear = 0;
    }
    clear += sample_size - pos;
    if ((clear || count == 0) && (ret = sv__subsample_emit(out, max, &count, clear, 0)) < 0)
        return ret;
    return count > INT32_MAX ? SV_ERR_RANGE : (int)count;
}
