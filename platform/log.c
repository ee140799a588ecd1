#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "log.h"

#define LINE_MAX_BYTES 1024

void sv__logger_init(sv__logger *lg, sv_log_fn cb, void *opaque, sv_log_level level)
{
    lg->cb = cb;
    lg->opaque = opaque;
    lg->level = level;
}

int sv__log_enabled(const sv__logger *lg, sv_log_level level)
{
    return lg && level <= lg->level;
}

void sv__vlog(const sv__logger *lg, sv_log_level level, const char *module,
              const char *fmt, va_list ap)
{
    char line[LINE_MAX_BYTES];
    int n;

    if (!sv__log_enabled(lg, level))
        return;
    n = vsnprintf(line, sizeof(line), fmt, ap);
    if (n < 0)
        snprintf(line, sizeof(line), "(unformattable message: %s)", fmt);
    else if ((size_t)n >= sizeof(line))
        memcpy(line + sizeof(line) - 4, "...", 4);
    /* One line per message: a trailing newline in fmt would double up. */
    n = (int)strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';

    if (lg->cb)
        lg->cb(lg->opaque, level, module ? module : "", line);
    else  /* a single fprintf keeps concurrent lines whole (stdio locks the stream) */
        fprintf(stderr, "streamverse[%s] %s: %s\n", module ? module : "",
                sv_log_level_name(level), line);
}

void sv__log(const sv__logger *lg, sv_log_level level, const char *module,
             const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sv__vlog(lg, level, module, fmt, ap);
    va_end(ap);
}

static const char *const level_names[] = {
    [SV_LOG_ERROR] = "error", [SV_LOG_WARN] = "warn", [SV_LOG_INFO] = "info",
    [SV_LOG_DEBUG] = "debug", [SV_LOG_TRACE] = "trace",
};

SV_API const char *sv_log_level_name(sv_log_level level)
{
    if ((unsigned)level < sizeof(level_names) / sizeof(level_names[0]))
        return level_names[level];
    return "unknown";
}

int sv__log_level_parse(const char *name)
{
    if (!name)
        return SV_ERR_INVALID;
    if (strcasecmp(name, "warning") == 0)
        return SV_LOG_WARN;
    for (int i = 0; i < (int)(sizeof(level_names) / sizeof(level_names[0])); i++)
        if (strcasecmp(name, level_names[i]) == 0)
            return i;
    return SV_ERR_INVALID;
}
