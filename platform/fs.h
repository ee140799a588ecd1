/*
 * File-system helpers for whatever keeps files: the backend's data folder
 * and media trees, and the player's downloads. Folders, whole files written
 * durably (fsync'ed before they count), atomic creation, trees removed,
 * "disk full" told apart from other failures.
 *
 * Errors: 0 on success or a negative SV_ERR_* code; on SV_ERR_IO, errno
 * still holds the system's reason, so a caller can word its own message
 * (strerror(errno)) or tell a full disk (sv__errno_is_full(errno)).
 *
 * Threads: any thread; every call blocks on the disk. No shared state.
 */
#ifndef SV_PLATFORM_FS_H
#define SV_PLATFORM_FS_H

#include <stddef.h>
#include <stdint.h>

#include "streamverse/common.h"

/* mkdir -p with mode 0755: every missing parent is created too. Returns 0 or
 * SV_ERR_IO (a path longer than 4095 bytes: SV_ERR_IO with ENAMETOOLONG). */
int sv__mkdirs(const char *path);

/* Creates one folder (mode 0755; its parent must exist). An existing folder
 * is fine unless `must_be_new`; an existing non-folder is an error (EEXIST).
 * Returns 0 or SV_ERR_IO. */
int sv__mkdir(const char *path, int must_be_new);

/* rm -rf without following symlinks. A missing path is fine. Returns 0 or
 * SV_ERR_IO. */
int sv__remove_tree(const char *path);

/* fsync() of a folder, so entries created or renamed in it survive a crash.
 * Returns 0 or SV_ERR_IO. */
int sv__fsync_dir(const char *path);

/* Is there anything at `path` (a dangling symlink counts)? 1 or 0. */
int sv__path_exists(const char *path);

/*
 * Writes `len` bytes to `path` (created with `mode`, or truncated when it
 * exists), fsyncs and closes it: once this returned 0 the bytes are on disk.
 * The name itself is durable only after sv__fsync_dir() of its folder. A
 * reader may see the file partly written meanwhile; use
 * sv__file_create_atomic() when it must not. Returns 0 or SV_ERR_IO.
 */
int sv__file_write(const char *path, const void *data, size_t len, unsigned mode);

/*
 * Creates `path` holding `len` bytes, with permissions `mode` from the
 * start, atomically: the bytes go to a temporary file in the same folder
 * (created with `mode`, written, fsync'ed), which is then hard-linked to
 * `path` and the folder fsync'ed. A reader never sees a partial file, and an
 * existing `path` is never replaced (two processes racing: the first wins).
 * Returns 0, SV_ERR_STATE when `path` exists already, or SV_ERR_IO.
 */
int sv__file_create_atomic(const char *path, const void *data, size_t len, unsigned mode);

/*
 * Takes an exclusive flock(2) on `path` (created with mode 0644 when
 * missing): waiting for it, or with `wait` 0 answering SV_ERR_AGAIN at once
 * when another open file holds it. Locks are per open file, so two threads
 * of one process exclude each other too; Linux NFS clients map them to NFS
 * locks. Returns the fd (close() releases the lock), or SV_ERR_IO.
 */
int sv__file_lock(const char *path, int wait);

/* Is the file system holding `path` full for an ordinary writer: less than
 * SV__FS_FULL_BYTES free, or no inode left? 0 when it cannot be told. */
#define SV__FS_FULL_BYTES (1024 * 1024)
int sv__fs_full(const char *path);

/* Does errno `e` mean "no space": ENOSPC or EDQUOT? */
int sv__errno_is_full(int e);

/* The file:// URL of the local file `path`, made absolute with symbolic
 * links resolved (how the player and the emulator open local files). Returns
 * a string allocated with `alloc` (NULL: the C library) that the caller
 * frees with sv__free(alloc, ...), or NULL with errno set (ENOENT when there
 * is no such file, EINVAL for NULL, ENAMETOOLONG, ENOMEM). */
char *sv__file_url(const sv_allocator *alloc, const char *path);

/* Reads the whole regular file `path` (at most `max` bytes) into a new
 * buffer from `alloc` (NULL: the C library), NUL-terminated (the NUL not
 * counted in *size). Returns 0, SV_ERR_NOT_FOUND (no such file),
 * SV_ERR_OVERFLOW (larger than max), SV_ERR_IO (errno kept) or
 * SV_ERR_NOMEM. */
int sv__file_read(const char *path, const sv_allocator *alloc, size_t max, uint8_t **data,
                  size_t *size);

/* The size of the regular file at `path`, or -1 when there is none. */
int64_t sv__file_size(const char *path);

/* Removes one file; a missing one is fine. Returns 0 or SV_ERR_IO. */
int sv__remove_file(const char *path);

/* Removes the folder `path` when it is empty. Returns 0, or SV_ERR_IO (not
 * empty, missing, not a folder). */
int sv__rmdir_empty(const char *path);

/* Bytes the tree at `path` takes on disk (st_blocks * 512 of every entry,
 * symbolic links not followed), 0 when there is nothing. */
int64_t sv__tree_disk_bytes(const char *path);

/* Calls fn(opaque, name) for every entry of the folder `path` but "." and
 * "..", in the order the system gives, until fn returns non-zero (which is
 * returned). Returns 0, fn's value, or SV_ERR_IO (not a readable folder). */
int sv__dir_each(const char *path, int (*fn)(void *opaque, const char *name), void *opaque);

#endif
