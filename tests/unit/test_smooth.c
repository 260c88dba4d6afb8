/* test_smooth.c - clean-up: gating, gap filling, outliers, smoothing, facing side. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "formcheck/error.h"
#include "formcheck/smooth.h"

#define N 90

/* A pose whose every landmark moves along x = 100 + 50 sin(t), y = 200 + 10 i. */
static void make(fc_pose_result *s, double jitter)
{
    unsigned seed = 3;
    memset(s, 0, N * sizeof *s);
    for (int t = 0; t < N; t++) {
        s[t].frame = t;
        s[t].t_s = t / 30.0;
        s[t].width = 640;
        s[t].height = 480;
        s[t].found = 1;
        for (int i = 0; i < FC_NUM_LANDMARKS; i++) {
            seed = seed * 1103515245u + 12345u;
            double j = jitter * (((seed >> 8) % 2001) / 1000.0 - 1.0);
            s[t].lm[i] = (fc_landmark){(float)(100 + 50 * sin(t / 30.0) + j), (float)(200 + 10 * i), 0, 0.9f, 0.9f};
            s[t].world[i] = (fc_point3){(float)(0.1 * sin(t / 30.0)), (float)(0.05 * i - 0.5), 0};
        }
    }
}

/* The bodies of n pose results (the analyser's compact frames). */
static fc_body *bodies(const fc_pose_result *s, size_t n)
{
    fc_body *b = malloc(n * sizeof *b);
    assert_non_null(b);
    for (size_t t = 0; t < n; t++)
        fc_body_from_pose(&b[t], &s[t]);
    return b;
}

static double truth_x(int t)
{
    return 100 + 50 * sin(t / 30.0);
}

static void test_gaps_and_outliers(void **state)
{
    (void)state;
    fc_pose_result *s = malloc(N * sizeof *s);
    fc_clean_opts o = fc_clean_default_opts();
    fc_clean_stats st;

    make(s, 0);
    s[20].found = 0;                                   /* a dropped frame */
    s[21].found = 0;
    s[40].lm[FC_LM_LEFT_KNEE].visibility = 0.1f;       /* an occluded point */
    s[60].lm[FC_LM_LEFT_ANKLE].x += 80;                /* a wild outlier */
    for (int t = 70; t < 85; t++)
        s[t].found = 0;                                /* 0.5 s lost: too long to fill */
    o.smooth = 0;
    fc_body *b = bodies(s, N);
    assert_int_equal(fc_clean_series(b, N, &o, &st), 0);
    assert_int_equal(st.frames_missing, 17);
    assert_int_equal(st.frames_filled, 2);
    assert_int_equal(b[20].found, 1);
    assert_true(fabs(b[20].lm[FC_B(FC_LM_LEFT_SHOULDER)].x - truth_x(20)) < 0.5);
    assert_true(fabs(b[40].lm[FC_B(FC_LM_LEFT_KNEE)].x - truth_x(40)) < 0.5);
    assert_true(b[40].lm[FC_B(FC_LM_LEFT_KNEE)].visibility >= o.min_visibility);
    assert_true(fabs(b[60].lm[FC_B(FC_LM_LEFT_ANKLE)].x - truth_x(60)) < 1.0);
    assert_int_equal(st.outliers, 1);
    assert_int_equal(st.points_gated, 1);
    assert_int_equal(b[75].found, 0);
    /* The body's scale: hip-knee-ankle, 20 + 20 px apart in y here; 0.1 + 0.1 m in world. */
    assert_true(fabs(st.scale_px - 40.0) < 1e-9);
    assert_true(fabs(st.scale_m - 0.2) < 1e-6);
    free(b);
    free(s);
}

static void test_one_euro(void **state)
{
    (void)state;
    fc_pose_result *s = malloc(N * sizeof *s);
    fc_clean_opts o = fc_clean_default_opts();
    double raw = 0, smooth = 0;

    make(s, 4.0);
    fc_body *b = bodies(s, N);
    for (int t = 5; t < N - 5; t++)
        raw += fabs(b[t].lm[FC_B(FC_LM_LEFT_HIP)].x - truth_x(t));
    assert_int_equal(fc_clean_series(b, N, &o, NULL), 0);
    for (int t = 5; t < N - 5; t++)
        smooth += fabs(b[t].lm[FC_B(FC_LM_LEFT_HIP)].x - truth_x(t));
    /* Jitter at least halved, and no lag: the error stays small at the peak. */
    assert_true(smooth < 0.5 * raw);
    assert_true(fabs(b[47].lm[FC_B(FC_LM_LEFT_HIP)].x - truth_x(47)) < 2.0);
    o.min_cutoff_hz = 0;
    assert_int_equal(fc_clean_series(b, N, &o, NULL), FC_EINVAL);
    free(b);
    free(s);
}

static void test_facing(void **state)
{
    (void)state;
    fc_pose_result *s = malloc(N * sizeof *s);
    make(s, 0);
    for (int t = 0; t < N; t++)
        for (int i = FC_LM_LEFT_SHOULDER; i <= FC_LM_RIGHT_FOOT_INDEX; i += 2)
            s[t].lm[i + 1].visibility = 0.4f; /* the right side is hidden */
    fc_body *b = bodies(s, N);
    assert_int_equal(fc_clean_facing_side(b, N, 0.3f), FC_SIDE_LEFT);
    assert_int_equal(fc_clean_facing_side(b, 0, 0.3f), FC_SIDE_UNKNOWN);
    assert_string_equal(fc_side_name(FC_SIDE_RIGHT), "right");
    free(b);
    free(s);
}

/* Legs apart (a lunge side on) with the left/right labels exchanged on a few
 * frames: swapped back. */
static void test_swaps(void **state)
{
    (void)state;
    fc_pose_result *s = malloc(N * sizeof *s);
    fc_clean_opts o = fc_clean_default_opts();
    fc_clean_stats st;

    make(s, 0);
    for (int t = 0; t < N; t++)
        for (int i = FC_LM_LEFT_HIP; i <= FC_LM_LEFT_FOOT_INDEX; i += 2)
            s[t].lm[i + 1].x += 120; /* the right leg 120 px ahead */
    for (int t = 30; t < 33; t++)
        for (int i = FC_LM_LEFT_HIP; i <= FC_LM_LEFT_FOOT_INDEX; i += 2) {
            fc_landmark tmp = s[t].lm[i];
            s[t].lm[i] = s[t].lm[i + 1];
            s[t].lm[i + 1] = tmp;
        }
    o.smooth = 0;
    fc_body *b = bodies(s, N);
    assert_int_equal(fc_clean_series(b, N, &o, &st), 0);
    assert_int_equal(st.swaps_fixed, 3);
    assert_true(fabs(b[31].lm[FC_B(FC_LM_RIGHT_KNEE)].x - (truth_x(31) + 120)) < 0.5);
    assert_true(fabs(b[31].lm[FC_B(FC_LM_LEFT_KNEE)].x - truth_x(31)) < 0.5);
    free(b);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gaps_and_outliers),
        cmocka_unit_test(test_one_euro),
        cmocka_unit_test(test_facing),
        cmocka_unit_test(test_swaps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
