/*
 * Static serving of the media tree (DATA/media) under /media/: GET and
 * HEAD with Range (one range; 206 / 416), ETag (size-mtime) with
 * If-None-Match, Last-Modified with If-Modified-Since, streaming MIME types,
 * and sendfile(2) bodies.
 *
 * Confinement: a path is opened relative to the tree's folder with
 * openat2(RESOLVE_BENEATH), so ".." and symlinks that leave the tree fail in
 * the kernel. Where openat2 is missing (old kernels, valgrind), the path is
 * opened one name at a time with openat(O_NOFOLLOW) from the tree's folder;
 * only a path that holds a symlink is then checked with realpath(), which
 * must stay under the tree. Either way the answer is 404, the same as for a
 * file that does not exist, and no request pays for a realpath() unless it
 * goes through a symlink on such a system.
 *
 * Threads: loop thread.
 */
#ifndef SV_BACKEND_STATIC_FILES_H
#define SV_BACKEND_STATIC_FILES_H

#include "backend/http.h"

typedef struct sv__static sv__static;

/* Serves files below `root` (created if missing). Returns 0 or SV_ERR_IO. */
int sv__static_create(const char *root, sv__static **out);
void sv__static_destroy(sv__static *st);

/* Opens `relpath` below the root with the confinement above (read-only,
 * non-blocking, close-on-exec). Returns the fd (the caller closes it) or -1
 * (errno set) when it does not exist or resolves outside the tree. Absolute
 * paths and empty names are refused. */
int sv__static_open(sv__static *st, const char *relpath);

/* Answers req for `relpath` (relative to the root, no leading '/'). */
void sv__static_serve(sv__static *st, sv__http_req *req, const char *relpath);

/* The Content-Type for a media path (by extension; mp4/m4s below an
 * "audio" folder are audio/mp4). */
const char *sv__mime_type(const char *relpath);

#endif
