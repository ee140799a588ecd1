/*
 * Subtitle files uploaded with a title: SRT (SubRip) or WebVTT, read into
 * cues whose text is WebVTT cue text, ready to be segmented (subs.c).
 *
 * SRT, as written by the tools that make it: blocks separated by blank
 * lines, each a cue number, a timing line "HH:MM:SS,mmm --> HH:MM:SS,mmm"
 * (a '.' before the milliseconds is taken too, and anything after the second
 * time, such as SubRip's X1:.. coordinates, is ignored) and text lines. Its
 * text becomes WebVTT cue text: <i> <b> <u> and their end tags stay, other
 * tags (<font ...>) are dropped, a lone '<' becomes &lt; and '&' &amp;.
 *
 * WebVTT (W3C): the "WEBVTT" signature line and its header, then cue blocks
 * (an optional identifier line, a timing line "[HH:]MM:SS.mmm -->
 * [HH:]MM:SS.mmm [settings]", text lines); NOTE, STYLE and REGION blocks are
 * skipped. The cue text and settings are kept as written.
 *
 * Bad input is refused with a message naming the file, the line, what was
 * expected and what was found; limits: SV__SUBS_MAX_BYTES per file,
 * SV__SUBS_MAX_CUES cues, SV__SUBS_MAX_TEXT bytes of text per cue, times
 * under 100 hours. A "-->" in a cue's text, which would read as a timing
 * line, is written "--&gt;".
 */
#define _GNU_SOURCE /* memmem, strndup */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend/media/internal.h"
#include "streamverse/common.h"

typedef struct reader {
    const char *p, *end;
    int line;                /* of the line last read, from 1 */
    const char *name;
    char *errbuf;
    size_t errlen;
} reader;

/* The next line without its terminator (LF, CRLF or a lone CR, as WebVTT
 * has them); 0 at the end. */
static int next_line(reader *r, const char **s, size_t *n)
{
    const char *e = r->p;
    if (r->p >= r->end)
        return 0;
    while (e < r->end && *e != '\n' && *e != '\r')
        e++;
    *s = r->p;
    *n = (size_t)(e - r->p);
    if (e < r->end && *e == '\r' && e + 1 < r->end && e[1] == '\n')
        e++;
    r->p = e < r->end ? e + 1 : r->end;
    r->line++;
    return 1;
}

static int fail(reader *r, const char *what, const char *s, size_t n)
{
    char shown[48];
    size_t k = n < sizeof(shown) - 4 ? n : sizeof(shown) - 4;
    memcpy(shown, s, k);
    strcpy(shown + k, n > k ? "..." : "");
    for (size_t i = 0; i < k; i++)
        if ((unsigned char)shown[i] < 0x20)
            shown[i] = '?';
    return sv__media_err(r->errbuf, r->errlen, SV_ERR_PARSE, "subtitles %s, line %d: %s, found '%s'",
                         r->name, r->line, what, shown);
}

/* Whether the bytes are UTF-8 (no NUL, no overlong or surrogate forms);
 * the offset of the first bad byte in *bad. */
static int utf8_ok(const unsigned char *s, size_t n, size_t *bad)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t k = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2
                 : (c & 0xf8) == 0xf0 ? 3 : 9;
        if (c == 0 || k == 9 || i + k >= n + (k == 0) || (k == 1 && c < 0xc2)) {
            *bad = i;
            return 0;
        }
        for (size_t j = 1; j <= k; j++)
            if ((s[i + j] & 0xc0) != 0x80) {
                *bad = i;
                return 0;
            }
        if ((k == 2 && ((c == 0xe0 && s[i + 1] < 0xa0) || (c == 0xed && s[i + 1] >= 0xa0))) ||
            (k == 3 && ((c == 0xf0 && s[i + 1] < 0x90) || c > 0xf4 ||
                        (c == 0xf4 && s[i + 1] >= 0x90)))) {
            *bad = i;
            return 0;
        }
        i += k + 1;
    }
    return 1;
}

/* Digits at *p (at least min, at most max); their value. -1 when not. */
static long digits(const char **p, const char *end, int min, int max)
{
    long v = 0;
    int k = 0;
    while (*p < end && **p >= '0' && **p <= '9' && k < max) {
        v = v * 10 + (**p - '0');
        (*p)++;
        k++;
    }
    return k >= min && (*p >= end || **p < '0' || **p > '9') ? v : -1;
}

/* A time: SRT "H+:MM:SS,mmm" (or '.'); WebVTT "[H+:]MM:SS.mmm". In ms. */
static int64_t parse_time(const char **p, const char *end, int srt)
{
    const char *s = *p;
    long a = digits(&s, end, 1, 2 + 2 * srt), b, c, ms;
    if (a < 0 || s >= end || *s != ':')
        return -1;
    s++;
    if ((b = digits(&s, end, 2, 2)) < 0 || b > 59)
        return -1;
    long h = 0, m = a, sec;
    if (s < end && *s == ':') {          /* hours given */
        s++;
        if ((c = digits(&s, end, 2, 2)) < 0 || c > 59)
            return -1;
        h = a;
        m = b;
        sec = c;
    } else if (srt) {
        return -1;                       /* SRT always has hours */
    } else {
        if (a > 59)
            return -1;
        sec = b;
    }
    if (m > 59 || h > 99 || s >= end || !(*s == '.' || (srt && *s == ',')))
        return -1;
    s++;
    if ((ms = digits(&s, end, 3, 3)) < 0)
        return -1;
    *p = s;
    return ((h * 60 + m) * 60 + sec) * 1000 + ms;
}

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

/* A timing line into *cue (settings after it for WebVTT). 1 when it is
 * one, 0 when it does not look like one, < 0 on a bad one (message set). */
static int timing(reader *r, const char *s, size_t n, int srt, sv__sub_cue *cue)
{
    const char *p = s, *end = s + n;
    int64_t a = parse_time(&p, end, srt), b;
    if (a < 0)
        return 0;
    p = skip_ws(p, end);
    if (end - p < 3 || memcmp(p, "-->", 3))
        return 0;
    p = skip_ws(p + 3, end);
    if ((b = parse_time(&p, end, srt)) < 0)
        return 0;
    if (p < end && *p != ' ' && *p != '\t')
        return 0;
    if (b < a) {
        char msg[96];
        snprintf(msg, sizeof(msg), "the cue ends (%lld ms) before it starts (%lld ms)",
                 (long long)b, (long long)a);
        return fail(r, msg, s, n);
    }
    cue->start_ms = a;
    cue->end_ms = b;
    p = skip_ws(p, end);
    if (!srt && p < end) {
        /* The settings, copied by length: the line is not NUL-terminated
         * (strndup would look for a NUL past it). */
        size_t len = (size_t)(end - p);
        if (!(cue->settings = malloc(len + 1)))
            return sv__media_err(r->errbuf, r->errlen, SV_ERR_NOMEM, "out of memory (subtitles)");
        memcpy(cue->settings, p, len);
        cue->settings[len] = '\0';
    }
    return 1;
}

/* Appends `n` bytes of SRT text to b as WebVTT cue text. */
static void srt_text(sv__buf *b, const char *s, size_t n)
{
    static const char *const keep[] = { "<i>", "</i>", "<b>", "</b>", "<u>", "</u>" };
    for (size_t i = 0; i < n;) {
        if (s[i] == '&') {
            sv__buf_printf(b, "&amp;");
            i++;
        } else if (s[i] == '<') {
            const char *gt = memchr(s + i, '>', n - i);
            size_t k = gt ? (size_t)(gt - (s + i)) + 1 : 0, j;
            for (j = 0; gt && j < sizeof(keep) / sizeof(keep[0]); j++)
                if (strlen(keep[j]) == k && !strncasecmp(s + i, keep[j], k))
                    break;
            if (gt && j < sizeof(keep) / sizeof(keep[0])) {
                for (size_t q = 0; q < k; q++)   /* lower case: WebVTT tags are */
                    sv__buf_printf(b, "%c", s[i + q] >= 'A' && s[i + q] <= 'Z'
                                                 ? s[i + q] - 'A' + 'a' : s[i + q]);
                i += k;
            } else if (gt && k > 2 && (s[i + 1] == '/' || (s[i + 1] >= 'a' && s[i + 1] <= 'z') ||
                                       (s[i + 1] >= 'A' && s[i + 1] <= 'Z'))) {
                i += k;                          /* another tag: dropped */
            } else {
                sv__buf_printf(b, "&lt;");
                i++;
            }
        } else if (s[i] == '>') {
            sv__buf_printf(b, "&gt;");
            i++;
        } else {
            sv__buf_append(b, s + i, 1);
            i++;
        }
    }
}

/* Appends WebVTT text, with "-->" made harmless. */
static void vtt_text(sv__buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i + 3 <= n && !memcmp(s + i, "-->", 3)) {
            sv__buf_printf(b, "--&gt;");
            i += 2;
        } else {
            sv__buf_append(b, s + i, 1);
        }
    }
}

static int add_cue(reader *r, sv__sub_track *t, int *cap, sv__sub_cue *cue)
{
    if (t->nb_cues == SV__SUBS_MAX_CUES)
        return sv__media_err(r->errbuf, r->errlen, SV_ERR_OVERFLOW,
                             "subtitles %s: more than %d cues", r->name, SV__SUBS_MAX_CUES);
    if (t->nb_cues == *cap) {
        int c = *cap ? *cap * 2 : 64;
        sv__sub_cue *n = realloc(t->cues, (size_t)c * sizeof(*n));
        if (!n)
            return sv__media_err(r->errbuf, r->errlen, SV_ERR_NOMEM, "out of memory (subtitles)");
        t->cues = n;
        *cap = c;
    }
    t->cues[t->nb_cues++] = *cue;
    memset(cue, 0, sizeof(*cue));
    return 0;
}

/* Reads the text lines of a cue (until a blank line) into cue->text. */
static int cue_text(reader *r, int srt, sv__sub_cue *cue)
{
    sv__buf b = { 0 };
    const char *s;
    size_t n;
    int first = 1;
    while (next_line(r, &s, &n) && n > 0) {
        size_t before = b.size;
        if (!first)
            sv__buf_printf(&b, "\n");
        if (srt)
            srt_text(&b, s, n);
        else
            vtt_text(&b, s, n);
        /* A line that was only dropped tags is left out: an empty line
         * would end the cue in the WebVTT written from it. */
        if (b.size == before + !first)
            b.size = before;
        else
            first = 0;
        if (b.size > SV__SUBS_MAX_TEXT) {
            char what[64];
            snprintf(what, sizeof(what), "a cue's text is over %d bytes", SV__SUBS_MAX_TEXT);
            sv__buf_free(&b);
            return fail(r, what, s, n);
        }
    }
    sv__buf_append(&b, "", 1);
    if (b.err) {
        sv__buf_free(&b);
        return sv__media_err(r->errbuf, r->errlen, SV_ERR_NOMEM, "out of memory (subtitles)");
    }
    cue->text = (char *)b.data;   /* NUL-terminated above */
    return 0;
}

static int parse_srt(reader *r, sv__sub_track *t)
{
    const char *s;
    size_t n;
    int cap = 0, rc, number = 0;
    sv__sub_cue cue = { 0 };
    while (next_line(r, &s, &n)) {
        if (n == 0)
            continue;
        /* A cue number (digits alone), then its timing line. */
        const char *p = s;
        long v = digits(&p, s + n, 1, 9);
        if (v >= 0 && p == s + n) {
            number = (int)v;
            if (!next_line(r, &s, &n))
                return fail(r, "the file ends after a cue number", "", 0);
        }
        if ((rc = timing(r, s, n, 1, &cue)) < 0)
            return rc;
        if (rc == 0) {
            char what[112];
            snprintf(what, sizeof(what),
                     "expected a timing line 'HH:MM:SS,mmm --> HH:MM:SS,mmm' (cue %d)",
                     number + (number == 0));
            return fail(r, what, s, n);
        }
        if ((rc = cue_text(r, 1, &cue)) < 0 || (rc = add_cue(r, t, &cap, &cue)) < 0) {
            free(cue.text);
            return rc;
        }
    }
    return 0;
}

/* NOTE, STYLE and REGION blocks carry no cue. */
static int skipped_block(const char *s, size_t n)
{
    static const char *const kinds[] = { "NOTE", "STYLE", "REGION" };
    for (size_t i = 0; i < 3; i++) {
        size_t k = strlen(kinds[i]);
        if (n >= k && !memcmp(s, kinds[i], k) && (n == k || s[k] == ' ' || s[k] == '\t'))
            return 1;
    }
    return 0;
}

static int parse_vtt(reader *r, sv__sub_track *t)
{
    const char *s;
    size_t n;
    int cap = 0, rc;
    sv__sub_cue cue = { 0 };
    /* The header: the signature line and any lines up to a blank one. */
    while (next_line(r, &s, &n) && n > 0)
        ;
    while (next_line(r, &s, &n)) {
        if (n == 0)
            continue;
        if (skipped_block(s, n)) {
            while (next_line(r, &s, &n) && n > 0)
                ;
            continue;
        }
        if ((rc = timing(r, s, n, 0, &cue)) < 0)
            return rc;
        if (rc == 0) {   /* an identifier line: the timing line follows */
            if (memmem(s, n, "-->", 3))
                return fail(r, "expected a timing line '[HH:]MM:SS.mmm --> [HH:]MM:SS.mmm'", s, n);
            if (!next_line(r, &s, &n) || (rc = timing(r, s, n, 0, &cue)) == 0)
                return fail(r, "expected a timing line after the cue identifier", s, n);
            if (rc < 0)
                return rc;
        }
        if ((rc = cue_text(r, 0, &cue)) < 0 || (rc = add_cue(r, t, &cap, &cue)) < 0) {
            free(cue.text);
            free(cue.settings);
            return rc;
        }
    }
    return 0;
}

int sv__subs_parse(const char *data, size_t size, const char *name, sv__sub_track *out,
                   char *errbuf, size_t errlen)
{
    size_t bad;
    reader r = { data, data + size, 0, name ? name : "(upload)", errbuf, errlen };
    int rc;
    memset(out, 0, sizeof(*out));
    if (size > SV__SUBS_MAX_BYTES)
        return sv__media_err(errbuf, errlen, SV_ERR_OVERFLOW,
                             "subtitles %s: %zu bytes, over the limit of %d", r.name, size,
                             SV__SUBS_MAX_BYTES);
    if (size >= 3 && !memcmp(data, "\xef\xbb\xbf", 3))
        r.p += 3;   /* a byte order mark */
    if (!utf8_ok((const unsigned char *)r.p, (size_t)(r.end - r.p), &bad))
        return sv__media_err(errbuf, errlen, SV_ERR_PARSE,
                             "subtitles %s: not UTF-8 text (byte %zu)", r.name,
                             bad + (size_t)(r.p - data));
    int vtt = r.end - r.p >= 6 && !memcmp(r.p, "WEBVTT", 6) &&
              (r.end - r.p == 6 || r.p[6] == ' ' || r.p[6] == '\t' || r.p[6] == '\n' ||
               r.p[6] == '\r');
    out->webvtt_input = vtt;
    rc = vtt ? parse_vtt(&r, out) : parse_srt(&r, out);
    if (rc == 0 && out->nb_cues == 0)
        rc = sv__media_err(errbuf, errlen, SV_ERR_PARSE, "subtitles %s: no cue in the file",
                           r.name);
    if (rc < 0)
        sv__subs_free(out);
    return rc;
}

void sv__subs_free(sv__sub_track *t)
{
    for (int i = 0; i < t->nb_cues; i++) {
        free(t->cues[i].text);
        free(t->cues[i].settings);
    }
    free(t->cues);
    t->cues = NULL;
    t->nb_cues = 0;
}
