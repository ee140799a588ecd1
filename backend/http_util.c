#define _GNU_SOURCE /* timegm */
#include <http_parser.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "backend/http_util.h"
#include "platform/hex.h"
#include "streamverse/common.h"

/* Decodes one %XX escape at s (s[0] == '%'); returns the byte or -1. */
static int pct_byte(const char *s, size_t avail)
{
    int hi, lo;

    if (avail < 3 || (hi = sv__hex_digit(s[1])) < 0 || (lo = sv__hex_digit(s[2])) < 0)
        return -1;
    return hi << 4 | lo;
}

/* Checks the segment that ends at path[end] (exclusive) and starts after the
 * previous '/': "." and ".." are refused rather than resolved, because a
 * media URL never needs them and resolving them is where traversal bugs live. */
static int segment_ok(const char *path, size_t start, size_t end)
{
    size_t n = end - start;

    if (n == 1 && path[start] == '.')
        return 0;
    if (n == 2 && path[start] == '.' && path[start + 1] == '.')
        return 0;
    return 1;
}

/* RFC 3986 pchar (unreserved, sub-delims, ':', '@', '%') plus '/' and '?':
 * bytes that http_parser_parse_url takes anywhere in an origin-form path or
 * query. Bit c of the map is set for the byte c in
 * "A-Z a-z 0-9 - . _ ~ ! $ & ' ( ) * + , ; = : @ % / ?". */
static int plain_byte(unsigned char c)
{
    static const uint64_t map[2] = {0xaffffff200000000u, 0x47fffffe87ffffffu};

    return c < 128 && (map[c >> 6] >> (c & 63) & 1);
}

/* Splits a target made of plain bytes only at its first '?', as the URL
 * parser would, without running it (most requests are this simple). Returns
 * 0, or -1 when the full parser must decide. */
static int split_plain(const char *target, size_t len, const char **path, size_t *path_len,
                       const char **query, size_t *query_len)
{
    size_t i, q = len;

    if (len >= 2 && target[1] == '/')
        return -1;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)target[i];

        if (c == '?' && q == len)
            q = i;
        else if (!plain_byte(c))
            return -1;
    }
    *path = target;
    *path_len = q;
    *query = target + (q < len ? q + 1 : len);
    *query_len = q < len ? len - q - 1 : 0;
    return 0;
}

int sv__http_target_split(const char *target, size_t target_len, char *path, size_t path_cap,
                          const char **query, size_t *query_len)
{
    struct http_parser_url u;
    const char *p;
    size_t plen, i, o = 0, seg = 1;

    if (!target || !path || path_cap < 2 || target_len == 0 || target[0] != '/')
        return SV_ERR_PARSE;
    if (split_plain(target, target_len, &p, &plen, query, query_len) < 0) {
        http_parser_url_init(&u);
        if (http_parser_parse_url(target, target_len, 0, &u) != 0 ||
            !(u.field_set & (1 << UF_PATH)))
            return SV_ERR_PARSE;
        p = target + u.field_data[UF_PATH].off;
        plen = u.field_data[UF_PATH].len;
        if (u.field_set & (1 << UF_QUERY)) {
            *query = target + u.field_data[UF_QUERY].off;
            *query_len = u.field_data[UF_QUERY].len;
        } else {
            *query = target + target_len;
            *query_len = 0;
        }
    }

    for (i = 0; i < plen; i++) {
        int c = (unsigned char)p[i];

        if (c == '%') {
            if ((c = pct_byte(p + i, plen - i)) < 0)
                return SV_ERR_PARSE;
            i += 2;
            /* An encoded slash would join two names into one segment on
             * disk; no media path has one, so refuse it. */
            if (c == '/')
                return SV_ERR_FORBIDDEN;
        } else if (c == '/') {
            if (o > 0 && !segment_ok(path, seg, o))
                return SV_ERR_FORBIDDEN;
            seg = o + 1;
        }
        if (c == 0 || c == '\\')
            return SV_ERR_FORBIDDEN;
        if (o + 1 >= path_cap)
            return SV_ERR_OVERFLOW;
        path[o++] = (char)c;
    }
    if (!segment_ok(path, seg, o))
        return SV_ERR_FORBIDDEN;
    path[o] = '\0';
    return 0;
}

/* Decodes a query component (percent escapes, '+' as space). */
static int query_decode(const char *s, size_t len, char *out, size_t cap)
{
    size_t i, o = 0;

    for (i = 0; i < len; i++) {
        int c = (unsigned char)s[i];

        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if ((c = pct_byte(s + i, len - i)) < 0)
                return SV_ERR_PARSE;
            i += 2;
        }
        if (c == 0)
            return SV_ERR_PARSE;
        if (o + 1 >= cap)
            return SV_ERR_OVERFLOW;
        out[o++] = (char)c;
    }
    if (cap == 0)
        return SV_ERR_OVERFLOW;
    out[o] = '\0';
    return (int)o;
}

int sv__http_query_get(const char *query, size_t query_len, const char *name, int index,
                       char *out, size_t cap)
{
    size_t pos = 0, nlen = strlen(name);

    while (pos < query_len) {
        const char *amp = memchr(query + pos, '&', query_len - pos);
        size_t end = amp ? (size_t)(amp - query) : query_len;
        const char *eq = memchr(query + pos, '=', end - pos);
        size_t klen = eq ? (size_t)(eq - (query + pos)) : end - pos;

        /* Names are compared raw: API parameter names are plain ASCII. */
        if (klen == nlen && memcmp(query + pos, name, nlen) == 0 && index-- == 0) {
            if (!eq)
                return query_decode("", 0, out, cap);
            return query_decode(eq + 1, (size_t)(query + end - (eq + 1)), out, cap);
        }
        pos = end + 1;
    }
    return SV_ERR_NOT_FOUND;
}

/* Reads a decimal number of at most 19 digits; returns digits read (0: none). */
static size_t read_u64(const char *s, size_t len, uint64_t *v)
{
    size_t i = 0;

    *v = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        if (i >= 19)
            return 0; /* beyond any file size: treat as malformed */
        *v = *v * 10 + (uint64_t)(s[i] - '0');
        i++;
    }
    return i;
}

static size_t skip_ows(const char *s, size_t i, size_t len)
{
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i;
}

int sv__http_range_parse(const char *value, size_t len, uint64_t size, sv__byte_range *out)
{
    size_t i = skip_ows(value, 0, len), n;
    uint64_t a, b;

    if (len - i < 6 || strncasecmp(value + i, "bytes=", 6) != 0)
        return SV__RANGE_NONE;
    i = skip_ows(value, i + 6, len);
    if (memchr(value + i, ',', len - i))
        return SV__RANGE_NONE; /* multi-range: serve the whole representation */
    if (i < len && value[i] == '-') {
        /* Suffix range: the last b bytes. */
        if (!(n = read_u64(value + i + 1, len - i - 1, &b)) || skip_ows(value, i + 1 + n, len) != len)
            return SV__RANGE_NONE;
        if (b == 0 || size == 0)
            return SV__RANGE_UNSATISFIABLE;
        out->first = b >= size ? 0 : size - b;
        out->last = size - 1;
        return SV__RANGE_OK;
    }
    if (!(n = read_u64(value + i, len - i, &a)))
        return SV__RANGE_NONE;
    i += n;
    if (i >= len || value[i] != '-')
        return SV__RANGE_NONE;
    i++;
    if (skip_ows(value, i, len) == len) {
        b = UINT64_MAX;
    } else {
        if (!(n = read_u64(value + i, len - i, &b)) || skip_ows(value, i + n, len) != len)
            return SV__RANGE_NONE;
        if (b < a)
            return SV__RANGE_NONE; /* invalid syntax: the header is ignored */
    }
    if (a >= size)
        return SV__RANGE_UNSATISFIABLE;
    out->first = a;
    out->last = b >= size ? size - 1 : b;
    return SV__RANGE_OK;
}

static const char *const wdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

size_t sv__http_put_u64(char *dst, uint64_t v)
{
    char tmp[20];
    size_t n = 0, i;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (i = 0; i < n; i++)
        dst[i] = tmp[n - 1 - i];
    return n;
}

size_t sv__http_put_hex(char *dst, uint64_t v)
{
    static const char digits[] = "0123456789abcdef";
    char tmp[16];
    size_t n = 0, i;

    do {
        tmp[n++] = digits[v & 15];
        v >>= 4;
    } while (v);
    for (i = 0; i < n; i++)
        dst[i] = tmp[n - 1 - i];
    return n;
}

static char *put2(char *p, int v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
    return p + 2;
}

void sv__http_date(time_t t, char *buf, size_t cap)
{
    char tmp[32], *p = tmp;
    struct tm tm;
    size_t len;
    int year;

    /* Formatted by hand rather than strftime (so the C locale never leaks
     * in) or snprintf (a Last-Modified on every media answer). */
    if (cap == 0)
        return;
    if (!gmtime_r(&t, &tm)) {
        t = 0; /* beyond what struct tm holds: the epoch rather than garbage */
        gmtime_r(&t, &tm);
    }
    year = tm.tm_year + 1900;
    if (year < 0 || year > 9999)
        year = year < 0 ? 0 : 9999; /* four digits, as the format has */
    memcpy(p, wdays[tm.tm_wday], 3);
    p += 3;
    *p++ = ',';
    *p++ = ' ';
    p = put2(p, tm.tm_mday);
    *p++ = ' ';
    memcpy(p, months[tm.tm_mon], 3);
    p += 3;
    *p++ = ' ';
    p = put2(p, year / 100);
    p = put2(p, year);
    *p++ = ' ';
    p = put2(p, tm.tm_hour);
    *p++ = ':';
    p = put2(p, tm.tm_min);
    *p++ = ':';
    p = put2(p, tm.tm_sec);
    memcpy(p, " GMT", 5);
    len = (size_t)(p - tmp) + 5;
    if (cap < len)
        len = cap;
    memcpy(buf, tmp, len);
    buf[len - 1] = '\0';
}

int sv__http_date_parse(const char *s, time_t *out)
{
    char wd[4], mon[4], gmt[4];
    struct tm tm;
    int n = 0, m;

    memset(&tm, 0, sizeof(tm));
    if (sscanf(s, "%3s, %d %3s %d %d:%d:%d %3s%n", wd, &tm.tm_mday, mon, &tm.tm_year,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec, gmt, &n) != 8 || s[n] != '\0' ||
        strcmp(gmt, "GMT") != 0)
        return SV_ERR_PARSE;
    for (m = 0; m < 12 && strcmp(mon, months[m]) != 0; m++)
        ;
    if (m == 12 || tm.tm_year < 1970 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
        tm.tm_min > 59 || tm.tm_sec > 60)
        return SV_ERR_PARSE;
    tm.tm_mon = m;
    tm.tm_year -= 1900;
    *out = timegm(&tm);
    return 0;
}

int sv__http_etag_match(const char *inm, const char *etag)
{
    size_t elen = strlen(etag);
    const char *p = inm;

    while (*p) {
        const char *start, *end;

        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '*')
            return 1;
        start = p;
        if (strncmp(p, "W/", 2) == 0)
            start = p += 2;
        end = strchr(p, ',');
        if (!end)
            end = p + strlen(p);
        while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if ((size_t)(end - start) == elen && memcmp(start, etag, elen) == 0)
            return 1;
        p = *end ? end + 1 : end;
    }
    return 0;
}
