/*
 * Small file-system helpers for the data folder: creating folders, removing
 * trees, making a rename durable. Any thread; blocking.
 */
#ifndef SV_BACKEND_FSUTIL_H
#define SV_BACKEND_FSUTIL_H

/* mkdir -p with mode 0755. Returns 0 or SV_ERR_IO. */
int sv__mkdirs(const char *path);

/* rm -rf without following symlinks. A missing path is fine. Returns 0 or
 * SV_ERR_IO. */
int sv__remove_tree(const char *path);

/* fsync() of a folder, so entries created or renamed in it survive a crash. */
int sv__fsync_dir(const char *path);

/* Is there anything at `path`? */
int sv__path_exists(const char *path);

#endif
