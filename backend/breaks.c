/*
 * breaks.c - the title's manifest files rewritten with its ad breaks
 * (breaks.h): the media playlists its master playlist names, and its MPD
 * (from its single-Period base), after the links to the interstitials'
 * assets. Each file is written beside itself and renamed over it, so a
 * client never reads half a playlist.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/breaks.h"
#include "backend/media.h"
#include "platform/fs.h"
#include "streamverse/common.h"

#define MAX_MANIFEST (16 * 1024 * 1024)

/* The file at path, NUL-terminated, or NULL (none, too large, unreadable). */
static char *read_all(const char *path, size_t *len)
{
    uint8_t *data = NULL;
    return sv__file_read(path, NULL, MAX_MANIFEST, &data, len) == 0 ? (char *)data : NULL;
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
                            int n, const char *public_url, char *err, size_t errlen)
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
    char ads[512];
    int depth = 0;
    for (size_t i = 0; i < ulen; i++)
        depth += uri[i] == '/';
    sv__breaks_ads_uri(public_url, n > 0 ? b[0].title_id : 0, depth, ads, sizeof(ads));
    out = sv__breaks_hls(text, len, b, n, ads, &out_len);
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

static int rewrite_hls(const char *dir, const sv__ad_break *b, int n, const char *public_url,
                       char *err, size_t errlen)
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
            ret = rewrite_playlist(dir, p, l, b, n, public_url, err, errlen);
        } else if ((l > 13 && !memcmp(p, "#EXT-X-MEDIA:", 13)) ||
                   (l > 26 && !memcmp(p, "#EXT-X-I-FRAME-STREAM-INF:", 26))) {
            /* Renditions, and each rung's I-frame playlist (trick play
             * meets the breaks too); not the thumbnails' image playlist. */
            const char *u = strstr(p, "URI=\"");
            if (u && u < p + l) {
                const char *q = memchr(u + 5, '"', (size_t)(p + l - (u + 5)));
                if (q)
                    ret = rewrite_playlist(dir, u + 5, (size_t)(q - (u + 5)), b, n, public_url,
                                           err, errlen);
            }
        }
        p = nl ? nl + 1 : end;
    }
    free(master);
    return ret;
}

/* The asset MPDs of the interstitials among b (NULL for the others), read
 * through the links. 0, or SV_ERR_IO with err filled. */
static int read_assets(const char *dir, const sv__ad_break *b, int n, char **assets,
                       size_t *lens, char *err, size_t errlen)
{
    char path[4200];
    for (int i = 0; i < n; i++) {
        if (b[i].asset_title_id <= 0)
            continue;
        char link[4000];
        snprintf(link, sizeof(link), "%s/" SV__BREAKS_ADS_DIR "/%lld", dir,
                 (long long)b[i].asset_title_id);
        sv__breaks_asset_mpd(link, path, sizeof(path));
        if (!(assets[i] = read_all(path, &lens[i]))) {
            snprintf(err, errlen, "cannot read %s (the asset of break %lld)", path,
                     (long long)b[i].id);
            return SV_ERR_IO;
        }
    }
    return 0;
}

static int rewrite_dash(const char *dir, const sv__ad_break *b, int n, char *err, size_t errlen)
{
    char path[4200], base[4200];
    size_t len = 0, out_len = 0, *lens = NULL;
    char *text, *out = NULL, **assets = NULL;
    int ret = SV_ERR_IO;

    snprintf(path, sizeof(path), "%s/manifest.mpd", dir);
    snprintf(base, sizeof(base), "%s/" SV__MEDIA_BASE_MPD, dir);
    /* The title as packaged, kept the first time: splits start from it. */
    if (!(text = read_all(base, &len))) {
        if (!(text = read_all(path, &len)))
            return 0; /* a title without DASH */
        int r = sv__file_create_atomic(base, text, len, 0644);
        if (r < 0 && r != SV_ERR_STATE) { /* STATE: another node kept it first */
            snprintf(err, errlen, "cannot write %s", base);
            free(text);
            return SV_ERR_IO;
        }
    }
    if (n > 0 && (!(assets = calloc((size_t)n, sizeof(*assets))) ||
                  !(lens = calloc((size_t)n, sizeof(*lens))))) {
        snprintf(err, errlen, "out of memory");
        ret = SV_ERR_NOMEM;
        goto out;
    }
    if ((ret = read_assets(dir, b, n, assets, lens, err, errlen)) < 0)
        goto out;
    out = sv__breaks_dash(text, len, b, n, (const char *const *)assets, lens, &out_len);
    if (!out) {
        snprintf(err, errlen, "%s is not an MPD the breaks can be written into", base);
        ret = SV_ERR_IO;
    } else if ((ret = replace(path, out, out_len)) < 0) {
        snprintf(err, errlen, "cannot replace %s", path);
    }
out:
    for (int i = 0; assets && i < n; i++)
        free(assets[i]);
    free(assets);
    free(lens);
    free(out);
    free(text);
    return ret;
}

static int used(const sv__ad_break *b, int n, const char *name)
{
    char num[32];
    for (int i = 0; i < n; i++) {
        snprintf(num, sizeof(num), "%lld", (long long)b[i].asset_title_id);
        if (b[i].asset_title_id > 0 && !strcmp(num, name))
            return 1;
    }
    return 0;
}

/* dir/ads/<asset> -> ../../<asset> for every interstitial's asset; the
 * links of assets no break plays any more removed. */
static int link_assets(const char *dir, const sv__ad_break *b, int n, char *err, size_t errlen)
{
    char ads[4200], path[4300], target[64];
    int wanted = 0;

    for (int i = 0; i < n; i++)
        wanted += b[i].asset_title_id > 0;
    snprintf(ads, sizeof(ads), "%s/" SV__BREAKS_ADS_DIR, dir);
    DIR *d = opendir(ads);
    if (!d && !wanted)
        return 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        if (e->d_name[0] != '.' && !used(b, n, e->d_name))
            unlinkat(dirfd(d), e->d_name, 0);
    }
    if (d)
        closedir(d);
    if (wanted && sv__mkdirs(ads) < 0) {
        snprintf(err, errlen, "cannot make %s", ads);
        return SV_ERR_IO;
    }
    for (int i = 0; i < n; i++) {
        if (b[i].asset_title_id <= 0)
            continue;
        snprintf(path, sizeof(path), "%s/%lld", ads, (long long)b[i].asset_title_id);
        snprintf(target, sizeof(target), "../../%lld", (long long)b[i].asset_title_id);
        if (symlink(target, path) < 0 && errno != EEXIST) {
            snprintf(err, errlen, "cannot link %s to %s: %s", path, target, strerror(errno));
            return SV_ERR_IO;
        }
    }
    return sv__fsync_dir(ads) < 0 && wanted ? SV_ERR_IO : 0;
}

void sv__breaks_ads_uri(const char *public_url, int64_t title_id, int depth, char *buf,
                        size_t cap)
{
    size_t k = 0;
    if (public_url && public_url[0]) {
        snprintf(buf, cap, "%.300s/media/%lld/" SV__BREAKS_ADS_DIR "/", public_url,
                 (long long)title_id);
        return;
    }
    for (int i = 0; i < depth && k + 4 + sizeof(SV__BREAKS_ADS_DIR) < cap; i++, k += 3)
        memcpy(buf + k, "../", 3);
    snprintf(buf + k, cap - k, SV__BREAKS_ADS_DIR "/");
}

const char *sv__breaks_asset_mpd(const char *asset_dir, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s/" SV__MEDIA_BASE_MPD, asset_dir);
    if (access(buf, R_OK) != 0)
        snprintf(buf, cap, "%s/manifest.mpd", asset_dir);
    return buf;
}

int sv__breaks_asset_check(const char *asset_dir, char *err, size_t errlen)
{
    char path[4200];
    size_t len = 0;
    char *text = read_all(sv__breaks_asset_mpd(asset_dir, path, sizeof(path)), &len);
    if (!text) {
        snprintf(err, errlen, "the asset title has no MPD to read");
        return SV_ERR_IO;
    }
    int n = sv__breaks_dash_periods(text, len);
    free(text);
    if (n != 1) {
        snprintf(err, errlen, "the asset title's MPD has %d Periods: an interstitial plays a "
                 "title of one", n);
        return SV_ERR_UNSUPPORTED;
    }
    return 0;
}

int sv__breaks_snap(const char *dir, double at_s, double *out)
{
    char path[4200];
    size_t len = 0;
    char *text;
    int ret;

    snprintf(path, sizeof(path), "%s/" SV__MEDIA_BASE_MPD, dir);
    if (!(text = read_all(path, &len))) {
        snprintf(path, sizeof(path), "%s/manifest.mpd", dir);
        if (!(text = read_all(path, &len)))
            return SV_ERR_IO;
    }
    ret = sv__breaks_dash_boundary(text, len, at_s, out);
    free(text);
    return ret;
}

int sv__breaks_write(const char *dir, const sv__ad_break *b, int n, const char *public_url,
                     char *err, size_t errlen)
{
    int ret = link_assets(dir, b, n, err, errlen);
    if (ret == 0)
        ret = rewrite_hls(dir, b, n, public_url ? public_url : "", err, errlen);
    if (ret == 0)
        ret = rewrite_dash(dir, b, n, err, errlen);
    return ret;
}
