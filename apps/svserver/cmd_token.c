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

/* The token's own fields, from the command line. */
typedef struct token_args {
    const char *title, *session, *prefix;
    long ttl;
} token_args;

static int take_option(void *opaque, int id, const char *v, char *err, size_t errlen)
{
    token_args *t = opaque;

    switch (id) {
    case SVS_OPT_ARG:
        if (t->title) {
            snprintf(err, errlen, "unexpected argument '%s'", v);
            return SV_ERR_INVALID;
        }
        t->title = v;
        return 0;
    case SVS_OPT_TTL:
        if (parse_long(v, 1, 30L * 86400, &t->ttl) < 0) {
            snprintf(err, errlen, "--ttl must be 1 to %ld seconds", 30L * 86400);
            return SV_ERR_INVALID;
        }
        return 0;
    case SVS_OPT_SESSION:
        if (strlen(v) > SV_SERVER_TOKEN_SESSION_MAX) {
            snprintf(err, errlen, "--session is longer than %d", SV_SERVER_TOKEN_SESSION_MAX);
            return SV_ERR_INVALID;
        }
        t->session = v;
        return 0;
    case SVS_OPT_PREFIX:
        if (strlen(v) > SV_SERVER_TOKEN_PREFIX_MAX) {
            snprintf(err, errlen, "--prefix is longer than %d", SV_SERVER_TOKEN_PREFIX_MAX);
            return SV_ERR_INVALID;
        }
        t->prefix = v;
        return 0;
    default:
        snprintf(err, errlen, "unexpected option");
        return SV_ERR_INVALID;
    }
}

int svs_cmd_token(int argc, char **argv)
{
    token_args t = { .ttl = DEFAULT_TTL };
    sv_server_config *cfg = NULL;
    char err[512], token[SV_SERVER_TOKEN_MAX];
    long id;
    int ret = 2, r;

    if (sv_server_config_create(&cfg) < 0) {
        fprintf(stderr, "svserver token: out of memory\n");
        return 1;
    }
    r = svs_parse("svserver token", SVS_TOKEN, argc, argv, cfg, take_option, &t, err,
                  sizeof(err));
    if (r == SVS_EXIT_0 || r == SVS_USAGE_PRINTED) {
        ret = r == SVS_EXIT_0 ? 0 : 2;
        goto out;
    }
    if (r < 0)
        goto bad;
    if (!t.title || parse_long(t.title, 1, INT32_MAX, &id) < 0) {
        snprintf(err, sizeof(err), "token needs a TITLE_ID (a positive number)");
        goto bad;
    }
    if (sv_server_token_sign(cfg, id, t.ttl, t.session, t.prefix, token, sizeof(token), err,
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
