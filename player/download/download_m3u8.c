/*
 * The local presentation of a finished download: one HLS media playlist per
 * track (VOD, every segment's duration, EXT-X-MAP for fMP4, the source's
 * sample-encryption EXT-X-KEY, an AES-128 EXT-X-KEY naming the stored key
 * with its IV, EXT-X-DISCONTINUITY and the EXT-X-MAP again at each Period
 * of a multi-Period source) and master.m3u8 naming them, paths relative
 * to the folder. Written only when every file is in place, master last, so
 * a playlist never names a file that is not whole.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "platform/alloc.h"
#include "platform/buf.h"
#include "platform/fs.h"
#include "player/download/internal.h"

/* A quoted-string attribute value (RFC 8216 4.2: no '"', CR or LF): the
 * source manifest's names are copied, so what a quoted string cannot hold
 * becomes '_' instead of ending the attribute or the line. */
static void quoted(sv__buf *b, const char *s)
{
    sv__buf_printf(b, "\"");
    for (; *s; s++)
        sv__buf_u8(b, (uint8_t)(*s == '"' || *s == '\r' || *s == '\n' ? '_' : *s));
    sv__buf_printf(b, "\"");
}

/* HLS AES-128: an EXT-X-KEY line wherever the key or the IV changes. */
static void aes_key(const sv__dl_state *st, const sv__dl_file *f, const sv__dl_file **last,
                    sv__buf *b)
{
    const sv__dl_file *prev = *last;
    if (f->key < 0 && (!prev || prev->key < 0))
        return;
    if (prev && prev->key == f->key && !strcmp(prev->iv, f->iv))
        return;
    *last = f;
    if (f->key < 0) {
        sv__buf_printf(b, "#EXT-X-KEY:METHOD=NONE\n");
        return;
    }
    /* The track's playlist is one folder down: "video/index.m3u8". */
    sv__buf_printf(b, "#EXT-X-KEY:METHOD=AES-128,URI=\"../%s\",IV=0x%s\n",
                   st->files[f->key].path, f->iv);
}

/* The part of `path` after the track's folder ("seg-00001.m4s"). */
static const char *leaf(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static void media_playlist(const sv__dl_state *st, size_t track, sv__buf *b)
{
    const sv__dl_track *t = &st->tracks[track];
    double target = 1;
    int map = -2;
    int64_t disc = -1;
    const sv__dl_file *last_key = NULL;

    for (size_t i = 0; i < st->nb_files; i++)
        if (st->files[i].track == (int)track && st->files[i].duration > target)
            target = st->files[i].duration;
    sv__buf_printf(b, "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:%d\n"
                      "#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-MEDIA-SEQUENCE:0\n"
                      "#EXT-X-INDEPENDENT-SEGMENTS\n",
                   (int)ceil(target - 0.001));
    if (t->key_method) {
        sv__buf_printf(b, "#EXT-X-KEY:METHOD=%s", t->key_method);
        if (t->key_uri) {
            sv__buf_printf(b, ",URI=");
            quoted(b, t->key_uri);
        }
        if (t->key_format) {
            sv__buf_printf(b, ",KEYFORMAT=");
            quoted(b, t->key_format);
            sv__buf_printf(b, ",KEYFORMATVERSIONS=\"1\"");
        }
        sv__buf_printf(b, "\n");
    }
    for (size_t i = 0; i < st->nb_files; i++) {
        const sv__dl_file *f = &st->files[i];
        if (f->track != (int)track || f->is_init || f->is_key)
            continue;
        int new_disc = disc >= 0 && f->disc != disc;
        if (new_disc)
            sv__buf_printf(b, "#EXT-X-DISCONTINUITY\n");
        disc = f->disc;
        aes_key(st, f, &last_key, b);
        /* A new Period (or discontinuity) starts with its init segment
         * named again, also when it is the one before. */
        if ((f->init != map || new_disc) && f->init >= 0)
            sv__buf_printf(b, "#EXT-X-MAP:URI=\"%s\"\n", leaf(st->files[f->init].path));
        map = f->init;
        sv__buf_printf(b, "#EXTINF:%.6f,\n%s\n", f->duration, leaf(f->path));
    }
    sv__buf_printf(b, "#EXT-X-ENDLIST\n");
}

static void media_line(sv__buf *b, const char *type, const char *group, const sv__dl_track *t,
                       const char *dflt_name)
{
    sv__buf_printf(b, "#EXT-X-MEDIA:TYPE=%s,GROUP-ID=\"%s\",NAME=", type, group);
    quoted(b, t->name[0] ? t->name : dflt_name);
    if (t->language[0]) {
        sv__buf_printf(b, ",LANGUAGE=");
        quoted(b, t->language);
    }
    sv__buf_printf(b, ",DEFAULT=YES,AUTOSELECT=YES,URI=\"%s/index.m3u8\"\n", t->dir);
}

static void master_playlist(const sv__dl_state *st, sv__buf *b)
{
    const sv__dl_track *video = NULL, *audio = NULL, *text = NULL;
    for (size_t i = 0; i < st->nb_tracks; i++) {
        const sv__dl_track *t = &st->tracks[i];
        if (t->type == SV_TRACK_VIDEO && !video)
            video = t;
        else if (t->type == SV_TRACK_AUDIO && !audio)
            audio = t;
        else if (t->type == SV_TRACK_TEXT && !text)
            text = t;
    }
    sv__buf_printf(b, "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n");
    if (audio)
        media_line(b, "AUDIO", "audio", audio, "audio");
    if (text)
        media_line(b, "SUBTITLES", "subs", text, "subtitles");
    int64_t bw = (video ? video->bandwidth : 0) + (audio ? audio->bandwidth : 0);
    sv__buf_printf(b, "#EXT-X-STREAM-INF:BANDWIDTH=%lld", (long long)(bw > 0 ? bw : 1));
    if (video && video->width && video->height)
        sv__buf_printf(b, ",RESOLUTION=%dx%d", video->width, video->height);
    /* An HLS source gives its variant's whole CODECS to the video rung:
     * the audio codec is added only when it is not there already. */
    int add_audio = audio && audio->codecs[0] && video && !strstr(video->codecs, audio->codecs);
    if (video && video->codecs[0]) {
        char codecs[300];
        snprintf(codecs, sizeof(codecs), "%s%s%s", video->codecs, add_audio ? "," : "",
                 add_audio ? audio->codecs : "");
        sv__buf_printf(b, ",CODECS=");
        quoted(b, codecs);
    }
    if (audio)
        sv__buf_printf(b, ",AUDIO=\"audio\"");
    if (text)
        sv__buf_printf(b, ",SUBTITLES=\"subs\"");
    sv__buf_printf(b, "\n%s/index.m3u8\n", video ? video->dir : "video");
}

static int write_one(const char *dir, const char *rel, sv__buf *b, char *msg, size_t cap)
{
    if (b->err) {
        snprintf(msg, cap, "out of memory writing %s", rel);
        return b->err;
    }
    return sv__dl_write_file(dir, rel, b->data, b->size, 0644, msg, cap);
}

int sv__dl_write_playlists(const sv__dl_state *st, const char *dir, char *msg, size_t cap)
{
    sv__buf b = { .alloc = st->alloc };
    char rel[300];
    int ret = 0;

    for (size_t i = 0; i < st->nb_tracks && ret == 0; i++) {
        sv__buf_free(&b);
        media_playlist(st, i, &b);
        snprintf(rel, sizeof(rel), "%s/index.m3u8", st->tracks[i].dir);
        ret = write_one(dir, rel, &b, msg, cap);
    }
    if (ret == 0) {
        sv__buf_free(&b);
        master_playlist(st, &b);
        ret = write_one(dir, SV__DL_MANIFEST, &b, msg, cap);
    }
    sv__buf_free(&b);
    return ret;
}
