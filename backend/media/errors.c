/*
 * errors.c - the media pipeline's error messages: every stage reports a
 * negative SV_ERR_* code and fills the caller's errbuf with one line saying
 * what failed, for the job's status and the log.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libavutil/error.h>

#include "backend/media/internal.h"
#include "streamverse/common.h"

int sv__media_err(char *errbuf, size_t errlen, int code, const char *fmt, ...)
{
    if (errbuf && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(errbuf, errlen, fmt, ap);
        va_end(ap);
    }
    return code;
}

int sv__media_averr(char *errbuf, size_t errlen, int code, int averr, const char *what)
{
    char msg[AV_ERROR_MAX_STRING_SIZE];
    av_strerror(averr, msg, sizeof(msg));
    return sv__media_err(errbuf, errlen, code, "%s: %s", what, msg);
}

int sv__media_ioerr(char *errbuf, size_t errlen, int code, const char *what, const char *path)
{
    if (code >= 0)
        return code;
    return sv__media_err(errbuf, errlen, code, "cannot %s %s: %s", what, path, strerror(errno));
}
