/* File-system helpers (platform/fs.h). */
#define _XOPEN_SOURCE 700 /* nftw */
#define _DEFAULT_SOURCE   /* flock */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "platform/alloc.h"
#include "platform/fs.h"
#include "streamverse/common.h"

int sv__mkdirs(const char *path)
{
    char tmp[4096];
    size_t len = strlen(path);

    if (len == 0 || len >= sizeof(tmp)) {
        errno = len ? ENAMETOOLONG : ENOENT;
        return SV_ERR_IO;
    }
    memcpy(tmp, path, len + 1);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
            return SV_ERR_IO;
        *p = '/';
    }
    if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
        return SV_ERR_IO;
    return 0;
}

int sv__mkdir(const char *path, int must_be_new)
{
    struct stat st;

    if (mkdir(path, 0755) == 0)
        return 0;
    if (errno == EEXIST && !must_be_new) {
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            return 0;
        errno = EEXIST;
    }
    return SV_ERR_IO;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag == FTW_DP)
        return rmdir(path) < 0 && errno != ENOENT ? -1 : 0;
    return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

int sv__remove_tree(const char *path)
{
    struct stat st;

    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : SV_ERR_IO;
    if (!S_ISDIR(st.st_mode))
        return unlink(path) < 0 ? SV_ERR_IO : 0;
    return nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : SV_ERR_IO;
}

int sv__fsync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret = 0, e = 0;

    if (fd < 0)
        return SV_ERR_IO;
    if (fsync(fd) < 0) {
        e = errno;
        ret = SV_ERR_IO;
    }
    close(fd);
    if (ret < 0)
        errno = e;
    return ret;
}

int sv__path_exists(const char *path)
{
    struct stat st;

    return lstat(path, &st) == 0;
}

/* Writes all of p[len] to fd, then fsyncs and closes it (also on failure).
 * Returns 0 or SV_ERR_IO with errno kept. */
static int write_sync_close(int fd, const void *data, size_t len)
{
    const char *p = data;
    int e;

    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            e = n < 0 ? errno : ENOSPC;
            goto fail;
        }
        p += n;
        len -= (size_t)n;
    }
    if (fsync(fd) < 0) {
        e = errno;
        goto fail;
    }
    return close(fd) < 0 ? SV_ERR_IO : 0;

fail:
    close(fd);
    errno = e;
    return SV_ERR_IO;
}

int sv__file_write(const char *path, const void *data, size_t len, unsigned mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

    if (fd < 0)
        return SV_ERR_IO;
    return write_sync_close(fd, data, len);
}

int sv__file_create_atomic(const char *path, const void *data, size_t len, unsigned mode)
{
    char tmp[4200], dir[4200];
    const char *slash = strrchr(path, '/');
    int fd, ret, e;

    if (strlen(path) + 16 >= sizeof(tmp)) {
        errno = ENAMETOOLONG;
        return SV_ERR_IO;
    }
    snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
    snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
    if (slash == path)
        snprintf(dir, sizeof(dir), "/");
    unlink(tmp); /* a leftover of this pid's earlier life */
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)) < 0)
        return SV_ERR_IO;
    if ((ret = write_sync_close(fd, data, len)) < 0)
        goto fail;
    if (link(tmp, path) < 0) {
        ret = errno == EEXIST ? SV_ERR_STATE : SV_ERR_IO;
        goto fail;
    }
    unlink(tmp);
    return sv__fsync_dir(dir);

fail:
    e = errno;
    unlink(tmp);
    errno = e;
    return ret;
}

int sv__fs_full(const char *path)
{
    struct statvfs vfs;

    if (statvfs(path, &vfs) < 0)
        return 0;
    return (unsigned long long)vfs.f_bavail * vfs.f_frsize < SV__FS_FULL_BYTES ||
           (vfs.f_files > 0 && vfs.f_favail == 0);
}

int sv__errno_is_full(int e)
{
    return e == ENOSPC || e == EDQUOT;
}

char *sv__file_url(const sv_allocator *alloc, const char *path)
{
    /* A buffer of our own: realpath's own allocation would bypass `alloc`. */
    char abs[PATH_MAX], *url;
    size_t n;

    if (!path) {
        errno = EINVAL;
        return NULL;
    }
    if (!realpath(path, abs))
        return NULL;
    n = strlen(abs) + sizeof("file://");
    if ((url = sv__malloc(alloc, n)))
        snprintf(url, n, "file://%s", abs);
    else
        errno = ENOMEM;
    return url;
}

int sv__file_lock(const char *path, int wait)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return SV_ERR_IO;
    while (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) < 0) {
        int e = errno;
        if (e == EINTR)
            continue;
        close(fd);
        return e == EWOULDBLOCK ? SV_ERR_AGAIN : SV_ERR_IO;
    }
    return fd;
}

int sv__file_read(const char *path, const sv_allocator *alloc, size_t max, uint8_t **data,
                  size_t *size)
{
    struct stat st;
    uint8_t *buf = NULL;
    size_t got = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC), ret = SV_ERR_IO, e = 0;

    if (fd < 0)
        return errno == ENOENT ? SV_ERR_NOT_FOUND : SV_ERR_IO;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        e = errno ? errno : EISDIR;
        goto done;
    }
    if ((uint64_t)st.st_size > max) {
        ret = SV_ERR_OVERFLOW;
        goto done;
    }
    ret = SV_ERR_NOMEM;
    if (!(buf = sv__malloc(alloc, (size_t)st.st_size + 1)))
        goto done;
    ret = SV_ERR_IO;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            e = n < 0 ? errno : EIO;
            goto done;
        }
        got += (size_t)n;
    }
    buf[got] = '\0';
    *data = buf;
    *size = got;
    buf = NULL;
    ret = 0;
done:
    sv__free(alloc, buf);
    close(fd);
    if (ret == SV_ERR_IO && e)
        errno = e;
    return ret;
}

int64_t sv__file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) ? (int64_t)st.st_size : -1;
}

int sv__remove_file(const char *path)
{
    return unlink(path) < 0 && errno != ENOENT ? SV_ERR_IO : 0;
}

int sv__rmdir_empty(const char *path)
{
    return rmdir(path) < 0 ? SV_ERR_IO : 0;
}

static int64_t tree_bytes(const char *path, int depth)
{
    struct stat st;
    int64_t total;

    if (lstat(path, &st) != 0)
        return 0;
    total = (int64_t)st.st_blocks * 512;
    if (!S_ISDIR(st.st_mode) || depth > 16)
        return total;
    DIR *d = opendir(path);
    if (!d)
        return total;
    struct dirent *de;
    while ((de = readdir(d))) {
        char sub[4096];
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) < sizeof(sub))
            total += tree_bytes(sub, depth + 1);
    }
    closedir(d);
    return total;
}

int64_t sv__tree_disk_bytes(const char *path)
{
    return tree_bytes(path, 0);
}

int sv__dir_each(const char *path, int (*fn)(void *opaque, const char *name), void *opaque)
{
    DIR *d = opendir(path);
    struct dirent *de;
    int ret = 0;

    if (!d)
        return SV_ERR_IO;
    while (ret == 0 && (de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            ret = fn(opaque, de->d_name);
    closedir(d);
    return ret;
}
