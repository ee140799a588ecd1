/*
 * playback.c - the playback state (playback.h): secret, sessions, CDNs,
 * token issue and checks, and the /media/ gate with the manifest rewrite.
 */
#include <fcntl.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backend/channels.h"
#include "backend/edge_token.h"
#include "platform/b64url.h"
#include "backend/http_util.h"
#include "backend/manifest_rewrite.h"
#include "backend/playback_internal.h"
#include "streamverse/common.h"

#define MAX_MANIFEST (4u << 20)

int sv__playback_create(uv_loop_t *loop, const sv__config *cfg, sv__catalog *cat,
                        const sv__logger *log, sv__playback **out)
{
    sv__playback *pb = calloc(1, sizeof(*pb));
    sv__cdn_list cdns;
    sv__catalog *writer = NULL;
    char err[256];
    int ret = SV_ERR_NOMEM;

    if (!pb)
        return SV_ERR_NOMEM;
    pb->cfg = cfg;
    pb->cat = cat;
    pb->log = log;
    pb->media_auth = !strcmp(cfg->media_auth, "token");
    snprintf(pb->media_dir, sizeof(pb->media_dir), "%s/media", cfg->data_dir);
    if (cfg->token_secret[0]) {
        snprintf(pb->secret, sizeof(pb->secret), "%s", cfg->token_secret);
    } else {
        uint8_t rnd[32];

        if (RAND_bytes(rnd, sizeof(rnd)) != 1 ||
            sv__b64url_encode(rnd, sizeof(rnd), pb->secret, sizeof(pb->secret)) < 0) {
            ret = SV_ERR_INTERNAL;
            goto fail;
        }
        SV_LOGW(log, "playback", "no token-secret set: tokens are signed with a random secret "
                "that lasts until this process stops");
    }
    if (sv__cdns_parse(cfg->cdns, &cdns, err, sizeof(err)) < 0) {
        SV_LOGE(log, "playback", "%s", err);
        ret = SV_ERR_INVALID;
        goto fail;
    }
    if ((ret = sv__steering_create(&cdns, cfg->steering_ttl, &pb->steering)) < 0)
        goto fail;
    /* The sessions' writes get a connection of their own, off the loop. */
    if ((ret = sv__catalog_connect(cfg->db, cfg->data_dir, &writer, err, sizeof(err))) < 0) {
        SV_LOGE(log, "playback", "cannot open the catalog for the sessions' writer: %s", err);
        goto fail;
    }
    if ((ret = sv__sessions_create(loop, cat, writer, log, cfg->heartbeat_s,
                                   &pb->sessions)) < 0) {
        SV_LOGE(log, "playback", "cannot start the sessions: %s", sv_strerror(ret));
        goto fail;
    }
    *out = pb;
    return 0;

fail:
    sv__playback_destroy(pb);
    return ret;
}

void sv__playback_destroy(sv__playback *pb)
{
    if (!pb)
        return;
    sv__sessions_destroy(pb->sessions);
    sv__steering_destroy(pb->steering);
    memset(pb->secret, 0, sizeof(pb->secret));
    memset(pb->prev_secret, 0, sizeof(pb->prev_secret));
    free(pb);
}

int sv__playback_reload(sv__playback *pb, int grace_s)
{
    const char *next = pb->cfg->token_secret;

    pb->media_auth = !strcmp(pb->cfg->media_auth, "token");
    if (!next[0] || !strcmp(next, pb->secret))
        return 0;
    memcpy(pb->prev_secret, pb->secret, sizeof(pb->secret));
    pb->prev_until = (int64_t)time(NULL) + grace_s;
    snprintf(pb->secret, sizeof(pb->secret), "%s", next);
    return 1;
}

/* The secret before the last rotation while it still verifies, else NULL. */
static const char *prev_secret(const sv__playback *pb)
{
    return pb->prev_secret[0] && (int64_t)time(NULL) < pb->prev_until ? pb->prev_secret : NULL;
}

int sv__playback_jwt_verify(const sv__playback *pb, const char *token, size_t len,
                            sv__jwt_claims *claims)
{
    int64_t now = (int64_t)time(NULL);
    int r = sv__jwt_verify(pb->secret, token, len, now, claims);

    if (r == SV_ERR_FORBIDDEN && prev_secret(pb))
        r = sv__jwt_verify(prev_secret(pb), token, len, now, claims);
    return r;
}

const char *sv__playback_secret(const sv__playback *pb)
{
    return pb->secret;
}

int sv__playback_live_sessions(const sv__playback *pb)
{
    return sv__sessions_count(pb->sessions);
}

static void figures(void *opaque, sv__playback_figures *out)
{
    sv__playback *pb = opaque;

    sv__sessions_expire(pb->sessions);
    out->live = sv__sessions_count(pb->sessions);
    sv__sessions_ended(pb->sessions, &out->stopped, &out->expired, &out->replaced);
}

void sv__playback_attach_metrics(sv__playback *pb, sv__metrics *m)
{
    sv__metrics_playback_source(m, figures, pb);
}

int sv__playback_bearer(sv__playback *pb, sv__http_req *req, sv__jwt_claims *claims)
{
    const char *h = req->authorization;
    int r;

    if (strncasecmp(h, "Bearer ", 7) != 0) {
        sv__http_add_header(req, "WWW-Authenticate", "Bearer realm=\"streamverse\"");
        sv__http_send_error(req, 401, "unauthorized",
                            "log in first: Authorization: Bearer <token from /api/v1/auth/login>");
        return -1;
    }
    h += 7;
    while (*h == ' ')
        h++;
    r = sv__playback_jwt_verify(pb, h, strlen(h), claims);
    if (r < 0) {
        sv__http_add_header(req, "WWW-Authenticate", "Bearer realm=\"streamverse\", "
                            "error=\"invalid_token\"");
        sv__http_send_error(req, 401, r == SV_ERR_TIMEOUT ? "token_expired" : "unauthorized",
                            r == SV_ERR_TIMEOUT ? "the user token has expired: log in again"
                                                : "the user token is not valid");
        return -1;
    }
    return 0;
}

int sv__playback_session_prefix(sv__playback *pb, sv__session *s)
{
    char channel[SV__CHANNEL_NAME_MAX + 1];
    json_t *regions = NULL;
    int ready, r;

    if (s->prefix[0])
        return 0;
    r = sv__catalog_title_access(pb->cat, s->title_id, &ready, &regions, channel,
                                 sizeof(channel));
    json_decref(regions);
    if (r < 0 && r != SV_ERR_NOT_FOUND)
        return SV_ERR_IO;
    if (r == 0 && channel[0])
        snprintf(s->prefix, sizeof(s->prefix), "/live/%s/", channel);
    else
        snprintf(s->prefix, sizeof(s->prefix), "/media/%lld/", (long long)s->title_id);
    return 0;
}

int sv__playback_issue(sv__playback *pb, sv__session *s, char *token, size_t token_cap,
                       char *query, size_t query_cap, int64_t *expires)
{
    sv__token_claims c;
    int n, ret;

    if ((ret = sv__playback_session_prefix(pb, s)) < 0)
        return ret;
    memset(&c, 0, sizeof(c));
    c.title_id = s->title_id;
    c.expires = (int64_t)time(NULL) + pb->cfg->playback_token_ttl;
    snprintf(c.session, sizeof(c.session), "%s", s->id);
    snprintf(c.prefix, sizeof(c.prefix), "%s", s->prefix);
    if ((ret = sv__token_sign(pb->secret, &c, token, token_cap)) < 0)
        return ret;
    n = snprintf(query, query_cap, "token=%s", token);
    if (n < 0 || (size_t)n >= query_cap)
        return SV_ERR_OVERFLOW;
    if (pb->cfg->edge_secret[0]) {
        if ((size_t)n + 2 >= query_cap)
            return SV_ERR_OVERFLOW;
        query[n++] = '&';
        if ((ret = sv__edge_token_query(pb->cfg->edge_secret, c.prefix, c.expires, query + n,
                                        query_cap - (size_t)n)) < 0)
            return ret;
    }
    *expires = c.expires;
    return 0;
}

int sv__playback_check_token(sv__playback *pb, const char *token, size_t len, const char *path,
                             sv__token_claims *claims, const char **code, const char **message)
{
    int r;

    *code = "token_invalid";
    *message = "the token is not valid";
    if (len == 0) {
        *code = "token_required";
        *message = "this URL needs ?token= from playback/start";
        return 403;
    }
    r = sv__token_verify(pb->secret, token, len, (int64_t)time(NULL), claims);
    if (r == SV_ERR_FORBIDDEN && prev_secret(pb))
        r = sv__token_verify(prev_secret(pb), token, len, (int64_t)time(NULL), claims);
    if (r == SV_ERR_TIMEOUT) {
        *code = "token_expired";
        *message = "the token has expired: heartbeats refresh it";
        return 403;
    }
    if (r < 0)
        return 403;
    if (path && !sv__token_grants_path(claims, path)) {
        *code = "token_wrong_title";
        *message = "the token was issued for another title";
        return 403;
    }
    if (claims->session[0]) {
        const sv__session *s = sv__sessions_find(pb->sessions, claims->session);

        /* Only playback/start binds a session to a title; a token that
         * names a live session of another title was minted elsewhere. */
        if (s && s->title_id != claims->title_id) {
            *code = "token_wrong_session";
            *message = "the token's session plays another title";
            return 403;
        }
        if (!s && sv__sessions_usable(pb->sessions, claims->session) == 0) {
            *code = "session_ended";
            *message = "the playback session of this token has ended";
            return 403;
        }
    }
    return 0;
}

/* Reads DATA/media/<rel> whole (a manifest: small), confined to the media
 * tree like every other media file. */
static char *read_manifest(sv__static *media, const char *rel, size_t *len)
{
    struct stat sb;
    char *buf = NULL;
    int fd;

    if ((fd = sv__static_open(media, rel)) < 0)
        return NULL;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0 &&
        (uint64_t)sb.st_size <= MAX_MANIFEST && (buf = malloc((size_t)sb.st_size + 1)) &&
        read(fd, buf, (size_t)sb.st_size) == sb.st_size) {
        buf[sb.st_size] = '\0';
        *len = (size_t)sb.st_size;
    } else {
        free(buf);
        buf = NULL;
    }
    close(fd);
    return buf;
}

/* "<digits>/master.m3u8" -> 1, "<digits>/manifest.mpd" -> 2, else 0. */
static int manifest_kind(const char *rel)
{
    size_t d = strspn(rel, "0123456789");

    if (d == 0 || rel[d] != '/')
        return 0;
    return !strcmp(rel + d + 1, "master.m3u8") ? 1 : !strcmp(rel + d + 1, "manifest.mpd") ? 2 : 0;
}

int sv__playback_rewrite(sv__playback *pb, sv__http_req *req, const char *text, size_t len,
                         int dash, const sv__token_claims *c)
{
    char steer[160], *out;
    size_t out_len = 0;

    if (sv__steering_cdns(pb->steering)->n == 0 || !c->session[0])
        return 0;
    snprintf(steer, sizeof(steer), "/api/v1/steering?session=%s%s", c->session,
             dash ? "&fmt=dash" : "");
    out = dash ? sv__dash_mpd_rewrite(text, len, pb->steering, c->prefix, steer, &out_len)
               : sv__hls_master_rewrite(text, len, pb->steering, c->prefix, steer, &out_len);
    if (!out) {
        SV_LOGE(pb->log, "playback", "cannot rewrite %s for the CDNs", req->path);
        sv__http_send_error(req, 500, "internal", "cannot prepare the manifest");
        return 1;
    }
    /* Per session (steering URI): never kept by a shared cache. */
    sv__http_add_header(req, "Cache-Control", "private, no-store");
    sv__http_send(req, 200, dash ? "application/dash+xml" : "application/vnd.apple.mpegurl", out,
                  out_len);
    free(out);
    return 1;
}

/* Serves a master playlist or MPD rewritten for the session's CDNs.
 * Returns 1 when it answered. */
static int serve_rewritten(sv__playback *pb, sv__static *media, sv__http_req *req,
                           const char *rel, int kind, const sv__token_claims *c)
{
    char *text;
    size_t len;
    int ret;

    if (sv__steering_cdns(pb->steering)->n == 0 || !c->session[0])
        return 0;
    if (!(text = read_manifest(media, rel, &len)))
        return 0; /* the static path answers 404 */
    ret = sv__playback_rewrite(pb, req, text, len, kind == 2, c);
    free(text);
    return ret;
}

void sv__playback_media(sv__playback *pb, sv__static *media, sv__http_req *req, const char *rel)
{
    char token[SV__TOKEN_MAX];
    const char *code = "token_invalid", *message = "the token is not valid";
    sv__token_claims c;
    size_t d = strspn(rel, "0123456789");
    int tlen, status = -1, kind = manifest_kind(rel);

    tlen = sv__http_query_get(req->query, req->query_len, "token", 0, token, sizeof(token));
    if (tlen == SV_ERR_NOT_FOUND)
        tlen = 0;
    if (tlen >= 0 && (pb->media_auth || (tlen > 0 && kind)))
        status = sv__playback_check_token(pb, token, (size_t)tlen, req->path, &c, &code,
                                          &message);
    else if (tlen < 0)
        status = 403; /* a token that does not even decode */
    /* Artwork stays public: catalog screens show it before any session. */
    if (pb->media_auth && status != 0 && !(d > 0 && !strncmp(rel + d, "/thumbs/", 8))) {
        sv__http_send_error(req, status, code, message);
        return;
    }
    if (status == 0 && kind && serve_rewritten(pb, media, req, rel, kind, &c))
        return;
    sv__static_serve(media, req, rel);
}
