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
 * "&md5=..&expires=.." when an edge-secret is set). The prefix is the
 * session's (sv__playback_session_prefix). Returns 0 or < 0. */
int sv__playback_issue(sv__playback *pb, sv__session *s, char *token, size_t token_cap,
                       char *query, size_t query_cap, int64_t *expires);

/* Sets s->prefix when it has none yet: /live/NAME/ while the session's
 * title is a live event of channel NAME (sv__catalog_title_access), else
 * /media/ID/. A session keeps its prefix: a live session goes on with the
 * channel's playlists (ENDLIST once the event ended) after its title became
 * VOD. Returns 0 or SV_ERR_IO (the catalog; the prefix stays unset). */
int sv__playback_session_prefix(sv__playback *pb, sv__session *s);

#endif
