/*
 * The catalog's one internal interface (catalog.h): a handle carries the
 * operations of its back end, SQLite (catalog_sqlite*.c, the embedded
 * default) or PostgreSQL (catalog_pg*.c, shared by several svserver
 * processes). catalog.c opens the right one and forwards every public
 * sv__catalog_* call through the table; nothing outside catalog*.c sees
 * which back end a handle uses.
 *
 * Every operation has the contract of its public function (catalog.h,
 * accounts.h, keys.h, sessions.h); a back end implements all of them.
 */
#ifndef SV_BACKEND_CATALOG_INTERNAL_H
#define SV_BACKEND_CATALOG_INTERNAL_H

#include "backend/accounts.h"
#include "backend/catalog.h"
#include "backend/channels.h"
#include "backend/keys.h"
#include "backend/sessions.h"

/*
 * A title is live while a channel in state 'live' records its event into
 * it (channels.title_id) and the title is not published yet: its status
 * reads "live" and it plays from /live/<channel>/. The same SQL works in
 * both back ends; `t` is the titles row's alias.
 */
#define SV__CAT_LIVE_CHANNEL                                                           \
    "(SELECT c.name FROM channels c WHERE c.title_id = t.id AND c.state = 'live'"      \
    " AND t.status = 'processing' ORDER BY c.id LIMIT 1)"
#define SV__CAT_TITLE_STATUS                                                           \
    "CASE WHEN " SV__CAT_LIVE_CHANNEL " IS NULL THEN t.status ELSE 'live' END"

typedef struct sv__catalog_ops {
    const char *name; /* "sqlite", "postgresql" */
    /* handle */
    void (*close)(sv__catalog *cat);
    const char *(*errmsg)(sv__catalog *cat);
    int (*disk_full)(sv__catalog *cat);
    int (*available)(sv__catalog *cat);
    /* audit */
    int (*lockout_get)(sv__catalog *cat, const char *name, int64_t *until);
    int (*lockout_set)(sv__catalog *cat, const char *name, int64_t until, int failures);
    int (*lockout_clear)(sv__catalog *cat, const char *name);
    int (*audit_add)(sv__catalog *cat, const sv__audit_rec *r);
    json_t *(*audit_list)(sv__catalog *cat, int64_t before_id, int limit);
    /* jobs */
    int (*job_create)(sv__catalog *cat, int64_t title_id, const char *input, int input_owned,
                      int64_t *job_id);
    json_t *(*job_json)(sv__catalog *cat, int64_t job_id, int *err);
    int (*job_get)(sv__catalog *cat, int64_t job_id, sv__job_info *out);
    int (*job_claim)(sv__catalog *cat, int64_t job_id, const sv__job_claim_args *c,
                     sv__job_info *out);
    int (*job_renew)(sv__catalog *cat, const sv__job_info *job, int lease_s);
    int (*job_progress)(sv__catalog *cat, const sv__job_info *job, double percent,
                        const char *stage);
    int (*job_fail)(sv__catalog *cat, const sv__job_info *job, const char *reason);
    int (*job_requeue)(sv__catalog *cat, const sv__job_info *job);
    int (*publish)(sv__catalog *cat, const sv__job_info *job, const sv__media_result *res);
    int (*title_ladder)(sv__catalog *cat, int64_t title_id, char **json_text);
    int (*job_split)(sv__catalog *cat, const sv__job_info *job, int parts);
    int (*job_part_done)(sv__catalog *cat, const sv__job_info *part, const char *output,
                         int lease_s, sv__job_info *parent);
    int (*job_parts)(sv__catalog *cat, int64_t job_id, sv__job_part *out, int cap);
    int (*recover)(sv__catalog *cat, int self_pid, int max_attempts, sv__job_gave_up_fn gave_up,
                   void *opaque, int64_t **ids);
    int (*job_inputs_active)(sv__catalog *cat, void (*fn)(void *opaque, const char *input),
                             void *opaque);
    int (*job_counts)(sv__catalog *cat, int64_t *counts);
    /* keys */
    int (*key_insert)(sv__catalog *cat, int64_t title_id, const uint8_t kid[16],
                      const uint8_t *wrapped, size_t len);
    int (*key_by_title)(sv__catalog *cat, int64_t title_id, uint8_t kid[16], uint8_t *wrapped,
                        size_t cap, size_t *len);
    int (*key_by_kid)(sv__catalog *cat, const uint8_t kid[16], int64_t *title_id, uint8_t *wrapped,
                      size_t cap, size_t *len);
    int (*title_set_drm)(sv__catalog *cat, int64_t title_id, const char *drm);
    int (*title_drm)(sv__catalog *cat, int64_t title_id, char *out, size_t cap);
    /* sessions */
    int (*session_start)(sv__catalog *cat, const sv__session *s, int max_streams,
                         int64_t stale_before);
    int (*session_get)(sv__catalog *cat, const char *id, sv__session *out);
    int (*sessions_expire)(sv__catalog *cat, int64_t before);
    int (*sessions_live)(sv__catalog *cat, int64_t since, int64_t *n);
    int (*sessions_save)(sv__catalog *cat, sv__session *const *s, int n, const char *reason);
    int (*session_ended)(sv__catalog *cat, const char *id);
    int (*resume_get)(sv__catalog *cat, int64_t user_id, int64_t title_id, double *pos);
    json_t *(*continue_watching)(sv__catalog *cat, int64_t user_id, int limit, int *err);
    int (*title_access)(sv__catalog *cat, int64_t title_id, int *ready, json_t **regions,
                        char *live_channel, size_t cap);
    int (*title_set_regions)(sv__catalog *cat, int64_t title_id, json_t *regions);
    /* ad breaks (breaks.h) */
    int (*break_add)(sv__catalog *cat, sv__ad_break *b);
    int (*breaks)(sv__catalog *cat, int64_t title_id, sv__ad_break *out, int cap);
    int (*break_remove)(sv__catalog *cat, int64_t title_id, int64_t id);
    int (*ad_impressions_add)(sv__catalog *cat, const char *session_id, int64_t title_id,
                              const sv__ad_impression *a, int n);
    /* offline licenses (api_offline.c) */
    int (*offline_add)(sv__catalog *cat, const sv__offline_license *l, int max_devices,
                       int64_t now);
    int (*offline_get)(sv__catalog *cat, const char *id, sv__offline_license *out);
    int (*offline_revoke)(sv__catalog *cat, const char *id, int64_t title_id, int64_t user_id);
    /* titles */
    int (*title_create)(sv__catalog *cat, const char *title, const char *synopsis,
                        const char *const *genres, int nb_genres, int64_t *id);
    int (*title_update)(sv__catalog *cat, int64_t id, const char *title, const char *synopsis,
                        json_t *genres);
    json_t *(*title_json)(sv__catalog *cat, int64_t id, int *err);
    json_t *(*titles_list)(sv__catalog *cat, const sv__title_query *q, int *err);
    /* users */
    int (*user_insert)(sv__catalog *cat, const char *name, const sv__pw_record *rec,
                       const char *region, int max_streams, int role, int64_t *id);
    int (*user_find)(sv__catalog *cat, const char *name, sv__user *out, sv__pw_record *rec);
    int (*user_get)(sv__catalog *cat, int64_t id, sv__user *out);
    int (*user_set_role)(sv__catalog *cat, const char *name, int role);
    json_t *(*users_list)(sv__catalog *cat);
    /* channels (channels.h; channels.c chooses ports before the insert) */
    int (*channel_insert)(sv__catalog *cat, sv__channel *ch);
    int (*channel_get)(sv__catalog *cat, const char *name, sv__channel *out);
    int (*channels)(sv__catalog *cat, sv__channel *out, int cap);
    int (*channel_remove)(sv__catalog *cat, const char *name);
    int (*channel_set_state)(sv__catalog *cat, const char *name, int state, int64_t title_id);
} sv__catalog_ops;

struct sqlite3;
struct pg_conn;

struct sv__catalog {
    const sv__catalog_ops *ops;
    struct sqlite3 *db; /* the SQLite back end's connection */
    struct pg_conn *pg; /* the PostgreSQL back end's connection (libpq PGconn) */
    char errmsg[256];   /* PostgreSQL: the last error, one line */
    char sqlstate[8];   /* PostgreSQL: the last error's SQLSTATE, or "" */
    uint64_t retry_ns;  /* PostgreSQL: no reconnect attempt before (monotonic) */
};

extern const sv__catalog_ops sv__sqlite_ops;
extern const sv__catalog_ops sv__pg_ops;

/* Opens the SQLite catalog file at path / the PostgreSQL database at url
 * (migrating either). Same contract as sv__catalog_open. */
int sv__sqlite_open(const char *path, sv__catalog **out, char *err, size_t errlen);
int sv__pg_open(const char *url, sv__catalog **out, char *err, size_t errlen);

/* ---- catalog_values.c: the values both back ends share ----
 * A bottom file (it calls nothing above it in backend/): the back ends and
 * channels.c call down into it, never up into catalog.c. */

/* Seconds since the epoch, for created/started/finished columns. */
int64_t sv__cat_now(void);

/* ISO 8601 UTC ("2024-05-01T12:00:00Z") of an epoch second; buf >= 21. */
void sv__cat_iso8601(int64_t t, char *buf, size_t cap);
/* A live title's JSON gets its channel and the channel's manifests. */
void sv__cat_live_manifests(json_t *t, const char *channel);

/* The text publish stores for res's ladder (malloc'ed), or NULL
 * for a fixed one (and when out of memory: the record is informative). */
char *sv__cat_ladder_text(const sv__media_result *res);

#endif
