/*
 * Null sinks: the video sink's MD5 covers exactly the visible bytes of each
 * plane (strides ignored), as ffmpeg's framemd5 does; the audio sink pulls
 * one period per period of clock time, counts underruns as silence, hashes
 * what it got, tells each pull when its samples play on its schedule (a late
 * pull gets a shorter delay), and closes even while asleep on a virtual clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/evp.h>

#include "platform/thread.h"
#include "streamverse/sinks.h"

static void md5_of(const uint8_t *data, size_t size, uint8_t out[16])
{
    unsigned len = 16;
    assert_true(EVP_Digest(data, size, out, &len, EVP_md5(), NULL));
}

typedef struct hash_seen { int calls, null_md5; uint8_t md5[16]; } hash_seen;

static void on_frame(void *opaque, const sv_video_frame *f, const uint8_t md5[16])
{
    hash_seen *h = opaque;
    (void)f;
    h->calls++;
    if (md5)
        memcpy(h->md5, md5, 16);
    else
        h->null_md5++;
}

/* A 4x2 yuv420p picture stored with 8-byte strides full of junk padding. */
static void make_frame(sv_video_frame *f, uint8_t store[3][16], uint8_t packed[12])
{
    memset(f, 0, sizeof(*f));
    memset(store, 0xEE, 3 * 16);
    uint8_t v = 1;
    size_t k = 0;
    for (int y = 0; y < 2; y++)
        for (int x = 0; x < 4; x++)
            packed[k++] = store[0][y * 8 + x] = v++;
    for (int p = 1; p < 3; p++)
        for (int x = 0; x < 2; x++)
            packed[k++] = store[p][x] = v++;
    f->format = SV_PIX_FMT_YUV420P;
    f->format_name = "yuv420p";
    f->width = 4;
    f->height = 2;
    f->nb_planes = 3;
    f->planes[0] = (sv_video_plane){ store[0], 8, 4, 2 };
    f->planes[1] = (sv_video_plane){ store[1], 8, 2, 1 };
    f->planes[2] = (sv_video_plane){ store[2], 8, 2, 1 };
    f->pts = 3003;
    f->pts_us = 100100;
}

static void video_hash_ignores_padding(void **state)
{
    sv_video_sink *sink = NULL;
    hash_seen seen = { 0 };
    sv_video_frame f;
    uint8_t store[3][16], packed[12], expect[16];
    sv_null_frame_record rec = SV_NULL_FRAME_RECORD_INIT;
    (void)state;

    assert_int_equal(sv_null_video_sink_create(&sink, on_frame, &seen, 1), 0);
    assert_null(sink->formats); /* takes any format as decoded */
    make_frame(&f, store, packed);
    md5_of(packed, sizeof(packed), expect);

    assert_int_equal(sink->configure(sink->opaque, &f), 0);
    assert_int_equal(sink->present(sink->opaque, &f), 0);
    store[0][5] = 0x11; /* padding changes must not change the hash */
    assert_int_equal(sink->present(sink->opaque, &f), 0);

    assert_int_equal(seen.calls, 2);
    assert_memory_equal(seen.md5, expect, 16);
    assert_int_equal(sv_null_video_sink_frames(sink), 2);
    assert_int_equal(sv_null_video_sink_record(sink, 1, &rec), 0);
    assert_memory_equal(rec.md5, expect, 16);
    assert_int_equal(rec.size, 12);
    assert_int_equal(rec.pts, 3003);
    assert_int_equal(sv_null_video_sink_record(sink, 2, &rec), SV_ERR_RANGE);

    /* A visible byte does change it. */
    store[0][0] ^= 0xFF;
    assert_int_equal(sink->present(sink->opaque, &f), 0);
    assert_memory_not_equal(seen.md5, expect, 16);

    /* Inconsistent frames are refused, not hashed. */
    f.planes[0].stride = 2;
    assert_int_equal(sink->present(sink->opaque, &f), SV_ERR_INVALID);
    f.nb_planes = 0;
    assert_int_equal(sink->configure(sink->opaque, &f), SV_ERR_INVALID);
    assert_int_equal(sv_null_video_sink_frames(sink), 3);
    sink->destroy(sink);
}

/* With hashing off the sink only counts: no MD5 reaches the callback or
 * the records, and a non-null sink is refused. */
static void video_counting_only(void **state)
{
    sv_video_sink *sink = NULL;
    hash_seen seen = { 0 };
    sv_video_frame f;
    uint8_t store[3][16], packed[12], zero[16] = { 0 };
    sv_null_frame_record rec = SV_NULL_FRAME_RECORD_INIT;
    sv_video_sink other = { 0 };
    (void)state;

    assert_int_equal(sv_null_video_sink_create(&sink, on_frame, &seen, 1), 0);
    assert_int_equal(sv_null_video_sink_set_hashing(sink, 0), 0);
    assert_int_equal(sv_null_video_sink_set_hashing(&other, 0), SV_ERR_INVALID);
    assert_int_equal(sv_null_video_sink_set_hashing(NULL, 0), SV_ERR_INVALID);
    make_frame(&f, store, packed);
    assert_int_equal(sink->present(sink->opaque, &f), 0);
    assert_int_equal(sink->present(sink->opaque, &f), 0);
    assert_int_equal(seen.calls, 2);
    assert_int_equal(seen.null_md5, 2);
    assert_int_equal(sv_null_video_sink_frames(sink), 2);
    assert_int_equal(sv_null_video_sink_record(sink, 1, &rec), 0);
    assert_memory_equal(rec.md5, zero, 16);
    assert_int_equal(rec.pts, 3003);
    sink->destroy(sink);
}

/* ---- audio ---- */

typedef struct source {
    sv__mutex lock;
    int16_t next;        /* next sample value */
    int short_by;        /* frames to withhold from each pull */
    int64_t remaining;   /* frames left to supply; -1 = endless */
    int64_t last_delay_us; /* the delay the last pull was given */
    EVP_MD_CTX *md;      /* hash of what was supplied */
} source;

static int pull(void *opaque, void *buf, int frames, int64_t delay_us)
{
    source *s = opaque;
    int16_t *out = buf;
    sv__mutex_lock(&s->lock);
    s->last_delay_us = delay_us;
    int n = frames - s->short_by;
    if (s->remaining >= 0 && n > s->remaining)
        n = (int)s->remaining;
    for (int i = 0; i < n * 2; i++)
        out[i] = s->next++;
    if (s->remaining >= 0)
        s->remaining -= n;
    EVP_DigestUpdate(s->md, buf, (size_t)n * 4);
    sv__mutex_unlock(&s->lock);
    return n;
}

static void wait_pulls(const sv_audio_sink *sink, uint64_t pulls)
{
    sv_null_audio_stats st = SV_NULL_AUDIO_STATS_INIT;
    int64_t give_up = sv__monotonic_ns() + 5000000000LL;
    do {
        assert_int_equal(sv_null_audio_sink_stats(sink, &st), 0);
        if (st.pulls >= pulls)
            break;
        sv__sleep_ns(200000);
    } while (sv__monotonic_ns() < give_up);
    assert_int_equal(st.pulls, pulls);
}

static void audio_paces_by_virtual_clock(void **state)
{
    sv_clock *clock = NULL;
    sv_audio_sink *sink = NULL;
    sv_null_audio_settings set;
    sv_audio_format want = { 48000, 2, SV_SAMPLE_FMT_S16 }, got;
    sv_null_audio_stats st = SV_NULL_AUDIO_STATS_INIT;
    source src = { .remaining = -1 };
    uint8_t expect[16];
    unsigned len;
    (void)state;

    assert_int_equal(sv__mutex_init(&src.lock), 0);
    src.md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(src.md, EVP_md5(), NULL);
    assert_int_equal(sv_clock_virtual_create(&clock, 0), 0);
    sv_null_audio_default_settings(&set);
    set.clock = clock;
    set.period_frames = 480; /* 10 ms at 48 kHz */
    assert_int_equal(sv_null_audio_sink_create(&sink, &set), 0);
    assert_int_equal(sink->open(sink->opaque, &want, &got, pull, &src), 0);
    assert_int_equal(got.sample_rate, 48000);

    /* Opened paused: nothing is pulled until resumed. */
    assert_int_equal(sv_null_audio_sink_stats(sink, &st), 0);
    assert_int_equal(st.pulls, 0);
    sink->pause(sink->opaque, 0);
    wait_pulls(sink, 1);
    for (int k = 1; k <= 9; k++) {
        sv_clock_virtual_advance(clock, 10000000);
        wait_pulls(sink, (uint64_t)k + 1);
    }
    assert_int_equal(sv_null_audio_sink_stats(sink, &st), 0);
    assert_int_equal(st.frames, 10 * 480);
    assert_int_equal(st.silence_frames, 0);

    /* An underrun: the player supplies 100 frames short per period. */
    sv__mutex_lock(&src.lock);
    src.short_by = 100;
    sv__mutex_unlock(&src.lock);
    sv_clock_virtual_advance(clock, 10000000);
    wait_pulls(sink, 11);
    sv_clock_virtual_advance(clock, 10000000);
    wait_pulls(sink, 12);
    assert_int_equal(sv_null_audio_sink_stats(sink, &st), 0);
    assert_int_equal(st.frames, 10 * 480 + 2 * 380);
    assert_int_equal(st.silence_frames, 200);

    /* The sink hashed exactly the bytes the player supplied. */
    sv__mutex_lock(&src.lock);
    EVP_DigestFinal_ex(src.md, expect, &len);
    sv__mutex_unlock(&src.lock);
    assert_memory_equal(st.md5, expect, 16);

    /* Closing while the thread sleeps on a clock nobody advances. */
    sink->close(sink->opaque);
    sink->destroy(sink);
    sv_clock_destroy(clock);
    EVP_MD_CTX_free(src.md);
    sv__mutex_destroy(&src.lock);
}

static int64_t last_delay(source *src)
{
    sv__mutex_lock(&src->lock);
    int64_t d = src->last_delay_us;
    sv__mutex_unlock(&src->lock);
    return d;
}

/* A pull's delay is the time until its samples play on the sink's schedule
 * of one period per period: a pull that wakes late (the clock jumped past
 * its deadline, as a loaded machine wakes a thread late) is told it plays
 * sooner, so the player's clock anchored on it does not jump back. */
static void audio_delay_follows_schedule(void **state)
{
    sv_clock *clock = NULL;
    sv_audio_sink *sink = NULL;
    sv_null_audio_settings set;
    sv_audio_format want = { 48000, 2, SV_SAMPLE_FMT_S16 }, got;
    source src = { .remaining = -1 };
    (void)state;

    assert_int_equal(sv__mutex_init(&src.lock), 0);
    src.md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(src.md, EVP_md5(), NULL);
    assert_int_equal(sv_clock_virtual_create(&clock, 0), 0);
    sv_null_audio_default_settings(&set);
    set.clock = clock;
    set.period_frames = 480; /* 10 ms at 48 kHz */
    assert_int_equal(sv_null_audio_sink_create(&sink, &set), 0);
    assert_int_equal(sink->open(sink->opaque, &want, &got, pull, &src), 0);
    sink->pause(sink->opaque, 0);
    wait_pulls(sink, 1);
    assert_int_equal(last_delay(&src), 10000); /* t = 0: plays after this period */
    sv_clock_virtual_advance(clock, 10000000);
    wait_pulls(sink, 2);
    assert_int_equal(last_delay(&src), 10000); /* t = 10 ms, on time */
    sv_clock_virtual_advance(clock, 13000000);
    wait_pulls(sink, 3);
    assert_int_equal(last_delay(&src), 7000); /* t = 23 ms: 3 ms late for its 20 ms */
    sv_clock_virtual_advance(clock, 7000000);
    wait_pulls(sink, 4);
    assert_int_equal(last_delay(&src), 10000); /* t = 30 ms: back on schedule */

    sink->close(sink->opaque);
    sink->destroy(sink);
    sv_clock_destroy(clock);
    EVP_MD_CTX_free(src.md);
    sv__mutex_destroy(&src.lock);
}

static void audio_benchmark_pace_takes_everything(void **state)
{
    sv_audio_sink *sink = NULL;
    sv_null_audio_settings set;
    sv_audio_format want = { 44100, 2, SV_SAMPLE_FMT_S16 }, got;
    sv_null_audio_stats st = SV_NULL_AUDIO_STATS_INIT;
    source src = { .remaining = 44100 * 3 };
    (void)state;

    assert_int_equal(sv__mutex_init(&src.lock), 0);
    src.md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(src.md, EVP_md5(), NULL);
    sv_null_audio_default_settings(&set);
    set.realtime = 0;
    assert_int_equal(sv_null_audio_sink_create(&sink, &set), 0);
    assert_int_equal(sink->open(sink->opaque, &want, &got, pull, &src), 0);
    sink->pause(sink->opaque, 0);
    int64_t give_up = sv__monotonic_ns() + 10000000000LL;
    do {
        assert_int_equal(sv_null_audio_sink_stats(sink, &st), 0);
        if (st.frames == 44100 * 3)
            break;
        sv__sleep_ns(1000000);
    } while (sv__monotonic_ns() < give_up);
    /* Three seconds of audio, taken without waiting three seconds' worth of
     * periods and without counting the empty pulls as silence. */
    assert_int_equal(st.frames, 44100 * 3);
    assert_int_equal(st.silence_frames, 0);
    sink->destroy(sink); /* destroy closes an open sink */
    EVP_MD_CTX_free(src.md);
    sv__mutex_destroy(&src.lock);
}

static void audio_refuses_bad_formats(void **state)
{
    sv_audio_sink *sink = NULL;
    sv_null_audio_settings set;
    sv_audio_format bad = { 0, 2, SV_SAMPLE_FMT_S16 }, got;
    source src = { .remaining = 0 };
    (void)state;

    sv_null_audio_default_settings(&set);
    set.period_frames = 0;
    assert_int_equal(sv_null_audio_sink_create(&sink, &set), SV_ERR_INVALID);
    assert_int_equal(sv_null_audio_sink_create(&sink, NULL), 0);
    assert_int_equal(sink->open(sink->opaque, &bad, &got, pull, &src), SV_ERR_UNSUPPORTED);
    assert_int_equal(sink->open(sink->opaque, NULL, &got, pull, &src), SV_ERR_INVALID);
    sink->close(sink->opaque); /* closing a sink that never opened is harmless */
    sink->destroy(sink);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(video_hash_ignores_padding),
        cmocka_unit_test(video_counting_only),
        cmocka_unit_test(audio_paces_by_virtual_clock),
        cmocka_unit_test(audio_delay_follows_schedule),
        cmocka_unit_test(audio_benchmark_pace_takes_everything),
        cmocka_unit_test(audio_refuses_bad_formats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
