/*
 * test_fetcher_transport.c - the libcurl transport alone: file:// URLs
 * (whole, range, HEAD, missing) and HTTP error bodies that must never reach
 * on_data. Runs in test_fetcher's group, on its servers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_fetcher.h"

/* ---- the transport alone, on file:// ------------------------------------------------ */

typedef struct xfer {
    int done;
    sv__transfer_result r;
    uint8_t *data;
    size_t size;
} xfer;

static int x_data(void *opaque, const uint8_t *data, size_t len)
{
    xfer *x = opaque;
    uint8_t *p = realloc(x->data, x->size + len);
    if (!p)
        return -1;
    memcpy(p + x->size, data, len);
    x->data = p;
    x->size += len;
    return 0;
}

static void x_done(void *opaque, const sv__transfer_result *r)
{
    xfer *x = opaque;
    x->done++;
    x->r = *r;
    x->r.content_type = x->r.effective_url = NULL;
}

static void transfer(const char *url, int64_t offset, int64_t length, int head, xfer *x)
{
    sv__request req;
    sv__transfer *t;

    memset(x, 0, sizeof(*x));
    memset(&req, 0, sizeof(req));
    req.url = url;
    req.offset = offset;
    req.length = length;
    req.head_only = head;
    req.on_data = x_data;
    req.on_done = x_done;
    req.opaque = x;
    assert_int_equal(E.tr->ops->submit(E.tr->priv, &req, &t), 0);
    for (int i = 0; i < 100 && !x->done; i++)
        assert_int_equal(E.tr->ops->poll(E.tr->priv, 100000000), 0);
    assert_int_equal(x->done, 1);
}

void test_transport_file_urls(void **state)
{
    char url[192];
    xfer x;

    (void)state;
    snprintf(url, sizeof(url), "file://%s", E.path);
    transfer(url, 0, -1, 0, &x);
    assert_int_equal(x.r.error, 0);
    assert_int_equal(x.size, FILE_SIZE);
    assert_int_equal(x.r.bytes, FILE_SIZE);
    assert_memory_equal(x.data, E.content, FILE_SIZE);
    assert_true(x.r.end_s >= x.r.start_s);
    free(x.data);

    transfer(url, 4096, 100, 0, &x);
    assert_int_equal(x.r.error, 0);
    assert_int_equal(x.size, 100);
    assert_memory_equal(x.data, E.content + 4096, 100);
    free(x.data);

    transfer(url, 0, -1, 1, &x);
    assert_int_equal(x.r.error, 0);
    assert_int_equal(x.size, 0);
    assert_int_equal(x.r.content_length, FILE_SIZE);

    snprintf(url, sizeof(url), "file://%s/none.bin", E.dir);
    transfer(url, 0, -1, 0, &x);
    assert_int_equal(x.r.error, SV_ERR_NOT_FOUND);
    assert_int_equal(x.size, 0);
    assert_true(x.r.message[0] != '\0');

    /* An error body never reaches on_data; a bit of it reaches the message. */
    rules(E.a, "[{\"match\":\"/e\",\"status\":500,\"body\":\"backend exploded\\n\"},"
               "{\"match\":\"/r\",\"status\":302}]");
    transfer(url_of(url, sizeof(url), E.pa, "/e"), 0, -1, 0, &x);
    assert_int_equal(x.r.error, SV_ERR_HTTP);
    assert_int_equal(x.r.status, 500);
    assert_int_equal(x.size, 0);
    assert_int_equal(x.r.bytes, 0);
    assert_string_equal(x.r.message, "HTTP 500: backend exploded");
    /* A redirect without Location is an error too, never content. */
    transfer(url_of(url, sizeof(url), E.pa, "/r"), 0, -1, 0, &x);
    assert_int_equal(x.r.error, SV_ERR_HTTP);
    assert_int_equal(x.r.status, 302);
    assert_int_equal(x.size, 0);
}

