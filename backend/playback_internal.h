/* Shared by playback.c, api_auth.c and api_playback.c. Loop thread. */
#ifndef SV_BACKEND_PLAYBACK_INTERNAL_H
#define SV_BACKEND_PLAYBACK_INTERNAL_H

#include "backend/accounts.h"
#include "backend/playback.h"
#include "backend/sessions.h"
#include "backend/steering.h"

struct sv__playback {
    const sv__config *cfg;
    sv__catalog *cat;
    const sv__logger *log;
    sv__sessions *sessions;
    sv__steering *steering;
    char secret[128];
    /* The secret before the last rotation (sv__playback_reload): still
     * verifies tokens until prev_until (epoch s), never signs. */
    char prev_secret[128];
    int64_t prev_until;
    int media_auth;           /* 1: /media wants a token */
    char media_dir[1100];
};

/* The Authorization: Bearer user token of req, verified. Returns 0 and
 * *claims, or answers 401 itself and returns -1. */
int sv__playback_bearer(sv__playback *pb, sv__http_req *req, sv__jwt_claims *claims);

/* A fresh playback token for a session (title prefix, short expiry) and
 * the query the player appends to media URLs ("token=.." plus the edge's
 * "&md5=..&expires=.." when an edge-secret is set). Returns 0 or < 0. */
int sv__playback_issue(sv__playback *pb, const sv__session *s, char *token, size_t token_cap,
                       char *query, size_t query_cap, int64_t *expires);

#endif
