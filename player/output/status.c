/*
 * status.c - the way up from the stages below the core (status.h): the
 * notify callbacks with formatted messages, and the timeline of epochs that
 * the demux threads set and the subtitles read.
 *
 * Any thread.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "player/output/status.h"

void sv__env_error(const sv__env *env, int code, int fatal, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    env->notify.error(env->notify.opaque, code, fatal, msg);
}

void sv__env_changed(const sv__env *env)
{
    env->notify.changed(env->notify.opaque);
}

void sv__env_event(const sv__env *env, const sv_event *ev, const char *t0, const char *t1,
                   const char *t2)
{
    env->notify.event(env->notify.opaque, ev, t0, t1, t2);
}

double sv__timeline_offset(sv__status *st, int64_t disc, double candidate, int authoritative)
{
    double off = candidate;
    sv__mutex_lock(&st->lock);
    int i;
    for (i = 0; i < st->nb_epochs; i++)
        if (st->epochs[i].disc == disc)
            break;
    if (i < st->nb_epochs && (st->epochs[i].authoritative || !authoritative)) {
        off = st->epochs[i].offset;
    } else if (i < st->nb_epochs) {
        /* Video's first packet starts the segment exactly; audio's may
         * carry encoder priming before it, so video's mapping wins. */
        st->epochs[i] = (sv__epoch){ disc, candidate, 1 };
    } else {
        if (st->nb_epochs == (int)(sizeof(st->epochs) / sizeof(st->epochs[0]))) {
            memmove(st->epochs, st->epochs + 1, sizeof(st->epochs) - sizeof(st->epochs[0]));
            st->nb_epochs--;
        }
        st->epochs[st->nb_epochs++] = (sv__epoch){ disc, candidate, authoritative };
    }
    sv__mutex_unlock(&st->lock);
    return off;
}

int sv__timeline_offset_get(sv__status *st, int64_t disc, double *offset)
{
    int ret = SV_ERR_NOT_FOUND;
    sv__mutex_lock(&st->lock);
    for (int i = 0; i < st->nb_epochs; i++) {
        if (st->epochs[i].disc == disc) {
            *offset = st->epochs[i].offset;
            ret = 0;
            break;
        }
    }
    sv__mutex_unlock(&st->lock);
    return ret;
}
