/*
 * Shared by the files behind svserver/svserver.h (svserver_*.c): the log
 * object and the error-text helpers.
 */
#ifndef SV_BACKEND_SVSERVER_INTERNAL_H
#define SV_BACKEND_SVSERVER_INTERNAL_H

#include <stddef.h>

#include "backend/log_guard.h"
#include "platform/log.h"
#include "svserver/svserver.h"

struct sv_server_logger {
    int json;              /* log-json: the inner callback's opaque */
    sv__log_guard guard;   /* the flood guard in front of stderr */
    sv__logger log;        /* what the internals log through */
};

/* printf into err[errlen] (nothing when err is NULL or errlen 0). */
void sv__svserver_err(char *err, size_t errlen, const char *fmt, ...) SV_PRINTF(3, 4);
/* err = "" (nothing when err is NULL or errlen 0). */
void sv__svserver_err_clear(char *err, size_t errlen);

#endif
