/*
 * Parameters of the API routes, taken from query strings and JSON bodies.
 * Pure functions (no I/O), fuzzed by tests/fuzz/fuzz_backend_*.c. On error
 * they return SV_ERR_INVALID with a message for the 400 answer in err.
 */
#ifndef SV_BACKEND_API_PARAMS_H
#define SV_BACKEND_API_PARAMS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define SV__MAX_GENRES 16

/* POST /api/v1/titles?title=..&genre=..&genre=..&synopsis=.. */
typedef struct sv__ingest_params {
    char title[256];
    char synopsis[4096];
    char genres[SV__MAX_GENRES][64];
    int nb_genres;
    char drm[8];           /* "none", "cenc", "cbcs", or "" for the server's drm setting */
} sv__ingest_params;

int sv__ingest_params_parse(const char *query, size_t len, sv__ingest_params *out, char *err,
                            size_t errlen);

/* GET /api/v1/titles?q=..&genre=..&limit=..&offset=..&status=ready|all */
typedef struct sv__list_params {
    char q[256];
    char genre[64];
    int limit;     /* 1..100, default 20 */
    int offset;    /* 0..1000000 */
    int all;       /* status=all: every state, not only ready titles */
} sv__list_params;

int sv__list_params_parse(const char *query, size_t len, sv__list_params *out, char *err,
                          size_t errlen);

/* PATCH /api/v1/titles/{id} body: {"title":..,"synopsis":..,"genres":[..]},
 * each optional, at least one, no other keys. On success the fields point
 * into *root (caller json_decref()s it); absent ones are NULL. */
typedef struct sv__title_patch {
    json_t *root;
    const char *title;
    const char *synopsis;
    json_t *genres;
} sv__title_patch;

int sv__title_patch_parse(const char *body, size_t len, sv__title_patch *out, char *err,
                          size_t errlen);

/* A positive decimal id ("42"); returns it or -1. */
int64_t sv__parse_id(const char *s);

#endif
