/*
 * Segment URLs as patterns and numbers (player/model/uri_table.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "player/model/uri_table.h"
#include "streamverse/common.h"

/* At most this many digits make the number (an uint64_t holds 19). */
#define MAX_DIGITS 18
/* Patterns compared before a new one is stored: a playlist alternating
 * between a few files (audio and video byte ranges) still shares them. */
#define RECENT 4

typedef struct pattern {
    const char *text;        /* the URL it was made from (prefix, digits, suffix) */
    uint32_t prefix_len;     /* bytes before the digits */
    uint32_t suffix_at;      /* where the suffix starts in text */
    uint32_t suffix_len;
    int width;               /* digits zero-padded to this width; -1: no number */
} pattern;

struct sv__uri_table {
    sv__arena *arena;
    pattern *p;
    size_t n, cap;
    uint32_t recent[RECENT]; /* most recently used first */
    size_t nb_recent;
};

sv__uri_table *sv__uri_table_create(sv__arena *a)
{
    sv__uri_table *t = sv__arena_alloc(a, sizeof(*t));
    if (t)
        t->arena = a;
    return t;
}

size_t sv__uri_table_patterns(const sv__uri_table *t)
{
    return t->n;
}

/* Writes `number` zero-padded to `width` into buf (MAX_DIGITS + 2 bytes);
 * returns its length. */
static int digits(char *buf, int width, uint64_t number)
{
    return snprintf(buf, MAX_DIGITS + 2, "%0*" PRIu64, width, number);
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Whether pattern k gives back url[0..len), and then the number that
 * does in *number. */
static int fits(const sv__uri_table *t, uint32_t k, const char *url, size_t len, uint64_t *number)
{
    const pattern *p = &t->p[k];
    char num[MAX_DIGITS + 2];

    if (p->width < 0) {
        *number = 0;
        return p->prefix_len == len && memcmp(p->text, url, len) == 0;
    }
    if (len < (size_t)p->prefix_len + p->suffix_len + 1 ||
        len - p->prefix_len - p->suffix_len > MAX_DIGITS ||
        memcmp(p->text, url, p->prefix_len) != 0 ||
        memcmp(p->text + p->suffix_at, url + len - p->suffix_len, p->suffix_len) != 0)
        return 0;
    size_t d0 = p->prefix_len, d1 = len - p->suffix_len;
    uint64_t n = 0;
    for (size_t i = d0; i < d1; i++) {
        if (!is_digit(url[i]))
            return 0;
        n = n * 10 + (uint64_t)(url[i] - '0');
    }
    if ((size_t)digits(num, p->width, n) != d1 - d0 || memcmp(num, url + d0, d1 - d0) != 0)
        return 0;
    *number = n;
    return 1;
}

/*
 * Where the number of a new URL is: the run of digits where it differs
 * from the URL of the last pattern used ("seg_0042.m4s" after
 * "seg_0041.m4s": the "0042", not the "4" of ".m4s"), else the last run of
 * digits before the query and fragment. [*d0, *d1) is empty when there is
 * none.
 */
static void find_number(const sv__uri_table *t, const char *url, size_t len, size_t *d0,
                        size_t *d1)
{
    size_t end = 0;
    while (end < len && url[end] != '?' && url[end] != '#')
        end++;
    if (t->nb_recent) {
        const pattern *q = &t->p[t->recent[0]];
        size_t qlen = q->suffix_at + q->suffix_len, pre = 0, post = 0;
        while (pre < len && pre < qlen && url[pre] == q->text[pre])
            pre++;
        while (post < len - pre && post < qlen - pre &&
               url[len - 1 - post] == q->text[qlen - 1 - post])
            post++;
        size_t a = pre, b = len - post;
        while (a > 0 && is_digit(url[a - 1]))
            a--;
        while (b < len && is_digit(url[b]))
            b++;
        int all = a < b && b <= end && b - a <= MAX_DIGITS;
        for (size_t i = a; all && i < b; i++)
            all = is_digit(url[i]);
        if (all) {
            *d0 = a;
            *d1 = b;
            return;
        }
    }
    size_t b = end;
    while (b > 0 && !is_digit(url[b - 1]))
        b--;
    size_t a = b;
    while (a > 0 && b - a < MAX_DIGITS && is_digit(url[a - 1]))
        a--;
    *d0 = a;
    *d1 = b;
}

static void use(sv__uri_table *t, uint32_t k)
{
    size_t i = 0;
    while (i < t->nb_recent && t->recent[i] != k)
        i++;
    if (i == t->nb_recent && t->nb_recent < RECENT)
        t->nb_recent++;
    if (i == RECENT)
        i = RECENT - 1;
    memmove(&t->recent[1], &t->recent[0], i * sizeof(t->recent[0]));
    t->recent[0] = k;
}

int sv__uri_table_add(sv__uri_table *t, const char *url, size_t len, uint32_t *pattern_out,
                      uint64_t *number)
{
    size_t d0, d1;

    if (len >= SV__URL_MAX)
        return SV_ERR_OVERFLOW;
    for (size_t i = 0; i < t->nb_recent; i++) {
        if (fits(t, t->recent[i], url, len, number)) {
            *pattern_out = t->recent[i];
            use(t, t->recent[i]);
            return 0;
        }
    }
    find_number(t, url, len, &d0, &d1);
    uint64_t num = 0;
    for (size_t i = d0; i < d1; i++)
        num = num * 10 + (uint64_t)(url[i] - '0');
    if (t->n >= UINT32_MAX)
        return SV_ERR_OVERFLOW;
    pattern *arr = sv__arena_grow(t->arena, t->p, &t->cap, t->n + 1, sizeof(*t->p));
    char *text = sv__arena_strndup(t->arena, url, len);
    if (!arr || !text)
        return SV_ERR_NOMEM;
    t->p = arr;
    pattern *p = &t->p[t->n];
    p->text = text;
    p->prefix_len = (uint32_t)(d0 == d1 ? len : d0);
    p->suffix_at = (uint32_t)(d0 == d1 ? len : d1);
    p->suffix_len = (uint32_t)(d0 == d1 ? 0 : len - d1);
    /* Zero-padded digits keep their width; others are written as they come. */
    p->width = d0 == d1 ? -1 : url[d0] == '0' ? (int)(d1 - d0) : 0;
    *pattern_out = (uint32_t)t->n;
    *number = num;
    use(t, (uint32_t)t->n++);
    return 0;
}

const char *sv__uri_table_format(const sv__uri_table *t, uint32_t k, uint64_t number, char *buf,
                                 size_t cap)
{
    char num[MAX_DIGITS + 2];

    if (k >= t->n)
        return NULL;
    const pattern *p = &t->p[k];
    int nd = p->width < 0 ? 0 : digits(num, p->width, number);
    size_t need = (size_t)p->prefix_len + (size_t)nd + p->suffix_len + 1;
    if (need > cap)
        return NULL;
    memcpy(buf, p->text, p->prefix_len);
    memcpy(buf + p->prefix_len, num, (size_t)nd);
    memcpy(buf + p->prefix_len + nd, p->text + p->suffix_at, p->suffix_len);
    buf[need - 1] = '\0';
    return buf;
}
