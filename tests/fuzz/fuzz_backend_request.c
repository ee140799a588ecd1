/*
 * Fuzz target: svserver's request interpretation on arbitrary bytes. The
 * input is "TARGET\nRANGE\nHEADER": a request target (decoded, checked for
 * traversal, routed, its query read as list and ingest parameters), a Range
 * value resolved against several sizes, and a value used as If-None-Match
 * and as an HTTP date.
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <http_parser.h>

#include "backend/api_params.h"
#include "backend/http_util.h"
#include "backend/router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void nop(void *ctx, sv__http_req *req)
{
    (void)ctx;
    (void)req;
}

static const sv__route routes[] = {
    {SV__M(HTTP_GET), "/api/v1/titles", "list", NULL, nop, 0, 0},
    {SV__M(HTTP_GET), "/api/v1/titles/{}", "get", NULL, nop, 0, 0},
    {SV__M(HTTP_GET), "/media/*", "media", NULL, nop, 0, 0},
};

/* Copies one line of the input into a NUL-terminated buffer. */
static const uint8_t *line(const uint8_t *p, const uint8_t *end, char *out, size_t cap,
                           size_t *len)
{
    const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = (size_t)((nl ? nl : end) - p);

    if (n >= cap)
        n = cap - 1;
    memcpy(out, p, n);
    out[n] = '\0';
    *len = n;
    return nl ? nl + 1 : end;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static sv__http_req req;
    const uint8_t *p = data, *end = data + size;
    char target[4096], range[256], hdr[512];
    size_t tlen, rlen, hlen;
    unsigned allowed;
    sv__list_params lp;
    sv__ingest_params ip;
    sv__byte_range br;
    char err[256];
    time_t t;

    p = line(p, end, target, sizeof(target), &tlen);
    p = line(p, end, range, sizeof(range), &rlen);
    line(p, end, hdr, sizeof(hdr), &hlen);

    memset(&req, 0, sizeof(req));
    if (sv__http_target_split(target, tlen, req.path, sizeof(req.path), &req.query,
                              &req.query_len) == 0) {
        req.method = HTTP_GET;
        sv__route_match(routes, 3, &req, &allowed);
        sv__list_params_parse(req.query, req.query_len, &lp, err, sizeof(err));
        sv__ingest_params_parse(req.query, req.query_len, &ip, err, sizeof(err));
        if (req.nb_params)
            (void)sv__parse_id(req.params[0]);
    }
    for (uint64_t s = 0; s < 3; s++) {
        static const uint64_t sizes[3] = {0, 1000, UINT64_MAX / 2};

        if (sv__http_range_parse(range, rlen, sizes[s], &br) == SV__RANGE_OK &&
            (br.first > br.last || br.last >= sizes[s]))
            __builtin_trap(); /* a range outside the file would be sent */
    }
    (void)sv__http_etag_match(hdr, "\"4e20-5f5e100\"");
    (void)sv__http_date_parse(hdr, &t);
    return 0;
}
