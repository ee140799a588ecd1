/*
 * The timed-event store (player/output/timed_events.c) on a virtual clock:
 * events reported at the frame that covers their start, in order of start,
 * once each; copies (same scheme, value and id) dropped; a start inside an
 * event's span reports it with the first frame, events wholly before it
 * never; a seek back arms them again; a malformed message counted once;
 * payloads over 4096 bytes cut and marked; a reset forgets everything.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "player/manifest/scte35.h"
#include "player/output/output.h"

typedef struct rig {
    sv_clock *clock;
    sv__status st;
    sv__logger log;
    sv__env env;
    sv__timed *t;
    char ids[32][16];
    double at[32];
    size_t payload[32];
    int cut[32];
    int n;
} rig;

static void on_timed(void *opaque, sv_timed_event *ev)
{
    rig *r = opaque;
    if (r->n < 32) {
        snprintf(r->ids[r->n], sizeof(r->ids[0]), "%s", ev->id);
        r->at[r->n] = ev->reported_at_s;
        r->payload[r->n] = ev->payload_size;
        r->cut[r->n] = ev->payload_cut;
    }
    r->n++;
    sv__free(NULL, ev);
}

static void rig_init(rig *r)
{
    memset(r, 0, sizeof(*r));
    assert_int_equal(sv_clock_virtual_create(&r->clock, 0), 0);
    assert_int_equal(sv__mutex_init(&r->st.lock), 0);
    sv__logger_init(&r->log, NULL, NULL, SV_LOG_ERROR);
    r->env = (sv__env){ .st = &r->st, .clock = r->clock, .log = &r->log,
                        .notify = { .opaque = r, .timed = on_timed } };
    assert_int_equal(sv__timed_create(&r->t, &r->env), 0);
    r->env.timed = r->t;
}

static void rig_free(rig *r)
{
    sv__timed_destroy(r->t);
    sv__mutex_destroy(&r->st.lock);
    sv_clock_destroy(r->clock);
}

static int add(rig *r, const char *scheme, const char *id, double start, double dur)
{
    sv__timed_desc d = { .source = SV_TIMED_DASH_EVENT_STREAM, .scheme = scheme, .value = "",
                         .id = id, .start_s = start, .duration_s = dur, .attributes = "",
                         .payload = (const uint8_t *)"x", .payload_size = 1 };
    sv__scte35_none(&d.scte35);
    return sv__timed_add(r->t, &d);
}

/* Shows frames of 40 ms from `from` to `to`. */
static void play(rig *r, double from, double to)
{
    for (double p = from; p < to - 1e-9; p += 0.04)
        sv__timed_reached(r->t, p, 0.04);
}

static void order_dedup_frame(void **state)
{
    (void)state;
    rig r;
    rig_init(&r);
    sv__timed_seek(r.t, 0);
    assert_int_equal(add(&r, "urn:a", "2", 1.01, -1), 1);
    assert_int_equal(add(&r, "urn:a", "1", 0.5, 1), 1);
    assert_int_equal(add(&r, "urn:a", "1", 0.5, 1), 0);  /* a copy (other rep, reload) */
    assert_int_equal(add(&r, "urn:b", "1", 0.7, 1), 1);  /* another scheme: its own */
    play(&r, 0, 2);
    assert_int_equal(r.n, 3);
    assert_string_equal(r.ids[0], "1");
    assert_true(fabs(r.at[0] - 0.48) < 1e-9); /* the frame 0.48-0.52 covers 0.5 */
    assert_string_equal(r.ids[2], "2");
    assert_true(fabs(r.at[2] - 1.00) < 1e-9);
    play(&r, 2, 3); /* never twice */
    assert_int_equal(r.n, 3);
    sv__mutex_lock(&r.st.lock);
    assert_int_equal(r.st.stats.timed_events, 3);
    sv__mutex_unlock(&r.st.lock);
    rig_free(&r);
}

static void seeks(void **state)
{
    (void)state;
    rig r;
    rig_init(&r);
    add(&r, "urn:a", "early", 1.0, 0.5);   /* 1.0-1.5 */
    add(&r, "urn:a", "span", 2.0, 3.0);    /* 2.0-5.0 */
    add(&r, "urn:a", "point", 2.5, -1);
    add(&r, "urn:a", "late", 6.0, 1);
    sv__timed_seek(r.t, 3.0);              /* a start at 3 s */
    play(&r, 3.0, 7.0);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.ids[0], "span"); /* its span holds 3.0: with the first frame */
    assert_true(fabs(r.at[0] - 3.0) < 1e-9);
    assert_string_equal(r.ids[1], "late");
    sv__timed_seek(r.t, 0.8);              /* back: all armed again */
    play(&r, 0.8, 7.0);
    assert_int_equal(r.n, 6);
    assert_string_equal(r.ids[2], "early");
    assert_string_equal(r.ids[3], "span");
    assert_string_equal(r.ids[4], "point");
    assert_string_equal(r.ids[5], "late");
    rig_free(&r);
}

static void late_add_and_audio_only(void **state)
{
    (void)state;
    rig r;
    rig_init(&r);
    sv__timed_seek(r.t, 0);
    play(&r, 0, 1.0);
    /* An emsg read after its time passed (a late segment): reported at
     * once, as its span holds the position... */
    add(&r, "urn:a", "late-emsg", 0.9, 0.5);
    sv__timed_reached(r.t, 1.0, 0.04);
    assert_int_equal(r.n, 1);
    /* ...and so is a point event behind the position (it was never reached). */
    add(&r, "urn:a", "behind", 0.2, -1);
    sv__timed_reached(r.t, 1.04, 0.04);
    assert_int_equal(r.n, 2);
    /* Audio only: positions without frames. */
    add(&r, "urn:a", "a", 1.5, -1);
    sv__timed_reached(r.t, 1.45, 0);
    assert_int_equal(r.n, 2);
    sv__timed_reached(r.t, 1.5, 0);
    assert_int_equal(r.n, 3);
    rig_free(&r);
}

static void malformed_once_and_payload_cut(void **state)
{
    (void)state;
    rig r;
    rig_init(&r);
    sv__timed_malformed(r.t, "line 3: EXT-X-DATERANGE x: it has no ID: left out");
    sv__timed_malformed(r.t, "line 3: EXT-X-DATERANGE x: it has no ID: left out");
    sv__timed_malformed(r.t, "emsg: timescale is 0");
    sv__mutex_lock(&r.st.lock);
    assert_int_equal(r.st.stats.timed_events_malformed, 2);
    sv__mutex_unlock(&r.st.lock);

    static uint8_t big[5000];
    sv__timed_desc d = { .source = SV_TIMED_DASH_EMSG, .scheme = "urn:big", .value = "",
                         .id = "1", .start_s = 0, .duration_s = -1, .attributes = "",
                         .payload = big, .payload_size = sizeof(big) };
    sv__scte35_none(&d.scte35);
    sv__timed_seek(r.t, 0);
    assert_int_equal(sv__timed_add(r.t, &d), 1);
    sv__timed_reached(r.t, 0, 0.04);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.payload[0], 4096);
    assert_int_equal(r.cut[0], 1);
    sv__timed_reset(r.t);
    assert_int_equal(sv__timed_add(r.t, &d), 1); /* forgotten: new again */
    rig_free(&r);
}

/* The store holds SV__TIMED_MAX; past it, reported events that ended make
 * room, and without any a new one is refused. */
static void full_store(void **state)
{
    (void)state;
    rig r;
    char id[16];
    rig_init(&r);
    sv__timed_seek(r.t, 0);
    for (int i = 0; i < SV__TIMED_MAX; i++) {
        snprintf(id, sizeof(id), "%d", i);
        assert_int_equal(add(&r, "urn:many", id, 1.0 + i * 0.001, 0.0005), 1);
    }
    assert_int_equal(add(&r, "urn:many", "one-more", 100, -1), SV_ERR_OVERFLOW);
    /* The frame at 2.0 s reports the 1040 that start before 2.04 s; those
     * that ended before the position (2.0 s) make room. */
    sv__timed_reached(r.t, 2.0, 0.04);
    assert_int_equal(r.n, 1040);
    sv__mutex_lock(&r.st.lock);
    r.st.position_s = 2.0;
    sv__mutex_unlock(&r.st.lock);
    assert_int_equal(add(&r, "urn:many", "one-more", 100, -1), 1);
    rig_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(order_dedup_frame),
        cmocka_unit_test(seeks),
        cmocka_unit_test(late_add_and_audio_only),
        cmocka_unit_test(malformed_once_and_payload_cut),
        cmocka_unit_test(full_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
