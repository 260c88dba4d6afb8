/* test_analysis.c - the analyser on stick-figure series (athlete.h): rep counts,
 * angles, faults found when injected and only then, not_assessed by view. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>

#include "athlete.h"
#include "formcheck/analysis.h"
#include "formcheck/report.h"
#include <cjson/cJSON.h>

static fc_profile squat_p, lunge_p;

static int load_profiles(void **state)
{
    (void)state;
    const char *src = getenv("FC_SOURCE_DIR");
    char path[1024], err[FC_ERRBUF_SIZE];
    snprintf(path, sizeof path, "%s/models/form/squat.json", src ? src : ".");
    if (fc_profile_load(&squat_p, path, NULL, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    snprintf(path, sizeof path, "%s/models/form/lunge.json", src ? src : ".");
    if (fc_profile_load(&lunge_p, path, NULL, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    return 0;
}

static fc_analysis_result *run_set(const ath_set *s, int exercise)
{
    size_t n = 0;
    fc_pose_result *series = ath_series(s, &n);
    fc_analysis_opts o = fc_analysis_default_opts();
    fc_analysis_result *res = NULL;
    char err[FC_ERRBUF_SIZE];

    assert_non_null(series);
    o.exercise = exercise;
    assert_int_equal(fc_analysis_run(&res, series, n, &o, &squat_p, &lunge_p, err, sizeof err), 0);
    free(series);
    return res;
}

static ath_set squat_set(double yaw, int nreps, double knee)
{
    ath_set s;
    memset(&s, 0, sizeof s);
    s.fps = 30;
    s.lead_in_s = 1.5;
    s.lead_out_s = 1.5;
    s.cam = ath_camera(yaw);
    s.dropout_from_s = s.dropout_to_s = -1;
    s.nreps = nreps;
    for (int i = 0; i < nreps; i++)
        s.reps[i] = ath_plain_rep(knee);
    return s;
}

static fc_status status_of(const fc_rep_result *r, fc_check_id id)
{
    const fc_check_result *c = fc_analysis_check(r, id);
    assert_non_null(c);
    return c->status;
}

static void dump(const fc_analysis_result *res)
{
    if (!getenv("FC_TEST_VERBOSE"))
        return;
    fprintf(stderr, "view %s yaw %.1f ex %s reps %zu\n", fc_view_name(res->view), res->view_yaw_deg,
            fc_exercise_name(res->exercise), res->n_reps);
    for (size_t i = 0; i < res->n_reps; i++) {
        const fc_rep_result *r = &res->reps[i];
        fprintf(stderr, " rep %d %.2f-%.2f-%.2f knee %.1f/%.1f thigh %.1f/%.1f trunk %.1f fppa %.1f/%.1f lead %d score %.0f\n",
                r->index, r->rep.start_s, r->rep.bottom_s, r->rep.end_s, r->bottom.knee_flex_deg[0],
                r->bottom.knee_flex_deg[1], r->bottom.thigh_deg[0], r->bottom.thigh_deg[1], r->bottom.trunk_lean_deg,
                r->bottom.fppa_deg[0], r->bottom.fppa_deg[1], r->lead_leg, r->score);
        for (size_t k = 0; k < r->n_checks; k++)
            fprintf(stderr, "   %s %s %.2f (%.2f) %s\n", fc_check_name(r->checks[k].id),
                    fc_status_name(r->checks[k].status), r->checks[k].value, r->checks[k].threshold,
                    r->checks[k].cue);
    }
    for (size_t i = 0; i < res->n_warnings; i++)
        fprintf(stderr, " warning %.1f %s %s\n", res->warnings[i].t_s, res->warnings[i].kind, res->warnings[i].msg);
}

static void test_side_squats(void **state)
{
    (void)state;
    ath_set s = squat_set(90, 5, 120);
    fc_analysis_result *res = run_set(&s, FC_EXERCISE_AUTO);
    dump(res);
    assert_int_equal(res->n_reps, 5);
    assert_int_equal(res->view, FC_VIEW_SIDE);
    assert_int_equal(res->exercise, FC_EXERCISE_SQUAT);
    for (size_t i = 0; i < res->n_reps; i++) {
        const fc_rep_result *r = &res->reps[i];
        assert_true(fabs(r->bottom.knee_flex_deg[0] - 120) < 2.0);
        assert_true(fabs(r->bottom.trunk_lean_deg - 35) < 2.0);
        assert_true(fabs(r->bottom.thigh_deg[0] - 0.0) < 2.0); /* 120 knee - 30 shin = parallel */
        assert_int_equal(status_of(r, FC_CHECK_DEPTH), FC_PASS);
        assert_int_equal(status_of(r, FC_CHECK_TRUNK_LEAN), FC_PASS);
        assert_int_equal(status_of(r, FC_CHECK_HEEL_LIFT), FC_PASS);
        assert_int_equal(status_of(r, FC_CHECK_TEMPO), FC_PASS);
        assert_int_equal(status_of(r, FC_CHECK_KNEE_VALGUS), FC_NOT_ASSESSED);
        assert_int_equal(status_of(r, FC_CHECK_HIP_SHIFT), FC_NOT_ASSESSED);
        assert_true(r->score == 100.0);
        assert_true(fabs(r->rep.descent_s - 1.2) < 0.3);
    }
    assert_int_equal(res->summary.good_reps, 5);
    fc_analysis_free(res);
}


/* One shallow rep among good ones: only that rep fails depth, with the cue. */
static void test_shallow_rep(void **state)
{
    (void)state;
    ath_set s = squat_set(90, 4, 120);
    s.reps[2].knee_deg = 90; /* thigh 30 deg above parallel */
    fc_analysis_result *res = run_set(&s, FC_EXERCISE_SQUAT);
    dump(res);
    assert_int_equal(res->n_reps, 4);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(status_of(&res->reps[i], FC_CHECK_DEPTH), i == 2 ? FC_FAIL : FC_PASS);
    const fc_check_result *c = fc_analysis_check(&res->reps[2], FC_CHECK_DEPTH);
    assert_true(fabs(c->value - 30.0) < 2.0);
    assert_string_equal(c->cue, "Go deeper: thighs stopped 30° above parallel");
    assert_int_equal(res->summary.most_frequent_fault, FC_CHECK_DEPTH);
    assert_int_equal(res->summary.good_reps, 3);
    fc_analysis_free(res);
}

/* Front view: valgus on rep 2 (left knee) is found; trunk lean and heel lift
 * are not assessed; depth still is (from the hip's vertical travel). */
static void test_front_valgus(void **state)
{
    (void)state;
    ath_set s = squat_set(0, 3, 120);
    s.reps[1].valgus_side_m[0] = 0.07;
    fc_analysis_result *res = run_set(&s, FC_EXERCISE_AUTO);
    dump(res);
    assert_int_equal(res->n_reps, 3);
    assert_int_equal(res->view, FC_VIEW_FRONT);
    assert_int_equal(res->exercise, FC_EXERCISE_SQUAT);
    for (size_t i = 0; i < 3; i++) {
        const fc_rep_result *r = &res->reps[i];
        assert_int_equal(status_of(r, FC_CHECK_TRUNK_LEAN), FC_NOT_ASSESSED);
        assert_int_equal(status_of(r, FC_CHECK_HEEL_LIFT), FC_NOT_ASSESSED);
        assert_int_equal(status_of(r, FC_CHECK_DEPTH), FC_PASS);
        assert_true(fabs(fc_analysis_check(r, FC_CHECK_DEPTH)->value) < 4.0);
        assert_int_equal(status_of(r, FC_CHECK_HIP_SHIFT), FC_PASS);
        if (i == 1) {
            const fc_check_result *c = fc_analysis_check(r, FC_CHECK_KNEE_VALGUS);
            assert_int_not_equal(c->status, FC_PASS);
            assert_true(c->value > 8.0);
            assert_non_null(strstr(c->cue, "Left knee caved in"));
            assert_true(r->bottom.knee_ankle_ratio < res->reps[0].bottom.knee_ankle_ratio - 0.1);
        } else {
            assert_int_equal(status_of(r, FC_CHECK_KNEE_VALGUS), FC_PASS);
        }
    }
    fc_analysis_free(res);
}

/* +-5 px jitter and a 0.2 s dropout: still exactly 5 reps, angles within 2 deg. */
static void test_jitter_dropout(void **state)
{
    (void)state;
    ath_set s = squat_set(90, 5, 115);
    s.jitter_px = 5.0;
    s.dropout_from_s = 6.0;
    s.dropout_to_s = 6.2;
    fc_analysis_result *res = run_set(&s, FC_EXERCISE_AUTO);
    dump(res);
    assert_int_equal(res->n_reps, 5);
    for (size_t i = 0; i < res->n_reps; i++) {
        assert_true(fabs(res->reps[i].bottom.knee_flex_deg[0] - 115) < 2.0);
        assert_true(fabs(res->reps[i].bottom.trunk_lean_deg - 35) < 2.0);
        assert_int_equal(status_of(&res->reps[i], FC_CHECK_DEPTH), FC_WARN); /* 5 deg above parallel */
    }
    assert_true(res->clean.frames_filled >= 5);
    fc_analysis_free(res);
}

/* Walking in and out, a long pause at the bottom, setup bends: 3 reps. */
static void test_walk_pause_setup(void **state)
{
    (void)state;
    ath_set s = squat_set(0, 5, 120);
    s.walk_in = 1;
    s.jitter_px = 3.0;
    s.reps[0] = ath_plain_rep(30); /* setup: small bends, settling the stance */
    s.reps[0].shin_deg = 15;
    s.reps[0].trunk_deg = 10;
    s.reps[2].pause_s = 3.0;
    s.reps[4] = s.reps[0];
    fc_analysis_result *res = run_set(&s, FC_EXERCISE_AUTO);
    dump(res);
    assert_int_equal(res->n_reps, 3);
    assert_true(res->reps[1].rep.pause_s > 2.5);
    assert_int_equal(res->view, FC_VIEW_FRONT);
    fc_analysis_free(res);
}

/* Heel lift on rep 1 and a fast descent on rep 3 (side view). */
static void test_heel_tempo(void **state)
{
    (void)state;
    ath_set s = squat_set(90, 3, 120);
    s.reps[0].heel_m = 0.05;
    s.reps[2].descent_s = 0.35;
    fc_analysis_result *res = run_set(&s, FC_EXERCISE_AUTO);
    dump(res);
    assert_int_equal(res->n_reps, 3);
    assert_int_equal(status_of(&res->reps[0], FC_CHECK_HEEL_LIFT), FC_FAIL);
    assert_int_equal(status_of(&res->reps[1], FC_CHECK_HEEL_LIFT), FC_PASS);
    assert_int_equal(status_of(&res->reps[2], FC_CHECK_HEEL_LIFT), FC_PASS);
    assert_int_equal(status_of(&res->reps[0], FC_CHECK_TEMPO), FC_PASS);
    assert_int_equal(status_of(&res->reps[2], FC_CHECK_TEMPO), FC_FAIL);
    fc_analysis_free(res);
}

/* Forward lean beyond the limit on rep 2 only. */
static void test_trunk_lean(void **state)
{
    (void)state;
    ath_set s = squat_set(90, 3, 120);
    s.reps[1].trunk_deg = 60;
    fc_analysis_result *res = run_set(&s, FC_EXERCISE_AUTO);
    assert_int_equal(res->n_reps, 3);
    assert_int_equal(status_of(&res->reps[0], FC_CHECK_TRUNK_LEAN), FC_PASS);
    assert_int_equal(status_of(&res->reps[1], FC_CHECK_TRUNK_LEAN), FC_FAIL);
    assert_true(fabs(res->reps[1].bottom.trunk_lean_deg - 60) < 2.0);
    assert_int_equal(status_of(&res->reps[2], FC_CHECK_TRUNK_LEAN), FC_PASS);
    fc_analysis_free(res);
}

static ath_set lunge_set(double yaw, int nreps)
{
    ath_set s = squat_set(yaw, nreps, 90);
    s.lunge = 1;
    s.step_m = 0.95;
    for (int i = 0; i < nreps; i++) {
        s.reps[i].shin_deg = 8;
        s.reps[i].trunk_deg = 5;
        s.reps[i].front = i % 2;
    }
    return s;
}

/* Side-view lunges, alternating legs: detected as lunges, lead legs right,
 * front knee angle within 2 deg, good form passes. */
static void test_side_lunges(void **state)
{
    (void)state;
    ath_set s = lunge_set(90, 4);
    fc_analysis_result *res = run_set(&s, FC_EXERCISE_AUTO);
    dump(res);
    assert_int_equal(res->exercise, FC_EXERCISE_LUNGE);
    assert_int_equal(res->n_reps, 4);
    for (size_t i = 0; i < 4; i++) {
        const fc_rep_result *r = &res->reps[i];
        assert_int_equal(r->lead_leg, (int)(i % 2));
        assert_true(fabs(fc_analysis_check(r, FC_CHECK_FRONT_KNEE_ANGLE)->value - 90) < 2.0);
        assert_int_equal(status_of(r, FC_CHECK_FRONT_KNEE_ANGLE), FC_PASS);
        assert_int_equal(status_of(r, FC_CHECK_TORSO_UPRIGHT), FC_PASS);
        assert_int_equal(status_of(r, FC_CHECK_KNEE_VALGUS), FC_NOT_ASSESSED);
    }
    assert_int_equal(res->summary.side_reps[0], 2);
    assert_int_equal(res->summary.side_reps[1], 2);
    fc_analysis_free(res);
}

/* Lunge faults: shallow (front knee 120), leaning torso, knee far past toes. */
static void test_lunge_faults(void **state)
{
    (void)state;
    ath_set s = lunge_set(90, 4);
    s.reps[1].knee_deg = 60;
    s.reps[2].trunk_deg = 35;
    s.reps[3].shin_deg = 40;
    s.reps[3].knee_deg = 100;
    fc_analysis_result *res = run_set(&s, FC_EXERCISE_LUNGE);
    dump(res);
    assert_int_equal(res->n_reps, 4);
    assert_int_equal(status_of(&res->reps[0], FC_CHECK_FRONT_KNEE_ANGLE), FC_PASS);
    assert_int_equal(status_of(&res->reps[0], FC_CHECK_BACK_KNEE_HEIGHT), FC_PASS);
    assert_int_equal(status_of(&res->reps[0], FC_CHECK_KNEE_OVER_TOES), FC_PASS);
    assert_int_equal(status_of(&res->reps[1], FC_CHECK_FRONT_KNEE_ANGLE), FC_FAIL);
    assert_int_not_equal(status_of(&res->reps[1], FC_CHECK_BACK_KNEE_HEIGHT), FC_PASS);
    assert_int_equal(status_of(&res->reps[2], FC_CHECK_TORSO_UPRIGHT), FC_FAIL);
    assert_int_equal(status_of(&res->reps[0], FC_CHECK_TORSO_UPRIGHT), FC_PASS);
    assert_int_not_equal(status_of(&res->reps[3], FC_CHECK_KNEE_OVER_TOES), FC_PASS);
    fc_analysis_free(res);
}

/* Front-view split squats (right leg forward): still lunges, lead leg from the
 * knee heights; the sagittal checks are not assessed. */
static void test_front_lunges(void **state)
{
    (void)state;
    ath_set s = lunge_set(0, 4);
    for (int i = 0; i < 4; i++)
        s.reps[i].front = 1;
    fc_analysis_result *res = run_set(&s, FC_EXERCISE_AUTO);
    dump(res);
    assert_int_equal(res->view, FC_VIEW_FRONT);
    assert_int_equal(res->exercise, FC_EXERCISE_LUNGE);
    assert_int_equal(res->n_reps, 4);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(res->reps[i].lead_leg, FC_SIDE_RIGHT);
        assert_int_equal(status_of(&res->reps[i], FC_CHECK_FRONT_KNEE_ANGLE), FC_NOT_ASSESSED);
        assert_int_equal(status_of(&res->reps[i], FC_CHECK_KNEE_OVER_TOES), FC_NOT_ASSESSED);
        assert_int_equal(status_of(&res->reps[i], FC_CHECK_KNEE_VALGUS), FC_PASS);
    }
    fc_analysis_free(res);
}

static void test_oblique_view(void **state)
{
    (void)state;
    ath_set s = squat_set(45, 2, 120);
    fc_analysis_result *res = run_set(&s, FC_EXERCISE_AUTO);
    dump(res);
    assert_int_equal(res->view, FC_VIEW_OBLIQUE);
    assert_int_equal(res->n_reps, 2);
    assert_true(fabs(res->reps[0].bottom.knee_flex_deg[0] - 120) < 2.0);
    assert_int_equal(status_of(&res->reps[0], FC_CHECK_KNEE_VALGUS), FC_NOT_ASSESSED);
    fc_analysis_free(res);
}

static void test_empty_and_errors(void **state)
{
    (void)state;
    fc_analysis_result *res = NULL;
    fc_analysis_opts o = fc_analysis_default_opts();
    char err[FC_ERRBUF_SIZE];
    fc_pose_result two[2];

    assert_int_equal(fc_analysis_run(&res, NULL, 0, &o, &squat_p, &lunge_p, err, sizeof err), 0);
    assert_int_equal(res->n_reps, 0);
    assert_true(res->n_warnings >= 1);
    assert_string_equal(res->warnings[0].kind, "no_reps");
    fc_analysis_free(res);
    res = NULL;
    assert_int_equal(fc_analysis_run(&res, NULL, 0, &o, &squat_p, NULL, err, sizeof err), FC_EINVAL);
    assert_null(res);
    memset(two, 0, sizeof two);
    two[0].t_s = 1.0;
    two[1].t_s = 0.5;
    assert_int_equal(fc_analysis_run(&res, two, 2, &o, &squat_p, &lunge_p, err, sizeof err), FC_EINVAL);
    assert_non_null(strstr(err, "does not increase"));
    o.exercise = FC_EXERCISE_SQUAT;
    assert_int_equal(fc_analysis_run(&res, NULL, 0, &o, &lunge_p, NULL, err, sizeof err), FC_EINVAL);
    assert_non_null(strstr(err, "is for lunge"));
}

/* The camera turned from side to front between reps 3 and 4, and the person
 * was lost for 1 s: 6 reps, a camera_moved and a person_lost warning near
 * those times. Forcing "lunge" on squats warns exercise_mismatch. */
static void test_warnings(void **state)
{
    (void)state;
    ath_set a = squat_set(90, 3, 120), b = squat_set(0, 3, 120);
    size_t na = 0, nb = 0;
    fc_pose_result *sa = ath_series(&a, &na), *sb = ath_series(&b, &nb);
    fc_pose_result *all = malloc((na + nb) * sizeof *all);
    fc_analysis_opts o = fc_analysis_default_opts();
    fc_analysis_result *res = NULL;
    char err[FC_ERRBUF_SIZE];
    int moved = 0, lost = 0;

    memcpy(all, sa, na * sizeof *all);
    memcpy(all + na, sb, nb * sizeof *all);
    for (size_t i = na; i < na + nb; i++) {
        all[i].t_s += na / 30.0;
        all[i].frame += (int64_t)na;
    }
    for (size_t i = 0; i < na + nb; i++)
        if (all[i].t_s > 3.9 && all[i].t_s < 4.9)
            all[i].found = 0; /* between reps 1 and 2 */
    assert_int_equal(fc_analysis_run(&res, all, na + nb, &o, &squat_p, &lunge_p, err, sizeof err), 0);
    dump(res);
    assert_int_equal(res->n_reps, 6);
    for (size_t i = 0; i < res->n_warnings; i++) {
        if (!strcmp(res->warnings[i].kind, "camera_moved") && fabs(res->warnings[i].t_s - na / 30.0) < 3.0)
            moved++;
        if (!strcmp(res->warnings[i].kind, "person_lost") && fabs(res->warnings[i].t_s - 3.9) < 0.1 &&
            fabs(res->warnings[i].duration_s - 0.97) < 0.1)
            lost++;
    }
    assert_int_equal(moved, 1);
    assert_int_equal(lost, 1);
    fc_analysis_free(res);
    o.exercise = FC_EXERCISE_LUNGE;
    assert_int_equal(fc_analysis_run(&res, sa, na, &o, &squat_p, &lunge_p, err, sizeof err), 0);
    assert_int_equal(res->exercise, FC_EXERCISE_LUNGE);
    assert_string_equal(res->warnings[0].kind, "exercise_mismatch");
    fc_analysis_free(res);
    free(sa);
    free(sb);
    free(all);
}

/* Garbage in (random points, NANs, infinities, zero-size frames, repeated
 * frames): no crash, a result, and a report that builds. */
static void test_garbage(void **state)
{
    (void)state;
    enum { N = 400 };
    fc_pose_result *s = calloc(N, sizeof *s);
    fc_analysis_opts o = fc_analysis_default_opts();
    fc_analysis_result *res = NULL;
    char err[FC_ERRBUF_SIZE];
    unsigned seed = 99;

    for (int t = 0; t < N; t++) {
        s[t].frame = t;
        s[t].t_s = t / 30.0;
        s[t].width = t % 50 ? 640 : 0;
        s[t].height = 480;
        s[t].found = t % 7 != 0;
        for (int i = 0; i < FC_NUM_LANDMARKS; i++) {
            float v[8];
            for (int k = 0; k < 8; k++) {
                seed = seed * 1103515245u + 12345u;
                v[k] = (float)((seed >> 8) % 1000) - 200.0f;
            }
            if ((seed >> 3) % 97 == 0)
                v[0] = NAN;
            if ((seed >> 5) % 89 == 0)
                v[5] = INFINITY;
            s[t].lm[i] = (fc_landmark){v[0], v[1], v[2], (v[3] + 200) / 1000, (v[4] + 200) / 1000};
            s[t].world[i] = (fc_point3){v[5] / 500, v[6] / 500, v[7] / 500};
        }
    }
    for (int i = 0; i < 3; i++) {
        o.exercise = i;
        assert_int_equal(fc_analysis_run(&res, s, N, &o, &squat_p, &lunge_p, err, sizeof err), 0);
        assert_true(res->n_reps < 40);
        for (size_t r = 0; r < res->n_reps; r++)
            assert_true(res->reps[r].score >= 0 && res->reps[r].score <= 100);
        cJSON *rep = NULL;
        assert_int_equal(fc_report_build(&rep, res, s, N, NULL), 0);
        assert_int_equal(fc_report_validate(rep, "garbage", err, sizeof err), 0);
        cJSON_Delete(rep);
        fc_analysis_free(res);
    }
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_side_squats),      cmocka_unit_test(test_shallow_rep),
        cmocka_unit_test(test_front_valgus),     cmocka_unit_test(test_jitter_dropout),
        cmocka_unit_test(test_walk_pause_setup), cmocka_unit_test(test_heel_tempo),
        cmocka_unit_test(test_trunk_lean),       cmocka_unit_test(test_side_lunges),
        cmocka_unit_test(test_lunge_faults),     cmocka_unit_test(test_front_lunges),
        cmocka_unit_test(test_oblique_view),     cmocka_unit_test(test_empty_and_errors),
        cmocka_unit_test(test_warnings),         cmocka_unit_test(test_garbage),
    };
    return cmocka_run_group_tests(tests, load_profiles, NULL);
}
