/*
 * Small file-system helpers for the data folder: creating folders, removing
 * trees, making a rename durable. Any thread; blocking.
 */
#ifndef SV_BACKEND_FSUTIL_H
#define SV_BACKEND_FSUTIL_H

#include <stddef.h>

/* mkdir -p with mode 0755. Returns 0 or SV_ERR_IO. */
int sv__mkdirs(const char *path);

/* rm -rf without following symlinks. A missing path is fine. Returns 0 or
 * SV_ERR_IO. */
int sv__remove_tree(const char *path);

/* fsync() of a folder, so entries created or renamed in it survive a crash. */
int sv__fsync_dir(const char *path);

/* Is there anything at `path`? */
int sv__path_exists(const char *path);

/*
 * Creates `path` holding `len` bytes, with permissions `mode` from the
 * start, atomically: the bytes go to a temporary file in the same folder
 * (created with `mode`, written, fsync'ed), which is then hard-linked to
 * `path` and the folder fsync'ed. A reader never sees a partial file, and an
 * existing `path` is never replaced (two processes racing: the first wins).
 * Returns 0, SV_ERR_STATE when `path` exists already, or SV_ERR_IO (errno
 * kept).
 */
int sv__file_create_atomic(const char *path, const void *data, size_t len, unsigned mode);

/* Is the file system holding `path` full for an ordinary writer: less than
 * SV__FS_FULL_BYTES free, or no inode left? 0 when it cannot be told. */
#define SV__FS_FULL_BYTES (1024 * 1024)
int sv__fs_full(const char *path);

/* Does errno `e` mean "no space": ENOSPC or EDQUOT? */
int sv__errno_is_full(int e);

#endif
