/*
 * svplay's seek bar: the position/duration bar at the bottom of the window
 * (what is buffered shown too) and scrubbing with the thumbnail of the
 * scrub time above the bar (sv_player_get_thumbnail).
 *
 * Parts:
 * - seekbar.c: the model, pure (no SDL, no player): keys and mouse move the
 *   scrub point, and the layout of the bar, marker, thumbnail and labels for
 *   a window size. Testable on its own.
 * - seekbar_ui.c: the glue in the SDL window: reads the player's position,
 *   duration and buffer, fetches thumbnails, turns SDL events into model
 *   inputs, draws through the video sink's draw callback (API 2.6) and
 *   writes --ui-log lines.
 * Everything runs on the main (SDL, render) thread.
 */
#ifndef SVPLAY_SEEKBAR_H
#define SVPLAY_SEEKBAR_H

#include <stdint.h>
#include <stdio.h>

#include <streamverse/player.h>
#include <streamverse/sinks.h>

/* Scrub steps of the keyboard: left/right and down/up. */
#define SVP_SCRUB_STEP_S 5.0
#define SVP_SCRUB_BIG_STEP_S 60.0
/* How long the bar stays after a seek key or the mouse left it. */
#define SVP_SEEKBAR_LINGER_NS 2000000000LL

/* Colours (ARGB) the tests look for on screen. */
#define SVP_BAR_TRACK_RGB 0x505050u
#define SVP_BAR_BUFFERED_RGB 0x9a9a9au
#define SVP_BAR_PLAYED_RGB 0xe02828u
#define SVP_BAR_MARKER_RGB 0xffffffu

typedef enum svp_scrub_mode {
    SVP_SCRUB_NONE,
    SVP_SCRUB_KEYS,             /* Enter opened it: arrows move, Enter seeks, Esc cancels */
    SVP_SCRUB_HOVER,            /* the mouse is over the bar, no button held */
    SVP_SCRUB_DRAG              /* the left button is held on the bar; release seeks */
} svp_scrub_mode;

typedef enum svp_scrub_key {
    SVP_SCRUB_ENTER,
    SVP_SCRUB_LEFT,
    SVP_SCRUB_RIGHT,
    SVP_SCRUB_UP,
    SVP_SCRUB_DOWN,
    SVP_SCRUB_HOME,
    SVP_SCRUB_END,
    SVP_SCRUB_CANCEL            /* Esc, Backspace */
} svp_scrub_key;

typedef enum svp_scrub_result {
    SVP_SCRUB_IGNORED,          /* not for the bar: the window handles it */
    SVP_SCRUB_TAKEN,            /* the scrub point or mode changed */
    SVP_SCRUB_SEEK              /* seek to the scrub point (*seek_s) */
} svp_scrub_result;

/* Where things go in a window of out_w x out_h pixels: {x, y, w, h}. */
typedef struct svp_seekbar_layout {
    int text_scale;             /* the bitmap font's scale */
    int panel[4];               /* translucent box behind the bar and labels */
    int bar[4];                 /* the track; played and buffered fill it from the left */
    int played_x;               /* end of the played part (the position) */
    int buffered_x;             /* end of the buffered part */
    int marker_x;               /* the scrub point (-1: not scrubbing) */
    int hot_y;                  /* the mouse at or below this row is over the bar */
    int thumb[4];               /* the thumbnail, above the marker (w 0: none) */
    int thumb_scale;            /* thumbnail pixels per cell pixel */
    int label[2];               /* top-left of the scrub time, under the thumbnail */
    int time[2];                /* top-left of "position / duration", under the bar */
} svp_seekbar_layout;

typedef struct svp_seekbar_model {
    svp_scrub_mode mode;
    double scrub_s;             /* the scrub point while mode != NONE */
    double position_s, duration_s, buffer_s; /* the player's, set by the caller */
} svp_seekbar_model;

/*
 * The layout for a window of out_w x out_h, the model's times, and a
 * thumbnail of thumb_w x thumb_h pixels (0 x 0: none to show). Pure.
 */
void svp_seekbar_layout_for(const svp_seekbar_model *m, int out_w, int out_h, int thumb_w,
                            int thumb_h, svp_seekbar_layout *l);
/* The time under window column x on a bar laid out as l (clamped). */
double svp_seekbar_time_at(const svp_seekbar_model *m, const svp_seekbar_layout *l, int x);

/* A key (keyboard scrubbing); on SVP_SCRUB_SEEK *seek_s is the target. */
svp_scrub_result svp_seekbar_key(svp_seekbar_model *m, svp_scrub_key key, double *seek_s);
/*
 * The mouse at window point (x, y): motion (button 0), a left button press
 * (1) or its release (-1). Over the bar (y >= l->hot_y) it scrubs; a press
 * there starts a drag, whose release anywhere seeks (*seek_s).
 */
svp_scrub_result svp_seekbar_mouse(svp_seekbar_model *m, const svp_seekbar_layout *l, int x,
                                   int y, int button, double *seek_s);

/* ---- the window glue (seekbar_ui.c) ---- */

typedef struct svp_seekbar svp_seekbar;

/* Creates the bar for the window of `vsink` (an SDL2 video sink) and sets
 * itself as the sink's draw callback. `ui_log` (borrowed, may be NULL) gets
 * a JSON line whenever what is drawn changes. 0, SV_ERR_NOMEM or SV_ERR_IO. */
int svp_seekbar_create(svp_seekbar **out, sv_player *player, sv_video_sink *vsink,
                       FILE *ui_log);
/* Removes the draw callback and frees. Accepts NULL. */
void svp_seekbar_destroy(svp_seekbar *sb);
/* Offers one SDL event (a `const SDL_Event *`); 1 when the bar took it. */
int svp_seekbar_event(svp_seekbar *sb, const void *sdl_event);
/* Shows the bar for a while (after a seek key). */
void svp_seekbar_show(svp_seekbar *sb);
/* Hides it and ends any scrub (a title stopped). */
void svp_seekbar_reset(svp_seekbar *sb);
/* Once per loop turn, before sv_player_render(): reads the player, fetches
 * the thumbnail, lays out; redraws the window itself when no frame will
 * (paused) and something changed. */
void svp_seekbar_tick(svp_seekbar *sb, sv_player_state state);

#endif
