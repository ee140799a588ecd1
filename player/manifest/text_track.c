/*
 * text_track.c - a text track's bytes into cues, by the format the bytes
 * show (text_track.h).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "platform/alloc.h"
#include "streamverse/common.h"
#include "player/manifest/text_track.h"
#include "player/manifest/ttml.h"

/* Appends src's cues to out (taking their text). */
static int take(sv__text_cues *out, size_t *cap, sv__cue *src, size_t n)
{
    if (n == 0)
        return 0;
    if (out->nb_cues + n > *cap) {
        size_t nc = *cap ? *cap : 16;
        while (nc < out->nb_cues + n)
            nc *= 2;
        sv__cue *c = sv__realloc(out->alloc, out->cues, nc * sizeof(*c));
        if (!c)
            return SV_ERR_NOMEM;
        out->cues = c;
        *cap = nc;
    }
    memcpy(out->cues + out->nb_cues, src, n * sizeof(*src));
    out->nb_cues += n;
    return 0;
}

static void note_skips(sv__text_cues *out, const sv__ttml *t)
{
    out->skipped += t->skipped;
    if (!out->warning[0] && t->warning[0])
        snprintf(out->warning, sizeof(out->warning), "%s", t->warning);
}

typedef struct samples {
    sv__text_cues *out;
    size_t cap;
    double doc_end;
    sv__parse_error *err;
} samples;

/* One stpp sample: a whole TTML document. A sample that does not parse is
 * skipped and counted; the segment's other samples still count. */
static int on_sample(void *opaque, const uint8_t *data, size_t n)
{
    samples *s = opaque;
    sv__parse_error err = { 0 };
    sv__ttml t;
    int ret;

    if (n == 0)
        return 0; /* an empty sample: nothing shown */
    if ((ret = sv__ttml_parse((const char *)data, n, s->doc_end, s->out->alloc, &t, &err)) < 0) {
        if (ret != SV_ERR_PARSE)
            return ret;
        s->out->skipped++;
        if (!s->out->warning[0])
            snprintf(s->out->warning, sizeof(s->out->warning), "stpp sample: line %d: %.120s",
                     err.line, err.message);
        return 0;
    }
    note_skips(s->out, &t);
    if ((ret = take(s->out, &s->cap, t.cues, t.nb_cues)) < 0) {
        sv__ttml_free(&t);
        return ret;
    }
    sv__free(t.alloc, t.cues); /* the texts moved to out */
    return 0;
}

static int is_box(const uint8_t *d, size_t size)
{
    static const char *const types[] = { "styp", "ftyp", "moof", "sidx", "emsg", "prft", "moov" };
    if (size < 8)
        return 0;
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (!memcmp(d + 4, types[i], 4))
            return 1;
    return 0;
}

int sv__text_parse(const uint8_t *data, size_t size, double doc_end, const sv_allocator *alloc,
                   sv__text_cues *out, sv__parse_error *err)
{
    size_t skip = 0;
    int ret;

    memset(out, 0, sizeof(*out));
    out->alloc = alloc;
    if (size >= 3 && !memcmp(data, "\xef\xbb\xbf", 3))
        skip = 3;
    while (skip < size && (data[skip] == ' ' || data[skip] == '\t' || data[skip] == '\r' ||
                           data[skip] == '\n'))
        skip++;
    if (is_box(data, size)) {
        samples s = { out, 0, doc_end, err };
        out->format = "stpp";
        ret = sv__mp4_text_samples(data, size, on_sample, &s);
        if (ret == SV_ERR_PARSE)
            ret = sv__parse_fail(err, 0, "a fragmented MP4 text segment whose boxes do not "
                                 "parse (a size runs past its parent or a sample past the end)");
    } else if (size - skip >= 6 && !memcmp(data + skip, "WEBVTT", 6)) {
        sv__webvtt v;
        out->format = "webvtt";
        if ((ret = sv__webvtt_parse((const char *)data, size, alloc, &v, err)) == 0) {
            out->has_map = v.has_map;
            out->map_local = v.map_local;
            out->map_mpegts = v.map_mpegts;
            out->cues = v.cues;
            out->nb_cues = v.nb_cues;
        }
    } else if (skip < size && data[skip] == '<') {
        sv__ttml t;
        out->format = "ttml";
        if ((ret = sv__ttml_parse((const char *)data, size, doc_end, alloc, &t, err)) == 0) {
            note_skips(out, &t);
            out->cues = t.cues;
            out->nb_cues = t.nb_cues;
        }
    } else {
        ret = sv__parse_fail(err, 0, "not a text format the player reads (WebVTT, TTML, or "
                             "TTML in fragmented MP4)");
    }
    if (ret < 0)
        sv__text_cues_free(out);
    return ret < 0 ? ret : 0;
}

void sv__text_cues_free(sv__text_cues *c)
{
    for (size_t i = 0; i < c->nb_cues; i++)
        sv__free(c->alloc, c->cues[i].text);
    sv__free(c->alloc, c->cues);
    c->cues = NULL;
    c->nb_cues = 0;
}
