/*
 * channels.c - what the channel rows need beyond their back end: names,
 * keys, states, the choice of a free port pair; the rows themselves go
 * through the catalog's operations (catalog_internal.h). The state names
 * the back ends store are channels_state.c's, below the catalog.
 */
#include <jansson.h>
#include <math.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#include "backend/catalog_internal.h"
#include "backend/channels.h"
#include "streamverse/common.h"

int sv__channel_name_valid(const char *name)
{
    size_t n = name ? strlen(name) : 0;

    if (n == 0 || n > SV__CHANNEL_NAME_MAX)
        return 0;
    return strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

int sv__channel_new_key(char *key)
{
    unsigned char rnd[SV__CHANNEL_KEY_LEN / 2];

    if (RAND_bytes(rnd, sizeof(rnd)) != 1)
        return SV_ERR_INTERNAL;
    for (size_t i = 0; i < sizeof(rnd); i++)
        snprintf(key + 2 * i, 3, "%02x", rnd[i]);
    return 0;
}

static int port_used(const sv__channel *list, int n, int port)
{
    for (int i = 0; i < n; i++)
        if (list[i].srt_port == port || list[i].rtmp_port == port)
            return 1;
    return 0;
}

int sv__catalog_channel_add(sv__catalog *cat, sv__channel *ch, int port_base)
{
    sv__channel list[SV__CHANNEL_MAX];
    int n = cat->ops->channels(cat, list, SV__CHANNEL_MAX);

    if (n < 0)
        return n;
    if (n >= SV__CHANNEL_MAX)
        return SV_ERR_OVERFLOW;
    if (!ch->srt_port || !ch->rtmp_port) {
        /* The first pair (base + 2k, base + 2k + 1) no channel uses. */
        int p = port_base;

        while (p + 1 < 65536 && (port_used(list, n, p) || port_used(list, n, p + 1)))
            p += 2;
        if (p + 1 >= 65536)
            return SV_ERR_OVERFLOW;
        ch->srt_port = p;
        ch->rtmp_port = p + 1;
    } else if (ch->srt_port == ch->rtmp_port || port_used(list, n, ch->srt_port) ||
               port_used(list, n, ch->rtmp_port)) {
        return SV_ERR_STATE;
    }
    ch->created = sv__cat_now();
    return cat->ops->channel_insert(cat, ch);
}

int sv__catalog_channel_get(sv__catalog *cat, const char *name, sv__channel *out)
{
    return cat->ops->channel_get(cat, name, out);
}

int sv__catalog_channels(sv__catalog *cat, sv__channel *out, int cap)
{
    return cat->ops->channels(cat, out, cap);
}

int sv__catalog_channel_remove(sv__catalog *cat, const char *name)
{
    return cat->ops->channel_remove(cat, name);
}

int sv__catalog_channel_set_state(sv__catalog *cat, const char *name, int state,
                                  int64_t title_id)
{
    if (state < 0 || state >= SV__CHANNEL_NB)
        return SV_ERR_INVALID;
    return cat->ops->channel_set_state(cat, name, state, title_id);
}

/* ---- settings --------------------------------------------------------------- */

static int number(json_t *root, const char *key, double lo, double hi, double *v, char *err,
                  size_t errlen)
{
    json_t *j = json_object_get(root, key);

    if (!j)
        return 0;
    if (!json_is_number(j) || json_number_value(j) < lo || json_number_value(j) > hi) {
        snprintf(err, errlen, "channel setting %s: expected a number from %g to %g", key, lo,
                 hi);
        return SV_ERR_INVALID;
    }
    *v = json_number_value(j);
    return 0;
}

int sv__channel_settings_parse(const char *text, sv__channel_settings *s, char *err,
                               size_t errlen)
{
    json_t *root = NULL, *lad;
    const char *key;
    json_t *val;
    double parts;
    int ret = SV_ERR_INVALID, commas = 0;

    *s = (sv__channel_settings){300, 2, 0.4, 10, 1.5, "360:800,540:1600,720:2800", 0, "none"};
    if (!text || !text[0])
        return 0;
    if (!(root = json_loads(text, JSON_REJECT_DUPLICATES, NULL)) || !json_is_object(root)) {
        snprintf(err, errlen, "channel settings: expected a JSON object");
        goto out;
    }
    json_object_foreach(root, key, val) {
        if (strcmp(key, "dvr_s") && strcmp(key, "segment_s") && strcmp(key, "part_s") &&
            strcmp(key, "end_after_s") && strcmp(key, "target_latency_s") &&
            strcmp(key, "ladder") && strcmp(key, "passthrough") && strcmp(key, "encrypt")) {
            snprintf(err, errlen, "channel settings: unknown key '%.40s'", key);
            goto out;
        }
    }
    if (number(root, "dvr_s", 10, 86400, &s->dvr_s, err, errlen) < 0 ||
        number(root, "segment_s", 1, 10, &s->segment_s, err, errlen) < 0 ||
        number(root, "part_s", 0.1, 1, &s->part_s, err, errlen) < 0 ||
        number(root, "end_after_s", 1, 3600, &s->end_after_s, err, errlen) < 0 ||
        number(root, "target_latency_s", 0.5, 30, &s->target_latency_s, err, errlen) < 0)
        goto out;
    parts = (double)lround(s->segment_s / s->part_s);
    if (fabs(parts * s->part_s - s->segment_s) > 1e-6) {
        snprintf(err, errlen, "channel settings: part_s %g does not divide segment_s %g into "
                 "whole parts", s->part_s, s->segment_s);
        goto out;
    }
    if ((lad = json_object_get(root, "passthrough"))) {
        if (!json_is_boolean(lad)) {
            snprintf(err, errlen, "channel setting passthrough: expected true or false");
            goto out;
        }
        s->passthrough = json_is_true(lad);
    }
    if ((lad = json_object_get(root, "encrypt"))) {
        const char *t = json_string_value(lad);

        if (!t || (strcmp(t, "none") && strcmp(t, "cenc") && strcmp(t, "cbcs"))) {
            snprintf(err, errlen, "channel setting encrypt: expected \"none\", \"cenc\" or "
                     "\"cbcs\", not %.20s", t ? t : "a non-string");
            goto out;
        }
        snprintf(s->encrypt, sizeof(s->encrypt), "%s", t);
    }
    if ((lad = json_object_get(root, "ladder"))) {
        const char *t = json_string_value(lad);

        for (const char *p = t; p && *p; p++)
            commas += *p == ',';
        if (!t || !t[0] || strlen(t) >= sizeof(s->ladder) || commas > 2 ||
            strspn(t, "0123456789:,") != strlen(t)) {
            snprintf(err, errlen, "channel setting ladder: expected 1 to 3 rungs H:KBPS,...");
            goto out;
        }
        snprintf(s->ladder, sizeof(s->ladder), "%s", t);
    }
    ret = 0;
out:
    json_decref(root);
    return ret;
}

int sv__channel_settings_format(const sv__channel_settings *s, char *out, size_t cap)
{
    int n = snprintf(out, cap, "{\"dvr_s\":%g,\"segment_s\":%g,\"part_s\":%g,"
                     "\"end_after_s\":%g,\"target_latency_s\":%g,\"ladder\":\"%s\","
                     "\"passthrough\":%s,\"encrypt\":\"%s\"}",
                     s->dvr_s, s->segment_s, s->part_s, s->end_after_s, s->target_latency_s,
                     s->ladder, s->passthrough ? "true" : "false", s->encrypt);

    return n < 0 || (size_t)n >= cap ? SV_ERR_OVERFLOW : 0;
}

void sv__channel_urls(const sv__channel *ch, const char *host, char *srt, size_t srt_cap,
                      char *rtmp, size_t rtmp_cap)
{
    const char *br = strchr(host, ':') ? "[" : "", *bl = strchr(host, ':') ? "]" : "";

    snprintf(srt, srt_cap, "srt://%s%s%s:%d?passphrase=%s&pbkeylen=16", br, host, bl,
             ch->srt_port, ch->key);
    snprintf(rtmp, rtmp_cap, "rtmp://%s%s%s:%d/live/%s", br, host, bl, ch->rtmp_port, ch->key);
}
