/*
 * api_storage.c - answering a catalog call that failed: 503 while the
 * catalog's database is unreachable, 507 when the data folder's disk is
 * full, so clients and operators can tell those from a bug.
 */
#include "backend/fsutil.h"
#include "backend/server_internal.h"

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
