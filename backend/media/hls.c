/*
 * HLS playlists (RFC 8216, version 7 for fMP4 with EXT-X-MAP): one VOD
 * media playlist per rendition with the exact segment durations, and a
 * master playlist listing every video rung with the audio rendition in an
 * EXT-X-MEDIA group. With several codecs each rung of each codec is its
 * own variant, its CODECS attribute naming it: a client keeps the variants
 * it can decode. H.264 variants come first (the fallback every client
 * has), then HEVC, then AV1. BANDWIDTH and AVERAGE-BANDWIDTH of a variant count the
 * video and the audio it plays with, as the spec asks. Each video rung also
 * has an I-frame playlist (EXT-X-I-FRAME-STREAM-INF in the master) whose
 * byte ranges are the key frames' own fragments at the start of the
 * existing segment files (fmp4.c). The thumbnail tiles (tiles.c) are an
 * image playlist (EXT-X-IMAGE-STREAM-INF, thumbs/images.m3u8); subtitle
 * tracks (subs.c writes their playlists) EXT-X-MEDIA TYPE=SUBTITLES.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "backend/media/internal.h"
#include "platform/fs.h"
#include "streamverse/common.h"

#define AUDIO_GROUP "audio"
#define SUBS_GROUP "subs"

static int save(sv__buf *b, const char *out_dir, const char *rel, char *errbuf, size_t errlen)
{
    char path[4200];
    int rc;
    if (b->err)
        rc = sv__media_err(errbuf, errlen, SV_ERR_NOMEM, "out of memory writing %s", rel);
    else if (snprintf(path, sizeof(path), "%s/%s", out_dir, rel) >= (int)sizeof(path))
        rc = sv__media_err(errbuf, errlen, SV_ERR_IO, "path too long under %s", out_dir);
    else
        rc = sv__media_ioerr(errbuf, errlen,
                             sv__file_write(path, b->data, b->size, 0644),
                             "write", path);
    sv__buf_free(b);
    return rc;
}

/* The media playlist of a rendition (index.m3u8), or with `iframes` its
 * I-frame playlist (iframes.m3u8): EXT-X-I-FRAMES-ONLY, one entry per
 * segment whose EXT-X-BYTERANGE is the key frame's own moof+mdat at the
 * start of the segment file, lasting until the next key frame. */
static int media_playlist(const sv__manifest_rendition *r, const sv__media_protection *prot,
                          int iframes, const char *out_dir, char *errbuf, size_t errlen)
{
    const sv__segwriter *w = r->segs;
    sv__buf b = { 0 };
    long target = 1;
    for (int i = 0; i < w->nb_segs; i++) {
        long d = lround((double)w->segs[i].duration / w->timescale);
        if (d > target)
            target = d;
    }
    sv__buf_printf(&b, "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:%ld\n", target);
    sv__buf_printf(&b, "#EXT-X-MEDIA-SEQUENCE:1\n#EXT-X-PLAYLIST-TYPE:VOD\n");
    if (iframes)
        sv__buf_printf(&b, "#EXT-X-I-FRAMES-ONLY\n");
    sv__buf_printf(&b, "#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-MAP:URI=\"init.mp4\"\n");
    if (prot && sv__hls_key_line(prot, &b) < 0)
        b.err = SV_ERR_NOMEM;
    for (int i = 0; i < w->nb_segs; i++) {
        sv__buf_printf(&b, "#EXTINF:%.6f,\n", (double)w->segs[i].duration / w->timescale);
        if (iframes)
            sv__buf_printf(&b, "#EXT-X-BYTERANGE:%lld@0\n", (long long)w->segs[i].key_bytes);
        sv__buf_printf(&b, "seg-%d.m4s\n", i + 1);
    }
    sv__buf_printf(&b, "#EXT-X-ENDLIST\n");
    char rel[64];
    snprintf(rel, sizeof(rel), "%s/%s", r->path, iframes ? "iframes.m3u8" : "index.m3u8");
    return save(&b, out_dir, rel, errbuf, errlen);
}

/* thumbs/images.m3u8: the thumbnail tiles as an image media playlist
 * (Image Media Playlist specification 0.4, as Roku, Apple and Shaka Player
 * read it): EXT-X-IMAGES-ONLY, one tile per entry, EXT-X-TILES giving one
 * thumbnail's RESOLUTION, the grid LAYOUT and each thumbnail's DURATION. */
static int image_playlist(const sv__tiles_info *t, double duration_s, const char *out_dir,
                          char *errbuf, size_t errlen)
{
    sv__buf b = { 0 };
    double tile_s = t->interval_s * t->cols * t->rows;
    sv__buf_printf(&b, "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:%ld\n",
                    (long)ceil(tile_s));
    sv__buf_printf(&b, "#EXT-X-MEDIA-SEQUENCE:1\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-IMAGES-ONLY\n");
    for (int i = 0; i < t->count; i++) {
        double start = i * tile_s, d = duration_s - start;
        if (d > tile_s || i + 1 < t->count)
            d = tile_s;
        if (d <= 0)
            d = t->interval_s;
        sv__buf_printf(&b, "#EXTINF:%.3f,\n#EXT-X-TILES:RESOLUTION=%dx%d,LAYOUT=%dx%d,"
                        "DURATION=%.3f\ntile-%d.jpg\n", d, t->thumb_width, t->thumb_height,
                        t->cols, t->rows, t->interval_s, i + 1);
    }
    sv__buf_printf(&b, "#EXT-X-ENDLIST\n");
    return save(&b, out_dir, "thumbs/images.m3u8", errbuf, errlen);
}

/* The k-th variant of the master: by codec (H.264 first, a string of no
 * known codec with it), within a codec the highest rung first. */
static int video_order(const sv__manifest *m, int k)
{
    for (int c = 0; c < SV__NB_CODECS; c++)
        for (int i = m->nb_video - 1; i >= 0; i--) {
            int vc = sv__codec_of_string(m->video[i].info->codecs);
            if ((vc == c || (c == 0 && vc < 0)) && k-- == 0)
                return i;
        }
    return 0;
}

int sv__hls_write(const sv__manifest *m, const char *out_dir, char *errbuf, size_t errlen)
{
    int rc;
    const sv__rendition_info *ai = m->audio ? m->audio->info : NULL;
    for (int i = 0; i < m->nb_video; i++)
        if ((rc = media_playlist(&m->video[i], m->prot, 0, out_dir, errbuf, errlen)) < 0 ||
            (sv__segwriter_has_keys(m->video[i].segs) &&
             (rc = media_playlist(&m->video[i], m->prot, 1, out_dir, errbuf, errlen)) < 0))
            return rc;
    if (m->audio && (rc = media_playlist(m->audio, m->prot, 0, out_dir, errbuf, errlen)) < 0)
        return rc;
    if (m->tiles && m->tiles->count > 0 &&
        (rc = image_playlist(m->tiles, m->duration_s, out_dir, errbuf, errlen)) < 0)
        return rc;

    sv__buf b = { 0 };
    sv__buf_printf(&b, "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n");
    if (ai)
        sv__buf_printf(&b, "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"" AUDIO_GROUP "\",NAME=\"audio\","
                        "DEFAULT=YES,AUTOSELECT=YES,CHANNELS=\"2\",URI=\"%s/index.m3u8\"\n",
                        m->audio->path);
    for (int i = 0; i < m->nb_subs; i++)
        sv__buf_printf(&b, "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"" SUBS_GROUP "\",NAME=\"%s\","
                        "LANGUAGE=\"%s\",DEFAULT=NO,AUTOSELECT=YES,"
                        "URI=\"subs/%s/index.m3u8\"\n",
                        m->subs[i].lang, m->subs[i].lang, m->subs[i].lang);
    /* Highest rung first: players that take the first variant as the start
     * pick a good one, and the order is what most packagers write. */
    for (int k = 0; k < m->nb_video; k++) {
        int i = video_order(m, k);
        const sv__rendition_info *v = m->video[i].info;
        int64_t bw = v->bandwidth + (ai ? ai->bandwidth : 0);
        int64_t avg = v->average_bandwidth + (ai ? ai->average_bandwidth : 0);
        sv__buf_printf(&b, "#EXT-X-STREAM-INF:BANDWIDTH=%lld,AVERAGE-BANDWIDTH=%lld,"
                        "RESOLUTION=%dx%d,CODECS=\"%s%s%s\",FRAME-RATE=%.3f%s%s\n%s/index.m3u8\n",
                        (long long)bw, (long long)avg, v->width, v->height, v->codecs,
                        ai ? "," : "", ai ? ai->codecs : "", v->frame_rate,
                        ai ? ",AUDIO=\"" AUDIO_GROUP "\"" : "",
                        m->nb_subs ? ",SUBTITLES=\"" SUBS_GROUP "\"" : "", m->video[i].path);
    }
    /* The I-frame variants, in the same order (video only: CODECS names
     * no audio, RFC 8216 4.3.4.3). */
    for (int k = 0; k < m->nb_video; k++) {
        int i = video_order(m, k);
        const sv__rendition_info *v = m->video[i].info;
        int64_t bw, avg;
        if (!sv__segwriter_has_keys(m->video[i].segs))
            continue;
        sv__segwriter_key_bandwidth(m->video[i].segs, &bw, &avg);
        sv__buf_printf(&b, "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=%lld,AVERAGE-BANDWIDTH=%lld,"
                        "RESOLUTION=%dx%d,CODECS=\"%s\",URI=\"%s/iframes.m3u8\"\n",
                        (long long)bw, (long long)avg, v->width, v->height, v->codecs,
                        m->video[i].path);
    }
    /* The image playlist: BANDWIDTH the largest tile over a tile's time,
     * RESOLUTION that of one thumbnail, as in EXT-X-TILES (the spec's
     * examples; Shaka Player multiplies it by the layout). */
    if (m->tiles && m->tiles->count > 0) {
        const sv__tiles_info *t = m->tiles;
        double tile_s = t->interval_s * t->cols * t->rows;
        sv__buf_printf(&b, "#EXT-X-IMAGE-STREAM-INF:BANDWIDTH=%lld,RESOLUTION=%dx%d,"
                        "CODECS=\"jpeg\",URI=\"thumbs/images.m3u8\"\n",
                        (long long)ceil(t->max_bytes * 8.0 / tile_s), t->thumb_width,
                        t->thumb_height);
    }
    return save(&b, out_dir, "master.m3u8", errbuf, errlen);
}
