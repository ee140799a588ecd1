/*
 * hls.c - LL-HLS playlists from the live index (pure: no I/O). The
 * multivariant playlist lists the video rungs (with the audio group); a
 * media playlist has EXT-X-SERVER-CONTROL (blocking reload, PART-HOLD-BACK,
 * CAN-SKIP-UNTIL), EXT-X-PART-INF, a program date time on every segment,
 * the parts of the last three target durations, a preload hint for the
 * next part, and the other renditions' reports. A delta update
 * (_HLS_skip=YES) replaces the segments older than CAN-SKIP-UNTIL with
 * EXT-X-SKIP. Once the event ended: EXT-X-ENDLIST, no hint.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "backend/http_util.h"
#include "backend/live/internal.h"
#include "backend/media/internal.h"
#include "streamverse/common.h"

/* The longest an AAC frame (1024 samples at 48 kHz) may carry a part past
 * the grid: audio parts end within one frame of the video's. */
#define AUDIO_FRAME_S (1024.0 / 48000.0)

static void put_pdt(sv__buf *b, int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    char day[32];

    gmtime_r(&t, &tm);
    strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
    sv__buf_printf(b, "#EXT-X-PROGRAM-DATE-TIME:%s.%03dZ\n", day, (int)(ms % 1000));
}

static double part_target(const sv__live_view *v)
{
    int audio = 0;

    for (int i = 0; i < v->nb_rends; i++)
        audio |= v->rends[i].is_audio;
    /* Whole milliseconds, rounded up. */
    return ceil((v->part_s + (audio ? AUDIO_FRAME_S : 0)) * 1000.0) / 1000.0;
}

static int target_duration(const sv__live_view *v)
{
    double longest = v->segment_s;

    for (int i = 0; i < v->nb_rends; i++)
        for (int j = 0; j < v->rends[i].nb_segs; j++)
            if (v->rends[i].segs[j].duration > longest)
                longest = v->rends[i].segs[j].duration;
    /* EXTINF rounded to the nearest second must not exceed it. */
    return longest < 1 ? 1 : (int)lround(longest);
}

/* EXT-X-SESSION-KEY: the media playlists' EXT-X-KEY line under its name. */
static int session_key(const sv__media_protection *prot, sv__buf *out)
{
    sv__buf line = {0};
    int ret = sv__hls_key_line(prot, &line);

    if (ret == 0 && !line.err && line.size > 11) {
        sv__buf_printf(out, "#EXT-X-SESSION-KEY:");
        sv__buf_append(out, line.data + 11, line.size - 11); /* after "#EXT-X-KEY:" */
    }
    ret = ret < 0 ? ret : line.err;
    sv__buf_free(&line);
    return ret;
}

int sv__live_hls_master(const sv__live_view *v, sv__buf *out)
{
    const sv__live_rend *audio = NULL;

    for (int i = 0; i < v->nb_rends; i++)
        if (v->rends[i].is_audio)
            audio = &v->rends[i];
    sv__buf_printf(out, "#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-INDEPENDENT-SEGMENTS\n");
    /* The key's system and ID up front, as the media playlists' EXT-X-KEY
     * says them: a player may fetch the license before the first segment. */
    if (v->prot && session_key(v->prot, out) < 0)
        return SV_ERR_NOMEM;
    if (audio)
        sv__buf_printf(out, "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud\",NAME=\"audio\","
                       "DEFAULT=YES,AUTOSELECT=YES,CHANNELS=\"2\",URI=\"audio/index.m3u8\"\n");
    /* A VOD title keeps media.h's layout: video/<name>/. */
    for (int i = 0; i < v->nb_rends; i++) {
        const sv__live_rend *r = &v->rends[i];

        if (r->is_audio)
            continue;
        sv__buf_printf(out, "#EXT-X-STREAM-INF:BANDWIDTH=%d,CODECS=\"%s%s%s\","
                       "RESOLUTION=%dx%d,FRAME-RATE=%.3f%s\n%s%s/index.m3u8\n",
                       r->bandwidth + (audio ? audio->bandwidth : 0), r->codecs,
                       audio ? "," : "", audio ? audio->codecs : "", r->width, r->height,
                       r->frame_rate, audio ? ",AUDIO=\"aud\"" : "", v->vod ? "video/" : "",
                       r->name);
    }
    return out->err;
}

/* The part after the last one listed. */
static void next_part(const sv__live_view *v, const sv__live_rend *r, int64_t *msn, int *part)
{
    const sv__live_seg *s = &r->segs[r->nb_segs - 1];
    int pps = (int)lround(v->segment_s / v->part_s);

    if (s->complete || s->nb_parts >= pps) {
        *msn = s->msn + 1;
        *part = 0;
    } else {
        *msn = s->msn;
        *part = s->nb_parts;
    }
}

int sv__live_hls_media(const sv__live_view *v, int i, int skip, sv__buf *out)
{
    const sv__live_rend *r = &v->rends[i];
    int td = target_duration(v), skipped = 0, last_epoch = -1;
    double pt = part_target(v), hold = 3 * pt, skip_until = 6.0 * td;
    double total = 0, from_end;

    if (v->target_latency_s > hold)
        hold = v->target_latency_s;
    for (int j = 0; j < r->nb_segs; j++)
        total += r->segs[j].duration;
    sv__buf_printf(out, "#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-TARGETDURATION:%d\n", td);
    if (!v->ended)
        sv__buf_printf(out, "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=%.3f,"
                       "CAN-SKIP-UNTIL=%.1f\n", hold, skip_until);
    if (!v->ended)
        sv__buf_printf(out, "#EXT-X-PART-INF:PART-TARGET=%.3f\n", pt);
    sv__buf_printf(out, "#EXT-X-MEDIA-SEQUENCE:%lld\n",
                   (long long)(r->nb_segs ? r->segs[0].msn : 0));
    if (r->disc_seq)
        sv__buf_printf(out, "#EXT-X-DISCONTINUITY-SEQUENCE:%lld\n", (long long)r->disc_seq);
    /* A delta update skips the complete segments that end before the skip
     * boundary, CAN-SKIP-UNTIL before the end (never the last one). */
    from_end = total;
    if (skip && !v->ended) {
        for (int j = 0; j < r->nb_segs - 1 && r->segs[j].complete; j++) {
            if (from_end - r->segs[j].duration < skip_until)
                break;
            from_end -= r->segs[j].duration;
            skipped++;
        }
        if (skipped)
            sv__buf_printf(out, "#EXT-X-SKIP:SKIPPED-SEGMENTS=%d\n", skipped);
    }
    /* The event has one key (title.c): one EXT-X-KEY before every segment
     * listed, in a delta update too, as a VOD title's playlist has it. */
    if (v->prot && sv__hls_key_line(v->prot, out) < 0)
        return SV_ERR_NOMEM;
    from_end = total;
    for (int j = 0; j < r->nb_segs; j++) {
        const sv__live_seg *s = &r->segs[j];

        if (j < skipped) {
            from_end -= s->duration;
            last_epoch = s->epoch;
            continue;
        }
        if (s->discontinuity && j > 0)
            sv__buf_printf(out, "#EXT-X-DISCONTINUITY\n");
        if (s->epoch != last_epoch)
            sv__buf_printf(out, "#EXT-X-MAP:URI=\"init-%d.mp4\"\n", s->epoch);
        last_epoch = s->epoch;
        put_pdt(out, s->pdt_ms);
        /* Parts of the segments that end within three target durations of
         * the playlist's end. */
        if (!v->ended && from_end - s->duration <= 3.0 * td) {
            for (int k = 0; k < s->nb_parts; k++)
                sv__buf_printf(out, "#EXT-X-PART:DURATION=%.5f,URI=\"part-%lld.%d.m4s\"%s\n",
                               (double)s->parts[k].duration, (long long)s->msn, k,
                               s->parts[k].independent ? ",INDEPENDENT=YES" : "");
        }
        from_end -= s->duration;
        if (s->complete)
            sv__buf_printf(out, "#EXTINF:%.5f,\nseg-%lld.m4s\n", s->duration,
                           (long long)s->msn);
    }
    if (v->ended) {
        sv__buf_printf(out, "#EXT-X-ENDLIST\n");
        return out->err;
    }
    if (r->nb_segs) {
        int64_t msn;
        int part;

        next_part(v, r, &msn, &part);
        sv__buf_printf(out, "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"part-%lld.%d.m4s\"\n",
                       (long long)msn, part);
    }
    for (int j = 0; j < v->nb_rends; j++) {
        const sv__live_rend *o = &v->rends[j];
        const sv__live_seg *s;

        if (j == i || !o->nb_segs)
            continue;
        s = &o->segs[o->nb_segs - 1];
        sv__buf_printf(out, "#EXT-X-RENDITION-REPORT:URI=\"../%s/index.m3u8\",LAST-MSN=%lld,"
                       "LAST-PART=%d\n", o->name, (long long)s->msn, s->nb_parts - 1);
    }
    return out->err;
}

/* A decimal in [0, max]: 0, or -1. */
static int decimal(const char *s, int64_t max, int64_t *out)
{
    int64_t v = 0;

    if (!*s || strlen(s) > 18)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (*s - '0');
    }
    if (v > max)
        return -1;
    *out = v;
    return 0;
}

/* One parameter: 1 found (decoded into v), 0 absent, -1 malformed. */
static int param(const char *query, size_t len, const char *name, char *v, size_t cap)
{
    int r = sv__http_query_get(query, len, name, 0, v, cap);

    return r >= 0 ? 1 : r == SV_ERR_NOT_FOUND ? 0 : -1;
}

int sv__live_hls_query(const char *query, size_t len, int64_t *msn, int *part, int *skip,
                       char *err, size_t errlen)
{
    char v[32];
    int64_t n;
    int r;

    *msn = -1;
    *part = -1;
    *skip = 0;
    if ((r = param(query, len, "_HLS_msn", v, sizeof(v))) < 0 ||
        (r == 1 && decimal(v, INT64_C(1) << 53, &n) < 0)) {
        snprintf(err, errlen, "_HLS_msn: expected a media sequence number (0..2^53)");
        return SV_ERR_INVALID;
    }
    if (r == 1)
        *msn = n;
    if ((r = param(query, len, "_HLS_part", v, sizeof(v))) < 0 ||
        (r == 1 && decimal(v, SV__LIVE_MAX_PARTS - 1, &n) < 0)) {
        snprintf(err, errlen, "_HLS_part: expected a part index (0..%d)",
                 SV__LIVE_MAX_PARTS - 1);
        return SV_ERR_INVALID;
    }
    if (r == 1) {
        if (*msn < 0) {
            snprintf(err, errlen, "_HLS_part needs _HLS_msn");
            return SV_ERR_INVALID;
        }
        *part = (int)n;
    }
    if ((r = param(query, len, "_HLS_skip", v, sizeof(v))) < 0 ||
        (r == 1 && strcmp(v, "YES") && strcmp(v, "v2"))) {
        snprintf(err, errlen, "_HLS_skip: expected YES or v2");
        return SV_ERR_INVALID;
    }
    *skip = r == 1;
    return 0;
}

int sv__live_media_name(const char *name, int *is_part, int64_t *msn, int *part)
{
    long long m;
    int p, n = 0;

    if (sscanf(name, "part-%lld.%d.m4s%n", &m, &p, &n) == 2 && n && !name[n] && m >= 0 &&
        p >= 0 && p < SV__LIVE_MAX_PARTS) {
        *is_part = 1;
        *msn = m;
        *part = p;
        return 1;
    }
    n = 0;
    if (sscanf(name, "seg-%lld.m4s%n", &m, &n) == 1 && n && !name[n] && m >= 0) {
        *is_part = 0;
        *msn = m;
        *part = -1;
        return 1;
    }
    return 0;
}
