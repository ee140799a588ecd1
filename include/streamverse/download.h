/*
 * streamverse/download.h - downloads of HLS and DASH titles for offline
 * viewing (API 2.6).
 *
 * A download copies one chosen quality of a VOD presentation into a folder:
 * one video rung, one audio track and at most one subtitle track, each
 * segment in a file of its own, and writes a local HLS presentation
 * (`master.m3u8` and one media playlist per track) that names only those
 * files. The normal player plays it by path or file:// URL
 * (sv_player_load("DIR/master.m3u8")), with no network.
 *
 * The folder also holds `download.json`, the state file: the source URL, the
 * choice made, and every file with its source URL, size and SHA-256. It is
 * replaced atomically (written to a temporary file, fsync'ed, renamed) after
 * every finished file, so a download that was interrupted at any moment (a
 * crash, a kill -9, a lost network, a full disk) resumes where it stopped:
 * sv_download_create() on the same folder reads it back, checks the size and
 * the SHA-256 of every file it lists as finished and fetches again those that
 * differ or are missing. A segment is written to `NAME.part`, checked (its
 * size against the transfer, an fMP4 segment box by box, MPEG-TS in whole
 * packets), fsync'ed, and only then renamed to its name and recorded. The
 * local playlists are written last, once every file is in place, so no
 * playlist ever names a missing or partial file.
 *
 * What can be downloaded: HLS (fMP4 or MPEG-TS segments, clear,
 * SAMPLE-AES/SAMPLE-AES-CTR with keys from a license server, or METHOD=
 * AES-128: each key fetched once and stored in the folder as
 * keys/key-N.key, permissions 0600, the local EXT-X-KEY naming it with the
 * IV written out) and static DASH (SegmentTemplate, SegmentList,
 * SegmentBase with a sidx), also of several Periods: the rung and tracks
 * chosen in the first Period are matched in the others (the same codec
 * family, at most the same height within the limits; audio of the same
 * language), and each track's playlist has an EXT-X-DISCONTINUITY and
 * its EXT-X-MAP at every Period. Refused with SV_ERR_UNSUPPORTED and a
 * message saying why: live presentations; Periods that do not line up (a
 * gap or an overlap, a Period without the audio the first has, segments
 * that stop short of their Period); Periods encrypted with different keys
 * when an offline license is to be fetched (one license holds one key
 * set). Subtitles are kept when they are WebVTT, of a single-Period
 * presentation.
 *
 * Memory: every allocation of the library's own code for a download goes
 * through settings.allocator (common.h).
 *
 * Threads: every function is thread-safe unless its comment says
 * otherwise. A download runs on a thread of its own between
 * sv_download_start() and its end (complete, failed, paused or cancelled).
 */
#ifndef STREAMVERSE_DOWNLOAD_H
#define STREAMVERSE_DOWNLOAD_H

#include <stdint.h>

#include "cdm.h"
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An opaque download of one presentation into one folder. */
typedef struct sv_download sv_download;

/* Where a download stands. */
typedef enum sv_download_state {
    SV_DOWNLOAD_IDLE = 0,      /* created, not started (or resumable from its folder) */
    SV_DOWNLOAD_RUNNING = 1,   /* its thread is fetching */
    SV_DOWNLOAD_PAUSED = 2,    /* stopped by sv_download_pause(); resumable */
    SV_DOWNLOAD_COMPLETE = 3,  /* every file is in place and the playlists written */
    SV_DOWNLOAD_FAILED = 4,    /* stopped by an error (progress.error); resumable */
    SV_DOWNLOAD_CANCELLED = 5  /* stopped by sv_download_cancel(); its files are gone */
} sv_download_state;

/* Progress of a download, filled by sv_download_get_progress() and handed to
 * settings.on_progress. Start from SV_DOWNLOAD_PROGRESS_INIT. */
typedef struct sv_download_progress {
    size_t struct_size;
    sv_download_state state;
    /* Files are the segments and init segments of every track chosen. */
    int64_t files_done;
    int64_t files_total;       /* 0 until the manifest has been read */
    int64_t bytes_done;        /* bytes of the files finished */
    /* bytes_done plus an estimate of the rest (each track's declared
     * bandwidth times the duration of its missing segments); exact once
     * complete. 0 until the manifest has been read. */
    int64_t bytes_expected;
    double percent;            /* files_done / files_total, 0..100 */
    /* Bytes the download's folder uses on disk now (its files, the state
     * file and any partial file), as st_blocks counts them. */
    int64_t storage_bytes;
    /* SV_DOWNLOAD_FAILED: the error (SV_ERR_IO for a local file, with the
     * path in `message`; SV_ERR_NETWORK, SV_ERR_HTTP, SV_ERR_PARSE,
     * SV_ERR_UNSUPPORTED, SV_ERR_OVERFLOW for the quota). 0 otherwise. */
    int error;
    char message[512];         /* the error's text, "" when none */
} sv_download_progress;

#define SV_DOWNLOAD_PROGRESS_INIT SV_STRUCT_INIT(sv_download_progress)

/*
 * Called on the download's thread after every finished file and at every
 * change of state (the last call of a run has the final state). `progress`
 * is valid during the call only. The callback must not call back into this
 * download (no sv_download_* function on it), like a log callback.
 */
typedef void (*sv_download_progress_fn)(void *opaque, const sv_download_progress *progress);

typedef struct sv_download_settings {
    /* sizeof(sv_download_settings), set by sv_download_default_settings(). */
    size_t struct_size;

    /* The folder of the download (created when missing). Required. Copied. */
    const char *dir;
    /* The presentation: an http(s):// or file:// URL of an HLS master or
     * media playlist or of a static MPD. NULL resumes the download `dir`
     * already holds. Copied. */
    const char *url;

    /* The video rung: the highest (by bandwidth) whose height is at most
     * max_height and whose declared bandwidth is at most max_bandwidth (0:
     * no limit, the default for both); the lowest when none fits. */
    int max_height;
    int64_t max_bandwidth;
    /* Audio and subtitle tracks, as sv_player_settings' fields of the same
     * names take them ("LANG[:ROLE]" entries, most preferred first).
     * audio_languages NULL (default): the manifest's default audio track.
     * subtitle_languages NULL (default): no subtitles. Copied. */
    const char *audio_languages;
    const char *subtitle_languages;

    /* The most bytes the download's files may take (0: no limit, the
     * default). A file that would pass it fails the download with
     * SV_ERR_OVERFLOW, like a full disk: resumable once the quota is raised. */
    int64_t quota_bytes;

    /* HTTP: as the player's settings of the same names. Copied. */
    const char *user_agent;
    const char *tls_ca_file;
    /* A query argument appended to every request ("token=..."), as a
     * backend session's media token; NULL for none. Not stored in the
     * state file. Copied. */
    const char *url_query;

    /* Progress (see sv_download_progress_fn); NULL for none. */
    sv_download_progress_fn on_progress;
    void *progress_opaque;

    /* Logging, as sv_player_settings: NULL log_cb writes errors and
     * warnings to stderr. */
    sv_log_fn log_cb;
    void *log_opaque;
    sv_log_level log_level;

    /* The allocator for the download's own memory; copied. NULL: the C
     * library. */
    const sv_allocator *allocator;

    /* Offline license of a protected (ClearKey) title, API 2.6: the URL of
     * the server's offline-license route (svserver: POST
     * .../api/v1/titles/{id}/offline-license), the account's bearer token
     * and this device's id. Before any segment, the license is fetched,
     * verified (signature, device, expiry) and stored with the server's
     * public key as DIR/license.json; a refusal (409 device_limit, 403 ...)
     * fails the download with SV_ERR_HTTP or SV_ERR_FORBIDDEN and its
     * message. NULL offline_license_url (default): no license. Copied. */
    const char *offline_license_url;
    const char *user_token;
    const char *device_id;
    /* The server's Ed25519 public key (PEM) a license must be signed with.
     * NULL (default): the key the license route sends along is stored
     * (trusted as the TLS connection it came over). Copied. */
    const char *license_public_key;

    /* A lost network or a failing server (connection errors, timeouts,
     * 5xx): the file in flight is tried again with back-off (0.5 s doubling
     * to 4 s), a warning each time, for this many milliseconds after its
     * first failure; the download goes on by itself when the network comes
     * back within it, and is FAILED (resumable) after it. Default 30000; 0:
     * fail at the first error. */
    int64_t give_up_ms;

    /* A title of a Streamverse backend instead of a URL: backend_url (its
     * base, "https://api.example"), title_id, and user_token above (the
     * account's bearer token, from POST /api/v1/auth/login). Each run of
     * the download holds a playback session as a player does (POST
     * /api/v1/playback/start with device_id for the manifest and its media
     * token, heartbeats between files for fresh tokens, playback/stop when
     * the run ends), so it counts against the account's streams while it
     * runs; a media request refused (403) opens a new session once per
     * file. A protected title gets its offline license from
     * /api/v1/titles/{id}/offline-license unless offline_license_url says
     * otherwise. `url` must then be NULL. Copied; NULL / 0 (default): a URL
     * download. */
    const char *backend_url;
    int64_t title_id;

    /* New fields are appended here (common.h, "Growable structs"). */
} sv_download_settings;

/*
 * Fills *s with the defaults documented on each field, struct_size
 * included. A macro: it passes sizeof(*s) on. Thread-safe.
 */
#define sv_download_default_settings(s) sv_download_default_settings_sized((s), sizeof(*(s)))
SV_API void sv_download_default_settings_sized(sv_download_settings *s, size_t struct_size);

/*
 * Creates a download for settings->dir, in state IDLE; nothing is fetched
 * before sv_download_start(). When the folder holds a state file already,
 * it is read back: settings->url must then be NULL or the URL it names,
 * and the choice of tracks it records is kept (a finished download is
 * COMPLETE at once). Returns 0 with *out (the caller owns it; free with
 * sv_download_destroy()), or SV_ERR_INVALID (no dir, no url nor title for a new
 * download, a bad language list, struct_size too small), SV_ERR_STATE (the
 * folder holds a download of another URL), SV_ERR_PARSE (its state file is
 * damaged: the message goes to the log), SV_ERR_IO (the folder cannot be
 * made or read) or SV_ERR_NOMEM; *out is untouched on failure.
 */
SV_API int sv_download_create(sv_download **out, const sv_download_settings *settings);

/*
 * Starts the download, or resumes it (IDLE, PAUSED or FAILED): its thread
 * reads the manifest (a new download) or checks the files already there (a
 * resumed one) and fetches the rest. Returns 0, or SV_ERR_STATE when it is
 * RUNNING, COMPLETE or CANCELLED, SV_ERR_INTERNAL when no thread could
 * start. Returns at once.
 */
SV_API int sv_download_start(sv_download *dl);

/*
 * Pauses a RUNNING download: the transfer in flight is abandoned (its
 * partial file removed), the state file kept, and the call returns once the
 * thread has stopped (state PAUSED; a download that ended meanwhile keeps
 * its final state). Returns 0, or SV_ERR_STATE when it was not running.
 */
SV_API int sv_download_pause(sv_download *dl);

/*
 * Stops the download if it runs and removes its folder's files (the state
 * file, the segments, the playlists) and the folder when nothing else is
 * in it. State CANCELLED: the object can only be destroyed. Returns 0 or
 * SV_ERR_IO (the message goes to the log).
 */
SV_API int sv_download_cancel(sv_download *dl);

/*
 * Waits until the download is no longer RUNNING, at most timeout_ms (< 0:
 * forever). Returns the state (>= 0), or SV_ERR_TIMEOUT.
 */
SV_API int sv_download_wait(sv_download *dl, int timeout_ms);

/*
 * Copies the current progress into *out, as many bytes as out->struct_size
 * holds. Returns 0 or SV_ERR_INVALID.
 */
SV_API int sv_download_get_progress(sv_download *dl, sv_download_progress *out);

/*
 * Pauses the download if it runs and frees it; the folder stays as it is
 * (resumable). Accepts NULL. Must not be called from its progress callback.
 */
SV_API void sv_download_destroy(sv_download *dl);

/* ---- offline licenses at playback (API 2.6) ------------------------- */

/* How sv_download_license_check() checks a stored license. Fill with
 * sv_offline_check_default(). */
typedef struct sv_offline_check {
    size_t struct_size;
    /* This device's id: the license must name it. Required. */
    const char *device_id;
    /* The public key (PEM) to verify with; NULL (default): the one stored
     * with the download. */
    const char *public_key;
    /* Non-zero (default 1): ask the server whether the license still
     * holds (its check route, stored with the license). A server that
     * answers "revoked" makes the check fail, now and at every later check
     * offline; a server that cannot be reached does not. */
    int online;
    /* The time to check the expiry against, Unix seconds; 0 (default):
     * the system's clock. */
    int64_t now_unix;
    /* HTTP for the online check, as the player's settings. */
    const char *user_agent;
    const char *tls_ca_file;
    sv_log_fn log_cb;
    void *log_opaque;
    sv_log_level log_level;
} sv_offline_check;

#define sv_offline_check_default(c) sv_offline_check_default_sized((c), sizeof(*(c)))
SV_API void sv_offline_check_default_sized(sv_offline_check *c, size_t struct_size);

/*
 * Checks the offline license stored in download folder `dir` and, when it
 * holds, gives its keys to `cdm` (cdm->update() with the ClearKey JWK set),
 * so the player can then play DIR/master.m3u8 with that CDM and no
 * network. Checks, in order: the signature (Ed25519, opts->public_key or
 * the stored key), the device (opts->device_id), the expiry, a revocation
 * seen at an earlier check, and, with opts->online, the server's answer.
 * Returns 0, or: SV_ERR_NOT_FOUND (no license: a clear title),
 * SV_ERR_FORBIDDEN (bad signature, another key, another device, revoked),
 * SV_ERR_TIMEOUT (expired), SV_ERR_PARSE (a damaged license file),
 * SV_ERR_INVALID (no dir, cdm or device_id), or the CDM's error; `message`
 * (cap bytes, may be NULL) says which, naming the file. Blocks on the
 * network for the online check; any thread.
 */
SV_API int sv_download_license_check(const char *dir, const sv_offline_check *opts,
                                     sv_cdm *cdm, char *message, size_t cap);

/* ---- downloads on disk, without an object ---------------------------- */

/* A download found in a folder. Start from SV_DOWNLOAD_INFO_INIT. */
typedef struct sv_download_info {
    size_t struct_size;
    char dir[1024];            /* the folder */
    char url[2048];            /* its source (cut when longer) */
    /* The local presentation to play, "DIR/master.m3u8"; "" until complete. */
    char manifest[1100];
    int complete;              /* 1 when every file is in place */
    int64_t files_done, files_total;
    int64_t bytes_done;        /* bytes of the files finished */
    int64_t storage_bytes;     /* on disk, as in sv_download_progress */
    int height;                /* of the video rung, 0 for none */
    int64_t bandwidth;         /* declared by the manifest for that rung */
    char audio_language[36];   /* "" for none or unknown */
    char subtitle_language[36];
} sv_download_info;

#define SV_DOWNLOAD_INFO_INIT SV_STRUCT_INIT(sv_download_info)

/*
 * Describes the download in `dir`. Returns 0, SV_ERR_NOT_FOUND (no state
 * file there), SV_ERR_PARSE (a damaged one) or SV_ERR_INVALID. Thread-safe;
 * it reads the disk.
 */
SV_API int sv_download_info_read(const char *dir, sv_download_info *out);

/*
 * Lists the downloads in the folders directly under `root` (those that
 * hold a state file), sorted by folder name: fills up to `cap` entries of
 * `out` (each starting from SV_DOWNLOAD_INFO_INIT; out may be NULL when cap
 * is 0) and returns how many there are (possibly more than cap), or
 * SV_ERR_IO when root cannot be read. *storage_bytes (may be NULL) gets the
 * storage they use together.
 */
SV_API int sv_download_list(const char *root, sv_download_info *out, size_t cap,
                            int64_t *storage_bytes);

/*
 * Deletes the download in `dir`: its files and the folder when nothing else
 * is in it. The download must not be running in any object. Returns 0,
 * SV_ERR_NOT_FOUND (no state file: nothing is removed), SV_ERR_PARSE (a
 * damaged state file: nothing is removed) or SV_ERR_IO.
 */
SV_API int sv_download_delete(const char *dir);

#ifdef __cplusplus
}
#endif

#endif /* STREAMVERSE_DOWNLOAD_H */
