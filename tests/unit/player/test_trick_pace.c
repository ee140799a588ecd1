/*
 * Trick play's pace (issue 18, core/control_trick.c): where the position
 * should stand after some time at a rate, held within the media or a live
 * DVR window, and when that bound is reached in the direction of motion.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "player/core/internal.h"

static int near(double a, double b)
{
    return a - b < 1e-9 && b - a < 1e-9;
}

static void forward_and_back(void **state)
{
    int end = -1;
    (void)state;
    assert_true(near(sv__trick_target(10, 8, 1.5, 0, 40, &end), 22));
    assert_int_equal(end, 0);
    assert_true(near(sv__trick_target(10, -8, 1.0, 0, 40, &end), 2));
    assert_int_equal(end, 0);
    assert_true(near(sv__trick_target(10, 64, 0, 0, 40, &end), 10));
    /* Time that runs backwards (a clock read before the anchor) stands still. */
    assert_true(near(sv__trick_target(10, 2, -1, 0, 40, &end), 10));
    assert_int_equal(end, 0);
}

static void bounds(void **state)
{
    int end = -1;
    (void)state;
    /* Forward to the end: held there, and the end is reached. */
    assert_true(near(sv__trick_target(30, 8, 2, 0, 40, &end), 40));
    assert_int_equal(end, 1);
    /* Rewind to the start: 0, reached. */
    assert_true(near(sv__trick_target(10, -16, 1, 0, 40, &end), 0));
    assert_int_equal(end, 1);
    /* A live window [100, 160]: clamped to it both ways. */
    assert_true(near(sv__trick_target(150, 32, 1, 100, 160, &end), 160));
    assert_int_equal(end, 1);
    assert_true(near(sv__trick_target(120, -32, 1, 100, 160, &end), 100));
    assert_int_equal(end, 1);
    /* At a bound but moving away from it: not its end. */
    assert_true(near(sv__trick_target(0, 8, 0, 0, 40, &end), 0));
    assert_int_equal(end, 0);
    assert_true(near(sv__trick_target(40, -8, 0, 0, 40, &end), 40));
    assert_int_equal(end, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(forward_and_back),
        cmocka_unit_test(bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
