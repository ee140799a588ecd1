/*
 * svserver/svserver.h over the internals: settings (config.h), the log
 * (log_guard.h in front of sv__log_to_stderr), the server (server.h), and
 * tokens and account checks. Ingest, workers and accounts have files of
 * their own (svserver_ingest.c, svserver_worker.c, svserver_users.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/accounts.h"
#include "backend/api_params.h"
#include "backend/config.h"
#include "backend/server.h"
#include "backend/svserver_internal.h"
#include "backend/token.h"
#include "streamverse/common.h"
#include "svserver/svserver.h"

/* The public limits are the internal ones. */
_Static_assert(SV_SERVER_MAX_GENRES == SV__MAX_GENRES, "genres");
_Static_assert(SV_SERVER_TOKEN_MAX == SV__TOKEN_MAX, "token size");
_Static_assert(SV_SERVER_TOKEN_SESSION_MAX + 1 == sizeof(((sv__token_claims *)0)->session),
               "token session");
_Static_assert(SV_SERVER_TOKEN_PREFIX_MAX + 1 == sizeof(((sv__token_claims *)0)->prefix),
               "token prefix");
_Static_assert((int)SV_SERVER_ROLE_VIEWER == (int)SV__ROLE_VIEWER &&
               (int)SV_SERVER_ROLE_OPERATOR == (int)SV__ROLE_OPERATOR &&
               (int)SV_SERVER_ROLE_ADMIN == (int)SV__ROLE_ADMIN, "roles");

void sv__svserver_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (!err || !errlen)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

void sv__svserver_err_clear(char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
}

/* ---- settings ---- */

int sv_server_config_create(sv_server_config **out)
{
    sv__config *c;

    if (!out)
        return SV_ERR_INVALID;
    if (!(c = malloc(sizeof(*c))))
        return SV_ERR_NOMEM;
    sv__config_default(c);
    *out = c;
    return 0;
}

void sv_server_config_destroy(sv_server_config *cfg)
{
    free(cfg);
}

int sv_server_config_load(sv_server_config *cfg, int argc, char **argv, char *err,
                          size_t errlen)
{
    sv__svserver_err_clear(err, errlen);
    if (!cfg || argc < 0 || (argc > 0 && !argv)) {
        sv__svserver_err(err, errlen, "no settings to load into");
        return SV_ERR_INVALID;
    }
    return sv__config_load(cfg, argc, argv, err, errlen);
}

int sv_server_config_set(sv_server_config *cfg, const char *key, const char *value,
                         char *err, size_t errlen)
{
    sv__svserver_err_clear(err, errlen);
    if (!cfg || !key || !value) {
        sv__svserver_err(err, errlen, "a setting needs a key and a value");
        return SV_ERR_INVALID;
    }
    return sv__config_set(cfg, key, value, err, errlen);
}

/* ---- logging ---- */

/* struct sv_server_logger is in svserver_internal.h: ingest and workers log
 * through its sv__logger too. */
int sv_server_logger_create(const sv_server_config *cfg, sv_server_logger **out)
{
    sv_server_logger *lg;

    if (!cfg || !out)
        return SV_ERR_INVALID;
    if (!(lg = calloc(1, sizeof(*lg))))
        return SV_ERR_NOMEM;
    lg->json = cfg->log_json;
    sv__log_guard_init(&lg->guard, sv__log_to_stderr, &lg->json, cfg->log_rate);
    sv__logger_init(&lg->log, sv__log_guard_cb, &lg->guard, (sv_log_level)cfg->log_level);
    *out = lg;
    return 0;
}

void sv_server_logger_reload(sv_server_logger *log, const sv_server_config *cfg)
{
    if (log && cfg)
        sv__log_guard_set_rate(&log->guard, cfg->log_rate);
}

void sv_server_logger_destroy(sv_server_logger *log)
{
    if (!log)
        return;
    sv__log_guard_fini(&log->guard);
    free(log);
}

void sv_server_log(const sv_server_logger *log, sv_log_level level, const char *module,
                   const char *fmt, ...)
{
    va_list ap;

    if (!log || !fmt)
        return;
    va_start(ap, fmt);
    sv__vlog(&log->log, level, module, fmt, ap);
    va_end(ap);
}

/* ---- the HTTP server ---- */

int sv_server_create(const sv_server_config *cfg, const sv_server_logger *log,
                     sv_server **out)
{
    if (!cfg || !log || !out)
        return SV_ERR_INVALID;
    return sv__server_create(cfg, &log->log, out);
}

void sv_server_set_reload(sv_server *srv, sv_server_reload_fn fn, void *opaque)
{
    if (srv)
        sv__server_set_reload(srv, fn, opaque);
}

int sv_server_run(sv_server *srv)
{
    return srv ? sv__server_run(srv) : SV_ERR_INVALID;
}

void sv_server_destroy(sv_server *srv)
{
    sv__server_destroy(srv);
}

/* ---- playback tokens ---- */

int sv_server_token_sign(const sv_server_config *cfg, int64_t title_id, int64_t ttl_s,
                         const char *session, const char *prefix, char *out, size_t outlen,
                         char *err, size_t errlen)
{
    sv__token_claims c;

    sv__svserver_err_clear(err, errlen);
    memset(&c, 0, sizeof(c));
    if (!cfg || !out || title_id < 1 || title_id > INT32_MAX || ttl_s < 1) {
        sv__svserver_err(err, errlen, "a token needs a title id and a lifetime");
        return SV_ERR_INVALID;
    }
    if (!cfg->token_secret[0]) {
        sv__svserver_err(err, errlen, "no token-secret is configured");
        return SV_ERR_INVALID;
    }
    if (session && strlen(session) > SV_SERVER_TOKEN_SESSION_MAX) {
        sv__svserver_err(err, errlen, "the session is longer than %d",
                         SV_SERVER_TOKEN_SESSION_MAX);
        return SV_ERR_INVALID;
    }
    if (prefix && strlen(prefix) > SV_SERVER_TOKEN_PREFIX_MAX) {
        sv__svserver_err(err, errlen, "the prefix is longer than %d",
                         SV_SERVER_TOKEN_PREFIX_MAX);
        return SV_ERR_INVALID;
    }
    c.title_id = title_id;
    c.expires = (int64_t)time(NULL) + ttl_s;
    snprintf(c.session, sizeof(c.session), "%s", session ? session : "");
    /* A token without a prefix grants the license and the title's media. */
    if (prefix && prefix[0])
        snprintf(c.prefix, sizeof(c.prefix), "%s", prefix);
    else
        snprintf(c.prefix, sizeof(c.prefix), "/media/%lld/", (long long)title_id);
    if (sv__token_sign(cfg->token_secret, &c, out, outlen) < 0) {
        sv__svserver_err(err, errlen, "cannot sign the token");
        return SV_ERR_INVALID;
    }
    return 0;
}

/* ---- account checks ---- */

int sv_server_role_parse(const char *name)
{
    int role = name ? sv__role_parse(name) : -1;
    return role > 0 ? role : SV_ERR_INVALID;
}

int sv_server_user_name_ok(const char *name)
{
    return name && sv__user_name_ok(name);
}

int sv_server_region_ok(const char *region)
{
    return region && sv__region_ok(region);
}
