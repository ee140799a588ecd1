/*
 * dash.c - the LL-DASH MPD from the live index (pure: no I/O), written with
 * libxml2's xmlTextWriter, following the DASH-IF low-latency guidelines:
 * type dynamic, one Period per publisher (a reconnect starts a new one, at
 * its wall-clock start), SegmentTemplate with $Number$ and @duration, and
 * availabilityTimeOffset = segment - two parts with availabilityTimeComplete
 * false (a segment may be fetched once its first part exists: the server
 * sends it chunked as its parts land), a ProducerReferenceTime and
 * a ServiceDescription with the target latency and the playback rates a
 * player may use, UTCTiming (http-iso) on svserver's /api/v1/time.
 * While its publisher is gone (the event waits end_after_s for one) the
 * last Period gets its duration, so players stop at its last segment and
 * wait for the next Period (a publisher coming back) or the static MPD,
 * instead of asking for segments that may never come (Shaka Player and
 * dash.js reported the 404 as an error); it keeps that duration when the
 * next Period starts, later, with the next publisher.
 * Once the event ended: type static with each Period's duration.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libxml/xmlwriter.h>

#include "backend/live/internal.h"
#include "backend/media/internal.h"
#include "streamverse/common.h"

#define W_ATTR(w, name, ...) \
    (xmlTextWriterWriteFormatAttribute((w), BAD_CAST(name), __VA_ARGS__) < 0)
#define W_START(w, name) (xmlTextWriterStartElement((w), BAD_CAST(name)) < 0)
#define W_END(w) (xmlTextWriterEndElement(w) < 0)

static void iso_time(int64_t ms, char *out, size_t cap)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    char day[32];

    gmtime_r(&t, &tm);
    strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, cap, "%s.%03dZ", day, (int)(ms % 1000));
}

/* One publisher's stretch of the window: its segments in rendition 0. */
typedef struct period {
    int epoch;
    int64_t msn0, first, last;   /* its first segment ever, first and last listed */
    int64_t start_ms;            /* wall clock of its media time 0 */
    double duration;             /* of the listed segments */
} period;

static int periods(const sv__live_view *v, period *out, int cap)
{
    const sv__live_rend *r = &v->rends[0];
    int n = 0;

    for (int i = 0; i < r->nb_segs; i++) {
        const sv__live_seg *s = &r->segs[i];

        if (!n || out[n - 1].epoch != s->epoch) {
            if (n == cap)
                break;
            out[n] = (period){s->epoch, s->msn0, s->msn, s->msn,
                              s->pdt_ms - (int64_t)((double)(s->msn - s->msn0) *
                                                    v->segment_s * 1000.0), 0};
            n++;
        }
        out[n - 1].last = s->msn;
        out[n - 1].duration += s->duration;
    }
    return n;
}

/* availabilityTimeOffset on the availability clock. availabilityStartTime
 * and the Period's start are on the capture clock (media time t is dated
 * when its frame reached svserver: the presentation timeline a player's
 * latency is measured on), and a part exists only once its last frame went
 * through the ladder and landed: a few tens of ms later on an idle
 * machine, hundreds on a loaded one. So the first part of a segment is
 * announced one part after it was captured whole (one part of allowance
 * for the ladder), never before it exists as long as the ladder keeps
 * within a part of real time (a request that still comes early is held
 * until the part lands). */
static double avail_offset(const sv__live_view *v)
{
    double ato = v->segment_s - 2 * v->part_s;

    return ato > 0 ? ato : 0;
}

static int write_rep(xmlTextWriterPtr w, const sv__live_rend *r)
{
    if (W_START(w, "Representation") || W_ATTR(w, "id", "%s", r->name) ||
        W_ATTR(w, "bandwidth", "%d", r->bandwidth) || W_ATTR(w, "codecs", "%s", r->codecs))
        return -1;
    if (!r->is_audio && (W_ATTR(w, "width", "%d", r->width) ||
                         W_ATTR(w, "height", "%d", r->height) ||
                         W_ATTR(w, "frameRate", "%d/1000", (int)(r->frame_rate * 1000 + 0.5))))
        return -1;
    if (r->is_audio && (W_ATTR(w, "audioSamplingRate", "48000") ||
                        W_START(w, "AudioChannelConfiguration") ||
                        W_ATTR(w, "schemeIdUri", "urn:mpeg:dash:23003:3:audio_channel_"
                               "configuration:2011") ||
                        W_ATTR(w, "value", "2") || W_END(w)))
        return -1;
    return W_END(w) ? -1 : 0;
}

static int write_set(xmlTextWriterPtr w, const sv__live_view *v, const period *p, int audio,
                     int id)
{
    char wall[40];
    int any = 0;

    for (int i = 0; i < v->nb_rends; i++)
        any |= v->rends[i].is_audio == audio;
    if (!any)
        return 0;
    iso_time(p->start_ms, wall, sizeof(wall));
    if (W_START(w, "AdaptationSet") || W_ATTR(w, "id", "%d", id) ||
        W_ATTR(w, "contentType", audio ? "audio" : "video") ||
        W_ATTR(w, "mimeType", audio ? "audio/mp4" : "video/mp4") ||
        W_ATTR(w, "segmentAlignment", "true") || W_ATTR(w, "startWithSAP", "1"))
        return -1;
    /* Encrypted: as a VOD title's (backend/media/encrypt_manifest.c). */
    if (v->prot && sv__dash_write_protection(w, v->prot) < 0)
        return -1;
    /* The UTCTiming child says wallClockTime is an ISO date (ISO/IEC
     * 23009-1 5.12, DASH-IF low-latency guidelines): without it the value
     * is an NTP timestamp, and Shaka Player read the date as 0 NTP (1900)
     * and reported a live latency of 127 years. */
    if (!audio && (W_START(w, "ProducerReferenceTime") || W_ATTR(w, "id", "0") ||
                   W_ATTR(w, "type", "encoder") || W_ATTR(w, "wallClockTime", "%s", wall) ||
                   W_ATTR(w, "presentationTime", "0") || W_START(w, "UTCTiming") ||
                   W_ATTR(w, "schemeIdUri", "urn:mpeg:dash:utc:http-iso:2014") ||
                   W_ATTR(w, "value", "/api/v1/time") || W_END(w) || W_END(w)))
        return -1;
    /* Media time 0 of the tracks is the publisher's first frame. A live
     * Period starts there (its start never moves between updates); an
     * ended one at its first segment still on disk. */
    if (W_START(w, "SegmentTemplate") || W_ATTR(w, "timescale", "1000") ||
        W_ATTR(w, "duration", "%d", (int)(v->segment_s * 1000 + 0.5)) ||
        W_ATTR(w, "startNumber", "%lld", (long long)(v->ended ? p->first : p->msn0)) ||
        (v->ended && W_ATTR(w, "presentationTimeOffset", "%lld",
                            (long long)((double)(p->first - p->msn0) * v->segment_s * 1000 +
                                        0.5))) ||
        W_ATTR(w, "initialization", "%s$RepresentationID$/init-%d.mp4",
               v->vod && !audio ? "video/" : "", p->epoch) ||
        W_ATTR(w, "media", "%s$RepresentationID$/seg-$Number$.m4s",
               v->vod && !audio ? "video/" : ""))
        return -1;
    if (!v->ended && (W_ATTR(w, "availabilityTimeOffset", "%.3f", avail_offset(v)) ||
                      W_ATTR(w, "availabilityTimeComplete", "false")))
        return -1;
    if (W_END(w))
        return -1;
    for (int i = 0; i < v->nb_rends; i++)
        if (v->rends[i].is_audio == audio && write_rep(w, &v->rends[i]) < 0)
            return -1;
    return W_END(w) ? -1 : 0;
}

int sv__live_dash_mpd(const sv__live_view *v, int64_t now_ms, sv__buf *out)
{
    xmlBufferPtr buf = xmlBufferCreate();
    xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
    period ps[64];
    char ast[40], pub[40];
    double total = 0;
    int n = v->nb_rends ? periods(v, ps, 64) : 0, ret = SV_ERR_INTERNAL, bad;

    if (!w)
        goto out;
    xmlTextWriterSetIndent(w, 1);
    xmlTextWriterSetIndentString(w, BAD_CAST "  ");
    for (int i = 0; i < n; i++)
        total += ps[i].duration;
    iso_time(v->ast_ms, ast, sizeof(ast));
    iso_time(now_ms, pub, sizeof(pub));
    bad = xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0 || W_START(w, "MPD") ||
          W_ATTR(w, "xmlns", "urn:mpeg:dash:schema:mpd:2011") ||
          (v->prot && sv__dash_write_namespaces(w) < 0) ||
          W_ATTR(w, "profiles", "urn:mpeg:dash:profile:isoff-live:2011,"
                 "urn:mpeg:dash:profile:cmaf:2019") ||
          W_ATTR(w, "type", v->ended ? "static" : "dynamic") ||
          W_ATTR(w, "availabilityStartTime", "%s", ast) ||
          W_ATTR(w, "publishTime", "%s", pub) ||
          W_ATTR(w, "minBufferTime", "PT%.3fS", v->part_s * 2) ||
          W_ATTR(w, "maxSegmentDuration", "PT%.3fS", v->segment_s + v->part_s);
    if (!bad && v->ended)
        bad = W_ATTR(w, "mediaPresentationDuration", "PT%.3fS", total);
    if (!bad && !v->ended)
        bad = W_ATTR(w, "minimumUpdatePeriod", "PT%.3fS", v->segment_s) ||
              W_ATTR(w, "timeShiftBufferDepth", "PT%.3fS", v->dvr_s) ||
              W_ATTR(w, "suggestedPresentationDelay", "PT%.3fS", v->target_latency_s) ||
              W_START(w, "ServiceDescription") || W_ATTR(w, "id", "0") ||
              W_START(w, "Latency") || W_ATTR(w, "referenceId", "0") ||
              W_ATTR(w, "target", "%d", (int)(v->target_latency_s * 1000)) ||
              W_ATTR(w, "min", "%d", (int)(v->target_latency_s * 500)) ||
              W_ATTR(w, "max", "%d", (int)(v->target_latency_s * 2000)) || W_END(w) ||
              W_START(w, "PlaybackRate") || W_ATTR(w, "min", "0.95") ||
              W_ATTR(w, "max", "1.05") || W_END(w) || W_END(w);
    for (int i = 0; !bad && i < n; i++) {
        double before = (double)(ps[i].first - ps[i].msn0) * v->segment_s;
        double skipped = v->ended ? before : 0;
        /* A Period ends at its last segment once its publisher is gone, and
         * keeps that duration after a new publisher starts the next one:
         * an early-terminated Period (ISO/IEC 23009-1 5.3.2.1). Without it,
         * its end would move to the next Period's start between updates,
         * and Shaka Player, counting segments of the old Period into the
         * gap, asked for the new Period's ahead of their time (a 404). */
        int closed = !v->ended && (i < n - 1 || v->gone);

        bad = W_START(w, "Period") || W_ATTR(w, "id", "%d", ps[i].epoch) ||
              W_ATTR(w, "start", "PT%.3fS",
                     (double)(ps[i].start_ms - v->ast_ms) / 1000.0 + skipped) ||
              (v->ended && W_ATTR(w, "duration", "PT%.3fS", ps[i].duration)) ||
              (closed && W_ATTR(w, "duration", "PT%.3fS", before + ps[i].duration)) ||
              write_set(w, v, &ps[i], 0, 0) < 0 || write_set(w, v, &ps[i], 1, 1) < 0 ||
              W_END(w);
    }
    if (!bad && !v->ended)
        bad = W_START(w, "UTCTiming") ||
              W_ATTR(w, "schemeIdUri", "urn:mpeg:dash:utc:http-iso:2014") ||
              W_ATTR(w, "value", "/api/v1/time") || W_END(w);
    if (bad || xmlTextWriterEndDocument(w) < 0)
        goto out;
    xmlFreeTextWriter(w);
    w = NULL;
    sv__buf_append(out, xmlBufferContent(buf), (size_t)xmlBufferLength(buf));
    ret = out->err;
out:
    if (w)
        xmlFreeTextWriter(w);
    if (buf)
        xmlBufferFree(buf);
    return ret;
}
