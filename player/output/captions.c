/*
 * captions.c - CEA-608 closed captions carried in the video (ATSC A/53
 * cc_data, which libavcodec's H.264 and HEVC decoders attach to frames as
 * AV_FRAME_DATA_A53_CC), decoded by libavcodec's EIA-608 decoder (cc_dec)
 * into cues (output.h, "captions").
 *
 * Two decoders read the same data. The exact one (cc_dec's default mode)
 * gives each caption once it has left the screen, with its start and end:
 * those are the cues reported. The live one (real_time) gives every change
 * of the screen as it happens: that is the text shown at each moment, since
 * a caption is on screen before its end is known.
 *
 * A CEA-708 service (DTVCC, cc_type 2 and 3) is decoded by the project's own
 * decoder (cea708.h), which gives both: cues as they end, and the screen
 * after each frame's data.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libavcodec/avcodec.h>

#include "platform/thread.h"
#include "player/output/cea708.h"
#include "player/output/output.h"

#define MAX_PENDING 4096

#define MAX_SCREENS 256

typedef struct screen_state {
    double t;                  /* presentation seconds */
    char *text;                /* "" when the screen is clear */
    int has_style;             /* CEA-708: one window shows it, in this style */
    sv_cue_style style;
} screen_state;

struct sv__captions {
    const sv__env *env;
    sv__mutex lock;           /* guards everything below */
    AVCodecContext *exact, *live; /* CEA-608 */
    int service;              /* 0: CEA-608 CC1; 1-63: that CEA-708 service */
    int seen_608;             /* CEA-608 data (not padding) came since the clear */
    unsigned generation;      /* counts the service changes */
    sv__dtvcc *dtvcc;         /* CEA-708: decodes `service` (none: only lists services) */
    sv__dtvcc_callbacks cb;   /* its callbacks, into this */
    int bad;                  /* DTVCC problems in the feed running */
    char bad_why[128];        /* the first of them */
    AVPacket *pkt;
    sv__cue *pending;         /* complete cues the loop has not taken, in order */
    size_t nb_pending;
    screen_state screens[MAX_SCREENS]; /* the live screen's changes, in order */
    size_t nb_screens;
    double decoded_until;     /* the last frame time fed */
};

static AVCodecContext *open_decoder(const AVCodec *codec, int real_time)
{
    AVCodecContext *ctx = avcodec_alloc_context3(codec);
    AVDictionary *opts = NULL;

    if (!ctx)
        return NULL;
    ctx->pkt_timebase = (AVRational){ 1, 1000000 };
    if (real_time) {
        av_dict_set(&opts, "real_time", "1", 0);
        av_dict_set(&opts, "real_time_latency_msec", "0", 0);
    }
    if (avcodec_open2(ctx, codec, &opts) < 0)
        avcodec_free_context(&ctx);
    av_dict_free(&opts);
    return ctx;
}

static void dtvcc_cue(void *opaque, const sv__dtvcc_cue *q);
static void dtvcc_bad(void *opaque, double pts, const char *why);
static const sv__dtvcc_callbacks no_callbacks;

/* The decoders of CEA-608 channel CC1 (libavcodec's, exact and live). */
static int open_608(sv__captions *c)
{
    const AVCodec *codec = avcodec_find_decoder(AV_CODEC_ID_EIA_608);

    if (!codec) {
        SV_LOGE(c->env->log, "captions", "this libavcodec has no EIA-608 decoder");
        return SV_ERR_UNSUPPORTED;
    }
    if (!(c->pkt = av_packet_alloc()))
        return SV_ERR_NOMEM;
    if (!(c->exact = open_decoder(codec, 0)) || !(c->live = open_decoder(codec, 1)))
        return SV_ERR_INTERNAL;
    return 0;
}

int sv__captions_create(sv__captions **out, const sv__env *env, int service)
{
    sv__captions *c = sv__calloc(env->alloc, 1, sizeof(*c));
    int ret = SV_ERR_NOMEM;

    if (!c)
        return SV_ERR_NOMEM;
    c->env = env;
    c->decoded_until = -INFINITY;
    c->cb = (sv__dtvcc_callbacks){ .opaque = c, .cue = dtvcc_cue, .bad = dtvcc_bad };
    if (!(c->pending = sv__calloc(env->alloc, MAX_PENDING, sizeof(*c->pending))))
        goto fail;
    /* With CEA-608 the DTVCC packets are still split, to see the services. */
    if ((ret = sv__dtvcc_create(&c->dtvcc, env->alloc, service,
                                service ? &c->cb : &no_callbacks)) < 0 ||
        (!service && (ret = open_608(c)) < 0))
        goto fail;
    c->service = service;
    if (sv__mutex_init(&c->lock) < 0) {
        ret = SV_ERR_INTERNAL;
        goto fail;
    }
    *out = c;
    return 0;
fail:
    sv__dtvcc_destroy(c->dtvcc);
    avcodec_free_context(&c->exact);
    avcodec_free_context(&c->live);
    av_packet_free(&c->pkt);
    sv__free(env->alloc, c->pending);
    sv__free(env->alloc, c);
    return ret;
}

static void drop_pending(sv__captions *c)
{
    for (size_t i = 0; i < c->nb_pending; i++)
        sv__free(c->env->alloc, c->pending[i].text);
    c->nb_pending = 0;
    for (size_t i = 0; i < c->nb_screens; i++)
        sv__free(c->env->alloc, c->screens[i].text);
    c->nb_screens = 0;
}

void sv__captions_destroy(sv__captions *c)
{
    if (!c)
        return;
    drop_pending(c);
    sv__dtvcc_destroy(c->dtvcc);
    avcodec_free_context(&c->exact);
    avcodec_free_context(&c->live);
    av_packet_free(&c->pkt);
    sv__free(c->env->alloc, c->pending);
    sv__mutex_destroy(&c->lock);
    sv__free(c->env->alloc, c);
}

/* The text of an ASS event line as libavcodec writes it (ReadOrder, Layer,
 * Style, Name, MarginL, MarginR, MarginV, Effect, Text): override blocks
 * {...} dropped, \N and \n as line breaks, \h as a space. */
static void ass_text(const char *ass, char *out, size_t cap)
{
    const char *s = ass;
    size_t n = 0;

    for (int commas = 0; *s && commas < 8; s++)
        commas += *s == ',';
    while (*s && n + 1 < cap) {
        if (*s == '{') {
            const char *close = strchr(s, '}');
            s = close ? close + 1 : s + strlen(s);
        } else if (s[0] == '\\' && (s[1] == 'N' || s[1] == 'n')) {
            out[n++] = '\n';
            s += 2;
        } else if (s[0] == '\\' && s[1] == 'h') {
            out[n++] = ' ';
            s += 2;
        } else {
            out[n++] = *s++;
        }
    }
    while (n && (out[n - 1] == '\n' || out[n - 1] == ' '))
        n--;
    out[n] = '\0';
}

/* The text of a decoded subtitle: its ASS rects' lines. */
static void sub_text(const AVSubtitle *sub, char *text, size_t cap)
{
    char line[SV__CAPTION_TEXT];
    size_t n = 0;

    text[0] = '\0';
    for (unsigned i = 0; i < sub->num_rects && n < cap; i++) {
        if (sub->rects[i]->type != SUBTITLE_ASS || !sub->rects[i]->ass)
            continue;
        ass_text(sub->rects[i]->ass, line, sizeof(line));
        if (line[0])
            n += (size_t)snprintf(text + n, cap - n, "%s%s", n ? "\n" : "", line);
    }
}

/* Decodes one packet with `ctx`. Returns 1 with *sub filled (free it with
 * avsubtitle_free), 0 when nothing came out, or a negative AVERROR. */
static int decode(sv__captions *c, AVCodecContext *ctx, AVSubtitle *sub)
{
    int got = 0;
    int ret = avcodec_decode_subtitle2(ctx, sub, &got, c->pkt);
    return ret < 0 ? ret : got != 0;
}

static void exact_cue(sv__captions *c, const AVSubtitle *sub)
{
    char text[SV__CAPTION_TEXT];

    sub_text(sub, text, sizeof(text));
    if (!text[0] || sub->pts == AV_NOPTS_VALUE || c->nb_pending == MAX_PENDING)
        return;
    sv__cue *q = &c->pending[c->nb_pending];
    memset(q, 0, sizeof(*q));
    q->start = (double)sub->pts / AV_TIME_BASE + sub->start_display_time / 1000.0;
    q->end = (double)sub->pts / AV_TIME_BASE + sub->end_display_time / 1000.0;
    if (q->end > q->start && (q->text = sv__strdup(c->env->alloc, text)))
        c->nb_pending++;
}

static void live_screen(sv__captions *c, const char *text, double pts, const sv_cue_style *style)
{
    if (c->nb_screens && !strcmp(c->screens[c->nb_screens - 1].text, text))
        return; /* no change */
    if (c->nb_screens == MAX_SCREENS) { /* the loop is not taking them: the oldest goes */
        sv__free(c->env->alloc, c->screens[0].text);
        memmove(c->screens, c->screens + 1, (MAX_SCREENS - 1) * sizeof(c->screens[0]));
        c->nb_screens--;
    }
    screen_state *st = &c->screens[c->nb_screens];
    /* The change came with this frame's data (cc_dec's real-time pts is
     * the time the caption's loading began, not when it showed). */
    st->t = pts;
    st->has_style = style != NULL;
    if (style)
        st->style = *style;
    if ((st->text = sv__strdup(c->env->alloc, text)))
        c->nb_screens++;
}

/* ---- CEA-708 ------------------------------------------------------------- */

static void dtvcc_cue(void *opaque, const sv__dtvcc_cue *q)
{
    sv__captions *c = opaque;

    if (c->nb_pending == MAX_PENDING)
        return;
    sv__cue *out = &c->pending[c->nb_pending];
    memset(out, 0, sizeof(*out));
    out->start = q->start;
    out->end = q->end;
    out->style = q->style;
    out->has_style = 1;
    if ((out->text = sv__strdup(c->env->alloc, q->text)))
        c->nb_pending++;
}

static void dtvcc_bad(void *opaque, double pts, const char *why)
{
    sv__captions *c = opaque;

    if (!c->bad++)
        snprintf(c->bad_why, sizeof(c->bad_why), "%.3f s: %s", pts, why);
}

/* Whether field 1 carried CEA-608 data other than padding (0x80 0x80). */
static void note_608(sv__captions *c, const uint8_t *cc, size_t size)
{
    for (size_t i = 0; i + 3 <= size && !c->seen_608; i += 3)
        c->seen_608 = (cc[i] & 0x07) == 0x04 && ((cc[i + 1] & 0x7f) || (cc[i + 2] & 0x7f));
}

static void feed_708(sv__captions *c, double pts, const uint8_t *cc, size_t size)
{
    char text[SV__CAPTION_TEXT];
    int bad;

    sv__mutex_lock(&c->lock);
    c->bad = 0;
    sv__dtvcc_feed(c->dtvcc, pts, cc, size);
    note_608(c, cc, size);
    sv_cue_style style;
    sv__dtvcc_screen(c->dtvcc, text, sizeof(text));
    live_screen(c, text, pts, sv__dtvcc_screen_style(c->dtvcc, &style) ? &style : NULL);
    if (pts > c->decoded_until)
        c->decoded_until = pts;
    bad = c->bad;
    snprintf(text, sizeof(text), "%s", c->bad_why);
    sv__mutex_unlock(&c->lock);
    if (bad) {
        SV_LOGW(c->env->log, "captions", "CEA-708 data skipped (%d piece%s) at %s", bad,
                bad > 1 ? "s" : "", text);
        sv__mutex_lock(&c->env->st->lock);
        c->env->st->stats.text_skipped += bad;
        sv__mutex_unlock(&c->env->st->lock);
    }
}

void sv__captions_feed(sv__captions *c, double pts, const uint8_t *cc, size_t size)
{
    AVSubtitle sub;
    int ret;

    if (!isfinite(pts) || size == 0 || size > INT32_MAX)
        return;
    if (c->service) {
        feed_708(c, pts, cc, size);
        return;
    }
    sv__mutex_lock(&c->lock);
    sv__dtvcc_feed(c->dtvcc, pts, cc, size);
    note_608(c, cc, size);
    c->pkt->data = (uint8_t *)cc;
    c->pkt->size = (int)size;
    c->pkt->pts = llround(pts * 1e6);
    if ((ret = decode(c, c->exact, &sub)) > 0) {
        exact_cue(c, &sub);
        avsubtitle_free(&sub);
    }
    if (ret >= 0 && (ret = decode(c, c->live, &sub)) > 0) {
        char text[SV__CAPTION_TEXT];
        sub_text(&sub, text, sizeof(text));
        live_screen(c, text, pts, NULL);
        avsubtitle_free(&sub);
    }
    if (pts > c->decoded_until)
        c->decoded_until = pts;
    sv__mutex_unlock(&c->lock);
    if (ret < 0) {
        SV_LOGW(c->env->log, "captions", "caption data at %.3f s skipped: %s", pts,
                av_err2str(ret));
        sv__mutex_lock(&c->env->st->lock);
        c->env->st->stats.text_skipped++;
        sv__mutex_unlock(&c->env->st->lock);
    }
}

size_t sv__captions_take(sv__captions *c, sv__cue *out, size_t max, double position,
                         sv__captions_state *st)
{
    size_t n;

    sv__mutex_lock(&c->lock);
    n = c->nb_pending < max ? c->nb_pending : max;
    if (n) {
        memcpy(out, c->pending, n * sizeof(*out));
        memmove(c->pending, c->pending + n, (c->nb_pending - n) * sizeof(*c->pending));
        c->nb_pending -= n;
    }
    /* The screen at `position`: the last change at or before it; older
     * changes are done with. */
    size_t k = 0;
    while (k + 1 < c->nb_screens && c->screens[k + 1].t <= position)
        k++;
    for (size_t i = 0; i < k; i++)
        sv__free(c->env->alloc, c->screens[i].text);
    memmove(c->screens, c->screens + k, (c->nb_screens - k) * sizeof(c->screens[0]));
    c->nb_screens -= k;
    int shown = c->nb_screens && c->screens[0].t <= position;
    snprintf(st->screen, sizeof(st->screen), "%s", shown ? c->screens[0].text : "");
    st->has_style = shown && c->screens[0].has_style;
    if (st->has_style)
        st->style = c->screens[0].style;
    /* A caption on the live screen has not reached the exact decoder's
     * output: cues from its start on are not all known. */
    const screen_state *last = c->nb_screens ? &c->screens[c->nb_screens - 1] : NULL;
    st->known_until = c->nb_pending ? c->pending[0].start
                      : c->service ? fmin(sv__dtvcc_open_since(c->dtvcc), c->decoded_until)
                      : last && last->text[0] ? fmin(last->t, c->decoded_until)
                                              : c->decoded_until;
    sv__mutex_unlock(&c->lock);
    return n;
}

void sv__captions_reset(sv__captions *c)
{
    sv__mutex_lock(&c->lock);
    sv__dtvcc_reset(c->dtvcc);
    if (!c->service) {
        avcodec_flush_buffers(c->exact);
        avcodec_flush_buffers(c->live);
    }
    c->decoded_until = -INFINITY;
    drop_pending(c);
    sv__mutex_unlock(&c->lock);
}

uint64_t sv__captions_services(sv__captions *c, int clear)
{
    sv__mutex_lock(&c->lock);
    uint64_t seen = sv__dtvcc_services(c->dtvcc) | (uint64_t)(c->seen_608 != 0);
    if (clear) {
        sv__dtvcc_services_clear(c->dtvcc);
        c->seen_608 = 0;
    }
    sv__mutex_unlock(&c->lock);
    return seen;
}

int sv__captions_track_parse(const char *name)
{
    char *end;

    if (!name || !*name || !strcasecmp(name, "CC1"))
        return 0;
    if (strncasecmp(name, "SERVICE", 7) || name[7] < '1' || name[7] > '9')
        return SV_ERR_INVALID;
    long n = strtol(name + 7, &end, 10);
    return *end || n < 1 || n > 63 ? SV_ERR_INVALID : (int)n;
}

int sv__captions_set_service(sv__captions *c, int service)
{
    int ret = 0;

    if (service < 0 || service > 63)
        return SV_ERR_INVALID;
    sv__mutex_lock(&c->lock);
    if (service == c->service)
        goto done;
    if (!service && !c->exact && (ret = open_608(c)) < 0)
        goto done;
    sv__dtvcc_set_service(c->dtvcc, service, service ? &c->cb : &no_callbacks);
    if (c->exact) {
        avcodec_flush_buffers(c->exact);
        avcodec_flush_buffers(c->live);
    }
    drop_pending(c);
    c->decoded_until = -INFINITY;
    c->service = service;
    c->generation++;
done:
    sv__mutex_unlock(&c->lock);
    return ret;
}

int sv__captions_service(sv__captions *c, unsigned *generation)
{
    sv__mutex_lock(&c->lock);
    int service = c->service;
    if (generation)
        *generation = c->generation;
    sv__mutex_unlock(&c->lock);
    return service;
}
