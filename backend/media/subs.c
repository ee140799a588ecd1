/*
 * Subtitle tracks of a title: each SRT or WebVTT file given with the
 * ingest (sv__ladder.subs, by language) is read once before any decoding
 * (subs_parse.c: bad input fails the ingest with the file, line and reason),
 * then written as WebVTT segments subs/<lang>/seg-<n>.vtt cut at the video's
 * segment times (n from 1; a cue goes into every segment it overlaps, as
 * segmented WebVTT does, with its own times: no X-TIMESTAMP-MAP, so cue
 * times are presentation times), and an HLS media playlist
 * subs/<lang>/index.m3u8. hls.c lists them as EXT-X-MEDIA TYPE=SUBTITLES,
 * dash.c as text/vtt AdaptationSets.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/media/internal.h"
#include "platform/fs.h"
#include "streamverse/common.h"

int sv__subs_lang_ok(const char *lang)
{
    /* A primary tag of 2-3 letters, then subtags of 1-8 letters or digits. */
    size_t n = strlen(lang), i = 0, k = 0;
    if (n < 2 || n >= SV__SUBS_LANG_MAX)
        return 0;
    while (i < n && isalpha((unsigned char)lang[i]))
        i++;
    if (i < 2 || i > 3)
        return 0;
    while (i < n) {
        if (lang[i++] != '-')
            return 0;
        for (k = 0; i < n && isalnum((unsigned char)lang[i]); i++)
            k++;
        if (k < 1 || k > 8)
            return 0;
    }
    return 1;
}

int sv__subs_load(const sv__subtitle_input *in, sv__sub_track *out, char *errbuf, size_t errlen)
{
    char *data = NULL;
    size_t size = 0;
    int rc;
    if (!in->lang || !sv__subs_lang_ok(in->lang))
        return sv__media_err(errbuf, errlen, SV_ERR_INVALID,
                             "subtitle language '%s' is not a language tag (e.g. en, pt-BR)",
                             in->lang ? in->lang : "");
    FILE *f = fopen(in->path, "rb");
    if (!f)
        return sv__media_err(errbuf, errlen, SV_ERR_IO, "cannot open the %s subtitles %s",
                             in->lang, in->path);
    /* One byte over the limit is enough to refuse an oversized file. */
    if (!(data = malloc(SV__SUBS_MAX_BYTES + 1))) {
        fclose(f);
        return sv__media_err(errbuf, errlen, SV_ERR_NOMEM, "out of memory (subtitles)");
    }
    size = fread(data, 1, SV__SUBS_MAX_BYTES + 1, f);
    rc = ferror(f) ? sv__media_err(errbuf, errlen, SV_ERR_IO, "cannot read the subtitles %s",
                                   in->path)
                   : sv__subs_parse(data, size, in->path, out, errbuf, errlen);
    fclose(f);
    free(data);
    return rc;
}

int sv__subs_segments(double duration_s, double segment_s)
{
    int n = (int)ceil(duration_s / segment_s - 1e-6);
    return n > 0 ? n : 1;
}

/* "HH:MM:SS.mmm" */
static void vtt_time(sv__buf *b, int64_t ms)
{
    sv__buf_printf(b, "%02lld:%02lld:%02lld.%03lld", (long long)(ms / 3600000),
                    (long long)(ms / 60000 % 60), (long long)(ms / 1000 % 60),
                    (long long)(ms % 1000));
}

int sv__subs_write(const sv__sub_track *t, const char *lang, const char *out_dir,
                   double duration_s, double segment_s, sv__writer *w, char *errbuf,
                   size_t errlen)
{
    char dir[4200], path[4300];
    int nseg = sv__subs_segments(duration_s, segment_s), rc;
    if (snprintf(dir, sizeof(dir), "%s/subs", out_dir) >= (int)sizeof(dir) - SV__SUBS_LANG_MAX)
        return sv__media_err(errbuf, errlen, SV_ERR_IO, "path too long under %s", out_dir);
    if ((rc = sv__media_ioerr(errbuf, errlen, sv__mkdir(dir, 0), "create", dir)) < 0)
        return rc;
    snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/%s", lang);
    if ((rc = sv__media_ioerr(errbuf, errlen, sv__mkdir(dir, 1), "create", dir)) < 0)
        return rc;
    sv__buf pl = { 0 };
    sv__buf_printf(&pl, "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:%ld\n",
                    (long)ceil(segment_s - 1e-6));
    sv__buf_printf(&pl, "#EXT-X-MEDIA-SEQUENCE:1\n#EXT-X-PLAYLIST-TYPE:VOD\n");
    for (int n = 0; n < nseg; n++) {
        int64_t a = llround(n * segment_s * 1000);
        int64_t z = n + 1 < nseg ? llround((n + 1) * segment_s * 1000)
                                 : llround(duration_s * 1000);
        sv__buf b = { 0 };
        sv__buf_printf(&b, "WEBVTT\n");
        for (int i = 0; i < t->nb_cues; i++) {
            const sv__sub_cue *c = &t->cues[i];
            /* Cues that overlap [a, z) (one of no length: that starts in
             * it); the last segment takes the rest. */
            int last = n + 1 == nseg;
            int in = c->end_ms > c->start_ms ? c->end_ms > a && (last || c->start_ms < z)
                                             : c->start_ms >= a && (last || c->start_ms < z);
            if (!in)
                continue;
            sv__buf_printf(&b, "\n");
            vtt_time(&b, c->start_ms);
            sv__buf_printf(&b, " --> ");
            vtt_time(&b, c->end_ms);
            if (c->settings)
                sv__buf_printf(&b, " %s", c->settings);
            sv__buf_printf(&b, "\n%s\n", c->text);
        }
        snprintf(path, sizeof(path), "%s/seg-%d.vtt", dir, n + 1);
        if ((rc = sv__writer_put_buf(w, path, &b, errbuf, errlen)) < 0) {
            sv__buf_free(&pl);
            return rc;
        }
        sv__buf_printf(&pl, "#EXTINF:%.6f,\nseg-%d.vtt\n", (double)(z - a) / 1000.0, n + 1);
    }
    sv__buf_printf(&pl, "#EXT-X-ENDLIST\n");
    snprintf(path, sizeof(path), "%s/index.m3u8", dir);
    return sv__writer_put_buf(w, path, &pl, errbuf, errlen);
}
