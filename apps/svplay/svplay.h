/*
 * svplay: the desktop/TV player, a thin app over the public player API.
 *
 * main.c parses the command line (options.c), creates the player with the
 * settings both modes share (session.c), then runs either headless
 * (headless.c: null sinks, framemd5, a wait_event loop) or windowed
 * (window.c: SDL2 sinks, keys, the on-screen panel from osd.c). stats.c
 * records events and writes the --stats JSON; framemd5.c writes ffmpeg's
 * framemd5 format.
 */
#ifndef SVPLAY_H
#define SVPLAY_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include <streamverse/player.h>

/* Exit codes (documented in --help and docs/svplay.md). */
#define SVP_EXIT_OK 0
#define SVP_EXIT_ERROR 1
#define SVP_EXIT_USAGE 2

#define SVP_MAX_KEYS 64
#define SVP_MAX_CAPTION_TRACKS 32 /* --stats keeps this many caption tracks */
#define SVP_MAX_CDNS 16
#define SVP_MAX_ITEMS 64           /* playlist items after the first */
#define SVP_PRELOAD_USERDATA 7     /* the reply of sv_player_preload() */

typedef struct svp_options {
    const char *input;          /* URL or path, from argv */
    const char *next[SVP_MAX_ITEMS]; /* the playlist's next items: more URLs, --next */
    int nb_next;
    int gapless;                /* --gapless: the player moves to the next item itself */
    int headless, benchmark, realtime;
    double start_s;
    int64_t frames;             /* --frames: quit after this many; -1 for no limit */
    const char *abr_rule;
    int quality;                /* -1: ABR */
    int max_height;
    const char *codecs;         /* --codecs: allowed video codecs, preferred first; or NULL */
    int allow_codec_switch;     /* --allow-codec-switch */
    const char *stats_path, *framemd5_path;
    const char *license_url;
    const char *sub;            /* --sub: "auto" (default), "off", a number or a language;
                                   NULL when not given */
    const char *alang, *slang;  /* --alang/--slang: LANG[:ROLE] lists, or NULL */
    const char *sub_log_path;
    const char *events_path;    /* --events: timed events as JSON lines, or NULL */
    const char *ui_log_path;    /* --ui-log: what the window laid out, JSON lines, or NULL */
    const char *keys[SVP_MAX_KEYS]; /* --key KID:KEY texts, from argv */
    int nb_keys;
    const char *cdns[SVP_MAX_CDNS]; /* --cdn ID=BASE_URL[,PRIORITY[,WEIGHT]] texts, from argv */
    int nb_cdns;
    const char *auth_token;     /* --auth-token: query for segment and key requests */
    const char *server;         /* --server: backend base URL; input is then a title id */
    const char *user, *password_file, *device;
    long long title_id;         /* with --server */
    int prefer_hls, from_start;
    int cmcd;                   /* --cmcd */
    int captions;               /* --captions */
    const char *caption_track;  /* --caption-track: settings.caption_track, or NULL */
    int give_up_ms;             /* --give-up: settings.fetch_give_up_ms, 0: the default */
    int target_latency_ms;      /* --target-latency: settings.live_target_latency_ms */
    int max_latency_ms;         /* --max-latency: settings.live_max_latency_ms */
    const char *ca_file;        /* --ca-file: settings.tls_ca_file */
    const char *pin_pubkey;     /* --pin-pubkey: settings.tls_pinned_pubkey */
    int http1;                  /* --http1: settings.http_version = SV_HTTP_VERSION_1_1 */
    const char *download_dir;   /* --download DIR, or NULL */
    int64_t max_bandwidth;      /* --max-bandwidth (downloads), 0: no limit */
    int64_t download_quota;     /* --download-quota, 0: none */
    const char *list_downloads; /* --list-downloads ROOT, or NULL */
    const char *delete_download; /* --delete-download DIR, or NULL */
    const char *license_pubkey; /* --license-pubkey FILE: PEM text read from it, or NULL */
    int volume;                 /* 0..100 */
    int mute, fullscreen, quiet;
    sv_log_level log_level;
} svp_options;

/*
 * Parses argv into *o. Returns 0 to go on, 1 when --help or --version was
 * printed (exit 0), or -1 after printing a usage error to stderr (exit 2).
 */
int svp_parse_options(svp_options *o, int argc, char **argv);

/*
 * Parses one --cdn text, ID=BASE_URL[,PRIORITY[,WEIGHT]] (priority default
 * 1, weight default 1), into *out; its id and base_url point into the
 * caller's buffers id[id_size] and url[url_size]. Returns 0, or -1 for a
 * malformed text (nothing printed).
 */
int svp_parse_cdn(const char *text, sv_cdn *out, char *id, size_t id_size, char *url,
                  size_t url_size);

/* ---- stats (stats.c) ---------------------------------------------------- */

typedef struct svp_stats svp_stats;

int svp_stats_create(svp_stats **out);
void svp_stats_destroy(svp_stats *st);
/* The wall-clock time (Unix seconds) of the load command, written as
 * load_unix_s: the origin of every t_s. */
void svp_stats_loaded(svp_stats *st, double unix_s);
/* Records one event; t_s is seconds since the load command. `player` (may
 * be NULL) is read for the buffer and position at a CDN change. */
void svp_stats_event(svp_stats *st, const sv_event *ev, double t_s, sv_player *player);
/*
 * Writes the --stats JSON. `player` may be NULL (it was never created);
 * audio_frames/audio_silence_frames are -1 and audio_md5 (32 hex digits of
 * the null audio sink's hash of every sample it was given) NULL when no
 * null audio sink counted them; error_code 0 means no error. Returns 0 or -1 (message printed).
 */
int svp_stats_write(const svp_stats *st, const char *path, sv_player *player,
                    int64_t audio_frames, int64_t audio_silence_frames,
                    const char *audio_md5, int error_code, const char *error_message,
                    int exit_code);

/* Appends one playlist item's figures to the stats' "items" (takes it). */
void svp_stats_item(svp_stats *st, json_t *item);

/* ---- framemd5 (framemd5.c) ---------------------------------------------- */

typedef struct svp_framemd5 svp_framemd5;

/* Opens `path` ("-" for stdout) for writing. Returns 0 or -1 (message printed). */
int svp_framemd5_open(svp_framemd5 **out, const char *path);
/* Adds one presented frame (render thread). */
void svp_framemd5_frame(svp_framemd5 *f, const sv_video_frame *frame, const uint8_t md5[16]);
/* Writes what is pending and closes. Returns 0 or -1 on a write error. Accepts NULL. */
int svp_framemd5_close(svp_framemd5 *f);

/* ---- the session both modes share (session.c) ---------------------------- */

typedef struct svp_app {
    svp_options opt;
    sv_player *player;
    sv_cdm *cdm;
    svp_stats *stats;
    int64_t load_ns;             /* monotonic time of the load command */
    sv_player_state state;
    atomic_llong frames_presented;
    int done;                    /* stop the main loop */
    int exit_code;
    int error_code;              /* first fatal error, 0 if none */
    char error_message[512];
    int64_t pending_fail_ns;     /* load reply failed: deadline to wait for its ERROR event */
    int pending_fail_code;       /* that reply's code */
    int tty_progress;            /* print a progress line on stderr */
    FILE *sub_log;               /* --sub-log, or NULL */
    FILE *events_log;            /* --events, or NULL */
    char audio_md5[33];          /* headless: the null audio sink's MD5, "" if none */
    int sub_chosen;              /* --sub was applied to the track list */
    char *user_token;            /* --server: the login's bearer token (owned) */
    FILE *ui_log;                /* --ui-log, or NULL */
    /* Playlist (playlist.c): the item playing (0: opt.input), its load
     * instant, the first frame after it (headless: the render thread sets
     * it), and its figures for the stats. */
    int item;
    int preload_sent;            /* the next item's preload was asked for */
    int skip_eof;                /* the END_OF_FILE of an item moved past */
    int64_t item_ns;
    atomic_llong first_frame_ns;
    json_t *item_json;
} svp_app;

int64_t svp_now_ns(void);
/* Seconds since the load command. */
double svp_elapsed_s(const svp_app *app);
/*
 * Fills the settings both modes share into *s (sinks and modes are left to
 * the caller), builds the ClearKey CDM for --key. Returns 0 or sets the
 * error and returns -1.
 */
int svp_session_settings(svp_app *app, sv_player_settings *s);
/* Creates the player from *s, applies volume/mute, and loads the input
 * (nothing in catalog mode, where opt.input is NULL). 0 or -1. */
int svp_session_start(svp_app *app, const sv_player_settings *s);
/* --server: logs in if needed and plays title opt.title_id as a backend
 * session. 0, or sets the error and returns -1. */
int svp_session_load_title(svp_app *app);
/* Handles one player event: stats, state, end of file, errors. */
void svp_session_event(svp_app *app, const sv_event *ev);
/* Periodic checks (frame limit, a load failure without an ERROR event). */
void svp_session_tick(svp_app *app);
/* Records a fatal error (first one wins) and stops the loop with exit code 1. */
void svp_session_fail(svp_app *app, int code, const char *message);
/* Destroys the player and CDM after the stats were written. */
void svp_session_end(svp_app *app, int64_t audio_frames, int64_t audio_silence_frames);

/* ---- playlist (playlist.c) ----------------------------------------------- */

/* An item's load begins (its figures start; url borrowed). */
void svp_playlist_begin(svp_app *app, const char *url);
/* Moves to the next item now (the end, or the n key): 1 when there was one,
 * 0 when there is none, or the load call's negative code (the caller ends
 * the session with it). */
int svp_playlist_next(svp_app *app);
/* Reacts to an event (preloads once an item plays, moves on at its end).
 * Returns 1 when the event is dealt with (the session must not end), 0 when
 * not, or a negative code as svp_playlist_next(). */
int svp_playlist_event(svp_app *app, const sv_event *ev);
/* The last item's figures, before the stats are written. */
void svp_playlist_end(svp_app *app);

/* ---- backend calls outside playback (backend.c) ------------------------- */

/* One JSON call to the backend (`body` borrowed, may be NULL; `token`, the
 * user's bearer token, may be NULL). 0 with *out (caller decrefs), or -1
 * with a message in err ("code: message (HTTP n)" for refusals). */
int svp_backend_call(const char *server, const char *method, const char *path,
                     const char *token, json_t *body, json_t **out, char *err, size_t errlen);
/* GET path of the backend as bytes (an image): 0 with *data (malloc'd,
 * caller frees; NUL-terminated past *len) on 200, or -1 with a message in
 * err. At most 4 MiB. */
int svp_backend_get(const char *server, const char *path, const char *token, uint8_t **data,
                    size_t *len, char *err, size_t errlen);
/* The TLS options (--ca-file, --pin-pubkey; borrowed from argv) and --http1
 * for every later svp_backend_call. Main thread, before the first call. */
void svp_backend_set_tls(const char *ca_file, const char *pin_pubkey, int http1);
/* Logs in as --user (password from --password-file or a prompt) and keeps
 * the token in app->user_token. 0, or -1 with a message in err. */
int svp_backend_login(svp_app *app, char *err, size_t errlen);

/* ---- downloads (download.c) ------------------------------------------- */

/* --download, --list-downloads, --delete-download: runs them and returns
 * the exit code. */
int svp_run_download(svp_app *app);
/* Playing a local file of a download folder that holds an offline license
 * (DIR/license.json): checks it (online when the server answers) with
 * --device and --license-pubkey and gives its keys to app->cdm (made when
 * needed). 0 (also when there is no license), or the SDK's error code with
 * its message in msg[cap]. */
int svp_offline_license(svp_app *app, char *msg, size_t cap);

/* ---- subtitles (subs.c) ----------------------------------------------- */

/* ---- timed events (events.c) -------------------------------------------- */

/* Opens --events. Returns 0 or SV_ERR_IO (the caller reports it). */
int svp_events_open(svp_app *app);
void svp_events_close(svp_app *app);
/* Writes SV_EVENT_TIMED_METADATA to --events (with `elapsed_s`, the
 * seconds since the load) and, at log level info, stderr. */
void svp_events_event(svp_app *app, const sv_event *ev, double elapsed_s);
/* One line about a timed event ("event hls-daterange CLASS SCTE35-OUT id X
 * at 3.200 s (SCTE-35 splice_insert out, event 1)"): stderr and the OSD. */
void svp_events_describe(const sv_timed_event *e, char *buf, size_t cap);

/* Opens --sub-log. Returns 0 or SV_ERR_IO (the caller reports it). */
int svp_subs_open(svp_app *app);
/* Applies --sub once the tracks are known; logs each cue (--sub-log). */
void svp_subs_event(svp_app *app, const sv_event *ev);
void svp_subs_close(svp_app *app);

/* ---- --ui-log (uilog.c) ------------------------------------------------ */

/* Opens --ui-log (nothing without it). 0, or -1 with errno set. */
int svp_uilog_open(svp_app *app);
void svp_uilog_close(svp_app *app);
/* Writes `line` (taken: decref'd) as one compact JSON line and flushes;
 * nothing without --ui-log. */
void svp_uilog_write(svp_app *app, json_t *line);

/* Formats seconds as [H:]MM:SS.s into buf. */
void svp_format_time(char *buf, size_t size, double s);

/* ---- modes ------------------------------------------------------------- */

/* Runs headless (null sinks) until the end, an error, --frames or SIGINT. */
int svp_run_headless(svp_app *app);
/* Runs with an SDL2 window and audio device. */
int svp_run_window(svp_app *app);

/* ---- on-screen panel (osd.c) ------------------------------------------- */

/* Writes the panel text (state, time, rendition, buffer, throughput,
 * frames, volume) for the player's current properties. */
void svp_osd_format(sv_player *player, char *buf, size_t size);
/* Trick play keys: the rate after `dir` (+1 ']' faster forward, -1 '['
 * faster rewind) from `rate`: from normal play (or the other direction)
 * 2x, then doubling up to 64x, where it stays. */
int svp_trick_next(int rate, int dir);
/* "fast forward 8x", "rewind 4x" or "normal speed" into buf. */
void svp_trick_label(int rate, char *buf, size_t size);

#endif
