/*
 * POSIX implementation of platform/thread.h.
 */
#define _GNU_SOURCE /* pthread_setname_np */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "streamverse/common.h"
#include "thread.h"

/* A failed lock/unlock/signal means memory corruption or a double destroy;
 * carrying on would hide it, so stop loudly at the point of failure. */
static void check(int err, const char *what)
{
    if (err) {
        fprintf(stderr, "streamverse: %s failed: %s\n", what, strerror(err));
        abort();
    }
}

int sv__thread_create(sv__thread *t, const char *name, void *(*fn)(void *), void *arg)
{
    if (pthread_create(&t->handle, NULL, fn, arg) != 0)
        return SV_ERR_INTERNAL;
    if (name) {
        char short_name[16];
        snprintf(short_name, sizeof(short_name), "%s", name);
        pthread_setname_np(t->handle, short_name); /* best effort: only for debuggers */
    }
    return 0;
}

void sv__thread_join(sv__thread *t)
{
    check(pthread_join(t->handle, NULL), "pthread_join");
}

int sv__mutex_init(sv__mutex *m)
{
    return pthread_mutex_init(&m->m, NULL) ? SV_ERR_INTERNAL : 0;
}

void sv__mutex_destroy(sv__mutex *m)
{
    check(pthread_mutex_destroy(&m->m), "pthread_mutex_destroy");
}

void sv__mutex_lock(sv__mutex *m)
{
    check(pthread_mutex_lock(&m->m), "pthread_mutex_lock");
}

void sv__mutex_unlock(sv__mutex *m)
{
    check(pthread_mutex_unlock(&m->m), "pthread_mutex_unlock");
}

int sv__cond_init(sv__cond *c)
{
    pthread_condattr_t attr;
    int ret = SV_ERR_INTERNAL;

    if (pthread_condattr_init(&attr))
        return SV_ERR_INTERNAL;
    /* Timed waits must not jump when the wall clock is set. */
    if (pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 &&
        pthread_cond_init(&c->c, &attr) == 0)
        ret = 0;
    pthread_condattr_destroy(&attr);
    return ret;
}

void sv__cond_destroy(sv__cond *c)
{
    check(pthread_cond_destroy(&c->c), "pthread_cond_destroy");
}

void sv__cond_signal(sv__cond *c)
{
    check(pthread_cond_signal(&c->c), "pthread_cond_signal");
}

void sv__cond_broadcast(sv__cond *c)
{
    check(pthread_cond_broadcast(&c->c), "pthread_cond_broadcast");
}

void sv__cond_wait(sv__cond *c, sv__mutex *m)
{
    check(pthread_cond_wait(&c->c, &m->m), "pthread_cond_wait");
}

int sv__cond_timedwait(sv__cond *c, sv__mutex *m, int64_t deadline_ns)
{
    struct timespec ts;
    int err;

    if (deadline_ns < 0)
        deadline_ns = 0;
    ts.tv_sec = (time_t)(deadline_ns / 1000000000);
    ts.tv_nsec = (long)(deadline_ns % 1000000000);
    err = pthread_cond_timedwait(&c->c, &m->m, &ts);
    if (err == ETIMEDOUT)
        return SV_ERR_TIMEOUT;
    check(err, "pthread_cond_timedwait");
    return 0;
}

int64_t sv__monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t sv__realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void sv__sleep_ns(int64_t ns)
{
    struct timespec ts = { (time_t)(ns / 1000000000), (long)(ns % 1000000000) };
    while (ns > 0 && nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}
