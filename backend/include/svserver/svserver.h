/*
 * svserver/svserver.h - the svserver back end as its command line sees it:
 * settings, logging, the HTTP server, ingest, transcode workers, playback
 * tokens and accounts.
 *
 * apps/svserver includes this header and the headers of
 * include/streamverse/, nothing else of the source tree: the headers of
 * backend/, backend/media/, drm/ and platform/ stay private to backend/.
 * It is not part of the SDK and is not installed: the functions live in
 * backend/ (the svserver_ files, thin functions over the internals),
 * linked into the svserver binary through the CMake target svserver_api,
 * which gives its users this folder and include/ as their only include
 * paths.
 *
 * Conventions are the SDK's (docs/sdk.md):
 * - Errors: 0 or more on success, a negative SV_ERR_* code on failure
 *   (sv_strerror() names it). A function taking `err, errlen` writes a
 *   one-line reason there on failure, without a "svserver:" prefix (the
 *   caller adds its own), NUL-terminated whenever errlen > 0; it leaves
 *   `err` as "" on success unless its comment says otherwise.
 * - Ownership: objects come in pairs, _create/_destroy (or _start/_stop);
 *   destroy accepts NULL. Strings passed in are read during the call only
 *   unless a comment says otherwise; nothing the caller passes is freed.
 * - Threads: every function runs on the caller's thread and returns when
 *   its work is done, unless its comment says otherwise. One object is used
 *   by one thread at a time; sv_server_log() and sv_server_logger_reload()
 *   are the exceptions, callable from any thread at once.
 */
#ifndef SVSERVER_SVSERVER_H
#define SVSERVER_SVSERVER_H

#include <stddef.h>
#include <stdint.h>

#include <streamverse/common.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#  define SV_SERVER_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#  define SV_SERVER_PRINTF(fmt, args)
#endif

/* ---- settings ---------------------------------------------------------- */

/*
 * The settings of a server, a worker or a command: every key of the
 * --config JSON file (listen, data, db, workers, log-level, log-json,
 * token-secret, master-key, drm, ...; `svserver --help` and
 * docs/http-api.md list them with their defaults). Opaque.
 */
typedef struct sv_server_config sv_server_config;

/*
 * Creates settings holding the defaults (127.0.0.1:8080, data "./svdata",
 * 2 workers, log level info, ...). Returns 0 with a new object in *out
 * (release with sv_server_config_destroy()), SV_ERR_INVALID (out NULL) or
 * SV_ERR_NOMEM.
 */
int sv_server_config_create(sv_server_config **out);

void sv_server_config_destroy(sv_server_config *cfg);

/*
 * The settings before the command line: resets `cfg` to the defaults, then
 * applies the JSON file named by the last "--config FILE" pair of argv
 * (else the one $SVSERVER_CONFIG names), then the SVSERVER_<KEY>
 * environment variables. The rest of argv is not looked at: the caller
 * applies its options with sv_server_config_set(), so it can tell them
 * apart from its own. argv is read during the call only.
 * Returns 0, or SV_ERR_INVALID with a reason in err (an unreadable file, a
 * bad value; secrets are never echoed). After a failure cfg holds part of
 * the settings: load it again or destroy it.
 */
int sv_server_config_load(sv_server_config *cfg, int argc, char **argv, char *err,
                          size_t errlen);

/*
 * Sets one key from text, as the file and the environment do ("listen",
 * "127.0.0.1:0"; "log-json", "1"). Returns 0, or SV_ERR_INVALID with a
 * reason in err (an unknown key or a bad value).
 */
int sv_server_config_set(sv_server_config *cfg, const char *key, const char *value,
                         char *err, size_t errlen);

/* ---- logging ----------------------------------------------------------- */

/*
 * The process's log: one line per message on stderr, text
 * ("2024-05-01T12:00:00.123Z info server: ...") or JSON lines with
 * log-json, from log-level up, through a flood guard: at most log-rate
 * lines a second get through, the rest are counted and reported as one
 * "N log lines suppressed" line (debug and trace lines are never held).
 * Every other object of this header logs through one of these.
 */
typedef struct sv_server_logger sv_server_logger;

/*
 * Creates the log with cfg's log-json, log-level and log-rate (cfg is read
 * during the call only). Returns 0 with a new object in *out, SV_ERR_INVALID
 * or SV_ERR_NOMEM. Destroy it after everything that logs through it.
 */
int sv_server_logger_create(const sv_server_config *cfg, sv_server_logger **out);

/*
 * A settings reload (SIGHUP): applies cfg's log-rate to the flood guard.
 * The level and the format stay as created (the server applies a new
 * log-level to its own lines itself). Thread: any.
 */
void sv_server_logger_reload(sv_server_logger *log, const sv_server_config *cfg);

/* Releases the log, reporting lines still held back by the guard. */
void sv_server_logger_destroy(sv_server_logger *log);

/*
 * Logs one printf-style line for `module` ("server", "worker", ...) at
 * `level`; lines below the log's level cost nothing. Thread: any, at once.
 */
void sv_server_log(const sv_server_logger *log, sv_log_level level, const char *module,
                   const char *fmt, ...) SV_SERVER_PRINTF(4, 5);

/* ---- the HTTP server --------------------------------------------------- */

/* One svserver process: the HTTP API, media serving and ingest workers. */
typedef struct sv_server sv_server;

/*
 * Prepares the data folder (catalog, media/, staging/, uploads/, a
 * generated token-secret), opens the catalog, recovers interrupted jobs,
 * starts the `workers` transcode threads and listens. Prints "listening on
 * http://HOST:PORT" on stdout once ready. `cfg` and `log` are borrowed and
 * must outlive the server (a reload works on a copy).
 * Returns 0 with a new server in *out (release with sv_server_destroy()),
 * or a negative code, logged: SV_ERR_INVALID when the catalog cannot be
 * opened (a wrong or unreachable db, a newer schema: a setting to fix
 * before a restart helps), others when the folder or the socket fail.
 */
int sv_server_create(const sv_server_config *cfg, const sv_server_logger *log,
                     sv_server **out);

/*
 * Where a SIGHUP gets fresh settings: fills *out the way the process made
 * its first ones (typically sv_server_config_load() and the command line's
 * sv_server_config_set() calls again). Returns 0, or < 0 with a reason in
 * err: the reload is refused and the current settings stay. Called on the
 * thread running sv_server_run(); *out belongs to the server.
 */
typedef int (*sv_server_reload_fn)(void *opaque, sv_server_config *out, char *err,
                                   size_t errlen);

/*
 * Makes SIGHUP reload the settings from `fn` without dropping connections
 * (docs/deploy.md, "Operations", lists what applies at once and what waits
 * for a restart). Without a source, SIGHUP is logged and ignored. Call
 * before sv_server_run(); `opaque` is borrowed until the server is
 * destroyed.
 */
void sv_server_set_reload(sv_server *srv, sv_server_reload_fn fn, void *opaque);

/*
 * Runs the server's loop on the calling thread until SIGINT or SIGTERM:
 * then it stops accepting, lets in-flight answers and uploads finish
 * (drain-timeout), cancels running transcodes (queued again for the next
 * start) and returns 0. The server watches SIGINT, SIGTERM and SIGHUP
 * (libuv handlers, on this loop) from sv_server_create() until
 * sv_server_destroy() has stopped everything: a second SIGINT or SIGTERM
 * while stopping, or a SIGHUP, is logged and ignored instead of finding the
 * default action (terminate) half-way through the drain.
 */
int sv_server_run(sv_server *srv);

/* Closes the catalog and frees the server, after sv_server_run() returned
 * (or instead of it). NULL is fine. */
void sv_server_destroy(sv_server *srv);

/* ---- ingest ------------------------------------------------------------ */

/* The most genres a title has. */
#define SV_SERVER_MAX_GENRES 16

/* The most subtitle files an ingest takes (one per language). */
#define SV_SERVER_MAX_SUBTITLES 16

/* A file to add to the catalog. Strings are borrowed for the call. */
typedef struct sv_server_ingest_args {
    const char *file;           /* the video file (required) */
    const char *title;          /* the title (required, not "") */
    const char *synopsis;       /* NULL: none */
    const char *genres[SV_SERVER_MAX_GENRES];
    int nb_genres;              /* 0..SV_SERVER_MAX_GENRES */
    /* Subtitle files, "LANG:FILE" each (SRT or WebVTT; LANG a tag such as
     * en or pt-BR, one file per language): checked before the title is
     * made, put into the title once it is ready, exactly as
     * PUT /api/v1/titles/{id}/subtitles/{lang} does (docs/http-api.md). */
    const char *subtitles[SV_SERVER_MAX_SUBTITLES];
    int nb_subtitles;           /* 0..SV_SERVER_MAX_SUBTITLES */
} sv_server_ingest_args;

/* Progress of an ingest: percent of the whole (0..100) and the stage name
 * ("probe", "transcode", ...). Called on the thread running the ingest. */
typedef void (*sv_server_progress_fn)(void *opaque, double percent, const char *stage);

/*
 * Adds a title and its ingest job to the catalog of cfg's data folder, then
 * runs the job on the calling thread exactly as a server's or a worker's
 * threads do (transcode, package, encrypt with cfg's drm setting, publish),
 * holding a lease on its claim; when a worker sharing the catalog claimed
 * the job first, follows that job in the catalog to its end instead.
 * `progress` (may be NULL) sees both. Returns 0 with the ready title's id in
 * *title_id, or, with a reason in err:
 *   SV_ERR_INVALID      a bad request: no file or title, an unreadable
 *                       file, a subtitle file that is not LANG:FILE or does
 *                       not read (the reader's message: file, line), drm
 *                       without a master-key, or a data folder or catalog
 *                       that cannot be opened;
 *   SV_ERR_UNSUPPORTED  this svserver was built without backend/media/;
 *   another code        the job failed (the reason is in the catalog too);
 *                       never SV_ERR_INVALID, so a caller can tell the two
 *                       apart.
 */
int sv_server_ingest(const sv_server_config *cfg, const sv_server_logger *log,
                     const sv_server_ingest_args *args, sv_server_progress_fn progress,
                     void *opaque, int64_t *title_id, char *err, size_t errlen);

/* ---- transcode workers ------------------------------------------------- */

/* Transcode threads without the HTTP API (`svserver worker`). */
typedef struct sv_server_worker sv_server_worker;

/*
 * Starts cfg's `workers` transcode threads claiming jobs from the catalog
 * (the shared PostgreSQL one, or the data folder's SQLite catalog) and
 * publishing into DATA/media; idle threads look for jobs every second.
 * Jobs orphaned by a dead worker are recovered first. The threads inherit
 * the caller's signal mask: a caller waiting for signals with sigwait()
 * blocks them before this call. `cfg` and `log` are borrowed until
 * sv_server_worker_stop().
 * Returns 0 with a running worker in *out, or, with a reason in err:
 * SV_ERR_INVALID (workers < 1, a data folder or catalog that cannot be
 * opened), SV_ERR_UNSUPPORTED (built without backend/media/), or another
 * code when recovery or the threads fail.
 */
int sv_server_worker_start(const sv_server_config *cfg, const sv_server_logger *log,
                           sv_server_worker **out, char *err, size_t errlen);

/* The name its claims carry in the catalog ("host:pid"); valid until stop. */
const char *sv_server_worker_name(const sv_server_worker *w);

/* The number of transcode threads running. */
int sv_server_worker_threads(const sv_server_worker *w);

/*
 * Stops the worker: running transcodes stop within moments, their staging
 * folders are removed and their jobs go back to the queue for any worker
 * (nothing partial is published); then the threads are joined, the catalog
 * closed and the worker freed. NULL is fine.
 */
void sv_server_worker_stop(sv_server_worker *w);

/* ---- playback tokens --------------------------------------------------- */

/* Room for a token with its NUL. */
#define SV_SERVER_TOKEN_MAX 2048
/* The longest session id and path prefix a token carries, in bytes. */
#define SV_SERVER_TOKEN_SESSION_MAX 64
#define SV_SERVER_TOKEN_PREFIX_MAX 127

/*
 * Signs a playback token with cfg's token-secret, the kind playback/start
 * hands out: it grants title `title_id`, URL paths under `prefix` (NULL or
 * "": "/media/<title_id>/", the title's media and license), for `ttl_s`
 * seconds from now, tied to `session` (NULL or "": none).
 * Returns 0 with the token in out[outlen] (outlen >= SV_SERVER_TOKEN_MAX is
 * always enough), or SV_ERR_INVALID with a reason in err: no token-secret
 * configured, title_id or ttl_s not positive, a session or prefix too long,
 * or out too small.
 */
int sv_server_token_sign(const sv_server_config *cfg, int64_t title_id, int64_t ttl_s,
                         const char *session, const char *prefix, char *out, size_t outlen,
                         char *err, size_t errlen);

/* ---- accounts ---------------------------------------------------------- */

/* Roles, in increasing power: a viewer plays; an operator also changes the
 * catalog and uploads; an admin also manages accounts and reads the audit
 * log. */
typedef enum sv_server_role {
    SV_SERVER_ROLE_VIEWER = 1,
    SV_SERVER_ROLE_OPERATOR = 2,
    SV_SERVER_ROLE_ADMIN = 3
} sv_server_role;

/* The role named `name` ("viewer", "operator", "admin"), or SV_ERR_INVALID. */
int sv_server_role_parse(const char *name);

/* 1 when `name` is a valid user name (1..63 characters of letters, digits,
 * '.', '_', '@' and '-'), else 0. */
int sv_server_user_name_ok(const char *name);

/* 1 when `region` is an ISO 3166 alpha-2 code in capitals ("FR"), else 0. */
int sv_server_region_ok(const char *region);

/*
 * Adds an account to the catalog of cfg's data folder (created if needed),
 * and an entry to the audit log naming `actor` (NULL or "": "cli") from
 * peer "cli". The password (8 to 1024 bytes) is kept as a salted KDF
 * record, never as given; the caller wipes its copy. This runs the KDF, so
 * it takes a moment. Safe beside a running server on the same catalog.
 * Returns 0 with the new account's id in *id; err is then "" or, when the
 * audit entry could not be written (the account exists regardless), says
 * so. On failure, with a reason in err: SV_ERR_INVALID (a bad name, region,
 * role, stream limit outside 0..100 or password), SV_ERR_STATE (the name
 * exists already), or another code when the folder or catalog fail.
 */
int sv_server_user_add(const sv_server_config *cfg, const char *name, const char *password,
                       const char *region, int max_streams, sv_server_role role,
                       const char *actor, int64_t *id, char *err, size_t errlen);

/*
 * Lifts the login lockout of user `name`, with an audit entry as
 * sv_server_user_add() writes. Returns 1 when a lockout was lifted, 0 when
 * the name was not locked (both are success: err as for
 * sv_server_user_add()), or a negative code with a reason in err.
 */
int sv_server_user_unlock(const sv_server_config *cfg, const char *name, const char *actor,
                          char *err, size_t errlen);

/* ---- live channels (docs/live.md) --------------------------------------- */

/* A channel to add. Strings are borrowed for the call. */
typedef struct sv_server_channel_args {
    const char *name;           /* [a-z0-9_-], 1..48 characters */
    int srt_port, rtmp_port;    /* its publishers' ports; 0 and 0: the next free pair
                                 * from 9000 on */
    const char *settings;       /* JSON object (dvr_s, segment_s, part_s, end_after_s,
                                 * target_latency_s, ladder, passthrough, encrypt);
                                 * NULL: defaults */
    const char *encrypt;        /* "cenc", "cbcs" or "none": the settings' encrypt (this one
                                 * wins); NULL: as the settings say. Encrypting needs the
                                 * master-key setting (SV_ERR_INVALID without) */
} sv_server_channel_args;

/* A channel as the command line shows it. */
typedef struct sv_server_channel_info {
    char name[64];
    char key[40];               /* the secret stream key */
    int srt_port, rtmp_port;
    char state[16];             /* "idle", "live", "ended" */
    char srt_url[256];          /* publish URLs on cfg's listen address */
    char rtmp_url[256];
    char hls[128], dash[128];   /* playback paths on the HTTP server */
    char settings[512];         /* JSON, every key with its value */
} sv_server_channel_info;

/*
 * Adds a channel to the catalog of cfg's data folder with a new random
 * stream key and fills *out (its key and publish URLs). Safe beside a
 * running server, which starts the channel's listeners within a second.
 * Returns 0, or with a reason in err: SV_ERR_INVALID (a bad name, port or
 * setting), SV_ERR_STATE (the name or a port is another channel's), or
 * another code when the folder or catalog fail.
 */
int sv_server_channel_add(const sv_server_config *cfg, const sv_server_channel_args *args,
                          sv_server_channel_info *out, char *err, size_t errlen);

/* Calls fn with every channel, oldest first. Returns their count, or a
 * negative code with a reason in err. */
int sv_server_channel_list(const sv_server_config *cfg,
                           void (*fn)(void *opaque, const sv_server_channel_info *ch),
                           void *opaque, char *err, size_t errlen);

/* Removes a channel from the catalog (a running server stops its listeners;
 * its DVR files stay in DATA/live/NAME until removed by hand). Returns 0,
 * SV_ERR_NOT_FOUND or another code, with a reason in err. */
int sv_server_channel_remove(const sv_server_config *cfg, const char *name, char *err,
                             size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* SVSERVER_SVSERVER_H */
