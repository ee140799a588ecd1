/*
 * sv_server_user_add() and sv_server_user_unlock(): account changes from the
 * command line, on the data folder's catalog (beside a running server: the
 * catalog is SQLite in WAL mode or PostgreSQL), each written to the audit
 * log with the peer "cli".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/accounts.h"
#include "backend/catalog.h"
#include "backend/config.h"
#include "platform/fs.h"
#include "backend/svserver_internal.h"
#include "streamverse/common.h"
#include "svserver/svserver.h"

static int open_catalog(const sv__config *cfg, sv__catalog **cat, char *err, size_t errlen)
{
    if (sv__mkdirs(cfg->data_dir) < 0) {
        sv__svserver_err(err, errlen, "cannot create the data folder %s", cfg->data_dir);
        return SV_ERR_IO;
    }
    if (sv__catalog_connect(cfg->db, cfg->data_dir, cat, err, errlen) < 0)
        return SV_ERR_IO;
    return 0;
}

/* The audit entry of a command-line change; a failure is a warning in err
 * (the change itself is made). */
static void audit_cli(sv__catalog *cat, const char *actor, const char *action,
                      const char *target, const char *detail, char *err, size_t errlen)
{
    sv__audit_rec a = {.actor = actor && *actor ? actor : "cli", .role = SV__ROLE_ADMIN,
                       .action = action, .target = target, .peer = "cli", .detail = detail};

    if (sv__catalog_audit_add(cat, &a) < 0)
        sv__svserver_err(err, errlen, "cannot write the audit log: %s",
                         sv__catalog_errmsg(cat));
}

int sv_server_user_add(const sv_server_config *cfg, const char *name, const char *password,
                       const char *region, int max_streams, sv_server_role role,
                       const char *actor, int64_t *id, char *err, size_t errlen)
{
    sv__catalog *cat = NULL;
    int ret;

    sv__svserver_err_clear(err, errlen);
    if (!cfg || !name || !password || !region || !id) {
        sv__svserver_err(err, errlen, "an account needs a name, a password and a region");
        return SV_ERR_INVALID;
    }
    if ((ret = open_catalog(cfg, &cat, err, errlen)) < 0)
        return ret;
    ret = sv__catalog_user_add(cat, name, password, region, max_streams, (int)role, id);
    if (ret == SV_ERR_STATE)
        sv__svserver_err(err, errlen, "user '%s' exists already", name);
    else if (ret < 0)
        sv__svserver_err(err, errlen, "cannot add the user: %s (%s)", sv_strerror(ret),
                         sv__catalog_errmsg(cat));
    else
        audit_cli(cat, actor, "user_add", name, sv__role_name((int)role), err, errlen);
    sv__catalog_close(cat);
    return ret;
}

int sv_server_user_unlock(const sv_server_config *cfg, const char *name, const char *actor,
                          char *err, size_t errlen)
{
    sv__catalog *cat = NULL;
    int ret;

    sv__svserver_err_clear(err, errlen);
    if (!cfg || !name || !name[0]) {
        sv__svserver_err(err, errlen, "unlock needs a user name");
        return SV_ERR_INVALID;
    }
    if ((ret = open_catalog(cfg, &cat, err, errlen)) < 0)
        return ret;
    ret = sv__catalog_lockout_clear(cat, name);
    if (ret < 0)
        sv__svserver_err(err, errlen, "cannot lift the lockout: %s", sv__catalog_errmsg(cat));
    else
        audit_cli(cat, actor, "user_unlock", name, ret ? "lockout lifted" : "was not locked",
                  err, errlen);
    sv__catalog_close(cat);
    return ret;
}
