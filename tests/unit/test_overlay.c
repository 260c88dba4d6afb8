/* test_overlay.c - the athlete-facing overlay: angles, the hint, verdicts, mirroring, drawing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formcheck/overlay.h"

#define W 320
#define H 240

static uint8_t px[W * H * 3];

static fc_frame frame_of(uint8_t value)
{
    memset(px, value, sizeof px);
    return (fc_frame){px, W, H, W * 3, 0, 0.0, NULL};
}

/* Left leg bent 90 deg at the knee (world: thigh forward, shin down), hip 90 deg; right leg out of view. */
static fc_pose_result pose_bent(void)
{
    fc_pose_result r;
    memset(&r, 0, sizeof r);
    r.found = 1;
    r.width = W, r.height = H;
    for (int i = 0; i < FC_NUM_LANDMARKS; i++)
        r.lm[i] = (fc_landmark){160, 120, 0, 0.1f, 0.1f};
    r.lm[FC_LM_LEFT_SHOULDER] = (fc_landmark){100, 40, 0, 1, 1};
    r.lm[FC_LM_LEFT_HIP] = (fc_landmark){100, 120, 0, 1, 1};
    r.lm[FC_LM_LEFT_KNEE] = (fc_landmark){150, 120, 0, 1, 1};
    r.lm[FC_LM_LEFT_ANKLE] = (fc_landmark){150, 200, 0, 1, 1};
    r.world[FC_LM_LEFT_SHOULDER] = (fc_point3){0, -0.5f, 0};
    r.world[FC_LM_LEFT_HIP] = (fc_point3){0, 0, 0};
    r.world[FC_LM_LEFT_KNEE] = (fc_point3){0.45f, 0, 0};
    r.world[FC_LM_LEFT_ANKLE] = (fc_point3){0.45f, 0.45f, 0};
    return r;
}

static void test_angles(void **state)
{
    (void)state;
    fc_pose_result r = pose_bent();
    double knee, hip;
    fc_overlay_angles(&knee, &hip, &r, 0, 0.5f);
    assert_true(fabs(knee - 90.0) < 0.01);
    assert_true(fabs(hip - 90.0) < 0.01);
    fc_overlay_angles(&knee, &hip, &r, 1, 0.5f); /* right side not visible */
    assert_true(isnan(knee) && isnan(hip));
    r.world[FC_LM_LEFT_ANKLE] = (fc_point3){0.9f, 0, 0}; /* straight leg */
    fc_overlay_angles(&knee, &hip, &r, 0, 0.5f);
    assert_true(fabs(knee - 180.0) < 0.01);
}

static void test_legs_hidden(void **state)
{
    (void)state;
    fc_pose_result r = pose_bent();
    assert_int_equal(fc_overlay_legs_hidden(&r, 0.5f), 0);
    r.lm[FC_LM_LEFT_ANKLE].y = H + 20; /* below the frame: feet cut off */
    assert_int_equal(fc_overlay_legs_hidden(&r, 0.5f), 1);
    r = pose_bent();
    r.lm[FC_LM_LEFT_KNEE].visibility = 0.2f;
    assert_int_equal(fc_overlay_legs_hidden(&r, 0.5f), 1);
    r.found = 0;
    assert_int_equal(fc_overlay_legs_hidden(&r, 0.5f), 1);
}

static void test_verdict(void **state)
{
    (void)state;
    fc_rep_result rep;
    char buf[200];
    memset(&rep, 0, sizeof rep);
    rep.index = 2;
    rep.score = 66.6;
    rep.n_checks = 3;
    rep.checks[0] = (fc_check_result){FC_CHECK_DEPTH, FC_WARN, 10, 5, "Go deeper: thighs stopped 10\xc2\xb0 above parallel"};
    rep.checks[1] = (fc_check_result){FC_CHECK_TRUNK_LEAN, FC_PASS, 30, 45, "Chest up"};
    rep.checks[2] = (fc_check_result){FC_CHECK_HEEL_LIFT, FC_FAIL, 20, 5, "Keep your heels down"};
    /* A fail's cue wins over a warning's. */
    assert_string_equal(fc_overlay_rep_verdict(buf, sizeof buf, &rep), "Rep 2: 67 - Keep your heels down");
    rep.checks[2].status = FC_PASS;
    /* The degree sign (UTF-8) becomes " deg": the drawing font is ASCII. */
    assert_string_equal(fc_overlay_rep_verdict(buf, sizeof buf, &rep),
                        "Rep 2: 67 - Go deeper: thighs stopped 10 deg above parallel");
    rep.checks[0].status = FC_PASS;
    assert_string_equal(fc_overlay_rep_verdict(buf, sizeof buf, &rep), "Rep 2: 67 - good rep");
}

static void test_mirror(void **state)
{
    (void)state;
    fc_frame f = frame_of(0);
    px[0] = 1, px[1] = 2, px[2] = 3; /* (0,0) */
    fc_overlay_mirror_frame(&f);
    const uint8_t *p = px + (W - 1) * 3;
    assert_int_equal(p[0], 1);
    assert_int_equal(p[1], 2);
    assert_int_equal(p[2], 3);
    assert_int_equal(px[0], 0);
    fc_pose_result r = pose_bent();
    fc_overlay_mirror_pose(&r, W);
    assert_true(fabsf(r.lm[FC_LM_LEFT_HIP].x - (W - 1 - 100)) < 1e-4f);
    assert_true(fabsf(r.lm[FC_LM_LEFT_HIP].y - 120) < 1e-4f);
}

static void test_draw(void **state)
{
    (void)state;
    fc_frame f = frame_of(128);
    fc_pose_result r = pose_bent();
    fc_overlay ov = fc_overlay_default();
    ov.pose = &r;
    ov.reps = 3;
    snprintf(ov.verdict, sizeof ov.verdict, "Rep 3: 90 - good rep");
    ov.verdict_good = 1;
    assert_int_equal(fc_overlay_draw(&f, &ov), 0);
    /* The panel darkens the top-left corner; the left thigh (orange) is drawn between hip and knee. */
    const uint8_t *corner = px + (12 * W + 12) * 3;
    assert_true(corner[0] < 60 && corner[1] < 60 && corner[2] < 60);
    const uint8_t *thigh = px + (120 * W + 142) * 3; /* BGR */
    assert_true(thigh[2] > 200 && thigh[1] > 100 && thigh[0] < 100);
    /* The gauge: 90 deg of flexion of a 143-deg scale, filled amber (below the target) from the bottom up. */
    int gx = W - 10 - 8 + 4, gy = (H - H / 2) / 2 + H / 2 - 5; /* gauge: 8 px wide, 10 from the edge, H/2 high */
    const uint8_t *low = px + (gy * W + gx) * 3;
    const uint8_t *high = px + (((H - H / 2) / 2 + 5) * W + gx) * 3; /* above the fill: the gauge's dark back */
    assert_true(high[0] < 50 && high[1] < 50 && high[2] < 50);
    assert_true(low[2] > 200 && low[1] > 150 && low[0] < 120);
    assert_int_equal(fc_overlay_draw(NULL, &ov), FC_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_angles), cmocka_unit_test(test_legs_hidden), cmocka_unit_test(test_verdict),
        cmocka_unit_test(test_mirror), cmocka_unit_test(test_draw),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
