/* test_series.c - the compact pose series: bodies round-trip what the analyser,
 * report and overlay read; the streamed clean-up counts of the other landmarks
 * equal fc_clean_series()'s; the analysis gives the same result from pose
 * results, a series and a series cleaned in place. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formcheck/analysis.h"
#include "formcheck/body.h"
#include "formcheck/cleantally.h"
#include "formcheck/keypoints.h"
#include "formcheck/series.h"

#define N 300

static void test_slots(void **state)
{
    (void)state;
    int seen = 0;
    for (int id = 0; id < FC_NUM_LANDMARKS; id++) {
        int s = fc_body_slot(id);
        if (s < 0)
            continue;
        seen++;
        assert_int_equal(fc_body_landmark(s), id);
        assert_int_equal(s, FC_B(id));
        /* Pairs stay adjacent: the mirror's slot is slot ^ 1. */
        assert_int_equal(fc_body_slot(fc_landmark_mirror(id)), s ^ 1);
    }
    assert_int_equal(seen, FC_BODY_N);
    assert_int_equal(fc_body_slot(FC_LM_NOSE), -1);
    assert_int_equal(fc_body_slot(FC_LM_LEFT_WRIST), -1);
    assert_int_equal(fc_body_landmark(FC_BODY_N), -1);
    assert_int_equal(sizeof(fc_body), 416);
}

/* Every landmark moves alike: x = 100 + 50 sin(t/30) + noise(t), y = 200 + 10 id;
 * so each landmark's clean-up counts are the same, and the 21 tallied ones
 * must count 21/12 of what fc_clean_series() counts on the 12 body ones. */
static void make(fc_pose_result *s)
{
    memset(s, 0, N * sizeof *s);
    for (int t = 0; t < N; t++) {
        double nz = ((t * 7919) % 13 - 6) * 0.3 + (t % 11 == 3 ? 4.0 + 0.1 * (t % 7) : 0.0); /* borderline spikes */
        s[t].frame = t;
        s[t].t_s = t / 30.0;
        s[t].width = 640;
        s[t].height = 480;
        s[t].found = 1;
        s[t].ms = 1.0f + t % 3;
        for (int i = 0; i < FC_NUM_LANDMARKS; i++) {
            int gated = t % 37 == 5 || (t >= 120 && t < 124); /* short and 4-frame occlusions */
            s[t].lm[i] = (fc_landmark){(float)(100 + 50 * sin(t / 30.0) + nz), (float)(200 + 10 * i), 0,
                                       gated ? 0.1f : 0.9f, 0.9f};
            s[t].world[i] = (fc_point3){(float)(0.1 * sin(t / 30.0) + nz / 500), (float)(0.05 * i - 0.5), 0};
            if (t == 50 || t == 150 || t == 250)
                s[t].lm[i].x += 80; /* outliers */
            if (t == 60)
                s[t].world[i].y += 0.5f;
            if (t == 170)
                s[t].lm[i].z = NAN; /* a null coordinate in a keypoints file */
        }
    }
    s[100].found = s[101].found = 0; /* filled */
    for (int t = 200; t < 216; t++)
        s[t].found = 0;                /* too long to fill */
    s[N - 1].found = 0;                /* a gap at the end: never filled */
}

static void check_tally(fc_pose_result *s, float minv)
{
    fc_clean_opts o = fc_clean_default_opts();
    fc_clean_stats batch, tallied;
    fc_clean_tally *t = NULL;
    fc_body *b = malloc(N * sizeof *b);

    assert_non_null(b);
    o.min_visibility = minv;
    assert_int_equal(fc_clean_tally_create(&t, &o), 0);
    for (int i = 0; i < N; i++) {
        fc_body_from_pose(&b[i], &s[i]);
        assert_int_equal(fc_clean_tally_add(t, &s[i]), 0);
    }
    assert_int_equal(fc_clean_tally_frames(t), N);
    assert_int_equal(fc_clean_series(b, N, &o, &batch), 0);
    memset(&tallied, 0, sizeof tallied);
    fc_clean_tally_finish(t, batch.scale_px, batch.scale_m, &tallied);
    assert_int_equal(batch.frames_filled, 2);
    assert_int_equal(batch.frames_missing, 19);
    assert_true(batch.outliers >= 12 * 4);
    assert_int_equal(batch.outliers % 12, 0);
    assert_int_equal(tallied.outliers * 12, batch.outliers * 21);
    assert_int_equal(tallied.points_gated * 12, batch.points_gated * 21);
    assert_int_equal(tallied.points_filled * 12, batch.points_filled * 21);
    if (minv > 0) {
        assert_true(batch.points_gated >= 12 * 9);
        assert_true(batch.points_filled > 0);
    }
    /* finish() leaves the tally as it was: a second call counts the same. */
    fc_clean_stats again;
    memset(&again, 0, sizeof again);
    fc_clean_tally_finish(t, batch.scale_px, batch.scale_m, &again);
    assert_int_equal(again.outliers, tallied.outliers);
    fc_clean_tally_free(t);
    free(b);
}

static void test_tally_matches_batch(void **state)
{
    (void)state;
    fc_pose_result *s = malloc(N * sizeof *s);
    assert_non_null(s);
    make(s);
    check_tally(s, 0.3f);
    /* Gating off: filled frames (copies of the last found one, visibility 0) count as present. */
    check_tally(s, 0.0f);
    fc_clean_opts o = fc_clean_default_opts();
    fc_clean_tally *t = NULL;
    o.outlier_half_window = 51;
    assert_int_equal(fc_clean_tally_create(&t, &o), FC_EINVAL);
    assert_null(t);
    free(s);
}

static void test_series_round_trip(void **state)
{
    (void)state;
    fc_pose_result *s = malloc(N * sizeof *s), r;
    fc_series *ser = NULL, *plain = NULL;
    double ms = 0;

    assert_non_null(s);
    make(s);
    assert_int_equal(fc_series_create(&ser, NULL, 1), 0);
    assert_int_equal(fc_series_create(&plain, NULL, 0), 0);
    for (int t = 0; t < N; t++) {
        s[t].frame = 2 * t + 1; /* analysis_fps skips frames */
        assert_int_equal(fc_series_push(ser, &s[t]), 0);
        assert_int_equal(fc_series_push(plain, &s[t]), 0);
        ms += s[t].ms;
    }
    assert_int_equal(fc_series_count(ser), N);
    assert_int_equal(fc_series_frames_with_person(ser), N - 19);
    assert_true(fc_series_pose_ms(ser) == ms);
    const fc_body *b = fc_series_bodies(ser);
    for (int t = 0; t < N; t++) {
        assert_int_equal(b[t].frame, 2 * t + 1);
        assert_true(b[t].t_s == s[t].t_s);
        assert_int_equal(b[t].found, s[t].found);
        assert_int_equal(b[t].width, 640);
        assert_int_equal(fc_series_pose(&r, ser, (size_t)t), 0);
        assert_int_equal(r.frame, s[t].frame);
        assert_int_equal(r.height, 480);
        for (int i = 0; i < FC_NUM_LANDMARKS; i++) {
            /* Every image landmark comes back; world ones for the body. */
            assert_memory_equal(&r.lm[i], &s[t].lm[i], sizeof r.lm[i]);
            if (fc_body_slot(i) >= 0) {
                assert_memory_equal(&r.world[i], &s[t].world[i], sizeof r.world[i]);
                assert_memory_equal(&b[t].lm[fc_body_slot(i)], &s[t].lm[i], sizeof r.lm[i]);
            }
        }
        /* Without keep_image only the body's landmarks. */
        assert_int_equal(fc_series_pose(&r, plain, (size_t)t), 0);
        assert_true(r.lm[FC_LM_NOSE].x == 0.0f && r.lm[FC_LM_NOSE].visibility == 0.0f);
        assert_true(r.lm[FC_LM_LEFT_KNEE].x == s[t].lm[FC_LM_LEFT_KNEE].x);
    }
    assert_int_equal(fc_series_pose(&r, ser, N), FC_EINVAL);
    fc_series_free(ser);
    fc_series_free(plain);
    fc_series_free(NULL);
    free(s);
}

static int load_profile(fc_profile *p, const char *name)
{
    const char *src = getenv("FC_SOURCE_DIR");
    char path[1024], err[FC_ERRBUF_SIZE];
    snprintf(path, sizeof path, "%s/models/form/%s.json", src ? src : ".", name);
    return fc_profile_load(p, path, NULL, err, sizeof err);
}

/* The sample squat's keypoints, with gaps, occluded and wild face points added:
 * fc_analysis_run() on the pose results, fc_analysis_run_series() on a series
 * (left as it was) and the in-place run give the same result. */
static void test_analysis_paths(void **state)
{
    (void)state;
    const char *src = getenv("FC_SOURCE_DIR");
    char path[1024], err[FC_ERRBUF_SIZE];
    fc_pose_result *s = NULL;
    size_t n = 0;
    fc_profile squat, lunge;
    fc_analysis_opts o = fc_analysis_default_opts();
    fc_analysis_result *a = NULL, *b = NULL, *c = NULL;
    fc_series *ser = NULL;

    snprintf(path, sizeof path, "%s/samples/squat_side.keypoints.jsonl", src ? src : ".");
    assert_int_equal(fc_keypoints_load(&s, &n, path, err, sizeof err), 0);
    assert_true(n > 200);
    assert_int_equal(load_profile(&squat, "squat"), 0);
    assert_int_equal(load_profile(&lunge, "lunge"), 0);
    for (size_t t = 40; t < 50; t++)
        s[t].lm[FC_LM_NOSE].visibility = 0.1f;   /* 10 gated face points */
    for (size_t t = 60; t < 180; t += 40)
        s[t].lm[FC_LM_LEFT_WRIST].x += 300.0f;   /* 3 wild hand points */
    s[90].found = 0;                             /* a filled frame */
    assert_int_equal(fc_analysis_run(&a, s, n, &o, &squat, &lunge, err, sizeof err), 0);
    assert_int_equal(fc_series_create(&ser, &o.clean, 0), 0);
    for (size_t t = 0; t < n; t++)
        assert_int_equal(fc_series_push(ser, &s[t]), 0);
    fc_body first = fc_series_bodies(ser)[100];
    assert_int_equal(fc_analysis_run_series(&b, ser, &o, &squat, &lunge, err, sizeof err), 0);
    assert_memory_equal(&fc_series_bodies(ser)[100], &first, sizeof first); /* not cleaned */
    assert_int_equal(fc_analysis_run_series_inplace(&c, ser, &o, &squat, &lunge, err, sizeof err), 0);
    assert_int_equal(fc_series_bodies(ser)[90].found, 1); /* the gap was filled in place */

    assert_true(a->n_reps >= 3);
    assert_int_equal(a->clean.points_gated, 10);
    assert_true(a->clean.outliers >= 3);
    assert_int_equal(a->clean.frames_filled, 1);
    for (const fc_analysis_result *x = b; x; x = x == b ? c : NULL) {
        assert_int_equal(x->n_reps, a->n_reps);
        assert_int_equal(x->n_frames, n);
        assert_memory_equal(x->reps, a->reps, a->n_reps * sizeof *a->reps);
        assert_memory_equal(x->frames, a->frames, n * sizeof *a->frames);
        assert_memory_equal(&x->clean, &a->clean, sizeof a->clean);
        assert_int_equal(x->view, a->view);
        assert_int_equal(x->n_warnings, a->n_warnings);
    }
    /* A series tallied with other clean-up options is refused. */
    o.clean.outlier_k = 5;
    fc_analysis_result *d = NULL;
    assert_int_equal(fc_analysis_run_series(&d, ser, &o, &squat, &lunge, err, sizeof err), FC_EINVAL);
    assert_null(d);
    fc_analysis_free(a);
    fc_analysis_free(b);
    fc_analysis_free(c);
    fc_series_free(ser);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slots),
        cmocka_unit_test(test_tally_matches_batch),
        cmocka_unit_test(test_series_round_trip),
        cmocka_unit_test(test_analysis_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
