/*
 * Pure helpers of svserver's HTTP layer: request-target decoding, query
 * parameters, Range headers, HTTP dates. No I/O and no allocation beyond
 * what the caller hands in, so they are unit-tested and fuzzed on their own
 * (tests/fuzz/fuzz_backend_request.c). Thread-safe: no shared state.
 *
 * The HTTP message itself is parsed by http-parser (backend/http_conn.c);
 * these functions only interpret the pieces it hands over.
 */
#ifndef SV_BACKEND_HTTP_UTIL_H
#define SV_BACKEND_HTTP_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/*
 * Splits an origin-form request target ("/a%20b/c?x=1") into a decoded path
 * and the raw query (without '?', not decoded; "" when absent).
 * The path is percent-decoded into `path` (capacity `path_cap`, NUL-ended)
 * and normalised for safety: it must start with '/', and it is refused when
 * a decoded segment is "." or "..", when it holds a NUL or a backslash, or
 * when a '/' came from "%2f" (an encoded slash never separates segments).
 * `*query` points into `target` (which need not be NUL-terminated; the query
 * runs to target + target_len, its length goes to *query_len).
 * Returns 0, SV_ERR_PARSE (malformed target or escape: answer 400),
 * SV_ERR_FORBIDDEN (unsafe path: answer 404, the path names nothing) or
 * SV_ERR_OVERFLOW (answer 414).
 */
int sv__http_target_split(const char *target, size_t target_len, char *path, size_t path_cap,
                          const char **query, size_t *query_len);

/*
 * Looks a parameter up in a raw query string ("a=1&b=x%20y&b=2"). Finds the
 * `index`-th occurrence (0 first) of `name` and percent/plus-decodes its value
 * into `out` (capacity `cap`). A parameter without '=' has the value "".
 * Returns the decoded length, SV_ERR_NOT_FOUND, SV_ERR_PARSE (bad escape or
 * a NUL byte) or SV_ERR_OVERFLOW.
 */
int sv__http_query_get(const char *query, size_t query_len, const char *name, int index,
                       char *out, size_t cap);

/* One byte range resolved against a file size: bytes first..last inclusive. */
typedef struct sv__byte_range {
    uint64_t first;
    uint64_t last;
} sv__byte_range;

enum {
    SV__RANGE_NONE = 0,          /* ignore the header: answer 200 with the whole body */
    SV__RANGE_OK = 1,            /* one satisfiable range in *out: answer 206 */
    SV__RANGE_UNSATISFIABLE = 2  /* answer 416 with Content-Range: bytes [star]/size */
};

/*
 * Interprets a Range header value against a representation of `size` bytes
 * (RFC 9110 section 14). Returns SV__RANGE_OK with the range in *out,
 * SV__RANGE_UNSATISFIABLE, or SV__RANGE_NONE when the header must be ignored:
 * a unit other than "bytes", a malformed set, or several ranges (multipart
 * answers are not offered; RFC 9110 lets a server ignore Range).
 */
int sv__http_range_parse(const char *value, size_t len, uint64_t size, sv__byte_range *out);

/* Formats an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"); buf >= 30 bytes
 * (a smaller buffer gets the date cut, NUL-terminated). */
void sv__http_date(time_t t, char *buf, size_t cap);

/* Writes v in decimal (at most 20 digits) or lowercase hexadecimal (at most
 * 16) at dst, without a NUL; returns the number of characters. For headers
 * on the serving path, where snprintf cost more than the rest together. */
size_t sv__http_put_u64(char *dst, uint64_t v);
size_t sv__http_put_hex(char *dst, uint64_t v);

/* Parses an IMF-fixdate. Returns 0 and *out, or SV_ERR_PARSE. */
int sv__http_date_parse(const char *s, time_t *out);

/*
 * Does an If-None-Match value (a list of entity tags or "*") match `etag`
 * (a quoted strong tag)? Weak comparison, as RFC 9110 requires for GET.
 */
int sv__http_etag_match(const char *if_none_match, const char *etag);

#endif
