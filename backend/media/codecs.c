/*
 * The video encoders' settings, shared by every rung and (for H.264) by the
 * per-title probe, which must measure exactly what the ingest will encode;
 * the `codecs` setting.
 *
 * Every encoder gets the same GOP: one closed GOP per segment, keyframes
 * only where the decoding thread forces them (the segment starts), no
 * scene-cut keyframes, so the rungs of every codec cut the same segments
 * and a player can switch between any two of them at a segment boundary.
 * Rate control is the same too: the rung's rate as target and as VBV peak
 * over two seconds (SVT-AV1 takes the target only: its VBR keeps to it over
 * the GOP).
 *
 * RFC 6381 strings: for H.264 "avc1." followed by profile_idc, the
 * constraint flags byte and level_idc of the SPS, in hex: the three bytes
 * right after the SPS NAL header. HEVC and AV1 strings are read from the
 * init segment (codec_string.c).
 */
#include <stdio.h>
#include <string.h>

#include <libavutil/opt.h>

#include "backend/media/internal.h"
#include "streamverse/common.h"

static const struct codec_desc {
    const char *name;        /* in the setting and in folder names */
    const char *encoder;     /* libavcodec's name */
    const char *label;       /* in messages */
    int rate_percent;        /* of the H.264 rate for the same quality */
} codecs[SV__NB_CODECS] = {
    [SV__CODEC_H264] = { "h264", "libx264", "H.264", 100 },
    [SV__CODEC_HEVC] = { "hevc", "libx265", "HEVC", 70 },
    [SV__CODEC_AV1] = { "av1", "libsvtav1", "AV1", 60 },
};

const char *sv__codec_name(int codec)
{
    return codec >= 0 && codec < SV__NB_CODECS ? codecs[codec].name : NULL;
}

int sv__codec_rate_kbps(int codec, int h264_kbps, int percent)
{
    if (codec <= 0 || codec >= SV__NB_CODECS)
        return h264_kbps;
    int kbps = (int)((int64_t)h264_kbps * (percent > 0 ? percent : codecs[codec].rate_percent) / 100);
    return kbps > 16 ? kbps : 16;
}

int sv__codecs_parse(const char *spec, unsigned *out, char *errbuf, size_t errlen)
{
    unsigned set = 0;
    const char *p = spec;

    if (!spec || !*spec)
        return sv__media_err(errbuf, errlen, SV_ERR_INVALID,
                             "codecs: empty (give h264, hevc and/or av1, comma-separated)");
    while (*p) {
        size_t n = strcspn(p, ",");
        int found = -1;
        for (int c = 0; c < SV__NB_CODECS; c++)
            if (strlen(codecs[c].name) == n && !strncmp(p, codecs[c].name, n))
                found = c;
        if (found < 0 || (set & (1u << found)))
            return sv__media_err(errbuf, errlen, SV_ERR_INVALID,
                                 "codecs: '%.*s' %s (give h264, hevc and/or av1, comma-separated)",
                                 (int)(n > 32 ? 32 : n), p,
                                 found < 0 ? "is not a codec" : "is named twice");
        set |= 1u << found;
        p += n;
        if (*p == ',' && !*++p)
            return sv__media_err(errbuf, errlen, SV_ERR_INVALID, "codecs: ends with a comma");
    }
    *out = set;
    return 0;
}

void sv__codecs_format(unsigned set, char *out, size_t cap)
{
    size_t used = 0;

    if (cap)
        out[0] = '\0';
    for (int c = 0; c < SV__NB_CODECS; c++) {
        if (!(set & (1u << c)))
            continue;
        int n = snprintf(out + used, cap - used, "%s%s", used ? "," : "", codecs[c].name);
        if (n < 0 || (size_t)n >= cap - used)
            return;
        used += (size_t)n;
    }
}

int sv__codecs_check(unsigned set, char *errbuf, size_t errlen)
{
    for (int c = 0; c < SV__NB_CODECS; c++)
        if ((set & (1u << c)) && !avcodec_find_encoder_by_name(codecs[c].encoder))
            return sv__media_err(errbuf, errlen, SV_ERR_UNSUPPORTED,
                                 "codecs=%s: this FFmpeg (libavcodec) was built without %s, "
                                 "the %s encoder", codecs[c].name, codecs[c].encoder,
                                 codecs[c].label);
    return 0;
}

int sv__codec_of_string(const char *s)
{
    if (!strncmp(s, "avc1.", 5) || !strncmp(s, "avc3.", 5))
        return SV__CODEC_H264;
    if (!strncmp(s, "hvc1.", 5) || !strncmp(s, "hev1.", 5))
        return SV__CODEC_HEVC;
    if (!strncmp(s, "av01.", 5))
        return SV__CODEC_AV1;
    return -1;
}

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

/* The fields every encoder shares: size, time base, rate, GOP, threads. */
static AVCodecContext *common_context(const AVCodec *codec, const sv__rung_params *p)
{
    AVCodecContext *c = avcodec_alloc_context3(codec);
    if (!c)
        return NULL;
    c->width = p->width;
    c->height = p->height;
    c->pix_fmt = AV_PIX_FMT_YUV420P;
    c->sample_aspect_ratio = (AVRational){ 1, 1 };
    c->time_base = p->time_base;
    c->framerate = p->frame_rate;
    c->bit_rate = (int64_t)p->bitrate_kbps * 1000;
    /* One GOP per segment; keyframes come only from the forced ones. */
    c->gop_size = p->gop_frames;
    c->keyint_min = p->gop_frames;
    c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER | AV_CODEC_FLAG_CLOSED_GOP;
    c->thread_count = p->threads;
    return c;
}

static int open_codec(AVCodecContext *c, const AVCodec *codec, AVDictionary **opts,
                      const char *label, char *errbuf, size_t errlen)
{
    int ret = avcodec_open2(c, codec, opts);
    av_dict_free(opts);
    if (ret < 0) {
        char what[64];
        snprintf(what, sizeof(what), "%s open", label);
        return sv__media_averr(errbuf, errlen, SV_ERR_UNSUPPORTED, ret, what);
    }
    return 0;
}

int sv__x264_open(const sv__rung_params *p, AVCodecContext **out, char *codecs_str,
                  size_t codecs_len, char *errbuf, size_t errlen)
{
    const AVCodec *codec = avcodec_find_encoder_by_name("libx264");
    AVDictionary *opts = NULL;
    AVCodecContext *c;
    int ret;

    if (!codec)
        return sv__codecs_check(1u << SV__CODEC_H264, errbuf, errlen);
    if (!(c = *out = common_context(codec, p)))
        return sv__media_err(errbuf, errlen, SV_ERR_NOMEM, "out of memory (encoder)");
    /* VBV: peak rate = target rate, two seconds of buffer. */
    c->rc_max_rate = c->bit_rate;
    c->rc_buffer_size = (int)(c->bit_rate * 2);
    av_dict_set(&opts, "preset", p->preset, 0);
    av_dict_set(&opts, "sc_threshold", "0", 0);
    av_dict_set(&opts, "forced-idr", "1", 0);
    if ((ret = open_codec(c, codec, &opts, "libx264", errbuf, errlen)) < 0)
        return ret;
    if (codecs_str && sv__avc1_codecs(c->extradata, c->extradata_size, codecs_str, codecs_len) < 0)
        return sv__media_err(errbuf, errlen, SV_ERR_INTERNAL, "libx264 wrote no SPS");
    return 0;
}

/* libx265 with x264's preset names (x265 has the same ones). Frame
 * threads and the thread pool follow `threads`; one thread makes the
 * output repeat exactly from run to run, as with x264. */
static int x265_open(const sv__rung_params *p, AVCodecContext **out, char *errbuf, size_t errlen)
{
    const AVCodec *codec = avcodec_find_encoder_by_name("libx265");
    AVDictionary *opts = NULL;
    AVCodecContext *c;
    char params[256];

    if (!codec)
        return sv__codecs_check(1u << SV__CODEC_HEVC, errbuf, errlen);
    if (!(c = *out = common_context(codec, p)))
        return sv__media_err(errbuf, errlen, SV_ERR_NOMEM, "out of memory (encoder)");
    /* hvc1: parameter sets only in hvcC, what HLS and most players want. */
    c->codec_tag = MKTAG('h', 'v', 'c', '1');
    snprintf(params, sizeof(params),
             "keyint=%d:min-keyint=%d:scenecut=0:open-gop=0:repeat-headers=0:"
             "vbv-maxrate=%d:vbv-bufsize=%d:log-level=error%s",
             p->gop_frames, p->gop_frames, p->bitrate_kbps, 2 * p->bitrate_kbps,
             p->threads == 1 ? ":pools=none:frame-threads=1" : "");
    av_dict_set(&opts, "preset", p->preset, 0);
    av_dict_set(&opts, "forced-idr", "1", 0);
    av_dict_set(&opts, "x265-params", params, 0);
    return open_codec(c, codec, &opts, "libx265", errbuf, errlen);
}

/* SVT-AV1's presets are numbers (0 slowest .. 13 fastest): x264's names
 * map onto the fast half, where a ladder on a few cores can run. */
static int svt_preset(const char *x264_preset)
{
    static const struct { const char *name; int svt; } map[] = {
        { "ultrafast", 12 }, { "superfast", 11 }, { "veryfast", 10 }, { "faster", 9 },
        { "fast", 8 }, { "medium", 8 }, { "slow", 7 }, { "slower", 6 }, { "veryslow", 5 },
        { "placebo", 4 },
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (!strcmp(map[i].name, x264_preset))
            return map[i].svt;
    return 10;
}

static int svtav1_open(const sv__rung_params *p, AVCodecContext **out, char *errbuf,
                       size_t errlen)
{
    const AVCodec *codec = avcodec_find_encoder_by_name("libsvtav1");
    AVDictionary *opts = NULL;
    AVCodecContext *c;
    char params[128];

    if (!codec)
        return sv__codecs_check(1u << SV__CODEC_AV1, errbuf, errlen);
    if (!(c = *out = common_context(codec, p)))
        return sv__media_err(errbuf, errlen, SV_ERR_NOMEM, "out of memory (encoder)");
    /* Closed GOPs (key frames, not intra-only refreshes), no scene-change
     * keyframes; lp is SVT's thread count. */
    if (p->threads > 0)
        snprintf(params, sizeof(params), "irefresh-type=2:scd=0:lp=%d", p->threads);
    else
        snprintf(params, sizeof(params), "irefresh-type=2:scd=0");
    av_dict_set_int(&opts, "preset", svt_preset(p->preset), 0);
    av_dict_set(&opts, "svtav1-params", params, 0);
    return open_codec(c, codec, &opts, "libsvtav1", errbuf, errlen);
}

int sv__video_encoder_open(const sv__rung_params *p, AVCodecContext **out, char *errbuf,
                           size_t errlen)
{
    switch (p->codec) {
    case SV__CODEC_H264:
        return sv__x264_open(p, out, NULL, 0, errbuf, errlen);
    case SV__CODEC_HEVC:
        return x265_open(p, out, errbuf, errlen);
    case SV__CODEC_AV1:
        return svtav1_open(p, out, errbuf, errlen);
    default:
        return sv__media_err(errbuf, errlen, SV_ERR_INVALID, "unknown video codec %d", p->codec);
    }
}
