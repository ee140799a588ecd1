/*
 * api_guard.c - before routing: who the client is, and the per-client
 * request rate on the API.
 *
 * Behind a load balancer every connection comes from the balancer, so the
 * client is the last address of X-Forwarded-For when (and only when) the
 * connection comes from one of the trusted-proxies: anyone else could write
 * that header. The rate limit then applies per real client.
 */
#include <arpa/inet.h>
#include <string.h>

#include "backend/ratelimit.h"
#include "backend/server_internal.h"

/* Whether `addr` is one of the comma-separated addresses of `list`. */
static int in_list(const char *list, const char *addr)
{
    size_t n = strlen(addr);

    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");

        if (len == n && !memcmp(p, addr, n))
            return 1;
        p += len;
        if (*p == ',')
            p++;
    }
    return 0;
}

/* Rewrites req->forwarded_for to its last hop and points req->peer at it,
 * when the connection comes from a trusted proxy and the hop is an address. */
static void resolve_client(const sv__config *cfg, sv__http_req *req)
{
    char *last, *end;
    unsigned char bin[16];

    if (!req->forwarded_for[0] || !cfg->trusted_proxies[0] ||
        !in_list(cfg->trusted_proxies, req->peer))
        return;
    last = strrchr(req->forwarded_for, ',');
    last = last ? last + 1 : req->forwarded_for;
    while (*last == ' ' || *last == '\t')
        last++;
    end = last + strcspn(last, " \t");
    *end = '\0';
    if (inet_pton(AF_INET, last, bin) != 1 && inet_pton(AF_INET6, last, bin) != 1)
        return; /* not an address: keep the proxy's */
    memmove(req->forwarded_for, last, (size_t)(end - last) + 1);
    req->peer = req->forwarded_for;
}

int sv__api_guard(sv__server *srv, sv__http_req *req)
{
    unsigned wait;

    resolve_client(srv->cfg, req);
    if (!srv->ratelimit || strncmp(req->path, "/api/", 5) != 0)
        return 0;
    wait = sv__ratelimit_take(srv->ratelimit, req->peer, uv_hrtime());
    if (!wait)
        return 0;
    sv__http_add_header(req, "Retry-After", "%u", wait);
    req->route_name = "rate_limited"; /* counted in /metrics under this route, 429 */
    req->pending_status = 429;
    req->pending_code = "too_many_requests";
    req->pending_message = "too many requests from this client; retry after the Retry-After delay";
    return 1;
}
