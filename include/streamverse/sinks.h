/*
 * streamverse/sinks.h - video and audio outputs.
 *
 * The player never draws or plays sound itself: it hands decoded pictures to
 * an sv_video_sink and lets an sv_audio_sink pull PCM samples. A device maker
 * implements these two interfaces for their display and audio hardware;
 * Streamverse ships SDL2 sinks (desktop, in svplay) and the null sinks declared
 * at the end of this header (headless runs and tests: they hash every frame
 * and count audio samples).
 *
 * Timing model: audio is the master clock. The audio sink pulls samples when
 * its device needs them and reports how long until they are heard; the player
 * presents each video frame when the audio clock reaches its timestamp and
 * drops frames that are already late.
 */
#ifndef STREAMVERSE_SINKS_H
#define STREAMVERSE_SINKS_H

#include "clock.h"
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- video ----------------------------------------------------------- */

/*
 * Pixel formats a sink may ask for. SV_PIX_FMT_OTHER marks a decoder format
 * without a value here; its planes still describe every byte, and
 * format_name carries FFmpeg's name for it.
 */
typedef enum sv_pixel_format {
    SV_PIX_FMT_NONE = 0,
    SV_PIX_FMT_YUV420P,   /* planar Y, U, V; chroma halved both ways; 8 bit */
    SV_PIX_FMT_NV12,      /* Y plane, then interleaved UV; 8 bit */
    SV_PIX_FMT_YUV420P10, /* as YUV420P with 16-bit little-endian samples, 10 bits used */
    SV_PIX_FMT_YUV422P,
    SV_PIX_FMT_YUV444P,
    SV_PIX_FMT_RGBA,      /* packed R, G, B, A bytes */
    SV_PIX_FMT_OTHER
} sv_pixel_format;

/* One plane of a picture. */
typedef struct sv_video_plane {
    const uint8_t *data; /* first byte of the first row */
    int stride;          /* bytes from the start of one row to the next (>= width_bytes) */
    int width_bytes;     /* bytes of picture data in one row */
    int rows;            /* number of rows */
} sv_video_plane;

/*
 * A decoded picture. The struct and every plane are owned by the player and
 * valid only for the duration of the sink call that received them: a sink
 * that needs the pixels later copies them.
 */
typedef struct sv_video_frame {
    sv_pixel_format format;
    const char *format_name; /* e.g. "yuv420p"; static string */
    int width, height;       /* picture size in pixels */
    int sar_num, sar_den;    /* sample aspect ratio; 0:0 or 1:1 means square pixels */
    int full_range;          /* 1 for full-range (JPEG) levels, 0 for limited (TV) */
    int nb_planes;
    sv_video_plane planes[4];
    int64_t pts_us;          /* presentation time on the presentation timeline, microseconds */
    int64_t duration_us;     /* 0 if unknown */
    int64_t pts;             /* the decoder's own timestamp, in units of tb_num/tb_den */
    int tb_num, tb_den;
    uint64_t frame_number;   /* count of frames decoded since load, from 0 */
    int64_t bitrate_bps;     /* declared bandwidth of the representation it came from */
} sv_video_frame;

/*
 * A video output, implemented by the host (or one of the built-in sinks).
 *
 * Thread: configure, present and flush are called on the render thread. That
 * is the player's own output thread, or, when the player was created with
 * host_renders set, the thread on which the host calls sv_player_render()
 * (SDL requires its main thread). Calls never overlap. destroy is called by
 * whoever owns the sink, after the player using it is destroyed.
 */
typedef struct sv_video_sink {
    /* sizeof(sv_video_sink): start from SV_VIDEO_SINK_INIT. The player copies
     * the members at sv_player_create(); members it does not find in a
     * smaller struct count as NULL. */
    size_t struct_size;
    /* Pixel formats the sink can show, ending with SV_PIX_FMT_NONE, most
     * preferred first; the player converts decoded pictures to the first one
     * it can. NULL means the sink takes any format as decoded (a hashing sink
     * does: it reads the planes generically). */
    const sv_pixel_format *formats;
    /* Called before the first frame and whenever size or format change.
     * `frame` describes the new format (its pixels need not be shown).
     * Returns 0, or a negative code to refuse: the player reports an error. */
    int (*configure)(void *opaque, const sv_video_frame *frame);
    /* Shows a frame now. Returns 0 or a negative code (the player logs it and
     * goes on). Must not block for longer than one frame period. */
    int (*present)(void *opaque, const sv_video_frame *frame);
    /* Drops whatever the sink holds (after a seek). May be NULL. */
    void (*flush)(void *opaque);
    /* Releases the sink and `opaque`. May be NULL for a sink owned elsewhere. */
    void (*destroy)(struct sv_video_sink *sink);
    void *opaque;
} sv_video_sink;

#define SV_VIDEO_SINK_INIT SV_STRUCT_INIT(sv_video_sink)

/* ---- audio ----------------------------------------------------------- */

typedef enum sv_sample_format {
    SV_SAMPLE_FMT_NONE = 0,
    SV_SAMPLE_FMT_S16,   /* interleaved signed 16-bit, native endian */
    SV_SAMPLE_FMT_F32    /* interleaved 32-bit float in [-1, 1] */
} sv_sample_format;

/* An audio format. A small value type, frozen: it never grows (a richer
 * format would be a new type), so it has no struct_size. */
typedef struct sv_audio_format {
    int sample_rate;       /* frames per second, e.g. 48000 */
    int channels;          /* 1 = mono, 2 = stereo, ... (FFmpeg default layouts) */
    sv_sample_format format;
} sv_audio_format;

/*
 * Supplied by the player when it opens an audio sink. Fills `buf` with up to
 * `frames` frames in the format the sink obtained and returns how many it
 * wrote (0..frames); the sink plays silence for the rest, which the player
 * counts as an underrun. `delay_us` is how long from now until the first of
 * these frames is heard (the device's buffered latency): the player derives
 * its master clock from it.
 *
 * Thread: called on the sink's own thread (its audio callback); never blocks
 * on I/O, returns within a small fraction of the period.
 */
typedef int (*sv_audio_pull_fn)(void *pull_opaque, void *buf, int frames, int64_t delay_us);

/*
 * An audio output, implemented by the host (or a built-in sink).
 *
 * Thread: open, pause and close are called on the player's decode/output
 * thread and never overlap each other; the pull function is called from the
 * sink's own thread between open and close only. close must not return while
 * a pull call is still running.
 */
typedef struct sv_audio_sink {
    /* sizeof(sv_audio_sink): start from SV_AUDIO_SINK_INIT. Copied by the
     * player as for sv_video_sink. */
    size_t struct_size;
    /* Opens the device for `wanted`; writes the format actually obtained to
     * `obtained` (the player resamples to it). Starts paused. Returns 0 or a
     * negative code. */
    int (*open)(void *opaque, const sv_audio_format *wanted, sv_audio_format *obtained,
                sv_audio_pull_fn pull, void *pull_opaque);
    /* Pauses (1) or resumes (0) pulling. */
    void (*pause)(void *opaque, int paused);
    /* Stops pulling and closes the device; open may be called again later. */
    void (*close)(void *opaque);
    /* Releases the sink and `opaque`. May be NULL for a sink owned elsewhere. */
    void (*destroy)(struct sv_audio_sink *sink);
    void *opaque;
} sv_audio_sink;

#define SV_AUDIO_SINK_INIT SV_STRUCT_INIT(sv_audio_sink)

/* ---- null sinks: headless output with frame hashes --------------------- */

/*
 * Called by the null video sink for every frame it receives, on the render
 * thread, with the MD5 of the frame's pixels (every plane's rows, width_bytes
 * each, in plane order: the same bytes ffmpeg's framemd5 muxer hashes for the
 * same pixel format), or NULL when hashing is off.
 */
typedef void (*sv_frame_hash_fn)(void *opaque, const sv_video_frame *frame,
                                 const uint8_t md5[16]);

/* What the null video sink recorded for one frame. Initialise with
 * SV_NULL_FRAME_RECORD_INIT. */
typedef struct sv_null_frame_record {
    size_t struct_size;
    int64_t pts;          /* decoder timestamp (tb_num/tb_den of the frame) */
    int64_t pts_us;
    int width, height;
    size_t size;          /* bytes hashed */
    uint8_t md5[16];
} sv_null_frame_record;

#define SV_NULL_FRAME_RECORD_INIT SV_STRUCT_INIT(sv_null_frame_record)

/*
 * Creates a video sink that shows nothing, takes any pixel format as decoded,
 * and hashes each frame: `on_frame` (may be NULL) is called per frame, and when
 * keep_records is non-zero every frame's record is kept for
 * sv_null_video_sink_record(). On success returns 0 and stores a sink owned by
 * the caller (release with sink->destroy(sink)). Fails with SV_ERR_NOMEM.
 */
SV_API int sv_null_video_sink_create(sv_video_sink **out, sv_frame_hash_fn on_frame,
                                     void *opaque, int keep_records);

/*
 * Turns hashing on (the default) or off. Off, frames are only counted: the
 * records' md5 stay zero and on_frame gets md5 == NULL. Benchmarks use it so
 * the sink costs nothing beside the decoder. Call it before the first frame.
 * Returns 0, or SV_ERR_INVALID if sink is not a null video sink.
 */
SV_API int sv_null_video_sink_set_hashing(sv_video_sink *sink, int enabled);

/* Returns the number of frames the null video sink has received. Thread-safe. */
SV_API uint64_t sv_null_video_sink_frames(const sv_video_sink *sink);

/*
 * Copies the record of frame `index` (0-based, in presentation order) into
 * *rec (the fields its struct_size holds). Returns 0, SV_ERR_RANGE if no such
 * frame was recorded, or SV_ERR_INVALID if sink is not a null video sink or
 * rec->struct_size is too small. Thread-safe.
 */
SV_API int sv_null_video_sink_record(const sv_video_sink *sink, uint64_t index,
                                     sv_null_frame_record *rec);

/* Settings of the null audio sink; fill with sv_null_audio_default_settings(). */
typedef struct sv_null_audio_settings {
    size_t struct_size;
    /* Clock that paces the pulls (borrowed; it must outlive the sink); NULL
     * for a monotonic clock the sink makes itself. */
    const sv_clock *clock;
    /* Non-zero: pull one period every period of clock time, like a sound card;
     * each pull's delay_us is the time until its period plays on that
     * schedule (shorter when the sink's thread woke late). Zero: pull as fast
     * as the player supplies (benchmarks), delay_us 0. */
    int realtime;
    /* Frames per pull (default 1024). */
    int period_frames;
    /* Format obtained regardless of the one wanted (0 fields = take wanted). */
    sv_audio_format force_format;
} sv_null_audio_settings;

/* Fills *s with the defaults: own monotonic clock, realtime, 1024-frame
 * periods (a macro passing sizeof(*s), as sv_player_default_settings()). */
#define sv_null_audio_default_settings(s) \
    sv_null_audio_default_settings_sized((s), sizeof(*(s)))
SV_API void sv_null_audio_default_settings_sized(sv_null_audio_settings *s, size_t struct_size);

/* What the null audio sink has consumed. Initialise with
 * SV_NULL_AUDIO_STATS_INIT. */
typedef struct sv_null_audio_stats {
    size_t struct_size;
    uint64_t frames;          /* frames supplied by the player */
    uint64_t silence_frames;  /* frames the player could not supply (underruns) */
    uint64_t pulls;           /* pull calls made */
    uint8_t md5[16];          /* MD5 of every supplied sample byte, in order */
} sv_null_audio_stats;

#define SV_NULL_AUDIO_STATS_INIT SV_STRUCT_INIT(sv_null_audio_stats)

/*
 * Creates an audio sink that plays nothing: its own thread pulls samples,
 * counts them and hashes them. `settings` may be NULL for the defaults and is
 * copied. On success returns 0 and stores a sink owned by the caller (release
 * with sink->destroy(sink)). Fails with SV_ERR_INVALID or SV_ERR_NOMEM.
 */
SV_API int sv_null_audio_sink_create(sv_audio_sink **out, const sv_null_audio_settings *settings);

/*
 * Copies the sink's counters into *stats (the fields its struct_size holds).
 * The MD5 covers the samples pulled so far. Returns 0, or SV_ERR_INVALID if
 * sink is not a null audio sink or stats->struct_size is too small.
 * Thread-safe.
 */
SV_API int sv_null_audio_sink_stats(const sv_audio_sink *sink, sv_null_audio_stats *stats);

#ifdef __cplusplus
}
#endif

#endif /* STREAMVERSE_SINKS_H */
