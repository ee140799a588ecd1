/*
 * test_faultsrv.c - the fault server's C API and its pure parts: two servers
 * in one process fetched with libcurl, run-time rules, the expectation
 * check, pipelining, the connection limit, loopback-only binding, and the
 * rule matcher, scenario errors, Range and path decoding in isolation.
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
#include <sys/time.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "faultsrv.h"
#include "faultsrv_internal.h"

/* ---- helpers ------------------------------------------------------------- */

typedef struct tmp_root {
    char dir[64];
    char file[128];
} tmp_root;

static void make_root(tmp_root *t, const char *name, const char *content)
{
    FILE *f;

    strcpy(t->dir, "/tmp/sv-faultsrv-test.XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->file, sizeof(t->file), "%s/%s", t->dir, name);
    f = fopen(t->file, "w");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
}

static void remove_root(tmp_root *t)
{
    unlink(t->file);
    rmdir(t->dir);
}

typedef struct fetched {
    char data[4096];
    size_t len;
} fetched;

static size_t on_data(char *ptr, size_t size, size_t n, void *opaque)
{
    fetched *f = opaque;
    size_t len = size * n;

    if (len > sizeof(f->data) - 1 - f->len)
        len = sizeof(f->data) - 1 - f->len;
    memcpy(f->data + f->len, ptr, len);
    f->len += len;
    f->data[f->len] = '\0';
    return size * n;
}

/* GET (or another method with a body) with libcurl easy; returns the status. */
static long fetch(int port, const char *method, const char *path, const char *body,
                  fetched *out)
{
    CURL *curl = curl_easy_init();
    char url[256];
    long status = 0;
    CURLcode rc;

    assert_non_null(curl);
    memset(out, 0, sizeof(*out));
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    if (method)
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    if (body)
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    rc = curl_easy_perform(curl);
    assert_int_equal(rc, CURLE_OK);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(curl);
    return status;
}

static int connect_to(int port)
{
    struct sockaddr_in a;
    struct timeval tv = { 5, 0 };
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    /* Bounded reads: a broken server fails the test instead of hanging it. */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
}

/* Reads until `count` occurrences of `needle` arrived, EOF, or the timeout. */
static size_t read_until(int fd, char *buf, size_t size, const char *needle, int count)
{
    size_t len = 0;

    for (;;) {
        ssize_t n;
        const char *p = buf;
        int seen = 0;

        buf[len] = '\0';
        while ((p = strstr(p, needle))) {
            seen++;
            p++;
        }
        if (seen >= count || len + 1 >= size)
            return len;
        n = recv(fd, buf + len, size - 1 - len, 0);
        if (n <= 0)
            return len;
        len += (size_t)n;
    }
}

static sv_faultsrv *start(const char *root, const char *scenario_json)
{
    sv_faultsrv_config cfg;
    sv_faultsrv *srv = NULL;
    char err[256] = "";

    sv_faultsrv_default_config(&cfg);
    cfg.root = root;
    cfg.scenario_json = scenario_json;
    if (sv_faultsrv_start(&cfg, &srv, err, sizeof(err)) != 0)
        fail_msg("start: %s", err);
    return srv;
}

/* ---- the server through its C API --------------------------------------- */

static void test_two_servers(void **state)
{
    tmp_root a, b;
    sv_faultsrv *sa, *sb;
    fetched f;

    make_root(&a, "a.txt", "server a\n");
    make_root(&b, "b.txt", "server b\n");
    sa = start(a.dir, NULL);
    sb = start(b.dir, "{\"rules\":[{\"match\":\"/dead\",\"status\":503}]}");
    assert_true(sv_faultsrv_port(sa) > 0);
    assert_true(sv_faultsrv_port(sb) > 0);
    assert_int_not_equal(sv_faultsrv_port(sa), sv_faultsrv_port(sb));

    assert_int_equal(fetch(sv_faultsrv_port(sa), NULL, "/a.txt", NULL, &f), 200);
    assert_string_equal(f.data, "server a\n");
    assert_int_equal(fetch(sv_faultsrv_port(sb), NULL, "/b.txt", NULL, &f), 200);
    assert_string_equal(f.data, "server b\n");
    /* Each serves its own root and has its own rules. */
    assert_int_equal(fetch(sv_faultsrv_port(sa), NULL, "/b.txt", NULL, &f), 404);
    assert_int_equal(fetch(sv_faultsrv_port(sb), NULL, "/dead", NULL, &f), 503);
    assert_int_equal(fetch(sv_faultsrv_port(sa), NULL, "/dead", NULL, &f), 404);
    assert_int_equal(sv_faultsrv_log_count(sa), 3);
    assert_int_equal(sv_faultsrv_log_count(sb), 2);

    sv_faultsrv_stop(sa);
    sv_faultsrv_stop(sb);
    remove_root(&a);
    remove_root(&b);
}

static void test_rules_log_and_check(void **state)
{
    tmp_root r;
    sv_faultsrv *srv;
    fetched f;
    char err[256], *log;
    int port;

    make_root(&r, "seg.m4s", "0123456789");
    srv = start(r.dir, "{\"expect\":[{\"path\":\"/seg.m4s\",\"status\":200},"
                       "{\"path\":\"/seg.m4s\",\"status\":503,\"rule\":\"dead\"}]}");
    port = sv_faultsrv_port(srv);
    assert_int_equal(sv_faultsrv_check(srv, err, sizeof(err)), SV_ERR_STATE);
    assert_non_null(strstr(err, "request 0: expected"));

    assert_int_equal(fetch(port, NULL, "/seg.m4s", NULL, &f), 200);
    assert_int_equal(sv_faultsrv_set_rules(srv, "[{\"name\":\"dead\",\"match\":\"*\","
                                                "\"status\":503}]", err, sizeof(err)), 0);
    assert_int_equal(fetch(port, NULL, "/seg.m4s", NULL, &f), 503);
    assert_int_equal(sv_faultsrv_check(srv, err, sizeof(err)), 0);

    /* A bad update is refused with a reason and the old rules stay. */
    assert_int_equal(sv_faultsrv_set_rules(srv, "[{\"match\":\"*\",\"rate\":0}]",
                                           err, sizeof(err)), SV_ERR_PARSE);
    assert_string_equal(err, "rules[0].rate: 0 is outside [1, 1000000000]");
    assert_int_equal(fetch(port, NULL, "/seg.m4s", NULL, &f), 503);

    log = sv_faultsrv_log(srv);
    assert_non_null(log);
    assert_non_null(strstr(log, "\"path\":\"/seg.m4s\",\"query\":null,\"range\":null,"
                                "\"status\":503,\"bytes\":24,\"rule\":\"dead\""));
    free(log);

    /* The control endpoint reaches the same state. */
    assert_int_equal(fetch(port, "POST", "/_fault/reset", "", &f), 200);
    assert_int_equal(sv_faultsrv_log_count(srv), 0);
    assert_int_equal(fetch(port, "PUT", "/_fault/rules", "{\"rules\":[]}", &f), 200);
    assert_int_equal(fetch(port, NULL, "/seg.m4s", NULL, &f), 200);
    assert_string_equal(f.data, "0123456789");

    sv_faultsrv_stop(srv);
    remove_root(&r);
}

/* Does the head [from, to) hold the header line `line`? */
static int has_line(const char *from, const char *to, const char *line)
{
    const char *p = strstr(from, line);

    return p && p < to;
}

static void test_pipelined_requests(void **state)
{
    static const char two[] = "GET /x.txt HTTP/1.1\r\nHost: a\r\n\r\n"
                              "HEAD /x.txt HTTP/1.1\r\nHost: a\r\n\r\n"
                              "GET /missing HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
    tmp_root r;
    sv_faultsrv *srv;
    char buf[4096];
    const char *head, *head_end, *last_end;
    int fd;

    make_root(&r, "x.txt", "pipelined\n");
    srv = start(r.dir, NULL);
    fd = connect_to(sv_faultsrv_port(srv));
    /* Three requests in one write: each is answered, in order. */
    assert_int_equal(send(fd, two, sizeof(two) - 1, 0), (ssize_t)(sizeof(two) - 1));
    read_until(fd, buf, sizeof(buf), "HTTP/1.1 ", 3);
    /* The last asked to close: the server must end the stream (EOF). */
    read_until(fd, buf + strlen(buf), sizeof(buf) - strlen(buf), "never", 1);
    close(fd);
    assert_non_null(strstr(buf, "HTTP/1.1 200 OK"));
    /* The GET's body, then the HEAD's answer: the same headers, no body,
     * the connection kept; then the 404, which closes it. */
    head = strstr(buf, "pipelined\nHTTP/1.1 200 OK");
    assert_non_null(head);
    head_end = strstr(head, "\r\n\r\n");
    assert_non_null(head_end);
    assert_true(has_line(head, head_end, "Content-Length: 10\r\n"));
    assert_true(has_line(head, head_end, "Accept-Ranges: bytes\r\n"));
    assert_false(has_line(head, head_end, "Connection: close\r\n"));
    assert_int_equal(strncmp(head_end + 4, "HTTP/1.1 404 Not Found\r\n", 24), 0);
    last_end = strstr(head_end + 4, "\r\n\r\n");
    assert_non_null(last_end);
    assert_true(has_line(head_end + 4, last_end, "Connection: close\r\n"));
    assert_string_equal(last_end + 4, "404 Not Found\n");
    assert_int_equal(sv_faultsrv_log_count(srv), 3);
    sv_faultsrv_stop(srv);
    remove_root(&r);
}

static void test_connection_limit(void **state)
{
    static const char req[] = "GET /x.txt HTTP/1.1\r\nHost: a\r\n\r\n";
    sv_faultsrv_config cfg;
    sv_faultsrv *srv = NULL;
    tmp_root r;
    char buf[1024];
    int a, b;

    make_root(&r, "x.txt", "x");
    sv_faultsrv_default_config(&cfg);
    cfg.root = r.dir;
    cfg.max_connections = 1;
    assert_int_equal(sv_faultsrv_start(&cfg, &srv, NULL, 0), 0);
    a = connect_to(sv_faultsrv_port(srv));
    /* A full exchange proves the first connection was accepted and is open. */
    assert_int_equal(send(a, req, sizeof(req) - 1, 0), (ssize_t)(sizeof(req) - 1));
    assert_true(read_until(a, buf, sizeof(buf), "\r\n\r\nx", 1) > 0);
    /* The second is accepted and closed at once: EOF without an answer. */
    b = connect_to(sv_faultsrv_port(srv));
    assert_int_equal(read_until(b, buf, sizeof(buf), "HTTP", 1), 0);
    close(b);
    close(a);
    sv_faultsrv_stop(srv);
    remove_root(&r);
}

static void test_loopback_only(void **state)
{
    static const char *const refused[] = { "0.0.0.0", "192.168.1.1", "::", "localhost" };
    sv_faultsrv_config cfg;
    sv_faultsrv *srv = NULL;
    char err[256];
    size_t i;

    sv_faultsrv_default_config(&cfg);
    cfg.root = "/tmp";
    for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        cfg.host = refused[i];
        assert_int_equal(sv_faultsrv_start(&cfg, &srv, err, sizeof(err)), SV_ERR_INVALID);
        assert_null(srv);
    }
    cfg.host = "127.0.0.2";
    assert_int_equal(sv_faultsrv_start(&cfg, &srv, err, sizeof(err)), 0);
    sv_faultsrv_stop(srv);
    cfg.host = "127.0.0.1";
    cfg.root = "/nonexistent-sv-root";
    assert_int_equal(sv_faultsrv_start(&cfg, &srv, err, sizeof(err)), SV_ERR_IO);
    assert_string_equal(err, "/nonexistent-sv-root: not a folder");
}

/* ---- rules, scenarios, ranges, paths ------------------------------------- */

static sv__fault_scenario *parse_ok(const char *json)
{
    sv__fault_scenario *sc = NULL;
    char err[256] = "";

    if (sv__fault_scenario_parse(json, strlen(json), "/base", 0, &sc, err, sizeof(err)) != 0)
        fail_msg("parse: %s", err);
    return sc;
}

static const char *match_name(sv__fault_rules *rules, const char *method, const char *path)
{
    sv__fault_rule *r = sv__fault_rules_match_locked(rules, method, path);
    return r ? r->name : "-";
}

static void test_rule_matching(void **state)
{
    sv__fault_scenario *sc = parse_ok(
        "{\"root\":\"media\",\"rules\":["
        "{\"name\":\"post-only\",\"match\":\"/api/*\",\"method\":\"POST\",\"status\":500},"
        "{\"name\":\"twice\",\"match\":\"/video/*.m4s\",\"times\":2,\"status\":503},"
        "{\"name\":\"video\",\"match\":\"/video/*\",\"rate\":1000},"
        "{\"match\":\"/a?c[0-9].ts\",\"delay_ms\":5}]}");

    assert_string_equal(sc->root, "/base/media");
    assert_int_equal(sc->rules->n, 4);
    /* The pattern is the name when none is given. */
    assert_string_equal(sc->rules->v[3].name, "/a?c[0-9].ts");

    assert_string_equal(match_name(sc->rules, "GET", "/api/x"), "-");
    assert_string_equal(match_name(sc->rules, "POST", "/api/x"), "post-only");
    /* First match wins; `times` used up, the next rule takes over. */
    assert_string_equal(match_name(sc->rules, "GET", "/video/hd/1.m4s"), "twice");
    assert_string_equal(match_name(sc->rules, "GET", "/video/2.m4s"), "twice");
    assert_string_equal(match_name(sc->rules, "GET", "/video/3.m4s"), "video");
    assert_string_equal(match_name(sc->rules, "GET", "/video/init.mp4"), "video");
    assert_string_equal(match_name(sc->rules, "GET", "/abc7.ts"), "/a?c[0-9].ts");
    assert_string_equal(match_name(sc->rules, "GET", "/abc77.ts"), "-");
    assert_string_equal(match_name(sc->rules, "GET", "/other"), "-");
    sv__fault_rules_reset_hits_locked(sc->rules);
    assert_string_equal(match_name(sc->rules, "GET", "/video/3.m4s"), "twice");
    sv__fault_scenario_free(sc);

    sc = parse_ok("{\"rules\":[{\"match\":\"/x\",\"stall\":{\"after\":10},"
                  "\"content_length_delta\":-5}]}");
    assert_int_equal(sc->rules->v[0].stall_after, 10);
    assert_int_equal(sc->rules->v[0].stall_ms, -1);
    assert_int_equal(sc->rules->v[0].cl_mode, SV__FAULT_CL_DELTA);
    assert_int_equal(sc->rules->v[0].cl_arg, -5);
    assert_null(sc->root);
    sv__fault_scenario_free(sc);
}

static void test_scenario_errors(void **state)
{
    static const struct { const char *json, *message; } cases[] = {
        { "", "line 1, column 0: '[' or '{' expected near end of file" },
        { "[]", "expected a JSON object with \"rules\"" },
        { "{\"rules\":{}}", "rules: expected an array" },
        { "{\"rulez\":[]}", "scenario: unknown key \"rulez\"" },
        { "{\"rules\":[],\"rules\":[]}", "line 1, column 19: duplicate object key near '\"rules\"'" },
        { "{\"rules\":[1]}", "rules[0]: expected an object" },
        { "{\"rules\":[{\"match\":\"x\"}]}", "rules[0].match: \"x\" must start with '/' or '*'" },
        { "{\"rules\":[{\"match\":\"/x\",\"status\":99}]}",
          "rules[0].status: 99 is outside [200, 599]" },
        { "{\"rules\":[{\"match\":\"/x\",\"times\":0}]}", "rules[0].times: 0 is outside" },
        { "{\"rules\":[{\"match\":\"/x\",\"body\":\"b\"}]}",
          "rules[0].body: only allowed together with \"status\"" },
        { "{\"rules\":[{\"match\":\"/x\",\"stall\":{\"ms\":5}}]}",
          "rules[0].stall: missing \"after\"" },
        { "{\"rules\":[{\"match\":\"/x\",\"stall\":{\"after\":1,\"for\":5}}]}",
          "rules[0].stall: unknown key \"for\"" },
        { "{\"rules\":[{\"match\":\"/x\",\"content_length\":1,\"content_length_delta\":1}]}",
          "exclude each other" },
        { "{\"rules\":[{\"match\":\"/x\",\"headers\":{\"Content-Length\":\"5\"}}]}",
          "\"Content-Length\" is set by the server" },
        { "{\"rules\":[{\"match\":\"/x\",\"headers\":{\"X-A\":\"a\\r\\nX-B: b\"}}]}",
          "without CR, LF or NUL" },
        { "{\"rules\":[{\"match\":\"/x\",\"method\":\"G T\"}]}", "is not a method name" },
        { "{\"expect\":[{\"status\":\"200\"}]}", "expect[0].status: expected an integer" },
        { "{\"expect\":[{\"end\":\"done\"}]}", "expect[0].end: expected one of" },
        { "{\"root\":\"\"}", "root: expected a non-empty path" },
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sv__fault_scenario *sc = NULL;
        char err[256] = "";
        int ret = sv__fault_scenario_parse(cases[i].json, strlen(cases[i].json), NULL, 0, &sc,
                                           err, sizeof(err));
        if (ret != SV_ERR_PARSE || !strstr(err, cases[i].message))
            fail_msg("case %zu (%s): ret %d, message \"%s\", expected \"%s\"", i,
                     cases[i].json, ret, err, cases[i].message);
        assert_null(sc);
    }
    {
        /* At run time a bare array is fine but the root is fixed. */
        sv__fault_scenario *sc = NULL;
        char err[256];
        assert_int_equal(sv__fault_scenario_parse("[]", 2, NULL, 1, &sc, err, sizeof(err)), 0);
        sv__fault_scenario_free(sc);
        assert_int_equal(sv__fault_scenario_parse("{\"root\":\"/\"}", 12, NULL, 1, &sc,
                                                  err, sizeof(err)), SV_ERR_PARSE);
        assert_string_equal(err, "root: cannot be changed while the server runs");
    }
}

static void test_range_parsing(void **state)
{
    static const struct {
        const char *value;
        uint64_t size;
        sv__fault_range_result result;
        uint64_t first, last;
    } cases[] = {
        { "bytes=0-9", 100, SV__FAULT_RANGE_OK, 0, 9 },
        { "bytes=90-", 100, SV__FAULT_RANGE_OK, 90, 99 },
        { "bytes=-10", 100, SV__FAULT_RANGE_OK, 90, 99 },
        { "bytes=-1000", 100, SV__FAULT_RANGE_OK, 0, 99 },
        { "bytes=50-1000", 100, SV__FAULT_RANGE_OK, 50, 99 },
        { " Bytes = 1-2 ", 100, SV__FAULT_RANGE_OK, 1, 2 },
        { "bytes=100-", 100, SV__FAULT_RANGE_UNSATISFIABLE, 0, 0 },
        { "bytes=-0", 100, SV__FAULT_RANGE_UNSATISFIABLE, 0, 0 },
        { "bytes=0-", 0, SV__FAULT_RANGE_UNSATISFIABLE, 0, 0 },
        { "bytes=5-2", 100, SV__FAULT_RANGE_NONE, 0, 0 },
        { "bytes=0-1,5-6", 100, SV__FAULT_RANGE_NONE, 0, 0 },
        { "items=0-1", 100, SV__FAULT_RANGE_NONE, 0, 0 },
        { "bytes=a-b", 100, SV__FAULT_RANGE_NONE, 0, 0 },
        { "bytes=", 100, SV__FAULT_RANGE_NONE, 0, 0 },
        { "bytes=99999999999999999999-", 100, SV__FAULT_RANGE_NONE, 0, 0 },
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint64_t first = 0, last = 0;
        sv__fault_range_result res = sv__fault_parse_range(cases[i].value, cases[i].size,
                                                           &first, &last);
        if (res != cases[i].result ||
            (res == SV__FAULT_RANGE_OK && (first != cases[i].first || last != cases[i].last)))
            fail_msg("\"%s\" of %llu: got %d %llu-%llu", cases[i].value,
                     (unsigned long long)cases[i].size, (int)res,
                     (unsigned long long)first, (unsigned long long)last);
    }
}

static void test_path_decoding(void **state)
{
    static const struct { const char *raw, *decoded; } good[] = {
        { "/a/b.m4s", "/a/b.m4s" },
        { "/a%20b", "/a b" },
        { "/%41%2F", "/A/" },
        { "//x", "//x" },
        { "/..a/b..", "/..a/b.." },
    };
    static const char *const bad[] = {
        "/../x", "/a/../../x", "/%2e%2e/x", "/%2E%2e", "/a/..%2f..%2fx", "/./x", "/a/.",
        "/%00", "/%", "/%4", "/%zz", "x", "", "/a\\b",
    };
    char out[64];
    size_t i;

    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        assert_int_equal(sv__fault_decode_path(good[i].raw, strlen(good[i].raw), out,
                                               sizeof(out)), 0);
        assert_string_equal(out, good[i].decoded);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (sv__fault_decode_path(bad[i], strlen(bad[i]), out, sizeof(out)) != SV_ERR_NOT_FOUND)
            fail_msg("\"%s\" was not refused", bad[i]);
    assert_int_equal(sv__fault_decode_path("/abcdef", 7, out, 4), SV_ERR_OVERFLOW);
    assert_string_equal(sv__fault_content_type("/v/seg.M4S"), "video/iso.segment");
    assert_string_equal(sv__fault_content_type("/v.x/noext"), "application/octet-stream");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_servers),
        cmocka_unit_test(test_rules_log_and_check),
        cmocka_unit_test(test_pipelined_requests),
        cmocka_unit_test(test_connection_limit),
        cmocka_unit_test(test_loopback_only),
        cmocka_unit_test(test_rule_matching),
        cmocka_unit_test(test_scenario_errors),
        cmocka_unit_test(test_range_parsing),
        cmocka_unit_test(test_path_decoding),
    };
    int ret;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    ret = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return ret;
}
