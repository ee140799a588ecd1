/*
 * api_reply.c - how the API answers, for every route file: JSON answers,
 * and a catalog call that failed: 503 while the catalog's database is
 * unreachable, 507 when the data folder's disk is full, so clients and
 * operators can tell those from a bug.
 */
#include <stdlib.h>
#include <string.h>

#include "platform/fs.h"
#include "backend/server_internal.h"

void sv__api_send_json(sv__http_req *req, int status, json_t *value)
{
    char *text = value ? json_dumps(value, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(9)) : NULL;

    json_decref(value);
    if (!text) {
        sv__http_send_error(req, 500, "internal", "out of memory");
        return;
    }
    sv__http_add_header(req, "Cache-Control", "no-store");
    sv__http_send(req, status, "application/json", text, strlen(text));
    free(text);
}


int sv__server_disk_full(sv__server *srv)
{
    return sv__catalog_disk_full(srv->cat) || sv__fs_full(srv->cfg->data_dir);
}

void sv__api_write_failed(sv__server *srv, sv__http_req *req, const char *message)
{
    if (!sv__catalog_available(srv->cat)) {
        SV_LOGW(srv->log, "api", "%s %s: the catalog is unreachable (%s)", req->route_name,
                req->path, sv__catalog_errmsg(srv->cat));
        sv__http_add_header(req, "Retry-After", "5");
        sv__http_send_error(req, 503, "catalog_unavailable",
                            "the catalog database is unreachable; try again shortly");
        return;
    }
    if (sv__server_disk_full(srv)) {
        SV_LOGW(srv->log, "api", "%s %s: the data folder's disk is full (%s)",
                req->route_name, req->path, sv__catalog_errmsg(srv->cat));
        sv__http_send_error(req, 507, "insufficient_storage",
                            "the server's disk is full: the change was not stored");
        return;
    }
    SV_LOGE(srv->log, "api", "%s %s: %s", req->route_name, req->path,
            sv__catalog_errmsg(srv->cat));
    sv__http_send_error(req, 500, "internal", message);
}
