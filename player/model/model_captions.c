/*
 * model_captions.c - the closed captions a manifest declares in the video
 * (model.h, sv__caption_decl):
 *
 *   HLS   EXT-X-MEDIA TYPE=CLOSED-CAPTIONS, INSTREAM-ID "CC1"-"CC4" or
 *         "SERVICE1"-"SERVICE63", LANGUAGE, NAME (RFC 8216 4.4.6.1), of a
 *         group that a variant's CLOSED-CAPTIONS names;
 *   DASH  Accessibility urn:scte:dash:cc:cea-608:2015 ("CC1=eng;CC3=deu",
 *         or languages alone: CC1 and CC3 for two, else CC1, CC2, ...) and
 *         urn:scte:dash:cc:cea-708:2015 ("1=lang:eng;2=lang:deu", extra
 *         ",key:value" parameters ignored, or languages alone: services 1,
 *         2, ...); no value: CC1 or service 1 (DASH-IF IOP 6.4.3).
 *
 * The descriptor values are split here on ';', '=', ',' and ':' (they are
 * attribute text the XML parser already read). Entries that do not parse
 * are left out; nothing here fails but for memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "player/model/model_internal.h"

#define MAX_DECLS 67 /* CC1-CC4 and 63 services */

/* The two-letter ISO 639-1 form of the ISO 639-2 codes DASH captions use
 * most (both the bibliographic and terminology forms), so that "en"
 * preferences match "eng". */
static const char *const iso639[][2] = {
    { "eng", "en" }, { "deu", "de" }, { "ger", "de" }, { "fra", "fr" }, { "fre", "fr" },
    { "spa", "es" }, { "ita", "it" }, { "por", "pt" }, { "nld", "nl" }, { "dut", "nl" },
    { "jpn", "ja" }, { "zho", "zh" }, { "chi", "zh" }, { "kor", "ko" }, { "rus", "ru" },
    { "ara", "ar" }, { "swe", "sv" }, { "nor", "no" }, { "dan", "da" }, { "fin", "fi" },
    { "pol", "pl" }, { "tur", "tr" }, { "hin", "hi" }, { "ell", "el" }, { "gre", "el" },
    { "heb", "he" }, { "ces", "cs" }, { "cze", "cs" }, { "hun", "hu" }, { "vie", "vi" },
};

/* "CC1".."CC4" or "SERVICE1".."SERVICE63" (case-insensitive): the service
 * number (0 CC1, -1 the other 608 channels, 1-63) and the canonical name;
 * -2 when it is neither. */
static int parse_name(const char *s, size_t n, char name[12])
{
    char buf[16];
    char *end;

    if (n == 0 || n >= sizeof(buf))
        return -2;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (!strncasecmp(buf, "CC", 2) && n == 3 && buf[2] >= '1' && buf[2] <= '4') {
        snprintf(name, 12, "CC%c", buf[2]);
        return buf[2] == '1' ? 0 : -1;
    }
    if (strncasecmp(buf, "SERVICE", 7) || buf[7] < '1' || buf[7] > '9')
        return -2;
    long v = strtol(buf + 7, &end, 10);
    if (*end || v < 1 || v > 63)
        return -2;
    snprintf(name, 12, "SERVICE%ld", v);
    return (int)v;
}

static const char *language(sv__arena *a, const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n == 3)
        for (size_t i = 0; i < sizeof(iso639) / sizeof(iso639[0]); i++)
            if (!strncasecmp(s, iso639[i][0], 3))
                return iso639[i][1];
    if (n == 3 && !strncasecmp(s, "und", 3))
        return "";
    return sv__arena_strndup(a, s, n);
}

static int add(sv__arena *a, sv__period *p, const char *name, int service, const char *lang,
               const char *label)
{
    for (size_t i = 0; i < p->nb_captions; i++)
        if (!strcmp(p->captions[i].name, name))
            return 0;
    if (p->nb_captions == MAX_DECLS)
        return 0;
    if (!p->captions && !(p->captions = sv__arena_alloc(a, MAX_DECLS * sizeof(*p->captions))))
        return SV_ERR_NOMEM;
    if (!lang || !label)
        return SV_ERR_NOMEM;
    sv__caption_decl *d = &p->captions[p->nb_captions++];
    snprintf(d->name, sizeof(d->name), "%s", name);
    d->service = service;
    d->language = lang;
    d->label = label;
    return 0;
}

int sv__model_captions_hls(sv__arena *a, sv__period *p, const sv__hls_playlist *pl)
{
    for (size_t i = 0; i < pl->nb_renditions; i++) {
        const sv__hls_rendition *r = &pl->renditions[i];
        char name[12];
        int used = 0, service;
        if (r->type != SV_HLS_CLOSED_CAPTIONS || !r->instream_id)
            continue;
        for (size_t k = 0; k < pl->nb_variants && !used; k++)
            used = pl->variants[k].closed_captions && r->group_id &&
                   !strcmp(pl->variants[k].closed_captions, r->group_id);
        if (!used || (service = parse_name(r->instream_id, strlen(r->instream_id), name)) < -1)
            continue;
        int ret = add(a, p, name, service, sv__model_str(a, r->language), sv__model_str(a, r->name));
        if (ret < 0)
            return ret;
    }
    return 0;
}

/* One "KEY=LANG..." or "LANG" entry of a descriptor value, entry `k` of
 * `count`. */
static int dash_entry(sv__arena *a, sv__period *p, int is708, const char *s, size_t n, int k,
                      int count)
{
    const char *eq = memchr(s, '=', n);
    char name[12], key[32];
    const char *lang = s;
    size_t lang_n = n;
    int service;

    if (eq) {
        size_t kn = (size_t)(eq - s);
        if (kn == 0 || kn > 3)
            return 0;
        /* "CC1" or "1" (608), "1" (708). */
        snprintf(key, sizeof(key), "%s%.*s", is708 ? "SERVICE" : (s[0] == 'C' || s[0] == 'c')
                                                                    ? "" : "CC", (int)kn, s);
        lang = eq + 1;
        lang_n = n - kn - 1;
        const char *comma = memchr(lang, ',', lang_n);
        if (comma)
            lang_n = (size_t)(comma - lang);
        const char *colon = memchr(lang, ':', lang_n); /* "lang:eng" */
        if (colon) {
            lang_n -= (size_t)(colon + 1 - lang);
            lang = colon + 1;
        }
    } else if (is708) {
        snprintf(key, sizeof(key), "SERVICE%d", k + 1);
    } else {
        snprintf(key, sizeof(key), "CC%d", count == 2 ? 1 + 2 * k : k + 1);
    }
    if ((service = parse_name(key, strlen(key), name)) < -1)
        return 0;
    return add(a, p, name, service, language(a, lang, lang_n), "");
}

int sv__model_captions_dash(sv__arena *a, sv__period *p, const sv__dash_adaptation *as)
{
    for (size_t i = 0; i < as->nb_accessibility; i++) {
        const sv__dash_descriptor *d = &as->accessibility[i];
        int is708 = !strcmp(d->scheme_id_uri, "urn:scte:dash:cc:cea-708:2015");
        int ret = 0;
        if (!is708 && strcmp(d->scheme_id_uri, "urn:scte:dash:cc:cea-608:2015"))
            continue;
        if (!d->value || !*d->value) {
            ret = add(a, p, is708 ? "SERVICE1" : "CC1", is708 ? 1 : 0, "", "");
            if (ret < 0)
                return ret;
            continue;
        }
        int count = 1;
        for (const char *s = d->value; *s; s++)
            count += *s == ';';
        const char *s = d->value;
        for (int k = 0; k < count && ret >= 0 && k < MAX_DECLS; k++) {
            const char *semi = strchr(s, ';');
            size_t n = semi ? (size_t)(semi - s) : strlen(s);
            ret = dash_entry(a, p, is708, s, n, k, count);
            s = semi ? semi + 1 : s + n;
        }
        if (ret < 0)
            return ret;
    }
    return 0;
}
