/*
 * Track roles, the host's language preference lists and the choice of the
 * audio or text track they make (player/model/track_prefs.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "player/model/track_prefs.h"
#include "streamverse/common.h"

static const struct {
    const char *name;
    unsigned bit;
} roles[] = {
    { "main", SV__ROLE_MAIN },           { "alternate", SV__ROLE_ALTERNATE },
    { "commentary", SV__ROLE_COMMENTARY }, { "description", SV__ROLE_DESCRIPTION },
    { "caption", SV__ROLE_CAPTION },     { "subtitle", SV__ROLE_SUBTITLE },
    { "forced", SV__ROLE_FORCED },
};
#define NB_ROLES (sizeof(roles) / sizeof(roles[0]))
#define ROLE_LIST "main, alternate, commentary, description, caption, subtitle, forced"

unsigned sv__role_of(const char *name, size_t n)
{
    for (size_t i = 0; i < NB_ROLES; i++)
        if (strlen(roles[i].name) == n && strncasecmp(name, roles[i].name, n) == 0)
            return roles[i].bit;
    return 0;
}

void sv__role_names(unsigned bits, char *buf, size_t len)
{
    size_t used = 0;
    if (!len)
        return;
    buf[0] = '\0';
    for (size_t i = 0; i < NB_ROLES && used < len; i++) {
        if (!(bits & roles[i].bit))
            continue;
        int w = snprintf(buf + used, len - used, "%s%s", used ? "," : "", roles[i].name);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

static void trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

/* Whether s[n] has the shape of a BCP 47 tag: subtags of 1 to 8 letters or
 * digits joined by '-', the first one letters only (a single letter only
 * as the private-use "x" or grandfathered "i" prefix). */
static int tag_shaped(const char *s, size_t n)
{
    size_t i = 0, sub = 0;
    if (n == 0 || n > SV__LANG_TAG_MAX)
        return 0;
    while (i < n) {
        size_t len = 0;
        while (i + len < n && s[i + len] != '-') {
            unsigned char c = (unsigned char)s[i + len];
            if (!(sub == 0 ? isalpha(c) : isalnum(c)))
                return 0;
            len++;
        }
        if (len == 0 || len > 8)
            return 0;
        if (sub == 0 && len == 1 && (tolower((unsigned char)s[0]) != 'x' &&
                                     tolower((unsigned char)s[0]) != 'i'))
            return 0;
        if (sub == 0 && len == 1 && i + len == n)
            return 0; /* "x" alone */
        i += len;
        if (i < n && ++i == n)
            return 0; /* a trailing '-' */
        sub++;
    }
    return 1;
}

int sv__lang_prefs_parse(const char *list, sv__lang_prefs *out, char *err, size_t errlen)
{
    sv__lang_prefs prefs = { .n = 0 };
    if (!list || !*list) {
        *out = prefs;
        return 0;
    }
    for (const char *p = list;;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *s = p;
        trim(&s, &n);
        if (n == 0) {
            snprintf(err, errlen, "language list '%s' has an empty entry (expected "
                     "LANG[:ROLE], comma-separated)", list);
            return SV_ERR_INVALID;
        }
        if (prefs.n == SV__LANG_PREFS_MAX) {
            snprintf(err, errlen, "language list '%s' has more than %d entries", list,
                     SV__LANG_PREFS_MAX);
            return SV_ERR_INVALID;
        }
        const char *colon = memchr(s, ':', n);
        size_t tlen = colon ? (size_t)(colon - s) : n;
        sv__lang_pref *pref = &prefs.list[prefs.n];
        if (!(tlen == 1 && s[0] == '*') && !tag_shaped(s, tlen)) {
            snprintf(err, errlen, "'%.*s' is not a language tag (BCP 47, like en, pt-BR or "
                     "zh-Hant, at most %d characters; or * for any language)",
                     (int)tlen, s, SV__LANG_TAG_MAX);
            return SV_ERR_INVALID;
        }
        for (size_t i = 0; i < tlen; i++)
            pref->tag[i] = (char)tolower((unsigned char)s[i]);
        pref->tag[tlen] = '\0';
        pref->role = 0;
        if (colon) {
            const char *r = colon + 1;
            size_t rlen = n - tlen - 1;
            if (!(pref->role = sv__role_of(r, rlen))) {
                snprintf(err, errlen, "'%.*s' in '%.*s' is not a track role (%s)", (int)rlen,
                         r, (int)n, s, ROLE_LIST);
                return SV_ERR_INVALID;
            }
        }
        prefs.n++;
        if (!end)
            break;
        p = end + 1;
    }
    *out = prefs;
    return 0;
}

/* ---- matching ------------------------------------------------------------- */

/*
 * How well a track's language matches a preferred tag: 0 for no match;
 * otherwise higher is closer. RFC 4647 lookup: the whole tag first, then
 * with its last subtag dropped (and a singleton left before it), and so
 * on; at each step a track tagged exactly so beats one that extends it.
 */
static int lang_score(const char *want, const char *have)
{
    size_t n = strlen(want);
    if (want[0] == '*' && want[1] == '\0')
        return 1;
    if (!have || !*have)
        return 0;
    size_t hlen = strlen(have);
    for (int step = 0; n > 0; step++) {
        if (hlen >= n && strncasecmp(have, want, n) == 0) {
            if (hlen == n)
                return 1000 - 2 * step;
            if (have[n] == '-')
                return 999 - 2 * step;
        }
        /* Drop the last subtag, and a singleton left before it ("x", "u"). */
        size_t cut = n;
        while (cut > 0 && want[cut - 1] != '-')
            cut--;
        if (cut == 0)
            break;
        n = cut - 1;
        if (n == 1 || (n >= 2 && want[n - 2] == '-'))
            n = n == 1 ? 0 : n - 2;
    }
    return 0;
}

/* 0 for a main track (main, subtitle, or nothing said), 1 alternate, 2
 * commentary, 3 accessibility or forced: the order a plain preference
 * takes them in. */
static int plain_rank(const sv__track *t)
{
    if (t->roles & (SV__ROLE_DESCRIPTION | SV__ROLE_CAPTION | SV__ROLE_FORCED))
        return 3;
    if (t->roles & SV__ROLE_COMMENTARY)
        return 2;
    if ((t->roles & SV__ROLE_ALTERNATE) && !(t->roles & SV__ROLE_MAIN))
        return 1;
    return 0;
}

static int has_role(const sv__track *t, unsigned role)
{
    /* Asking for the main track (or for plain subtitles) takes a track
     * whose manifest says nothing about its role too. */
    if (role == SV__ROLE_MAIN || role == SV__ROLE_SUBTITLE)
        return (t->roles & role) || plain_rank(t) == 0;
    return (t->roles & role) != 0;
}

int sv__lang_pick(const sv__period *per, sv_track_type type, const sv__lang_prefs *prefs)
{
    for (size_t k = 0; prefs && k < prefs->n; k++) {
        const sv__lang_pref *pref = &prefs->list[k];
        const sv__track *best = NULL;
        int best_rank = 0, best_score = 0;
        for (size_t i = 0; i < per->nb_tracks; i++) {
            const sv__track *t = &per->tracks[i];
            int score = t->type == type ? lang_score(pref->tag, t->language) : 0;
            if (!score || (pref->role && !has_role(t, pref->role)))
                continue;
            int rank = pref->role ? 0 : plain_rank(t);
            /* Lower rank, then closer tag, then the manifest's default;
             * the first listed on a tie. */
            if (!best || rank < best_rank ||
                (rank == best_rank && (score > best_score ||
                                       (score == best_score && t->is_default && !best->is_default)))) {
                best = t;
                best_rank = rank;
                best_score = score;
            }
        }
        if (best)
            return best->index;
    }
    return -1;
}

int sv__lang_default(const sv__period *per, sv_track_type type)
{
    const sv__track *first = NULL, *plain = NULL;
    for (size_t i = 0; i < per->nb_tracks; i++) {
        const sv__track *t = &per->tracks[i];
        if (t->type != type)
            continue;
        if (t->is_default)
            return t->index;
        if (!first)
            first = t;
        if (!plain && plain_rank(t) < 2)
            plain = t;
    }
    return plain ? plain->index : first ? first->index : -1;
}

int sv__lang_pick_caption(const sv__period *per, const sv__lang_pref *pref)
{
    int best = -1, best_score = 0;

    for (size_t i = 0; i < per->nb_captions; i++) {
        int score = per->captions[i].service >= 0
                        ? lang_score(pref->tag, per->captions[i].language) : 0;
        if (score > best_score) {
            best = (int)i;
            best_score = score;
        }
    }
    return best;
}
