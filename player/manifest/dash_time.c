/*
 * The two time formats of MPD attributes: xs:duration and xs:dateTime.
 * Small value grammars, not markup: libxml2 hands us the attribute text.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "player/manifest/dash.h"

double sv__dash_parse_duration(const char *s)
{
    double total = 0;
    int in_time = 0, any = 0;
    char *end;

    if (!s)
        return -1;
    while (*s == ' ')
        s++;
    if (*s++ != 'P')
        return -1;
    while (*s) {
        if (*s == 'T') {
            if (in_time)
                return -1;
            in_time = 1;
            s++;
            continue;
        }
        if (*s == '-' || *s == '+')
            return -1;
        double v = strtod(s, &end);
        if (end == s || !isfinite(v) || v < 0)
            return -1;
        switch (*end) {
        case 'Y': if (in_time) return -1; total += v * 365.2425 * 86400; break;
        case 'M': total += in_time ? v * 60 : v * 30.436875 * 86400; break;
        case 'W': if (in_time) return -1; total += v * 7 * 86400; break;
        case 'D': if (in_time) return -1; total += v * 86400; break;
        case 'H': if (!in_time) return -1; total += v * 3600; break;
        case 'S': if (!in_time) return -1; total += v; break;
        default: return -1;
        }
        any = 1;
        s = end + 1;
    }
    return any && isfinite(total) ? total : -1;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int digits(const char **s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*s)[i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    *s += n;
    *out = v;
    return 0;
}

double sv__dash_parse_datetime(const char *s)
{
    int y, mo, d, h, mi, sec;
    double frac = 0;

    if (!s)
        return -1;
    while (*s == ' ')
        s++;
    if (digits(&s, 4, &y) < 0 || *s++ != '-' || digits(&s, 2, &mo) < 0 || *s++ != '-' ||
        digits(&s, 2, &d) < 0 || *s++ != 'T' || digits(&s, 2, &h) < 0 || *s++ != ':' ||
        digits(&s, 2, &mi) < 0 || *s++ != ':' || digits(&s, 2, &sec) < 0)
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || sec > 60)
        return -1;
    if (*s == '.') {
        char *end;
        frac = strtod(s, &end);
        if (end == s + 1)
            return -1;
        s = end;
    }
    double t = (double)days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec + frac;
    if (*s == 'Z') {
        s++;
    } else if (*s == '+' || *s == '-') {
        int sign = *s++ == '-' ? -1 : 1, oh, om;
        if (digits(&s, 2, &oh) < 0 || *s++ != ':' || digits(&s, 2, &om) < 0)
            return -1;
        t -= sign * (oh * 3600 + om * 60);
    }
    /* No zone: MPDs mean UTC (DASH-IF IOP). */
    return *s ? -1 : t;
}
