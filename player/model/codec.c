/*
 * Video codec families from RFC 6381 codecs strings, the host's preference
 * list, and the choice of the family to play (player/model/codec.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "player/model/codec.h"
#include "streamverse/common.h"

static const char *const family_names[SV__CODEC_COUNT] = {
    [SV__CODEC_UNKNOWN] = "unknown", [SV__CODEC_H264] = "h264", [SV__CODEC_HEVC] = "hevc",
    [SV__CODEC_AV1] = "av1", [SV__CODEC_VP9] = "vp9",
};

/* The sample entries (the part before the first '.') of each family. */
static const struct {
    const char *fourcc;
    sv__codec_family family;
} entries[] = {
    { "avc1", SV__CODEC_H264 }, { "avc3", SV__CODEC_H264 }, { "hvc1", SV__CODEC_HEVC },
    { "hev1", SV__CODEC_HEVC }, { "av01", SV__CODEC_AV1 },  { "vp09", SV__CODEC_VP9 },
};

/* The default preference: the more efficient codec first. */
static const sv__codec_family default_order[] = { SV__CODEC_AV1, SV__CODEC_HEVC, SV__CODEC_VP9,
                                                  SV__CODEC_H264 };

static void trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

static sv__codec_family entry_family(const char *s, size_t n)
{
    size_t fourcc = 0;
    while (fourcc < n && s[fourcc] != '.')
        fourcc++;
    for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++)
        if (fourcc == 4 && strncasecmp(s, entries[i].fourcc, 4) == 0)
            return entries[i].family;
    return SV__CODEC_UNKNOWN;
}

sv__codec_family sv__codec_family_of(const char *codecs)
{
    const char *p = codecs;
    while (p && *p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *s = p;
        trim(&s, &n);
        sv__codec_family f = entry_family(s, n);
        if (f != SV__CODEC_UNKNOWN)
            return f;
        p = end ? end + 1 : NULL;
    }
    return SV__CODEC_UNKNOWN;
}

const char *sv__codec_family_name(sv__codec_family f)
{
    return (unsigned)f < SV__CODEC_COUNT ? family_names[f] : "unknown";
}

static int name_family(const char *s, size_t n)
{
    for (int f = SV__CODEC_H264; f < SV__CODEC_COUNT; f++)
        if (strlen(family_names[f]) == n && strncasecmp(s, family_names[f], n) == 0)
            return f;
    return -1;
}

int sv__codec_prefs_parse(const char *list, sv__codec_prefs *out, char *err, size_t errlen)
{
    sv__codec_prefs prefs = { .n = 0 };
    if (!list) {
        for (size_t i = 0; i < sizeof(default_order) / sizeof(default_order[0]); i++)
            prefs.order[prefs.n++] = default_order[i];
        *out = prefs;
        return 0;
    }
    const char *p = list;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *s = p;
        trim(&s, &n);
        if (n == 0) {
            snprintf(err, errlen, "codec list '%s' has an empty entry (expected names among "
                     "h264, hevc, av1, vp9, comma-separated)", list);
            return SV_ERR_INVALID;
        }
        int f = name_family(s, n);
        if (f < 0) {
            snprintf(err, errlen, "'%.*s' is not a codec this player knows (h264, hevc, av1, vp9)",
                     (int)n, s);
            return SV_ERR_INVALID;
        }
        for (size_t i = 0; i < prefs.n; i++)
            if ((int)prefs.order[i] == f) {
                snprintf(err, errlen, "codec '%s' is listed twice in '%s'", family_names[f], list);
                return SV_ERR_INVALID;
            }
        prefs.order[prefs.n++] = (sv__codec_family)f;
        if (!end)
            break;
        p = end + 1;
    }
    *out = prefs;
    return 0;
}

void sv__codec_mask_names(unsigned mask, char *buf, size_t len)
{
    size_t used = 0;
    if (len)
        buf[0] = '\0';
    for (int f = SV__CODEC_H264; f <= SV__CODEC_COUNT; f++) {
        int fam = f == SV__CODEC_COUNT ? SV__CODEC_UNKNOWN : f; /* unknown last */
        if (!(mask & SV__CODEC_BIT(fam)) || used >= len)
            continue;
        int w = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", family_names[fam]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    if (!used && len)
        snprintf(buf, len, "none");
}

static unsigned prefs_mask(const sv__codec_prefs *prefs)
{
    unsigned m = 0;
    for (size_t i = 0; i < prefs->n; i++)
        m |= SV__CODEC_BIT(prefs->order[i]);
    return m;
}

int sv__codec_choose(unsigned present, unsigned decodable, const sv__codec_prefs *prefs,
                     char *err, size_t errlen)
{
    for (size_t i = 0; i < prefs->n; i++) {
        sv__codec_family f = prefs->order[i];
        if ((present & SV__CODEC_BIT(f)) && (decodable & SV__CODEC_BIT(f)))
            return (int)f;
    }
    if (present & SV__CODEC_BIT(SV__CODEC_UNKNOWN))
        return SV__CODEC_UNKNOWN;
    char found[64], allowed[64], dec[64];
    sv__codec_mask_names(present, found, sizeof(found));
    sv__codec_mask_names(prefs_mask(prefs), allowed, sizeof(allowed));
    sv__codec_mask_names(decodable & ~SV__CODEC_BIT(SV__CODEC_UNKNOWN), dec, sizeof(dec));
    snprintf(err, errlen, "no playable video codec: the stream has %s; allowed: %s; "
             "this device decodes: %s", found, allowed, dec);
    return -1;
}

unsigned sv__codec_ladder_mask(int chosen, unsigned present, unsigned decodable,
                               const sv__codec_prefs *prefs, int allow_switch)
{
    if (chosen < 0)
        return 0;
    unsigned m = SV__CODEC_BIT(chosen);
    if (allow_switch)
        m |= present & ((prefs_mask(prefs) & decodable) | SV__CODEC_BIT(SV__CODEC_UNKNOWN));
    return m;
}
