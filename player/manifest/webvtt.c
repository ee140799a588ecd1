/*
 * webvtt.c - WebVTT cues for subtitles (webvtt.h).
 */
#define _GNU_SOURCE /* memmem */
#include <stdlib.h>
#include <string.h>

#include "platform/alloc.h"
#include "streamverse/common.h"
#include "player/manifest/webvtt.h"

#define MAX_CUES 100000
#define MAX_CUE_TEXT 4096

/* One line at a time; any of CRLF, CR, LF ends a line. */
typedef struct reader {
    const char *p, *end;
    int lineno;
} reader;

static int next_line(reader *r, const char **line, size_t *len)
{
    const char *s = r->p;

    if (s >= r->end)
        return 0;
    while (r->p < r->end && *r->p != '\n' && *r->p != '\r')
        r->p++;
    *line = s;
    *len = (size_t)(r->p - s);
    if (r->p < r->end && *r->p == '\r') {
        r->p++;
        if (r->p < r->end && *r->p == '\n')
            r->p++;
    } else if (r->p < r->end) {
        r->p++; /* '\n' */
    }
    r->lineno++;
    return 1;
}

/* Reads n digits at *s. Returns the value or -1. */
static long digits(const char **s, const char *end, int min, int max)
{
    long v = 0;
    int n = 0;

    while (*s < end && **s >= '0' && **s <= '9' && n < max) {
        v = v * 10 + (**s - '0');
        (*s)++;
        n++;
    }
    return n >= min ? v : -1;
}

/* [hh:]mm:ss.ttt (hours: 2+ digits). Returns 0 or -1. */
static int timestamp(const char **s, const char *end, double *out)
{
    long a, b, c, ms;

    if ((a = digits(s, end, 2, 9)) < 0 || *s >= end || **s != ':')
        return -1;
    (*s)++;
    if ((b = digits(s, end, 2, 2)) < 0 || *s >= end)
        return -1;
    if (**s == ':') {
        (*s)++;
        if ((c = digits(s, end, 2, 2)) < 0 || b > 59)
            return -1;
    } else {
        c = b;
        b = a;
        a = 0;
        if (b > 59)
            return -1;
    }
    if (*s >= end || **s != '.' || c > 59)
        return -1;
    (*s)++;
    if ((ms = digits(s, end, 3, 3)) < 0)
        return -1;
    *out = (double)a * 3600 + (double)b * 60 + (double)c + (double)ms / 1000;
    return 0;
}

static void skip_ws(const char **s, const char *end)
{
    while (*s < end && (**s == ' ' || **s == '\t'))
        (*s)++;
}

/* A percentage "N%" (0..100) at s, up to `end`. Returns 0 or -1. */
static int percent(const char *s, const char *end, float *out)
{
    double v = 0, scale = 0;

    if (s >= end || *s < '0' || *s > '9')
        return -1;
    for (; s < end && ((*s >= '0' && *s <= '9') || (*s == '.' && scale == 0)); s++) {
        if (*s == '.')
            scale = 1;
        else if (scale > 0)
            v += (*s - '0') * (scale /= 10);
        else
            v = v * 10 + (*s - '0');
    }
    if (s + 1 != end || *s != '%' || v > 100)
        return -1;
    *out = (float)v;
    return 0;
}

/* Cue settings (WebVTT 6.3) as a style: align, line and position as
 * percentages, size. Integer line numbers and vertical text are left to
 * the host's default. Returns 1 when a setting was used. */
static int cue_settings(const char *s, const char *end, sv_cue_style *st)
{
    float line = -1, pos = -1, size = 100;
    int used = 0;

    memset(st, 0, sizeof(*st));
    while (s < end) {
        while (s < end && (*s == ' ' || *s == '\t'))
            s++;
        const char *w = s;
        while (s < end && *s != ' ' && *s != '\t')
            s++;
        const char *colon = memchr(w, ':', (size_t)(s - w));
        if (!colon)
            continue;
        size_t klen = (size_t)(colon - w);
        const char *v = colon + 1, *vend = memchr(v, ',', (size_t)(s - v));
        vend = vend ? vend : s; /* "line:10%,start": the alignment after ',' is left out */
        if (klen == 5 && !memcmp(w, "align", 5)) {
            size_t n = (size_t)(vend - v);
            st->text_align = (n == 5 && !memcmp(v, "start", 5)) || (n == 4 && !memcmp(v, "left", 4))
                                 ? SV_CUE_ALIGN_START
                             : (n == 3 && !memcmp(v, "end", 3)) || (n == 5 && !memcmp(v, "right", 5))
                                 ? SV_CUE_ALIGN_END
                             : n == 6 && !memcmp(v, "center", 6) ? SV_CUE_ALIGN_CENTER
                                                                 : st->text_align;
            used |= st->text_align != SV_CUE_ALIGN_UNSET;
        } else if (klen == 4 && !memcmp(w, "line", 4) && percent(v, vend, &line) == 0) {
            used = 1;
        } else if (klen == 8 && !memcmp(w, "position", 8) && percent(v, vend, &pos) == 0) {
            used = 1;
        } else if (klen == 4 && !memcmp(w, "size", 4) && percent(v, vend, &size) == 0) {
            used = 1;
        }
    }
    if (line >= 0 || pos >= 0 || size < 100) {
        /* The cue box: `size` wide around `position` as the alignment
         * says; its top at `line` down to the bottom. */
        float x = pos < 0 ? (100 - size) / 2
                  : st->text_align == SV_CUE_ALIGN_START ? pos
                  : st->text_align == SV_CUE_ALIGN_END   ? pos - size
                                                         : pos - size / 2;
        st->x = x < 0 ? 0 : x + size > 100 ? 100 - size : x;
        st->width = size;
        st->y = line >= 0 ? line : 0;
        st->height = 100 - st->y;
        st->display_align = line >= 0 ? SV_CUE_ALIGN_START : SV_CUE_ALIGN_END;
    }
    return used;
}

/* "start --> end [settings]". Returns 1 parsed (*settings: where they
 * start), 0 not a timing line, -1 bad. */
static int timing_line(const char *line, size_t len, double *start, double *end_s,
                       const char **settings)
{
    const char *s = line, *end = line + len;

    if (!memmem(line, len, "-->", 3))
        return 0;
    skip_ws(&s, end);
    if (timestamp(&s, end, start) < 0)
        return -1;
    skip_ws(&s, end);
    if (end - s < 3 || memcmp(s, "-->", 3) != 0)
        return -1;
    s += 3;
    skip_ws(&s, end);
    if (timestamp(&s, end, end_s) < 0 || (s < end && *s != ' ' && *s != '\t'))
        return -1;
    *settings = s;
    return 1;
}

/* X-TIMESTAMP-MAP=MPEGTS:<n>,LOCAL:<time> (either order). */
static int timestamp_map(sv__webvtt *v, const char *line, size_t len)
{
    const char *s = line + strlen("X-TIMESTAMP-MAP="), *end = line + len;
    int have_ts = 0, have_local = 0;

    while (s < end) {
        if (end - s > 7 && !memcmp(s, "MPEGTS:", 7)) {
            s += 7;
            const char *d = s;
            int64_t n = 0;
            while (s < end && *s >= '0' && *s <= '9' && s - d < 18)
                n = n * 10 + (*s++ - '0');
            if (s == d)
                return -1;
            v->map_mpegts = n;
            have_ts = 1;
        } else if (end - s > 6 && !memcmp(s, "LOCAL:", 6)) {
            s += 6;
            if (timestamp(&s, end, &v->map_local) < 0)
                return -1;
            have_local = 1;
        } else {
            return -1;
        }
        if (s < end && *s++ != ',')
            return -1;
    }
    v->has_map = have_ts && have_local;
    return v->has_map ? 0 : -1;
}

static const struct { const char *name; const char *text; } refs[] = {
    {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""},
    {"&nbsp;", "\xc2\xa0"}, {"&lrm;", "\xe2\x80\x8e"}, {"&rlm;", "\xe2\x80\x8f"},
};

/* Appends a payload line as plain text to buf[*n] (cap MAX_CUE_TEXT). */
static void append_plain(char *buf, size_t *n, const char *line, size_t len)
{
    const char *s = line, *end = line + len;

    if (*n > 0 && *n < MAX_CUE_TEXT - 1)
        buf[(*n)++] = '\n';
    while (s < end && *n < MAX_CUE_TEXT - 4) {
        if (*s == '<') { /* a tag: dropped up to its '>' */
            const char *gt = memchr(s, '>', (size_t)(end - s));
            s = gt ? gt + 1 : end;
            continue;
        }
        if (*s == '&') {
            size_t i;
            for (i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
                size_t rl = strlen(refs[i].name);
                if ((size_t)(end - s) >= rl && !memcmp(s, refs[i].name, rl)) {
                    size_t tl = strlen(refs[i].text);
                    memcpy(buf + *n, refs[i].text, tl);
                    *n += tl;
                    s += rl;
                    break;
                }
            }
            if (i < sizeof(refs) / sizeof(refs[0]))
                continue;
        }
        buf[(*n)++] = *s++;
    }
    buf[*n] = '\0';
}

static int add_cue(sv__webvtt *v, size_t *cap, double start, double end, const char *text)
{
    if (v->nb_cues == MAX_CUES)
        return SV_ERR_OVERFLOW;
    if (v->nb_cues == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        sv__cue *c = sv__realloc(v->alloc, v->cues, nc * sizeof(*c));
        if (!c)
            return SV_ERR_NOMEM;
        v->cues = c;
        *cap = nc;
    }
    memset(&v->cues[v->nb_cues], 0, sizeof(v->cues[v->nb_cues]));
    if (!(v->cues[v->nb_cues].text = sv__strdup(v->alloc, text)))
        return SV_ERR_NOMEM;
    v->cues[v->nb_cues].start = start;
    v->cues[v->nb_cues++].end = end;
    return 0;
}

static int is_blank(const char *line, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (line[i] != ' ' && line[i] != '\t')
            return 0;
    return 1;
}

static int starts(const char *line, size_t len, const char *word)
{
    size_t n = strlen(word);
    return len >= n && !memcmp(line, word, n) &&
           (len == n || line[n] == ' ' || line[n] == '\t');
}

int sv__webvtt_parse(const char *text, size_t size, const sv_allocator *alloc, sv__webvtt *out,
                     sv__parse_error *err)
{
    reader r = {text, text + size, 0};
    char *buf = sv__malloc(alloc, MAX_CUE_TEXT);
    const char *line;
    size_t len, cap = 0;
    int ret = 0;

    memset(out, 0, sizeof(*out));
    out->alloc = alloc;
    if (!buf)
        return SV_ERR_NOMEM;
    if (size >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
        r.p += 3;
    if (!next_line(&r, &line, &len) || len < 6 || memcmp(line, "WEBVTT", 6) ||
        (len > 6 && line[6] != ' ' && line[6] != '\t')) {
        ret = sv__parse_fail(err, 1, "not a WebVTT file (no WEBVTT signature)");
        goto fail;
    }
    /* Header lines up to the first blank line. */
    while (next_line(&r, &line, &len) && !is_blank(line, len)) {
        if (len > 16 && !memcmp(line, "X-TIMESTAMP-MAP=", 16) && timestamp_map(out, line, len) < 0) {
            ret = sv__parse_fail(err, r.lineno, "bad X-TIMESTAMP-MAP");
            goto fail;
        }
    }
    /* Blocks: [id] timing, payload lines, blank. */
    while (next_line(&r, &line, &len)) {
        double start, end;
        const char *settings = NULL;
        sv_cue_style style;
        int t, tl;

        if (is_blank(line, len))
            continue;
        if (starts(line, len, "NOTE") || starts(line, len, "STYLE") ||
            starts(line, len, "REGION")) {
            while (next_line(&r, &line, &len) && !is_blank(line, len))
                ;
            continue;
        }
        if ((t = timing_line(line, len, &start, &end, &settings)) == 0) {
            tl = r.lineno; /* a cue identifier: the timing follows */
            if (!next_line(&r, &line, &len) ||
                (t = timing_line(line, len, &start, &end, &settings)) == 0) {
                ret = sv__parse_fail(err, tl, "a cue identifier without a timing line");
                goto fail;
            }
        }
        if (t < 0 || end < start) {
            ret = sv__parse_fail(err, r.lineno, "bad cue timing '%.*s'", (int)(len > 60 ? 60 : len),
                                 line);
            goto fail;
        }
        int styled = cue_settings(settings, line + len, &style);
        size_t n = 0;
        buf[0] = '\0';
        while (next_line(&r, &line, &len) && !is_blank(line, len))
            append_plain(buf, &n, line, len);
        if ((ret = add_cue(out, &cap, start, end, buf)) < 0)
            goto fail;
        out->cues[out->nb_cues - 1].style = style;
        out->cues[out->nb_cues - 1].has_style = styled;
    }
    sv__free(alloc, buf);
    return 0;
fail:
    sv__free(alloc, buf);
    sv__webvtt_free(out);
    return ret;
}

void sv__webvtt_free(sv__webvtt *v)
{
    const sv_allocator *alloc = v->alloc;
    for (size_t i = 0; i < v->nb_cues; i++)
        sv__free(alloc, v->cues[i].text);
    sv__free(alloc, v->cues);
    memset(v, 0, sizeof(*v));
    v->alloc = alloc;
}
