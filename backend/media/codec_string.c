/*
 * What an init segment says about its video track: the sample entry and its
 * decoder configuration (avcC, hvcC, av1C), and the RFC 6381 string the
 * manifests carry, read from that configuration:
 *  - avc1.PPCCLL: profile, constraint flags and level of avcC;
 *  - hvc1.<space><profile>.<compat>.<tier><level>.<constraints> (ISO/IEC
 *    14496-15 E.3) from hvcC's profile_tier_level copy: the compatibility
 *    flags bit-reversed in hex, the constraint bytes in hex with trailing
 *    zero bytes left out;
 *  - av01.P.LLT.DD[.M.CCC.cp.tc.mc.F] (AV1-ISOBMFF "Codecs Parameter
 *    String") from the sequence header OBU in av1C's configOBUs, parsed by
 *    GStreamer's AV1 parser; the colour fields come from a colr nclx box
 *    when the entry has one, and the optional tail is left out when it
 *    holds the defaults, as the specification asks.
 */
#include <stdio.h>
#include <string.h>

#define GST_USE_UNSTABLE_API 1
#include <gst/codecparsers/gstav1parser.h>

#include "backend/media/internal.h"
#include "drm/package.h"
#include "streamverse/common.h"

#define T(a, b, c, d) SV__FOURCC(a, b, c, d)

static int is_path(uint32_t type)
{
    return type == T('m', 'o', 'o', 'v') || type == T('t', 'r', 'a', 'k') ||
           type == T('m', 'd', 'i', 'a') || type == T('m', 'i', 'n', 'f') ||
           type == T('s', 't', 'b', 'l');
}

/* Descends moov/trak/mdia/minf/stbl to stsd's first entry. */
static int find_entry(const uint8_t *data, size_t size, sv__box *entry)
{
    sv__box_iter it;
    sv__box b;
    int ret;

    sv__box_iter_init(&it, data, size);
    while ((ret = sv__box_next(&it, &b)) == 1) {
        if (b.type == T('s', 't', 's', 'd')) {
            if (b.payload_size < 8)
                return SV_ERR_PARSE;
            sv__box_iter_init(&it, b.payload + 8, b.payload_size - 8);
            return sv__box_next(&it, entry) == 1 ? 1 : SV_ERR_PARSE;
        }
        if (is_path(b.type) && (ret = find_entry(b.payload, b.payload_size, entry)) != 0)
            return ret;
    }
    return ret;
}

int sv__init_video_config(const uint8_t *init, size_t size, sv__video_config *out)
{
    sv__box entry, child;
    sv__box_iter it;
    int ret;

    memset(out, 0, sizeof(*out));
    if ((ret = find_entry(init, size, &entry)) != 1)
        return SV_ERR_PARSE;
    out->entry = entry.type;
    /* A visual sample entry has 78 bytes of fixed fields before its boxes. */
    if (entry.payload_size < 78)
        return SV_ERR_PARSE;
    sv__box_iter_init(&it, entry.payload + 78, entry.payload_size - 78);
    while ((ret = sv__box_next(&it, &child)) == 1) {
        if (child.type == T('a', 'v', 'c', 'C') || child.type == T('h', 'v', 'c', 'C') ||
            child.type == T('a', 'v', '1', 'C')) {
            out->config = child.payload;
            out->config_size = child.payload_size;
        } else if (child.type == T('c', 'o', 'l', 'r') && child.payload_size >= 11 &&
                   !memcmp(child.payload, "nclx", 4)) {
            out->colr = child.payload + 4;
            out->colr_size = child.payload_size - 4;
        }
    }
    return ret < 0 || !out->config ? SV_ERR_PARSE : 0;
}

static int hvc1_string(const char *entry, const uint8_t *c, size_t n, char *out, size_t cap)
{
    if (n < 23)
        return SV_ERR_PARSE;
    static const char *const spaces[] = { "", "A", "B", "C" };
    uint32_t compat = sv__rb32(c + 2), rev = 0;
    for (int i = 0; i < 32; i++)
        rev |= ((compat >> i) & 1u) << (31 - i);
    int len = snprintf(out, cap, "%s.%s%d.%X.%c%d", entry, spaces[c[1] >> 6], c[1] & 0x1f, rev,
                       (c[1] & 0x20) ? 'H' : 'L', c[12]);
    int last = 5;
    while (last >= 0 && c[6 + last] == 0)
        last--;
    for (int i = 0; i <= last && len > 0 && (size_t)len < cap; i++)
        len += snprintf(out + len, cap - (size_t)len, ".%X", c[6 + i]);
    return len > 0 && (size_t)len < cap ? 0 : SV_ERR_OVERFLOW;
}

static int av01_string(const sv__video_config *vc, char *out, size_t cap)
{
    const uint8_t *c = vc->config;
    GstAV1SequenceHeaderOBU seq;
    GstAV1OBU obu;
    guint32 consumed = 0;
    int found = 0;

    if (vc->config_size < 4 || (c[0] & 0x7f) != 1)
        return SV_ERR_PARSE;
    GstAV1Parser *p = gst_av1_parser_new();
    if (!p)
        return SV_ERR_NOMEM;
    for (size_t off = 4; off < vc->config_size && !found; off += consumed) {
        if (gst_av1_parser_identify_one_obu(p, c + off, (guint32)(vc->config_size - off), &obu,
                                            &consumed) != GST_AV1_PARSER_OK || consumed == 0)
            break;
        if (obu.obu_type == GST_AV1_OBU_SEQUENCE_HEADER)
            found = gst_av1_parser_parse_sequence_header_obu(p, &obu, &seq) == GST_AV1_PARSER_OK;
    }
    gst_av1_parser_free(p);
    if (!found)
        return SV_ERR_PARSE;

    const GstAV1ColorConfig *cc = &seq.color_config;
    int cp = 1, tc = 1, mc = 1, full = cc->color_range ? 1 : 0;
    if (vc->colr && vc->colr_size >= 7) {
        cp = sv__rb16(vc->colr);
        tc = sv__rb16(vc->colr + 2);
        mc = sv__rb16(vc->colr + 4);
        full = vc->colr[6] >> 7;
    } else if (cc->color_description_present_flag) {
        cp = cc->color_primaries;
        tc = cc->transfer_characteristics;
        mc = cc->matrix_coefficients;
    }
    int sub = cc->subsampling_x * 100 + cc->subsampling_y * 10 +
              (cc->subsampling_x && cc->subsampling_y ? (int)cc->chroma_sample_position : 0);
    int len = snprintf(out, cap, "av01.%d.%02d%c.%02d", seq.seq_profile,
                       seq.operating_points[0].seq_level_idx,
                       seq.operating_points[0].seq_tier ? 'H' : 'M', seq.bit_depth);
    if (len > 0 && (size_t)len < cap &&
        (cc->mono_chrome || sub != 110 || cp != 1 || tc != 1 || mc != 1 || full))
        len += snprintf(out + len, cap - (size_t)len, ".%d.%03d.%02d.%02d.%02d.%d",
                        cc->mono_chrome ? 1 : 0, sub, cp, tc, mc, full);
    return len > 0 && (size_t)len < cap ? 0 : SV_ERR_OVERFLOW;
}

int sv__codec_string(const sv__video_config *vc, char *out, size_t cap)
{
    switch (vc->entry) {
    case T('a', 'v', 'c', '1'):
    case T('a', 'v', 'c', '3'):
        return sv__avc1_codecs(vc->config, (int)vc->config_size, out, cap);
    case T('h', 'v', 'c', '1'):
        return hvc1_string("hvc1", vc->config, vc->config_size, out, cap);
    case T('h', 'e', 'v', '1'):
        return hvc1_string("hev1", vc->config, vc->config_size, out, cap);
    case T('a', 'v', '0', '1'):
        return av01_string(vc, out, cap);
    default:
        return SV_ERR_UNSUPPORTED;
    }
}
