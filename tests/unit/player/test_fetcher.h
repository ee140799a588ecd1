/*
 * test_fetcher.h - what the fetcher tests share across their files: the
 * environment set up once per run (a served folder, two fault servers, a
 * clock, a transport and a loop) and small helpers.
 */
#ifndef SV_TEST_FETCHER_H
#define SV_TEST_FETCHER_H

#include <stdint.h>

#include "faultsrv.h"
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

void test_transport_file_urls(void **state);

#endif
