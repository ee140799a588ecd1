/*
 * HLS interstitials (RFC 8216bis, appendix D): what an EXT-X-DATERANGE of
 * CLASS="com.apple.hls.interstitial" asks of the player, read from the
 * tag's attribute list, and the X-ASSET-LIST JSON document
 * ({"ASSETS":[{"URI":...,"DURATION":...}, ...]}, read with jansson).
 * Parsers only: no I/O, no allocation but jansson's own (freed before
 * they return).
 *
 * Threads: pure functions, any thread.
 */
#ifndef SV_PLAYER_INTERSTITIAL_H
#define SV_PLAYER_INTERSTITIAL_H

#include <stddef.h>

#define SV__INTERSTITIAL_CLASS "com.apple.hls.interstitial"
#define SV__INTERSTITIAL_URL_MAX 2048
/* Assets of one X-ASSET-LIST at most (more are refused as malformed). */
#define SV__ASSETS_MAX 16

/* X-RESTRICT */
#define SV__RESTRICT_SKIP 1 /* no seeking within the asset */
#define SV__RESTRICT_JUMP 2 /* a seek over the break plays it first */
/* CUE */
#define SV__CUE_PRE 1
#define SV__CUE_POST 2
#define SV__CUE_ONCE 4

typedef struct sv__interstitial_desc {
    char asset_uri[SV__INTERSTITIAL_URL_MAX]; /* resolved; "" when the tag has a list */
    char list_uri[SV__INTERSTITIAL_URL_MAX];  /* X-ASSET-LIST resolved; "" none */
    double resume_offset;  /* X-RESUME-OFFSET seconds; < 0 (-1) absent */
    double playout_limit;  /* X-PLAYOUT-LIMIT seconds; < 0 (-1) absent */
    int restrict_flags;    /* SV__RESTRICT_* */
    int cue;               /* SV__CUE_* */
} sv__interstitial_desc;

/*
 * Reads an interstitial's attribute list (`attrs`, as the DATERANGE tag
 * wrote it) with URIs resolved against `base` (the media playlist's URL).
 * Exactly one of X-ASSET-URI and X-ASSET-LIST must be given. Returns 0,
 * or SV_ERR_PARSE with why[cap] naming the attribute that is wrong.
 */
int sv__interstitial_read(const char *attrs, const char *base, sv__interstitial_desc *out,
                          char *why, size_t cap);

typedef struct sv__asset {
    char uri[SV__INTERSTITIAL_URL_MAX]; /* resolved against the list's URL */
    double duration;                    /* DURATION seconds; < 0 absent */
} sv__asset;

/*
 * Reads an X-ASSET-LIST document of `len` bytes (`base`: its URL) into
 * out[0..cap), setting *n. Returns 0, or SV_ERR_PARSE with why[cap]
 * saying what is wrong (not JSON, no ASSETS array, an asset without a
 * URI string or with a URI that does not resolve, a DURATION that is not
 * a number >= 0, more than `cap` assets, none at all).
 */
int sv__asset_list_parse(const char *data, size_t len, const char *base, sv__asset *out,
                         size_t cap, size_t *n, char *why, size_t why_cap);

#endif
