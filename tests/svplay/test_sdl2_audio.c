/*
 * The SDL2 audio sink on SDL's "disk" driver, which plays into a file at
 * the device's pace: the pull function is called from SDL's audio thread
 * with the delay the sink reports, and the file must hold exactly the
 * samples the pull supplied followed by silence for the underruns.
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

#define RATE 48000
#define PERIOD 1024
#define SUPPLIED_PULLS 5   /* pulls that get samples; later ones underrun */
#define OUT_FILE "sdl2_audio_disk.raw"

typedef struct puller {
    SDL_atomic_t pulls;
    SDL_atomic_t bad_delay;
    int64_t delay_us;
    int16_t next;           /* running sample counter: the pattern */
} puller;

static int pull(void *opaque, void *buf, int frames, int64_t delay_us)
{
    puller *p = opaque;
    int n = SDL_AtomicAdd(&p->pulls, 1);

    p->delay_us = delay_us;
    if (delay_us <= 0 || delay_us > 1000000)
        SDL_AtomicSet(&p->bad_delay, 1);
    if (n >= SUPPLIED_PULLS)
        return 0;
    int16_t *s = buf;
    for (int i = 0; i < frames * 2; i++)
        s[i] = p->next++;
    return frames;
}

static void wait_pulls(puller *p, int n)
{
    for (int i = 0; i < 500 && SDL_AtomicGet(&p->pulls) < n; i++)
        SDL_Delay(10);
}

static void test_pull_and_file(void **state)
{
    sv_audio_sink *sink = NULL;
    sv_audio_format want = {RATE, 2, SV_SAMPLE_FMT_S16}, got;
    sv_sdl2_audio_stats st = SV_SDL2_AUDIO_STATS_INIT;
    puller p;

    (void)state;
    memset(&p, 0, sizeof(p));
    p.next = 1; /* never 0, so the pattern stands out from silence */
    assert_int_equal(sv_sdl2_audio_sink_create(&sink, NULL), 0);
    assert_int_equal(sink->open(sink->opaque, &want, &got, pull, &p), 0);
    assert_int_equal(got.sample_rate, RATE);
    assert_int_equal(got.channels, 2);
    assert_int_equal(got.format, SV_SAMPLE_FMT_S16);
    /* Opened paused: nothing is pulled until resumed. */
    SDL_Delay(100);
    assert_int_equal(SDL_AtomicGet(&p.pulls), 0);
    sink->pause(sink->opaque, 0);
    wait_pulls(&p, SUPPLIED_PULLS + 3);
    sink->pause(sink->opaque, 1);
    assert_true(SDL_AtomicGet(&p.pulls) >= SUPPLIED_PULLS + 3);
    assert_int_equal(SDL_AtomicGet(&p.bad_delay), 0);
    /* Two periods of the obtained device buffer. */
    assert_int_equal(sv_sdl2_audio_get_stats(sink, &st), 0);
    assert_int_equal(st.period_frames, PERIOD);
    assert_int_equal(p.delay_us, (int64_t)2 * st.period_frames * 1000000 / RATE);
    assert_int_equal(st.last_delay_us, p.delay_us);
    assert_int_equal(st.frames, (uint64_t)SUPPLIED_PULLS * (uint64_t)st.period_frames);
    assert_int_equal(st.callbacks, (uint64_t)SDL_AtomicGet(&p.pulls));
    assert_int_equal(st.silence_frames,
                     (st.callbacks - SUPPLIED_PULLS) * (uint64_t)st.period_frames);
    /* Paused: no more pulls. */
    int before = SDL_AtomicGet(&p.pulls);
    SDL_Delay(100);
    assert_int_equal(SDL_AtomicGet(&p.pulls), before);
    sink->close(sink->opaque);
    assert_int_equal(sv_sdl2_audio_get_stats(sink, &st), 0);
    assert_int_equal(st.format.sample_rate, 0);

    /* The file: silence while the device sat paused (SDL plays silence
     * then), the pattern for the supplied periods, then silence again. */
    FILE *f = fopen(OUT_FILE, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long bytes = ftell(f);
    fseek(f, 0, SEEK_SET);
    assert_true(bytes > 0);
    size_t total = (size_t)bytes / sizeof(int16_t);
    int16_t *data = malloc((size_t)bytes);
    assert_non_null(data);
    assert_int_equal(fread(data, sizeof(*data), total, f), total);
    fclose(f);
    size_t start = 0;
    while (start < total && data[start] == 0)
        start++;
    assert_int_equal(start % (PERIOD * 2), 0); /* whole silent periods */
    size_t supplied = (size_t)SUPPLIED_PULLS * PERIOD * 2;
    assert_true(total >= start + supplied + PERIOD * 2);
    for (size_t i = 0; i < supplied; i++)
        if (data[start + i] != (int16_t)(i + 1))
            fail_msg("sample %zu is %d, want %d", i, data[start + i], (int16_t)(i + 1));
    for (size_t i = start + supplied; i < total; i++)
        assert_int_equal(data[i], 0);
    free(data);
    sink->destroy(sink);
}

static int pull_silence(void *opaque, void *buf, int frames, int64_t delay_us)
{
    (void)delay_us;
    SDL_AtomicAdd(opaque, 1);
    memset(buf, 0, (size_t)frames * 8);
    return frames;
}

static void test_float_reopen_and_errors(void **state)
{
    sv_audio_sink *sink = NULL;
    sv_sdl2_audio_settings set;
    sv_audio_format want = {44100, 2, SV_SAMPLE_FMT_F32}, got;
    SDL_atomic_t pulls;

    (void)state;
    sv_sdl2_audio_default_settings(&set);
    set.period_frames = 1000; /* not a power of two */
    assert_int_equal(sv_sdl2_audio_sink_create(&sink, &set), SV_ERR_INVALID);
    set.period_frames = 512;
    assert_int_equal(sv_sdl2_audio_sink_create(&sink, &set), 0);
    sv_audio_format bad = {44100, 2, SV_SAMPLE_FMT_NONE};
    assert_int_equal(sink->open(sink->opaque, &bad, &got, pull_silence, &pulls),
                     SV_ERR_UNSUPPORTED);
    for (int round = 0; round < 2; round++) {
        SDL_AtomicSet(&pulls, 0);
        assert_int_equal(sink->open(sink->opaque, &want, &got, pull_silence, &pulls), 0);
        assert_int_equal(got.format, SV_SAMPLE_FMT_F32);
        assert_int_equal(got.sample_rate, 44100);
        sink->pause(sink->opaque, 0);
        for (int i = 0; i < 300 && SDL_AtomicGet(&pulls) < 3; i++)
            SDL_Delay(10);
        assert_true(SDL_AtomicGet(&pulls) >= 3);
        sink->close(sink->opaque);
    }
    sv_sdl2_audio_stats st = SV_SDL2_AUDIO_STATS_INIT;
    assert_int_equal(sv_sdl2_audio_get_stats(sink, &st), 0);
    assert_true(st.callbacks >= 6);
    assert_int_equal(st.silence_frames, 0);
    /* Not an SDL2 audio sink. */
    sv_audio_sink other;
    memset(&other, 0, sizeof(other));
    assert_int_equal(sv_sdl2_audio_get_stats(&other, &st), SV_ERR_INVALID);
    sink->destroy(sink);
}

int main(void)
{
    /* The disk driver writes what it plays to a file; no sound hardware. */
    setenv("SDL_AUDIODRIVER", "disk", 1);
    setenv("SDL_DISKAUDIOFILE", OUT_FILE, 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pull_and_file),
        cmocka_unit_test(test_float_reopen_and_errors),
    };
    int ret = cmocka_run_group_tests(tests, NULL, NULL);
    SDL_Quit();
    return ret;
}
