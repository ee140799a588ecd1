#include <http_parser.h>
#include <stdio.h>
#include <string.h>

#include "backend/router.h"

/* Matches one pattern; fills params on success. */
static int match(const char *pat, const char *path, sv__http_req *req)
{
    int np = 0;

    while (*pat && *path) {
        if (pat[0] == '*' && pat[1] == '\0') {
            if (np >= SV__HTTP_MAX_PARAMS || strlen(path) >= sizeof(req->params[0]) || !*path)
                return 0;
            strcpy(req->params[np++], path);
            req->nb_params = np;
            return 1;
        }
        if (pat[0] == '{' && pat[1] == '}') {
            size_t len = strcspn(path, "/");

            if (!len || len >= sizeof(req->params[0]) || np >= SV__HTTP_MAX_PARAMS)
                return 0;
            memcpy(req->params[np], path, len);
            req->params[np++][len] = '\0';
            pat += 2;
            path += len;
            continue;
        }
        if (*pat != *path)
            return 0;
        pat++;
        path++;
    }
    if (*pat || *path)
        return 0;
    req->nb_params = np;
    return 1;
}

int sv__route_match(const sv__route *table, int n, sv__http_req *req, unsigned *allowed)
{
    unsigned methods = 0;
    int found = SV__ROUTE_NO_PATH;

    for (int i = 0; i < n; i++) {
        if (!match(table[i].pattern, req->path, req))
            continue;
        if (table[i].methods & SV__M(req->method))
            return i;
        methods |= table[i].methods;
        found = SV__ROUTE_BAD_METHOD;
    }
    *allowed = methods;
    req->nb_params = 0;
    return found;
}

void sv__route_methods_text(unsigned methods, char *buf, size_t cap)
{
    size_t o = 0;

    buf[0] = '\0';
    for (int m = 0; m < 32; m++) {
        if (!(methods & SV__M(m)))
            continue;
        o += (size_t)snprintf(buf + o, o < cap ? cap - o : 0, "%s%s", o ? ", " : "",
                              http_method_str((enum http_method)m));
        if (o >= cap) {
            buf[cap - 1] = '\0';
            return;
        }
    }
    snprintf(buf + o, cap - o, "%sOPTIONS", o ? ", " : "");
}
