/*
 * The DASH MPD (ISO/IEC 23009-1, isoff-live profile), written with
 * libxml2's xmlTextWriter: a static presentation with one video
 * AdaptationSet per codec (H.264, HEVC, AV1: a player switches rates within
 * a set and picks the set whose codec it can decode) and one audio
 * AdaptationSet. Each
 * Representation has a SegmentTemplate ($Number$ from 1) with a
 * SegmentTimeline of the exact segment durations (runs of equal durations
 * folded with @r). After the audio set, one trick-mode set per video set
 * (EssentialProperty http://dashif.org/guidelines/trickmode): the key
 * frames alone, by byte range into the same segment files. Last, the
 * thumbnail tiles as an image set (http://dashif.org/thumbnail_tile), and
 * one text/vtt set per subtitle language.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <libavutil/rational.h>
#include <libxml/xmlwriter.h>

#include "backend/media/internal.h"
#include "platform/fs.h"
#include "streamverse/common.h"

#define W_ATTR(w, name, ...) \
    (xmlTextWriterWriteFormatAttribute((w), BAD_CAST(name), __VA_ARGS__) < 0)
#define W_START(w, name) (xmlTextWriterStartElement((w), BAD_CAST(name)) < 0)
#define W_END(w) (xmlTextWriterEndElement(w) < 0)

static void iso_duration(char *out, size_t outlen, double s)
{
    snprintf(out, outlen, "PT%.3fS", s);
}

static int write_timeline(xmlTextWriterPtr w, const sv__segwriter *s)
{
    if (W_START(w, "SegmentTimeline"))
        return -1;
    int64_t expected = -1;
    for (int i = 0; i < s->nb_segs;) {
        int j = i + 1;
        int64_t t = s->segs[i].start_pts;
        while (j < s->nb_segs && s->segs[j].duration == s->segs[i].duration &&
               s->segs[j].start_pts == s->segs[j - 1].start_pts + s->segs[j - 1].duration)
            j++;
        if (W_START(w, "S"))
            return -1;
        /* @t only where the timeline does not simply continue. */
        if (t != expected && W_ATTR(w, "t", "%lld", (long long)t))
            return -1;
        if (W_ATTR(w, "d", "%lld", (long long)s->segs[i].duration))
            return -1;
        if (j - i > 1 && W_ATTR(w, "r", "%d", j - i - 1))
            return -1;
        if (W_END(w))
            return -1;
        expected = s->segs[j - 1].start_pts + s->segs[j - 1].duration;
        i = j;
    }
    return W_END(w) ? -1 : 0;
}

static int write_template(xmlTextWriterPtr w, const sv__manifest_rendition *r)
{
    if (W_START(w, "SegmentTemplate") ||
        W_ATTR(w, "timescale", "%d", r->segs->timescale) ||
        W_ATTR(w, "initialization", "%s/init.mp4", r->path) ||
        W_ATTR(w, "media", "%s/seg-$Number$.m4s", r->path) ||
        W_ATTR(w, "startNumber", "1") ||
        write_timeline(w, r->segs) < 0 || W_END(w))
        return -1;
    return 0;
}

/* A trick-mode Representation's segments: a SegmentList whose SegmentURLs
 * are the key frames' own moof+mdat at the start of each segment file
 * (mediaRange, fmp4.c), timed by the same SegmentTimeline. */
static int write_key_list(xmlTextWriterPtr w, const sv__manifest_rendition *r)
{
    const sv__segwriter *s = r->segs;
    if (W_START(w, "SegmentList") || W_ATTR(w, "timescale", "%d", s->timescale) ||
        W_START(w, "Initialization") || W_ATTR(w, "sourceURL", "%s/init.mp4", r->path) ||
        W_END(w) || write_timeline(w, s) < 0)
        return -1;
    for (int i = 0; i < s->nb_segs; i++)
        if (W_START(w, "SegmentURL") || W_ATTR(w, "media", "%s/seg-%d.m4s", r->path, i + 1) ||
            W_ATTR(w, "mediaRange", "0-%lld", (long long)s->segs[i].key_bytes - 1) || W_END(w))
            return -1;
    return W_END(w) ? -1 : 0;
}

/* The renditions of one codec (-1: those of no known codec), as listed. */
static int in_set(const sv__rendition_info *v, int codec)
{
    return sv__codec_of_string(v->codecs) == codec;
}

static int write_video_set(xmlTextWriterPtr w, const sv__manifest *m, int codec, int id)
{
    const sv__media_protection *prot = m->prot;
    const sv__rendition_info *top = NULL;
    for (int i = 0; i < m->nb_video; i++)
        if (in_set(m->video[i].info, codec) &&
            (!top || m->video[i].info->height >= top->height))
            top = m->video[i].info;
    if (!top)
        return 0;
    AVRational fr = av_d2q(top->frame_rate, 1000000);
    if (W_START(w, "AdaptationSet") || W_ATTR(w, "id", "%d", id) ||
        W_ATTR(w, "contentType", "video") || W_ATTR(w, "mimeType", "video/mp4") ||
        W_ATTR(w, "segmentAlignment", "true") || W_ATTR(w, "startWithSAP", "1") ||
        W_ATTR(w, "maxWidth", "%d", top->width) || W_ATTR(w, "maxHeight", "%d", top->height) ||
        W_ATTR(w, "par", "%d:%d", top->width / (int)av_gcd(top->width, top->height),
               top->height / (int)av_gcd(top->width, top->height)) ||
        (prot && sv__dash_write_protection(w, prot) < 0))
        return -1;
    for (int i = 0; i < m->nb_video; i++) {
        const sv__rendition_info *v = m->video[i].info;
        if (!in_set(v, codec))
            continue;
        if (W_START(w, "Representation") || W_ATTR(w, "id", "%s", v->name) ||
            W_ATTR(w, "bandwidth", "%lld", (long long)v->bandwidth) ||
            W_ATTR(w, "codecs", "%s", v->codecs) ||
            W_ATTR(w, "width", "%d", v->width) || W_ATTR(w, "height", "%d", v->height) ||
            W_ATTR(w, "sar", "1:1") ||
            (fr.den == 1 ? W_ATTR(w, "frameRate", "%d", fr.num)
                         : W_ATTR(w, "frameRate", "%d/%d", fr.num, fr.den)) ||
            write_template(w, &m->video[i]) < 0 || W_END(w))
            return -1;
    }
    return W_END(w) ? -1 : 0;
}

/* The trick-mode set of the video set `main_id` (DASH-IF IOP 3.2.9): the
 * same rungs, key frames only (codingDependency="false"), for fast
 * forward and rewind. maxPlayoutRate: one key frame per segment, so the
 * decoder meets its normal frame rate at a playout rate of a segment's
 * frames. A client that does not know the scheme drops the set. */
static int write_trick_set(xmlTextWriterPtr w, const sv__manifest *m, int codec, int main_id,
                           int id)
{
    const sv__rendition_info *top = NULL;
    for (int i = 0; i < m->nb_video; i++)
        if (in_set(m->video[i].info, codec) && sv__segwriter_has_keys(m->video[i].segs) &&
            (!top || m->video[i].info->height >= top->height))
            top = m->video[i].info;
    if (!top)
        return 0;
    AVRational key_rate = av_d2q(1.0 / m->segment_s, 1000);
    long rate = lround(m->segment_s * top->frame_rate);
    if (W_START(w, "AdaptationSet") || W_ATTR(w, "id", "%d", id) ||
        W_ATTR(w, "contentType", "video") || W_ATTR(w, "mimeType", "video/mp4") ||
        W_ATTR(w, "segmentAlignment", "true") || W_ATTR(w, "startWithSAP", "1") ||
        W_ATTR(w, "maxWidth", "%d", top->width) || W_ATTR(w, "maxHeight", "%d", top->height) ||
        W_ATTR(w, "maxPlayoutRate", "%ld", rate > 1 ? rate : 1) ||
        W_ATTR(w, "codingDependency", "false") ||
        (m->prot && sv__dash_write_protection(w, m->prot) < 0) ||
        W_START(w, "EssentialProperty") ||
        W_ATTR(w, "schemeIdUri", "http://dashif.org/guidelines/trickmode") ||
        W_ATTR(w, "value", "%d", main_id) || W_END(w))
        return -1;
    for (int i = 0; i < m->nb_video; i++) {
        const sv__rendition_info *v = m->video[i].info;
        int64_t bw, avg;
        if (!in_set(v, codec) || !sv__segwriter_has_keys(m->video[i].segs))
            continue;
        sv__segwriter_key_bandwidth(m->video[i].segs, &bw, &avg);
        if (W_START(w, "Representation") || W_ATTR(w, "id", "%s-trick", v->name) ||
            W_ATTR(w, "bandwidth", "%lld", (long long)bw) ||
            W_ATTR(w, "codecs", "%s", v->codecs) ||
            W_ATTR(w, "width", "%d", v->width) || W_ATTR(w, "height", "%d", v->height) ||
            W_ATTR(w, "sar", "1:1") ||
            W_ATTR(w, "frameRate", "%d/%d", key_rate.num, key_rate.den) ||
            write_key_list(w, &m->video[i]) < 0 || W_END(w))
            return -1;
    }
    return W_END(w) ? -1 : 0;
}

/* The thumbnail tiles (DASH-IF IOP 6.2.6 "thumbnail_tile"): an image
 * AdaptationSet whose one Representation is a whole tile (width, height)
 * with EssentialProperty http://dashif.org/thumbnail_tile value "5x5", and a
 * SegmentTemplate of one tile per cols x rows x interval seconds. */
static int write_image_set(xmlTextWriterPtr w, const sv__tiles_info *t, int id)
{
    double tile_s = t->interval_s * t->cols * t->rows;
    AVRational d = av_d2q(tile_s, 1000000);
    if (W_START(w, "AdaptationSet") || W_ATTR(w, "id", "%d", id) ||
        W_ATTR(w, "contentType", "image") || W_ATTR(w, "mimeType", "image/jpeg") ||
        W_START(w, "SegmentTemplate") || W_ATTR(w, "timescale", "%d", d.den) ||
        W_ATTR(w, "duration", "%d", d.num) || W_ATTR(w, "media", "thumbs/tile-$Number$.jpg") ||
        W_ATTR(w, "startNumber", "1") || W_END(w) ||
        W_START(w, "Representation") || W_ATTR(w, "id", "thumbnails") ||
        W_ATTR(w, "bandwidth", "%lld", (long long)ceil(t->max_bytes * 8.0 / tile_s)) ||
        W_ATTR(w, "width", "%d", t->thumb_width * t->cols) ||
        W_ATTR(w, "height", "%d", t->thumb_height * t->rows) ||
        W_START(w, "EssentialProperty") ||
        W_ATTR(w, "schemeIdUri", "http://dashif.org/thumbnail_tile") ||
        W_ATTR(w, "value", "%dx%d", t->cols, t->rows) || W_END(w) || W_END(w) || W_END(w))
        return -1;
    return 0;
}

/* A subtitle track (subs.c): WebVTT segments cut like the video's. */
static int write_text_set(xmlTextWriterPtr w, const sv__manifest_subs *t, double segment_s,
                          int id)
{
    if (W_START(w, "AdaptationSet") || W_ATTR(w, "id", "%d", id) ||
        W_ATTR(w, "contentType", "text") || W_ATTR(w, "mimeType", "text/vtt") ||
        W_ATTR(w, "lang", "%s", t->lang) || W_START(w, "Role") ||
        W_ATTR(w, "schemeIdUri", "urn:mpeg:dash:role:2011") || W_ATTR(w, "value", "subtitle") ||
        W_END(w) || W_START(w, "Representation") || W_ATTR(w, "id", "subs-%s", t->lang) ||
        W_ATTR(w, "bandwidth", "256") || W_START(w, "SegmentTemplate") ||
        W_ATTR(w, "timescale", "1000") || W_ATTR(w, "duration", "%lld", llround(segment_s * 1000)) ||
        W_ATTR(w, "media", "subs/%s/seg-$Number$.vtt", t->lang) || W_ATTR(w, "startNumber", "1") ||
        W_END(w) || W_END(w) || W_END(w))
        return -1;
    return 0;
}

static int write_audio_set(xmlTextWriterPtr w, const sv__manifest_rendition *a,
                           const sv__media_protection *prot, int id)
{
    if (W_START(w, "AdaptationSet") || W_ATTR(w, "id", "%d", id) ||
        W_ATTR(w, "contentType", "audio") || W_ATTR(w, "mimeType", "audio/mp4") ||
        W_ATTR(w, "segmentAlignment", "true") || W_ATTR(w, "startWithSAP", "1") ||
        (prot && sv__dash_write_protection(w, prot) < 0) ||
        W_START(w, "Representation") || W_ATTR(w, "id", "%s", a->info->name) ||
        W_ATTR(w, "bandwidth", "%lld", (long long)a->info->bandwidth) ||
        W_ATTR(w, "codecs", "%s", a->info->codecs) ||
        W_ATTR(w, "audioSamplingRate", "48000") ||
        W_START(w, "AudioChannelConfiguration") ||
        W_ATTR(w, "schemeIdUri", "urn:mpeg:dash:23003:3:audio_channel_configuration:2011") ||
        W_ATTR(w, "value", "2") || W_END(w) ||
        write_template(w, a) < 0 || W_END(w) || W_END(w))
        return -1;
    return 0;
}

/* One set per codec present, H.264 first (renditions of no known codec
 * last); *count sets written. With `trick`, the trick-mode sets instead,
 * numbered from *count on, each naming its main set by the same order. */
static int write_video_sets(xmlTextWriterPtr w, const sv__manifest *m, int trick, int *count)
{
    int main_id = 0;
    if (!trick)
        *count = 0;
    for (int k = 0; k <= SV__NB_CODECS; k++) {
        int c = k < SV__NB_CODECS ? k : -1;
        int present = 0, keys = 0;
        for (int i = 0; i < m->nb_video; i++)
            if (in_set(m->video[i].info, c)) {
                present = 1;
                keys |= sv__segwriter_has_keys(m->video[i].segs);
            }
        if (!present)
            continue;
        if (!trick && write_video_set(w, m, c, *count) < 0)
            return -1;
        if (trick && keys && write_trick_set(w, m, c, main_id, (*count)++) < 0)
            return -1;
        if (!trick)
            (*count)++;
        main_id++;
    }
    return 0;
}

/* The same track as TTML (IMSC1 text profile) in fMP4 (ttml.c). */
static int write_stpp_set(xmlTextWriterPtr w, const sv__manifest_subs *t, double segment_s,
                          int id)
{
    if (W_START(w, "AdaptationSet") || W_ATTR(w, "id", "%d", id) ||
        W_ATTR(w, "contentType", "text") || W_ATTR(w, "mimeType", "application/mp4") ||
        W_ATTR(w, "codecs", "stpp.ttml.im1t") || W_ATTR(w, "lang", "%s", t->lang) ||
        W_START(w, "Role") || W_ATTR(w, "schemeIdUri", "urn:mpeg:dash:role:2011") ||
        W_ATTR(w, "value", "subtitle") || W_END(w) || W_START(w, "Representation") ||
        W_ATTR(w, "id", "ttml-%s", t->lang) || W_ATTR(w, "bandwidth", "1024") ||
        W_START(w, "SegmentTemplate") || W_ATTR(w, "timescale", "1000") ||
        W_ATTR(w, "duration", "%lld", llround(segment_s * 1000)) ||
        W_ATTR(w, "initialization", "subs/%s/ttml-init.mp4", t->lang) ||
        W_ATTR(w, "media", "subs/%s/ttml-$Number$.m4s", t->lang) ||
        W_ATTR(w, "startNumber", "1") || W_END(w) || W_END(w) || W_END(w))
        return -1;
    return 0;
}

/* WebVTT sets first (every player reads them), then the TTML ones. */
static int write_text_sets(xmlTextWriterPtr w, const sv__manifest *m, int *sets)
{
    for (int i = 0; i < m->nb_subs; i++)
        if (write_text_set(w, &m->subs[i], m->segment_s, (*sets)++) < 0)
            return -1;
    for (int i = 0; i < m->nb_subs; i++)
        if (write_stpp_set(w, &m->subs[i], m->segment_s, (*sets)++) < 0)
            return -1;
    return 0;
}

int sv__dash_write(const sv__manifest *m, const char *out_dir, char *errbuf, size_t errlen)
{
    int rc = SV_ERR_NOMEM, sets = 0;
    char dur[32], minbuf[32], path[4200];
    xmlTextWriterPtr w = NULL;
    xmlBufferPtr buf = xmlBufferCreate();
    if (!buf || !(w = xmlNewTextWriterMemory(buf, 0)))
        goto fail;
    xmlTextWriterSetIndent(w, 1);
    xmlTextWriterSetIndentString(w, BAD_CAST "  ");
    iso_duration(dur, sizeof(dur), m->duration_s);
    /* Two segments buffered before playback is the usual VOD choice. */
    iso_duration(minbuf, sizeof(minbuf), 2 * m->segment_s);
    if (xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0 ||
        W_START(w, "MPD") ||
        W_ATTR(w, "xmlns", "urn:mpeg:dash:schema:mpd:2011") ||
        (m->prot && sv__dash_write_namespaces(w) < 0) ||
        W_ATTR(w, "profiles", "urn:mpeg:dash:profile:isoff-live:2011") ||
        W_ATTR(w, "type", "static") ||
        W_ATTR(w, "mediaPresentationDuration", "%s", dur) ||
        W_ATTR(w, "minBufferTime", "%s", minbuf) ||
        W_START(w, "Period") || W_ATTR(w, "id", "0") || W_ATTR(w, "start", "PT0S") ||
        write_video_sets(w, m, 0, &sets) < 0 ||
        (m->audio && write_audio_set(w, m->audio, m->prot, sets++) < 0) ||
        write_video_sets(w, m, 1, &sets) < 0 ||
        (m->tiles && m->tiles->count > 0 && write_image_set(w, m->tiles, sets++) < 0) ||
        write_text_sets(w, m, &sets) < 0 ||
        xmlTextWriterEndDocument(w) < 0) {
        rc = sv__media_err(errbuf, errlen, SV_ERR_INTERNAL, "libxml2 failed writing the MPD");
        goto fail;
    }
    xmlFreeTextWriter(w);   /* flushes into buf */
    w = NULL;
    if (snprintf(path, sizeof(path), "%s/manifest.mpd", out_dir) >= (int)sizeof(path)) {
        rc = sv__media_err(errbuf, errlen, SV_ERR_IO, "path too long under %s", out_dir);
        goto fail;
    }
    rc = sv__file_write(path, xmlBufferContent(buf), (size_t)xmlBufferLength(buf), 0644);
    sv__media_ioerr(errbuf, errlen, rc, "write", path);
fail:
    if (rc == SV_ERR_NOMEM)
        sv__media_err(errbuf, errlen, rc, "out of memory writing the MPD");
    if (w)
        xmlFreeTextWriter(w);
    if (buf)
        xmlBufferFree(buf);
    return rc;
}
