/*
 * Playback: accounts, sessions, tokens, CDNs and steering behind the
 * /api/v1/auth, /api/v1/playback, /api/v1/me, /api/v1/steering routes
 * (api_auth.c, api_playback.c) and the token gate in front of /media/.
 *
 * Secrets: user tokens (JWT) and playback/media tokens (token.h) are signed
 * with the token-secret setting (the server fills it from DATA/token-secret
 * when none is set). Without any, a random secret is made here (logged as a
 * warning): tokens then last only as long as the process.
 *
 * Media gate (setting media-auth): "none" serves /media/ to anyone, as
 * before; "token" wants ?token=<playback token> on every request and checks
 * the signature, the expiry, the title prefix and that the session has not
 * ended (stopped, expired, replaced). Thumbnails (/media/<id>/thumbs/) stay
 * public for catalog screens. In both modes a master playlist or MPD
 * fetched with a valid token of a session is rewritten for the CDNs and
 * content steering (manifest_rewrite.h) when `cdns` are configured.
 *
 * Threads: the loop thread.
 */
#ifndef SV_BACKEND_PLAYBACK_H
#define SV_BACKEND_PLAYBACK_H

#include <uv.h>

#include "backend/accounts.h"
#include "backend/catalog.h"
#include "backend/config.h"
#include "backend/http.h"
#include "backend/metrics.h"
#include "backend/static_files.h"
#include "backend/token.h"
#include "platform/log.h"

typedef struct sv__playback sv__playback;

/* Loads the open sessions, parses the CDNs, picks the secret. `cfg`, `cat`
 * and `log` outlive it. Returns 0, SV_ERR_NOMEM, SV_ERR_IO or
 * SV_ERR_INTERNAL (logged). */
int sv__playback_create(uv_loop_t *loop, const sv__config *cfg, sv__catalog *cat,
                        const sv__logger *log, sv__playback **out);

/* Writes the open sessions; run the loop once more afterwards (a timer
 * handle closes). NULL is fine. */
void sv__playback_destroy(sv__playback *pb);

/* Answers GET/HEAD /media/<rel>: the gate, the manifest rewrite, or the
 * file from `media`. */
void sv__playback_media(sv__playback *pb, sv__static *media, sv__http_req *req, const char *rel);

/*
 * Checks a playback token for a request path the way /media does (for
 * other routes that take the same token, e.g. the license). Returns 0 and
 * *claims, or the HTTP status to answer (403) with an error code and
 * message: token_required, token_invalid (forged, altered, malformed),
 * token_expired, token_wrong_title (path outside the token's prefix),
 * session_ended (the token's session was stopped, replaced or expired on
 * this origin), token_wrong_session (the token's session is live here but
 * plays another title: a token minted outside playback/start, e.g. by
 * another origin or `svserver token --session`, may not borrow it). A
 * session id this origin never saw passes (tokens are stateless). `path`
 * NULL skips the prefix check.
 */
int sv__playback_check_token(sv__playback *pb, const char *token, size_t len, const char *path,
                             sv__token_claims *claims, const char **code, const char **message);

/*
 * Answers req with `text` (a master playlist, or an MPD when dash is 1)
 * rewritten for the CDNs and content steering of the session in the
 * token's claims (manifest_rewrite.h; URIs under c->prefix on each CDN),
 * "Cache-Control: private, no-store". Returns 1 when it answered (a 500 if
 * the text cannot be rewritten), 0 when there is nothing to rewrite for (no
 * CDNs configured, or a token without a session): the caller answers.
 */
int sv__playback_rewrite(sv__playback *pb, sv__http_req *req, const char *text, size_t len,
                         int dash, const sv__token_claims *c);

/*
 * After the settings `cfg` points to changed (SIGHUP): a new token-secret
 * signs from now on while the previous one still verifies tokens for
 * grace_s seconds, so tokens issued before the rotation keep working until
 * they expire; media-auth and the TTLs apply to the next request. Returns 1
 * when the secret rotated, else 0.
 */
int sv__playback_reload(sv__playback *pb, int grace_s);

/* Verifies a user token (JWT) with the current secret, or with the one
 * before the last rotation while it is still accepted. Returns what
 * sv__jwt_verify returns (0, SV_ERR_TIMEOUT expired, SV_ERR_FORBIDDEN). */
int sv__playback_jwt_verify(const sv__playback *pb, const char *token, size_t len,
                            sv__jwt_claims *claims);

/* The secret that signs tokens (the setting, or the random one). */
const char *sv__playback_secret(const sv__playback *pb);

/* Live sessions, for /metrics. */
int sv__playback_live_sessions(const sv__playback *pb);

/*
 * Makes `m` read the live session figures from this playback state at
 * every render (sv__metrics_playback_source); the server calls it once at
 * set-up. `m` and pb live as long as the server.
 */
void sv__playback_attach_metrics(sv__playback *pb, sv__metrics *m);

#endif
