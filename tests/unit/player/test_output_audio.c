/*
 * test_output_audio.c - the audio output's master clock over a skipped
 * segment's gap (output_audio.c), on a virtual clock with a sink pulled by
 * hand like the null audio sink does in real time: a 1024-frame period
 * every period, each heard one period after it is pulled.
 *
 * The case is muxed MPEG-TS (player_faults' hls-ts-404): the audio before
 * the gap [4, 6) ends at 3.948 s, short of the gap (the rest lay in the
 * skipped segment), and the first audio after it straddles 6.0 s. The clock
 * must run up to 4.0 s (the video frame at 3.967 s comes due), jump once
 * to 6.0 s (the first frame after the gap is on time), never read a time
 * inside the gap (a later pull's anchor lies beyond the jump before the jump
 * is heard), and otherwise move with the time; the hole before the gap is
 * silence. Also when the FIFO ran dry before the audio after the gap came,
 * when that audio starts after the gap, when the audio before it runs right
 * up to it, when the gap cuts the FIFO while a write waits for room in it,
 * and over two adjacent gaps.
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
#define STEP_S 0.0005 /* the clock is read every half millisecond */
#define LEVEL 0.5f    /* the pushed samples' value; silence is 0 */

/* ---- a sink pulled by hand ------------------------------------------------ */

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
    float *s = (float *)r->f->data[0];
    for (int i = 0; i < PERIOD; i++)
        s[i] = LEVEL;
}

static void rig_free(rig *r)
{
    av_frame_free(&r->f);
    sv__aout_destroy(r->a);
    sv__mutex_destroy(&r->st.lock);
    sv_clock_destroy(r->clock);
}

/* Pushes `n` frames of PERIOD samples, the first at `pts`. */
static void push(rig *r, double pts, int n)
{
    for (int i = 0; i < n; i++)
        assert_int_equal(sv__aout_push(r->a, r->f, 0, pts + (double)i * PERIOD / RATE), 0);
}

static double now_s(const rig *r)
{
    return (double)r->clock->now_ns(r->clock->opaque) / 1e9;
}

/* What the clock did while the sink played: the readings' only jump, the
 * last reading before it and the first after, any reading inside the gap,
 * the largest step that was not the time passing, and the samples heard. */
typedef struct played {
    int jumps;
    double before_jump, after_jump;
    int in_gap;
    double worst_step;         /* |reading step - STEP_S| apart from the jump */
    long silence, sound;       /* samples pulled: zeros, LEVEL */
    long silence_before_sound; /* zeros pulled between sound before and after the jump */
} played;

/* Plays until the FIFO is dry (at most `max_s` of clock time): a pull every
 * period, heard a period later, the clock read every STEP_S. */
static void play(rig *r, double gap_from, double gap_to, double max_s, played *p)
{
    float buf[PERIOD];
    double next_pull = now_s(r), prev = NAN;
    long zeros_run = 0;
    int sound_seen = 0;

    memset(p, 0, sizeof(*p));
    for (double t = 0; t < max_s; t += STEP_S) {
        if (now_s(r) >= next_pull - 1e-9) {
            /* Heard a period after the scheduled pull, as the null sink
             * says: the clock stays on schedule when the step is late. */
            double delay = next_pull + (double)PERIOD / RATE - now_s(r);
            int n = r->hs.pull(r->hs.pull_opaque, buf, PERIOD, (int64_t)llround(delay * 1e6));
            for (int i = 0; i < n; i++) {
                if (buf[i] == 0.0f) {
                    p->silence++;
                    zeros_run++;
                } else {
                    assert_true(fabsf(buf[i] - LEVEL) < 1e-6f);
                    if (sound_seen && zeros_run > p->silence_before_sound)
                        p->silence_before_sound = zeros_run;
                    zeros_run = 0;
                    sound_seen = 1;
                    p->sound++;
                }
            }
            if (n == 0 && sv__aout_buffered_s(r->a) == 0 && !isnan(prev))
                break;
            next_pull += (double)PERIOD / RATE;
        }
        double c = sv__aout_clock(r->a);
        if (!isnan(c) && !isnan(prev)) {
            double step = c - prev;
            if (step > 1.0) {
                p->jumps++;
                p->before_jump = prev;
                p->after_jump = c;
            } else if (fabs(step - STEP_S) > p->worst_step) {
                p->worst_step = fabs(step - STEP_S);
            }
        }
        if (!isnan(c) && c > gap_from + 0.001 && c < gap_to - 0.001)
            p->in_gap++;
        if (!isnan(c))
            prev = c;
        sv_clock_virtual_advance(r->clock, (int64_t)(STEP_S * 1e9));
    }
}

/* The clock crossed [from, to) at its ends, once, and moved with the time
 * otherwise, with `silence` samples of silence heard in the hole. */
static void check_crossing(const played *p, double from, double to, long silence, int between)
{
    print_message("jumps %d, last before %.4f s, first after %.4f s, readings in the gap %d, "
                  "worst step error %.6f s, silence %ld samples (%ld between sounds)\n",
                  p->jumps, p->before_jump, p->after_jump, p->in_gap, p->worst_step, p->silence,
                  p->silence_before_sound);
    assert_int_equal(p->jumps, 1);
    assert_int_equal(p->in_gap, 0);
    /* The frame at 3.967 s comes due before the jump, and the one at the
     * gap's end is due at the jump, not a moment after. */
    assert_true(p->before_jump > from - 0.001 && p->before_jump <= from + 1e-6);
    assert_true(p->after_jump >= to - 1e-6 && p->after_jump < to + 0.001);
    assert_true(p->worst_step < 5e-6); /* delay_us rounds to a microsecond */
    assert_int_equal(p->silence, silence);
    if (between) /* the sound before the hole was heard in this play */
        assert_int_equal(p->silence_before_sound, silence);
}

/* 21 periods from 3.5 s end at 3.948 s: 2496 samples short of the gap at 4 s. */
#define PRE_START 3.5
#define PRE_FRAMES 21
#define HOLE_BEFORE ((long)(RATE * 4.0) - (long)(RATE * PRE_START) - PRE_FRAMES * PERIOD)

/* The audio after the gap comes while the audio before it still plays. */
static void test_gap_short_audio(void **state)
{
    rig r;
    played p;

    (void)state;
    rig_init(&r);
    push(&r, PRE_START, PRE_FRAMES);
    sv__aout_gap(r.a, 0, 4.0, 6.0);
    /* As TS gives it: frames from 5.95 s, the third straddling 6.0 s. */
    push(&r, 5.95, 8);
    play(&r, 4.0, 6.0, 2.0, &p);
    check_crossing(&p, 4.0, 6.0, HOLE_BEFORE, 1);
    rig_free(&r);
}

/* The FIFO runs dry before the audio after the gap comes: the clock waits
 * at the audio's end, then goes on through the silence to the gap. */
static void test_gap_after_underrun(void **state)
{
    rig r;
    played p;

    (void)state;
    rig_init(&r);
    push(&r, PRE_START, PRE_FRAMES);
    sv__aout_gap(r.a, 0, 4.0, 6.0);
    play(&r, 4.0, 6.0, 1.0, &p);
    assert_int_equal(p.jumps, 0);
    assert_int_equal(p.in_gap, 0);
    assert_int_equal(p.sound, PRE_FRAMES * PERIOD);
    /* Still on the audio's end, not beyond it. */
    double waiting = sv__aout_clock(r.a);
    assert_true(waiting <= PRE_START + (double)PRE_FRAMES * PERIOD / RATE + 1e-6);
    push(&r, 5.95, 8);
    play(&r, 4.0, 6.0, 1.0, &p);
    check_crossing(&p, 4.0, 6.0, HOLE_BEFORE, 0);
    rig_free(&r);
}

/* The audio after the gap starts 16 ms after it: silence up to it, the
 * clock still lands on the gap's end. */
static void test_gap_late_audio(void **state)
{
    rig r;
    played p;

    (void)state;
    rig_init(&r);
    push(&r, PRE_START, PRE_FRAMES);
    sv__aout_gap(r.a, 0, 4.0, 6.0);
    push(&r, 6.016, 8);
    play(&r, 4.0, 6.0, 2.0, &p);
    check_crossing(&p, 4.0, 6.0, HOLE_BEFORE + 768, 1);
    rig_free(&r);
}

/* The audio runs up to the gap (separate audio, muxed fMP4: the frame that
 * runs into it is cut at 4.0 s), so no silence, and the jump falls inside a
 * period (sample 24000 of 1024-sample pulls): the next pull, whose anchor
 * lies beyond the jump, comes while the time before it is still heard. */
static void test_gap_aligned_audio(void **state)
{
    rig r;
    played p;

    (void)state;
    rig_init(&r);
    sv__aout_gap(r.a, 0, 4.0, 6.0);
    push(&r, PRE_START, 24);
    push(&r, 5.95, 8);
    play(&r, 4.0, 6.0, 2.0, &p);
    check_crossing(&p, 4.0, 6.0, 0, 1);
    assert_int_equal(p.sound, (long)(RATE * (4.0 - PRE_START)) + 8 * PERIOD - 2400);
    rig_free(&r);
}

typedef struct writer {
    rig *r;
    double pts;
    int frames;
} writer;

static void *write_main(void *arg)
{
    writer *w = arg;
    for (int i = 0; i < w->frames; i++)
        if (sv__aout_push(w->r->a, w->r->f, 0, w->pts + (double)i * PERIOD / RATE) < 0)
            break;
    return NULL;
}

/* Separate audio runs ahead of the video: its decode thread waits for room
 * in the full FIFO (1 s from 5.0 s, part of the frame at 5.981 s written)
 * when the video's segment [5.5, 7.5) is skipped. The gap cuts the FIFO at
 * 5.5 s; the rest of the waiting frame lies in the gap and goes with the
 * cut, so the time jumps from exactly 5.5 s and nothing from the gap is
 * heard (138 frames end at 7.944 s: all fits once cut). */
static void test_gap_cuts_waiting_write(void **state)
{
    rig r;
    played p;
    sv__thread t;
    writer w;

    (void)state;
    rig_init(&r);
    w = (writer){ &r, 5.0, 138 };
    assert_int_equal(sv__thread_create(&t, "test-writer", write_main, &w), 0);
    for (int i = 0; i < 500 && sv__aout_buffered_s(r.a) < 1.0; i++)
        sv__sleep_ns(10000000);
    assert_true(sv__aout_buffered_s(r.a) >= 1.0); /* full: the writer waits */
    sv__aout_gap(r.a, 0, 5.5, 7.5);
    sv__thread_join(&t);
    play(&r, 5.5, 7.5, 2.0, &p);
    check_crossing(&p, 5.5, 7.5, 0, 1);
    /* 5.0-5.5 s and 7.5-7.944 s: the frame at 7.496 s starts 192 samples in. */
    assert_int_equal(p.sound, 24000 + (138 - 117) * PERIOD - 192);
    rig_free(&r);
}

/* Two segments skipped in a row: one jump over both. */
static void test_adjacent_gaps(void **state)
{
    rig r;
    played p;

    (void)state;
    rig_init(&r);
    push(&r, PRE_START, PRE_FRAMES);
    sv__aout_gap(r.a, 0, 4.0, 6.0);
    sv__aout_gap(r.a, 0, 6.0, 8.0);
    push(&r, 7.95, 8);
    play(&r, 4.0, 8.0, 2.0, &p);
    check_crossing(&p, 4.0, 8.0, HOLE_BEFORE, 1);
    rig_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gap_short_audio),
        cmocka_unit_test(test_gap_after_underrun),
        cmocka_unit_test(test_gap_late_audio),
        cmocka_unit_test(test_gap_aligned_audio),
        cmocka_unit_test(test_gap_cuts_waiting_write),
        cmocka_unit_test(test_adjacent_gaps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
