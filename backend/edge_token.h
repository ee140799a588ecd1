/*
 * Edge tokens: URLs that a stock nginx edge checks itself with its
 * secure_link module (backend/deploy/nginx-edge.conf).
 *
 * An edge token is two query parameters, md5=<hash>&expires=<unix s>, with
 *   hash = base64url(MD5("<expires><prefix> <secret>")), no padding,
 * where prefix is the title's media folder ("/media/12/"). The nginx side is
 *   secure_link $arg_md5,$arg_expires;
 *   secure_link_md5 "$secure_link_expires$sv_prefix <secret>";
 * with $sv_prefix captured from the request path, so one token covers every
 * file of the title (the player appends the same parameters to all of its
 * requests). nginx answers a forged or missing hash with 403 and an expired
 * one with 410. MD5 is what secure_link offers; the secret keeps it a MAC
 * of sorts, and the origin still checks the HMAC token (token.h) on the
 * requests the edge forwards.
 *
 * Threads: pure functions.
 */
#ifndef SV_BACKEND_EDGE_TOKEN_H
#define SV_BACKEND_EDGE_TOKEN_H

#include <stddef.h>
#include <stdint.h>

/* Writes "md5=...&expires=..." into out[cap] (cap >= 64). Returns 0,
 * SV_ERR_INVALID (empty secret, small buffer) or SV_ERR_INTERNAL. */
int sv__edge_token_query(const char *secret, const char *prefix, int64_t expires, char *out,
                         size_t cap);


#endif
