/*
 * streamverse/sdl2.h - the SDL2 video and audio sinks (desktop and TV), and
 * the bitmap font they draw text with.
 *
 * These are ordinary sv_video_sink / sv_audio_sink implementations
 * (streamverse/sinks.h) built on SDL2; svplay uses them, and a host that
 * already runs SDL2 can use them too. This header does not include SDL's own
 * headers: a host that wants to look at the window calls SDL itself with the
 * window ID from sv_sdl2_video_window_id().
 *
 * Library: everything declared here lives in libstreamverse-sdl2, not in
 * libstreamverse, so a device with its own outputs never links SDL2. Link
 * both with `pkg-config --cflags --libs streamverse-sdl2` (it requires
 * streamverse and sdl2); the two libraries share their version and SOVERSION.
 *
 * SDL and threads: SDL wants its windows and renderers driven from the
 * thread that created them, which on most platforms must be the main thread.
 * So the SDL2 video sink is for a player created with settings.host_renders
 * set: the host creates the sink on its main thread and calls
 * sv_player_render() there, which is where the player calls the sink's
 * configure, present and flush. Every sv_sdl2_video_* function below runs on
 * that same thread unless its comment says otherwise. The audio sink has no
 * such rule: SDL calls its pull function on SDL's own audio thread.
 */
#ifndef STREAMVERSE_SDL2_H
#define STREAMVERSE_SDL2_H

#include "common.h"
#include "player.h" /* sv_cue_style */
#include "sinks.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * SV_SDL2_API marks a symbol exported from libstreamverse-sdl2, as SV_API
 * does for libstreamverse. On Windows, define SV_STATIC when linking the
 * static libraries.
 */
#if defined(_WIN32) && !defined(SV_STATIC)
#  if defined(SV_BUILDING_SDL2)
#    define SV_SDL2_API __declspec(dllexport)
#  else
#    define SV_SDL2_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__) || defined(__clang__)
#  define SV_SDL2_API __attribute__((visibility("default")))
#else
#  define SV_SDL2_API
#endif

/* ---- video ------------------------------------------------------------ */

/* Settings of the SDL2 video sink; fill with sv_sdl2_video_default_settings(). */
typedef struct sv_sdl2_video_settings {
    size_t struct_size;
    /* Window title (UTF-8). Copied. NULL: "Streamverse". */
    const char *title;
    /* Initial client-area size in pixels (default 640x360). Unless
     * keep_window_size is set, the window is resized to the first frame's
     * display size (shrunk to fit the screen) when the first frame arrives. */
    int width, height;
    int keep_window_size;
    /* Initial position; -1 lets the window system choose (default -1). */
    int x, y;
    /* Start in desktop fullscreen (default 0). */
    int fullscreen;
    /* Create the window hidden and show it at the first frame (default 0:
     * shown at once, black until then). */
    int hidden_until_first_frame;
    /* Wait for the display's vertical blank in present (default 0: the
     * player already paces frames and a vsync wait may exceed a frame). */
    int vsync;
    /* 0 (default): a hardware-accelerated renderer when there is one,
     * otherwise SDL's software renderer. 1: always the software renderer. */
    int software;
    /* New fields are appended here (common.h, "Growable structs"). */
} sv_sdl2_video_settings;

/* Fills *s with the defaults documented on each field (a macro passing
 * sizeof(*s), as sv_player_default_settings()). */
#define sv_sdl2_video_default_settings(s) \
    sv_sdl2_video_default_settings_sized((s), sizeof(*(s)))
SV_SDL2_API void sv_sdl2_video_default_settings_sized(sv_sdl2_video_settings *s,
                                                      size_t struct_size);

/*
 * Creates a video sink that shows frames in an SDL2 window: aspect-correct
 * (sample aspect ratio honoured), scaled to the window with black bars, in a
 * streaming YUV texture. Its `formats` list is YUV420P then NV12; the player
 * converts other decoder formats to YUV420P. BT.601 or BT.709 conversion is
 * picked from the picture height as SDL does (SDL_YUV_CONVERSION_AUTOMATIC).
 *
 * Initialises SDL's video subsystem (reference-counted by SDL) and opens the
 * window and renderer now. `settings` may be NULL for the defaults and is
 * read during the call only (the fields its struct_size holds).
 *
 * On success returns 0 and stores a sink owned by the caller, released with
 * sink->destroy(sink) after the player using it was destroyed (this closes
 * the window). Fails with SV_ERR_INVALID, SV_ERR_NOMEM, or SV_ERR_IO when
 * SDL cannot open a window or renderer (no display); *out is then untouched.
 * Thread: the main thread, which must also be the render thread.
 */
SV_SDL2_API int sv_sdl2_video_sink_create(sv_video_sink **out,
                                          const sv_sdl2_video_settings *settings);

/*
 * Returns the SDL window ID (SDL_GetWindowID) of an SDL2 video sink, so the
 * host can match SDL window events and reach the window with
 * SDL_GetWindowFromID(). Returns 0 if sink is not an SDL2 video sink.
 */
SV_SDL2_API uint32_t sv_sdl2_video_window_id(const sv_video_sink *sink);

/*
 * Sets the text of the on-screen panel (drawn top-left over the picture,
 * light text on a translucent dark box, with a built-in bitmap font covering
 * printable ASCII; other bytes show as '?'; '\n' starts a new line). NULL or
 * "" removes the panel. The text is copied. It appears at the next present
 * or sv_sdl2_video_redraw(). Returns 0, SV_ERR_INVALID (not an SDL2 video
 * sink) or SV_ERR_NOMEM.
 * Thread: any thread (the text is handed over under a lock).
 */
SV_SDL2_API int sv_sdl2_video_set_overlay(sv_video_sink *sink, const char *text);

/*
 * Sets the subtitle text, drawn centred near the bottom of the picture in
 * the same font, larger; NULL or "" clears it. Same rules as
 * sv_sdl2_video_set_overlay().
 */
SV_SDL2_API int sv_sdl2_video_set_subtitle(sv_video_sink *sink, const char *text);

/*
 * (API 2.4) Sets the subtitle text with where and how to draw it (a cue's
 * style, player.h; copied): inside its region of the picture (not of the
 * window), placed by display_align and text_align, in its colours, at its
 * font size (the bitmap font scaled by whole steps). Fields left unset keep
 * the defaults of sv_sdl2_video_set_subtitle(); a NULL style is that call.
 * Same rules as sv_sdl2_video_set_overlay().
 */
SV_SDL2_API int sv_sdl2_video_set_subtitle_styled(sv_video_sink *sink, const char *text,
                                                  const sv_cue_style *style);

/*
 * Redraws the window from the last frame presented, with the current panel
 * and subtitle: for window resize/expose events and for panel updates while
 * paused (when no new frame arrives). Draws black when no frame has been
 * shown yet. Returns 0, SV_ERR_INVALID, or SV_ERR_IO when SDL failed.
 */
SV_SDL2_API int sv_sdl2_video_redraw(sv_video_sink *sink);

/*
 * Switches desktop fullscreen on (1) or off (0), or toggles it (-1), and
 * redraws. Returns the new state (0 or 1), SV_ERR_INVALID, or SV_ERR_IO.
 */
SV_SDL2_API int sv_sdl2_video_set_fullscreen(sv_video_sink *sink, int on);

/*
 * (API 2.6) A host's drawing over the picture, such as a seek bar. The
 * callback runs on the render thread inside every present and
 * sv_sdl2_video_redraw() (and the redraw of a fullscreen switch), after the
 * picture, the subtitle and the panel were drawn and before the frame is
 * shown. `renderer` is the window's SDL_Renderer (an `SDL_Renderer *`; this
 * header does not include SDL's), (out_w, out_h) its output size in pixels
 * and picture[4] the picture's rectangle in it (x, y, w, h; all 0 before the
 * first frame). The callback draws with SDL's render calls and textures of
 * its own; it must not present, nor call the sink or the player: a host
 * prepares what it draws (a player property, a thumbnail) before it calls
 * sv_player_render() and only draws it here.
 */
typedef void (*sv_sdl2_draw_fn)(void *opaque, void *renderer, int out_w, int out_h,
                                const int picture[4]);

/*
 * (API 2.6) Sets the callback above (NULL removes it); `opaque` is passed to
 * it as given. Returns 0, or SV_ERR_INVALID when sink is not an SDL2 video
 * sink. Thread: the render thread only.
 */
SV_SDL2_API int sv_sdl2_video_set_draw_callback(sv_video_sink *sink, sv_sdl2_draw_fn fn,
                                                void *opaque);

/*
 * Counts of what the video sink did, for tests and statistics. `frames` is
 * presents that reached the screen; `redraws` counts sv_sdl2_video_redraw();
 * `configures` counts format changes. Thread: any.
 */
typedef struct sv_sdl2_video_stats {
    size_t struct_size;          /* SV_SDL2_VIDEO_STATS_INIT */
    uint64_t frames;
    uint64_t redraws;
    uint64_t configures;
    int width, height;           /* current picture size (0 before the first configure) */
    sv_pixel_format format;      /* current texture format */
} sv_sdl2_video_stats;

#define SV_SDL2_VIDEO_STATS_INIT SV_STRUCT_INIT(sv_sdl2_video_stats)

/* Copies the counters (the fields stats->struct_size holds). Returns 0 or
 * SV_ERR_INVALID (not an SDL2 video sink, struct_size too small).
 * Thread: any. */
SV_SDL2_API int sv_sdl2_video_get_stats(const sv_video_sink *sink, sv_sdl2_video_stats *stats);

/* ---- audio ------------------------------------------------------------ */

/* Settings of the SDL2 audio sink; fill with sv_sdl2_audio_default_settings(). */
typedef struct sv_sdl2_audio_settings {
    size_t struct_size;
    /* Device name as SDL lists it (SDL_GetAudioDeviceName); NULL for the
     * default device. Copied. */
    const char *device;
    /* Frames per device callback, a power of two (default 1024). Smaller is
     * lower latency and more wakeups. */
    int period_frames;
    /* New fields are appended here (common.h, "Growable structs"). */
} sv_sdl2_audio_settings;

/* Fills *s with the defaults documented on each field (a macro passing
 * sizeof(*s), as sv_player_default_settings()). */
#define sv_sdl2_audio_default_settings(s) \
    sv_sdl2_audio_default_settings_sized((s), sizeof(*(s)))
SV_SDL2_API void sv_sdl2_audio_default_settings_sized(sv_sdl2_audio_settings *s,
                                                      size_t struct_size);

/*
 * Creates an audio sink on an SDL2 audio device. open() asks SDL for the
 * wanted rate and channel count (SDL may change either, reported through
 * `obtained`) in the wanted sample format, S16 or F32 (never changed). The
 * device callback runs on SDL's audio thread, calls the player's pull
 * function for the whole period and plays silence for whatever the pull did
 * not supply. The delay it reports is two device periods: SDL does not
 * expose the true device latency, and like ffplay we assume one period
 * playing and one queued ahead of the one being filled.
 *
 * Initialises SDL's audio subsystem (reference-counted by SDL); the driver
 * follows SDL's own rules (environment SDL_AUDIODRIVER). `settings` may be
 * NULL for the defaults and is read during the call only. On success
 * returns 0 and stores a sink owned by the caller (release with
 * sink->destroy(sink) after the player using it was destroyed). Fails with
 * SV_ERR_INVALID, SV_ERR_NOMEM or SV_ERR_IO (no audio subsystem).
 * Thread: any; open/pause/close follow streamverse/sinks.h.
 */
SV_SDL2_API int sv_sdl2_audio_sink_create(sv_audio_sink **out,
                                          const sv_sdl2_audio_settings *settings);

/* What the SDL2 audio sink has played since it was created. */
typedef struct sv_sdl2_audio_stats {
    size_t struct_size;       /* SV_SDL2_AUDIO_STATS_INIT */
    uint64_t callbacks;       /* device callbacks run */
    uint64_t frames;          /* frames the player supplied */
    uint64_t silence_frames;  /* frames played as silence (underruns) */
    int64_t last_delay_us;    /* delay reported at the last pull, or -1 */
    sv_audio_format format;   /* obtained format (zero while closed) */
    int period_frames;        /* obtained device period (0 while closed) */
} sv_sdl2_audio_stats;

#define SV_SDL2_AUDIO_STATS_INIT SV_STRUCT_INIT(sv_sdl2_audio_stats)

/* Copies the counters (the fields stats->struct_size holds). Returns 0 or
 * SV_ERR_INVALID (not an SDL2 audio sink, struct_size too small).
 * Thread: any. */
SV_SDL2_API int sv_sdl2_audio_get_stats(const sv_audio_sink *sink, sv_sdl2_audio_stats *stats);

/* ---- text ------------------------------------------------------------- */

/*
 * The built-in bitmap font of the panel and subtitles, for hosts that draw
 * screens of their own in the same letters (svplay's catalog): printable
 * ASCII in 5x7 glyphs, each in a cell of SV_SDL2_TEXT_CELL_W x
 * SV_SDL2_TEXT_CELL_H pixels (one column and two rows of spacing); other
 * bytes show as '?', and '\n' starts a new line. These work on the caller's
 * memory only: no SDL, no allocation, no state. Thread: any.
 */
#define SV_SDL2_TEXT_CELL_W 6
#define SV_SDL2_TEXT_CELL_H 9

/*
 * Stores the length of the longest line of `text` (in cells) in *cols and
 * the number of lines in *lines; a trailing '\n' adds no line, and NULL or
 * "" gives 0 and 0. Either pointer may be NULL.
 */
SV_SDL2_API void sv_sdl2_text_measure(const char *text, int *cols, int *lines);

/*
 * Draws `text` with the top-left corner of its first cell at (x, y) into a
 * w x h picture of 32-bit pixels with `pitch` pixels per row: `color` (in
 * the picture's own pixel format) where a glyph pixel is lit, every other
 * pixel left as it was. Whatever falls outside the picture is clipped, so x
 * and y may be negative. `text` NULL draws nothing. Returns the number of
 * pixels written, or SV_ERR_INVALID when pixels is NULL, w or h is negative
 * or pitch is smaller than w.
 */
SV_SDL2_API int sv_sdl2_text_draw(uint32_t *pixels, int pitch, int w, int h, int x, int y,
                                  const char *text, uint32_t color);

#ifdef __cplusplus
}
#endif

#endif /* STREAMVERSE_SDL2_H */
