#define _GNU_SOURCE /* syscall, O_PATH */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "platform/fs.h"
#include "backend/http_util.h"
#include "backend/static_files.h"
#include "streamverse/common.h"

struct sv__static {
    int root_fd;
    char root_real[PATH_MAX];
    int no_openat2;          /* the kernel lacks it: use the realpath check */
};

int sv__static_create(const char *root, sv__static **out)
{
    sv__static *st = calloc(1, sizeof(*st));

    if (!st)
        return SV_ERR_NOMEM;
    if (sv__mkdirs(root) < 0 || !realpath(root, st->root_real) ||
        (st->root_fd = open(st->root_real, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        free(st);
        return SV_ERR_IO;
    }
    *out = st;
    return 0;
}

void sv__static_destroy(sv__static *st)
{
    if (!st)
        return;
    close(st->root_fd);
    free(st);
}

static const struct {
    const char *ext;
    const char *type;
} mime_types[] = {
    {".m3u8", "application/vnd.apple.mpegurl"},
    {".mpd", "application/dash+xml"},
    {".m4s", "video/mp4"},
    {".mp4", "video/mp4"},
    {".m4a", "audio/mp4"},
    {".ts", "video/mp2t"},
    {".aac", "audio/aac"},
    {".vtt", "text/vtt"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".png", "image/png"},
    {".json", "application/json"},
    {".key", "application/octet-stream"},
};

const char *sv__mime_type(const char *rel)
{
    const char *dot = strrchr(rel, '.');

    if (!dot || strchr(dot, '/'))
        return "application/octet-stream";
    if ((!strcmp(dot, ".m4s") || !strcmp(dot, ".mp4")) &&
        (!strncmp(rel, "audio/", 6) || strstr(rel, "/audio/")))
        return "audio/mp4";
    for (size_t i = 0; i < sizeof(mime_types) / sizeof(mime_types[0]); i++)
        if (!strcmp(dot, mime_types[i].ext))
            return mime_types[i].type;
    return "application/octet-stream";
}

/* The check of the kernels without openat2: realpath() of the file must
 * stay under the root's. Only reached for paths that hold a symlink. */
static int open_resolved(sv__static *st, const char *rel)
{
    char full[PATH_MAX * 2], real[PATH_MAX];
    size_t rlen = strlen(st->root_real);

    snprintf(full, sizeof(full), "%s/%s", st->root_real, rel);
    if (!realpath(full, real) || strncmp(real, st->root_real, rlen) != 0 || real[rlen] != '/')
        return -1;
    return open(real, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
}

/* Without openat2: opens rel one name at a time from the root's fd with
 * O_NOFOLLOW, so no symlink is followed on the way. A name that is a symlink
 * (ELOOP; ENOTDIR for one where a folder is expected) sends the path to
 * open_resolved, which follows it only if it stays inside. rel has no "."
 * or ".." names (sv__http_target_split refused them) and no empty ones. */
static int open_walk(sv__static *st, const char *rel)
{
    const char *whole = rel;
    char name[NAME_MAX + 1];
    int dir = st->root_fd, fd = -1;

    for (;;) {
        const char *slash = strchr(rel, '/');
        size_t n = slash ? (size_t)(slash - rel) : strlen(rel);
        int flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | (slash ? O_DIRECTORY : O_NONBLOCK);

        if (n == 0 || n > NAME_MAX)
            break;
        memcpy(name, rel, n);
        name[n] = '\0';
        fd = openat(dir, name, flags);
        if (dir != st->root_fd)
            close(dir);
        if (fd < 0 && (errno == ELOOP || errno == ENOTDIR))
            return open_resolved(st, whole);
        if (fd < 0 || !slash)
            return fd;
        dir = fd;
        rel = slash + 1;
    }
    if (dir != st->root_fd)
        close(dir);
    return -1;
}

/* Opens rel below the root, refusing anything that resolves outside.
 * Absolute paths and empty names are refused by sv__static_open. */
static int open_beneath(sv__static *st, const char *rel)
{
    if (!st->no_openat2) {
        struct open_how how = {
            .flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK,
            .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
        };
        long fd = syscall(SYS_openat2, st->root_fd, rel, &how, sizeof(how));

        if (fd >= 0 || errno != ENOSYS)
            return (int)fd;
        st->no_openat2 = 1;
    }
    return open_walk(st, rel);
}

/* "\"<size hex>-<mtime hex>\"", a strong tag; buf >= 36 bytes. */
static void make_etag(char *buf, uint64_t size, uint64_t mtime)
{
    char *p = buf;

    *p++ = '"';
    p += sv__http_put_hex(p, size);
    *p++ = '-';
    p += sv__http_put_hex(p, mtime);
    *p++ = '"';
    *p = '\0';
}

int sv__static_open(sv__static *st, const char *rel)
{
    if (rel[0] == '/' || strstr(rel, "//"))
        return -1;
    return open_beneath(st, rel);
}

/* What the API rewrites in place: the manifests (ad breaks, subtitles put
 * or removed) and the subtitle files (a language replaced) are revalidated
 * at every use (by ETag: a 304 costs a few bytes, and an edge does not keep
 * them); segments, init segments and pictures never change. */
static int may_change(const char *rel)
{
    const char *dot = strrchr(rel, '.');
    return (dot && (!strcmp(dot, ".m3u8") || !strcmp(dot, ".mpd"))) ||
           strstr(rel, "/subs/") || !strncmp(rel, "subs/", 5);
}

static void not_found(sv__http_req *req)
{
    sv__http_send_error(req, 404, "not_found", "no such media file");
}

void sv__static_serve(sv__static *st, sv__http_req *req, const char *rel)
{
    char etag[64], lastmod[40], crange[80], *p;
    sv__byte_range range;
    struct stat sb;
    time_t since;
    int fd, r = SV__RANGE_NONE;

    if ((fd = sv__static_open(st, rel)) < 0) {
        not_found(req);
        return;
    }
    if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        not_found(req);
        return;
    }
    make_etag(etag, (uint64_t)sb.st_size, (uint64_t)sb.st_mtime);
    sv__http_date(sb.st_mtime, lastmod, sizeof(lastmod));
    /* Formatted here without printf: these run on every media answer. */
    sv__http_add_header_str(req, "ETag", etag);
    sv__http_add_header_str(req, "Last-Modified", lastmod);
    sv__http_add_header_str(req, "Accept-Ranges", "bytes");
    /* Media of a published title never changes in place (a re-ingest is a
     * new title); its manifests and subtitles may. */
    sv__http_add_header_str(req, "Cache-Control",
                            may_change(rel) ? "public, no-cache" : "public, max-age=86400");

    if (req->if_none_match[0] ? sv__http_etag_match(req->if_none_match, etag)
                              : (req->if_modified_since[0] &&
                                 sv__http_date_parse(req->if_modified_since, &since) == 0 &&
                                 sb.st_mtime <= since)) {
        close(fd);
        sv__http_send(req, 304, NULL, NULL, 0);
        return;
    }
    if (req->has_range)
        r = sv__http_range_parse(req->range, strlen(req->range), (uint64_t)sb.st_size, &range);
    if (r == SV__RANGE_UNSATISFIABLE) {
        close(fd);
        p = crange;
        memcpy(p, "bytes */", 8);
        p += 8;
        p += sv__http_put_u64(p, (uint64_t)sb.st_size);
        *p = '\0';
        sv__http_add_header_str(req, "Content-Range", crange);
        sv__http_send_error(req, 416, "range_not_satisfiable", "the range is outside the file");
        return;
    }
    if (r == SV__RANGE_OK) {
        p = crange;
        memcpy(p, "bytes ", 6);
        p += 6;
        p += sv__http_put_u64(p, range.first);
        *p++ = '-';
        p += sv__http_put_u64(p, range.last);
        *p++ = '/';
        p += sv__http_put_u64(p, (uint64_t)sb.st_size);
        *p = '\0';
        sv__http_add_header_str(req, "Content-Range", crange);
        sv__http_send_file(req, 206, sv__mime_type(rel), fd, range.first,
                           range.last - range.first + 1);
        return;
    }
    sv__http_send_file(req, 200, sv__mime_type(rel), fd, 0, (uint64_t)sb.st_size);
}
