/*
 * ttml_values.c - TTML time expressions, colours and lengths
 * (ttml_internal.h; W3C TTML1 sections 10.3.1 and 8.3).
 */
#include <math.h>
#include <string.h>

#include "player/manifest/ttml_internal.h"

static void skip_ws(const char **s)
{
    while (**s == ' ' || **s == '\t' || **s == '\n' || **s == '\r')
        (*s)++;
}

/* digits ["." digits]: a non-negative decimal, locale-free. Returns the
 * count of integer digits read (0: none, -1: too long). */
static int decimal(const char **s, double *out, int allow_fraction)
{
    double v = 0;
    int n = 0;

    while (**s >= '0' && **s <= '9') {
        if (++n > 15)
            return -1;
        v = v * 10 + (**s - '0');
        (*s)++;
    }
    if (n && allow_fraction && **s == '.' && (*s)[1] >= '0' && (*s)[1] <= '9') {
        double scale = 0.1;
        (*s)++;
        for (int k = 0; **s >= '0' && **s <= '9'; k++, (*s)++) {
            if (k < 15)
                v += (**s - '0') * scale;
            scale /= 10;
        }
    }
    *out = v;
    return n;
}

/* hh:mm:ss[.fraction | :frames[.subframes]] */
static int clock_time(const sv__ttml_params *pm, const char *s, double *out)
{
    double h, m, sec, frames = 0, sub = 0;

    if (decimal(&s, &h, 0) < 2 || *s++ != ':' || decimal(&s, &m, 0) != 2 || *s++ != ':' ||
        decimal(&s, &sec, 1) != 2 || m > 59 || sec >= 61)
        return -1;
    if (*s == ':') {
        s++;
        if (decimal(&s, &frames, 0) < 2)
            return -1;
        if (*s == '.') {
            s++;
            if (decimal(&s, &sub, 0) < 1)
                return -1;
        }
    }
    if (*s)
        return -1;
    *out = h * 3600 + m * 60 + sec + (frames + sub / pm->sub_frame_rate) / pm->frame_rate;
    return 0;
}

int sv__ttml_time(const sv__ttml_params *pm, const char *s, double *out)
{
    double v;

    skip_ws(&s);
    const char *colon = strchr(s, ':');
    if (colon)
        return clock_time(pm, s, out);
    if (decimal(&s, &v, 1) <= 0)
        return -1;
    if (!strcmp(s, "h"))
        v *= 3600;
    else if (!strcmp(s, "m"))
        v *= 60;
    else if (!strcmp(s, "s"))
        ;
    else if (!strcmp(s, "ms"))
        v /= 1000;
    else if (!strcmp(s, "f"))
        v /= pm->frame_rate;
    else if (!strcmp(s, "t"))
        v /= pm->tick_rate;
    else
        return -1;
    if (!isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static const struct { const char *name; uint32_t rgba; } named[] = {
    {"transparent", 0x00000000}, {"black", 0x000000ff}, {"silver", 0xc0c0c0ff},
    {"gray", 0x808080ff}, {"white", 0xffffffff}, {"maroon", 0x800000ff}, {"red", 0xff0000ff},
    {"purple", 0x800080ff}, {"fuchsia", 0xff00ffff}, {"magenta", 0xff00ffff},
    {"green", 0x008000ff}, {"lime", 0x00ff00ff}, {"olive", 0x808000ff}, {"yellow", 0xffff00ff},
    {"navy", 0x000080ff}, {"blue", 0x0000ffff}, {"teal", 0x008080ff}, {"aqua", 0x00ffffff},
    {"cyan", 0x00ffffff},
};

static int hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* "rgb(" or "rgba(" components: n numbers 0..255, comma separated. */
static int components(const char *s, int n, uint32_t *out)
{
    uint32_t v = 0;

    for (int i = 0; i < n; i++) {
        double c;
        skip_ws(&s);
        if (decimal(&s, &c, 0) <= 0 || c > 255)
            return -1;
        v = (v << 8) | (uint32_t)c;
        skip_ws(&s);
        if (*s++ != (i + 1 < n ? ',' : ')'))
            return -1;
    }
    skip_ws(&s);
    if (*s)
        return -1;
    *out = n == 3 ? (v << 8) | 0xff : v;
    return 0;
}

int sv__ttml_color(const char *s, uint32_t *out)
{
    skip_ws(&s);
    if (*s == '#') {
        size_t n = strlen(++s);
        uint32_t v = 0;
        if (n != 6 && n != 8)
            return -1;
        for (size_t i = 0; i < n; i++) {
            int d = hex(s[i]);
            if (d < 0)
                return -1;
            v = (v << 4) | (uint32_t)d;
        }
        *out = n == 6 ? (v << 8) | 0xff : v;
        return 0;
    }
    if (!strncmp(s, "rgba(", 5))
        return components(s + 5, 4, out);
    if (!strncmp(s, "rgb(", 4))
        return components(s + 4, 3, out);
    for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
        if (!strcmp(s, named[i].name)) {
            *out = named[i].rgba;
            return 0;
        }
    return -1;
}

int sv__ttml_length(const sv__ttml_params *pm, const char **s, int vertical, float *out)
{
    double v, size = vertical ? pm->extent_h : pm->extent_w;
    int cells = vertical ? pm->cell_rows : pm->cell_cols;
    int neg;

    skip_ws(s);
    if ((neg = **s == '-') || **s == '+')
        (*s)++;
    if (decimal(s, &v, 1) <= 0)
        return -1;
    if (**s == '%') {
        (*s)++;
    } else if ((*s)[0] == 'p' && (*s)[1] == 'x') {
        if (size <= 0)
            return -1; /* px without the root's extent: no size to relate to */
        *s += 2;
        v = v * 100 / size;
    } else if (**s == 'c') {
        (*s)++;
        v = v * 100 / cells;
    } else {
        return -1;
    }
    if (**s && **s != ' ' && **s != '\t')
        return -1;
    *out = (float)(neg ? -v : v);
    return 0;
}

int sv__ttml_pair(const char *s, double *a, double *b)
{
    skip_ws(&s);
    if (decimal(&s, a, 1) <= 0)
        return -1;
    while (*s && *s != ' ' && *s != '\t')
        s++; /* a unit */
    skip_ws(&s);
    if (decimal(&s, b, 1) <= 0)
        return -1;
    while (*s && *s != ' ' && *s != '\t')
        s++;
    skip_ws(&s);
    return *s || *a <= 0 || *b <= 0 ? -1 : 0;
}

int sv__ttml_number(const char *s, double *out)
{
    skip_ws(&s);
    if (decimal(&s, out, 1) <= 0)
        return -1;
    skip_ws(&s);
    return *s ? -1 : 0;
}
