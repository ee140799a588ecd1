/*
 * Threads, mutexes and condition variables: a thin layer over the OS so the
 * rest of Streamverse never includes <pthread.h> (a Windows port replaces
 * thread_posix.c only).
 *
 * Errors: functions returning int give 0 or a negative SV_ERR_* code.
 * Mutex and condition operations that cannot fail on a correct program
 * (lock, unlock, signal) abort with a message if the OS reports an error,
 * because continuing would corrupt shared state.
 */
#ifndef SV_PLATFORM_THREAD_H
#define SV_PLATFORM_THREAD_H

#include <pthread.h>
#include <stdint.h>

typedef struct sv__thread { pthread_t handle; } sv__thread;
typedef struct sv__mutex { pthread_mutex_t m; } sv__mutex;
/* Condition variable whose timed waits measure CLOCK_MONOTONIC. */
typedef struct sv__cond { pthread_cond_t c; } sv__cond;

/* Starts `fn(arg)` on a new thread named `name` (truncated to 15 chars for
 * debuggers). Returns 0 or SV_ERR_INTERNAL. */
int sv__thread_create(sv__thread *t, const char *name, void *(*fn)(void *), void *arg);
/* Waits for the thread to finish. */
void sv__thread_join(sv__thread *t);

int sv__mutex_init(sv__mutex *m);
void sv__mutex_destroy(sv__mutex *m);
void sv__mutex_lock(sv__mutex *m);
void sv__mutex_unlock(sv__mutex *m);

int sv__cond_init(sv__cond *c);
void sv__cond_destroy(sv__cond *c);
void sv__cond_signal(sv__cond *c);
void sv__cond_broadcast(sv__cond *c);
void sv__cond_wait(sv__cond *c, sv__mutex *m);
/* Waits until signalled or until the monotonic time reaches deadline_ns
 * (sv__monotonic_ns() scale). Returns 0 when signalled (or spuriously woken),
 * SV_ERR_TIMEOUT when the deadline passed. */
int sv__cond_timedwait(sv__cond *c, sv__mutex *m, int64_t deadline_ns);

/* The OS monotonic clock, nanoseconds. */
int64_t sv__monotonic_ns(void);
/* The OS wall clock: UTC nanoseconds since 1970 (live manifests'
 * availability times). Only as wide as the OS's time_t: a 32-bit time_t
 * (Debian armhf) ends in 2038, see docs/porting.md. */
int64_t sv__realtime_ns(void);

/* Sleeps for at least ns nanoseconds of real time. For tests and pacing
 * loops outside the player: product code waits on clocks and event loops. */
void sv__sleep_ns(int64_t ns);

#endif
