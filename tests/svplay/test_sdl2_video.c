/*
 * The SDL2 video sink on a real X server (Xvfb, started by run_xvfb.sh):
 * colour bars synthesised in YUV are presented through the public sink API,
 * the screen is grabbed with ffmpeg's x11grab, and the grab must show the
 * bars at the places aspect-correct scaling puts them, black bars around
 * them, and the text panel when one is set. The PNG grabs stay in the
 * build folder as artifacts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <SDL.h>

#include <streamverse/sdl2.h>

#define WIN_W 640
#define WIN_H 360
#define PIC_W 320   /* 4:3, so a 16:9 window shows it pillarboxed */
#define PIC_H 240
#define NB_BARS 8

/* 100% colour bars: white, yellow, cyan, green, magenta, red, blue, black. */
static const uint8_t bar_rgb[NB_BARS][3] = {
    {255, 255, 255}, {255, 255, 0}, {0, 255, 255}, {0, 255, 0},
    {255, 0, 255},   {255, 0, 0},   {0, 0, 255},   {0, 0, 0}};

typedef struct picture {
    uint8_t y[PIC_W * PIC_H];
    uint8_t u[PIC_W / 2 * PIC_H / 2];
    uint8_t v[PIC_W / 2 * PIC_H / 2];
    uint8_t uv[PIC_W * PIC_H / 2];
} picture;

static sv_video_sink *sink;
static picture pic;

/* BT.601 limited range, which SDL's automatic mode uses below 577 lines. */
static void rgb_to_yuv(const uint8_t rgb[3], uint8_t *y, uint8_t *u, uint8_t *v)
{
    double r = rgb[0] / 255.0, g = rgb[1] / 255.0, b = rgb[2] / 255.0;
    *y = (uint8_t)(16 + 65.481 * r + 128.553 * g + 24.966 * b + 0.5);
    *u = (uint8_t)(128 - 37.797 * r - 74.203 * g + 112.0 * b + 0.5);
    *v = (uint8_t)(128 + 112.0 * r - 93.786 * g - 18.214 * b + 0.5);
}

static void make_bars(void)
{
    for (int row = 0; row < PIC_H; row++) {
        for (int x = 0; x < PIC_W; x++) {
            uint8_t y, u, v;
            rgb_to_yuv(bar_rgb[x * NB_BARS / PIC_W], &y, &u, &v);
            pic.y[row * PIC_W + x] = y;
            if (!(row & 1) && !(x & 1)) {
                int c = (row / 2) * (PIC_W / 2) + x / 2;
                pic.u[c] = u;
                pic.v[c] = v;
                pic.uv[(row / 2) * PIC_W + x] = u;
                pic.uv[(row / 2) * PIC_W + x + 1] = v;
            }
        }
    }
}

static void fill_frame(sv_video_frame *f, sv_pixel_format fmt)
{
    memset(f, 0, sizeof(*f));
    f->format = fmt;
    f->format_name = fmt == SV_PIX_FMT_NV12 ? "nv12" : "yuv420p";
    f->width = PIC_W;
    f->height = PIC_H;
    f->sar_num = f->sar_den = 1;
    f->tb_num = 1;
    f->tb_den = 25;
    f->planes[0] = (sv_video_plane){pic.y, PIC_W, PIC_W, PIC_H};
    if (fmt == SV_PIX_FMT_NV12) {
        f->nb_planes = 2;
        f->planes[1] = (sv_video_plane){pic.uv, PIC_W, PIC_W, PIC_H / 2};
    } else {
        f->nb_planes = 3;
        f->planes[1] = (sv_video_plane){pic.u, PIC_W / 2, PIC_W / 2, PIC_H / 2};
        f->planes[2] = (sv_video_plane){pic.v, PIC_W / 2, PIC_W / 2, PIC_H / 2};
    }
}

/* Lets the X server catch up: handles pending events for `ms`. */
static void settle(int ms)
{
    uint32_t end = SDL_GetTicks() + (uint32_t)ms;
    SDL_Event e;
    while (!SDL_TICKS_PASSED(SDL_GetTicks(), end)) {
        while (SDL_PollEvent(&e)) {
        }
        SDL_Delay(10);
    }
}

/* Grabs the window's area of the screen into name.png and returns its
 * pixels as RGB24 (caller frees). */
static uint8_t *grab(const char *name, int *w, int *h)
{
    SDL_Window *win = SDL_GetWindowFromID(sv_sdl2_video_window_id(sink));
    char cmd[1024], raw[256];
    int x = 0, y = 0;
    const char *display = getenv("DISPLAY");

    assert_non_null(win);
    assert_non_null(display);
    SDL_GetWindowPosition(win, &x, &y);
    SDL_GetWindowSize(win, w, h);
    snprintf(cmd, sizeof(cmd),
             "ffmpeg -nostdin -v error -y -f x11grab -draw_mouse 0 -video_size %dx%d "
             "-i '%s+%d,%d' -frames:v 1 %s.png && "
             "ffmpeg -nostdin -v error -y -i %s.png -f rawvideo -pix_fmt rgb24 %s.rgb",
             *w, *h, display, x, y, name, name, name);
    assert_int_equal(system(cmd), 0);
    snprintf(raw, sizeof(raw), "%s.rgb", name);
    FILE *f = fopen(raw, "rb");
    assert_non_null(f);
    size_t size = (size_t)*w * (size_t)*h * 3;
    uint8_t *px = malloc(size);
    assert_non_null(px);
    assert_int_equal(fread(px, 1, size, f), size);
    fclose(f);
    return px;
}

static void assert_colour(const uint8_t *px, int w, int x, int y, const uint8_t want[3],
                          const char *what)
{
    const uint8_t *p = px + ((size_t)y * (size_t)w + (size_t)x) * 3;
    for (int c = 0; c < 3; c++) {
        if (abs(p[c] - want[c]) > 24)
            fail_msg("%s at (%d,%d): got %d,%d,%d, want %d,%d,%d", what, x, y, p[0], p[1],
                     p[2], want[0], want[1], want[2]);
    }
}

/* Checks bars across the rectangle (rx, ry, rw, rh) and black outside it. */
static void check_bars(const uint8_t *px, int w, int h, int rx, int ry, int rw, int rh)
{
    static const uint8_t black[3] = {0, 0, 0};
    int mid_y = ry + rh / 2;

    for (int i = 0; i < NB_BARS; i++) {
        int cx = rx + rw * (2 * i + 1) / (2 * NB_BARS);
        assert_colour(px, w, cx, mid_y, bar_rgb[i], "bar");
    }
    if (rx > 4) {
        assert_colour(px, w, rx / 2, h / 2, black, "left bar");
        assert_colour(px, w, rx + rw + (w - rx - rw) / 2, h / 2, black, "right bar");
    }
    if (ry > 4) {
        assert_colour(px, w, w / 2, ry / 2, black, "top bar");
        assert_colour(px, w, w / 2, ry + rh + (h - ry - rh) / 2, black, "bottom bar");
    }
}

static int setup(void **state)
{
    sv_sdl2_video_settings s;

    (void)state;
    make_bars();
    sv_sdl2_video_default_settings(&s);
    s.title = "test_sdl2_video";
    s.width = WIN_W;
    s.height = WIN_H;
    s.x = 0;
    s.y = 0;
    s.keep_window_size = 1; /* the test wants the 16:9 window around a 4:3 picture */
    if (sv_sdl2_video_sink_create(&sink, &s) < 0) {
        fprintf(stderr, "cannot open an SDL window: %s\n", SDL_GetError());
        return -1;
    }
    settle(300);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (sink)
        sink->destroy(sink);
    SDL_Quit();
    return 0;
}

static void test_formats_listed(void **state)
{
    (void)state;
    assert_non_null(sink->formats);
    assert_int_equal(sink->formats[0], SV_PIX_FMT_YUV420P);
    assert_int_equal(sink->formats[1], SV_PIX_FMT_NV12);
    assert_int_equal(sink->formats[2], SV_PIX_FMT_NONE);
    sv_video_frame f;
    fill_frame(&f, SV_PIX_FMT_YUV420P);
    f.format = SV_PIX_FMT_RGBA;
    assert_int_equal(sink->configure(sink->opaque, &f), SV_ERR_UNSUPPORTED);
}

static void present_and_check(sv_pixel_format fmt, const char *name)
{
    sv_video_frame f;
    sv_sdl2_video_stats st = SV_SDL2_VIDEO_STATS_INIT;
    int w, h;

    fill_frame(&f, fmt);
    assert_int_equal(sink->configure(sink->opaque, &f), 0);
    assert_int_equal(sink->present(sink->opaque, &f), 0);
    settle(200);
    sv_sdl2_video_redraw(sink); /* the window may have been exposed meanwhile */
    settle(100);
    assert_int_equal(sv_sdl2_video_get_stats(sink, &st), 0);
    assert_int_equal(st.width, PIC_W);
    assert_int_equal(st.format, fmt);
    uint8_t *px = grab(name, &w, &h);
    assert_int_equal(w, WIN_W);
    assert_int_equal(h, WIN_H);
    /* 4:3 in 640x360: 480x360 centred, 80-pixel black pillars. */
    check_bars(px, w, h, 80, 0, 480, 360);
    free(px);
}

static void test_yuv420p_bars_pillarboxed(void **state)
{
    (void)state;
    present_and_check(SV_PIX_FMT_YUV420P, "sdl2_bars_yuv420p");
}

static void test_nv12_bars_pillarboxed(void **state)
{
    (void)state;
    present_and_check(SV_PIX_FMT_NV12, "sdl2_bars_nv12");
}

static int count_white(const uint8_t *px, int w, int x0, int y0, int x1, int y1)
{
    int n = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            const uint8_t *p = px + ((size_t)y * (size_t)w + (size_t)x) * 3;
            n += p[0] > 200 && p[1] > 200 && p[2] > 200;
        }
    return n;
}

static void test_overlay_panel(void **state)
{
    int w, h;

    (void)state;
    /* The panel sits at (16,16) at 2x for a 360-line window, over the
     * black pillar: white pixels there can only be text. */
    uint8_t *before = grab("sdl2_no_overlay", &w, &h);
    assert_int_equal(count_white(before, w, 0, 0, 80, 60), 0);
    free(before);
    assert_int_equal(sv_sdl2_video_set_overlay(sink, "SVPLAY 0123\nbuffer 9.5 s"), 0);
    assert_int_equal(sv_sdl2_video_redraw(sink), 0);
    settle(100);
    uint8_t *after = grab("sdl2_overlay", &w, &h);
    int lit = count_white(after, w, 0, 0, 80, 60);
    free(after);
    assert_true(lit > 100);
    /* Removing it brings the black back. */
    assert_int_equal(sv_sdl2_video_set_overlay(sink, NULL), 0);
    assert_int_equal(sv_sdl2_video_redraw(sink), 0);
    settle(100);
    uint8_t *cleared = grab("sdl2_overlay_cleared", &w, &h);
    assert_int_equal(count_white(cleared, w, 0, 0, 80, 60), 0);
    free(cleared);
}

/* The draw callback's record of its last call, and the square it draws. */
static struct {
    int calls, ow, oh, pic[4];
} drawn;

static void draw_square(void *opaque, void *renderer, int ow, int oh, const int rect[4])
{
    SDL_Rect r = {rect[0] + 10, rect[1] + 10, 40, 30};

    assert_ptr_equal(opaque, &drawn);
    drawn.calls++;
    drawn.ow = ow;
    drawn.oh = oh;
    memcpy(drawn.pic, rect, sizeof(drawn.pic));
    SDL_SetRenderDrawColor(renderer, 0, 255, 0, 255);
    SDL_RenderFillRect(renderer, &r);
}

/* (API 2.6) The host's drawing lands over the picture at every redraw, with
 * the output size and the picture's rectangle, and goes when removed. */
static void test_draw_callback(void **state)
{
    static const uint8_t green[3] = {0, 255, 0};
    int w, h;

    (void)state;
    assert_int_equal(sv_sdl2_video_set_draw_callback(NULL, draw_square, &drawn),
                     SV_ERR_INVALID);
    assert_int_equal(sv_sdl2_video_set_draw_callback(sink, draw_square, &drawn), 0);
    assert_int_equal(sv_sdl2_video_redraw(sink), 0);
    settle(100);
    assert_int_equal(drawn.calls, 1);
    uint8_t *px = grab("sdl2_draw_callback", &w, &h);
    assert_int_equal(drawn.ow, w);
    assert_int_equal(drawn.oh, h);
    /* 4:3 bars pillarboxed in the 640x360 window: 480x360 at x 80. */
    assert_int_equal(drawn.pic[0], 80);
    assert_int_equal(drawn.pic[1], 0);
    assert_int_equal(drawn.pic[2], 480);
    assert_int_equal(drawn.pic[3], 360);
    assert_colour(px, w, 80 + 30, 10 + 15, green, "the callback's square");
    assert_colour(px, w, 80 + 30, 10 + 60, bar_rgb[0], "the first bar under it");
    free(px);
    assert_int_equal(sv_sdl2_video_set_draw_callback(sink, NULL, NULL), 0);
    assert_int_equal(sv_sdl2_video_redraw(sink), 0);
    settle(100);
    px = grab("sdl2_draw_callback_removed", &w, &h);
    assert_int_equal(drawn.calls, 1);
    assert_colour(px, w, 80 + 30, 10 + 15, bar_rgb[0], "the bar where the square was");
    free(px);
}

static void test_resize_letterboxes(void **state)
{
    SDL_Window *win = SDL_GetWindowFromID(sv_sdl2_video_window_id(sink));
    int w = 0, h = 0;

    (void)state;
    SDL_SetWindowSize(win, 400, 400);
    for (int i = 0; i < 50; i++) {
        settle(20);
        SDL_GetWindowSize(win, &w, &h);
        if (w == 400 && h == 400)
            break;
    }
    assert_int_equal(w, 400);
    assert_int_equal(sv_sdl2_video_redraw(sink), 0);
    settle(150);
    uint8_t *px = grab("sdl2_bars_letterboxed", &w, &h);
    /* 4:3 in 400x400: 400x300 centred, 50-line black bars. */
    check_bars(px, w, h, 0, 50, 400, 300);
    free(px);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_formats_listed),
        cmocka_unit_test(test_yuv420p_bars_pillarboxed),
        cmocka_unit_test(test_nv12_bars_pillarboxed),
        cmocka_unit_test(test_overlay_panel),
        cmocka_unit_test(test_draw_callback),
        cmocka_unit_test(test_resize_letterboxes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
