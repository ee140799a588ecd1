/*
 * The form of a pinned public key list (sv_player_settings.tls_pinned_pubkey),
 * checked before it reaches libcurl, which would only say "pin mismatch" at
 * the first request.
 *
 * Threads: any; no state.
 */
#ifndef SV_PLAYER_TLS_PIN_H
#define SV_PLAYER_TLS_PIN_H

#include <stddef.h>

/* Returns 0 when `pins` is one or more "sha256//<44 base64 characters>"
 * joined by ';' (CURLOPT_PINNEDPUBLICKEY's hash form: the SHA-256 of a key's
 * DER SubjectPublicKeyInfo), else SV_ERR_INVALID with the reason in
 * err[cap], naming the entry. */
int sv__tls_pins_check(const char *pins, char *err, size_t cap);

#endif
