/*
 * streamverse/player.h - the player embedding API.
 *
 * A player plays one HLS or DASH presentation (or a plain media file) at a
 * time: it fetches manifests and segments over one or more CDNs, picks the
 * quality with an ABR rule (streamverse/abr.h), decrypts through a CDM
 * (streamverse/cdm.h), decodes, and hands pictures and sound to the sinks the
 * host gave it (streamverse/sinks.h).
 *
 * The model is libmpv's client API:
 *   - sv_player is an opaque handle. Every function is thread-safe unless its
 *     comment says otherwise; no function blocks on the network.
 *   - Commands (load, pause, seek, ...) are asynchronous. Each returns at once:
 *     a negative code if the command was refused (bad argument, wrong state),
 *     otherwise 0, and later an SV_EVENT_COMMAND_REPLY event carries the
 *     command's userdata and its outcome.
 *   - Everything that happens is reported as an event in a queue the host
 *     drains with sv_player_wait_event(). A wakeup callback tells the host
 *     when the queue becomes non-empty, so a GUI main loop can integrate the
 *     player without a thread of its own.
 *   - Properties (position, buffer, bitrate...) are read at any time.
 *   - No global state: any number of players may live in one process.
 *
 * Threads inside a player: a control thread (event loop: manifests,
 * scheduling, ABR, downloads, heartbeats, timers), decode thread(s), the audio
 * sink's pull thread, and a render thread (the player's own, or the host's
 * when settings.host_renders is set).
 */
#ifndef STREAMVERSE_PLAYER_H
#define STREAMVERSE_PLAYER_H

#include "abr.h"
#include "cdm.h"
#include "clock.h"
#include "common.h"
#include "sinks.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sv_player sv_player;

/* ---- settings -------------------------------------------------------- */

/* (API 2.5) The HTTP version the player asks servers for
 * (sv_player_settings.http_version). */
typedef enum sv_http_version {
    SV_HTTP_VERSION_AUTO = 0, /* HTTP/2 over TLS when the server offers it (ALPN),
                                 HTTP/1.1 otherwise and on cleartext http:// */
    SV_HTTP_VERSION_1_1 = 1,  /* HTTP/1.1 only, also over TLS */
    SV_HTTP_VERSION_2 = 2     /* HTTP/2 over TLS as AUTO, and an h2c upgrade
                                 offered to cleartext http:// servers */
} sv_http_version;

typedef struct sv_player_settings {
    /* sizeof(sv_player_settings), set by sv_player_default_settings(). */
    size_t struct_size;

    /* Outputs. Borrowed: they must outlive the player. A NULL video sink
     * plays audio only; a NULL audio sink makes video the clock (paced by
     * `clock`). */
    sv_video_sink *video_sink;
    sv_audio_sink *audio_sink;
    /* When non-zero, the player does not render on a thread of its own: the
     * host calls sv_player_render() from the thread it wants the video sink
     * called on. Default 0. */
    int host_renders;

    /* Decryption. Borrowed. NULL uses the built-in ClearKey CDM. */
    sv_cdm *cdm;
    /* License server URL. Order: sv_load_options.license_url, then this,
     * then the manifest's (DASH dashif:laurl, resolved against the MPD).
     * Copied. NULL for none. */
    const char *license_url;

    /* Time source for every timer and timestamp. Borrowed: it must outlive
     * the player. NULL: the player makes its own monotonic clock. */
    const sv_clock *clock;

    /* Adaptive bitrate: the rule's name as listed by abr.h (default
     * "hybrid"). Copied. */
    const char *abr_rule;
    /* Never pick a representation taller than this many lines (0 = no limit). */
    int max_height;
    /* Buffer targets, seconds: start playing once `start_buffer_s` is
     * buffered (default 2; live: or all that is available so far is), keep
     * fetching until `buffer_goal_s` (default 30), never hold more than
     * `buffer_max_s` (default 60). */
    double start_buffer_s;
    double buffer_goal_s;
    double buffer_max_s;

    /* Decoder threads; 0 picks one per core. */
    int decoder_threads;
    /* Decode and present as fast as possible, ignoring the clock (benchmarks
     * and bit-exact checks). Default 0. */
    int benchmark;

    /* HTTP: User-Agent (copied; NULL for "Streamverse/<version>"), connect
     * timeout and the speed floor below which a transfer counts as stalled. */
    const char *user_agent;
    double connect_timeout_s;   /* default 5 */
    double low_speed_bytes_per_s; /* default 8000 ... */
    double low_speed_time_s;    /* ... held for this long (default 5) */

    /* Logging: messages at `log_level` or more severe go to log_cb (NULL:
     * errors and warnings to stderr). */
    sv_log_fn log_cb;
    void *log_opaque;
    sv_log_level log_level;

    /* Allocator for the player's own memory (common.h says what it covers).
     * Copied; NULL (default) for the C library. */
    const sv_allocator *allocator;

    /* Non-zero: segment requests carry Common Media Client Data (CTA-5004)
     * as a CMCD query argument (bitrate, buffer, duration, throughput,
     * object type, format, session id, startup, top bitrate). Default 0. */
    int cmcd;

    /* Parameters of the ABR rule (names as sv_abr_rule_param_info lists
     * them), or NULL/0 for its defaults. Copied; a name the rule does not
     * take or a value out of range makes sv_player_create() fail with
     * SV_ERR_INVALID. */
    const sv_abr_param *abr_params;
    size_t num_abr_params;

    /* Video codecs (added after ABI 1): the families the player may play,
     * most preferred first, as comma-separated names among "h264", "hevc",
     * "av1" and "vp9" (e.g. "av1,hevc,h264"); a family not listed is never
     * played. NULL (default): av1, hevc, vp9, h264, all allowed. At load the
     * player plays the first listed family that the stream has and this
     * libavcodec decodes (DASH: that video AdaptationSet; HLS: the variants
     * of that codec); a representation whose codecs the manifest does not
     * declare is tried last. Nothing playable: the load fails with
     * SV_ERR_UNSUPPORTED, the message naming the codecs found and allowed.
     * Copied; an unknown name makes sv_player_create() fail with
     * SV_ERR_INVALID. */
    const char *codecs;
    /* Non-zero: adaptive bitrate may move between allowed codec families
     * (HLS variants of several codecs; a DASH AdaptationSet holds one).
     * Default 0: the family chosen at load plays to the end. */
    int allow_codec_switch;

    /* Segment faults (API 2.1). A segment that fails (404/410,
     * 5xx, a connection error, a stall, a truncated body) is retried with
     * back-off on every CDN while media remains buffered, then skipped: the
     * gap is played over, audio and video together, and reported
     * (SV_EVENT_SEGMENT_SKIPPED, sv_player_stats.skipped_segments).
     * Playback ends with a fatal error only when nothing at all could be
     * fetched for this many milliseconds after the buffer ran out (or a live
     * manifest stopped advancing for as long); what is buffered still plays
     * out before the error. 100 to 3600000; default 10000. */
    int fetch_give_up_ms;

    /* Track preferences (API 2.2): the audio and subtitle tracks to play,
     * as comma-separated entries LANG[:ROLE], most preferred first. LANG is
     * a BCP 47 tag ("en", "pt-BR"), compared case-insensitively with
     * fallback ("en" takes "en-US"; "pt-BR" takes "pt-BR", then "pt"), or
     * "*" for any language. ROLE is one of "main", "alternate",
     * "commentary", "description" (audio description of the picture, for
     * the blind), "caption" (dialogue and sounds as text, for the deaf and
     * hard of hearing), "subtitle" and "forced" (sv_track_info.roles says
     * which a track has). At load the first entry that a track matches
     * chooses: without a role it takes the language's main track (not an
     * accessibility, forced or commentary one while the language has
     * another); with a role only a track with that role ("en:description,
     * en" plays the English audio description, else the English main
     * track). When no entry matches, audio plays the manifest's default
     * track (DASH Role main, HLS DEFAULT=YES) and no subtitles are shown.
     * NULL or "" (default): audio plays the default track and subtitles
     * stay off until sv_player_select_track(). Copied; a malformed list
     * makes sv_player_create() fail with SV_ERR_INVALID. */
    const char *audio_languages;
    const char *subtitle_languages;

    /* Live latency (API 2.3): how far behind the live edge to play, in
     * milliseconds of "now minus the program date time of the frame on
     * screen" (docs/sdk.md, "Live latency"). 0 (default): the manifest's
     * target (DASH ServiceDescription Latency@target, HLS PART-HOLD-BACK
     * or HOLD-BACK), and none when it gives none; -1: never change the
     * playback rate. With a target a live load starts that far behind
     * the edge, and the player holds it by playing at 0.95 to 1.05 times
     * the normal rate, the pitch kept. 1 to 600000, 0 or -1. */
    int live_target_latency_ms;

    /* Closed captions (API 2.4): non-zero decodes the CEA-608 captions
     * (channel CC1; or a CEA-708 service, caption_track below) that H.264
     * and HEVC video carries in its SEI (ATSC A/53
     * cc_data) with libavcodec's EIA-608 decoder, and shows and reports
     * them as subtitle cues (SV_EVENT_SUBTITLE, SV_EVENT_SUBTITLE_CUE)
     * while no text track is selected. Default 0. */
    int captions;

    /* TLS and HTTP (API 2.5); they apply to every request of the player
     * (manifests, segments, keys, licenses, backend calls).
     * tls_ca_file: a PEM file of the certificate authorities to trust
     * instead of the system's (a private or test CA). NULL (default): the
     * system's. A file that cannot be read fails each https request with
     * SV_ERR_NETWORK, the message naming the file.
     * tls_pinned_pubkey: the server public keys to accept, as libcurl's
     * CURLOPT_PINNEDPUBLICKEY takes them: "sha256//" and the base64 of the
     * SHA-256 of the key's DER SubjectPublicKeyInfo, several joined by ';'.
     * A server whose key is none of them is refused (the certificate chain
     * is still verified too): the request fails with SV_ERR_NETWORK and a
     * message naming the host, and is not retried on the same server (with
     * several CDNs the next one is tried). NULL (default): no pinning.
     * Both copied; a pin list that is not of that form makes
     * sv_player_create() fail with SV_ERR_INVALID (the log callback says
     * which entry).
     * http_version: SV_HTTP_VERSION_AUTO (default) lets requests to one
     * host share one HTTP/2 connection when the server offers HTTP/2. */
    const char *tls_ca_file;
    const char *tls_pinned_pubkey;
    sv_http_version http_version;

    /* Live catch-up (API 2.6): the most latency to play at, in milliseconds
     * (the measure of live_target_latency_ms). A latency over it by more
     * than 0.5 s, more than the rate makes up soon (after the network
     * stalled, say), sends the player to the live start, at most once per
     * 4 s, as dash.js's liveCatchup and hls.js's liveMaxLatencyDuration do;
     * what it skips is not played. Only while a target is held (not after a
     * seek into the DVR window, until sv_player_seek_live()). 0 (default):
     * the manifest's maximum (DASH ServiceDescription Latency@max), none
     * when it gives none; -1: never; 1 to 600000. */
    int live_max_latency_ms;

    /* Closed captions (API 2.7): which captions `captions` decodes.
     * NULL, "" or "CC1" (default): CEA-608 channel CC1, as above.
     * "SERVICE1" to "SERVICE63": that CEA-708 (DTVCC) caption service,
     * carried in the same cc_data (cc_type 2 and 3) and decoded by the
     * player itself; its cues come with the window's place, the pen's
     * colours, italics and underline and the window's fill
     * (data.cue.style). HLS names services this way in CLOSED-CAPTIONS
     * INSTREAM-ID. Or languages, as subtitle_languages writes them ("de,
     * en"; roles are ignored): at each load the first caption track the
     * manifest declares in one of them (sv_player_get_caption_track) is
     * decoded, and CC1 when none is. Caption data that does not decode (a
     * packet cut short, a sequence gap, a block longer than its packet, a
     * command missing its parameters, a window never defined) is logged
     * and counted in sv_player_stats.text_skipped; playback goes on.
     * Case-insensitive; copied; a value that is none of these makes
     * sv_player_create() fail with SV_ERR_INVALID.
     * sv_player_select_caption_track() changes it while playing. */
    const char *caption_track;

    /* New fields are appended here (common.h, "Growable structs"). */
} sv_player_settings;

/*
 * Fills *s with the defaults documented on each field, struct_size included.
 * Always call it before setting fields, so new fields get their defaults.
 * A macro: it passes sizeof(*s) to sv_player_default_settings_sized(), which
 * fills only that many bytes (a host built against older headers has a
 * smaller struct). Thread-safe.
 */
#define sv_player_default_settings(s) sv_player_default_settings_sized((s), sizeof(*(s)))
SV_API void sv_player_default_settings_sized(sv_player_settings *s, size_t struct_size);

/*
 * Creates a player in the IDLE state and starts its threads.
 * On success returns 0 and stores the player in *out; the caller owns it and
 * releases it with sv_player_destroy(). `settings` is read during the call
 * only (strings are copied; sinks, CDM and clock are borrowed). On failure
 * returns SV_ERR_INVALID (bad settings, unknown ABR rule), SV_ERR_NOMEM or
 * SV_ERR_INTERNAL (a thread could not start) and *out is untouched.
 */
SV_API int sv_player_create(sv_player **out, const sv_player_settings *settings);
/* (SV_ERR_INVALID also when settings->struct_size, or that of a sink, the
 * CDM, the clock or the allocator, is 0 or smaller than its first version.) */

/*
 * Stops playback, joins every thread and frees the player. Pending commands
 * are dropped without replies. Accepts NULL. Must not be called from a player
 * callback (wakeup, log, sink) or concurrently with other calls on the same
 * player.
 */
SV_API void sv_player_destroy(sv_player *player);

/* ---- states and events ------------------------------------------------ */

typedef enum sv_player_state {
    SV_STATE_IDLE = 0,   /* nothing loaded */
    SV_STATE_LOADING,    /* fetching manifests, choosing tracks, starting up */
    SV_STATE_BUFFERING,  /* waiting for data (startup or a rebuffer) */
    SV_STATE_PLAYING,
    SV_STATE_PAUSED,
    SV_STATE_SEEKING,
    SV_STATE_ENDED,      /* played to the end */
    SV_STATE_ERROR       /* stopped by an error; load again to recover */
} sv_player_state;

/* Returns a static lowercase name for a state ("playing"), or "unknown". */
SV_API const char *sv_player_state_name(sv_player_state state);

typedef enum sv_event_id {
    SV_EVENT_NONE = 0,          /* wait timed out, or the player was woken */
    SV_EVENT_COMMAND_REPLY,     /* an async command finished: reply_userdata, error */
    SV_EVENT_STATE_CHANGED,     /* data.state */
    SV_EVENT_TRACKS_CHANGED,    /* the track list changed; read it with sv_player_get_track() */
    SV_EVENT_RENDITION_CHANGED, /* a new representation is being played: data.rendition */
    SV_EVENT_REBUFFER_START,    /* playback stalled for lack of data */
    SV_EVENT_REBUFFER_END,      /* data.rebuffer: how long it stalled */
    SV_EVENT_SEEK_DONE,         /* the first frame at or after the seek target is shown */
    SV_EVENT_CDN_CHANGED,       /* requests moved to another CDN: data.cdn */
    SV_EVENT_END_OF_FILE,       /* the last frame was presented */
    SV_EVENT_ERROR,             /* error and data.error.message; the state becomes ERROR
                                   when the error is fatal (data.error.fatal) */
    SV_EVENT_SUBTITLE,          /* the subtitle text shown changed: data.subtitle.text
                                   ("" clears it); sv_player_get_subtitle() has it whole */
    SV_EVENT_SESSION,           /* backend session news (sv_player_load_title): data.session */
    SV_EVENT_SEGMENT_SKIPPED,   /* (API 2.1) a segment could not be fetched and its
                                   time is played over: data.skip */
    SV_EVENT_SUBTITLE_CUE,      /* (API 2.2) playback reached a cue of the selected text
                                   track: data.cue */
    SV_EVENT_TIMED_METADATA,    /* (API 2.4) playback reached a timed event of the
                                   presentation (DASH EventStream or emsg, HLS
                                   EXT-X-DATERANGE, SCTE-35 among them): data.timed */
    SV_EVENT_TRICK_RATE,        /* (API 2.6) the trick-play rate changed (a host's
                                   sv_player_set_trick_rate(), or the player's own at
                                   either end of the media): data.trick */
    SV_EVENT_PRELOAD,           /* (API 2.6) a preload is ready or failed: data.preload, error */
    SV_EVENT_INTERSTITIAL_START, /* (API 2.7) an HLS interstitial's asset starts: data.interstitial */
    SV_EVENT_INTERSTITIAL_END   /* (API 2.7) an interstitial's asset ended (or failed, error set):
                                   data.interstitial */
} sv_event_id;

/* Returns a static name for an event ("state-changed"), or "unknown". */
SV_API const char *sv_event_name(sv_event_id id);

#include "timed.h" /* sv_timed_event (API 2.4) */

typedef enum sv_track_type {
    SV_TRACK_VIDEO = 0,
    SV_TRACK_AUDIO = 1,
    SV_TRACK_TEXT = 2
} sv_track_type;

/*
 * (API 2.4) Where and how a cue asks to be drawn: the region and styles of a
 * TTML/IMSC1 cue, the row of a CEA-608 caption, the settings of a WebVTT cue.
 * Owned by the player, like the event that points at it. Places and sizes
 * are percentages of the video picture from its top left corner; a field the
 * source leaves unset keeps its zero value and the host draws as it likes
 * (svplay: centred at the bottom, white on a dark box). The player may
 * append fields; it never moves these.
 */
typedef enum sv_cue_align {
    SV_CUE_ALIGN_UNSET = 0,
    SV_CUE_ALIGN_START = 1,  /* text: left (in left-to-right text); block: top */
    SV_CUE_ALIGN_CENTER = 2,
    SV_CUE_ALIGN_END = 3     /* text: right; block: bottom */
} sv_cue_align;

typedef struct sv_cue_style {
    float x, y;              /* the region's top left corner, % of the picture */
    float width, height;     /* the region's size, %; width 0: no region given */
    sv_cue_align text_align;     /* lines within the region (TTML textAlign) */
    sv_cue_align display_align;  /* the block within the region (TTML displayAlign) */
    uint32_t color;          /* text colour 0xRRGGBBAA; 0: unset */
    uint32_t background;     /* colour behind the text 0xRRGGBBAA; 0: unset */
    float font_size;         /* % of the picture height; 0: unset */
    int italic, bold, underline; /* 1 when the whole cue is so */
} sv_cue_style;

/*
 * An event. Returned by sv_player_wait_event(); the struct and every string
 * it points to are owned by the player and stay valid until the next
 * sv_player_wait_event() call on the same player.
 */
typedef struct sv_event {
    sv_event_id id;
    int error;                 /* 0 or a negative code (COMMAND_REPLY, ERROR) */
    uint64_t reply_userdata;   /* COMMAND_REPLY: the command's userdata */
    union {
        struct { sv_player_state state, old_state; } state;
        struct {
            sv_track_type type;
            int index;              /* representation index in the track */
            int old_index;          /* -1 for the first choice */
            int64_t bitrate_bps;
            int width, height;
            const char *reason;     /* why the ABR rule chose it */
        } rendition;
        struct { double duration_s; } rebuffer;
        struct { double position_s; } seek;
        struct { const char *from, *to, *reason; } cdn;
        struct { const char *message; int fatal; } error;
        struct { const char *text; } subtitle; /* plain UTF-8, lines split by '\n';
                                                  cut at 199 bytes */
        struct {
            /* "started", "heartbeat" (answered), "heartbeat-failed" (not
             * answered; playback goes on), "stopped" (resume position saved),
             * "ended" (the backend ended it: the load fails with an ERROR) */
            const char *what;
            const char *session_id;
            double position_s;      /* the position reported (or resumed from, for "started") */
            int status;             /* HTTP status of the call, 0 when none came */
        } session;
        struct {
            sv_track_type type;     /* the stream whose segment was skipped (VIDEO for
                                       muxed audio and video) */
            const char *url;        /* the segment's URL (the last one tried) */
            double start_s;         /* the gap: presentation time and length */
            double duration_s;
            const char *reason;     /* the last failure ("HTTP 404", "truncated body: ...") */
        } skip;
        /* (API 2.2) One cue of the selected text track. Every cue is
         * reported once, in order of start time (then file order), when
         * playback reaches its start; when its subtitle segment came late
         * it is reported as soon as it is read, still in order, so the
         * sequence of cues is the same on every run, however fast the
         * player decodes. A seek reports again the cues from its target
         * on. Cues that end before the load's start position are not
         * reported. */
        struct {
            double start_s, end_s;  /* on the presentation timeline, like the position */
            const char *text;       /* plain UTF-8, lines split by '\n'; cut at 199 bytes */
            const sv_cue_style *style; /* (API 2.4) NULL when the source gives none */
        } cue;
        /* (API 2.4) A timed event reached (sv_timed_event says when). */
        const sv_timed_event *timed;
        /* (API 2.6) SV_EVENT_TRICK_RATE: the rate now (1: normal playback)
         * and the position it took effect at (the last key frame shown when
         * trick play ends). */
        struct { int rate; double position_s; } trick;
        /* (API 2.6) sv_player_preload()'s outcome (streamverse/preload.h). */
        struct { const char *url; const char *message; int ready; } preload;
        /* (API 2.7) SV_EVENT_INTERSTITIAL_START and _END (docs/sdk.md,
         * "Interstitials"). id: the DATERANGE's ID; asset_uri: the asset
         * played (resolved; cut at 199 bytes). position_s is on the primary
         * content's timeline: at START the break's position (where the
         * primary stopped), at END where the primary resumes (the break's
         * position + X-RESUME-OFFSET, or a JUMP seek's target). duration_s:
         * at START the asset's duration when known (else -1), at END the
         * seconds of it played. asset_index counts the assets of an
         * X-ASSET-LIST from 0, of nb_assets. */
        struct {
            const char *id;
            const char *asset_uri;
            double position_s;
            double duration_s;
            int asset_index;
            int nb_assets;
        } interstitial;
    } data;
} sv_event;

/*
 * Waits up to timeout_s seconds (0: do not wait; negative: wait forever) for
 * the next event and returns it. Returns an event with id SV_EVENT_NONE when
 * the time ran out or sv_player_wakeup() was called. Never returns NULL.
 *
 * Thread: any one thread at a time (not concurrently with itself on the same
 * player). The queue is bounded; when the host does not drain it, the oldest
 * state and rendition events are merged, never COMMAND_REPLY or ERROR events.
 */
SV_API const sv_event *sv_player_wait_event(sv_player *player, double timeout_s);

/*
 * Makes a sv_player_wait_event() that is waiting, or the next one, return
 * SV_EVENT_NONE at once. Thread-safe; callable from any thread.
 */
SV_API void sv_player_wakeup(sv_player *player);

/*
 * Sets a callback called whenever the event queue becomes non-empty (and on
 * sv_player_wakeup()). It runs on an arbitrary player thread and must only
 * notify the host (post a message, signal a condition, write to a pipe): it
 * must not call any sv_player function. NULL removes it. Thread-safe.
 */
SV_API void sv_player_set_wakeup_callback(sv_player *player, void (*cb)(void *opaque),
                                          void *opaque);

/* ---- commands (asynchronous) ----------------------------------------- */

/*
 * A CDN the player may fetch from; the same paths exist under each base URL.
 * Initialise each with SV_CDN_INIT; in an array every element has the same
 * struct_size (the player steps through the array by it).
 */
typedef struct sv_cdn {
    size_t struct_size;
    const char *id;        /* short name shown in stats and events */
    const char *base_url;  /* replaces the manifest URL's origin and path prefix */
    int priority;          /* lower is preferred (DVB-DASH style) */
    int weight;            /* share among CDNs of equal priority */
} sv_cdn;

#define SV_CDN_INIT SV_STRUCT_INIT(sv_cdn)

/* Options for sv_player_load(); fill with sv_load_default_options(). */
typedef struct sv_load_options {
    size_t struct_size;
    double start_position_s;     /* where to start (resume); default 0 */
    const sv_cdn *cdns;          /* alternative CDNs, or NULL; copied */
    size_t nb_cdns;
    const char *license_url;     /* overrides settings.license_url; copied */
    const char *auth_token;      /* appended to segment and license requests; copied */
    int quality_index;           /* -1 (default): ABR; >= 0: lock this video representation */
} sv_load_options;

/* Fills *opts with the defaults above (a macro passing sizeof(*opts), as
 * sv_player_default_settings() does). Thread-safe. */
#define sv_load_default_options(opts) sv_load_default_options_sized((opts), sizeof(*(opts)))
SV_API void sv_load_default_options_sized(sv_load_options *opts, size_t struct_size);

/*
 * Starts loading `url` (http(s) URL of an HLS playlist, a DASH MPD, or a plain
 * media file; or a local path), replacing whatever was playing. `opts` may be
 * NULL and is copied. Returns 0 (the reply follows when playback starts or
 * loading failed) or SV_ERR_INVALID. Load errors (bad URL, HTTP error,
 * broken manifest, unsupported codec) arrive as an SV_EVENT_ERROR and the
 * command's reply carries the same code.
 */
SV_API int sv_player_load(sv_player *player, const char *url, const sv_load_options *opts,
                          uint64_t userdata);

/* Pauses (1) or resumes (0). Returns 0 or SV_ERR_STATE when nothing is loaded. */
SV_API int sv_player_set_pause(sv_player *player, int paused, uint64_t userdata);

/* Seek flags. */
#define SV_SEEK_ACCURATE 0 /* land on the first frame at or after the target */
#define SV_SEEK_KEYFRAME 1 /* land on the keyframe at or before the target (faster) */
#define SV_SEEK_RELATIVE 2 /* position_s is an offset from the current position */

/*
 * Seeks to position_s seconds (clamped to the seekable range). The reply
 * comes when the seek is accepted; SV_EVENT_SEEK_DONE when its first frame is
 * shown. Returns 0, SV_ERR_INVALID or SV_ERR_STATE.
 * (API 2.7) While an HLS interstitial whose X-RESTRICT has SKIP plays,
 * returns SV_ERR_FORBIDDEN and nothing moves. A seek over an interstitial
 * not yet played whose X-RESTRICT has JUMP plays the interstitial first,
 * then goes to the target (docs/sdk.md, "Interstitials").
 */
SV_API int sv_player_seek(sv_player *player, double position_s, int flags, uint64_t userdata);
/* (Live: the seekable range is the DVR window, SV_PROP_SEEKABLE_START to
 * SV_PROP_SEEKABLE_END; a target past its end goes to the live start.) */

/*
 * (API 2.3) Live: goes back to the live edge, as far behind it as a new
 * load would start (the target latency: settings.live_target_latency_ms
 * or the manifest's), from a pause or a seek back into the DVR window.
 * The reply comes when the seek is accepted, SV_EVENT_SEEK_DONE when its
 * first frame is shown. Returns 0, SV_ERR_INVALID, or SV_ERR_STATE (nothing
 * loaded); the reply carries SV_ERR_UNSUPPORTED when the load is not live.
 */
SV_API int sv_player_seek_live(sv_player *player, uint64_t userdata);

/*
 * (API 2.6) Trick play: fast forward (rate 2 to 64) or rewind (-2 to -64)
 * at `rate` times real time, or back to normal playback (1).
 *
 * During trick play the player fetches only key frames: those of the
 * period's I-frame track (HLS EXT-X-I-FRAME-STREAM-INF, DASH trick-mode
 * AdaptationSet, the lowest bandwidth of the codec played), or, when the
 * presentation has none (or is live), the first frame of each segment of
 * the lowest video representation. It shows the key frame at or before
 * (forward; at or after, rewinding) start + rate x the time since the
 * call, one at a time as fast as they come, so the position
 * (SV_PROP_POSITION, the key frame on screen) moves at about `rate` times
 * real time in steps of the key-frame spacing. Audio stops (the sink is
 * closed) and subtitles stand still. The state is PLAYING; SV_PROP_TRICK_RATE
 * and SV_EVENT_TRICK_RATE tell the rate.
 *
 * Rate 1 resumes normal playback, with audio, at the position of the last
 * key frame shown: an accurate seek there (state SEEKING, then
 * SV_EVENT_SEEK_DONE). Fast forward that reaches the last key frame, and
 * rewind that reaches 0, go back to rate 1 there, paused (the host resumes
 * with sv_player_set_pause(player, 0, ...)). Live, the range is the DVR
 * window (SV_PROP_SEEKABLE_START to SV_PROP_SEEKABLE_END, listed again
 * every 2 s at most during trick play): reaching the live start goes back
 * to rate 1 there, reaching the window's start goes back to rate 1 one
 * segment into the window (it slides on), both playing.
 * A seek during trick play moves the trick position (SV_EVENT_SEEK_DONE at
 * once); sv_player_seek_live() ends it at the live edge; a pause ends
 * trick play at the frame shown (rate 1, paused); a track switch, a new
 * load or a stop end it too. Each end sends
 * SV_EVENT_TRICK_RATE with rate 1. Trick play stays within the period
 * being played (multi-period DASH).
 *
 * Returns 0 (the reply follows once the rate is taken), SV_ERR_RANGE (a
 * rate other than 1 whose magnitude is not 2 to 64) or SV_ERR_STATE
 * (nothing loaded). The reply carries SV_ERR_UNSUPPORTED for a plain media
 * file or a load without video, SV_ERR_STATE before the load started,
 * (API 2.7) SV_ERR_FORBIDDEN for a rate other than 1 while an HLS
 * interstitial whose X-RESTRICT has SKIP plays. Thread-safe.
 */
SV_API int sv_player_set_trick_rate(sv_player *player, int rate, uint64_t userdata);

/* Stops playback and unloads; the state becomes IDLE. Returns 0. */
SV_API int sv_player_stop(sv_player *player, uint64_t userdata);

/*
 * Locks video to representation `index` of the current video track, or
 * returns to ABR with index -1. Returns 0, SV_ERR_RANGE or SV_ERR_STATE.
 */
SV_API int sv_player_set_quality(sv_player *player, int index, uint64_t userdata);

/*
 * Switches the video, audio or text track to track `index` of that type (-1
 * turns text off). Returns 0, SV_ERR_RANGE or SV_ERR_STATE. A video track
 * with no codec that settings.codecs allows and this device decodes is
 * refused: the command's reply carries SV_ERR_UNSUPPORTED and playback goes
 * on with the current track.
 */
SV_API int sv_player_select_track(sv_player *player, sv_track_type type, int index,
                                  uint64_t userdata);

/* Sets the volume, 0.0 (silent) to 1.0 (unity gain), and mute. Immediate; return 0 or SV_ERR_RANGE. */
SV_API int sv_player_set_volume(sv_player *player, double volume);
SV_API int sv_player_set_mute(sv_player *player, int muted);

/* ---- rendering on the host's thread ---------------------------------- */

/*
 * With settings.host_renders set, the host calls this on the thread it wants
 * the video sink called on (for SDL, the main thread). It presents the frame
 * that is due, if any, drops frames that are late, and returns in
 * *next_due_s how long until the next frame is due (a large value when none
 * is queued); the host sleeps at most that long, or until a wakeup. Returns 1
 * if a frame was presented, 0 if not, SV_ERR_STATE if host_renders is off.
 */
SV_API int sv_player_render(sv_player *player, double *next_due_s);

/* ---- properties ------------------------------------------------------- */

typedef enum sv_property {
    SV_PROP_STATE = 0,        /* int64: sv_player_state */
    SV_PROP_POSITION,         /* double, s: presentation time of the frame on screen */
    SV_PROP_DURATION,         /* double, s: 0 for live or unknown */
    SV_PROP_BUFFER,           /* double, s: media buffered ahead of the position */
    SV_PROP_BITRATE,          /* int64, bit/s: declared bandwidth of the video being played */
    SV_PROP_THROUGHPUT,       /* double, bit/s: the ABR's current throughput estimate */
    SV_PROP_DROPPED_FRAMES,   /* int64: late video frames dropped since load */
    SV_PROP_DECODED_FRAMES,   /* int64: video frames decoded since load */
    SV_PROP_REBUFFER_COUNT,   /* int64: stalls since playback started */
    SV_PROP_REBUFFER_TIME,    /* double, s: total stall time */
    SV_PROP_VOLUME,           /* double, 0..1 */
    SV_PROP_MUTE,             /* int64, 0 or 1 */
    SV_PROP_VIDEO_WIDTH,      /* int64: of the representation being played */
    SV_PROP_VIDEO_HEIGHT,     /* int64 */
    SV_PROP_QUALITY_INDEX,    /* int64: video representation index being played */
    SV_PROP_QUALITY_LOCKED,   /* int64: 1 if set_quality locked it, 0 for ABR */
    SV_PROP_STARTUP_TIME,     /* double, s: from load to the first frame shown */
    SV_PROP_AV_DRIFT,         /* double, s: audio clock minus video clock at the last frame */
    /* (API 2.3) Live. SV_ERR_STATE when the load is not live. */
    SV_PROP_LIVE_LATENCY,     /* double, s: now minus the program date time on screen */
    SV_PROP_PLAYBACK_RATE,    /* double: 1, or what holds the target latency */
    SV_PROP_SEEKABLE_START,   /* double, s: the DVR window on the position's timeline */
    SV_PROP_SEEKABLE_END,     /* double, s: the live start (the latest position a seek takes) */
    SV_PROP_TRICK_RATE,       /* (API 2.6) int64: the trick-play rate, 1 in normal playback
                                 (sv_player_set_trick_rate) */
    /* (API 2.7) HLS interstitials (docs/sdk.md, "Interstitials"). While an
     * interstitial's asset plays, POSITION and DURATION stay the primary
     * content's (POSITION: the break's position) and these give the asset's. */
    SV_PROP_INTERSTITIAL,     /* int64: 1 while an interstitial's asset plays, else 0 */
    SV_PROP_INTERSTITIAL_POSITION, /* double, s: on the asset's own timeline;
                                      SV_ERR_STATE when none plays */
    SV_PROP_INTERSTITIAL_DURATION  /* double, s: the asset's (cut by X-PLAYOUT-LIMIT);
                                      SV_ERR_STATE when none plays or unknown */
    /* New properties are appended. There is no count: a host walks the list
     * with sv_property_name() until it returns NULL, so a newer library's
     * extra properties are found without a rebuild. */
} sv_property;

/* Returns the property's name ("buffer"), or NULL for a value that is not a
 * property of this library (the first such value ends the list). */
SV_API const char *sv_property_name(sv_property prop);

/*
 * Reads a property. The int64 and double getters convert numeric values
 * (doubles are truncated to int64). Returns 0, SV_ERR_INVALID for an unknown
 * property or NULL out, SV_ERR_STATE when it has no value now (DURATION
 * before loading). Thread-safe; never blocks on the network.
 */
SV_API int sv_player_get_int64(sv_player *player, sv_property prop, int64_t *out);
SV_API int sv_player_get_double(sv_player *player, sv_property prop, double *out);

/* One video or audio representation (rendition) of a track.
 * Initialise with SV_REPRESENTATION_INFO_INIT. */
typedef struct sv_representation_info {
    size_t struct_size;
    int index;
    int64_t bandwidth_bps;
    int width, height;       /* 0 for audio */
    double frame_rate;       /* 0 if unknown */
    char codecs[64];         /* RFC 6381 codecs string, e.g. "avc1.64001f" */
    char id[64];             /* manifest's own ID */
} sv_representation_info;

#define SV_REPRESENTATION_INFO_INIT SV_STRUCT_INIT(sv_representation_info)

/* A track (DASH AdaptationSet, HLS rendition group). Initialise with
 * SV_TRACK_INFO_INIT. */
typedef struct sv_track_info {
    size_t struct_size;
    int index;
    sv_track_type type;
    int selected;
    int nb_representations;
    int encrypted;           /* 1 if the track is protected */
    int is_default;          /* the manifest marks it default (HLS DEFAULT=YES) */
    char language[16];       /* BCP 47 tag, or "" */
    char label[64];
    char codecs[64];
    /* (API 2.2) The track's roles, comma-separated, among "main",
     * "alternate", "commentary", "description", "caption", "subtitle",
     * "forced" (sv_player_settings.audio_languages explains them), from
     * DASH Role and Accessibility descriptors and HLS CHARACTERISTICS
     * (public.accessibility.describes-video: description;
     * transcribes-spoken-dialog, describes-music-and-sound: caption) and
     * FORCED=YES; "" when the manifest says nothing. */
    char roles[64];
} sv_track_info;

#define SV_TRACK_INFO_INIT SV_STRUCT_INIT(sv_track_info)

/*
 * Returns how many tracks of `type` the loaded presentation has (0 when
 * nothing is loaded), or SV_ERR_INVALID.
 */
SV_API int sv_player_track_count(sv_player *player, sv_track_type type);

/*
 * Copies the subtitle text shown now (the active WebVTT cues of the selected
 * text track, plain UTF-8, lines split by '\n'; "" when none) into buf[cap].
 * Returns 0, SV_ERR_OVERFLOW when it was cut to fit, or SV_ERR_INVALID.
 * Thread-safe. Hosts draw it themselves, or hand it to
 * sv_sdl2_video_set_subtitle().
 */
SV_API int sv_player_get_subtitle(sv_player *player, char *buf, size_t cap);


/* Copies track `index` of `type` into *info (the fields its struct_size
 * holds). Returns 0, SV_ERR_RANGE, or SV_ERR_INVALID (struct_size too small). */
SV_API int sv_player_get_track(sv_player *player, sv_track_type type, int index,
                               sv_track_info *info);

/*
 * Copies representation `rep` of track `index` of `type` into *info (the
 * fields its struct_size holds). Returns 0, SV_ERR_RANGE, or SV_ERR_INVALID
 * (struct_size too small).
 */
SV_API int sv_player_get_representation(sv_player *player, sv_track_type type, int index,
                                        int rep, sv_representation_info *info);

#ifdef __cplusplus
}
#endif

#include "preload.h" /* sv_player_preload (API 2.6) */
#include "session.h" /* sv_player_load_title: backend sessions */
#include "thumbnail.h" /* sv_player_get_thumbnail: seek thumbnails */
#include "captions.h" /* sv_player_get_caption_track: closed caption tracks (API 2.7) */
#include "stats.h" /* sv_player_get_stats: the quality-of-experience counters */
#endif /* STREAMVERSE_PLAYER_H */
