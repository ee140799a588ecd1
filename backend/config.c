#include <arpa/inet.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/catalog.h"
#include "backend/config.h"
#include "backend/steering.h"
#include "platform/hex.h"
#include "streamverse/common.h"

static const char *const keys[] = {
    "listen", "data", "db", "workers", "log-level", "log-json", "max-upload-mb", "max-header-bytes",
    "max-body-kb", "header-timeout", "idle-timeout", "drain-timeout", "ladder", "codecs",
    "segment-seconds", "preset", "max-attempts", "job-lease", "job-parts", "master-key",
    "token-secret", "drm", "media-auth", "edge-secret", "cdns", "heartbeat-interval",
    "playback-token-ttl", "login-ttl", "steering-ttl", "max-connections", "rate-limit",
    "rate-burst", "trusted-proxies", "public-url", "log-rate", "login-free-failures", "login-backoff-max",
    "login-lockout-failures", "login-lockout", "login-fail-window", "login-max-pending",
    "offline-devices", "offline-license-ttl",
};

/* The login guard's limits (login_guard.h): key, field, range. */
static const struct {
    const char *key;
    size_t off;
    int lo, hi;
} login_keys[] = {
    {"login-free-failures", offsetof(sv__login_limits, free_failures), 0, 1000000},
    {"login-backoff-max", offsetof(sv__login_limits, backoff_max_s), 1, 86400},
    {"login-lockout-failures", offsetof(sv__login_limits, lockout_failures), 1, 1000000},
    {"login-lockout", offsetof(sv__login_limits, lockout_s), 1, 30 * 86400},
    {"login-fail-window", offsetof(sv__login_limits, window_s), 1, 30 * 86400},
    {"login-max-pending", offsetof(sv__login_limits, max_pending), 1, 100000},
};

void sv__config_default(sv__config *c)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->listen_host, sizeof(c->listen_host), "127.0.0.1");
    c->listen_port = 8080;
    snprintf(c->data_dir, sizeof(c->data_dir), "svdata");
    snprintf(c->drm, sizeof(c->drm), "none");
    snprintf(c->media_auth, sizeof(c->media_auth), "none");
    c->heartbeat_s = 10;
    c->playback_token_ttl = 120;
    c->login_ttl = 43200;
    c->steering_ttl = 10;
    c->offline_devices = 3;
    c->offline_license_ttl = 30 * 86400;
    sv__login_limits_default(&c->login);
    c->rate_limit = 20;
    c->rate_burst = 100;
    c->log_rate = 100;
    c->workers = 2;
    c->log_level = SV_LOG_INFO;
    c->max_upload_bytes = 4ull << 30;
    c->max_attempts = 3;
    c->job_lease = 30;
    c->job_parts = 1;
    sv__http_limits_default(&c->http);
#ifdef SV_HAVE_MEDIA
    sv__ladder_default(&c->ladder);
#endif
}

int sv__config_parse_listen(const char *s, char *host, size_t cap, int *port)
{
    const char *colon = strrchr(s, ':');
    const char *h = s;
    size_t hlen;
    char *end;
    long p;

    if (!colon)
        return SV_ERR_INVALID;
    hlen = (size_t)(colon - s);
    if (hlen >= 2 && s[0] == '[' && colon[-1] == ']') {
        h = s + 1;
        hlen -= 2;
    }
    p = strtol(colon + 1, &end, 10);
    if (!hlen || hlen >= cap || *end || end == colon + 1 || p < 0 || p > 65535)
        return SV_ERR_INVALID;
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    *port = (int)p;
    return 0;
}

static int parse_num(const char *v, double lo, double hi, double *out)
{
    char *end;
    double d = strtod(v, &end);

    if (end == v || *end || !(d >= lo && d <= hi))
        return SV_ERR_INVALID;
    *out = d;
    return 0;
}

/* "addr,addr": IPv4 or IPv6 literals (the form req->peer has). */
static int check_addresses(const char *v)
{
    char buf[256];

    snprintf(buf, sizeof(buf), "%s", v);
    for (char *save = NULL, *a = strtok_r(buf, ",", &save); a; a = strtok_r(NULL, ",", &save)) {
        unsigned char bin[16];

        if (inet_pton(AF_INET, a, bin) != 1 && inet_pton(AF_INET6, a, bin) != 1)
            return SV_ERR_INVALID;
    }
    return 0;
}

int sv__config_set(sv__config *c, const char *key, const char *v, char *err, size_t errlen)
{
    double d;

    if (!strcmp(key, "listen")) {
        if (sv__config_parse_listen(v, c->listen_host, sizeof(c->listen_host), &c->listen_port) < 0)
            goto bad;
    } else if (!strcmp(key, "data")) {
        if (!v[0] || strlen(v) >= sizeof(c->data_dir) - 64)
            goto bad;
        snprintf(c->data_dir, sizeof(c->data_dir), "%s", v);
    } else if (!strcmp(key, "db")) {
        /* May hold a password: a bad value is reported without echoing it. */
        if ((v[0] && !sv__catalog_is_url(v)) || strlen(v) >= sizeof(c->db)) {
            snprintf(err, errlen, "db must be a postgresql:// URL (or empty for the SQLite "
                     "catalog in the data folder)");
            return SV_ERR_INVALID;
        }
        snprintf(c->db, sizeof(c->db), "%s", v);
    } else if (!strcmp(key, "workers")) {
        if (parse_num(v, 0, 64, &d) < 0)
            goto bad;
        c->workers = (int)d;
    } else if (!strcmp(key, "log-level")) {
        if ((c->log_level = sv__log_level_parse(v)) < 0)
            goto bad;
    } else if (!strcmp(key, "log-json")) {
        if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes"))
            c->log_json = 1;
        else if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "no"))
            c->log_json = 0;
        else
            goto bad;
    } else if (!strcmp(key, "max-upload-mb")) {
        if (parse_num(v, 1, 1 << 20, &d) < 0)
            goto bad;
        c->max_upload_bytes = (uint64_t)(d * 1024 * 1024);
    } else if (!strcmp(key, "max-header-bytes")) {
        if (parse_num(v, 1024, 1 << 20, &d) < 0)
            goto bad;
        c->http.max_head_bytes = (size_t)d;
    } else if (!strcmp(key, "max-body-kb")) {
        if (parse_num(v, 1, 1 << 20, &d) < 0)
            goto bad;
        c->http.max_body_bytes = (size_t)(d * 1024);
    } else if (!strcmp(key, "header-timeout") || !strcmp(key, "idle-timeout") ||
               !strcmp(key, "drain-timeout")) {
        if (parse_num(v, 0.01, 86400, &d) < 0)
            goto bad;
        *(key[0] == 'h' ? &c->http.header_timeout_ms
          : key[0] == 'i' ? &c->http.idle_timeout_ms : &c->http.drain_timeout_ms) =
            (unsigned)(d * 1000);
    } else if (!strcmp(key, "ladder")) {
        if (sv__ladder_parse(v, &c->ladder) < 0)
            goto bad;
    } else if (!strcmp(key, "codecs")) {
        /* The names are checked here, the encoders at startup. */
        if (sv__codecs_parse(v, &c->ladder.codecs, err, errlen) < 0)
            return SV_ERR_INVALID;
    } else if (!strcmp(key, "segment-seconds")) {
        if (parse_num(v, 0.5, 60, &d) < 0)
            goto bad;
        c->ladder.segment_s = d;
    } else if (!strcmp(key, "preset")) {
        if (!v[0] || strlen(v) >= sizeof(c->preset))
            goto bad;
        snprintf(c->preset, sizeof(c->preset), "%s", v);
        c->ladder.x264_preset = c->preset;
    } else if (!strcmp(key, "max-attempts")) {
        if (parse_num(v, 1, 100, &d) < 0)
            goto bad;
        c->max_attempts = (int)d;
    } else if (!strcmp(key, "job-lease")) {
        if (parse_num(v, 2, 3600, &d) < 0)
            goto bad;
        c->job_lease = (int)d;
    } else if (!strcmp(key, "job-parts")) {
        if (parse_num(v, 1, SV_MEDIA_MAX_PARTS, &d) < 0)
            goto bad;
        c->job_parts = (int)d;
    } else if (!strcmp(key, "master-key")) {
        /* A secret: a bad value is reported without echoing it. */
        if (sv__hex_decode(v, c->master_key, sizeof(c->master_key)) < 0) {
            snprintf(err, errlen, "master-key must be %zu hex digits (a 256-bit key)",
                     2 * sizeof(c->master_key));
            return SV_ERR_INVALID;
        }
        c->has_master_key = 1;
    } else if (!strcmp(key, "token-secret")) {
        if (strlen(v) < 16 || strlen(v) >= sizeof(c->token_secret)) {
            snprintf(err, errlen, "token-secret must be 16 to %zu characters",
                     sizeof(c->token_secret) - 1);
            return SV_ERR_INVALID;
        }
        snprintf(c->token_secret, sizeof(c->token_secret), "%s", v);
    } else if (!strcmp(key, "drm")) {
        if (strcmp(v, "none") && strcmp(v, "cenc") && strcmp(v, "cbcs"))
            goto bad;
        snprintf(c->drm, sizeof(c->drm), "%s", v);
    } else if (!strcmp(key, "media-auth")) {
        if (strcmp(v, "none") && strcmp(v, "token"))
            goto bad;
        snprintf(c->media_auth, sizeof(c->media_auth), "%s", v);
    } else if (!strcmp(key, "edge-secret")) {
        if (strlen(v) < 16 || strlen(v) >= sizeof(c->edge_secret) || strpbrk(v, " \t\"$;{}'")) {
            snprintf(err, errlen, "edge-secret must be 16 to %zu characters without blanks, "
                     "quotes, '$', ';' or braces (it goes into nginx.conf)",
                     sizeof(c->edge_secret) - 1);
            return SV_ERR_INVALID;
        }
        snprintf(c->edge_secret, sizeof(c->edge_secret), "%s", v);
    } else if (!strcmp(key, "cdns")) {
        if (strlen(v) >= sizeof(c->cdns) || sv__cdns_parse(v, NULL, err, errlen) < 0)
            goto bad;
        snprintf(c->cdns, sizeof(c->cdns), "%s", v);
    } else if (!strcmp(key, "heartbeat-interval")) {
        if (parse_num(v, 0.2, 3600, &c->heartbeat_s) < 0)
            goto bad;
    } else if (!strcmp(key, "playback-token-ttl") || !strcmp(key, "login-ttl") ||
               !strcmp(key, "steering-ttl")) {
        if (parse_num(v, 1, 30 * 86400, &d) < 0)
            goto bad;
        *(key[0] == 'p' ? &c->playback_token_ttl
          : key[0] == 'l' ? &c->login_ttl : &c->steering_ttl) = (int)d;
    } else if (!strcmp(key, "offline-devices")) {
        if (parse_num(v, 0, 1000, &d) < 0)
            goto bad;
        c->offline_devices = (int)d;
    } else if (!strcmp(key, "offline-license-ttl")) {
        if (parse_num(v, 1, 3650.0 * 86400, &d) < 0)
            goto bad;
        c->offline_license_ttl = (int64_t)d;
    } else if (!strcmp(key, "max-connections")) {
        if (parse_num(v, 0, 10000000, &d) < 0)
            goto bad;
        c->http.max_connections = (size_t)d;
    } else if (!strcmp(key, "rate-limit")) {
        if (parse_num(v, 0, 1e6, &c->rate_limit) < 0)
            goto bad;
    } else if (!strcmp(key, "rate-burst")) {
        if (parse_num(v, 1, 1e6, &c->rate_burst) < 0)
            goto bad;
    } else if (!strcmp(key, "log-rate")) {
        if (parse_num(v, 0, 1e6, &c->log_rate) < 0)
            goto bad;
    } else if (!strcmp(key, "public-url")) {
        size_t n = strlen(v);
        if (!strcmp(v, "none")) {
            c->public_url[0] = '\0';
        } else if (n >= sizeof(c->public_url) || strpbrk(v, " \t\"',<>\\?#") ||
                   (strncmp(v, "http://", 7) && strncmp(v, "https://", 8)) ||
                   n <= (size_t)(v[4] == 's' ? 8 : 7)) {
            snprintf(err, errlen, "public-url must be http(s)://host[:port][/path], at most %zu "
                     "characters, without blanks, quotes, commas, '<', '>', '\\', '?' or '#'",
                     sizeof(c->public_url) - 1);
            return SV_ERR_INVALID;
        } else {
            while (n > 0 && v[n - 1] == '/')
                n--;
            snprintf(c->public_url, sizeof(c->public_url), "%.*s", (int)n, v);
        }
    } else if (!strcmp(key, "trusted-proxies")) {
        if (strlen(v) >= sizeof(c->trusted_proxies) || check_addresses(v) < 0)
            goto bad;
        snprintf(c->trusted_proxies, sizeof(c->trusted_proxies), "%s", v);
    } else if (!strncmp(key, "login-", 6) && strcmp(key, "login-ttl")) {
        size_t i = 0, n = sizeof(login_keys) / sizeof(login_keys[0]);

        while (i < n && strcmp(key, login_keys[i].key))
            i++;
        if (i == n) {
            snprintf(err, errlen, "unknown setting '%s'", key);
            return SV_ERR_INVALID;
        }
        if (parse_num(v, login_keys[i].lo, login_keys[i].hi, &d) < 0)
            goto bad;
        *(int *)((char *)&c->login + login_keys[i].off) = (int)d;
    } else {
        snprintf(err, errlen, "unknown setting '%s'", key);
        return SV_ERR_INVALID;
    }
    return 0;
bad:
    snprintf(err, errlen, "bad value for %s: '%s'", key, v);
    return SV_ERR_INVALID;
}

int sv__config_load_file(sv__config *c, const char *path, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr), *val;
    const char *key;
    int ret = SV_ERR_INVALID;

    if (!root) {
        snprintf(err, errlen, "%s:%d: %s", path, jerr.line, jerr.text);
        return SV_ERR_INVALID;
    }
    if (!json_is_object(root)) {
        snprintf(err, errlen, "%s: the config must be a JSON object", path);
        goto fail;
    }
    json_object_foreach(root, key, val) {
        char text[1024];

        if (json_is_string(val))
            snprintf(text, sizeof(text), "%s", json_string_value(val));
        else if (json_is_integer(val))
            snprintf(text, sizeof(text), "%lld", (long long)json_integer_value(val));
        else if (json_is_real(val))
            snprintf(text, sizeof(text), "%.17g", json_real_value(val));
        else if (json_is_boolean(val))
            snprintf(text, sizeof(text), "%d", json_is_true(val));
        else {
            snprintf(err, errlen, "%s: '%s' must be a string, number or boolean", path, key);
            goto fail;
        }
        if (sv__config_set(c, key, text, err, errlen) < 0)
            goto fail;
    }
    ret = 0;
fail:
    json_decref(root);
    return ret;
}

int sv__config_load_env(sv__config *c, char *err, size_t errlen)
{
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        char name[64];
        const char *v;
        size_t o = snprintf(name, sizeof(name), "SVSERVER_");

        for (const char *k = keys[i]; *k && o + 1 < sizeof(name); k++)
            name[o++] = *k == '-' ? '_' : (char)(*k >= 'a' && *k <= 'z' ? *k - 32 : *k);
        name[o] = '\0';
        if ((v = getenv(name)) && sv__config_set(c, keys[i], v, err, errlen) < 0)
            return SV_ERR_INVALID;
    }
    return 0;
}

int sv__config_load(sv__config *c, int argc, char **argv, char *err, size_t errlen)
{
    const char *file = getenv("SVSERVER_CONFIG");

    for (int k = 0; k + 1 < argc; k++)
        if (!strcmp(argv[k], "--config"))
            file = argv[k + 1];
    sv__config_default(c);
    if (file && sv__config_load_file(c, file, err, errlen) < 0)
        return SV_ERR_INVALID;
    return sv__config_load_env(c, err, errlen);
}
