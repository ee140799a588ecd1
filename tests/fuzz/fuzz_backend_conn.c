/*
 * Fuzz target: svserver's real entry point. The input is the byte stream a
 * client sends on one connection: it goes through the connection layer
 * (backend/http_conn.c: reading, http-parser, the state machine, keep-alive,
 * pipelining, refusals and lingering close), the router and every API
 * handler of a real server (catalog in a temporary data folder, one worker).
 *
 * Each input is sent twice on fresh connections: in one write, and in small
 * pieces (1 to 13 bytes, from the input's length) so that every parser state
 * is also crossed at a read boundary. After the last byte the client shuts
 * its write side; the server must then answer what it can and close. A
 * connection still open after a few seconds is a stall and aborts, like a
 * crash.
 */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE
#include <errno.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend/server_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_BYTES (64 * 1024)
#define STALL_NS (5ull * 1000 * 1000 * 1000)

static sv__config cfg;
static sv__logger quiet;
static sv__server *server;
static uv_timer_t tick;
static char data_dir[64];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void discard(void *opaque, sv_log_level level, const char *module, const char *msg)
{
    (void)opaque;
    (void)level;
    (void)module;
    (void)msg;
}

static void on_tick(uv_timer_t *t)
{
    (void)t; /* only bounds the wait of uv_run(UV_RUN_ONCE) */
}

static void teardown(void)
{
    uv_close((uv_handle_t *)&tick, NULL);
    sv__server_destroy(server); /* drains and closes what is left */
    nftw(data_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void setup(void)
{
    char err[256];

    snprintf(data_dir, sizeof(data_dir), "%s", "/tmp/sv-fuzz-conn.XXXXXX");
    if (!mkdtemp(data_dir))
        abort();
    sv__config_default(&cfg);
    /* Refusals are the normal case here: log nothing, but format it all. */
    quiet.cb = discard;
    quiet.level = SV_LOG_TRACE; /* every log line is formatted, then dropped */
    if (sv__config_set(&cfg, "data", data_dir, err, sizeof(err)) < 0 ||
        sv__config_set(&cfg, "listen", "127.0.0.1:0", err, sizeof(err)) < 0 ||
        sv__config_set(&cfg, "workers", "1", err, sizeof(err)) < 0 ||
        sv__config_set(&cfg, "max-upload-mb", "1", err, sizeof(err)) < 0 ||
        sv__config_set(&cfg, "token-secret", "fuzz-secret-0123456789", err, sizeof(err)) < 0) {
        fprintf(stderr, "fuzz_backend_conn: %s\n", err);
        abort();
    }
    /* Stdout carries "listening on": keep the fuzzer's output readable. */
    if (!freopen("/dev/null", "w", stdout) || sv__server_create(&cfg, &quiet, &server) < 0)
        abort();
    uv_timer_init(&server->loop, &tick);
    atexit(teardown);
}

/* Sends `data` in pieces of `chunk` bytes on a fresh connection, reading the
 * answers, until the server closes it. */
static void run_connection(const uint8_t *data, size_t size, size_t chunk)
{
    char sink[65536];
    size_t off = 0;
    int sv[2], shut = 0, closed = 0;
    uint64_t start = uv_hrtime();

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
        abort();
    sv__http_server_adopt(server->http, sv[0]);
    uv_timer_start(&tick, on_tick, 5, 5);
    while (!closed) {
        if (off < size) {
            size_t n = size - off < chunk ? size - off : chunk;
            ssize_t w = send(sv[1], data + off, n, MSG_NOSIGNAL | MSG_DONTWAIT);

            if (w > 0)
                off += (size_t)w;
            else if (w < 0 && errno != EAGAIN && errno != EINTR)
                off = size; /* the server hung up: stop sending */
        }
        if (off == size && !shut) {
            shutdown(sv[1], SHUT_WR);
            shut = 1;
        }
        uv_run(&server->loop, UV_RUN_ONCE);
        for (;;) {
            ssize_t r = recv(sv[1], sink, sizeof(sink), MSG_DONTWAIT);

            if (r > 0)
                continue;
            if (r == 0 || (errno != EAGAIN && errno != EINTR))
                closed = 1;
            break;
        }
        if (!closed && uv_hrtime() - start > STALL_NS) {
            fprintf(stderr, "fuzz_backend_conn: the connection stalled (%zu of %zu bytes sent)\n",
                    off, size);
            abort();
        }
    }
    uv_timer_stop(&tick);
    close(sv[1]);
    /* Let the server finish closing its side. */
    uv_run(&server->loop, UV_RUN_NOWAIT);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!server)
        setup();
    if (size > MAX_BYTES)
        size = MAX_BYTES;
    run_connection(data, size, size ? size : 1);
    run_connection(data, size, 1 + size % 13);
    return 0;
}
