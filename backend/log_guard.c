/*
 * log_guard.c - the log-flood guard (log_guard.h).
 */
#include <stdio.h>

#include "backend/log_guard.h"

static uint64_t now_ns(const sv__log_guard *g)
{
    return (uint64_t)(g->clock ? g->clock->now_ns(g->clock->opaque) : sv__monotonic_ns());
}

void sv__log_guard_init(sv__log_guard *g, sv_log_fn inner, void *inner_opaque,
                        double lines_per_s)
{
    g->inner = inner;
    g->inner_opaque = inner_opaque;
    g->clock = NULL;
    sv__mutex_init(&g->lock);
    g->lines_per_s = lines_per_s > 0 ? lines_per_s : 0;
    g->tokens = g->lines_per_s;
    g->last_ns = now_ns(g);
    g->suppressed = 0;
}

void sv__log_guard_set_clock(sv__log_guard *g, sv_clock *clock)
{
    sv__mutex_lock(&g->lock);
    g->clock = clock;
    g->last_ns = now_ns(g);
    sv__mutex_unlock(&g->lock);
}

void sv__log_guard_set_rate(sv__log_guard *g, double lines_per_s)
{
    sv__mutex_lock(&g->lock);
    g->lines_per_s = lines_per_s > 0 ? lines_per_s : 0;
    if (g->tokens > g->lines_per_s)
        g->tokens = g->lines_per_s;
    sv__mutex_unlock(&g->lock);
}

static void report(sv__log_guard *g, uint64_t dropped)
{
    char line[128];

    snprintf(line, sizeof(line), "%llu log lines suppressed (more than %.0f a second)",
             (unsigned long long)dropped, g->lines_per_s);
    g->inner(g->inner_opaque, SV_LOG_WARN, "log", line);
}

void sv__log_guard_fini(sv__log_guard *g)
{
    if (g->suppressed)
        report(g, g->suppressed);
    sv__mutex_destroy(&g->lock);
}

void sv__log_guard_cb(void *guard, sv_log_level level, const char *module, const char *msg)
{
    sv__log_guard *g = guard;
    uint64_t t, dropped = 0;
    int pass = 1;

    if (level >= SV_LOG_DEBUG || g->lines_per_s <= 0) {
        g->inner(g->inner_opaque, level, module, msg);
        return;
    }
    sv__mutex_lock(&g->lock);
    t = now_ns(g);
    if (t > g->last_ns) {
        g->tokens += (double)(t - g->last_ns) / 1e9 * g->lines_per_s;
        if (g->tokens > g->lines_per_s)
            g->tokens = g->lines_per_s;
        g->last_ns = t;
    }
    if (g->tokens >= 1) {
        g->tokens -= 1;
        dropped = g->suppressed;
        g->suppressed = 0;
    } else {
        g->suppressed++;
        pass = 0;
    }
    sv__mutex_unlock(&g->lock);
    if (dropped)
        report(g, dropped);
    if (pass)
        g->inner(g->inner_opaque, level, module, msg);
}
