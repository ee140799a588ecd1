/*
 * URL helpers on top of libcurl's URL API (RFC 3986 parsing and relative
 * resolution): manifests resolve every URI they mention against the URL
 * they were loaded from.
 */
#ifndef SV_PLAYER_URL_H
#define SV_PLAYER_URL_H

#include <stddef.h>

#include "platform/arena.h"

/*
 * Resolves `ref` (absolute, or relative like "seg/1.m4s", "../a", "/x",
 * "?q") against the absolute URL `base`. Returns the absolute URL copied into
 * the arena, or NULL when either is malformed (or out of memory). A NULL or
 * empty base returns ref unchanged only when ref is itself absolute.
 */
char *sv__url_resolve(sv__arena *a, const char *base, const char *ref);

/*
 * Resolves like sv__url_resolve() into buf[cap] (NUL-terminated) instead of
 * an arena. Returns the URL's length, SV_ERR_OVERFLOW when it does not fit,
 * or SV_ERR_INVALID when either is malformed (or out of memory).
 */
int sv__url_resolve_buf(const char *base, const char *ref, char *buf, size_t cap);

/*
 * A fast path for playlists of many segments in one folder: the folder of
 * `base` as libcurl resolves a relative reference against it (the base
 * with its last path segment, query and fragment dropped, ending in '/'),
 * into buf[cap]. Returns its length, or a negative code as
 * sv__url_resolve_buf(). A reference that sv__url_plain_path() accepts
 * resolves to this folder followed by the reference.
 */
int sv__url_folder(const char *base, char *buf, size_t cap);

/*
 * Whether ref[0..len) is a relative path that resolves to the base's folder
 * followed by itself, unchanged: path segments of unreserved characters
 * (RFC 3986 2.3: letters, digits, '-', '.', '_', '~') joined by single
 * '/', none of them "." or "..", not starting with '/'.
 */
int sv__url_plain_path(const char *ref, size_t len);

/* Returns 1 if `s` is an absolute URL with a scheme (http:, https:, file:). */
int sv__url_is_absolute(const char *s);

#endif
