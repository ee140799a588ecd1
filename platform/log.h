/*
 * Logging with levels and module tags. A logger is a small value each object
 * keeps (no global logger): messages at or above its level go to the host's
 * callback, or to stderr when there is none.
 */
#ifndef SV_PLATFORM_LOG_H
#define SV_PLATFORM_LOG_H

#include <stdarg.h>

#include "streamverse/common.h"

typedef struct sv__logger {
    sv_log_fn cb;          /* NULL: write to stderr */
    void *opaque;
    sv_log_level level;    /* most verbose level passed on */
} sv__logger;

#if defined(__GNUC__) || defined(__clang__)
#  define SV_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#  define SV_PRINTF(fmt, args)
#endif

/* Sets up a logger; a NULL callback means stderr. */
void sv__logger_init(sv__logger *lg, sv_log_fn cb, void *opaque, sv_log_level level);

/* Returns 1 if a message at `level` would be passed on (skip costly
 * formatting otherwise). A NULL logger passes nothing. */
int sv__log_enabled(const sv__logger *lg, sv_log_level level);

/* Formats one line and passes it on. Lines longer than 1023 bytes are cut
 * and end with "...". Thread-safe as long as the callback is. */
void sv__log(const sv__logger *lg, sv_log_level level, const char *module,
             const char *fmt, ...) SV_PRINTF(4, 5);
void sv__vlog(const sv__logger *lg, sv_log_level level, const char *module,
              const char *fmt, va_list ap) SV_PRINTF(4, 0);

/* Parses "error", "warn", "info", "debug", "trace" (or "warning").
 * Returns the level, or SV_ERR_INVALID. */
int sv__log_level_parse(const char *name);

#define SV_LOGE(lg, mod, ...) sv__log((lg), SV_LOG_ERROR, (mod), __VA_ARGS__)
#define SV_LOGW(lg, mod, ...) sv__log((lg), SV_LOG_WARN, (mod), __VA_ARGS__)
#define SV_LOGI(lg, mod, ...) sv__log((lg), SV_LOG_INFO, (mod), __VA_ARGS__)
#define SV_LOGD(lg, mod, ...) sv__log((lg), SV_LOG_DEBUG, (mod), __VA_ARGS__)

#endif
