/*
 * SCTE-35 splice_info_section reader (scte35.h). The section is read with a
 * bit reader that stops at its limit: a read past it sets a flag and returns
 * zeros, and each structure checks the flag before its values are used.
 */
#include <string.h>

#include <libavutil/crc.h>

#include "player/manifest/scte35.h"
#include "platform/hex.h"

#define TABLE_ID 0xFC
#define SPLICE_INSERT 0x05
#define TIME_SIGNAL 0x06
#define SEGMENTATION_DESCRIPTOR 0x02
#define PTS_MASK ((UINT64_C(1) << 33) - 1)

typedef struct bits {
    const uint8_t *p;
    size_t size;   /* bytes */
    size_t pos;    /* bits read */
    int over;      /* a read went past size */
} bits;

static uint64_t get(bits *b, int n)
{
    uint64_t v = 0;

    if (b->over || (size_t)n > b->size * 8 - b->pos) {
        b->over = 1;
        return 0;
    }
    for (int i = 0; i < n; i++, b->pos++)
        v = v << 1 | (uint64_t)((b->p[b->pos >> 3] >> (7 - (b->pos & 7))) & 1);
    return v;
}

/* A reader over the next `len` bytes of b (which must be byte-aligned);
 * b moves past them. */
static bits sub(bits *b, size_t len)
{
    bits s = { .p = b->p + b->pos / 8, .size = len };
    if (b->over || b->pos % 8 || len > b->size - b->pos / 8) {
        b->over = 1;
        s.size = 0;
        s.over = 1;
        return s;
    }
    b->pos += len * 8;
    return s;
}

void sv__scte35_none(sv_scte35_info *out)
{
    memset(out, 0, sizeof(*out));
    out->command = -1;
    out->out_of_network = -1;
    out->pts_s = -1;
    out->duration_s = -1;
    out->segmentation_type = -1;
}

/* splice_time(): fills *pts (-1 without time_specified_flag). */
static void splice_time(bits *b, int64_t *pts)
{
    if (get(b, 1)) {
        get(b, 6);
        *pts = (int64_t)get(b, 33);
    } else {
        get(b, 7);
        *pts = -1;
    }
}

static void break_duration(bits *b, sv_scte35_info *out)
{
    out->auto_return = (int)get(b, 1);
    get(b, 6);
    out->duration_s = (double)get(b, 33) / 90000.0;
}

static int splice_insert(bits *b, sv_scte35_info *out, int64_t *pts, sv__parse_error *err)
{
    out->event_id = (uint32_t)get(b, 32);
    out->cancel = (int)get(b, 1);
    get(b, 7);
    if (out->cancel)
        return 0;
    int out_net = (int)get(b, 1), program = (int)get(b, 1), has_duration = (int)get(b, 1);
    out->immediate = (int)get(b, 1);
    get(b, 4);
    out->out_of_network = out_net;
    if (program && !out->immediate)
        splice_time(b, pts);
    if (!program) {
        int count = (int)get(b, 8);
        for (int i = 0; i < count && !b->over; i++) {
            get(b, 8); /* component_tag */
            int64_t cpts = -1;
            if (!out->immediate)
                splice_time(b, &cpts);
            if (i == 0)
                *pts = cpts;
        }
    }
    if (has_duration)
        break_duration(b, out);
    get(b, 16); /* unique_program_id */
    get(b, 16); /* avail_num, avails_expected */
    if (b->over)
        return sv__parse_fail(err, 0, "scte35: splice_insert runs past its %zu bytes", b->size);
    return 0;
}

/* Segmentation types that start a break (ad, placement opportunity,
 * program breakaway...) and the ones that end it: the starts are even,
 * their ends the next odd number (SCTE 35 table 23). */
static int segmentation_out(int type)
{
    if (type >= 0x22 && type <= 0x47)
        return (type & 1) ? 0 : 1;
    return -1;
}

static int segmentation_descriptor(bits *d, sv_scte35_info *out, sv__parse_error *err)
{
    uint32_t id = (uint32_t)get(d, 32);
    int cancel = (int)get(d, 1);
    get(d, 7);
    if (d->over)
        return sv__parse_fail(err, 0, "scte35: segmentation_descriptor of %zu bytes is too short",
                              d->size);
    if (!out->event_id)
        out->event_id = id;
    if (cancel) {
        out->cancel = 1;
        return 0;
    }
    int program = (int)get(d, 1), has_duration = (int)get(d, 1);
    get(d, 6); /* delivery_not_restricted and its flags */
    if (!program) {
        int count = (int)get(d, 8);
        for (int i = 0; i < count && !d->over; i++)
            get(d, 48); /* component_tag, reserved, pts_offset */
    }
    if (has_duration) {
        double dur = (double)get(d, 40) / 90000.0;
        if (out->duration_s < 0)
            out->duration_s = dur;
    }
    get(d, 8); /* segmentation_upid_type */
    size_t upid_len = (size_t)get(d, 8);
    if (!d->over)
        (void)sub(d, upid_len);
    int type = (int)get(d, 8);
    get(d, 16); /* segment_num, segments_expected */
    if (d->over)
        return sv__parse_fail(err, 0, "scte35: segmentation_descriptor runs past its %zu bytes",
                              d->size);
    out->segmentation_type = type;
    if (out->out_of_network < 0)
        out->out_of_network = segmentation_out(type);
    return 0;
}

static int descriptors(bits *b, sv_scte35_info *out, sv__parse_error *err)
{
    size_t loop_len = (size_t)get(b, 16);
    if (b->over)
        return sv__parse_fail(err, 0, "scte35: the section ends before descriptor_loop_length");
    bits loop = sub(b, loop_len);
    if (loop.over)
        return sv__parse_fail(err, 0,
                              "scte35: descriptor_loop_length %zu runs past the section's end",
                              loop_len);
    int seen_segmentation = 0;
    while (loop.pos < loop.size * 8) {
        int tag = (int)get(&loop, 8);
        size_t len = (size_t)get(&loop, 8);
        bits d = sub(&loop, len);
        if (loop.over)
            return sv__parse_fail(err, 0,
                                  "scte35: splice descriptor 0x%02x of %zu bytes runs past the "
                                  "descriptor loop (%zu bytes)", tag, len, loop.size);
        if (len < 4)
            return sv__parse_fail(err, 0,
                                  "scte35: splice descriptor 0x%02x has %zu bytes, fewer than "
                                  "its 4-byte identifier", tag, len);
        get(&d, 32); /* identifier, "CUEI" */
        if (tag == SEGMENTATION_DESCRIPTOR && !seen_segmentation) {
            seen_segmentation = 1;
            int r = segmentation_descriptor(&d, out, err);
            if (r < 0)
                return r;
        }
    }
    return 0;
}

int sv__scte35_parse(const uint8_t *data, size_t size, sv_scte35_info *out,
                     sv__parse_error *err)
{
    sv_scte35_info info;
    int r;

    sv__scte35_none(out);
    sv__scte35_none(&info);
    if (!data || size < 3)
        return sv__parse_fail(err, 0, "scte35: %zu bytes, fewer than a section header", size);
    if (data[0] != TABLE_ID)
        return sv__parse_fail(err, 0, "scte35: table_id 0x%02x, not 0xfc", data[0]);
    size_t section_len = (size_t)(data[1] & 0x0f) << 8 | data[2];
    if (section_len + 3 > size)
        return sv__parse_fail(err, 0, "scte35: section_length %zu needs %zu bytes, %zu given",
                              section_len, section_len + 3, size);
    if (section_len < 11 + 2 + 4)
        return sv__parse_fail(err, 0, "scte35: section_length %zu is under the minimum 17",
                              section_len);
    size = section_len + 3;
    if (av_crc(av_crc_get_table(AV_CRC_32_IEEE), UINT32_MAX, data, size) != 0)
        return sv__parse_fail(err, 0, "scte35: CRC_32 does not match the section's %zu bytes",
                              size);
    bits b = { .p = data + 3, .size = size - 3 - 4 };
    get(&b, 8); /* protocol_version */
    if (get(&b, 1))
        return sv__parse_fail(err, 0, "scte35: encrypted_packet is set (not supported)");
    get(&b, 6);
    uint64_t pts_adjustment = get(&b, 33);
    get(&b, 8);  /* cw_index */
    get(&b, 12); /* tier */
    size_t cmd_len = (size_t)get(&b, 12);
    info.command = (int)get(&b, 8);
    if (b.over)
        return sv__parse_fail(err, 0, "scte35: the section ends inside its header");
    if (cmd_len == 0xfff) {
        /* Legacy: the length is unknown, so only commands of known shape
         * can be read; they read from the rest of the section. */
        if (info.command != SPLICE_INSERT && info.command != TIME_SIGNAL && info.command != 0)
            return sv__parse_fail(err, 0, "scte35: splice_command_length 0xfff with command "
                                  "0x%02x, whose length is unknown", info.command);
        cmd_len = b.size - b.pos / 8;
    }
    bits cmd = sub(&b, cmd_len);
    if (cmd.over)
        return sv__parse_fail(err, 0, "scte35: splice_command_length %zu runs past the "
                              "section's end", cmd_len);
    int64_t pts = -1;
    if (info.command == SPLICE_INSERT) {
        if ((r = splice_insert(&cmd, &info, &pts, err)) < 0)
            return r;
    } else if (info.command == TIME_SIGNAL) {
        splice_time(&cmd, &pts);
        if (cmd.over)
            return sv__parse_fail(err, 0, "scte35: time_signal of %zu bytes is too short",
                                  cmd_len);
    }
    if (b.size * 8 - b.pos >= 16 && (r = descriptors(&b, &info, err)) < 0)
        return r;
    if (pts >= 0)
        info.pts_s = (double)(((uint64_t)pts + pts_adjustment) & PTS_MASK) / 90000.0;
    *out = info;
    return 0;
}

int sv__scte35_hex(const char *text, size_t len, uint8_t *out, size_t cap)
{
    if (len >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        text += 2;
        len -= 2;
    }
    if (len % 2)
        return SV_ERR_PARSE;
    if (len / 2 > cap)
        return SV_ERR_OVERFLOW;
    for (size_t i = 0; i < len / 2; i++) {
        int hi = sv__hex_digit(text[2 * i]), lo = sv__hex_digit(text[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return SV_ERR_PARSE;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return (int)(len / 2);
}
