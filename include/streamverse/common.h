/*
 * streamverse/common.h - definitions shared by every public Streamverse header.
 *
 * This header declares the export macro, the error codes every function of the
 * library returns, the log levels and callback, and the allocator callbacks a
 * host may install. It is included by each of the other public headers, so an
 * application rarely includes it directly.
 *
 * Conventions used across the whole API:
 *   - A function that can fail returns an int: 0 (or a non-negative count) on
 *     success and one of the negative SV_ERR_* codes below on failure.
 *     sv_strerror() turns a code into a short English message.
 *   - A call that fails never invokes the callback it was given, and never
 *     takes ownership of what it was handed.
 *   - Objects are opaque handles created by *_create() and released by
 *     *_destroy(); a destroy function accepts NULL and does nothing.
 *   - There is no global state: two objects of the same kind in one process
 *     are independent.
 */
#ifndef STREAMVERSE_COMMON_H
#define STREAMVERSE_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * SV_API marks a symbol exported from libstreamverse. The library is built with
 * -fvisibility=hidden, so everything without this mark stays private.
 * On Windows, define SV_STATIC when linking the static library.
 */
#if defined(_WIN32) && !defined(SV_STATIC)
#  if defined(SV_BUILDING_LIBRARY)
#    define SV_API __declspec(dllexport)
#  else
#    define SV_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__) || defined(__clang__)
#  define SV_API __attribute__((visibility("default")))
#else
#  define SV_API
#endif

/*
 * Error codes. Values are part of the ABI and never change meaning; new codes
 * are only ever appended.
 */
typedef enum sv_error {
    SV_OK               = 0,
    SV_ERR_INVALID      = -1,  /* an argument is invalid (NULL, out of range, bad name) */
    SV_ERR_NOMEM        = -2,  /* an allocation failed */
    SV_ERR_IO           = -3,  /* a local file or device operation failed */
    SV_ERR_AGAIN        = -4,  /* nothing available now; try again later */
    SV_ERR_EOF          = -5,  /* end of stream or of input */
    SV_ERR_TIMEOUT      = -6,  /* an operation did not complete in time */
    SV_ERR_UNSUPPORTED  = -7,  /* format, codec, scheme or feature not supported */
    SV_ERR_PARSE        = -8,  /* malformed input: manifest, box, trace, message */
    SV_ERR_NETWORK      = -9,  /* connection refused, reset, DNS or TLS failure */
    SV_ERR_HTTP         = -10, /* the server answered with an error status */
    SV_ERR_NOT_FOUND    = -11, /* the named thing (track, property, key, file) does not exist */
    SV_ERR_STATE        = -12, /* the call is not valid in the object's current state */
    SV_ERR_DRM          = -13, /* license acquisition or decryption failed */
    SV_ERR_NO_KEY       = -14, /* content key not available for the KID */
    SV_ERR_DECODE       = -15, /* the decoder rejected the data */
    SV_ERR_RANGE        = -16, /* a value or position is outside the valid range */
    SV_ERR_CANCELLED    = -17, /* the operation was cancelled (stop, seek, destroy) */
    SV_ERR_FORBIDDEN    = -18, /* access refused: 401/403, token or entitlement */
    SV_ERR_OVERFLOW     = -19, /* a bounded queue, buffer or size limit was reached */
    SV_ERR_INTERNAL     = -20  /* a bug in Streamverse; please report it */
} sv_error;

/*
 * Returns a static, NUL-terminated English description of an error code
 * (for example "invalid argument"). Never returns NULL: unknown codes give
 * "unknown error". Thread-safe; the string must not be freed.
 */
SV_API const char *sv_strerror(int err);

/* Log levels, from the most to the least severe. */
typedef enum sv_log_level {
    SV_LOG_ERROR = 0,
    SV_LOG_WARN  = 1,
    SV_LOG_INFO  = 2,
    SV_LOG_DEBUG = 3,
    SV_LOG_TRACE = 4
} sv_log_level;

/*
 * Log callback. `module` is a short tag naming the subsystem that logged
 * ("hls", "fetch", "abr", "decode"...); `message` is one line without a
 * trailing newline. Both strings are only valid during the call.
 *
 * Thread: called from whichever Streamverse thread logged, possibly several
 * at once; the callback must be thread-safe and must not call back into the
 * object that logged.
 */
typedef void (*sv_log_fn)(void *opaque, sv_log_level level, const char *module,
                          const char *message);

/*
 * Returns the lowercase name of a level ("error", "warn", "info", "debug",
 * "trace"), or "unknown". Static string.
 */
SV_API const char *sv_log_level_name(sv_log_level level);

/*
 * Growable structs. Every struct the host allocates and the library reads or
 * writes, and every interface the host implements (sinks, CDM, clock,
 * allocator), starts with `size_t struct_size`, which the host sets to
 * sizeof the struct as its headers declare it: with the struct's _INIT macro
 * (`sv_player_stats st = SV_PLAYER_STATS_INIT;`) or its defaults function.
 * Fields are only ever appended, so a library newer than the host's headers
 * reads and writes just the fields the host knows (the others keep their
 * defaults), and a struct_size smaller than the struct's first version (0:
 * never initialised) makes the call fail with SV_ERR_INVALID. Structs the
 * library owns and hands out (events, frames, samples) only grow at the end
 * too; a host reads a field added in a later API version only after checking
 * sv_version_api() (version.h). docs/sdk.md, "ABI and versions", has the
 * rules.
 *
 * Reserved tails. The plain value structs of abr.h, abrsim.h and emulate.h
 * (decision inputs and outputs, configurations, results, simulator steps:
 * made by the host on the stack or in arrays, often in hot loops) have no
 * struct_size; they end instead in `uint64_t reserved[N]`, as dav1d's
 * settings do. The host zeroes the whole struct (`= {0}`, memset, or the
 * struct's defaults function); fields added later take the place of reserved
 * words, so the struct keeps its size and layout, and 0 in a new field means
 * the behaviour from before it existed. This version of the library never
 * reads the reserved words; in a struct it fills it may write zeros there.
 */
#ifdef __cplusplus
#  define SV_STRUCT_INIT(type) { sizeof(type) }
#else
#  define SV_STRUCT_INIT(type) { .struct_size = sizeof(type) }
#endif

/*
 * Allocator callbacks for the memory Streamverse itself allocates. It covers
 * every allocation the library's own code makes for an object created with
 * an allocator (a player, an ABR rule instance, an estimator, a trace) and
 * for everything that object creates in turn: manifests, segments, buffers,
 * events, licence requests, the built-in ClearKey CDM and clock it makes
 * when the host gives none. It does not cover memory that the libraries
 * Streamverse uses allocate inside themselves (FFmpeg, libcurl, libxml2,
 * OpenSSL, jansson: they have only process-wide allocator hooks, which
 * Streamverse leaves to the host), nor objects created by functions that
 * take no allocator (sv_clock_monotonic_create(), the null sinks,
 * sv_cdm_clearkey_create(), sv_emulate_run(): they use the C library's malloc
 * and free). tests/unit/api/check_allocations.sh and the
 * player_counting_allocator test hold the library to this.
 *
 * Set struct_size (SV_ALLOCATOR_INIT) and all three callbacks; a NULL
 * sv_allocator pointer means the C library. realloc is called with ptr NULL
 * to allocate, never with size 0; free is never called with NULL.
 *
 * Thread: called from any Streamverse thread, possibly several at once.
 */
typedef struct sv_allocator {
    size_t struct_size;
    void *(*alloc)(void *opaque, size_t size);
    void *(*realloc)(void *opaque, void *ptr, size_t size);
    void (*free)(void *opaque, void *ptr);
    void *opaque;
} sv_allocator;

#define SV_ALLOCATOR_INIT SV_STRUCT_INIT(sv_allocator)

#ifdef __cplusplus
}
#endif

#endif /* STREAMVERSE_COMMON_H */
