/*
 * Subtitles as TTML (IMSC1 text profile) in fragmented MP4 for DASH
 * (ISO/IEC 14496-30 'stpp', codecs "stpp.ttml.im1t"): one track per
 * language, subs/<lang>/ttml-init.mp4 and one fragment per video segment,
 * subs/<lang>/ttml-<n>.m4s, each a single sample holding a whole TTML
 * document with the cues of that segment's time, clipped to it. The TTML is
 * written with libxml2's xmlTextWriter; times in it are on the track's
 * timeline (media time from 0, DASH-IF IOP), the track timescale is 1000.
 * Cue text is the WebVTT cue text of subs_parse.c made plain: tags dropped,
 * the character references WebVTT has decoded, lines split by <br/>.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "backend/media/internal.h"
#include "drm/package.h"
#include "platform/fs.h"
#include "streamverse/common.h"

#define T(a, b, c, d) SV__FOURCC(a, b, c, d)
#define W_ATTR(w, name, ...) \
    (xmlTextWriterWriteFormatAttribute((w), BAD_CAST(name), __VA_ARGS__) < 0)
#define W_START(w, name) (xmlTextWriterStartElement((w), BAD_CAST(name)) < 0)
#define W_END(w) (xmlTextWriterEndElement(w) < 0)

static const uint8_t matrix[36] = {
    0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0,
};

/* ftyp + moov of one stpp track. */
static void init_segment(sv__buf *b)
{
    size_t ftyp = sv__buf_box_begin(b, T('f', 't', 'y', 'p'));
    sv__buf_u32(b, T('i', 's', 'o', '6'));
    sv__buf_u32(b, 0);
    sv__buf_u32(b, T('i', 's', 'o', '6'));
    sv__buf_u32(b, T('c', 'm', 'f', 'c'));
    sv__buf_box_end(b, ftyp);
    size_t moov = sv__buf_box_begin(b, T('m', 'o', 'o', 'v'));
    size_t mvhd = sv__buf_fullbox_begin(b, T('m', 'v', 'h', 'd'), 0, 0);
    sv__buf_u32(b, 0);                  /* creation, modification */
    sv__buf_u32(b, 0);
    sv__buf_u32(b, 1000);               /* timescale */
    sv__buf_u32(b, 0);                  /* duration: fragments follow */
    sv__buf_u32(b, 0x00010000);         /* rate */
    sv__buf_u16(b, 0x0100);             /* volume */
    sv__buf_append(b, "\0\0\0\0\0\0\0\0\0\0", 10);
    sv__buf_append(b, matrix, sizeof(matrix));
    for (int i = 0; i < 6; i++)
        sv__buf_u32(b, 0);              /* pre_defined */
    sv__buf_u32(b, 2);                  /* next track ID */
    sv__buf_box_end(b, mvhd);
    size_t trak = sv__buf_box_begin(b, T('t', 'r', 'a', 'k'));
    size_t tkhd = sv__buf_fullbox_begin(b, T('t', 'k', 'h', 'd'), 0, 3);
    sv__buf_u32(b, 0);
    sv__buf_u32(b, 0);
    sv__buf_u32(b, 1);                  /* track ID */
    sv__buf_u32(b, 0);
    sv__buf_u32(b, 0);                  /* duration */
    sv__buf_append(b, "\0\0\0\0\0\0\0\0", 8);
    sv__buf_u16(b, 0);                  /* layer, alternate group, volume */
    sv__buf_u16(b, 0);
    sv__buf_u16(b, 0);
    sv__buf_u16(b, 0);
    sv__buf_append(b, matrix, sizeof(matrix));
    sv__buf_u32(b, 0);                  /* width, height */
    sv__buf_u32(b, 0);
    sv__buf_box_end(b, tkhd);
    size_t mdia = sv__buf_box_begin(b, T('m', 'd', 'i', 'a'));
    size_t mdhd = sv__buf_fullbox_begin(b, T('m', 'd', 'h', 'd'), 0, 0);
    sv__buf_u32(b, 0);
    sv__buf_u32(b, 0);
    sv__buf_u32(b, 1000);
    sv__buf_u32(b, 0);
    sv__buf_u16(b, 0x55c4);             /* "und": the MPD's lang names it */
    sv__buf_u16(b, 0);
    sv__buf_box_end(b, mdhd);
    size_t hdlr = sv__buf_fullbox_begin(b, T('h', 'd', 'l', 'r'), 0, 0);
    sv__buf_u32(b, 0);
    sv__buf_u32(b, T('s', 'u', 'b', 't'));
    sv__buf_append(b, "\0\0\0\0\0\0\0\0\0\0\0\0", 12);
    sv__buf_append(b, "Subtitles", 10);
    sv__buf_box_end(b, hdlr);
    size_t minf = sv__buf_box_begin(b, T('m', 'i', 'n', 'f'));
    sv__buf_box_end(b, sv__buf_fullbox_begin(b, T('s', 't', 'h', 'd'), 0, 0));
    size_t dinf = sv__buf_box_begin(b, T('d', 'i', 'n', 'f'));
    size_t dref = sv__buf_fullbox_begin(b, T('d', 'r', 'e', 'f'), 0, 0);
    sv__buf_u32(b, 1);
    sv__buf_box_end(b, sv__buf_fullbox_begin(b, T('u', 'r', 'l', ' '), 0, 1));
    sv__buf_box_end(b, dref);
    sv__buf_box_end(b, dinf);
    size_t stbl = sv__buf_box_begin(b, T('s', 't', 'b', 'l'));
    size_t stsd = sv__buf_fullbox_begin(b, T('s', 't', 's', 'd'), 0, 0);
    sv__buf_u32(b, 1);
    size_t stpp = sv__buf_box_begin(b, T('s', 't', 'p', 'p'));
    sv__buf_append(b, "\0\0\0\0\0\0", 6);
    sv__buf_u16(b, 1);                  /* data reference index */
    sv__buf_append(b, "http://www.w3.org/ns/ttml", 26);   /* namespace, NUL included */
    sv__buf_append(b, "", 1);           /* schema_location */
    sv__buf_append(b, "", 1);           /* auxiliary_mime_types */
    sv__buf_box_end(b, stpp);
    sv__buf_box_end(b, stsd);
    static const uint32_t empty[] = { T('s', 't', 't', 's'), T('s', 't', 's', 'c'),
                                      T('s', 't', 'c', 'o') };
    for (int i = 0; i < 3; i++) {
        size_t x = sv__buf_fullbox_begin(b, empty[i], 0, 0);
        sv__buf_u32(b, 0);
        sv__buf_box_end(b, x);
    }
    size_t stsz = sv__buf_fullbox_begin(b, T('s', 't', 's', 'z'), 0, 0);
    sv__buf_u32(b, 0);
    sv__buf_u32(b, 0);
    sv__buf_box_end(b, stsz);
    sv__buf_box_end(b, stbl);
    sv__buf_box_end(b, minf);
    sv__buf_box_end(b, mdia);
    sv__buf_box_end(b, trak);
    size_t mvex = sv__buf_box_begin(b, T('m', 'v', 'e', 'x'));
    size_t trex = sv__buf_fullbox_begin(b, T('t', 'r', 'e', 'x'), 0, 0);
    sv__buf_u32(b, 1);                  /* track ID */
    sv__buf_u32(b, 1);                  /* sample description index */
    sv__buf_u32(b, 0);
    sv__buf_u32(b, 0);
    sv__buf_u32(b, 0);
    sv__buf_box_end(b, trex);
    sv__buf_box_end(b, mvex);
    sv__buf_box_end(b, moov);
}

/* moof + mdat: one sample (the document) at `start` lasting `dur` ms. */
static void fragment(sv__buf *b, int number, int64_t start, int64_t dur, const void *doc,
                     size_t size)
{
    size_t moof = sv__buf_box_begin(b, T('m', 'o', 'o', 'f'));
    size_t mfhd = sv__buf_fullbox_begin(b, T('m', 'f', 'h', 'd'), 0, 0);
    sv__buf_u32(b, (uint32_t)number);
    sv__buf_box_end(b, mfhd);
    size_t traf = sv__buf_box_begin(b, T('t', 'r', 'a', 'f'));
    size_t tfhd = sv__buf_fullbox_begin(b, T('t', 'f', 'h', 'd'), 0, 0x020000);
    sv__buf_u32(b, 1);                  /* track ID; default-base-is-moof */
    sv__buf_box_end(b, tfhd);
    size_t tfdt = sv__buf_fullbox_begin(b, T('t', 'f', 'd', 't'), 1, 0);
    sv__buf_u64(b, (uint64_t)start);
    sv__buf_box_end(b, tfdt);
    /* data offset, first sample flags, sample duration, sample size */
    size_t trun = sv__buf_fullbox_begin(b, T('t', 'r', 'u', 'n'), 0, 0x000305);
    sv__buf_u32(b, 1);
    size_t offset_at = b->size;
    sv__buf_u32(b, 0);                  /* data offset, patched below */
    sv__buf_u32(b, 0x02000000);         /* depends on no other sample */
    sv__buf_u32(b, (uint32_t)dur);
    sv__buf_u32(b, (uint32_t)size);
    sv__buf_box_end(b, trun);
    sv__buf_box_end(b, traf);
    sv__buf_box_end(b, moof);
    if (!b->err)
        sv__wb32(b->data + offset_at, (uint32_t)(b->size - moof + 8));
    size_t mdat = sv__buf_box_begin(b, T('m', 'd', 'a', 't'));
    sv__buf_append(b, doc, size);
    sv__buf_box_end(b, mdat);
}

/* TTML clock time "HH:MM:SS.mmm". */
static int w_time(xmlTextWriterPtr w, const char *name, int64_t ms)
{
    return W_ATTR(w, name, "%02lld:%02lld:%02lld.%03lld", (long long)(ms / 3600000),
                  (long long)(ms / 60000 % 60), (long long)(ms / 1000 % 60),
                  (long long)(ms % 1000)) ? -1 : 0;
}

/* Writes WebVTT cue text as plain text lines split by <br/>. */
static int w_text(xmlTextWriterPtr w, const char *s)
{
    static const struct { const char *ref, *ch; } refs[] = {
        { "&amp;", "&" }, { "&lt;", "<" }, { "&gt;", ">" }, { "&quot;", "\"" },
        { "&nbsp;", "\xc2\xa0" }, { "&lrm;", "\xe2\x80\x8e" }, { "&rlm;", "\xe2\x80\x8f" },
    };
    sv__buf line = { 0 };
    int rc = 0;
    for (const char *p = s;; p++) {
        if (*p == '\n' || *p == '\0') {
            sv__buf_append(&line, "", 1);
            if (line.err || xmlTextWriterWriteString(w, BAD_CAST line.data) < 0 ||
                (*p == '\n' && (W_START(w, "br") || W_END(w)))) {
                rc = -1;
                break;
            }
            line.size = 0;
            if (*p == '\0')
                break;
        } else if (*p == '<') {
            const char *gt = strchr(p, '>');
            if (!gt)
                break;
            p = gt;                     /* a tag: dropped */
        } else if (*p == '&') {
            size_t i;
            for (i = 0; i < sizeof(refs) / sizeof(refs[0]); i++)
                if (!strncmp(p, refs[i].ref, strlen(refs[i].ref)))
                    break;
            if (i < sizeof(refs) / sizeof(refs[0])) {
                sv__buf_append(&line, refs[i].ch, strlen(refs[i].ch));
                p += strlen(refs[i].ref) - 1;
            } else {
                sv__buf_append(&line, p, 1);
            }
        } else {
            sv__buf_append(&line, p, 1);
        }
    }
    sv__buf_free(&line);
    return rc;
}

/* The TTML document of [a, z) ms: every cue that overlaps it, clipped. */
static int document(const sv__sub_track *t, const char *lang, int64_t a, int64_t z, int last,
                    xmlBufferPtr out)
{
    xmlTextWriterPtr w = xmlNewTextWriterMemory(out, 0);
    int rc = -1;
    if (!w)
        return -1;
    if (xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0 || W_START(w, "tt") ||
        W_ATTR(w, "xmlns", "http://www.w3.org/ns/ttml") ||
        W_ATTR(w, "xmlns:ttp", "http://www.w3.org/ns/ttml#parameter") ||
        W_ATTR(w, "xmlns:tts", "http://www.w3.org/ns/ttml#styling") ||
        W_ATTR(w, "xml:lang", "%s", lang) || W_ATTR(w, "ttp:timeBase", "media") ||
        W_ATTR(w, "ttp:profile", "http://www.w3.org/ns/ttml/profile/imsc1/text") ||
        W_START(w, "head") || W_START(w, "styling") || W_START(w, "style") ||
        W_ATTR(w, "xml:id", "s1") || W_ATTR(w, "tts:color", "white") ||
        W_ATTR(w, "tts:backgroundColor", "black") || W_END(w) || W_END(w) ||
        W_START(w, "layout") || W_START(w, "region") || W_ATTR(w, "xml:id", "r1") ||
        W_ATTR(w, "tts:origin", "10%% 80%%") || W_ATTR(w, "tts:extent", "80%% 15%%") ||
        W_ATTR(w, "tts:displayAlign", "after") || W_ATTR(w, "tts:textAlign", "center") ||
        W_END(w) || W_END(w) || W_END(w) ||
        W_START(w, "body") || W_ATTR(w, "style", "s1") || W_START(w, "div") ||
        W_ATTR(w, "region", "r1"))
        goto out;
    for (int i = 0; i < t->nb_cues; i++) {
        const sv__sub_cue *c = &t->cues[i];
        if (c->end_ms <= a || c->end_ms <= c->start_ms || (!last && c->start_ms >= z))
            continue;
        int64_t b = c->start_ms > a ? c->start_ms : a;
        int64_t e = last || c->end_ms < z ? c->end_ms : z;
        if (W_START(w, "p") || w_time(w, "begin", b) < 0 || w_time(w, "end", e) < 0 ||
            w_text(w, c->text) < 0 || W_END(w))
            goto out;
    }
    if (xmlTextWriterEndDocument(w) < 0)
        goto out;
    rc = 0;
out:
    xmlFreeTextWriter(w);
    return rc;
}

int sv__ttml_write(const sv__sub_track *t, const char *lang, const char *out_dir,
                   double duration_s, double segment_s, sv__writer *wr, char *errbuf,
                   size_t errlen)
{
    char path[4300];
    int nseg = sv__subs_segments(duration_s, segment_s), rc;
    sv__buf b = { 0 };
    /* subs/<lang>/ exists: sv__subs_write made it. */
    init_segment(&b);
    snprintf(path, sizeof(path), "%s/subs/%s/ttml-init.mp4", out_dir, lang);
    if ((rc = sv__writer_put_buf(wr, path, &b, errbuf, errlen)) < 0)
        return rc;
    for (int n = 0; n < nseg; n++) {
        int64_t a = llround(n * segment_s * 1000);
        int64_t z = n + 1 < nseg ? llround((n + 1) * segment_s * 1000)
                                 : llround(duration_s * 1000);
        xmlBufferPtr doc = xmlBufferCreate();
        if (!doc || document(t, lang, a, z, n + 1 == nseg, doc) < 0) {
            if (doc)
                xmlBufferFree(doc);
            return sv__media_err(errbuf, errlen, SV_ERR_INTERNAL,
                                 "libxml2 failed writing the %s TTML of segment %d", lang, n + 1);
        }
        fragment(&b, n + 1, a, z > a ? z - a : 1, xmlBufferContent(doc),
                 (size_t)xmlBufferLength(doc));
        xmlBufferFree(doc);
        snprintf(path, sizeof(path), "%s/subs/%s/ttml-%d.m4s", out_dir, lang, n + 1);
        if ((rc = sv__writer_put_buf(wr, path, &b, errbuf, errlen)) < 0)
            return rc;
    }
    return 0;
}
