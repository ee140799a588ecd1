/*
 * sv-ccgen's parts: the frames' cc_data (ccgen.c writes the clip and the
 * CEA-608 captions, ccgen708.c the CEA-708 services).
 */
#ifndef SV_TESTS_SUPPORT_CCGEN_H
#define SV_TESTS_SUPPORT_CCGEN_H

#include <stdint.h>

#include <libavcodec/packet.h>

#define CCGEN_FPS 25
#define CCGEN_MAX_TRIPLETS 31 /* a frame's cc_count is 5 bits */

typedef struct ccgen_cap {
    double start, end;
    char text[80];          /* the text, '|' between rows */
    int anchor, v, h;       /* 708: anchor point 0-8 and its place in % (@P,V,H) */
    int italic, underline;  /* 708: +i, +u */
    int color;              /* 708: the pen's text colour (SPC code), white unless +y, +c */
} ccgen_cap;

typedef struct ccgen_frame {
    uint8_t t[CCGEN_MAX_TRIPLETS][3];
    int n;
} ccgen_frame;

/* Writes the cues as CEA-708 services 1 and 2 (service 2's text prefixed
 * "S2 ") into the frames' free triplets; `bad`: six pieces of broken DTVCC
 * at 2.7 s that service 1's decoder must skip. Returns 0, or -1 when a
 * caption does not fit. */
int ccgen_708(ccgen_frame *frames, int nb_frames, const ccgen_cap *caps, int nb_caps, int bad);

/* Puts `f`'s cc_data into the HEVC packet `pkt` (Annex B or 4-byte
 * length-prefixed NAL units) as an A/53 prefix SEI before its first VCL NAL
 * unit; nothing when `f` has none. Returns 0 or a negative AVERROR. */
int ccgen_hevc_sei(AVPacket *pkt, const ccgen_frame *f);

#endif
