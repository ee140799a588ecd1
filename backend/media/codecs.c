/*
 * RFC 6381 codec strings for the manifests. For H.264 the string is
 * "avc1." followed by profile_idc, the constraint flags byte and level_idc
 * of the SPS, in hex: the three bytes right after the SPS NAL header.
 */
#include <stdio.h>

#include "backend/media/internal.h"
#include "streamverse/common.h"

int sv__avc1_codecs(const uint8_t *extradata, int size, char *out, size_t outlen)
{
    const uint8_t *sps = NULL;
    if (!extradata || size < 4)
        return SV_ERR_PARSE;
    if (extradata[0] == 1) {
        /* avcC: version, profile, compatibility, level, ... */
        sps = extradata + 1;
    } else {
        /* Annex B: find the start code of the NAL unit of type 7 (SPS). */
        for (int i = 0; i + 6 < size; i++) {
            if (extradata[i] == 0 && extradata[i + 1] == 0 && extradata[i + 2] == 1 &&
                (extradata[i + 3] & 0x1f) == 7) {
                sps = extradata + i + 4;
                break;
            }
        }
    }
    if (!sps)
        return SV_ERR_PARSE;
    snprintf(out, outlen, "avc1.%02x%02x%02x", sps[0], sps[1], sps[2]);
    return 0;
}
