/*
 * Streamed answers of the HTTP layer (backend/http.h, http_stream.c), on a
 * real server on 127.0.0.1 whose loop runs on its own thread, against a
 * plain socket client: a body written in pieces keeps the connection; a
 * short body or a clean close ends it with what was written; a reset is a
 * reset; a client leaving during a stall, or before the head, is reported;
 * a large body goes out as the socket drains; pipelined requests wait
 * their turn; a body of unknown length goes out in chunks (HTTP/1.1, the
 * connection kept) or until the close (HTTP/1.0).
 */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>
#include <uv.h>

#include "backend/http.h"
#include "streamverse/common.h"

#define BIG (16u << 20)

/* The application: state touched on the loop thread, read by the test
 * under `lock`. */
typedef struct app {
    uv_loop_t loop;
    uv_thread_t thread;
    uv_async_t stop;
    uv_timer_t timer;
    sv__http_server *srv;
    sv__logger log;
    uv_mutex_t lock;
    sv__http_req *pending;       /* the /whole request waiting for its timer */
    uint64_t big_sent;
    int drains;                  /* on_drained calls of /big */
    int gone;                    /* on_gone calls */
    char watch[16];              /* the path whose on_done the test waits for */
    int done;                    /* on_done calls for it */
    int last_completed;
    uint64_t last_written, last_conn;
} app;

static app A;

static void on_drained(void *opaque, sv__http_req *req);
static void on_gone(void *opaque, sv__http_req *req);
static const sv__http_stream_cb cb = { on_drained, on_gone };

static void on_gone(void *opaque, sv__http_req *req)
{
    (void)opaque;
    (void)req;
    uv_mutex_lock(&A.lock);
    A.gone++;
    uv_mutex_unlock(&A.lock);
}

/* /big: 64 KiB pieces while the socket takes them, then from on_drained. */
static void big_more(sv__http_req *req)
{
    static char piece[65536];
    int r = 1;

    while (r == 1 && A.big_sent < BIG) {
        memset(piece, 'a' + (int)(A.big_sent / sizeof(piece) % 26), sizeof(piece));
        A.big_sent += sizeof(piece);
        r = sv__http_stream_write(req, piece, sizeof(piece));
    }
    if (r == 1 && A.big_sent == BIG)
        sv__http_stream_end(req, SV__HTTP_STREAM_DONE);
}

static void on_drained(void *opaque, sv__http_req *req)
{
    if (opaque == &A.big_sent) {
        uv_mutex_lock(&A.lock);
        A.drains++;
        uv_mutex_unlock(&A.lock);
        if (A.big_sent == BIG)
            sv__http_stream_end(req, SV__HTTP_STREAM_DONE);
        else
            big_more(req);
    }
}

static void on_timer(uv_timer_t *t)
{
    sv__http_req *req = A.pending;

    (void)t;
    A.pending = NULL;
    assert_int_equal(sv__http_stream_write(req, "56789", 5), 1);
    sv__http_stream_end(req, SV__HTTP_STREAM_DONE);
}

static int on_headers(void *opaque, sv__http_req *req)
{
    (void)opaque;
    (void)req;
    return 0;
}

static void on_request(void *opaque, sv__http_req *req)
{
    const char *t = req->target;

    (void)opaque;
    if (!strcmp(t, "/plain")) {
        sv__http_send(req, 200, "text/plain", "plain", 5);
        return;
    }
    sv__http_stream_open(req, &cb, strcmp(t, "/big") ? NULL : &A.big_sent);
    if (!strcmp(t, "/wait"))
        return; /* no head: the client gives up first */
    if (!strcmp(t, "/chunked")) {
        /* Half now, half from a timer, the length unknown. */
        assert_int_equal(sv__http_stream_head(req, 200, "text/plain", SV__HTTP_CHUNKED), 1);
        assert_int_equal(sv__http_stream_write(req, "0123", 4), 1);
        A.pending = req;
        uv_timer_start(&A.timer, on_timer, 30, 0);
        return;
    }
    assert_int_equal(sv__http_stream_head(req, 200, "text/plain",
                                          !strcmp(t, "/big") ? BIG : 10), 1);
    if (!strcmp(t, "/whole")) {
        /* Half now, half from a timer. */
        assert_int_equal(sv__http_stream_write(req, "01234", 5), 1);
        A.pending = req;
        uv_timer_start(&A.timer, on_timer, 30, 0);
    } else if (!strcmp(t, "/big")) {
        A.big_sent = 0;
        big_more(req);
    } else if (!strcmp(t, "/stall")) {
        assert_int_equal(sv__http_stream_write(req, "01", 2), 1);
    } else {
        assert_int_equal(sv__http_stream_write(req, "0123", 4), 1);
        sv__http_stream_end(req, !strcmp(t, "/short") ? SV__HTTP_STREAM_DONE
                                 : !strcmp(t, "/cut") ? SV__HTTP_STREAM_CLOSE
                                                      : SV__HTTP_STREAM_RESET);
    }
}

static void on_done(void *opaque, const sv__http_req *req)
{
    (void)opaque;
    uv_mutex_lock(&A.lock);
    if (strcmp(req->target, A.watch) != 0) {
        uv_mutex_unlock(&A.lock);
        return;
    }
    A.done++;
    A.last_completed = req->completed;
    A.last_written = req->bytes_written;
    A.last_conn = req->conn_id;
    uv_mutex_unlock(&A.lock);
}

static void on_drained_srv(void *opaque)
{
    (void)opaque;
    sv__http_server_destroy(A.srv);
    uv_close((uv_handle_t *)&A.stop, NULL);
    uv_close((uv_handle_t *)&A.timer, NULL);
}

static void on_stop(uv_async_t *a)
{
    (void)a;
    sv__http_server_drain(A.srv);
}

static void loop_thread(void *arg)
{
    (void)arg;
    uv_run(&A.loop, UV_RUN_DEFAULT);
}

static int setup(void **state)
{
    sv__http_callbacks c = { on_headers, on_request, on_done, on_drained_srv, NULL };
    sv__http_limits l;

    (void)state;
    memset(&A, 0, sizeof(A));
    uv_loop_init(&A.loop);
    uv_mutex_init(&A.lock);
    uv_async_init(&A.loop, &A.stop, on_stop);
    uv_timer_init(&A.loop, &A.timer);
    sv__logger_init(&A.log, NULL, NULL, SV_LOG_ERROR);
    sv__http_limits_default(&l);
    l.drain_timeout_ms = 100;
    if (sv__http_server_create(&A.loop, "127.0.0.1", 0, &l, &c, &A.log, &A.srv) < 0)
        return -1;
    return uv_thread_create(&A.thread, loop_thread, NULL);
}

static int teardown(void **state)
{
    (void)state;
    uv_async_send(&A.stop);
    uv_thread_join(&A.thread);
    uv_loop_close(&A.loop);
    uv_mutex_destroy(&A.lock);
    return 0;
}

static int client(void)
{
    struct sockaddr_in sa;
    struct timeval tv = { 5, 0 };
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)sv__http_server_port(A.srv));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
}

/* From now on, on_done of `path` counts; returns the count so far. */
static int watch(const char *path)
{
    int n;

    uv_mutex_lock(&A.lock);
    snprintf(A.watch, sizeof(A.watch), "%s", path);
    n = A.done = 0;
    uv_mutex_unlock(&A.lock);
    return n;
}

static void ask(int fd, const char *path)
{
    char req[128];
    int n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: t\r\n\r\n", path);

    assert_int_equal(send(fd, req, (size_t)n, MSG_NOSIGNAL), n);
}

/* Reads until `len` bytes are in or the peer ends (EOF: *end 0; reset:
 * *end ECONNRESET). Returns the bytes read. */
static size_t read_some(int fd, char *buf, size_t len, int *end)
{
    size_t got = 0;

    *end = -1;
    while (got < len) {
        ssize_t n = recv(fd, buf + got, len - got, 0);

        if (n > 0) {
            got += (size_t)n;
            continue;
        }
        *end = n == 0 ? 0 : errno;
        break;
    }
    return got;
}

/* Reads one answer head; returns the bytes after it that came along. */
static size_t read_head(int fd, char *buf, size_t cap, size_t *head_len)
{
    size_t got = 0;
    char *e;

    for (;;) {
        ssize_t n = recv(fd, buf + got, cap - got - 1, 0);

        assert_true(n > 0);
        got += (size_t)n;
        buf[got] = '\0';
        if ((e = strstr(buf, "\r\n\r\n"))) {
            *head_len = (size_t)(e + 4 - buf);
            return got - *head_len;
        }
    }
}

static uint64_t last_written(void)
{
    uint64_t v;

    uv_mutex_lock(&A.lock);
    v = A.last_written;
    uv_mutex_unlock(&A.lock);
    return v;
}

static int counter(const int *field)
{
    int v;

    uv_mutex_lock(&A.lock);
    v = *field;
    uv_mutex_unlock(&A.lock);
    return v;
}

/* Waits up to 2 s for *field to reach `want`. */
static void wait_for(const int *field, int want)
{
    for (int i = 0; i < 200 && counter(field) < want; i++)
        usleep(10000);
    assert_int_equal(counter(field), want);
}

static void pieces_keep_the_connection(void **state)
{
    char buf[4096];
    size_t head, extra;
    int fd = client(), end, done0 = watch("/whole");

    (void)state;
    for (int round = 0; round < 2; round++) {
        ask(fd, "/whole");
        extra = read_head(fd, buf, sizeof(buf), &head);
        assert_non_null(strstr(buf, "HTTP/1.1 200 OK\r\n"));
        assert_non_null(strstr(buf, "Content-Length: 10\r\n"));
        assert_null(strstr(buf, "Connection: close"));
        memmove(buf, buf + head, extra);
        extra += read_some(fd, buf + extra, 10 - extra, &end);
        assert_int_equal(extra, 10);
        assert_memory_equal(buf, "0123456789", 10);
        wait_for(&A.done, done0 + round + 1);
        assert_int_equal(counter(&A.last_completed), 1);
        assert_int_equal(last_written(), 10);
    }
    /* The same connection served a plain answer after the streamed ones. */
    ask(fd, "/plain");
    extra = read_head(fd, buf, sizeof(buf), &head);
    assert_string_equal(buf + head, "plain");
    close(fd);
}

static void chunked_bodies(void **state)
{
    static const char want[] = "4\r\n0123\r\n5\r\n56789\r\n0\r\n\r\n";
    static const char old[] = "GET /chunked HTTP/1.0\r\nHost: t\r\n\r\n";
    char buf[4096];
    size_t head, extra;
    int fd = client(), end, done0 = watch("/chunked");

    (void)state;
    ask(fd, "/chunked");
    extra = read_head(fd, buf, sizeof(buf), &head);
    assert_non_null(strstr(buf, "Transfer-Encoding: chunked\r\n"));
    assert_null(strstr(buf, "\r\nContent-Length:"));
    assert_null(strstr(buf, "Connection: close"));
    memmove(buf, buf + head, extra);
    extra += read_some(fd, buf + extra, sizeof(want) - 1 - extra, &end);
    assert_int_equal(extra, sizeof(want) - 1);
    assert_memory_equal(buf, want, sizeof(want) - 1);
    wait_for(&A.done, done0 + 1);
    assert_int_equal(counter(&A.last_completed), 1);
    /* What the socket took: the chunks with their framing. */
    assert_int_equal(last_written(), sizeof(want) - 1);
    /* The connection goes on after the last chunk. */
    ask(fd, "/plain");
    extra = read_head(fd, buf, sizeof(buf), &head);
    assert_string_equal(buf + head, "plain");
    close(fd);

    /* HTTP/1.0 has no chunks: the body is raw and ends with the close. */
    fd = client();
    assert_int_equal(send(fd, old, sizeof(old) - 1, MSG_NOSIGNAL), (ssize_t)(sizeof(old) - 1));
    extra = read_head(fd, buf, sizeof(buf), &head);
    assert_null(strstr(buf, "Transfer-Encoding"));
    assert_null(strstr(buf, "\r\nContent-Length:"));
    assert_non_null(strstr(buf, "Connection: close\r\n"));
    memmove(buf, buf + head, extra);
    extra += read_some(fd, buf + extra, sizeof(buf) - extra, &end);
    assert_int_equal(end, 0);
    assert_int_equal(extra, 9);
    assert_memory_equal(buf, "012356789", 9);
    close(fd);
}

static void pipelined_requests_wait_their_turn(void **state)
{
    static const char two[] = "GET /whole HTTP/1.1\r\nHost: t\r\n\r\n"
                              "GET /plain HTTP/1.1\r\nHost: t\r\n\r\n";
    char buf[8192];
    int fd = client();
    size_t got = 0;

    (void)state;
    assert_int_equal(send(fd, two, sizeof(two) - 1, 0), (ssize_t)(sizeof(two) - 1));
    buf[0] = '\0';
    while (!strstr(buf, "\r\n\r\nplain")) {
        ssize_t n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);

        assert_true(n > 0);
        got += (size_t)n;
        buf[got] = '\0';
    }
    assert_non_null(strstr(buf, "\r\n\r\n0123456789HTTP/1.1 200 OK\r\n"));
    assert_non_null(strstr(buf, "\r\n\r\nplain"));
    close(fd);
}

/* Ends before the promised length: the client gets the bytes, then EOF
 * (DONE with a short body and CLOSE alike) or a reset. */
static void early_ends(void **state)
{
    static const struct { const char *path; int end; } cases[] = {
        { "/short", 0 }, { "/cut", 0 }, { "/reset", ECONNRESET },
    };
    char buf[4096];
    size_t head, extra;
    int end;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int fd = client(), done0 = watch(cases[i].path);

        ask(fd, cases[i].path);
        extra = read_head(fd, buf, sizeof(buf), &head);
        assert_non_null(strstr(buf, "Content-Length: 10\r\n"));
        memmove(buf, buf + head, extra);
        if (cases[i].end == 0) {
            extra += read_some(fd, buf + extra, sizeof(buf) - extra, &end);
            assert_int_equal(end, 0);
            assert_int_equal(extra, 4);
            assert_memory_equal(buf, "0123", 4);
        } else {
            read_some(fd, buf + extra, sizeof(buf) - extra, &end);
            assert_int_equal(end, cases[i].end);
        }
        wait_for(&A.done, done0 + 1);
        assert_int_equal(counter(&A.last_completed), cases[i].end == 0);
        close(fd);
    }
}

static void a_client_leaving_is_reported(void **state)
{
    char buf[4096];
    size_t head;
    int fd, gone0 = counter(&A.gone);

    (void)state;
    /* During a stall, after two body bytes. */
    fd = client();
    ask(fd, "/stall");
    read_head(fd, buf, sizeof(buf), &head);
    close(fd);
    wait_for(&A.gone, gone0 + 1);
    /* Before the head was written. */
    fd = client();
    ask(fd, "/wait");
    usleep(50000);
    shutdown(fd, SHUT_WR); /* a half-close counts as gone */
    wait_for(&A.gone, gone0 + 2);
    close(fd);
}

static void large_bodies_follow_the_socket(void **state)
{
    char *buf = malloc(BIG + 4096);
    size_t head, got;
    int fd = client(), end, done0 = watch("/big");

    (void)state;
    assert_non_null(buf);
    ask(fd, "/big");
    usleep(100000); /* let the socket fill: the rest goes from on_drained */
    got = read_head(fd, buf, 4096, &head);
    memmove(buf, buf + head, got);
    got += read_some(fd, buf + got, BIG - got, &end);
    assert_int_equal(got, BIG);
    for (size_t off = 0; off < BIG; off += 65536)
        assert_int_equal(buf[off], 'a' + (int)(off / 65536 % 26));
    wait_for(&A.done, done0 + 1);
    assert_int_equal(last_written(), BIG);
    assert_int_equal(counter(&A.last_completed), 1);
    /* The socket was full at least once: the rest went from on_drained. */
    assert_true(counter(&A.drains) > 0);
    free(buf);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pieces_keep_the_connection),
        cmocka_unit_test(pipelined_requests_wait_their_turn),
        cmocka_unit_test(chunked_bodies),
        cmocka_unit_test(early_ends),
        cmocka_unit_test(a_client_leaving_is_reported),
        cmocka_unit_test(large_bodies_follow_the_socket),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
