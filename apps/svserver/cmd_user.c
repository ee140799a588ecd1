/*
 * `svserver user add NAME --password-file F --region CC --max-streams N
 * [--role viewer|operator|admin] [settings]`: creates an account in the
 * data folder's catalog (the first admin is made this way).
 * `svserver user unlock NAME [settings]`: lifts a login lockout.
 * Both can run beside a server on the same data folder (SQLite WAL), and
 * both are written to the audit log (peer "cli").
 *
 * The password comes from a file (first line, without its newline; "-" is
 * standard input) so it never shows in `ps` or a shell history.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "apps/svserver/svserver.h"
#include "backend/accounts.h"
#include "backend/catalog.h"
#include "platform/fs.h"
#include "streamverse/common.h"

#define USAGE "usage: svserver user add NAME --password-file F --region CC --max-streams N " \
              "[--role viewer|operator|admin] [--data DIR] [settings]\n" \
              "       svserver user unlock NAME [--data DIR] [settings]"

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

/* The audit log's actor for the command line: the login name. */
static void audit_cli(sv__catalog *cat, const char *action, const char *target,
                      const char *detail)
{
    const char *who = getenv("USER");
    sv__audit_rec a = {.actor = who && *who ? who : "cli", .role = SV__ROLE_ADMIN,
                       .action = action, .target = target,
                       .peer = "cli", .detail = detail};

    if (sv__catalog_audit_add(cat, &a) < 0)
        fprintf(stderr, "svserver: cannot write the audit log: %s\n", sv__catalog_errmsg(cat));
}

static int open_catalog(const sv__config *cfg, sv__catalog **cat)
{
    char err[512];

    if (sv__mkdirs(cfg->data_dir) < 0) {
        fprintf(stderr, "svserver: cannot create the data folder %s\n", cfg->data_dir);
        return -1;
    }
    if (sv__catalog_connect(cfg->db, cfg->data_dir, cat, err, sizeof(err)) < 0) {
        fprintf(stderr, "svserver: %s\n", err);
        return -1;
    }
    return 0;
}

static int cmd_unlock(int argc, char **argv)
{
    sv__catalog *cat = NULL;
    sv__config cfg;
    char err[512];
    int r;

    if (sv__config_load(&cfg, argc - 2, argv + 2, err, sizeof(err)) < 0)
        goto bad;
    for (int k = 2; k < argc; k += 2) {
        if (strncmp(argv[k], "--", 2) != 0 || k + 1 >= argc) {
            snprintf(err, sizeof(err), "unexpected argument '%s'", argv[k]);
            goto bad;
        }
        if (strcmp(argv[k] + 2, "config") != 0 &&
            sv__config_set(&cfg, argv[k] + 2, argv[k + 1], err, sizeof(err)) < 0)
            goto bad;
    }
    if (open_catalog(&cfg, &cat) < 0)
        return 1;
    r = sv__catalog_lockout_clear(cat, argv[1]);
    if (r < 0) {
        fprintf(stderr, "svserver: cannot lift the lockout: %s\n", sv__catalog_errmsg(cat));
        sv__catalog_close(cat);
        return 1;
    }
    audit_cli(cat, "user_unlock", argv[1], r ? "lockout lifted" : "was not locked");
    printf("%s: %s\n", argv[1], r ? "unlocked" : "was not locked");
    sv__catalog_close(cat);
    return 0;

bad:
    fprintf(stderr, "svserver: %s\n%s\n", err, USAGE);
    return 2;
}

int sv__cmd_user(int argc, char **argv)
{
    const char *name = NULL, *pw_file = NULL, *region = NULL;
    char password[1100], err[512];
    sv__catalog *cat = NULL;
    sv__config cfg;
    int64_t id;
    long streams = -1;
    int ret = 2, r, role = SV__ROLE_VIEWER;

    if (argc >= 2 && !strcmp(argv[0], "unlock"))
        return cmd_unlock(argc, argv);
    if (argc < 2 || strcmp(argv[0], "add") != 0) {
        fprintf(stderr, "%s\n", USAGE);
        return 2;
    }
    name = argv[1];
    if (sv__config_load(&cfg, argc - 2, argv + 2, err, sizeof(err)) < 0)
        goto bad;
    for (int k = 2; k < argc; k++) {
        const char *a = argv[k], *v = k + 1 < argc ? argv[k + 1] : NULL;
        char *end;

        if (strncmp(a, "--", 2) != 0 || !v) {
            snprintf(err, sizeof(err), "unexpected argument '%s'", a);
            goto bad;
        }
        a += 2;
        k++;
        if (!strcmp(a, "password-file")) {
            pw_file = v;
        } else if (!strcmp(a, "role")) {
            if ((role = sv__role_parse(v)) < 0) {
                snprintf(err, sizeof(err), "--role must be viewer, operator or admin");
                goto bad;
            }
        } else if (!strcmp(a, "region")) {
            region = v;
        } else if (!strcmp(a, "max-streams")) {
            streams = strtol(v, &end, 10);
            if (end == v || *end || streams < 0 || streams > 100) {
                snprintf(err, sizeof(err), "--max-streams must be 0..100");
                goto bad;
            }
        } else if (strcmp(a, "config") != 0 && sv__config_set(&cfg, a, v, err, sizeof(err)) < 0) {
            goto bad;
        }
    }
    if (!sv__user_name_ok(name)) {
        snprintf(err, sizeof(err), "NAME must be 1..63 characters of letters, digits, '.', '_', "
                 "'@' and '-'");
        goto bad;
    }
    if (!pw_file || !region || streams < 0) {
        snprintf(err, sizeof(err), "--password-file, --region and --max-streams are required");
        goto bad;
    }
    if (!sv__region_ok(region)) {
        snprintf(err, sizeof(err), "--region must be an ISO 3166 alpha-2 code in capitals (FR)");
        goto bad;
    }
    if (read_password(pw_file, password, sizeof(password)) < 0) {
        snprintf(err, sizeof(err), "cannot read %s", pw_file);
        goto bad;
    }
    if (strlen(password) < 8 || strlen(password) > 1024) {
        snprintf(err, sizeof(err), "the password must be 8 to 1024 bytes");
        goto bad;
    }
    if (open_catalog(&cfg, &cat) < 0) {
        ret = 1;
        goto out;
    }
    r = sv__catalog_user_add(cat, name, password, region, (int)streams, role, &id);
    if (r == SV_ERR_STATE) {
        fprintf(stderr, "svserver: user '%s' exists already\n", name);
        ret = 1;
    } else if (r < 0) {
        fprintf(stderr, "svserver: cannot add the user: %s (%s)\n", sv_strerror(r),
                sv__catalog_errmsg(cat));
        ret = 1;
    } else {
        audit_cli(cat, "user_add", name, sv__role_name(role));
        printf("%lld\n", (long long)id);
        ret = 0;
    }
    goto out;

bad:
    fprintf(stderr, "svserver: %s\n%s\n", err, USAGE);
out:
    memset(password, 0, sizeof(password));
    sv__catalog_close(cat);
    return ret;
}
