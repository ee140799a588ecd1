/*
 * The subsample map for video: which bytes of a length-prefixed AVC/HEVC
 * sample stay clear. Decoders and demuxers must read NAL lengths and headers
 * and whole parameter sets without the key, so those stay clear; slice data
 * is protected in whole 16-byte blocks, the remainder moved to the clear
 * part at the front of the NAL (valid for cenc and cbcs alike).
 */
#include "cenc.h"

static int is_vcl(const uint8_t *nal, sv__nal_codec codec)
{
    if (codec == SV__NAL_HEVC)
        return ((nal[0] >> 1) & 0x3f) < 32;
    int type = nal[0] & 0x1f;
    return type >= 1 && type <= 5;
}

int sv__cenc_nal_subsamples(const uint8_t *sample, size_t size, int length_size,
                            sv__nal_codec codec, sv_subsample *out, size_t max)
{
    size_t pos = 0, pending = 0, n = 0;
    size_t header = codec == SV__NAL_HEVC ? 2 : 1;
    int ret;

    if (length_size < 1 || length_size > 4 || !out || (!sample && size))
        return SV_ERR_INVALID;
    while (pos < size) {
        if (size - pos < (size_t)length_size)
            return SV_ERR_PARSE;
        size_t len = 0;
        for (int i = 0; i < length_size; i++)
            len = len << 8 | sample[pos + (size_t)i];
        if (len > size - pos - (size_t)length_size || len < header)
            return SV_ERR_PARSE;
        const uint8_t *nal = sample + pos + length_size;
        size_t body = len - header;
        if (is_vcl(nal, codec) && body >= 16) {
            size_t prot = body & ~(size_t)15;
            size_t clear = pending + (size_t)length_size + header + (body - prot);
            if (clear > UINT32_MAX || prot > UINT32_MAX)
                return SV_ERR_RANGE;
            if ((ret = sv__subsample_emit(out, max, &n, clear, prot)) < 0)
                return ret;
            pending = 0;
        } else {
            pending += (size_t)length_size + len;
        }
        pos += (size_t)length_size + len;
    }
    if (pending && (ret = sv__subsample_emit(out, max, &n, pending, 0)) < 0)
        return ret;
    return n > INT32_MAX ? SV_ERR_RANGE : (int)n;
}
