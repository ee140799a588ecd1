/*
 * test_fetcher_faults.c - a segment's faults through the fetcher against the
 * fault servers of test_fetcher.c: retries that outlast max_attempts while
 * media is buffered, 404/410 retried like a 5xx (403 not), and short bodies
 * caught by the transport (Content-Length) or by the request's body check.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "player/net/fetcher.h"
#include "player/net/loop.h"

#include "test_fetcher.h"

static double probe_buffer;
static int probe_calls;

static double buffer_probe(void *opaque)
{
    (void)opaque;
    probe_calls++;
    return probe_buffer;
}

static void spend_buffer(void *arg)
{
    (void)arg;
    probe_buffer = 0;
}

/* Every CDN answers 503. While the probe reports media buffered, a segment
 * fetch goes on past max_attempts (4); once the buffer is spent it fails.
 * A manifest never waits for the buffer. */
void test_keeps_trying_while_buffered(void **state)
{
    changes c;
    char url[128];
    sv__fetcher *f = make_cdn_fetcher(&c, url, sizeof(url));
    done d;

    (void)state;
    rules(E.a, "[{\"match\":\"*\",\"status\":503}]");
    rules(E.b, "[{\"match\":\"*\",\"status\":503}]");
    sv__fetcher_set_buffer_probe(f, buffer_probe, NULL);
    probe_buffer = 20;
    probe_calls = 0;
    assert_true(sv__loop_timer(E.loop, 1.0, spend_buffer, NULL) > 0);
    fetch_url(f, url, 0, -1, 0, &d);
    assert_int_equal(d.error, SV_ERR_HTTP);
    assert_int_equal(d.status, 503);
    assert_true(d.attempts > 4);
    assert_true(probe_calls >= 2);
    assert_float_equal(probe_buffer, 0, 0);

    probe_buffer = 20;
    fetch_kind(f, SV__FETCH_MANIFEST, url, 0, -1, 0, &d);
    assert_int_equal(d.error, SV_ERR_HTTP);
    assert_int_equal(d.attempts, 4);
    sv__fetcher_destroy(f);
}

/* A segment's 404 and 410 from a single source are retried like a 5xx (an
 * origin still publishing, a CDN hole): max_attempts attempts, and more
 * while the probe reports media buffered; a 403 still fails at once. */
void test_segment_404_retried(void **state)
{
    sv__fetcher *f = make_fetcher(3);
    char url[128];
    done d;

    (void)state;
    rules(E.a, "[{\"match\":\"/seg.bin\",\"status\":404}]");
    fetch_url(f, url_of(url, sizeof(url), E.pa, "/seg.bin"), 0, -1, 0, &d);
    assert_int_equal(d.error, SV_ERR_NOT_FOUND);
    assert_int_equal(d.attempts, 3);
    assert_non_null(strstr(d.message, url));
    assert_non_null(strstr(d.message, "404"));

    rules(E.a, "[{\"match\":\"/seg.bin\",\"times\":2,\"status\":410}]");
    fetch_url(f, url, 0, -1, 0, &d);
    assert_int_equal(d.error, 0);
    assert_int_equal(d.attempts, 3);
    free(d.data);

    rules(E.a, "[{\"match\":\"/seg.bin\",\"status\":404}]");
    sv__fetcher_set_buffer_probe(f, buffer_probe, NULL);
    probe_buffer = 20;
    assert_true(sv__loop_timer(E.loop, 0.8, spend_buffer, NULL) > 0);
    fetch_url(f, url, 0, -1, 0, &d);
    assert_int_equal(d.error, SV_ERR_NOT_FOUND);
    assert_true(d.attempts > 3);
    assert_float_equal(probe_buffer, 0, 0);

    rules(E.a, "[{\"match\":\"/seg.bin\",\"status\":403}]");
    fetch_url(f, url, 0, -1, 0, &d);
    assert_int_equal(d.error, SV_ERR_FORBIDDEN);
    assert_int_equal(d.attempts, 1);
    sv__fetcher_set_buffer_probe(f, NULL, NULL);
    sv__fetcher_destroy(f);
}

/* The body check of a request: a 1000-byte answer that its check calls
 * short is a truncated body, retried, and the message counts the bytes; a
 * body that passes is delivered. */
static int need_1000(const uint8_t *data, size_t size, char *why, size_t cap)
{
    (void)data;
    if (size >= 1000)
        return 0;
    snprintf(why, cap, "its boxes need 1000");
    return SV_ERR_PARSE;
}

void test_short_body_retried(void **state)
{
    sv__fetcher *f = make_fetcher(3);
    char url[128];
    done d;
    sv__fetch_req req = { .kind = SV__FETCH_SEGMENT, .length = -1, .check = need_1000 };

    (void)state;
    /* The server announces and sends 400 bytes of the 1000: no transport
     * error, only the check sees it. The first answer is short, the second
     * whole. */
    rules(E.a, "[{\"match\":\"/seg.bin\",\"times\":1,\"content_length\":400}]");
    req.url = url_of(url, sizeof(url), E.pa, "/seg.bin");
    memset(&d, 0, sizeof(d));
    assert_true(sv__fetch(f, &req, on_fetched, &d) > 0);
    run_loop(15);
    assert_int_equal(d.called, 1);
    assert_int_equal(d.error, 0);
    assert_int_equal(d.attempts, 2);
    assert_int_equal(d.size, FILE_SIZE);
    free(d.data);

    rules(E.a, "[{\"match\":\"/seg.bin\",\"content_length\":400}]");
    memset(&d, 0, sizeof(d));
    assert_true(sv__fetch(f, &req, on_fetched, &d) > 0);
    run_loop(15);
    assert_int_equal(d.error, SV_ERR_NETWORK);
    assert_int_equal(d.attempts, 3);
    assert_non_null(strstr(d.message, "truncated body: 400 bytes received, its boxes need 1000"));

    /* Content-Length larger than the body: the transport sees it, the
     * message counts the bytes. */
    rules(E.a, "[{\"match\":\"/seg.bin\",\"content_length_delta\":500}]");
    fetch_url(f, url, 0, -1, 0, &d);
    assert_int_equal(d.error, SV_ERR_NETWORK);
    char want[96];
    snprintf(want, sizeof(want), "truncated body: %d of %d bytes", (int)FILE_SIZE,
             (int)FILE_SIZE + 500);
    assert_non_null(strstr(d.message, want));
    sv__fetcher_destroy(f);
}
