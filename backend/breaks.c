/*
 * breaks.c - the title's manifest files rewritten with its ad breaks
 * (breaks.h): the media playlists its master playlist names, and its MPD.
 * Each file is written beside itself and renamed over it, so a client
 * never reads half a playlist.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "backend/breaks.h"
#include "platform/fs.h"
#include "streamverse/common.h"

#define MAX_MANIFEST (16 * 1024 * 1024)

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && n <= MAX_MANIFEST &&
        fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) &&
        fread(buf, 1, (size_t)n, f) == (size_t)n) {
        buf[n] = '\0';
        *len = (size_t)n;
    } else {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

static int replace(const char *path, const char *data, size_t len)
{
    char tmp[4200];
    if (snprintf(tmp, sizeof(tmp), "%s.breaks-tmp", path) >= (int)sizeof(tmp))
        return SV_ERR_IO;
    if (sv__file_write(tmp, data, len, 0644) < 0 || rename(tmp, path) != 0) {
        remove(tmp);
        return SV_ERR_IO;
    }
    return 0;
}

/* A playlist URI of the master that stays inside the title's folder. */
static int inside(const char *uri, size_t len)
{
    if (len == 0 || len > 1000 || uri[0] == '/' || memchr(uri, ':', len) || memchr(uri, '?', len))
        return 0;
    for (size_t i = 0; i + 1 < len; i++)
        if (uri[i] == '.' && uri[i + 1] == '.')
            return 0;
    return 1;
}

static int rewrite_playlist(const char *dir, const char *uri, size_t ulen, const sv__ad_break *b,
                            int n, char *err, size_t errlen)
{
    char path[4200];
    size_t len = 0, out_len = 0;
    char *text, *out;
    int ret;

    if (!inside(uri, ulen)) {
        snprintf(err, errlen, "master.m3u8 names %.*s, outside the title", (int)ulen, uri);
        return SV_ERR_IO;
    }
    snprintf(path, sizeof(path), "%s/%.*s", dir, (int)ulen, uri);
    if (!(text = read_all(path, &len))) {
        snprintf(err, errlen, "cannot read %s", path);
        return SV_ERR_IO;
    }
    out = sv__breaks_hls(text, len, b, n, &out_len);
    free(text);
    if (!out) {
        snprintf(err, errlen, "%s is not a media playlist the breaks can be written into", path);
        return SV_ERR_IO;
    }
    if ((ret = replace(path, out, out_len)) < 0)
        snprintf(err, errlen, "cannot replace %s", path);
    free(out);
    return ret;
}

static int rewrite_hls(const char *dir, const sv__ad_break *b, int n, char *err, size_t errlen)
{
    char path[4200];
    size_t len = 0;
    char *master;
    int ret = 0;

    snprintf(path, sizeof(path), "%s/master.m3u8", dir);
    if (!(master = read_all(path, &len)))
        return 0; /* a title without HLS */
    for (char *p = master, *end = master + len; p < end && ret == 0;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
        while (l && (p[l - 1] == '\r' || p[l - 1] == ' '))
            l--;
        if (l && p[0] != '#') {
            ret = rewrite_playlist(dir, p, l, b, n, err, errlen);
        } else if ((l > 13 && !memcmp(p, "#EXT-X-MEDIA:", 13)) ||
                   (l > 26 && !memcmp(p, "#EXT-X-I-FRAME-STREAM-INF:", 26))) {
            /* Renditions, and each rung's I-frame playlist (trick play
             * meets the breaks too); not the thumbnails' image playlist. */
            const char *u = strstr(p, "URI=\"");
            if (u && u < p + l) {
                const char *q = memchr(u + 5, '"', (size_t)(p + l - (u + 5)));
                if (q)
                    ret = rewrite_playlist(dir, u + 5, (size_t)(q - (u + 5)), b, n, err, errlen);
            }
        }
        p = nl ? nl + 1 : end;
    }
    free(master);
    return ret;
}

static int rewrite_dash(const char *dir, const sv__ad_break *b, int n, char *err, size_t errlen)
{
    char path[4200];
    size_t len = 0, out_len = 0;
    char *text, *out;
    int ret;

    snprintf(path, sizeof(path), "%s/manifest.mpd", dir);
    if (!(text = read_all(path, &len)))
        return 0; /* a title without DASH */
    out = sv__breaks_dash(text, len, b, n, &out_len);
    free(text);
    if (!out) {
        snprintf(err, errlen, "%s is not an MPD the breaks can be written into", path);
        return SV_ERR_IO;
    }
    if ((ret = replace(path, out, out_len)) < 0)
        snprintf(err, errlen, "cannot replace %s", path);
    free(out);
    return ret;
}

int sv__breaks_write(const char *dir, const sv__ad_break *b, int n, char *err, size_t errlen)
{
    int ret = rewrite_hls(dir, b, n, err, errlen);
    if (ret == 0)
        ret = rewrite_dash(dir, b, n, err, errlen);
    return ret;
}
