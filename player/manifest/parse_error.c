#include <stdarg.h>
#include <stdio.h>

#include "player/manifest/parse_error.h"

int sv__parse_fail(sv__parse_error *err, int line, const char *fmt, ...)
{
    va_list ap;

    if (err && !err->message[0]) {
        err->line = line;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
    }
    return SV_ERR_PARSE;
}
