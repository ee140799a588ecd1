/*
 * sv-ccgen: makes an H.264 MP4 that carries CEA-608 captions the way
 * broadcast encoders do (ATSC A/53 cc_data in SEI user data, through
 * libx264's a53cc), for the caption tests.
 *
 *   sv-ccgen [--hevc] [--708] [--bad-708] [--blue] OUT.mp4 SECONDS CUES
 *
 * CUES is a text file, one caption per line: "START END TEXT" (seconds,
 * TEXT of letters, digits, spaces and . , ! ? ' - up to 32 characters; a
 * '|' splits it over rows 14 and 15). Each caption is loaded pop-on style
 * (RCL, PACs, characters) half a second before START, shown at START (EOC)
 * and erased at END (EDM), channel CC1, control codes sent twice as
 * encoders do. The picture is a moving grey ramp at 320x240, 25 fps.
 *
 * --708 also writes each caption as CEA-708 services 1 and 2 (ccgen708.c;
 * service 2's text begins "S2 "); a caption line may then begin with
 * "@P,V,H" (the window's anchor point 0-8 and its place, % of the picture
 * down and across; default @7,90,50) and "+i", "+u" (italics, underline),
 * "+y", "+c" (yellow or cyan text, else white).
 * --bad-708 adds six pieces of broken DTVCC at 2.7 s (ccgen708.c).
 * --hevc encodes the same picture with libx265 instead and writes the same
 * cc_data into each access unit as a prefix SEI (ccgen_hevc.c).
 * --blue makes the picture a flat dark blue (about #20207c), which a
 * screenshot test can find.
 *
 * The 608 byte pairs are test data written by this generator; reading them
 * back is libavcodec's (ffmpeg's `movie=...[out+subcc]` and the player).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/log.h>
#include <libavutil/opt.h>

#include "ccgen.h"

#define FPS CCGEN_FPS
#define MAX_CAPS 256

typedef ccgen_cap cap;
typedef ccgen_frame frame_cc;

static uint8_t parity(uint8_t b)
{
    int ones = 0;
    for (int i = 0; i < 7; i++)
        ones += (b >> i) & 1;
    return (uint8_t)((b & 0x7f) | (ones % 2 ? 0 : 0x80));
}

static void pair(frame_cc *f, uint8_t a, uint8_t b)
{
    if (f->n < CCGEN_MAX_TRIPLETS) {
        f->t[f->n][0] = 0xfc; /* marker bits, cc_valid, cc_type 0: field 1 */
        f->t[f->n][1] = parity(a);
        f->t[f->n][2] = parity(b);
        f->n++;
    }
}

static void control(frame_cc *f, uint8_t a, uint8_t b)
{
    pair(f, a, b);
    pair(f, a, b); /* sent twice; a decoder ignores the repeat */
}

/* Loads `text` into non-displayed memory: rows 14 and 15 when split by '|'. */
static void load(frame_cc *f, const char *text)
{
    const char *bar = strchr(text, '|');
    control(f, 0x14, 0x20); /* RCL: resume caption loading */
    control(f, 0x14, 0x2e); /* ENM: erase non-displayed memory */
    for (int row = bar ? 14 : 15; row <= 15; row++) {
        const char *s = row == 14 || !bar ? text : bar + 1;
        size_t len = row == 14 ? (size_t)(bar - text) : strlen(s);
        control(f, 0x14, row == 14 ? 0x40 : 0x60); /* PAC: the row, white, column 0 */
        for (size_t i = 0; i < len; i += 2)
            pair(f, (uint8_t)s[i], i + 1 < len ? (uint8_t)s[i + 1] : 0x00);
    }
}

static int read_caps(const char *path, cap *caps, int *n)
{
    FILE *in = fopen(path, "r");
    char line[256];
    if (!in)
        return -1;
    *n = 0;
    while (fgets(line, sizeof(line), in) && *n < MAX_CAPS) {
        cap *c = &caps[*n];
        int used = 0, more = 0;
        if (sscanf(line, "%lf %lf %n", &c->start, &c->end, &used) < 2 || !used)
            continue;
        c->anchor = 7, c->v = 90, c->h = 50, c->italic = c->underline = 0, c->color = 0x3f;
        if (sscanf(line + used, "@%d,%d,%d %n", &c->anchor, &c->v, &c->h, &more) == 3 && more)
            used += more;
        for (; line[used] == '+' && line[used + 1] && line[used + 2] == ' '; used += 3) {
            c->italic |= line[used + 1] == 'i';
            c->underline |= line[used + 1] == 'u';
            if (line[used + 1] == 'y' || line[used + 1] == 'c')
                c->color = line[used + 1] == 'y' ? 0x3c : 0x0f; /* yellow, cyan */
        }
        snprintf(c->text, sizeof(c->text), "%s", line + used);
        c->text[strcspn(c->text, "\r\n")] = '\0';
        if (strlen(c->text) > 65 || c->end <= c->start || c->start < 0.6 || c->anchor < 0 ||
            c->anchor > 8 || c->v < 0 || c->v > 99 || c->h < 0 || c->h > 99) {
            fprintf(stderr, "sv-ccgen: bad caption line: %s", line);
            fclose(in);
            return -1;
        }
        (*n)++;
    }
    fclose(in);
    return 0;
}

/* Encodes `fr` (NULL: drains) and writes the packets; `cc`: the frames'
 * cc_data to put into the HEVC packets' SEI, NULL when the encoder does. */
static int encode(AVCodecContext *enc, AVFormatContext *oc, AVStream *st, AVFrame *fr,
                  AVPacket *pkt, const frame_cc *cc, int frames)
{
    int ret = avcodec_send_frame(enc, fr);
    while (ret >= 0) {
        ret = avcodec_receive_packet(enc, pkt);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return 0;
        if (ret < 0)
            return ret;
        if (cc && pkt->pts >= 0 && pkt->pts < frames &&
            (ret = ccgen_hevc_sei(pkt, &cc[pkt->pts])) < 0)
            return ret;
        av_packet_rescale_ts(pkt, enc->time_base, st->time_base);
        pkt->stream_index = st->index;
        if ((ret = av_interleaved_write_frame(oc, pkt)) < 0)
            return ret;
    }
    return ret;
}

int main(int argc, char **argv)
{
    static cap caps[MAX_CAPS];
    static frame_cc cc[FPS * 600];
    int ncaps, ret = 1, with_708 = 0, bad_708 = 0, blue = 0, hevc = 0;

    for (; argc > 1 && !strncmp(argv[1], "--", 2); argc--, argv++) {
        if (!strcmp(argv[1], "--708"))
            with_708 = 1;
        else if (!strcmp(argv[1], "--bad-708"))
            bad_708 = 1;
        else if (!strcmp(argv[1], "--hevc"))
            hevc = 1;
        else if (!strcmp(argv[1], "--blue"))
            blue = 1;
        else
            argc = 0;
    }
    if (argc != 4) {
        fprintf(stderr, "usage: sv-ccgen [--hevc] [--708] [--bad-708] [--blue] OUT.mp4 SECONDS CUES\n");
        return 2;
    }
    av_log_set_level(AV_LOG_ERROR);
    int frames = (int)(atof(argv[2]) * FPS);
    if (frames <= 0 || frames > FPS * 600 || read_caps(argv[3], caps, &ncaps) < 0) {
        fprintf(stderr, "sv-ccgen: bad duration or cue file\n");
        return 2;
    }
    for (int i = 0; i < ncaps; i++) {
        int fl = (int)((caps[i].start - 0.5) * FPS + 0.5), fs = (int)(caps[i].start * FPS + 0.5);
        int fe = (int)(caps[i].end * FPS + 0.5);
        if (fe >= frames)
            continue;
        load(&cc[fl], caps[i].text);
        control(&cc[fs], 0x14, 0x2f); /* EOC: show it */
        control(&cc[fe], 0x14, 0x2c); /* EDM: erase it */
    }
    if ((with_708 || bad_708) &&
        ccgen_708(cc, frames, caps, with_708 ? ncaps : 0, bad_708) < 0) {
        fprintf(stderr, "sv-ccgen: the CEA-708 captions do not fit the frames\n");
        return 2;
    }

    const AVCodec *codec = avcodec_find_encoder_by_name(hevc ? "libx265" : "libx264");
    AVFormatContext *oc = NULL;
    AVCodecContext *enc = NULL;
    AVFrame *fr = av_frame_alloc();
    AVPacket *pkt = av_packet_alloc();
    if (!codec)
        fprintf(stderr, "sv-ccgen: this FFmpeg has no %s encoder\n", hevc ? "libx265" : "libx264");
    if (!codec || !fr || !pkt || avformat_alloc_output_context2(&oc, NULL, "mp4", argv[1]) < 0)
        goto done;
    AVStream *st = avformat_new_stream(oc, NULL);
    enc = avcodec_alloc_context3(codec);
    if (!st || !enc)
        goto done;
    enc->width = 320;
    enc->height = 240;
    enc->pix_fmt = AV_PIX_FMT_YUV420P;
    enc->time_base = (AVRational){ 1, FPS };
    enc->framerate = (AVRational){ FPS, 1 };
    enc->gop_size = 2 * FPS;
    enc->max_b_frames = 2;
    enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    av_opt_set(enc->priv_data, "preset", "ultrafast", 0);
    if (hevc)
        av_opt_set(enc->priv_data, "x265-params", "log-level=error", 0);
    else
        av_opt_set_int(enc->priv_data, "a53cc", 1, 0);
    if (avcodec_open2(enc, codec, NULL) < 0 || avcodec_parameters_from_context(st->codecpar, enc) < 0)
        goto done;
    st->time_base = enc->time_base;
    if (avio_open(&oc->pb, argv[1], AVIO_FLAG_WRITE) < 0 || avformat_write_header(oc, NULL) < 0)
        goto done;
    fr->format = enc->pix_fmt;
    fr->width = enc->width;
    fr->height = enc->height;
    for (int i = 0; i < frames; i++) {
        if (av_frame_get_buffer(fr, 0) < 0)
            goto done;
        for (int y = 0; y < fr->height; y++)
            for (int x = 0; x < fr->width; x++)
                fr->data[0][y * fr->linesize[0] + x] = blue ? 50 : (uint8_t)(x + y + 3 * i);
        for (int p = 1; p < 3; p++)
            for (int y = 0; y < fr->height / 2; y++)
                memset(fr->data[p] + y * fr->linesize[p], blue ? (p == 1 ? 160 : 123) : 128,
                       (size_t)fr->width / 2);
        fr->pts = i;
        if (cc[i].n && !hevc) {
            AVFrameSideData *sd =
                av_frame_new_side_data(fr, AV_FRAME_DATA_A53_CC, (size_t)cc[i].n * 3);
            if (!sd)
                goto done;
            memcpy(sd->data, cc[i].t, (size_t)cc[i].n * 3);
        }
        if (encode(enc, oc, st, fr, pkt, hevc ? cc : NULL, frames) < 0)
            goto done;
        av_frame_unref(fr);
        fr->format = enc->pix_fmt;
        fr->width = enc->width;
        fr->height = enc->height;
    }
    if (encode(enc, oc, st, NULL, pkt, hevc ? cc : NULL, frames) < 0 || av_write_trailer(oc) < 0)
        goto done;
    ret = 0;
done:
    if (ret)
        fprintf(stderr, "sv-ccgen: could not write %s\n", argv[1]);
    avcodec_free_context(&enc);
    av_frame_free(&fr);
    av_packet_free(&pkt);
    if (oc && oc->pb)
        avio_closep(&oc->pb);
    avformat_free_context(oc);
    return ret;
}
