/*
 * `svserver token TITLE_ID [--ttl S] [--session ID] [--prefix P] [settings]`:
 * prints a signed playback token for one title, the same kind the playback
 * API hands out (backend/token.h), for operators and tests. The secret comes
 * from the usual settings (--config FILE, SVSERVER_TOKEN_SECRET, or
 * --token-secret, which other users of the machine can see in ps).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apps/svserver/svserver.h"
#include "backend/token.h"
#include "streamverse/common.h"

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

int sv__cmd_token(int argc, char **argv)
{
    const char *title = NULL;
    sv__token_claims c;
    sv__config cfg;
    char err[512], token[SV__TOKEN_MAX];
    long ttl = DEFAULT_TTL, id;

    memset(&c, 0, sizeof(c));
    if (sv__config_load(&cfg, argc, argv, err, sizeof(err)) < 0)
        goto bad;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0) {
            if (title) {
                snprintf(err, sizeof(err), "unexpected argument '%s'", a);
                goto bad;
            }
            title = a;
            continue;
        }
        a += 2;
        if (i + 1 >= argc) {
            snprintf(err, sizeof(err), "--%s needs a value", a);
            goto bad;
        }
        const char *v = argv[++i];
        if (!strcmp(a, "config"))
            continue;
        if (!strcmp(a, "ttl")) {
            if (parse_long(v, 1, 30L * 86400, &ttl) < 0) {
                snprintf(err, sizeof(err), "--ttl must be 1 to %ld seconds", 30L * 86400);
                goto bad;
            }
        } else if (!strcmp(a, "session")) {
            if (strlen(v) >= sizeof(c.session)) {
                snprintf(err, sizeof(err), "--session is longer than %zu", sizeof(c.session) - 1);
                goto bad;
            }
            snprintf(c.session, sizeof(c.session), "%s", v);
        } else if (!strcmp(a, "prefix")) {
            if (strlen(v) >= sizeof(c.prefix)) {
                snprintf(err, sizeof(err), "--prefix is longer than %zu", sizeof(c.prefix) - 1);
                goto bad;
            }
            snprintf(c.prefix, sizeof(c.prefix), "%s", v);
        } else if (sv__config_set(&cfg, a, v, err, sizeof(err)) < 0) {
            goto bad;
        }
    }
    if (!title || parse_long(title, 1, INT32_MAX, &id) < 0) {
        snprintf(err, sizeof(err), "token needs a TITLE_ID (a positive number)");
        goto bad;
    }
    if (!cfg.token_secret[0]) {
        snprintf(err, sizeof(err), "no token-secret is configured");
        goto bad;
    }
    c.title_id = id;
    c.expires = (int64_t)time(NULL) + ttl;
    /* A token without a prefix grants the license and the title's media. */
    if (!c.prefix[0])
        snprintf(c.prefix, sizeof(c.prefix), "/media/%ld/", id);
    if (sv__token_sign(cfg.token_secret, &c, token, sizeof(token)) < 0) {
        snprintf(err, sizeof(err), "cannot sign the token");
        goto bad;
    }
    printf("%s\n", token);
    return 0;
bad:
    fprintf(stderr, "svserver token: %s (see svserver --help)\n", err);
    return 2;
}
