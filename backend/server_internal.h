/* Shared by server.c and the API route files (api*.c). Loop thread. */
#ifndef SV_BACKEND_SERVER_INTERNAL_H
#define SV_BACKEND_SERVER_INTERNAL_H

#include <jansson.h>
#include <uv.h>

#include "backend/catalog.h"
#include "backend/http.h"
#include "backend/metrics.h"
#include "backend/playback.h"
#include "backend/router.h"
#include "backend/server.h"
#include "backend/static_files.h"
#ifdef SV_HAVE_MEDIA
#include "backend/jobs.h"
#include "backend/live/live.h"
#endif

struct sv_server {
    /* Settings: cfg points to cfg_live, which a SIGHUP reload changes on the
     * loop thread (route handlers read it per request); cfg_start is the copy
     * the ingest workers read on their threads and never changes. */
    const sv__config *cfg;
    sv__config cfg_live;
    sv__config cfg_start;
    char file_secret[128];       /* DATA/token-secret, used when no token-secret is set */
    sv__server_reload_fn reload; /* SIGHUP's source of fresh settings; NULL: none */
    void *reload_opaque;
    const sv__logger *log;       /* &log_live: its level follows reloads */
    sv__logger log_live;
    const sv__logger *log_start; /* the caller's, for the workers' threads */
    uv_loop_t loop;
    uv_signal_t sig_int, sig_term, sig_hup; /* from create to destroy (signals_on) */
    int signals_on;              /* the three watchers were initialised */
    int stopping;                /* SIGINT or SIGTERM came: later ones are ignored */
    sv__http_server *http;
    sv__catalog *cat;            /* the loop's connection */
    sv__static *media;
    sv__metrics *metrics;
    sv__playback *playback;      /* accounts, sessions, tokens, steering */
    struct sv__login_guard *login_guard; /* login throttling (login_guard.h) */
    struct sv__ratelimit *ratelimit; /* per-client API rate; NULL: off (rate-limit 0) */
    char media_dir[1100];
    char uploads_dir[1100];
    char staging_dir[1100];      /* DATA/staging: subtitle changes are made there */
    uint64_t started_ns;
#ifdef SV_HAVE_MEDIA
    sv__job_env env;
    sv__jobs *jobs;
    sv__live *live;              /* live channels (backend/live/) */
#endif
};

/* api_guard.c: before routing, resolves the client's address behind a
 * trusted proxy (req->peer) and takes one request from its API rate. Returns
 * 0 to go on, or 1 when a 429 with Retry-After is pending. */
int sv__api_guard(sv__server *srv, sv__http_req *req);

/* api.c: the HTTP callbacks. */
int sv__api_on_headers(void *opaque, sv__http_req *req);
void sv__api_on_request(void *opaque, sv__http_req *req);
void sv__api_on_done(void *opaque, const sv__http_req *req);

/* api_reply.c: a write (catalog, file) failed. Answers 507
 * insufficient_storage when the data folder's disk is full (the catalog
 * said SQLITE_FULL / ENOSPC, or under 1 MiB is free), else 500 with
 * `message`; logs either. sv__server_disk_full() is the test alone. */
void sv__api_write_failed(sv__server *srv, sv__http_req *req, const char *message);
/* Writes the title's ad breaks (as the catalog has them now) into its
 * manifests (breaks.h), on the loop thread with the title's manifest lock
 * held. 0, or a negative code with err filled. */
int sv__api_breaks_rewrite(sv__server *srv, int64_t id, char *err, size_t errlen);
/* The title's manifest lock (SV__MEDIA_TITLE_LOCK, backend/media.h), taken
 * without waiting (the loop thread): the fd to close, SV_ERR_AGAIN while
 * another change holds it, or SV_ERR_IO. */
int sv__api_manifests_lock(sv__server *srv, int64_t id);
int sv__server_disk_full(sv__server *srv);

/* api_reply.c: sends a JSON value (stolen) with a status, not cached. */
void sv__api_send_json(sv__http_req *req, int status, json_t *value);

/* api_titles.c: route handlers. */
void sv__api_titles_list(void *ctx, sv__http_req *req);
void sv__api_title_get(void *ctx, sv__http_req *req);
/* GET /api/v1/titles/{id}/poster: the ready title's thumbs/poster.jpg. */
void sv__api_title_poster(void *ctx, sv__http_req *req);
void sv__api_title_patch(void *ctx, sv__http_req *req);
int sv__api_title_patch_head(void *ctx, sv__http_req *req);
void sv__api_title_upload(void *ctx, sv__http_req *req);
int sv__api_title_upload_head(void *ctx, sv__http_req *req);
void sv__api_job_get(void *ctx, sv__http_req *req);
/* api_ladder.c */
void sv__api_title_ladder(void *ctx, sv__http_req *req);
void sv__api_title_ladder_svg(void *ctx, sv__http_req *req);

/* api_license.c: POST /api/v1/license (ClearKey, playback token). */
void sv__api_license(void *ctx, sv__http_req *req);
/* api_offline.c: offline licenses (issue, revoke, check, public key). */
void sv__api_offline_issue(void *ctx, sv__http_req *req);
void sv__api_offline_revoke(void *ctx, sv__http_req *req);
void sv__api_offline_check(void *ctx, sv__http_req *req);
void sv__api_offline_key(void *ctx, sv__http_req *req);

/* api_auth.c, api_playback.c: accounts, sessions, steering. */
int sv__api_json_head(void *ctx, sv__http_req *req);
void sv__api_login(void *ctx, sv__http_req *req);
void sv__api_playback_start(void *ctx, sv__http_req *req);
void sv__api_playback_heartbeat(void *ctx, sv__http_req *req);
void sv__api_playback_stop(void *ctx, sv__http_req *req);
void sv__api_continue_watching(void *ctx, sv__http_req *req);
void sv__api_steering_get(void *ctx, sv__http_req *req);
void sv__api_steering_put(void *ctx, sv__http_req *req);
void sv__api_title_regions(void *ctx, sv__http_req *req);
/* api_breaks.c: ad breaks (breaks.h) */
void sv__api_title_breaks(void *ctx, sv__http_req *req);
void sv__api_title_break_add(void *ctx, sv__http_req *req);
void sv__api_title_break_remove(void *ctx, sv__http_req *req);

/* api_subs.c: a title's subtitles (docs/http-api.md, "Subtitles"): GET
 * lists them, PUT /{lang} adds or replaces one (operator), DELETE removes
 * one (operator). The packaging runs on the loop's thread pool. */
int sv__api_title_subs_put_head(void *ctx, sv__http_req *req);
void sv__api_title_subs_put(void *ctx, sv__http_req *req);
void sv__api_title_subs(void *ctx, sv__http_req *req);
void sv__api_title_subs_remove(void *ctx, sv__http_req *req);
/* The ready title's subtitle languages as a JSON array (sorted; [] when
 * none or when built without the media library). */
json_t *sv__api_subs_langs(sv__server *srv, int64_t id);

/* api_channels.c: live channels (GET open, writes admin), their media
 * (/live/...) and the server's clock for DASH's UTCTiming. */
void sv__api_live(void *ctx, sv__http_req *req);
void sv__api_time(void *ctx, sv__http_req *req);
void sv__api_channels_list(void *ctx, sv__http_req *req);
void sv__api_channel_get(void *ctx, sv__http_req *req);
void sv__api_channel_add(void *ctx, sv__http_req *req);
void sv__api_channel_remove(void *ctx, sv__http_req *req);

/* api_users.c: roles, the audit log, accounts, lockouts. */
/* On the head: the bearer user token has at least `role` (req->user, role
 * filled). Returns 0, or -1 after refusing the request (401 or 403). */
int sv__api_require_role(sv__server *srv, sv__http_req *req, int role);
/* After the answer: an authenticated write goes to the audit log. */
void sv__api_audit(sv__server *srv, const sv__http_req *req);
void sv__api_audit_list(void *ctx, sv__http_req *req);
void sv__api_users_list(void *ctx, sv__http_req *req);
void sv__api_user_add(void *ctx, sv__http_req *req);
void sv__api_user_patch(void *ctx, sv__http_req *req);
void sv__api_user_unlock(void *ctx, sv__http_req *req);

#endif
