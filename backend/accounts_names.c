/*
 * accounts_names.c - what an account's fields may hold: user names,
 * regions and roles (accounts.h). A bottom file: it calls nothing else of
 * backend/, so both catalog back ends (catalog_*_users.c, _audit.c) check
 * and name these values without calling up into accounts.c, which calls
 * the catalog (docs/architecture.md).
 *
 * Threads: pure functions; any thread.
 */
#include <string.h>

#include "backend/accounts.h"

int sv__user_name_ok(const char *name)
{
    size_t n = strlen(name);

    if (n == 0 || n > 63)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '@' || c == '-'))
            return 0;
    }
    return 1;
}

int sv__region_ok(const char *r)
{
    return strlen(r) == 2 && r[0] >= 'A' && r[0] <= 'Z' && r[1] >= 'A' && r[1] <= 'Z';
}

const char *sv__role_name(int role)
{
    switch (role) {
    case SV__ROLE_VIEWER: return "viewer";
    case SV__ROLE_OPERATOR: return "operator";
    case SV__ROLE_ADMIN: return "admin";
    default: return "anonymous";
    }
}

int sv__role_parse(const char *s)
{
    for (int r = SV__ROLE_VIEWER; r <= SV__ROLE_ADMIN; r++)
        if (!strcmp(s, sv__role_name(r)))
            return r;
    return -1;
}
