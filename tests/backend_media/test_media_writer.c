/*
 * The media pipeline's background file writer (backend/media/writer.c):
 * files come out with the submitted bytes, in submission order, from
 * several submitting threads at once; a write that fails is reported by the
 * flush and by every later submit, with the path in the reason; a writer
 * destroyed with files still queued stops cleanly.
 *
 * Files go to a fresh folder under the test's working directory (the build
 * tree), removed at the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "backend/media/internal.h"
#include "platform/thread.h"
#include "streamverse/common.h"

#define THREADS 4
#define FILES_PER_THREAD 16

static char dir[64];

static int make_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "writer-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Reads a whole file; returns its size or -1. */
static long read_all(const char *path, uint8_t *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, cap, f);
    int more = fgetc(f) != EOF;
    fclose(f);
    return more ? -1 : (long)n;
}

/* File k of thread t holds (t * 131 + k + i) & 0xff at byte i, and is
 * 1000 * k + t + 1 bytes long. */
static void fill(uint8_t *buf, size_t n, int t, int k)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t)((size_t)(t * 131 + k) + i);
}

static void test_bytes_and_order(void **state)
{
    (void)state;
    sv__writer *w = NULL;
    char err[256] = "", path[128];
    static uint8_t a[70000], b[5], got[70001];
    fill(a, sizeof(a), 7, 3);
    memcpy(b, "later", 5);
    assert_int_equal(sv__writer_start(&w, err, sizeof(err)), 0);
    snprintf(path, sizeof(path), "%s/one.bin", dir);
    assert_int_equal(sv__writer_submit(w, path, a, sizeof(a), err, sizeof(err)), 0);
    /* The caller's buffer is copied: changing it now changes nothing. */
    memset(a, 0, sizeof(a));
    /* The same name again: written after the first, so its bytes win. */
    snprintf(path, sizeof(path), "%s/twice.bin", dir);
    assert_int_equal(sv__writer_submit(w, path, got, 100, err, sizeof(err)), 0);
    assert_int_equal(sv__writer_submit(w, path, b, sizeof(b), err, sizeof(err)), 0);
    assert_int_equal(sv__writer_flush(w, err, sizeof(err)), 0);

    snprintf(path, sizeof(path), "%s/one.bin", dir);
    assert_int_equal(read_all(path, got, sizeof(got)), 70000);
    fill(a, sizeof(a), 7, 3);
    assert_memory_equal(got, a, sizeof(a));
    snprintf(path, sizeof(path), "%s/twice.bin", dir);
    assert_int_equal(read_all(path, got, sizeof(got)), 5);
    assert_memory_equal(got, "later", 5);
    sv__writer_destroy(w);
}

typedef struct submitter {
    sv__writer *w;
    int index;
    int rc;
} submitter;

static void *submit_many(void *arg)
{
    submitter *s = arg;
    static __thread uint8_t buf[1000 * FILES_PER_THREAD + THREADS + 1];
    char path[128], err[256];
    for (int k = 0; k < FILES_PER_THREAD && s->rc == 0; k++) {
        size_t n = (size_t)(1000 * k + s->index + 1);
        fill(buf, n, s->index, k);
        snprintf(path, sizeof(path), "%s/t%d-%d.bin", dir, s->index, k);
        s->rc = sv__writer_submit(s->w, path, buf, n, err, sizeof(err));
    }
    return NULL;
}

static void test_threads_submit_at_once(void **state)
{
    (void)state;
    sv__writer *w = NULL;
    char err[256] = "", path[128];
    sv__thread th[THREADS];
    submitter s[THREADS];
    static uint8_t want[1000 * FILES_PER_THREAD + THREADS + 1], got[sizeof(want)];
    assert_int_equal(sv__writer_start(&w, err, sizeof(err)), 0);
    for (int t = 0; t < THREADS; t++) {
        s[t] = (submitter){ w, t, 0 };
        assert_int_equal(sv__thread_create(&th[t], "test-submit", submit_many, &s[t]), 0);
    }
    for (int t = 0; t < THREADS; t++) {
        sv__thread_join(&th[t]);
        assert_int_equal(s[t].rc, 0);
    }
    assert_int_equal(sv__writer_flush(w, err, sizeof(err)), 0);
    for (int t = 0; t < THREADS; t++) {
        for (int k = 0; k < FILES_PER_THREAD; k++) {
            size_t n = (size_t)(1000 * k + t + 1);
            snprintf(path, sizeof(path), "%s/t%d-%d.bin", dir, t, k);
            assert_int_equal(read_all(path, got, sizeof(got)), (long)n);
            fill(want, n, t, k);
            assert_memory_equal(got, want, n);
        }
    }
    sv__writer_destroy(w);
}

static void test_failure_is_sticky(void **state)
{
    (void)state;
    sv__writer *w = NULL;
    char err[256] = "", path[128];
    assert_int_equal(sv__writer_start(&w, err, sizeof(err)), 0);
    snprintf(path, sizeof(path), "%s/no-such-folder/seg-1.m4s", dir);
    /* The submit itself succeeds: the disk is not touched on this thread. */
    assert_int_equal(sv__writer_submit(w, path, "x", 1, err, sizeof(err)), 0);
    assert_int_equal(sv__writer_flush(w, err, sizeof(err)), SV_ERR_IO);
    assert_non_null(strstr(err, "no-such-folder/seg-1.m4s"));
    /* Nothing more is accepted, and the reason stays the first one. */
    err[0] = '\0';
    snprintf(path, sizeof(path), "%s/fine.bin", dir);
    assert_int_equal(sv__writer_submit(w, path, "y", 1, err, sizeof(err)), SV_ERR_IO);
    assert_non_null(strstr(err, "no-such-folder/seg-1.m4s"));
    assert_int_equal(access(path, F_OK), -1);
    sv__writer_destroy(w);
}

static void test_destroy_with_files_queued(void **state)
{
    (void)state;
    sv__writer *w = NULL;
    char err[256] = "", path[128];
    static uint8_t big[1 << 20];
    assert_int_equal(sv__writer_start(&w, err, sizeof(err)), 0);
    for (int k = 0; k < 16; k++) {
        snprintf(path, sizeof(path), "%s/dropped-%d.bin", dir, k);
        assert_int_equal(sv__writer_submit(w, path, big, sizeof(big), err, sizeof(err)), 0);
    }
    sv__writer_destroy(w);   /* no flush: a failed ingest; must not hang or leak */
    sv__writer_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bytes_and_order),
        cmocka_unit_test(test_threads_submit_at_once),
        cmocka_unit_test(test_failure_is_sticky),
        cmocka_unit_test(test_destroy_with_files_queued),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
