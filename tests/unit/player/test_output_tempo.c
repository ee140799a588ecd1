/*
 * test_output_tempo.c - the playback rate of the audio output
 * (sv__aout_set_speed, output_tempo.c), on a virtual clock with a sink
 * pulled by hand every 1024-frame period.
 *
 * A 440 Hz tone played at 1.05 and at 0.95 must still be a 440 Hz tone
 * (the pitch is kept: resampling by the rate would make it 462 or 418 Hz),
 * while the master clock moves 1.05 (0.95) media seconds per second and
 * the sink hears media at that pace: after N seconds of sound the clock
 * stands N x speed further on, within a few milliseconds. A rate change in
 * the middle of playback keeps the clock continuous (no step larger than
 * the speed allows), and the time heard after it matches the samples.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <libavutil/channel_layout.h>
#include <libavutil/frame.h>
#include <libavutil/samplefmt.h>

#include "platform/thread.h"
#include "player/output/output.h"
#include "streamverse/clock.h"

#define RATE 48000
#define PERIOD 1024
#define TONE_HZ 440.0

typedef struct hand_sink {
    sv_audio_pull_fn pull;
    void *pull_opaque;
} hand_sink;

static int hs_open(void *opaque, const sv_audio_format *wanted, sv_audio_format *obtained,
                   sv_audio_pull_fn pull, void *pull_opaque)
{
    hand_sink *s = opaque;
    *obtained = *wanted;
    s->pull = pull;
    s->pull_opaque = pull_opaque;
    return 0;
}

static void hs_pause(void *opaque, int paused)
{
    (void)opaque;
    (void)paused;
}

static void hs_close(void *opaque)
{
    (void)opaque;
}

static void on_changed(void *opaque)
{
    (void)opaque;
}

static void on_error(void *opaque, int code, int fatal, const char *message)
{
    (void)opaque;
    fail_msg("unexpected error %d (fatal %d): %s", code, fatal, message);
}

static void on_event(void *opaque, const sv_event *ev, const char *t0, const char *t1,
                     const char *t2)
{
    (void)opaque;
    (void)ev;
    (void)t0;
    (void)t1;
    (void)t2;
}

typedef struct rig {
    sv_clock *clock;
    sv__status st;
    sv__logger log;
    sv__env env;
    hand_sink hs;
    sv_audio_sink sink;
    sv__aout *a;
    AVFrame *f;
    int64_t pushed;            /* tone samples pushed so far */
} rig;

static void rig_init(rig *r)
{
    memset(r, 0, sizeof(*r));
    assert_int_equal(sv_clock_virtual_create(&r->clock, 1000000000), 0);
    assert_int_equal(sv__mutex_init(&r->st.lock), 0);
    sv__logger_init(&r->log, NULL, NULL, SV_LOG_WARN);
    r->env = (sv__env){ &r->st, r->clock, &r->log, NULL,
                        { r, on_changed, on_error, on_event, NULL }, NULL };
    r->sink = (sv_audio_sink)SV_AUDIO_SINK_INIT;
    r->sink.open = hs_open;
    r->sink.pause = hs_pause;
    r->sink.close = hs_close;
    r->sink.opaque = &r->hs;
    assert_int_equal(sv__aout_create(&r->a, &r->env, &r->sink), 0);
    sv__aout_set_active(r->a, 1);
    sv__aout_set_playing(r->a, 1);
    r->f = av_frame_alloc();
    assert_non_null(r->f);
    r->f->format = AV_SAMPLE_FMT_FLT;
    r->f->sample_rate = RATE;
    av_channel_layout_default(&r->f->ch_layout, 1);
    r->f->nb_samples = PERIOD;
    assert_int_equal(av_frame_get_buffer(r->f, 0), 0);
}

static void rig_free(rig *r)
{
    av_frame_free(&r->f);
    sv__aout_destroy(r->a);
    sv__mutex_destroy(&r->st.lock);
    sv_clock_destroy(r->clock);
}

static double now_s(const rig *r)
{
    return (double)r->clock->now_ns(r->clock->opaque) / 1e9;
}

/* Pushes the next PERIOD samples of the tone while the FIFO holds < 0.5 s. */
static void feed(rig *r)
{
    while (sv__aout_buffered_s(r->a) < 0.5) {
        assert_int_equal(av_frame_make_writable(r->f), 0);
        float *s = (float *)r->f->data[0];
        for (int i = 0; i < PERIOD; i++)
            s[i] = (float)(0.5 * sin(2 * M_PI * TONE_HZ * (double)(r->pushed + i) / RATE));
        assert_int_equal(sv__aout_push(r->a, r->f, 0, (double)r->pushed / RATE), 0);
        r->pushed += PERIOD;
    }
}

/* What `seconds` of playing heard: the tone's frequency (rising zero
 * crossings over the time they span), the clock's advance, and its largest
 * step between two pulls. */
typedef struct heard {
    double freq_hz, clock_from, clock_to, max_step;
} heard;

static void play(rig *r, double seconds, heard *h)
{
    float buf[PERIOD];
    double first = -1, last = -1;
    long crossings = 0, sample = 0;
    float prev = 0;
    double prev_clock = NAN;

    memset(h, 0, sizeof(*h));
    h->clock_from = NAN;
    for (int k = 0; k < (int)(seconds * RATE / PERIOD); k++) {
        feed(r);
        int n = r->hs.pull(r->hs.pull_opaque, buf, PERIOD, (int64_t)(1e6 * PERIOD / RATE));
        assert_int_equal(n, PERIOD);
        for (int i = 0; i < n; i++, sample++) {
            /* The start of a pull's window (atempo's first output ramps
             * up) is left out of the count by starting after 0.1 s. */
            if (sample > RATE / 10 && prev < 0 && buf[i] >= 0) {
                /* Linear interpolation of the crossing between samples. */
                double x = (double)sample - 1 + (double)(-prev) / (double)(buf[i] - prev);
                if (first < 0)
                    first = x;
                else
                    crossings++;
                last = x;
            }
            prev = buf[i];
        }
        sv_clock_virtual_advance(r->clock, (int64_t)(1e9 * PERIOD / RATE));
        double c = sv__aout_clock(r->a);
        assert_false(isnan(c));
        if (isnan(h->clock_from))
            h->clock_from = c;
        if (!isnan(prev_clock) && c - prev_clock > h->max_step)
            h->max_step = c - prev_clock;
        prev_clock = c;
        h->clock_to = c;
    }
    assert_true(crossings > 100);
    h->freq_hz = (double)crossings / ((last - first) / RATE);
}

static void check_speed(double speed)
{
    rig r;
    heard h;
    rig_init(&r);
    sv__aout_set_speed(r.a, speed);
    double t0 = now_s(&r);
    play(&r, 4.0, &h);
    double wall = now_s(&r) - t0;
    double moved = h.clock_to - h.clock_from;
    double want = (wall - (double)PERIOD / RATE) * speed;
    print_message("speed %.2f: tone %.2f Hz, clock %.4f -> %.4f s (%.4f s in %.4f s of sound, "
                  "wanted %.4f), largest step %.5f s\n",
                  speed, h.freq_hz, h.clock_from, h.clock_to, moved, wall, want, h.max_step);
    /* The samples heard are the media at that pace: what was pushed is
     * what the clock passed, what the FIFO holds (at `speed` media seconds
     * per second) and what atempo keeps inside (under 0.1 s). */
    double held = (double)r.pushed / RATE - h.clock_to - sv__aout_buffered_s(r.a) * speed;
    print_message("pushed %.4f s of media; inside the filter %.4f s\n", (double)r.pushed / RATE,
                  held);
    assert_true(held > -0.03 && held < 0.1);
    assert_true(fabs(h.freq_hz - TONE_HZ) < 2.0);
    assert_true(fabs(moved - want) < 0.005);
    assert_true(fabs(sv__aout_speed(r.a) - speed) < 1e-9);
    rig_free(&r);
}

static void test_faster_keeps_pitch(void **state)
{
    (void)state;
    check_speed(1.05);
}

static void test_slower_keeps_pitch(void **state)
{
    (void)state;
    check_speed(0.95);
}

/* 1.0 for 1 s, then 1.04 for 3 s: the clock moves at 1 then at 1.04,
 * without a jump at the change, and the tone stays at 440 Hz. */
static void test_change_mid_play(void **state)
{
    (void)state;
    rig r;
    heard a, b;
    rig_init(&r);
    play(&r, 1.0, &a);
    sv__aout_set_speed(r.a, 1.04);
    play(&r, 3.0, &b);
    double step = (double)PERIOD / RATE;
    print_message("1.00: %.2f Hz, clock %.4f -> %.4f; 1.04: %.2f Hz, clock %.4f -> %.4f, "
                  "largest step %.5f s (a period is %.5f s)\n",
                  a.freq_hz, a.clock_from, a.clock_to, b.freq_hz, b.clock_from, b.clock_to,
                  b.max_step, step);
    assert_true(fabs(a.freq_hz - TONE_HZ) < 2.0);
    assert_true(fabs(b.freq_hz - TONE_HZ) < 2.0);
    assert_true(fabs((a.clock_to - a.clock_from) - (1.0 - 2 * step)) < 0.025);
    assert_true(b.clock_from - a.clock_to > 0 && b.clock_from - a.clock_to < step * 1.05 + 1e-3);
    assert_true(b.max_step < step * 1.05 + 1e-3);
    /* Half a second after the change the FIFO's 1.0 samples are heard:
     * from then on the clock moves at 1.04. */
    double rest = b.clock_to - b.clock_from;
    assert_true(rest > (3.0 - step) * 1.04 - 0.05 && rest < (3.0 - step) * 1.04 + 0.005);
    rig_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_faster_keeps_pitch),
        cmocka_unit_test(test_slower_keeps_pitch),
        cmocka_unit_test(test_change_mid_play),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
