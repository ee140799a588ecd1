/*
 * `svserver user add NAME --password-file F --region CC --max-streams N
 * [--role viewer|operator|admin] [settings]`: creates an account in the
 * data folder's catalog (the first admin is made this way).
 * `svserver user unlock NAME [settings]`: lifts a login lockout.
 * Both can run beside a server on the same data folder, and both are
 * written to the audit log under the login name (peer "cli").
 *
 * The password comes from a file (first line, without its newline; "-" is
 * standard input) so it never shows in `ps` or a shell history.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <streamverse/common.h>
#include <svserver/svserver.h>

#include "cli.h"

#define USAGE "usage: svserver user add NAME --password-file F --region CC --max-streams N " \
              "[--role viewer|operator|admin] [--data DIR] [settings]\n" \
              "       svserver user unlock NAME [--data DIR] [settings]"

/* The account fields of `user add`, from the command line. */
typedef struct user_args {
    const char *name, *pw_file, *region;
    long streams;
    int role;
} user_args;

/* Reads the first line of path ("-": stdin) into out[cap]. */
static int read_password(const char *path, char *out, size_t cap)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
    size_t n;

    if (!f)
        return SV_ERR_IO;
    if (!fgets(out, (int)cap, f))
        out[0] = '\0';
    if (f != stdin)
        fclose(f);
    n = strcspn(out, "\r\n");
    out[n] = '\0';
    return 0;
}

/* The NAME of `user unlock`. */
static int take_name(void *opaque, int id, const char *v, char *err, size_t errlen)
{
    const char **name = opaque;

    if (id != SVS_OPT_ARG || *name) {
        snprintf(err, errlen, "unexpected argument '%s'", v ? v : "");
        return SV_ERR_INVALID;
    }
    *name = v;
    return 0;
}

static int cmd_unlock(int argc, char **argv)
{
    sv_server_config *cfg = NULL;
    const char *name = NULL;
    char err[512];
    int r, ret = 2;

    if (sv_server_config_create(&cfg) < 0) {
        fprintf(stderr, "svserver: out of memory\n");
        return 1;
    }
    r = svs_parse("svserver user unlock", SVS_USER_UNLOCK, argc, argv, cfg, take_name, &name,
                  err, sizeof(err));
    if (r == SVS_EXIT_0 || r == SVS_USAGE_PRINTED) {
        ret = r == SVS_EXIT_0 ? 0 : 2;
        goto out;
    }
    if (r < 0)
        goto bad;
    if (!name) {
        snprintf(err, sizeof(err), "user unlock needs a NAME");
        goto bad;
    }
    if ((r = sv_server_user_unlock(cfg, name, getenv("USER"), err, sizeof(err))) < 0) {
        fprintf(stderr, "svserver: %s\n", err);
        ret = 1;
        goto out;
    }
    if (err[0])
        fprintf(stderr, "svserver: %s\n", err);
    printf("%s: %s\n", name, r ? "unlocked" : "was not locked");
    ret = 0;
    goto out;

bad:
    fprintf(stderr, "svserver: %s\n%s\n", err, USAGE);
out:
    sv_server_config_destroy(cfg);
    return ret;
}

/* NAME and the account options of `user add`. */
static int take_add(void *opaque, int id, const char *v, char *err, size_t errlen)
{
    user_args *u = opaque;
    char *end;

    switch (id) {
    case SVS_OPT_ARG:
        if (u->name) {
            snprintf(err, errlen, "unexpected argument '%s'", v);
            return SV_ERR_INVALID;
        }
        u->name = v;
        return 0;
    case SVS_OPT_PASSWORD_FILE:
        u->pw_file = v;
        return 0;
    case SVS_OPT_ROLE:
        if ((u->role = sv_server_role_parse(v)) < 0) {
            snprintf(err, errlen, "--role must be viewer, operator or admin");
            return SV_ERR_INVALID;
        }
        return 0;
    case SVS_OPT_REGION:
        u->region = v;
        return 0;
    case SVS_OPT_MAX_STREAMS:
        u->streams = strtol(v, &end, 10);
        if (end == v || *end || u->streams < 0 || u->streams > 100) {
            snprintf(err, errlen, "--max-streams must be 0..100");
            return SV_ERR_INVALID;
        }
        return 0;
    default:
        snprintf(err, errlen, "unexpected option");
        return SV_ERR_INVALID;
    }
}

/* The account as given: a valid name and region, and every required
 * option. Returns 0 or SV_ERR_INVALID with a message. */
static int check_add(const user_args *u, char *err, size_t errlen)
{
    if (!u->name || !sv_server_user_name_ok(u->name)) {
        snprintf(err, errlen, "NAME must be 1..63 characters of letters, digits, '.', '_', "
                 "'@' and '-'");
        return SV_ERR_INVALID;
    }
    if (!u->pw_file || !u->region || u->streams < 0) {
        snprintf(err, errlen, "--password-file, --region and --max-streams are required");
        return SV_ERR_INVALID;
    }
    if (!sv_server_region_ok(u->region)) {
        snprintf(err, errlen, "--region must be an ISO 3166 alpha-2 code in capitals (FR)");
        return SV_ERR_INVALID;
    }
    return 0;
}

int svs_cmd_user(int argc, char **argv)
{
    user_args u = {.streams = -1, .role = SV_SERVER_ROLE_VIEWER};
    char password[1100], err[512];
    sv_server_config *cfg = NULL;
    int64_t id;
    int ret = 2, r;

    if (argc >= 1 && !strcmp(argv[0], "unlock"))
        return cmd_unlock(argc, argv);
    if (argc < 1 || strcmp(argv[0], "add") != 0) {
        fprintf(stderr, "%s\n", USAGE);
        return 2;
    }
    password[0] = '\0';
    if (sv_server_config_create(&cfg) < 0) {
        fprintf(stderr, "svserver: out of memory\n");
        return 1;
    }
    r = svs_parse("svserver user add", SVS_USER_ADD, argc, argv, cfg, take_add, &u, err,
                  sizeof(err));
    if (r == SVS_EXIT_0 || r == SVS_USAGE_PRINTED) {
        ret = r == SVS_EXIT_0 ? 0 : 2;
        goto out;
    }
    if (r < 0 || check_add(&u, err, sizeof(err)) < 0)
        goto bad;
    if (read_password(u.pw_file, password, sizeof(password)) < 0) {
        snprintf(err, sizeof(err), "cannot read %s", u.pw_file);
        goto bad;
    }
    if (strlen(password) < 8 || strlen(password) > 1024) {
        snprintf(err, sizeof(err), "the password must be 8 to 1024 bytes");
        goto bad;
    }
    r = sv_server_user_add(cfg, u.name, password, u.region, (int)u.streams,
                           (sv_server_role)u.role, getenv("USER"), &id, err, sizeof(err));
    if (r < 0) {
        fprintf(stderr, "svserver: %s\n", err);
        ret = 1;
        goto out;
    }
    if (err[0])
        fprintf(stderr, "svserver: %s\n", err);
    printf("%lld\n", (long long)id);
    ret = 0;
    goto out;

bad:
    fprintf(stderr, "svserver: %s\n%s\n", err, USAGE);
out:
    memset(password, 0, sizeof(password));
    sv_server_config_destroy(cfg);
    return ret;
}
