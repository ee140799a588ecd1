/*
 * `svserver token TITLE_ID [--ttl S] [--session ID] [--prefix P] [settings]`:
 * prints a signed playback token for one title, the same kind the playback
 * API hands out (sv_server_token_sign), for operators and tests. The secret
 * comes from the usual settings (--config FILE, SVSERVER_TOKEN_SECRET, or
 * --token-secret, which other users of the machine can see in ps).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <streamverse/common.h>
#include <svserver/svserver.h>

#include "cli.h"

#define DEFAULT_TTL 3600

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* The options after "token" into cfg and the token's own fields. Returns 0
 * or SV_ERR_INVALID with a message. */
static int parse_args(int argc, char **argv, sv_server_config *cfg, const char **title,
                      long *ttl, const char **session, const char **prefix, char *err,
                      size_t errlen)
{
    if (sv_server_config_load(cfg, argc, argv, err, errlen) < 0)
        return SV_ERR_INVALID;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0) {
            if (*title) {
                snprintf(err, errlen, "unexpected argument '%s'", a);
                return SV_ERR_INVALID;
            }
            *title = a;
            continue;
        }
        a += 2;
        if (i + 1 >= argc) {
            snprintf(err, errlen, "--%s needs a value", a);
            return SV_ERR_INVALID;
        }
        const char *v = argv[++i];
        if (!strcmp(a, "config"))
            continue;
        if (!strcmp(a, "ttl")) {
            if (parse_long(v, 1, 30L * 86400, ttl) < 0) {
                snprintf(err, errlen, "--ttl must be 1 to %ld seconds", 30L * 86400);
                return SV_ERR_INVALID;
            }
        } else if (!strcmp(a, "session")) {
            if (strlen(v) > SV_SERVER_TOKEN_SESSION_MAX) {
                snprintf(err, errlen, "--session is longer than %d", SV_SERVER_TOKEN_SESSION_MAX);
                return SV_ERR_INVALID;
            }
            *session = v;
        } else if (!strcmp(a, "prefix")) {
            if (strlen(v) > SV_SERVER_TOKEN_PREFIX_MAX) {
                snprintf(err, errlen, "--prefix is longer than %d", SV_SERVER_TOKEN_PREFIX_MAX);
                return SV_ERR_INVALID;
            }
            *prefix = v;
        } else if (sv_server_config_set(cfg, a, v, err, errlen) < 0) {
            return SV_ERR_INVALID;
        }
    }
    return 0;
}

int svs_cmd_token(int argc, char **argv)
{
    const char *title = NULL, *session = NULL, *prefix = NULL;
    sv_server_config *cfg = NULL;
    char err[512], token[SV_SERVER_TOKEN_MAX];
    long ttl = DEFAULT_TTL, id;
    int ret = 2;

    if (sv_server_config_create(&cfg) < 0) {
        fprintf(stderr, "svserver token: out of memory\n");
        return 1;
    }
    if (parse_args(argc, argv, cfg, &title, &ttl, &session, &prefix, err, sizeof(err)) < 0)
        goto bad;
    if (!title || parse_long(title, 1, INT32_MAX, &id) < 0) {
        snprintf(err, sizeof(err), "token needs a TITLE_ID (a positive number)");
        goto bad;
    }
    if (sv_server_token_sign(cfg, id, ttl, session, prefix, token, sizeof(token), err,
                             sizeof(err)) < 0)
        goto bad;
    printf("%s\n", token);
    ret = 0;
    goto out;
bad:
    fprintf(stderr, "svserver token: %s (see svserver --help)\n", err);
out:
    sv_server_config_destroy(cfg);
    return ret;
}
