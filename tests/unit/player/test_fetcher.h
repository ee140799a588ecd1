/*
 * test_fetcher.h - what the fetcher tests share across their files: the
 * environment set up once per run (a served folder, two fault servers, a
 * clock, a transport and a loop) and small helpers.
 */
#ifndef SV_TEST_FETCHER_H
#define SV_TEST_FETCHER_H

#include <stdint.h>

#include "faultsrv.h"
#include "player/net/fetcher.h"
#include "player/net/loop.h"
#include "player/net/transport.h"
#include "streamverse/clock.h"

#define FILE_SIZE 200000

typedef struct env {
    char dir[64];
    char path[128];
    uint8_t content[FILE_SIZE];
    sv_faultsrv *a, *b;
    int pa, pb;
    int closed_port;
    sv_clock *clock;
    sv__transport *tr;
    sv__loop *loop;
} env;

extern env E;

/* Replaces a server's rules; fails the test on a bad rule set. */
void rules(sv_faultsrv *srv, const char *json);
/* Formats http://127.0.0.1:<port><path> into buf and returns buf. */
char *url_of(char *buf, size_t size, int port, const char *path);

/* One fetch's outcome, filled by on_fetched(). */
typedef struct done {
    int called;
    int error;
    long status;
    uint8_t *data;
    size_t size;
    double throughput;
    int attempts;
    char cdn[32], url[256], ctype[64], message[256];
} done;

/* The CDN changes a fetcher reported. */
typedef struct changes {
    int n;
    char from[4][16], to[4][16], reason[4][64];
} changes;

/* A fetcher on E's loop with short timeouts (failures show within about a
 * second) and max_attempts attempts. */
sv__fetcher *make_fetcher(int max_attempts);
/* A fetcher whose origin is a dead port and whose CDNs are "a" (E.pa,
 * preferred) and "b" (E.pb); seg_url gets the segment's origin URL. */
sv__fetcher *make_cdn_fetcher(changes *c, char *seg_url, size_t size);
/* The fetch callback: fills the done passed as opaque, stops the loop. */
void on_fetched(void *opaque, sv__fetch_result *r);
/* Runs the loop for `seconds` at most, or until a fetch callback stops it. */
void run_loop(double seconds);
/* Fetches one URL and runs the loop until its callback (asserts it came). */
void fetch_kind(sv__fetcher *f, sv__fetch_kind kind, const char *url, int64_t offset,
                int64_t length, int head, done *d);
#define fetch_url(f, url, offset, length, head, d) \
    fetch_kind((f), SV__FETCH_SEGMENT, (url), (offset), (length), (head), (d))

void test_transport_file_urls(void **state);
void test_keeps_trying_while_buffered(void **state);
void test_segment_404_retried(void **state);
void test_short_body_retried(void **state);

#endif
