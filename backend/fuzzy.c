#include <string.h>

#include "backend/fuzzy.h"

#define MAX_WORD 64

static char fold(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* A word is a run of ASCII letters and digits, or of bytes >= 0x80 (UTF-8
 * text is compared byte-wise). */
static int word_char(char c)
{
    unsigned char u = (unsigned char)c;

    return (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u >= 0x80;
}

static int min3(int a, int b, int c)
{
    int m = a < b ? a : b;
    return m < c ? m : c;
}

int sv__edit_distance(const char *a, size_t alen, const char *b, size_t blen)
{
    int rows[3][MAX_WORD + 1];
    int *prev2 = rows[0], *prev = rows[1], *cur = rows[2];

    if (alen > MAX_WORD)
        alen = MAX_WORD;
    if (blen > MAX_WORD)
        blen = MAX_WORD;
    for (size_t j = 0; j <= blen; j++)
        prev[j] = (int)j;
    for (size_t i = 1; i <= alen; i++) {
        int *t;

        cur[0] = (int)i;
        for (size_t j = 1; j <= blen; j++) {
            int cost = fold(a[i - 1]) != fold(b[j - 1]);

            cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
            if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) &&
                fold(a[i - 2]) == fold(b[j - 1]) && prev2[j - 2] + 1 < cur[j])
                cur[j] = prev2[j - 2] + 1;
        }
        t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return prev[blen];
}

static int allowed(size_t len)
{
    return len <= 3 ? 0 : len <= 5 ? 1 : 2;
}

/* Best distance of one query word against the words of text. */
static int best_word(const char *w, size_t wlen, const char *text)
{
    int best = -1;
    const char *p = text;

    while (*p) {
        const char *s;
        size_t len;
        int d;

        while (*p && !word_char(*p))
            p++;
        s = p;
        while (*p && word_char(*p))
            p++;
        if (!(len = (size_t)(p - s)))
            break;
        d = sv__edit_distance(w, wlen, s, len);
        /* A prefix being typed: compare with the start of the word, and with
         * one byte more or less, so "strng" still finds "Stranger". */
        for (size_t k = wlen > 1 ? wlen - 1 : 1; k <= wlen + 1 && k < len; k++) {
            int dp = sv__edit_distance(w, wlen, s, k);
            if (dp < d)
                d = dp;
        }
        if (d <= allowed(wlen) && (best < 0 || d < best))
            best = d;
    }
    return best;
}

int sv__fuzzy_score(const char *query, const char *text)
{
    const char *p = query;
    int total = 0, words = 0;

    while (*p) {
        const char *s;
        int d;

        while (*p && !word_char(*p))
            p++;
        s = p;
        while (*p && word_char(*p))
            p++;
        if (p == s)
            break;
        if ((d = best_word(s, (size_t)(p - s), text)) < 0)
            return -1;
        total += d;
        words++;
    }
    return words ? total : -1;
}
