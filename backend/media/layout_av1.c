/*
 * AV1's protectable ranges (internal.h, sv__layout), per AV1-ISOBMFF
 * "Common Encryption": only the decode_tile() bytes of each tile of Frame
 * and Tile Group OBUs may be protected; OBU headers and sizes, sequence
 * and frame headers (also the one inside a Frame OBU), tile group headers,
 * tile sizes and every other OBU stay clear.
 *
 * Where a Frame OBU's tile data starts depends on the length of its frame
 * header, which depends on the sequence header and on the state of the
 * reference frames, so GStreamer's AV1 parser follows the track: the
 * sequence header from av1C first, then every OBU of every sample in
 * decode order, updating the reference state after each frame as a decoder
 * does (a shown existing frame updates it only when it is a key frame).
 */
#include <stdlib.h>
#include <string.h>

#define GST_USE_UNSTABLE_API 1
#include <gst/codecparsers/gstav1parser.h>

#include "backend/media/layout.h"
#include "streamverse/common.h"

typedef struct av1 {
    sv__layout base;
    GstAV1Parser *parser;
    GstAV1FrameOBU frame;            /* large (512 tile entries): kept here */
    GstAV1FrameHeaderOBU header;
    GstAV1TileGroupOBU group;
} av1;

/* Appends the tiles of a tile group whose offsets count from `obu_data`. */
static int add_tiles(const GstAV1TileGroupOBU *tg, size_t obu_data, size_t obu_size,
                     sv__cenc_range *out, size_t max, size_t *n)
{
    for (int t = tg->tg_start; t <= tg->tg_end; t++) {
        const size_t off = tg->entry[t].tile_offset, len = tg->entry[t].tile_size;
        if (off > obu_size || len > obu_size - off)
            return SV_ERR_PARSE;
        if (*n == max)
            return SV_ERR_OVERFLOW;
        out[(*n)++] = (sv__cenc_range){ obu_data + off, len };
    }
    return 0;
}

static int update_refs(av1 *a, GstAV1FrameHeaderOBU *fh)
{
    if (fh->show_existing_frame && fh->frame_type != GST_AV1_KEY_FRAME)
        return 0;
    return gst_av1_parser_reference_frame_update(a->parser, fh) == GST_AV1_PARSER_OK
               ? 0 : SV_ERR_PARSE;
}

static int av1_sample(sv__layout *l, const uint8_t *sample, size_t size, sv__cenc_range *out,
                      size_t max)
{
    av1 *a = (av1 *)l;
    size_t pos = 0, n = 0;
    int ret = 0;

    while (pos < size && ret == 0) {
        GstAV1OBU obu;
        guint32 consumed = 0;
        GstAV1ParserResult r = gst_av1_parser_identify_one_obu(
            a->parser, sample + pos, (guint32)(size - pos), &obu, &consumed);
        if (r == GST_AV1_PARSER_DROP) {
            pos += consumed;   /* not in the operating point: nothing to decode */
            continue;
        }
        if (r != GST_AV1_PARSER_OK || consumed == 0 || consumed > size - pos)
            return SV_ERR_PARSE;
        size_t data = (size_t)(obu.data - sample);
        switch (obu.obu_type) {
        case GST_AV1_OBU_SEQUENCE_HEADER: {
            GstAV1SequenceHeaderOBU seq;
            r = gst_av1_parser_parse_sequence_header_obu(a->parser, &obu, &seq);
            break;
        }
        case GST_AV1_OBU_TEMPORAL_DELIMITER:
            r = gst_av1_parser_parse_temporal_delimiter_obu(a->parser, &obu);
            break;
        case GST_AV1_OBU_FRAME_HEADER:
        case GST_AV1_OBU_REDUNDANT_FRAME_HEADER:
            r = gst_av1_parser_parse_frame_header_obu(a->parser, &obu, &a->header);
            if (r == GST_AV1_PARSER_OK && obu.obu_type == GST_AV1_OBU_FRAME_HEADER)
                ret = update_refs(a, &a->header);
            break;
        case GST_AV1_OBU_FRAME:
            r = gst_av1_parser_parse_frame_obu(a->parser, &obu, &a->frame);
            if (r == GST_AV1_PARSER_OK &&
                (ret = add_tiles(&a->frame.tile_group, data, obu.obu_size, out, max, &n)) == 0)
                ret = update_refs(a, &a->frame.frame_header);
            break;
        case GST_AV1_OBU_TILE_GROUP:
            r = gst_av1_parser_parse_tile_group_obu(a->parser, &obu, &a->group);
            if (r == GST_AV1_PARSER_OK)
                ret = add_tiles(&a->group, data, obu.obu_size, out, max, &n);
            break;
        default:
            break;   /* metadata, padding, tile lists: clear */
        }
        if (r != GST_AV1_PARSER_OK)
            return SV_ERR_PARSE;
        pos += consumed;
    }
    if (ret < 0)
        return ret;
    return n > INT32_MAX ? SV_ERR_RANGE : (int)n;
}

static void av1_destroy(sv__layout *l)
{
    av1 *a = (av1 *)l;
    if (a->parser)
        gst_av1_parser_free(a->parser);
    free(a);
}

int sv__layout_create_av1(const sv__video_config *vc, sv__layout **out)
{
    av1 *a = calloc(1, sizeof(*a));
    sv__cenc_range none[1];

    if (!a)
        return SV_ERR_NOMEM;
    a->base.sample = av1_sample;
    a->base.destroy = av1_destroy;
    if (!(a->parser = gst_av1_parser_new())) {
        av1_destroy(&a->base);
        return SV_ERR_NOMEM;
    }
    /* av1C: four bytes of fields, then configOBUs (the sequence header). */
    if (vc->config_size < 4 ||
        (vc->config_size > 4 &&
         av1_sample(&a->base, vc->config + 4, vc->config_size - 4, none, 0) < 0)) {
        av1_destroy(&a->base);
        return SV_ERR_PARSE;
    }
    *out = &a->base;
    return 0;
}
