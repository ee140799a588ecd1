/*
 * URL helpers on top of libcurl's URL API (RFC 3986 parsing and relative
 * resolution): manifests resolve every URI they mention against the URL
 * they were loaded from.
 */
#ifndef SV_PLAYER_URL_H
#define SV_PLAYER_URL_H

#include "platform/arena.h"

/*
 * Resolves `ref` (absolute, or relative like "seg/1.m4s", "../a", "/x",
 * "?q") against the absolute URL `base`. Returns the absolute URL copied into
 * the arena, or NULL when either is malformed (or out of memory). A NULL or
 * empty base returns ref unchanged only when ref is itself absolute.
 */
char *sv__url_resolve(sv__arena *a, const char *base, const char *ref);

/* Returns 1 if `s` is an absolute URL with a scheme (http:, https:, file:). */
int sv__url_is_absolute(const char *s);

#endif
