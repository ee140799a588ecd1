/*
 * api_ladder.c - how a title's ladder was chosen (docs/http-api.md):
 *   GET /api/v1/titles/{id}/ladder      the per-title record as JSON
 *   GET /api/v1/titles/{id}/ladder.svg  the same as a plot
 * A title encoded with a fixed ladder answers {"per_title": false} (and a
 * plot that says so); an unknown one 404.
 */
#include <stdlib.h>
#include <string.h>

#include "backend/api_params.h"
#include "backend/server_internal.h"

/* The record of title params[0]: 0 with *rep filled and *per_title set, or
 * an answer already sent (returns -1). */
static int load(sv__server *srv, sv__http_req *req, sv__ladder_report *rep, int *per_title)
{
    int64_t id = sv__parse_id(req->params[0]);
    char *text = NULL;
    json_t *root;
    int e;

    *per_title = 0;
    memset(rep, 0, sizeof(*rep));
    e = id < 0 ? SV_ERR_NOT_FOUND : sv__catalog_title_ladder(srv->cat, id, &text);
    if (e == SV_ERR_NOT_FOUND) {
        sv__http_send_error(req, 404, "not_found", "no such title");
        return -1;
    }
    if (e < 0) {
        sv__api_write_failed(srv, req, "catalog error");
        return -1;
    }
    if (!text)
        return 0;
    root = json_loads(text, 0, NULL);
    free(text);
    if (!root || sv__ladder_report_parse(root, rep) < 0) {
        json_decref(root);
        SV_LOGE(srv->log, "api", "title %s: the stored ladder record does not parse",
                req->params[0]);
        sv__http_send_error(req, 500, "internal", "the ladder record is damaged");
        return -1;
    }
    json_decref(root);
    *per_title = 1;
    return 0;
}

void sv__api_title_ladder(void *ctx, sv__http_req *req)
{
    sv__ladder_report *rep = malloc(sizeof(*rep));
    json_t *j;
    int per_title;

    if (!rep) {
        sv__http_send_error(req, 500, "internal", "out of memory");
        return;
    }
    if (load(ctx, req, rep, &per_title) == 0) {
        j = per_title ? sv__ladder_report_json(rep) : json_object();
        if (j)
            json_object_set_new(j, "per_title", json_boolean(per_title));
        sv__api_send_json(req, 200, j);
    }
    free(rep);
}

void sv__api_title_ladder_svg(void *ctx, sv__http_req *req)
{
    sv__ladder_report *rep = malloc(sizeof(*rep));
    char *svg = NULL;
    size_t len;
    int per_title;

    if (!rep) {
        sv__http_send_error(req, 500, "internal", "out of memory");
        return;
    }
    if (load(ctx, req, rep, &per_title) == 0) {
        if (sv__ladder_svg(rep, &svg, &len) < 0) {
            sv__http_send_error(req, 500, "internal", "out of memory");
        } else {
            sv__http_add_header(req, "Cache-Control", "no-store");
            sv__http_send(req, 200, "image/svg+xml", svg, len);
        }
    }
    free(svg);
    free(rep);
}
