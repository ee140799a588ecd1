/*
 * test_fetcher.c - the fetcher and the libcurl transport against real HTTP:
 * two in-process fault servers (tests/support) on 127.0.0.1 serve the same
 * folder and play the CDNs. Scenarios: exact bytes, ranges, HEAD, redirects,
 * keep-alive, POST, retries after 503, fail-fast 4xx, refused connections,
 * the speed floor, truncation and lying lengths, the body size limit,
 * failover on 500 / 404 / reset / stall with back-off and probing, a drip
 * under the relative speed floor, retries that outlast max_attempts while
 * media is buffered, the query token and cancellation. The transport alone (file://, error
 * bodies) is in test_fetcher_transport.c, segment faults (retries while
 * buffered, 404s, short bodies) in test_fetcher_faults.c; both share this
 * file's servers and helpers (test_fetcher.h).
 */
#define _XOPEN_SOURCE 700 /* mkdtemp */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "faultsrv.h"
#include "player/net/fetcher.h"
#include "player/net/loop.h"
#include "player/net/transport.h"
#include "streamverse/clock.h"

#include "test_fetcher.h"

env E;

/* ---- set-up --------------------------------------------------------------------- */

static int free_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);   /* nothing listens there now: connections are refused */
    return ntohs(a.sin_port);
}

static sv_faultsrv *start_server(void)
{
    sv_faultsrv_config cfg;
    sv_faultsrv *srv = NULL;
    char err[256];

    sv_faultsrv_default_config(&cfg);
    cfg.root = E.dir;
    if (sv_faultsrv_start(&cfg, &srv, err, sizeof(err)) < 0)
        fail_msg("fault server: %s", err);
    return srv;
}

static int setup(void **state)
{
    FILE *fp;
    uint32_t x = 12345;

    (void)state;
    strcpy(E.dir, "/tmp/sv-fetch-test.XXXXXX");
    assert_non_null(mkdtemp(E.dir));
    snprintf(E.path, sizeof(E.path), "%s/seg.bin", E.dir);
    for (size_t i = 0; i < FILE_SIZE; i++) {
        x = x * 1103515245u + 12345u;
        E.content[i] = (uint8_t)(x >> 16);
    }
    assert_non_null(fp = fopen(E.path, "wb"));
    assert_int_equal(fwrite(E.content, 1, FILE_SIZE, fp), FILE_SIZE);
    fclose(fp);
    E.a = start_server();
    E.b = start_server();
    E.pa = sv_faultsrv_port(E.a);
    E.pb = sv_faultsrv_port(E.b);
    E.closed_port = free_port();
    assert_int_equal(sv_clock_monotonic_create(&E.clock), 0);
    assert_int_equal(sv__transport_curl_create(&E.tr, E.clock, NULL), 0);
    assert_int_equal(sv__loop_create(&E.loop, E.clock, E.tr, NULL), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sv__loop_destroy(E.loop);
    sv__transport_destroy(E.tr);
    sv_clock_destroy(E.clock);
    sv_faultsrv_stop(E.a);
    sv_faultsrv_stop(E.b);
    unlink(E.path);
    rmdir(E.dir);
    return 0;
}

/* Before each test: no rules, empty logs. Counting first waits for the
 * servers to log what the previous test's client already received. */
static int reset_servers(void **state)
{
    char err[256];

    (void)state;
    (void)sv_faultsrv_log_count(E.a);
    (void)sv_faultsrv_log_count(E.b);
    assert_int_equal(sv_faultsrv_set_rules(E.a, "[]", err, sizeof(err)), 0);
    assert_int_equal(sv_faultsrv_set_rules(E.b, "[]", err, sizeof(err)), 0);
    sv_faultsrv_reset(E.a);
    sv_faultsrv_reset(E.b);
    return 0;
}

void rules(sv_faultsrv *srv, const char *json)
{
    char err[256];
    if (sv_faultsrv_set_rules(srv, json, err, sizeof(err)) < 0)
        fail_msg("rules %s: %s", json, err);
}

/* Short timeouts so every failure shows within about a second. */
sv__fetcher *make_fetcher(int max_attempts)
{
    sv__fetch_options o;
    sv__fetcher *f;

    sv__fetch_default_options(&o);
    o.connect_timeout_s = 2;
    o.low_speed_bytes_per_s = 8000;
    o.low_speed_time_s = 1;
    o.manifest_timeout_s = 5;
    o.max_attempts = max_attempts;
    o.backoff_initial_s = 0.05;
    o.backoff_max_s = 0.2;
    assert_int_equal(sv__fetcher_create(&f, E.loop, E.tr, &o), 0);
    return f;
}

/* ---- running one fetch ------------------------------------------------------------- */


void on_fetched(void *opaque, sv__fetch_result *r)
{
    done *d = opaque;

    d->called++;
    d->error = r->error;
    d->status = r->status;
    d->data = r->data;     /* ours now */
    d->size = r->size;
    d->throughput = r->throughput_bps;
    d->attempts = r->attempts;
    snprintf(d->cdn, sizeof(d->cdn), "%s", r->cdn_id ? r->cdn_id : "(null)");
    snprintf(d->url, sizeof(d->url), "%s", r->url ? r->url : "(null)");
    snprintf(d->ctype, sizeof(d->ctype), "%s", r->content_type ? r->content_type : "");
    snprintf(d->message, sizeof(d->message), "%s", r->message);
    sv__loop_stop(E.loop);
}

static int guard_fired;
static void on_guard(void *arg)
{
    (void)arg;
    guard_fired = 1;
    sv__loop_stop(E.loop);
}

/* Runs the loop for `seconds` at most, or until a fetch callback stops it. */
void run_loop(double seconds)
{
    guard_fired = 0;
    int64_t guard = sv__loop_timer(E.loop, seconds, on_guard, NULL);
    assert_true(guard > 0);
    assert_int_equal(sv__loop_run(E.loop), 0);
    sv__loop_timer_cancel(E.loop, guard);
}

void fetch_kind(sv__fetcher *f, sv__fetch_kind kind, const char *url, int64_t offset,
                int64_t length, int head, done *d)
{
    sv__fetch_req req = { .kind = kind, .url = url, .offset = offset, .length = length,
                          .head_only = head };

    memset(d, 0, sizeof(*d));
    assert_true(sv__fetch(f, &req, on_fetched, d) > 0);
    assert_int_equal(d->called, 0);    /* never from inside sv__fetch() */
    run_loop(15);
    assert_false(guard_fired);
    assert_int_equal(d->called, 1);
}


char *url_of(char *buf, size_t size, int port, const char *path)
{
    snprintf(buf, size, "http://127.0.0.1:%d%s", port, path);
    return buf;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static void assert_log_has(sv_faultsrv *srv, const char *needle, size_t times)
{
    char *log = sv_faultsrv_log(srv);
    assert_non_null(log);
    if (count(log, needle) != times)
        fail_msg("expected %zu x %s in the log:\n%s", times, needle, log);
    free(log);
}

/* Counts the requests answered in full: one that a client gave up on (a
 * previous test's stall) is logged whenever the server notices. */
static void assert_log_count(sv_faultsrv *srv, size_t n)
{
    char *log = sv_faultsrv_log(srv);
    assert_non_null(log);
    size_t got = count(log, "\"end\":\"complete\"");
    if (got != n)
        fail_msg("expected %zu complete requests, got %zu:\n%s", n, got, log);
    free(log);
}

/* ---- plain fetches ------------------------------------------------------------------- */

static void test_whole_range_head_redirect(void **state)
{
    sv__fetcher *f = make_fetcher(4);
    sv__fetch_stats st;
    char url[128];
    done d;

    (void)state;
    url_of(url, sizeof(url), E.pa, "/seg.bin");
    fetch_url(f, url, 0, -1, 0, &d);
    assert_int_equal(d.error, 0);
    assert_int_equal(d.status, 200);
    assert_int_equal(d.size, FILE_SIZE);
    assert_memory_equal(d.data, E.content, FILE_SIZE);
    assert_true(d.throughput > 0);
    assert_int_equal(d.attempts, 1);
    assert_string_equal(d.cdn, "");
    assert_string_equal(d.url, url);
    assert_string_equal(d.ctype, "application/octet-stream");
    free(d.data);

    fetch_url(f, url, 1000, 5000, 0, &d);
    assert_int_equal(d.error, 0);
    assert_int_equal(d.status, 206);
    assert_int_equal(d.size, 5000);
    assert_memory_equal(d.data, E.content + 1000, 5000);
    free(d.data);

    fetch_url(f, url, 190000, -1, 0, &d);
    assert_int_equal(d.error, 0);
    assert_int_equal(d.size, 10000);
    assert_memory_equal(d.data, E.content + 190000, 10000);
    free(d.data);

    fetch_url(f, url, 0, -1, 1, &d);
    assert_int_equal(d.error, 0);
    assert_int_equal(d.status, 200);
    assert_int_equal(d.size, 0);
    assert_null(d.data);

    /* Redirects are followed; the result names where the bytes came from. */
    rules(E.a, "[{\"match\":\"/old.bin\",\"status\":302,\"headers\":{\"Location\":\"/seg.bin\"}}]");
    fetch_url(f, url_of(url, sizeof(url), E.pa, "/old.bin"), 0, 4, 0, &d);
    assert_int_equal(d.error, 0);
    assert_int_equal(d.size, 4);
    assert_memory_equal(d.data, E.content, 4);
    assert_non_null(strstr(d.url, "/seg.bin"));
    free(d.data);

    assert_log_has(E.a, "\"range\":\"bytes=1000-5999\"", 1);
    assert_log_has(E.a, "\"range\":\"bytes=190000-\"", 1);
    assert_log_has(E.a, "\"method\":\"HEAD\"", 1);
    assert_log_has(E.a, "\"status\":302", 1);
    /* Six requests, one keep-alive connection. */
    assert_log_count(E.a, 6);
    assert_log_has(E.a, "\"conn\":1,", 6);

    sv__fetcher_stats(f, &st);
    assert_int_equal(st.requests, 5);
    assert_int_equal(st.retries, 0);
    assert_int_equal(st.bytes, FILE_SIZE + 5000 + 10000 + 4);
    assert_int_equal(st.cdn_switches, 0);
    assert_string_equal(st.current_cdn, "");
    sv__fetcher_destroy(f);
}

static void test_post_is_sent(void **state)
{
    static const char body[] = "{\"position\":12.5}";
    sv__fetcher *f = make_fetcher(4);
    sv__fetch_req req = { .kind = SV__FETCH_API, .length = -1, .body = (const uint8_t *)body,
                          .body_len = sizeof(body) - 1, .body_type = "application/json" };
    char url[128];
    done d = { 0 };

    (void)state;
    /* The fault server serves files only: it answers POST with 405, which
     * proves the method went out and that a 4xx is not retried. */
    req.url = url_of(url, sizeof(url), E.pa, "/seg.bin");
    assert_true(sv__fetch(f, &req, on_fetched, &d) > 0);
    run_loop(15);
    assert_int_equal(d.called, 1);
    assert_int_equal(d.error, SV_ERR_HTTP);
    assert_int_equal(d.status, 405);
    assert_int_equal(d.attempts, 1);
    assert_non_null(strstr(d.message, url));
    assert_non_null(strstr(d.message, "405"));
    assert_null(d.data);
    assert_log_has(E.a, "\"method\":\"POST\"", 1);
    sv__fetcher_destroy(f);
}

static void test_retry_after_503(void **state)
{
    sv__fetcher *f = make_fetcher(4);
    sv__fetch_stats st;
    char url[128];
    done d;

    (void)state;
    rules(E.a, "[{\"match\":\"/seg.bin\",\"times\":2,\"status\":503}]");
    fetch_url(f, url_of(url, sizeof(url), E.pa, "/seg.bin"), 0, -1, 0, &d);
    assert_int_equal(d.error, 0);
    assert_int_equal(d.attempts, 3);
    assert_int_equal(d.size, FILE_SIZE);
    assert_memory_equal(d.data, E.content, FILE_SIZE);
    free(d.data);
    sv__fetcher_stats(f, &st);
    assert_int_equal(st.requests, 3);
    assert_int_equal(st.retries, 2);
    assert_log_has(E.a, "\"status\":503", 2);
    assert_log_has(E.a, "\"status\":200", 1);

    /* Out of attempts: the last error is reported. */
    rules(E.a, "[{\"match\":\"/seg.bin\",\"status\":503}]");
    sv__fetcher_destroy(f);
    f = make_fetcher(2);
    fetch_url(f, url, 0, -1, 0, &d);
    assert_int_equal(d.error, SV_ERR_HTTP);
    assert_int_equal(d.status, 503);
    assert_int_equal(d.attempts, 2);
    assert_non_null(strstr(d.message, "503"));
    sv__fetcher_destroy(f);
}

static void test_fail_fast(void **state)
{
    sv__fetcher *f = make_fetcher(4);
    char url[128];
    done d;

    (void)state;
    /* Not a segment: a single source's 404 will not heal. */
    fetch_kind(f, SV__FETCH_MANIFEST, url_of(url, sizeof(url), E.pa, "/missing.bin"), 0, -1, 0,
               &d);
    assert_int_equal(d.error, SV_ERR_NOT_FOUND);
    assert_int_equal(d.status, 404);
    assert_int_equal(d.attempts, 1);
    assert_non_null(strstr(d.message, url));
    assert_non_null(strstr(d.message, "404"));
    assert_null(d.data);

    rules(E.a, "[{\"match\":\"/seg.bin\",\"status\":403}]");
    fetch_url(f, url_of(url, sizeof(url), E.pa, "/seg.bin"), 0, -1, 0, &d);
    assert_int_equal(d.error, SV_ERR_FORBIDDEN);
    assert_int_equal(d.attempts, 1);
    assert_non_null(strstr(d.message, "403"));
    assert_log_count(E.a, 2);

    rules(E.a, "[{\"match\":\"/seg.bin\",\"times\":1,\"status\":410},"
               "{\"match\":\"/seg.bin\",\"status\":401}]");
    for (int i = 0; i < 2; i++) {
        fetch_kind(f, SV__FETCH_MANIFEST, url, 0, -1, 0, &d);
        assert_int_equal(d.error, i == 0 ? SV_ERR_NOT_FOUND : SV_ERR_FORBIDDEN);
        assert_int_equal(d.attempts, 1);
    }

    /* A redirect loop stops after 5 hops. */
    rules(E.a, "[{\"match\":\"/loop\",\"status\":302,\"headers\":{\"Location\":\"/loop\"}}]");
    fetch_url(f, url_of(url, sizeof(url), E.pa, "/loop"), 0, -1, 0, &d);
    assert_int_equal(d.error, SV_ERR_HTTP);
    assert_int_equal(d.attempts, 1);
    assert_log_count(E.a, 4 + 6);
    sv__fetcher_destroy(f);
}

static void test_refused(void **state)
{
    sv__fetcher *f = make_fetcher(2);
    char url[128];
    done d;

    (void)state;
    fetch_url(f, url_of(url, sizeof(url), E.closed_port, "/seg.bin"), 0, -1, 0, &d);
    assert_int_equal(d.error, SV_ERR_NETWORK);
    assert_int_equal(d.status, 0);
    assert_int_equal(d.attempts, 2);
    assert_non_null(strstr(d.message, url));
    sv__fetcher_destroy(f);
}

static void test_speed_floor_and_broken_bodies(void **state)
{
    sv__fetcher *f = make_fetcher(1);
    char url[128];
    done d;

    (void)state;
    url_of(url, sizeof(url), E.pa, "/seg.bin");
    /* 2 kB/s against an 8 kB/s floor over 1 s. */
    rules(E.a, "[{\"match\":\"/seg.bin\",\"rate\":2000}]");
    fetch_url(f, url, 0, -1, 0, &d);
    assert_int_equal(d.error, SV_ERR_TIMEOUT);
    assert_null(d.data);

    /* Manifests have a whole-transfer timeout (here 1 s) even when fast. */
    sv__fetcher_destroy(f);
    sv__fetch_options o;
    sv__fetch_default_options(&o);
    o.manifest_timeout_s = 1;
    o.max_attempts = 1;
    assert_int_equal(sv__fetcher_create(&f, E.loop, E.tr, &o), 0);
    rules(E.a, "[{\"match\":\"/seg.bin\",\"delay_ms\":3000}]");
    fetch_kind(f, SV__FETCH_MANIFEST, url, 0, -1, 0, &d);
    assert_int_equal(d.error, SV_ERR_TIMEOUT);
    sv__fetcher_destroy(f);
    f = make_fetcher(1);

    /* Cut-off bodies and lying lengths; the last is a 206 whose
     * Content-Length is shorter than its Content-Range. */
    static const struct { const char *rule; int64_t length; } broken[] = {
        { "[{\"match\":\"/seg.bin\",\"truncate_after\":5000}]", -1 },
        { "[{\"match\":\"/seg.bin\",\"content_length_delta\":10}]", -1 },
        { "[{\"match\":\"/seg.bin\",\"reset_after\":1000}]", -1 },
        { "[{\"match\":\"/seg.bin\",\"content_length_delta\":-10}]", 1000 },
    };
    for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
        rules(E.a, broken[i].rule);
        fetch_url(f, url, 0, broken[i].length, 0, &d);
        assert_int_equal(d.error, SV_ERR_NETWORK);
        assert_null(d.data);
    }
    sv__fetcher_destroy(f);

    /* The size limit. */
    sv__fetch_default_options(&o);
    o.max_body_bytes = 1000;
    assert_int_equal(sv__fetcher_create(&f, E.loop, E.tr, &o), 0);
    rules(E.a, "[]");
    fetch_url(f, url, 0, -1, 0, &d);
    assert_int_equal(d.error, SV_ERR_OVERFLOW);
    assert_int_equal(d.attempts, 1);
    assert_null(d.data);
    sv__fetcher_destroy(f);
}

/* ---- CDNs ------------------------------------------------------------------------------ */


static void on_cdn_change(void *opaque, const char *from, const char *to, const char *reason)
{
    changes *c = opaque;
    if (c->n < 4) {
        snprintf(c->from[c->n], sizeof(c->from[0]), "%s", from);
        snprintf(c->to[c->n], sizeof(c->to[0]), "%s", to);
        snprintf(c->reason[c->n], sizeof(c->reason[0]), "%s", reason);
    }
    c->n++;
}

/* A fetcher whose origin is a dead port: only rewriting onto a CDN can
 * serve anything. CDN "a" is preferred. */
static sv__fetcher *make_cdn_fetcher_on(changes *c, char *seg_url, size_t size, int port_a)
{
    sv__fetcher *f = make_fetcher(4);
    char origin[64], base_a[64], base_b[64];
    sv__cdn_entry cdns[2];

    snprintf(origin, sizeof(origin), "http://127.0.0.1:%d/origin", E.closed_port);
    snprintf(base_a, sizeof(base_a), "http://127.0.0.1:%d/", port_a);
    snprintf(base_b, sizeof(base_b), "http://127.0.0.1:%d", E.pb);
    cdns[0] = (sv__cdn_entry){ "a", base_a, 1, 1 };
    cdns[1] = (sv__cdn_entry){ "b", base_b, 2, 1 };
    assert_int_equal(sv__fetcher_set_origin(f, origin), 0);
    assert_int_equal(sv__fetcher_set_cdns(f, cdns, 2), 0);
    memset(c, 0, sizeof(*c));
    sv__fetcher_on_cdn_change(f, on_cdn_change, c);
    snprintf(seg_url, size, "%s/seg.bin", origin);
    return f;
}

sv__fetcher *make_cdn_fetcher(changes *c, char *seg_url, size_t size)
{
    return make_cdn_fetcher_on(c, seg_url, size, E.pa);
}

static void test_failover_500_backoff_probe(void **state)
{
    changes c;
    char url[128];
    sv__fetcher *f = make_cdn_fetcher(&c, url, sizeof(url));
    sv__fetch_stats st;
    done d;

    (void)state;
    rules(E.a, "[{\"match\":\"*\",\"status\":500}]");
    fetch_url(f, url, 0, -1, 0, &d);
    assert_int_equal(d.error, 0);
    assert_memory_equal(d.data, E.content, FILE_SIZE);
    free(d.data);
    assert_string_equal(d.cdn, "b");
    assert_int_equal(d.attempts, 2);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.from[0], "a");
    assert_string_equal(c.to[0], "b");
    assert_string_equal(c.reason[0], "HTTP 500");
    sv__fetcher_stats(f, &st);
    assert_int_equal(st.cdn_switches, 1);
    assert_string_equal(st.current_cdn, "b");
    assert_log_count(E.a, 1);

    /* "a" sits out (2 s): the next fetch goes straight to "b". */
    rules(E.a, "[]");
    fetch_url(f, url, 0, 100, 0, &d);
    assert_int_equal(d.error, 0);
    assert_string_equal(d.cdn, "b");
    assert_int_equal(d.attempts, 1);
    free(d.data);
    assert_log_count(E.a, 1);

    /* After its back-off "a" is probed again and, healthy, preferred. */
    run_loop(2.2);
    assert_true(guard_fired);
    fetch_url(f, url, 0, 100, 0, &d);
    assert_int_equal(d.error, 0);
    assert_string_equal(d.cdn, "a");
    assert_memory_equal(d.data, E.content, 100);
    free(d.data);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.from[1], "b");
    assert_string_equal(c.to[1], "a");
    assert_string_equal(c.reason[1], "probe");
    sv__fetcher_stats(f, &st);
    assert_int_equal(st.cdn_switches, 2);
    assert_string_equal(st.current_cdn, "a");
    assert_log_count(E.a, 2);
    sv__fetcher_destroy(f);
}

/* One failover scenario: CDN "a" misbehaves per `rule`, "b" serves. */
static void failover_case(const char *rule, const char *reason)
{
    changes c;
    char url[128];
    /* No rule: CDN "a" is a dead port. */
    sv__fetcher *f = make_cdn_fetcher_on(&c, url, sizeof(url), rule ? E.pa : E.closed_port);
    sv__fetch_stats st;
    done d;

    reset_servers(NULL);
    if (rule)
        rules(E.a, rule);
    fetch_url(f, url, 0, -1, 0, &d);
    assert_int_equal(d.error, 0);
    assert_int_equal(d.size, FILE_SIZE);
    assert_memory_equal(d.data, E.content, FILE_SIZE);
    free(d.data);
    assert_string_equal(d.cdn, "b");
    assert_int_equal(d.attempts, 2);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.reason[0], reason);
    sv__fetcher_stats(f, &st);
    assert_int_equal(st.cdn_switches, 1);
    assert_int_equal(st.retries, 1);
    assert_log_count(E.b, 1);
    sv__fetcher_destroy(f);
}

static void test_failover_404_reset_truncate_refused_stall(void **state)
{
    (void)state;
    failover_case("[{\"match\":\"*\",\"status\":404}]", "HTTP 404");
    failover_case("[{\"match\":\"*\",\"reset_after\":1000}]", "network error");
    failover_case("[{\"match\":\"*\",\"truncate_after\":1000}]", "network error");
    failover_case(NULL, "network error");
    /* An endless stall after 10 kB: the 1 s speed floor gives up on it. */
    failover_case("[{\"match\":\"*\",\"stall\":{\"after\":10000}}]", "timed out");
}

/* A 20 kB/s drip passes libcurl's 8 kB/s floor, but against a link that
 * just gave far more, with CDN "b" healthy, it is abandoned after the 1 s
 * grace and served by "b". */
static void test_slow_transfer_fails_over(void **state)
{
    changes c;
    char url[128];
    sv__fetcher *f = make_cdn_fetcher(&c, url, sizeof(url));
    sv__fetch_stats st;
    done d;

    (void)state;
    fetch_url(f, url, 0, -1, 0, &d);      /* fast: the link's rate */
    assert_int_equal(d.error, 0);
    free(d.data);
    rules(E.a, "[{\"match\":\"/seg.bin\",\"rate\":20000}]");
    fetch_url(f, url, 0, -1, 0, &d);
    assert_int_equal(d.error, 0);
    assert_memory_equal(d.data, E.content, FILE_SIZE);
    free(d.data);
    assert_string_equal(d.cdn, "b");
    assert_int_equal(d.attempts, 2);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.reason[0], "too slow");
    sv__fetcher_stats(f, &st);
    assert_int_equal(st.slow_aborts, 1);
    sv__fetcher_destroy(f);
}

static void test_query_token_and_kinds(void **state)
{
    changes c;
    char url[128], api[128];
    sv__fetcher *f = make_cdn_fetcher(&c, url, sizeof(url));
    done d;

    (void)state;
    assert_int_equal(sv__fetcher_set_query(f, "token=abc"), 0);
    assert_int_equal(sv__fetcher_set_query(f, "bad#token"), SV_ERR_INVALID);
    fetch_url(f, url, 0, 10, 0, &d);            /* segment: token */
    assert_int_equal(d.error, 0);
    free(d.data);
    fetch_kind(f, SV__FETCH_MANIFEST, url, 0, 10, 0, &d);  /* manifest: token too */
    assert_int_equal(d.error, 0);
    free(d.data);
    /* API calls are never rewritten: straight to the URL given. */
    fetch_kind(f, SV__FETCH_API, url_of(api, sizeof(api), E.pb, "/seg.bin"), 0, 10, 0, &d);
    assert_int_equal(d.error, 0);
    assert_string_equal(d.cdn, "");
    free(d.data);
    assert_log_count(E.a, 2);
    assert_log_has(E.a, "\"query\":\"token=abc\"", 2);
    assert_log_has(E.b, "\"query\":null", 1);
    sv__fetcher_destroy(f);
}

static void test_cancel_and_invalid(void **state)
{
    sv__fetcher *f = make_fetcher(4);
    sv__fetch_req req = { .kind = SV__FETCH_SEGMENT, .length = -1 };
    char url[128];
    done d1 = { 0 }, d2 = { 0 };

    (void)state;
    rules(E.a, "[{\"match\":\"/seg.bin\",\"delay_ms\":3000}]");
    req.url = url_of(url, sizeof(url), E.pa, "/seg.bin");
    int64_t id1 = sv__fetch(f, &req, on_fetched, &d1);
    int64_t id2 = sv__fetch(f, &req, on_fetched, &d2);
    assert_true(id1 > 0 && id2 > id1);
    sv__fetch_cancel(f, id1);       /* before it started */
    run_loop(0.3);                  /* id2 is now waiting for its first byte */
    sv__fetch_cancel(f, id2);
    sv__fetch_cancel(f, 9999);      /* unknown: ignored */
    run_loop(0.2);
    assert_int_equal(d1.called, 0);
    assert_int_equal(d2.called, 0);

    req.url = "seg.bin";
    assert_int_equal(sv__fetch(f, &req, on_fetched, &d1), SV_ERR_INVALID);
    req.url = url;
    req.length = 0;
    assert_int_equal(sv__fetch(f, &req, on_fetched, &d1), SV_ERR_INVALID);
    req.length = -1;
    assert_int_equal(sv__fetch(f, &req, NULL, &d1), SV_ERR_INVALID);

    /* Destroy with a fetch in flight: no callback, nothing leaks. */
    assert_true(sv__fetch(f, &req, on_fetched, &d1) > 0);
    run_loop(0.1);
    sv__fetcher_destroy(f);
    assert_int_equal(d1.called, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_whole_range_head_redirect, reset_servers),
        cmocka_unit_test_setup(test_post_is_sent, reset_servers),
        cmocka_unit_test_setup(test_retry_after_503, reset_servers),
        cmocka_unit_test_setup(test_fail_fast, reset_servers),
        cmocka_unit_test_setup(test_refused, reset_servers),
        cmocka_unit_test_setup(test_speed_floor_and_broken_bodies, reset_servers),
        cmocka_unit_test_setup(test_failover_500_backoff_probe, reset_servers),
        cmocka_unit_test_setup(test_failover_404_reset_truncate_refused_stall, reset_servers),
        cmocka_unit_test_setup(test_segment_404_retried, reset_servers),
        cmocka_unit_test_setup(test_short_body_retried, reset_servers),
        cmocka_unit_test_setup(test_query_token_and_kinds, reset_servers),
        cmocka_unit_test_setup(test_slow_transfer_fails_over, reset_servers),
        cmocka_unit_test_setup(test_keeps_trying_while_buffered, reset_servers),
        cmocka_unit_test_setup(test_cancel_and_invalid, reset_servers),
        cmocka_unit_test_setup(test_transport_file_urls, reset_servers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
