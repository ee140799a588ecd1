/*
 * Downloads for offline viewing (streamverse/download.h): the contract
 * between the pieces of player/download/.
 *
 *   download.c        the public object: state, lock, thread, progress
 *   download_run.c    the thread: plan (or check) then fetch every file
 *   download_plan.c   manifest -> model -> the chosen tracks, Period by Period
 *   download_plan_files.c  a chosen rep's segments, init and key files
 *   download_fetch.c  one blocking transfer through the libcurl transport
 *   download_files.c  a segment checked, hashed and written atomically
 *   download_state.c  the state file (download.json): JSON in and out
 *   download_m3u8.c   the local HLS presentation
 *   download_disk.c   info, list, delete, storage used
 *
 * The state (sv__dl_state) belongs to the download's thread while it runs
 * and to the caller of the public functions otherwise; download.c's lock
 * guards only the progress copy and the stop flag.
 */
#ifndef SV_PLAYER_DOWNLOAD_INTERNAL_H
#define SV_PLAYER_DOWNLOAD_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "platform/log.h"
#include "streamverse/download.h"
#include "streamverse/player.h"

#define SV__DL_STATE_FILE "download.json"
#define SV__DL_MANIFEST "master.m3u8"
#define SV__DL_STATE_VERSION 1
#define SV__DL_LICENSE_FILE "license.json"

/* One track chosen: video, audio or text. */
typedef struct sv__dl_track {
    sv_track_type type;
    char *dir;                 /* its folder in the download: "video", "audio", "subs" */
    char *language, *name, *codecs; /* "" when unknown */
    int64_t bandwidth;
    int width, height;
    double frame_rate;
    /* Sample encryption announced by the source (HLS EXT-X-KEY), written
     * again into the local media playlist; NULL when clear. */
    char *key_method, *key_uri, *key_format;
    int encrypted;             /* the manifest announces protection (DASH
                                  ContentProtection, HLS EXT-X-KEY) */
} sv__dl_track;

/* One file: an init segment or a segment of a track. */
typedef struct sv__dl_file {
    int track;                 /* index into tracks */
    char *path;                /* relative to the folder: "video/seg-00001.m4s" */
    char *url;                 /* its source */
    int64_t offset, length;    /* byte range of url; length -1: all of it */
    int is_init;
    int init;                  /* index of this segment's init file, -1 for none */
    int is_key;                /* an HLS AES-128 key (16 bytes, stored 0600) */
    int key;                   /* index of the AES-128 key file this segment is
                                  encrypted with, -1 for none */
    char iv[33];               /* its AES-128 IV, 32 lowercase hex digits ("" with
                                  no key): the source's, or its media sequence number */
    double duration;           /* seconds, 0 for an init segment */
    int64_t disc;              /* discontinuity sequence */
    int done;                  /* in place with `size` bytes hashing to sha256 */
    int64_t size;
    char sha256[65];           /* lowercase hex */
} sv__dl_file;

typedef struct sv__dl_state {
    const sv_allocator *alloc;
    char *url;
    int complete;
    sv__dl_track *tracks;
    size_t nb_tracks;
    sv__dl_file *files;
    size_t nb_files;
} sv__dl_state;

/* ---- download_state.c ------------------------------------------------- */

/* Frees what the state holds (not the struct); leaves it empty. */
void sv__dl_state_clear(sv__dl_state *st);
/*
 * Parses a state file's text (any bytes; len without a NUL). Returns 0 with
 * *st filled (allocated with st->alloc, which the caller set), or
 * SV_ERR_PARSE with `why` saying what is wrong (st left empty), or
 * SV_ERR_NOMEM. Every path is checked to stay inside the folder (relative,
 * no "..", no backslash), every index to be in range.
 */
int sv__dl_state_parse(sv__dl_state *st, const char *text, size_t len, char *why,
                       size_t why_cap);
/* Serialises the state: a string from st->alloc (free with sv__free), or
 * NULL when out of memory. */
char *sv__dl_state_format(const sv__dl_state *st);
/* Writes `dir`/download.json atomically (temporary file, fsync, rename,
 * fsync of the folder). Returns 0, SV_ERR_IO (errno kept) or SV_ERR_NOMEM. */
int sv__dl_state_save(const sv__dl_state *st, const char *dir);
/* Reads `dir`/download.json. Returns 0, SV_ERR_NOT_FOUND, SV_ERR_IO,
 * SV_ERR_PARSE (why set) or SV_ERR_NOMEM. */
int sv__dl_state_load(sv__dl_state *st, const char *dir, char *why, size_t why_cap);
/* Is `path` a safe relative path inside a download folder? 1 or 0. */
int sv__dl_path_safe(const char *path);

/* ---- download_fetch.c ------------------------------------------------- */

typedef struct sv__dl_fetcher sv__dl_fetcher;

/* Makes a blocking fetcher (libcurl transport on its own clock). A file
 * that meets network errors or 5xx is retried with back-off (0.5 s
 * doubling to 4 s) for give_up_ms after its first failure, each retry a
 * warning on `log` (borrowed; may be NULL). */
int sv__dl_fetcher_create(sv__dl_fetcher **out, const sv_allocator *alloc,
                          const char *user_agent, const char *ca_file, const char *query,
                          int64_t give_up_ms, const sv__logger *log);
void sv__dl_fetcher_destroy(sv__dl_fetcher *f);
/* Asks a fetch in progress to stop (any thread): it ends with
 * SV_ERR_CANCELLED. Sticky until sv__dl_fetcher_reset_stop(). */
void sv__dl_fetcher_stop(sv__dl_fetcher *f);
/* Replaces the query appended to every URL (NULL or "": none). The
 * fetcher's thread. Returns 0 or SV_ERR_NOMEM. */
int sv__dl_fetcher_set_query(sv__dl_fetcher *f, const char *query);
void sv__dl_fetcher_reset_stop(sv__dl_fetcher *f);
/*
 * Fetches url (a byte range when length >= 0) into a new buffer (*data from
 * alloc, *size), retrying network errors and 5xx as said above. Returns 0,
 * or an SV_ERR_* with `msg` naming the URL and the cause.
 */
int sv__dl_fetch(sv__dl_fetcher *f, const char *url, int64_t offset, int64_t length,
                 uint8_t **data, size_t *size, char *msg, size_t msg_cap);

/* POSTs `body` (JSON) with one extra header line (or NULL) and returns the
 * answer's body like sv__dl_fetch (no retry: a license is issued once).
 * The url_query is not added. */
int sv__dl_post(sv__dl_fetcher *f, const char *url, const char *body, const char *header,
                uint8_t **data, size_t *size, char *msg, size_t msg_cap);

/* ---- download_license.c ----------------------------------------------- */

typedef struct sv__dl_license_req {
    const char *url;          /* the offline-license route */
    const char *user_token;   /* bearer, or NULL */
    const char *device_id;
    const char *public_key;   /* PEM to trust, or NULL: the one the answer gives */
} sv__dl_license_req;

/* Fetches, verifies (signature, device, expiry) and stores DIR/license.json
 * unless it is there already. Returns 0 or an SV_ERR_* with msg set. */
int sv__dl_license_fetch(sv__dl_fetcher *f, const sv__dl_license_req *r, const char *dir,
                         const sv_allocator *alloc, char *msg, size_t cap);

/* ---- download_plan.c -------------------------------------------------- */

typedef struct sv__dl_choice {
    int max_height;
    int64_t max_bandwidth;
    const char *audio_languages, *subtitle_languages;
    /* One offline license will be asked for: Periods encrypted under
     * different keys (DASH default_KID) are refused before it is. */
    int one_key_set;
} sv__dl_choice;

/* Reads the presentation at st->url and fills st->tracks and st->files.
 * A multi-Period DASH VOD becomes one list per track, every Period's
 * segments in turn (disc = the Period's index), the reps matched across
 * Periods as the player matches them; Periods that do not line up (a gap,
 * an overlap, a track missing) are refused. HLS AES-128 keys become files
 * of their own (keys/key-N.key) before the first segment that needs them.
 * Returns 0 or an SV_ERR_* with msg set. */
int sv__dl_plan(sv__dl_state *st, sv__dl_fetcher *f, const sv__dl_choice *choice,
                const sv__logger *log, char *msg, size_t msg_cap);

/* ---- download_files.c ------------------------------------------------- */

/* Checks a fetched file: an fMP4 one (.mp4, .m4s, .m4a, .m4v, .cmf*) must be
 * whole boxes, a .ts one whole packets, a .key one 16 bytes. Returns 0 or
 * SV_ERR_PARSE (why). */
int sv__dl_check_body(const char *path, const uint8_t *data, size_t size, char *why,
                      size_t cap);
/* Checks an AES-128 segment: a copy decrypted with the key file `dir`/
 * `key_path` (already stored) and `iv_hex`, then sv__dl_check_body() on the
 * clear bytes. Returns 0, SV_ERR_DRM (a bad padding: the wrong key),
 * SV_ERR_PARSE or SV_ERR_IO / SV_ERR_NOMEM, with why set. */
int sv__dl_check_aes(const char *dir, const char *key_path, const char *iv_hex,
                     const char *path, const uint8_t *data, size_t size,
                     const sv_allocator *alloc, char *why, size_t cap);
/* SHA-256 of data as 64 lowercase hex digits + NUL. */
void sv__dl_sha256_hex(const uint8_t *data, size_t size, char out[65]);
/*
 * Writes data as `dir`/`rel` with permissions `mode` (0644; 0600 for a
 * key): to rel.part, fsync, rename, fsync of its folder. The .part is
 * removed on failure. Returns 0, or SV_ERR_IO with msg naming the path and
 * the cause ("no space left on device" for a full disk).
 */
int sv__dl_write_file(const char *dir, const char *rel, const uint8_t *data, size_t size,
                      int mode, char *msg, size_t msg_cap);
/* Is the file `dir`/`f->path` there with f->size bytes and f->sha256?
 * 1 or 0. */
int sv__dl_file_intact(const char *dir, const sv__dl_file *f, const sv_allocator *alloc);
/* Bytes the tree at `dir` takes on disk (st_blocks * 512), 0 when absent. */
int64_t sv__dl_storage(const char *dir);

/* ---- download_m3u8.c -------------------------------------------------- */

/* Writes the local media playlists and master.m3u8 (each atomically,
 * master last). Returns 0, or SV_ERR_IO / SV_ERR_NOMEM with msg set. */
int sv__dl_write_playlists(const sv__dl_state *st, const char *dir, char *msg, size_t cap);

/* ---- download_disk.c -------------------------------------------------- */

/* Fills an sv_download_info (full size) from a state and its folder. */
void sv__dl_info_fill(sv_download_info *info, const sv__dl_state *st, const char *dir);
/* Removes the download's files (those the state names, their .part, the
 * playlists, the state file) and the folder if empty. 0 or SV_ERR_IO. */
int sv__dl_remove(const sv__dl_state *st, const char *dir);

#endif
