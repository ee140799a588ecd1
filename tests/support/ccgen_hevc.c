/*
 * ccgen_hevc.c - sv-ccgen --hevc's caption writer. FFmpeg 5.1's libx265
 * wrapper has no a53cc, so the cc_data of a frame goes into its access
 * unit here, as broadcast HEVC encoders write it: a prefix SEI NAL unit
 * (nal_unit_type 39) with one user_data_registered_itu_t_t35 message
 * (payload type 4: country 0xB5, provider 0x0031, "GA94",
 * user_data_type_code 3, the cc_data triplets, marker 0xFF), emulation
 * prevention bytes and the trailing rbsp bits, placed before the first VCL
 * NAL unit of the packet. The packet may be Annex B (as libx265 gives it;
 * the MP4 muxer then writes it length-prefixed beside the hvcC) or already
 * length-prefixed (4-byte lengths). Reading it back is libavcodec's.
 */
#include <string.h>

#include <libavcodec/avcodec.h>

#include "ccgen.h"

#define SEI_MAX 256

/* The SEI NAL unit (header, escaped payload, rbsp trailing bits) for `f`. */
static int sei_nal(const ccgen_frame *f, uint8_t *out)
{
    uint8_t rbsp[SEI_MAX];
    int n = 0, o = 0, zeros = 0;
    int size = 3 + 4 + 1 + 1 + 1 + f->n * 3 + 1; /* t35 header, GA94, type, count, em, cc, marker */

    rbsp[n++] = 4;           /* payload_type: user_data_registered_itu_t_t35 */
    rbsp[n++] = (uint8_t)size; /* payload_size (< 255 with 31 triplets) */
    rbsp[n++] = 0xb5;        /* itu_t_t35_country_code: United States */
    rbsp[n++] = 0x00;        /* itu_t_t35_provider_code 0x0031: ATSC */
    rbsp[n++] = 0x31;
    memcpy(rbsp + n, "GA94", 4);
    n += 4;
    rbsp[n++] = 0x03;                             /* user_data_type_code: cc_data */
    rbsp[n++] = (uint8_t)(0x40 | (f->n & 0x1f)); /* process_cc_data_flag, cc_count */
    rbsp[n++] = 0xff;                             /* em_data */
    memcpy(rbsp + n, f->t, (size_t)f->n * 3);
    n += f->n * 3;
    rbsp[n++] = 0xff; /* marker_bits */
    rbsp[n++] = 0x80; /* rbsp_trailing_bits */

    /* Escapes 00 00 0x (x <= 3). Well-formed cc_data never needs it (the
     * first byte of each triplet is 0xF8-0xFF), but broken data may. */
    out[o++] = 39 << 1; /* forbidden_zero_bit 0, nal_unit_type 39: prefix SEI */
    out[o++] = 0x01;    /* nuh_layer_id 0, nuh_temporal_id_plus1 1 */
    for (int i = 0; i < n; i++) {
        if (zeros == 2 && rbsp[i] <= 3) {
            out[o++] = 0x03; /* emulation_prevention_three_byte */
            zeros = 0;
        }
        out[o++] = rbsp[i];
        zeros = rbsp[i] ? 0 : zeros + 1;
    }
    return o;
}

/* Offset of the first VCL NAL unit's start code or length field, or -1. */
static int first_vcl(const uint8_t *d, int size, int annexb)
{
    int i = 0;
    while (i + 4 < size) {
        int hdr, next;
        if (annexb) {
            int sc = d[i + 2] == 1 ? 3 : 4;
            hdr = i + sc;
            for (next = hdr; next + 3 <= size; next++)
                if (!d[next] && !d[next + 1] && (d[next + 2] == 1 || (!d[next + 2] && next + 3 < size &&
                                                                      d[next + 3] == 1)))
                    break;
            if (next + 3 > size)
                next = size;
        } else {
            uint32_t len = (uint32_t)d[i] << 24 | (uint32_t)d[i + 1] << 16 | d[i + 2] << 8 | d[i + 3];
            hdr = i + 4;
            if (len > (uint32_t)(size - hdr))
                return -1;
            next = hdr + (int)len;
        }
        if (hdr < size && ((d[hdr] >> 1) & 0x3f) < 32)
            return i;
        i = next;
    }
    return -1;
}

int ccgen_hevc_sei(AVPacket *pkt, const ccgen_frame *f)
{
    uint8_t nal[SEI_MAX * 2];
    int annexb, at, len, ret;
    AVPacket *out;

    if (!f->n)
        return 0;
    annexb = pkt->size > 4 && !pkt->data[0] && !pkt->data[1] &&
             (pkt->data[2] == 1 || (!pkt->data[2] && pkt->data[3] == 1));
    at = first_vcl(pkt->data, pkt->size, annexb);
    if (at < 0)
        return AVERROR_INVALIDDATA;
    len = sei_nal(f, nal + 4);
    nal[0] = annexb ? 0 : (uint8_t)(len >> 24);
    nal[1] = annexb ? 0 : (uint8_t)(len >> 16);
    nal[2] = annexb ? 0 : (uint8_t)(len >> 8);
    nal[3] = annexb ? 1 : (uint8_t)len;
    if (!(out = av_packet_alloc()))
        return AVERROR(ENOMEM);
    if ((ret = av_new_packet(out, pkt->size + len + 4)) < 0 ||
        (ret = av_packet_copy_props(out, pkt)) < 0) {
        av_packet_free(&out);
        return ret;
    }
    memcpy(out->data, pkt->data, (size_t)at);
    memcpy(out->data + at, nal, (size_t)len + 4);
    memcpy(out->data + at + len + 4, pkt->data + at, (size_t)(pkt->size - at));
    av_packet_unref(pkt);
    av_packet_move_ref(pkt, out);
    av_packet_free(&out);
    return 0;
}
