/*
 * Inside the fetcher: the CDN set (fetcher_cdn.c) that fetcher.c asks which
 * base URL an attempt goes to and tells how each attempt went.
 *
 * Health model: a CDN that fails sits out for a back-off that starts at 2 s
 * and doubles with each consecutive failure up to 60 s. While it sits out,
 * requests go to the best healthy CDN; once its back-off has passed it is
 * eligible again, so the next request that prefers it probes it. A success
 * clears its failures.
 *
 * Threads: loop thread only, like the fetcher that owns it.
 */
#ifndef SV_PLAYER_FETCHER_INTERNAL_H
#define SV_PLAYER_FETCHER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "player/net/fetcher.h"

/* CDNs beyond this are ignored (attempt bookkeeping uses a 64-bit mask). */
#define SV__MAX_CDNS 64
#define SV__CDN_BACKOFF_START_S 2.0
#define SV__CDN_BACKOFF_MAX_S 60.0

typedef struct sv__cdn {
    char *id;
    char *base;            /* ends with '/' */
    int priority, weight;  /* lower priority first; higher weight first among equals */
    int failures;          /* consecutive */
    double down_until;     /* loop clock; sits out until then */
} sv__cdn;

typedef void (*sv__cdn_change_fn)(void *opaque, const char *from, const char *to,
                                  const char *reason);

typedef struct sv__cdn_set {
    const sv_allocator *alloc; /* the fetcher's (borrowed) */
    sv__cdn *cdns;
    size_t n;
    char *origin;          /* normalised (ends with '/'), or NULL */
    int current;           /* index of the CDN of the latest attempt, -1 none */
    uint64_t generation;   /* bumped when the list changes: old indexes are stale */
    int64_t switches;
    int reordered;         /* the list was replaced (steering) since the last pick */
    sv__cdn_change_fn on_change;
    void *on_change_opaque;
} sv__cdn_set;

void sv__cdn_set_init(sv__cdn_set *s, const sv_allocator *alloc);
/* Frees the lists; the set can be reused after sv__cdn_set_init(). */
void sv__cdn_set_free(sv__cdn_set *s);
/* Replace the origin / the list (copied). Return 0, SV_ERR_INVALID (a base
 * that is not an absolute URL, an entry without id) or SV_ERR_NOMEM; on
 * failure the old value stays. */
int sv__cdn_set_origin(sv__cdn_set *s, const char *origin_base_url);
int sv__cdn_set_list(sv__cdn_set *s, const sv__cdn_entry *cdns, size_t n);

/* The part of `url` after the origin or after any CDN's base (a manifest
 * loaded from one CDN resolves its segments under that CDN), pointing into
 * url; NULL when no CDN is set or url is under none of them. */
const char *sv__cdn_relative(const sv__cdn_set *s, const char *url);

/* The CDN for the next attempt, skipping those whose bit is set in `tried`:
 * the best healthy one, else the one whose back-off ends first. Returns its
 * index, or -1 when every CDN was tried. */
int sv__cdn_pick(const sv__cdn_set *s, double now, uint64_t tried);

/* Makes `idx` the current CDN; when it changes, counts a switch and calls
 * the change callback with `reason`. */
void sv__cdn_select(sv__cdn_set *s, int idx, const char *reason);

void sv__cdn_failed(sv__cdn_set *s, int idx, double now);
void sv__cdn_succeeded(sv__cdn_set *s, int idx);
/* 1 if the CDN is sitting out at `now`. */
int sv__cdn_is_down(const sv__cdn_set *s, int idx, double now);

#endif
