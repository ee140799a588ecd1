/*
 * CDNs and content steering: the CDN list from the `cdns` setting, the
 * operator's pathway priority and pathway clones (PUT /api/v1/steering),
 * and the steering manifest the players reload (HLS Content Steering 1.2 /
 * DASH-IF Content Steering: VERSION, TTL, RELOAD-URI, PATHWAY-PRIORITY or
 * SERVICE-LOCATION-PRIORITY, PATHWAY-CLONES).
 *
 * Pathway clones (HLS Content Steering 1.2, RFC 8216bis 7.2): a clone is a
 * new pathway that players derive from a base pathway of the multivariant
 * playlist (a configured CDN) by URI replacement: another HOST, extra query
 * PARAMS, or whole URIs per STABLE-VARIANT-ID / STABLE-RENDITION-ID. It lets
 * an operator bring a new edge into service without touching manifests. The
 * manifests (manifest_rewrite.h) list only the configured CDNs; clones live
 * in the steering manifest only, and their ids take part in the priority
 * like any pathway.
 *
 * A CDN is an id (the HLS PATHWAY-ID and the DASH serviceLocation) and the
 * base URL of an HTTP cache in front of the origin (an nginx edge from
 * backend/deploy/); media paths are appended to it as they are
 * ("/media/12/video/240p/seg-1.m4s").
 *
 * Threads: an sv__steering belongs to the loop thread. sv__cdns_parse is
 * pure and may be called anywhere.
 */
#ifndef SV_BACKEND_STEERING_H
#define SV_BACKEND_STEERING_H

#include <jansson.h>
#include <stddef.h>

#define SV__MAX_CDNS 8
#define SV__MAX_CLONES 8
#define SV__MAX_PATHWAYS (SV__MAX_CDNS + SV__MAX_CLONES)

typedef struct sv__cdn {
    char id[32];        /* [A-Za-z0-9_-], 1..31 characters */
    char base_url[256]; /* "http://127.0.0.1:8081", no trailing '/' */
    int weight;         /* DVB weight among CDNs of equal priority; 1 */
} sv__cdn;

typedef struct sv__cdn_list {
    sv__cdn cdn[SV__MAX_CDNS];
    int n;
} sv__cdn_list;

/*
 * Parses "id=url[;weight],id=url[;weight],..." ("" is an empty list). URLs
 * are http:// or https:// without quotes, blanks, '<', '>', '&', '?' or '#'
 * (they go into playlists and XML as they are). Ids are unique. With out
 * NULL it only checks. Returns 0 or SV_ERR_INVALID with a reason in err.
 */
int sv__cdns_parse(const char *text, sv__cdn_list *out, char *err, size_t errlen);

typedef struct sv__steering sv__steering;

/* A steering state over `cdns` (copied), initial priority the list order.
 * Returns 0 or SV_ERR_NOMEM. */
int sv__steering_create(const sv__cdn_list *cdns, int ttl_s, sv__steering **out);
void sv__steering_destroy(sv__steering *st);

const sv__cdn_list *sv__steering_cdns(const sv__steering *st);

/* The CDN indices best first (n of them, n == the CDN count; clones left
 * out: the manifests carry CDNs only). */
const int *sv__steering_order(const sv__steering *st);

/* A 1-based priority of CDN index i among the CDNs in the current order. */
int sv__steering_priority(const sv__steering *st, int i);

/* Number of pathway clones currently declared. */
int sv__steering_clone_count(const sv__steering *st);

/*
 * Sets the order from a JSON array of pathway ids (borrowed): CDN ids and
 * clone ids. Ids left out keep their relative order after the named ones.
 * Returns 0, or SV_ERR_INVALID with a reason (unknown or repeated id, not
 * strings, empty array). Same as sv__steering_update(st, priority, NULL).
 */
int sv__steering_set(sv__steering *st, json_t *priority, char *err, size_t errlen);

/*
 * The operator's change (PUT /api/v1/steering), all or nothing; both
 * arguments are borrowed and either may be NULL (not both).
 *
 * `clones`, when given, replaces the set of pathway clones: an array (at
 * most SV__MAX_CLONES; [] removes them all) of objects
 *   {"base_id": CDN id, "id": new pathway id,
 *    "host": "name[:port]" or "[v6]:port",           (optional)
 *    "params": {"name": "value", ...},               (optional, <= 16)
 *    "per_variant_uris": {"stable-id": "http(s)://..."},   (optional)
 *    "per_rendition_uris": {"stable-id": "http(s)://..."}} (optional)
 * with at least one of the four replacements, ids unique among CDNs and
 * clones, and no other keys. A clone already declared keeps its place in
 * the order; a new one goes last (unless `priority` names it).
 *
 * `priority` as for sv__steering_set, checked against the new set.
 * Returns 0, or SV_ERR_INVALID with a reason in err (nothing changed).
 */
int sv__steering_update(sv__steering *st, json_t *priority, json_t *clones, char *err,
                        size_t errlen);

/*
 * The steering manifest (caller owns it): {"VERSION":1,"TTL":..,
 * "RELOAD-URI":reload_uri, "PATHWAY-PRIORITY":[ids]} for HLS, or with
 * "SERVICE-LOCATION-PRIORITY" for DASH. reload_uri may be NULL. With
 * clones declared it also carries "PATHWAY-CLONES":[{"BASE-ID","ID",
 * "URI-REPLACEMENT":{"HOST","PARAMS","PER-VARIANT-URIS",
 * "PER-RENDITION-URIS"}}] (the members that are set). DASH-IF steering
 * knows only HOST and PARAMS: the DASH manifest leaves the per-variant and
 * per-rendition URIs out, and a clone made only of those (nothing left to
 * replace) is left out with its id.
 */
json_t *sv__steering_json(const sv__steering *st, int dash, const char *reload_uri);

#endif
