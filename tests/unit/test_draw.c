/* test_draw.c - overlays land where they should, with the right colours. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "formcheck/draw.h"
#include "formcheck/error.h"

#define W 320
#define H 240

static uint8_t px[W * H * 3];

static fc_frame frame_of(uint8_t value)
{
    memset(px, value, sizeof px);
    return (fc_frame){px, W, H, W * 3, 0, 0.0, NULL};
}

static const uint8_t *at(int x, int y) { return px + y * W * 3 + x * 3; }

static fc_pose_result pose_of(void)
{
    fc_pose_result r;

    memset(&r, 0, sizeof r);
    r.found = 1;
    r.width = W;
    r.height = H;
    for (int i = 0; i < FC_NUM_LANDMARKS; i++)
        r.lm[i] = (fc_landmark){10, 10, 0, 0.0f, 0.0f}; /* invisible by default */
    r.lm[FC_LM_LEFT_HIP] = (fc_landmark){100, 100, 0, 1, 1};
    r.lm[FC_LM_LEFT_KNEE] = (fc_landmark){100, 180, 0, 1, 1};
    r.lm[FC_LM_RIGHT_HIP] = (fc_landmark){200, 100, 0, 1, 1};
    r.lm[FC_LM_RIGHT_KNEE] = (fc_landmark){200, 180, 0, 0.2f, 1}; /* below threshold */
    return r;
}

static void test_skeleton(void **state)
{
    (void)state;
    fc_frame f = frame_of(0);
    fc_pose_result r = pose_of();

    assert_int_equal(fc_draw_skeleton(&f, &r, 0.5f), 0);
    /* Left thigh, halfway: orange (B low, R high). */
    const uint8_t *p = at(100, 140);
    assert_true(p[2] > 200 && p[1] > 100 && p[0] < 100);
    /* Hip line between left and right hips: a centre (white) bone. */
    p = at(150, 100);
    assert_true(p[0] > 200 && p[1] > 200 && p[2] > 200);
    /* Right thigh not drawn: the right knee is not visible. */
    p = at(200, 150);
    assert_int_equal(p[0] + p[1] + p[2], 0);
    /* Invisible points at (10,10) not drawn. */
    p = at(10, 10);
    assert_int_equal(p[0] + p[1] + p[2], 0);

    r.found = 0;
    f = frame_of(0);
    assert_int_equal(fc_draw_skeleton(&f, &r, 0.5f), 0);
    for (size_t i = 0; i < sizeof px; i++)
        assert_int_equal(px[i], 0);
}

static void test_panel_and_label(void **state)
{
    (void)state;
    fc_frame f = frame_of(200);
    const char *lines[] = {"Reps: 3", "!Go deeper"};
    int red = 0;

    assert_int_equal(fc_draw_panel(&f, lines, 2, FC_CORNER_TOP_LEFT, 0.6f), 0);
    /* Panel background darkened: 200 * 0.35 = 70. */
    assert_int_equal(at(9, 9)[0], 70);
    /* Bottom right untouched. */
    assert_int_equal(at(W - 2, H - 2)[0], 200);
    /* The "!" line is drawn red somewhere in the panel. */
    for (int y = 0; y < 80; y++)
        for (int x = 0; x < 200; x++)
            if (at(x, y)[2] > 200 && at(x, y)[1] < 120)
                red++;
    assert_true(red > 20);

    f = frame_of(0);
    assert_int_equal(fc_draw_label(&f, 20, 50, "88", FC_RGB(0, 255, 0), 1.0f), 0);
    int green = 0;
    for (int y = 20; y < 60; y++)
        for (int x = 15; x < 80; x++)
            if (at(x, y)[1] > 200 && at(x, y)[0] < 50)
                green++;
    assert_true(green > 20);
}

static void test_gauge_and_errors(void **state)
{
    (void)state;
    fc_frame f = frame_of(0), bad = {NULL, W, H, W * 3, 0, 0, NULL};
    fc_pose_result r = pose_of();

    assert_int_equal(fc_draw_gauge(&f, 1.0f, 0.5f, FC_RGB(0, 0, 255)), 0);
    /* Full gauge: blue near the bottom of the bar at the right edge. */
    int w = W / 40 > 8 ? W / 40 : 8;
    const uint8_t *p = at(W - 10 - w / 2, H / 2 + H / 4 - 3);
    assert_true(p[0] > 200 && p[2] < 50);

    assert_int_equal(fc_draw_skeleton(&bad, &r, 0.5f), FC_EINVAL);
    assert_int_equal(fc_draw_skeleton(&f, NULL, 0.5f), FC_EINVAL);
    assert_int_equal(fc_draw_label(&f, 0, 0, NULL, 0, 1.0f), FC_EINVAL);
    assert_int_equal(fc_draw_panel(&f, NULL, 1, 0, 1.0f), FC_EINVAL);
    assert_int_equal(fc_draw_panel(&f, NULL, 0, 0, 1.0f), 0);
    /* Points far outside the frame are clipped, not a crash. */
    r.lm[FC_LM_LEFT_KNEE].x = 1e7f;
    r.lm[FC_LM_LEFT_KNEE].y = -1e7f;
    assert_int_equal(fc_draw_skeleton(&f, &r, 0.5f), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_skeleton),
        cmocka_unit_test(test_panel_and_label),
        cmocka_unit_test(test_gauge_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
