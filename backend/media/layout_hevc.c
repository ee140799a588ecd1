/*
 * HEVC's protectable ranges (internal.h, sv__layout): for every VCL NAL
 * unit of a length-prefixed sample, the slice data after its slice segment
 * header. The header's length depends on the SPS and PPS, so GStreamer's
 * H.265 parser reads the parameter sets from hvcC first, then each slice
 * header; NAL lengths, NAL headers, slice headers and every non-VCL NAL
 * unit (parameter sets, SEI) stay clear, as ISO/IEC 23001-7 asks of NAL
 * structured video.
 */
#include <stdlib.h>
#include <string.h>

#define GST_USE_UNSTABLE_API 1
#include <gst/codecparsers/gsth265parser.h>

#include "backend/media/layout.h"
#include "streamverse/common.h"

typedef struct hevc {
    sv__layout base;
    GstH265Parser *parser;
    int length_size;
} hevc;

/* Bytes of a slice NAL unit before its slice data: the NAL header, then
 * the slice segment header's bits, which GStreamer counts in the payload
 * without emulation prevention bytes and up to the end of byte_alignment()
 * (measured on 1.22: every header ends on a byte; CMake asks for 1.22), then
 * the emulation prevention bytes it skipped inside the header. */
static size_t slice_header_bytes(const GstH265NalUnit *nalu, const GstH265SliceHdr *sh)
{
    return nalu->header_bytes + (sh->header_size + 7) / 8 + sh->n_emulation_prevention_bytes;
}

static int hevc_sample(sv__layout *l, const uint8_t *sample, size_t size, sv__cenc_range *out,
                       size_t max)
{
    hevc *h = (hevc *)l;
    size_t n = 0, pos = 0;

    while (pos < size) {
        GstH265NalUnit nalu;
        if (gst_h265_parser_identify_nalu_hevc(h->parser, sample, (guint)pos, size,
                                               (guint8)h->length_size, &nalu) != GST_H265_PARSER_OK)
            return SV_ERR_PARSE;
        if (nalu.type <= GST_H265_NAL_SLICE_CRA_NUT) {
            GstH265SliceHdr sh;
            if (gst_h265_parser_parse_slice_hdr(h->parser, &nalu, &sh) != GST_H265_PARSER_OK)
                return SV_ERR_PARSE;
            size_t head = slice_header_bytes(&nalu, &sh);
            gst_h265_slice_hdr_free(&sh);
            if (head > nalu.size)
                return SV_ERR_PARSE;
            if (head < nalu.size) {
                if (n == max)
                    return SV_ERR_OVERFLOW;
                out[n++] = (sv__cenc_range){ nalu.offset + head, nalu.size - head };
            }
        } else if (nalu.type < GST_H265_NAL_VPS) {
            return SV_ERR_PARSE;   /* reserved VCL types: no slice header we could read */
        }
        pos = nalu.offset + nalu.size;
    }
    return n > INT32_MAX ? SV_ERR_RANGE : (int)n;
}

static void hevc_destroy(sv__layout *l)
{
    hevc *h = (hevc *)l;
    if (h->parser)
        gst_h265_parser_free(h->parser);
    free(h);
}

/* hvcC (ISO/IEC 14496-15 8.3.3): 22 bytes of fields, numOfArrays, then per
 * array a type byte, a 16-bit count and the NAL units, each after a 16-bit
 * length. */
static int read_parameter_sets(hevc *h, const uint8_t *c, size_t size)
{
    if (size < 23)
        return SV_ERR_PARSE;
    h->length_size = (c[21] & 3) + 1;
    size_t pos = 23;
    for (int a = 0; a < c[22]; a++) {
        if (size - pos < 3)
            return SV_ERR_PARSE;
        int count = c[pos + 1] << 8 | c[pos + 2];
        pos += 3;
        for (int i = 0; i < count; i++) {
            GstH265NalUnit nalu;
            if (gst_h265_parser_identify_nalu_hevc(h->parser, c, (guint)pos, size, 2, &nalu) !=
                    GST_H265_PARSER_OK ||
                gst_h265_parser_parse_nal(h->parser, &nalu) != GST_H265_PARSER_OK)
                return SV_ERR_PARSE;
            pos = nalu.offset + nalu.size;
        }
    }
    return 0;
}

int sv__layout_create_hevc(const sv__video_config *vc, sv__layout **out)
{
    hevc *h = calloc(1, sizeof(*h));
    int ret;

    if (!h)
        return SV_ERR_NOMEM;
    h->base.sample = hevc_sample;
    h->base.destroy = hevc_destroy;
    if (!(h->parser = gst_h265_parser_new())) {
        hevc_destroy(&h->base);
        return SV_ERR_NOMEM;
    }
    if ((ret = read_parameter_sets(h, vc->config, vc->config_size)) < 0) {
        hevc_destroy(&h->base);
        return ret;
    }
    *out = &h->base;
    return 0;
}
