/*
 * faultsrv_files.c - what the server may serve from its root, and how.
 *
 * Paths are checked twice: lexically (no "." or ".." segment after
 * percent-decoding, so "/%2e%2e/" is caught as well as "/../") and then by
 * realpath(), so a symlink inside the root cannot lead out of it.
 */
#define _XOPEN_SOURCE 700 /* realpath() */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "faultsrv_internal.h"
#include "platform/hex.h"

int sv__fault_decode_path(const char *raw, size_t len, char *out, size_t out_size)
{
    size_t i, o = 0, seg;

    if (!raw || !len || raw[0] != '/')
        return SV_ERR_NOT_FOUND;
    for (i = 0; i < len; i++) {
        char c = raw[i];

        if (c == '%') {
            int hi, lo;
            if (i + 2 >= len)
                return SV_ERR_NOT_FOUND;
            hi = sv__hex_digit(raw[i + 1]);
            lo = sv__hex_digit(raw[i + 2]);
            if (hi < 0 || lo < 0)
                return SV_ERR_NOT_FOUND;
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        if (c == '\0' || c == '\\')
            return SV_ERR_NOT_FOUND;
        if (o + 1 >= out_size)
            return SV_ERR_OVERFLOW;
        out[o++] = c;
    }
    out[o] = '\0';

    /* Refuse "." and ".." segments; "//" is harmless and allowed. */
    for (seg = 1; seg <= o; ) {
        size_t end = seg;
        while (end < o && out[end] != '/')
            end++;
        if ((end - seg == 1 && out[seg] == '.') ||
            (end - seg == 2 && out[seg] == '.' && out[seg + 1] == '.'))
            return SV_ERR_NOT_FOUND;
        seg = end + 1;
    }
    return 0;
}

int sv__fault_open_file(const char *root, const char *path, int *fd, uint64_t *size)
{
    char *full = NULL, *real = NULL;
    size_t root_len = strlen(root), need;
    struct stat st;
    int f = -1, ret = SV_ERR_NOT_FOUND;

    need = root_len + strlen(path) + 1;
    if (!(full = malloc(need))) {
        ret = SV_ERR_NOMEM;
        goto fail;
    }
    snprintf(full, need, "%s%s", root, path);
    if (!(real = realpath(full, NULL)))
        goto fail;
    if (strncmp(real, root, root_len) != 0 ||
        (real[root_len] != '/' && real[root_len] != '\0' && strcmp(root, "/") != 0))
        goto fail;
    if ((f = open(real, O_RDONLY | O_CLOEXEC)) < 0)
        goto fail;
    if (fstat(f, &st) != 0 || !S_ISREG(st.st_mode))
        goto fail;
    *fd = f;
    *size = (uint64_t)st.st_size;
    free(full);
    free(real);
    return 0;

fail:
    if (f >= 0)
        close(f);
    free(full);
    free(real);
    return ret;
}

/* Parses decimal digits at *p; fails on none or on overflow. */
static int parse_u64(const char **p, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;

    if (*s < '0' || *s > '9')
        return -1;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (v > (UINT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *p = s;
    *out = v;
    return 0;
}

static const char *skip_ows(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

sv__fault_range_result sv__fault_parse_range(const char *value, uint64_t size,
                                             uint64_t *first, uint64_t *last)
{
    const char *p;
    uint64_t a, b;

    if (!value)
        return SV__FAULT_RANGE_NONE;
    p = skip_ows(value);
    if (strncasecmp(p, "bytes", 5) != 0)
        return SV__FAULT_RANGE_NONE;
    p = skip_ows(p + 5);
    if (*p++ != '=')
        return SV__FAULT_RANGE_NONE;
    p = skip_ows(p);
    /* One range only; a multipart/byteranges answer is not worth having in a
     * test server, and ignoring the header is what RFC 9110 allows. */
    if (strchr(p, ','))
        return SV__FAULT_RANGE_NONE;

    if (*p == '-') {
        p++;
        if (parse_u64(&p, &b) < 0 || *skip_ows(p))
            return SV__FAULT_RANGE_NONE;
        if (b == 0 || size == 0)
            return SV__FAULT_RANGE_UNSATISFIABLE;
        *first = b >= size ? 0 : size - b;
        *last = size - 1;
        return SV__FAULT_RANGE_OK;
    }
    if (parse_u64(&p, &a) < 0 || *p++ != '-')
        return SV__FAULT_RANGE_NONE;
    if (*skip_ows(p) == '\0') {
        b = UINT64_MAX;
    } else if (parse_u64(&p, &b) < 0 || *skip_ows(p) || b < a) {
        return SV__FAULT_RANGE_NONE;
    }
    if (a >= size)
        return SV__FAULT_RANGE_UNSATISFIABLE;
    *first = a;
    *last = b >= size ? size - 1 : b;
    return SV__FAULT_RANGE_OK;
}

const char *sv__fault_content_type(const char *path)
{
    static const struct { const char *ext, *type; } types[] = {
        { "m3u8", "application/vnd.apple.mpegurl" },
        { "mpd",  "application/dash+xml" },
        { "mp4",  "video/mp4" },
        { "m4v",  "video/mp4" },
        { "m4s",  "video/iso.segment" },
        { "m4a",  "audio/mp4" },
        { "ts",   "video/mp2t" },
        { "json", "application/json" },
        { "vtt",  "text/vtt" },
        { "txt",  "text/plain; charset=utf-8" },
        { "html", "text/html; charset=utf-8" },
        { "js",   "text/javascript" },
    };
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash : path, '.');
    size_t i;

    if (dot)
        for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
            if (!strcasecmp(dot + 1, types[i].ext))
                return types[i].type;
    return "application/octet-stream";
}

void sv__fault_file_open(const char *root, const char *decoded, const char *range,
                         sv__fault_file *f)
{
    uint64_t first = 0, last = 0;

    memset(f, 0, sizeof(*f));
    f->fd = -1;
    f->content_type = sv__fault_content_type(decoded);
    if (sv__fault_open_file(root, decoded, &f->fd, &f->size) < 0) {
        f->status = 404;
        return;
    }
    switch (sv__fault_parse_range(range, f->size, &first, &last)) {
    case SV__FAULT_RANGE_OK:
        f->status = 206;
        f->off = first;
        f->len = last - first + 1;
        return;
    case SV__FAULT_RANGE_UNSATISFIABLE:
        f->status = 416;
        close(f->fd);
        f->fd = -1;
        return;
    case SV__FAULT_RANGE_NONE:
        break;
    }
    f->status = 200;
    f->len = f->size;
}

void sv__fault_file_headers(sv__http_req *req, const sv__fault_file *f)
{
    if (f->status == 200 || f->status == 206)
        sv__http_add_header_str(req, "Accept-Ranges", "bytes");
    if (f->status == 206)
        sv__http_add_header(req, "Content-Range", "bytes %llu-%llu/%llu",
                            (unsigned long long)f->off,
                            (unsigned long long)(f->off + f->len - 1),
                            (unsigned long long)f->size);
    else if (f->status == 416)
        sv__http_add_header(req, "Content-Range", "bytes */%llu", (unsigned long long)f->size);
}

const char *sv__fault_reason(int status)
{
    const char *r = sv__http_reason(status);

    return r[0] ? r : "Unknown";
}
