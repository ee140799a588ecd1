/*
 * The route table: method set + path pattern -> handler. Later features
 * (accounts, playback sessions, license, steering) add rows to the table in
 * api.c; nothing else changes.
 *
 * Patterns are literal segments, "{}" for one captured segment and a final
 * "*" that captures the rest of the path (slashes included). Captures go to
 * req->params in order. Matching is first-match in table order.
 */
#ifndef SV_BACKEND_ROUTER_H
#define SV_BACKEND_ROUTER_H

#include "backend/http.h"

#define SV__M(m) (1u << (m)) /* a method bit: SV__M(HTTP_GET) | SV__M(HTTP_HEAD) */

typedef struct sv__route {
    unsigned methods;                      /* SV__M() bits */
    const char *pattern;
    const char *name;                      /* metrics label, static */
    /* Optional, on the head: choose the body mode and limit, or refuse
     * (sv__http_reject + return -1). */
    int (*on_headers)(void *ctx, sv__http_req *req);
    void (*handler)(void *ctx, sv__http_req *req);
    /* The least role (enum sv__role, accounts.h) whose user token the route
     * takes; 0: open to anyone, no token needed. */
    int role;
    /* 1: may answer while the catalog's database is unreachable (from what
     * this node holds); 0: /api/ routes get 503 catalog_unavailable then. */
    int without_catalog;
} sv__route;

enum { SV__ROUTE_NO_PATH = -1, SV__ROUTE_BAD_METHOD = -2 };

/*
 * Finds the route for req->path and req->method. Returns its index and
 * fills req->params, SV__ROUTE_NO_PATH, or SV__ROUTE_BAD_METHOD with the
 * methods the path accepts in *allowed.
 */
int sv__route_match(const sv__route *table, int n, sv__http_req *req, unsigned *allowed);

/* Writes "GET, HEAD, OPTIONS" style text for a method set. */
void sv__route_methods_text(unsigned methods, char *buf, size_t cap);

#endif
