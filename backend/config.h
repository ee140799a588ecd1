/*
 * svserver settings: defaults, then a JSON config file, then environment
 * variables (SVSERVER_<KEY>), then command-line options, all through one
 * setter so every key works the same way in all three places.
 *
 * Keys (docs/http-api.md lists them with their defaults):
 *   listen, data, db (a postgresql:// URL; empty: SQLite in the data folder), workers, log-level, log-json, max-upload-mb,
 *   max-header-bytes, max-body-kb, header-timeout, idle-timeout,
 *   drain-timeout, ladder ("240:300,360:750,..." height:kbps),
 *   codecs ("h264", "h264,av1,hevc": the video codecs of every rung),
 *   segment-seconds, preset, max-attempts, job-lease, job-parts,
 *   master-key (64 hex digits: wraps the content keys kept in the catalog),
 *   token-secret (16+ characters: signs playback and media tokens),
 *   drm (none | cenc | cbcs: protection of newly ingested titles),
 *   media-auth (none | token), edge-secret, cdns ("edge1=http://..,edge2=.."),
 *   heartbeat-interval, playback-token-ttl, login-ttl, steering-ttl,
 *   max-connections, rate-limit, rate-burst, trusted-proxies, log-rate,
 *   login-free-failures, login-backoff-max, login-lockout-failures,
 *   login-lockout, login-fail-window, login-max-pending (login_guard.h)
 *
 * The two secrets are never logged, and a bad value is reported without
 * echoing it.
 */
#ifndef SV_BACKEND_CONFIG_H
#define SV_BACKEND_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "backend/http.h"
#include "backend/login_guard.h"
#include "backend/media.h"

/* The struct behind svserver/svserver.h's opaque sv_server_config. */
typedef struct sv_server_config {
    char listen_host[64];
    int listen_port;
    char data_dir[1024];
    char db[1024];             /* "" (SQLite at DATA/catalog.db) or a postgresql:// URL */
    int workers;               /* transcode threads in this process; 0: none (separate workers) */
    int log_level;             /* sv_log_level */
    int log_json;
    uint64_t max_upload_bytes;
    int max_attempts;          /* a job whose worker died this often fails (3) */
    int job_lease;             /* s a worker's claim on a job lasts unless renewed (30) */
    int job_parts;             /* a worker splits a job into this many parts (1: none) */
    sv__http_limits http;
    sv__ladder ladder;
    char preset[32];           /* storage for ladder.x264_preset */
    uint8_t master_key[32];    /* valid when has_master_key */
    int has_master_key;
    char token_secret[128];    /* "" until set */
    char drm[8];               /* "none", "cenc" or "cbcs" */
    /* Playback (docs/http-api.md, "Playback"): what /media asks for, the
     * nginx edge secret, the CDNs ("id=url,..." checked by sv__cdns_parse)
     * and the session timings in seconds. */
    char media_auth[8];        /* "none" or "token" */
    char edge_secret[128];     /* "" or the secure_link_md5 secret of the edges */
    char cdns[1024];
    double heartbeat_s;        /* 10 */
    int playback_token_ttl;    /* 120 */
    int login_ttl;             /* 43200 */
    int steering_ttl;          /* 10 */
    /* Offline licenses (api_offline.c): the devices an account may hold
     * downloads on at once (0: no offline licenses), and their lifetime. */
    int offline_devices;       /* 3 */
    int64_t offline_license_ttl; /* 30 days, seconds */
    sv__login_limits login;    /* password guessing limits (login_guard.h) */
    /* Abuse limits (docs/deploy.md, "Limits"): API requests per second and
     * burst per client (0: off), the proxies whose X-Forwarded-For names the
     * client ("addr,addr"), and log lines per second before the flood guard
     * holds them back (0: off). http.max_connections is the connection cap. */
    double rate_limit;         /* 20 */
    double rate_burst;         /* 100 */
    char trusted_proxies[256]; /* "" */
    char public_url[256];      /* "" or http(s)://host[:port][/path], no '/' at the end */
    double log_rate;           /* 100 */
} sv__config;

/* Defaults: 127.0.0.1:8080, data "./svdata", 2 workers, info, 4 GiB uploads,
 * the default ladder when the media library is built in. */
void sv__config_default(sv__config *c);

/* Sets one key from text. Returns 0 or SV_ERR_INVALID with a message. */
int sv__config_set(sv__config *c, const char *key, const char *value, char *err, size_t errlen);

/* Reads a JSON object of keys (values: strings, numbers or booleans). */
int sv__config_load_file(sv__config *c, const char *path, char *err, size_t errlen);

/* Applies SVSERVER_LISTEN, SVSERVER_DATA, SVSERVER_LOG_LEVEL... (the key in
 * upper case, '-' as '_'). */
int sv__config_load_env(sv__config *c, char *err, size_t errlen);

/* The settings before the command line: defaults, then the file named by
 * the last "--config FILE" in argv (else $SVSERVER_CONFIG), then the
 * environment. Returns 0 or SV_ERR_INVALID with a message. */
int sv__config_load(sv__config *c, int argc, char **argv, char *err, size_t errlen);

/* Splits "host:port" / "[v6]:port". Returns 0 or SV_ERR_INVALID. */
int sv__config_parse_listen(const char *s, char *host, size_t cap, int *port);

#endif
