/*
 * The fetcher: whole-resource downloads on the control loop with bounded
 * retries and back-off, CDN selection and failover, and a throughput sample
 * per transfer for the ABR. It sits on a transport (transport.h) and a loop
 * (loop.h); callers never see libcurl.
 *
 * Threads: loop thread only; callbacks run on it.
 */
#ifndef SV_PLAYER_FETCHER_H
#define SV_PLAYER_FETCHER_H

#include <stddef.h>
#include <stdint.h>

#include "player/net/loop.h"
#include "player/net/transport.h"
#include "streamverse/common.h"

typedef struct sv__fetcher sv__fetcher;

typedef enum sv__fetch_kind {
    SV__FETCH_MANIFEST,   /* master/media playlist, MPD, steering manifest */
    SV__FETCH_SEGMENT,    /* init or media segment, sidx range */
    SV__FETCH_KEY,        /* HLS key, license request */
    SV__FETCH_API         /* backend calls (heartbeat...): no CDN rewriting */
} sv__fetch_kind;

typedef struct sv__fetch_options {
    const sv_allocator *alloc;     /* every allocation, bodies included (consumers free
                                      them with it); NULL: the C library */
    double connect_timeout_s;      /* default 5 */
    double low_speed_bytes_per_s;  /* default 8000 */
    double low_speed_time_s;       /* default 5 */
    double manifest_timeout_s;     /* whole-transfer timeout for manifests, keys and API
                                      calls (segments rely on the speed floor), default 10 */
    int max_attempts;              /* per request, over all CDNs; default 4 */
    double backoff_initial_s;      /* first retry delay on the same source (failover to an
                                      untried CDN is immediate), default 0.25; doubles */
    double backoff_max_s;          /* default 4 */
    size_t max_body_bytes;         /* refuse bigger responses, default 256 MiB */
    /* Segment speed floor relative to the link: with another healthy CDN
     * not yet tried, a segment transfer that after slow_grace_s averages
     * under min(slow_fraction x the recent segment throughput,
     * slow_floor_max_bytes_per_s) is abandoned and fails over (a dripping
     * or stalled CDN while the link is fast). slow_fraction 0 turns it
     * off. Defaults 0.1, 1 s, 256000 B/s. */
    double slow_fraction;
    double slow_grace_s;
    double slow_floor_max_bytes_per_s;
    /* With a buffer probe set, a segment fetch that used up max_attempts
     * keeps retrying (with back-off) while more than this much media is
     * buffered, so dead CDNs end playback only once the buffer is spent.
     * Default 1 s: what is left gives the segment after a skipped one time
     * to arrive before the gap is reached. */
    double keep_trying_above_s;
} sv__fetch_options;

void sv__fetch_default_options(sv__fetch_options *o);

/* One finished fetch. `data` is malloc'ed and owned by the receiver of the
 * callback (free it, or keep it); NULL when error != 0 or the body is empty. */
typedef struct sv__fetch_result {
    int error;                /* 0 or the last attempt's error code */
    long status;
    uint8_t *data;
    size_t size;
    double start_s, end_s;    /* loop clock, of the successful attempt */
    double first_byte_s;      /* when its first body byte arrived (0 if none) */
    double throughput_bps;    /* size * 8 / (end - start) of the successful attempt */
    int attempts;
    const char *cdn_id;       /* CDN that served it ("" without CDNs); valid in the callback */
    const char *url;          /* URL that served it (after redirects); valid in the callback */
    const char *content_type; /* valid in the callback; NULL if none */
    const char *error_body;   /* on an HTTP error: the body's first KiB (NUL-terminated), for
                                 API callers that read a JSON reason; else NULL */
    char message[256];        /* on error: what failed, with the URL */
} sv__fetch_result;

typedef void (*sv__fetch_cb)(void *opaque, sv__fetch_result *result);

typedef struct sv__fetch_req {
    sv__fetch_kind kind;
    const char *url;          /* absolute; copied */
    int64_t offset, length;   /* byte range (length -1: to the end) */
    int head_only;
    const uint8_t *body;      /* POST body or NULL; copied */
    size_t body_len;
    const char *body_type;
    const char *header;       /* one extra "Name: value" line (e.g. Authorization), or NULL;
                                 copied */
    const char *query;        /* query arguments of this request only ("CMCD=..."), after
                                 the fetcher's own; NULL for none; copied */
    /* Segments: checks that a body the transport took as complete is the
     * whole resource (a server that announced and sent too few bytes):
     * returns 0, or < 0 with the reason in why[cap] ("its boxes need 233653
     * bytes"), and the attempt then fails as a truncated body. NULL: no
     * check. A byte range that comes back shorter than asked is truncated
     * without it. */
    int (*check)(const uint8_t *data, size_t size, char *why, size_t cap);
    /* A resource still being written (low-latency DASH chunks): each piece
     * of the body is also handed here as it arrives, with its offset in the
     * body (a retry starts again from 0: the callee skips what it had). The
     * transfer has no speed floor (it comes at the producer's pace) and
     * makes no sample for the CDN watchdog. NULL: the whole body at the end
     * only. Called with the fetch's `opaque`, on the loop thread, never
     * after a cancel. */
    void (*progress)(void *opaque, const uint8_t *data, size_t len, size_t offset);
    /* Seconds the server may hold the answer by design before its first
     * byte (an LL-HLS blocking playlist reload, a preload hint asked for
     * before the part exists: RFC 8216bis 6.2.5.2 allows three target
     * durations); the speed floor's window and a playlist's timeout are
     * that much longer, and no CDN watchdog runs. 0: none. */
    double hold_s;
    /* An LL-HLS preload hint: one attempt, failed after this many seconds
     * without a byte (0: the fetcher's speed floor). The producer of a
     * hinted part may stall and come back after a discontinuity: a part
     * that comes then is not the continuation the hint promised, so the
     * caller asks the playlist again rather than the hint. */
    double hint_stall_s;
} sv__fetch_req;

/* Creates a fetcher on `loop` and `transport` (both borrowed; they must
 * outlive it). opts NULL: defaults. Returns 0, SV_ERR_INVALID or
 * SV_ERR_NOMEM. */
int sv__fetcher_create(sv__fetcher **out, sv__loop *loop, sv__transport *transport,
                       const sv__fetch_options *opts);
/* Logs retries and final failures through `log` (copied; NULL: no logging). */
struct sv__logger;
void sv__fetcher_set_logger(sv__fetcher *f, const struct sv__logger *log);
/* Cancels every fetch (no callbacks) and frees the fetcher. May be called
 * from a fetch callback. */
void sv__fetcher_destroy(sv__fetcher *f);

/*
 * Starts a fetch. Returns an id > 0; cb is then called exactly once on the
 * loop thread (never from inside this call) unless the fetch is cancelled.
 * Returns SV_ERR_INVALID or SV_ERR_NOMEM, and cb is never called.
 *
 * Retries: a CDN fault (connect/reset/truncation, timeout or stall below the
 * speed floor, 5xx, 408, 429, and 404 when there are several CDNs) moves at
 * once to a CDN not yet tried for this fetch; with none left (or no CDNs) the
 * same source is retried after backoff_initial_s, doubling up to
 * backoff_max_s. A segment's 404/410 is retried like a 5xx (a CDN hole, an
 * origin still publishing); other 4xx, and a single source's 404 for
 * anything else, fail at once. At most max_attempts attempts in all; a
 * segment keeps trying past them while the buffer probe reports over
 * keep_trying_above_s, its back-off cut so that the next attempt comes
 * before the buffer falls to that. A body over max_body_bytes fails with
 * SV_ERR_OVERFLOW. On error, result->message names the method, the URL and
 * the cause (e.g. "GET http://h/a.m4s: HTTP 404: Not Found (1 attempt)",
 * "... truncated body: 116826 of 233653 bytes (4 attempts)").
 */
int64_t sv__fetch(sv__fetcher *f, const sv__fetch_req *req, sv__fetch_cb cb, void *opaque);
/* Cancels a fetch in flight; its callback is not called. Unknown ids are ignored. */
void sv__fetch_cancel(sv__fetcher *f, int64_t id);

/*
 * CDNs: alternative base URLs that serve the same paths. A URL under the
 * manifest's base (set with sv__fetcher_set_origin) is rewritten onto the
 * best healthy CDN; a failure (connect error, 5xx/404, timeout, stall below
 * the speed floor, truncated body) retries at once on the next CDN, and the
 * failed one sits out with exponential back-off before it is probed again.
 * With no CDNs set, URLs are fetched as they are. Lists are copied.
 */
typedef struct sv__cdn_entry { const char *id, *base_url; int priority, weight; } sv__cdn_entry;
int sv__fetcher_set_origin(sv__fetcher *f, const char *origin_base_url);
int sv__fetcher_set_cdns(sv__fetcher *f, const sv__cdn_entry *cdns, size_t n);
/* Appended to every manifest, segment and key request URL as a query
 * parameter ("token=..."), or NULL; API calls never carry it. Copied. */
int sv__fetcher_set_query(sv__fetcher *f, const char *query);

/*
 * How much media the player holds ahead of the position, in seconds: asked
 * (on the loop thread) when a segment fetch has used up its attempts; see
 * keep_trying_above_s. NULL removes it. The probe must not call into the
 * fetcher.
 */
void sv__fetcher_set_buffer_probe(sv__fetcher *f, double (*buffered_s)(void *opaque),
                                  void *opaque);

/* Called after every CDN change (from, to, reason), on the loop thread. */
void sv__fetcher_on_cdn_change(sv__fetcher *f,
                               void (*cb)(void *opaque, const char *from, const char *to,
                                          const char *reason),
                               void *opaque);

typedef struct sv__fetch_stats {
    int64_t bytes;            /* body bytes of successful fetches */
    int64_t requests;         /* attempts made */
    int64_t retries;          /* attempts after a failed one */
    int64_t cdn_switches;
    int64_t slow_aborts;      /* transfers abandoned under the relative speed floor */
    const char *current_cdn;  /* "" without CDNs; valid until the next call */
    double last_success_s;    /* loop clock of the last successful fetch, 0 before one */
    /* Attempts answered over HTTP/1.x and over HTTP/2, and the connections
     * they opened (0 for those that reused one). */
    int64_t http1_requests, http2_requests, connections;
    /* Successful segment fetches (init and media, not chunks read as they
     * are written), from the request to the last byte: median and 95th
     * percentile, seconds; -1 before the first (fetch_times.h). */
    double segment_fetch_p50_s, segment_fetch_p95_s;
} sv__fetch_stats;
void sv__fetcher_stats(const sv__fetcher *f, sv__fetch_stats *st);

#endif
