/*
 * Files written by the media pipeline: every file is fsync'ed before it is
 * closed and every directory after its last entry was created, so a title
 * the job layer publishes (rename) is complete on disk even after a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavutil/error.h>

#include "backend/media/internal.h"
#include "streamverse/common.h"

int sv__media_err(char *errbuf, size_t errlen, int code, const char *fmt, ...)
{
    if (errbuf && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(errbuf, errlen, fmt, ap);
        va_end(ap);
    }
    return code;
}

int sv__media_averr(char *errbuf, size_t errlen, int code, int averr, const char *what)
{
    char msg[AV_ERROR_MAX_STRING_SIZE];
    av_strerror(averr, msg, sizeof(msg));
    return sv__media_err(errbuf, errlen, code, "%s: %s", what, msg);
}

int sv__media_mkdir(const char *path, int must_be_new, char *errbuf, size_t errlen)
{
    if (mkdir(path, 0755) == 0)
        return 0;
    if (errno == EEXIST && !must_be_new) {
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            return 0;
    }
    return sv__media_err(errbuf, errlen, SV_ERR_IO, "cannot create %s: %s", path, strerror(errno));
}

int sv__media_write_file(const char *path, const void *data, size_t size,
                         char *errbuf, size_t errlen)
{
    const uint8_t *p = data;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return sv__media_err(errbuf, errlen, SV_ERR_IO, "cannot create %s: %s", path, strerror(errno));
    while (size > 0) {
        ssize_t n = write(fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            goto fail;
        p += n;
        size -= (size_t)n;
    }
    if (fsync(fd) != 0)
        goto fail;
    if (close(fd) != 0) {
        fd = -1;
        goto fail;
    }
    return 0;
fail:
    sv__media_err(errbuf, errlen, SV_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    return SV_ERR_IO;
}

int sv__media_fsync_dir(const char *path, char *errbuf, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return sv__media_err(errbuf, errlen, SV_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    int rc = fsync(fd);
    int err = errno;
    close(fd);
    if (rc != 0)
        return sv__media_err(errbuf, errlen, SV_ERR_IO, "cannot fsync %s: %s", path, strerror(err));
    return 0;
}

void sv__mbuf_append(sv__mbuf *b, const void *data, size_t len)
{
    if (b->failed)
        return;
    if (b->len + len > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + len)
            cap *= 2;
        uint8_t *d = realloc(b->data, cap);
        if (!d) {
            b->failed = 1;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
}

void sv__mbuf_printf(sv__mbuf *b, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(line)) {
        b->failed = 1;   /* playlist lines are short; a cut line would be corrupt */
        return;
    }
    sv__mbuf_append(b, line, (size_t)n);
}

void sv__mbuf_free(sv__mbuf *b)
{
    free(b->data);
    memset(b, 0, sizeof(*b));
}
