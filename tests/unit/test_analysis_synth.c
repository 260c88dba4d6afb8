/* test_analysis_synth.c - the analyser against the synthetic athlete's ground
 * truth (tests/synth): rep counts, per-rep angles within 2 deg of the truth,
 * faults found when injected and only then, not_assessed by view, noise,
 * dropouts and walking in and out. */
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
#include "synth.h"

static fc_profile squat_p, lunge_p;

static int load_profiles(void **state)
{
    (void)state;
    const char *src = getenv("FC_SOURCE_DIR");
    char path[1024], err[FC_ERRBUF_SIZE];
    snprintf(path, sizeof path, "%s/models/form/squat.json", src ? src : ".");
    if (fc_profile_load(&squat_p, path, NULL, err, sizeof err) < 0)
        return fprintf(stderr, "%s\n", err), -1;
    snprintf(path, sizeof path, "%s/models/form/lunge.json", src ? src : ".");
    if (fc_profile_load(&lunge_p, path, NULL, err, sizeof err) < 0)
        return fprintf(stderr, "%s\n", err), -1;
    return 0;
}

typedef struct run {
    fc_analysis_result *res;
    fc_synth_rep_times times[FC_SYNTH_MAX_REPS];
    fc_synth_angles truth[FC_SYNTH_MAX_REPS]; /* at each rep's bottom */
} run;

typedef void (*edit_fn)(fc_pose_result *series, size_t n, const fc_synth_rep_times *times);

static void synth_run_edit(run *r, const fc_synth_scenario *sc, int exercise, edit_fn edit)
{
    int64_t n = fc_synth_frame_count(sc);
    fc_pose_result *series = calloc((size_t)n, sizeof *series);
    fc_synth_skeleton sk;
    fc_analysis_opts o = fc_analysis_default_opts();
    char err[FC_ERRBUF_SIZE];

    assert_non_null(series);
    for (int64_t i = 0; i < n; i++) {
        fc_synth_pose_at(&sk, sc, i / sc->cam.fps);
        fc_synth_keypoints(&series[i], sc, &sk, i);
    }
    fc_synth_timeline(r->times, sc);
    for (int i = 0; i < sc->nreps; i++) {
        fc_synth_pose_at(&sk, sc, r->times[i].bottom_s);
        fc_synth_measure_angles(&r->truth[i], sk.p, (fc_synth_vec3){0, 1, 0});
    }
    if (edit)
        edit(series, (size_t)n, r->times);
    o.exercise = exercise;
    r->res = NULL;
    assert_int_equal(fc_analysis_run(&r->res, series, (size_t)n, &o, &squat_p, &lunge_p, err, sizeof err), 0);
    free(series);
    if (getenv("FC_TEST_VERBOSE")) {
        const fc_analysis_result *res = r->res;
        fprintf(stderr, "view %s (%.0f) %s, %zu reps\n", fc_view_name(res->view), res->view_yaw_deg,
                fc_exercise_name(res->exercise), res->n_reps);
        for (size_t i = 0; i < res->n_reps; i++) {
            const fc_rep_result *p = &res->reps[i];
            const fc_synth_angles *t = i < (size_t)sc->nreps ? &r->truth[i] : &r->truth[0];
            fprintf(stderr, " rep %d %.2f/%.2f/%.2f (truth %.2f/%.2f/%.2f) knee %.1f/%.1f (%.1f/%.1f) thigh "
                            "%.1f/%.1f (%.1f/%.1f) trunk %.1f (%.1f) knee_in %.1f/%.1f (valgus %.1f/%.1f) lead %d score %.0f\n",
                    p->index, p->rep.start_s, p->rep.bottom_s, p->rep.end_s, r->times[i].start_s,
                    r->times[i].bottom_s, r->times[i].end_s, p->bottom.knee_flex_deg[0], p->bottom.knee_flex_deg[1],
                    t->knee_flexion_deg[0], t->knee_flexion_deg[1], p->bottom.thigh_deg[0], p->bottom.thigh_deg[1],
                    t->thigh_to_horizontal_deg[0], t->thigh_to_horizontal_deg[1], p->bottom.trunk_lean_deg,
                    t->trunk_lean_deg, p->bottom.knee_in_deg[0], p->bottom.knee_in_deg[1], t->knee_valgus_deg[0],
                    t->knee_valgus_deg[1], p->lead_leg, p->score);
            for (size_t k = 0; k < p->n_checks; k++)
                fprintf(stderr, "   %-16s %-12s %7.2f  %s\n", fc_check_name(p->checks[k].id),
                        fc_status_name(p->checks[k].status), p->checks[k].value, p->checks[k].cue);
        }
        for (size_t i = 0; i < res->n_warnings; i++)
            fprintf(stderr, " warning %.1f %s: %s\n", res->warnings[i].t_s, res->warnings[i].kind,
                    res->warnings[i].msg);
    }
}

static void synth_run(run *r, const fc_synth_scenario *sc, int exercise)
{
    synth_run_edit(r, sc, exercise, NULL);
}

static fc_status st(const run *r, size_t rep, fc_check_id id)
{
    const fc_check_result *c = fc_analysis_check(&r->res->reps[rep], id);
    assert_non_null(c);
    return c->status;
}

static void scenario(fc_synth_scenario *sc, int exercise, double azimuth, int nreps)
{
    fc_synth_default_scenario(sc);
    sc->exercise = exercise;
    sc->cam.azimuth_deg = azimuth;
    sc->nreps = nreps;
}

static void test_side_squats_truth(void **state)
{
    (void)state;
    fc_synth_scenario sc;
    run r;
    scenario(&sc, FC_SYNTH_SQUAT, 90, 5);
    synth_run(&r, &sc, FC_EXERCISE_AUTO);
    assert_int_equal(r.res->n_reps, 5);
    assert_int_equal(r.res->view, FC_VIEW_SIDE);
    assert_int_equal(r.res->exercise, FC_EXERCISE_SQUAT);
    for (size_t i = 0; i < 5; i++) {
        const fc_rep_result *p = &r.res->reps[i];
        for (int sd = 0; sd < 2; sd++) {
            assert_true(fabs(p->bottom.knee_flex_deg[sd] - r.truth[i].knee_flexion_deg[sd]) < 2.0);
            assert_true(fabs(p->bottom.thigh_deg[sd] - r.truth[i].thigh_to_horizontal_deg[sd]) < 2.0);
            assert_true(fabs(p->bottom.hip_flex_deg[sd] - r.truth[i].hip_flexion_deg[sd]) < 2.0);
        }
        assert_true(fabs(p->bottom.trunk_lean_deg - r.truth[i].trunk_lean_deg) < 2.0);
        assert_true(fabs(p->rep.bottom_s - r.times[i].bottom_s) < 0.25);
        assert_true(fabs(p->rep.start_s - r.times[i].start_s) < 0.3);
        assert_true(fabs(p->rep.end_s - r.times[i].end_s) < 0.3);
        assert_int_equal(st(&r, i, FC_CHECK_KNEE_VALGUS), FC_NOT_ASSESSED);
        assert_int_equal(st(&r, i, FC_CHECK_HIP_SHIFT), FC_NOT_ASSESSED);
    }
    fc_analysis_free(r.res);
}


/* Side view, one fault per rep: each is found on its rep and on no other. */
static void test_side_squat_faults(void **state)
{
    (void)state;
    fc_synth_scenario sc;
    run r;
    scenario(&sc, FC_SYNTH_SQUAT, 90, 5);
    for (int i = 0; i < 5; i++)
        sc.rep[i].depth_deg = 125;
    sc.rep[1].faults = FC_SYNTH_FAULT_SHALLOW;
    sc.rep[2].faults = FC_SYNTH_FAULT_FORWARD_LEAN;
    sc.rep[3].faults = FC_SYNTH_FAULT_HEEL_LIFT;
    sc.rep[4].descent_s = 0.35;
    synth_run(&r, &sc, FC_EXERCISE_SQUAT);
    assert_int_equal(r.res->n_reps, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_true(fabs(r.res->reps[i].bottom.knee_flex_deg[0] - r.truth[i].knee_flexion_deg[0]) < 2.0);
        assert_true(fabs(r.res->reps[i].bottom.trunk_lean_deg - r.truth[i].trunk_lean_deg) < 2.0);
        assert_int_equal(st(&r, i, FC_CHECK_DEPTH) == FC_PASS, i != 1);
        assert_int_equal(st(&r, i, FC_CHECK_TRUNK_LEAN) == FC_PASS, i != 2);
        assert_int_equal(st(&r, i, FC_CHECK_HEEL_LIFT) == FC_PASS, i != 3);
        assert_int_equal(st(&r, i, FC_CHECK_TEMPO) == FC_PASS, i != 4);
    }
    const fc_check_result *c = fc_analysis_check(&r.res->reps[1], FC_CHECK_DEPTH);
    assert_true(fabs(c->value - r.truth[1].thigh_to_horizontal_deg[0]) < 2.0);
    assert_non_null(strstr(c->cue, "Go deeper: thighs stopped"));
    fc_analysis_free(r.res);
}

/* Front view: valgus on rep 2 and hip shift on rep 4 are found there only;
 * trunk lean and heel lift are not assessed; depth is within 3 deg. */
static void test_front_squat_faults(void **state)
{
    (void)state;
    fc_synth_scenario sc;
    run r;
    scenario(&sc, FC_SYNTH_SQUAT, 0, 4);
    sc.rep[1].faults = FC_SYNTH_FAULT_VALGUS;
    sc.rep[3].faults = FC_SYNTH_FAULT_HIP_SHIFT;
    synth_run(&r, &sc, FC_EXERCISE_AUTO);
    assert_int_equal(r.res->n_reps, 4);
    assert_int_equal(r.res->view, FC_VIEW_FRONT);
    assert_int_equal(r.res->exercise, FC_EXERCISE_SQUAT);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(st(&r, i, FC_CHECK_TRUNK_LEAN), FC_NOT_ASSESSED);
        assert_int_equal(st(&r, i, FC_CHECK_HEEL_LIFT), FC_NOT_ASSESSED);
        assert_int_equal(st(&r, i, FC_CHECK_KNEE_VALGUS) == FC_PASS, i != 1);
        assert_int_equal(st(&r, i, FC_CHECK_HIP_SHIFT) == FC_PASS, i != 3);
        const fc_check_result *d = fc_analysis_check(&r.res->reps[i], FC_CHECK_DEPTH);
        assert_true(fabs(d->value - r.truth[i].thigh_to_horizontal_deg[0]) < 3.0);
        if (getenv("FC_TEST_VERBOSE"))
            fprintf(stderr, "fppa %.1f/%.1f truth %.1f/%.1f\n", r.res->reps[i].bottom.fppa_deg[0],
                    r.res->reps[i].bottom.fppa_deg[1], r.truth[i].knee_fppa_deg[0], r.truth[i].knee_fppa_deg[1]);
    }
    fc_analysis_free(r.res);
}

/* Forward lunges alternating legs, side view: lunge detected, lead legs as
 * the truth, front knee angle within 2 deg, good reps pass. */
static void test_side_lunges_truth(void **state)
{
    (void)state;
    fc_synth_scenario sc;
    run r;
    scenario(&sc, FC_SYNTH_LUNGE_FORWARD, 90, 4);
    for (int i = 0; i < 4; i++)
        sc.rep[i].depth_deg = 95;
    sc.rep[2].faults = FC_SYNTH_FAULT_FORWARD_LEAN;
    synth_run(&r, &sc, FC_EXERCISE_AUTO);
    assert_int_equal(r.res->exercise, FC_EXERCISE_LUNGE);
    assert_int_equal(r.res->n_reps, 4);
    for (size_t i = 0; i < 4; i++) {
        const fc_rep_result *p = &r.res->reps[i];
        int lead = sc.rep[i].side;
        assert_int_equal(p->lead_leg, lead);
        assert_true(fabs(p->bottom.knee_flex_deg[lead] - r.truth[i].knee_flexion_deg[lead]) < 2.0);
        assert_true(fabs(p->bottom.trunk_lean_deg - r.truth[i].trunk_lean_deg) < 2.0);
        assert_int_equal(st(&r, i, FC_CHECK_TORSO_UPRIGHT) == FC_PASS, i != 2);
        assert_int_equal(st(&r, i, FC_CHECK_KNEE_VALGUS), FC_NOT_ASSESSED);
    }
    assert_int_equal(r.res->summary.side_reps[0], 2);
    assert_int_equal(r.res->summary.side_reps[1], 2);
    fc_analysis_free(r.res);
}

/* Noise, 5% dropped frames, walking in and out: exactly the reps done, no
 * double counts, angles within 2 deg. noise_deg 3 gives the knee angle a
 * per-frame s.d. of about 3 deg, i.e. the spread of +-5 deg uniform jitter. */
static void test_noise_walk(void **state)
{
    (void)state;
    fc_synth_scenario sc;
    run r;
    scenario(&sc, FC_SYNTH_SQUAT, 90, 6);
    sc.noise_deg = 3;
    sc.noise_px = 2;
    sc.dropout = 0.05;
    sc.walk_in = sc.walk_out = 1;
    sc.rep[3].pause_s = 2.5;
    synth_run(&r, &sc, FC_EXERCISE_AUTO);
    assert_int_equal(r.res->n_reps, 6);
    for (size_t i = 0; i < 6; i++) {
        /* With a pause, any time in it is the bottom. */
        assert_true(r.res->reps[i].rep.bottom_s > r.times[i].bottom_start_s - 0.3);
        assert_true(r.res->reps[i].rep.bottom_s < r.times[i].bottom_end_s + 0.3);
        /* Under noise: the mean of the two knees within 2 deg. */
        double k = 0.5 * (r.res->reps[i].bottom.knee_flex_deg[0] + r.res->reps[i].bottom.knee_flex_deg[1]);
        assert_true(fabs(k - 0.5 * (r.truth[i].knee_flexion_deg[0] + r.truth[i].knee_flexion_deg[1])) < 2.0);
    }
    fc_analysis_free(r.res);
}

/* Partial reps (30% depth) are not counted. */
static void test_partial_not_counted(void **state)
{
    (void)state;
    fc_synth_scenario sc;
    run r;
    scenario(&sc, FC_SYNTH_SQUAT, 0, 5);
    sc.rep[0].faults = FC_SYNTH_FAULT_PARTIAL;
    sc.rep[4].faults = FC_SYNTH_FAULT_PARTIAL;
    synth_run(&r, &sc, FC_EXERCISE_AUTO);
    assert_int_equal(r.res->n_reps, 3);
    assert_true(fabs(r.res->reps[0].rep.bottom_s - r.times[1].bottom_s) < 0.3);
    fc_analysis_free(r.res);
}

/* Front-view forward lunges, alternating: lunge, lead legs as the truth,
 * back knee height judged, sagittal checks not assessed. */
static void test_front_lunges_truth(void **state)
{
    (void)state;
    fc_synth_scenario sc;
    run r;
    scenario(&sc, FC_SYNTH_LUNGE_FORWARD, 0, 4);
    sc.cam.distance_m = 4.2; /* far enough that the step forward stays in the frame */
    for (int i = 0; i < 4; i++)
        sc.rep[i].depth_deg = 95;
    sc.rep[1].faults = FC_SYNTH_FAULT_VALGUS;
    synth_run(&r, &sc, FC_EXERCISE_AUTO);
    assert_int_equal(r.res->view, FC_VIEW_FRONT);
    assert_int_equal(r.res->exercise, FC_EXERCISE_LUNGE);
    assert_int_equal(r.res->n_reps, 4);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(r.res->reps[i].lead_leg, sc.rep[i].side);
        assert_int_equal(st(&r, i, FC_CHECK_FRONT_KNEE_ANGLE), FC_NOT_ASSESSED);
        assert_int_equal(st(&r, i, FC_CHECK_TORSO_UPRIGHT), FC_NOT_ASSESSED);
        assert_int_not_equal(st(&r, i, FC_CHECK_BACK_KNEE_HEIGHT), FC_NOT_ASSESSED);
        assert_int_equal(st(&r, i, FC_CHECK_KNEE_VALGUS) == FC_PASS, i != 1);
    }
    fc_analysis_free(r.res);
}

static void test_oblique_truth(void **state)
{
    (void)state;
    fc_synth_scenario sc;
    run r;
    scenario(&sc, FC_SYNTH_SQUAT, 45, 3);
    synth_run(&r, &sc, FC_EXERCISE_AUTO);
    assert_int_equal(r.res->view, FC_VIEW_OBLIQUE);
    assert_int_equal(r.res->n_reps, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_true(fabs(r.res->reps[i].bottom.knee_flex_deg[1] - r.truth[i].knee_flexion_deg[1]) < 2.0);
        assert_int_equal(st(&r, i, FC_CHECK_KNEE_VALGUS), FC_NOT_ASSESSED);
    }
    fc_analysis_free(r.res);
}

/* A camera up high, tilted down 15 deg (BlazePose's world axes tilt with it):
 * angles still within 2 deg of the truth. */
static void test_tilted_camera(void **state)
{
    (void)state;
    fc_synth_scenario sc;
    run r;
    scenario(&sc, FC_SYNTH_SQUAT, 90, 3);
    sc.cam.height_m = 1.8;
    sc.cam.pitch_deg = 15;
    synth_run(&r, &sc, FC_EXERCISE_AUTO);
    assert_int_equal(r.res->n_reps, 3);
    assert_int_equal(r.res->view, FC_VIEW_SIDE);
    for (size_t i = 0; i < 3; i++) {
        const fc_rep_result *p = &r.res->reps[i];
        assert_true(fabs(p->bottom.knee_flex_deg[0] - r.truth[i].knee_flexion_deg[0]) < 2.0);
        assert_true(fabs(p->bottom.thigh_deg[0] - r.truth[i].thigh_to_horizontal_deg[0]) < 2.0);
        assert_true(fabs(p->bottom.trunk_lean_deg - r.truth[i].trunk_lean_deg) < 2.0);
    }
    fc_analysis_free(r.res);
}

/* BlazePose's side-view glitch: left and right legs labelled the other way
 * round for 5 frames at the bottom of rep 2. Repaired: lead legs and the
 * front knee angle as the truth. */
static void swap_glitch(fc_pose_result *s, size_t n, const fc_synth_rep_times *times)
{
    for (size_t i = 0; i < n; i++) {
        if (fabs(s[i].t_s - times[1].bottom_s) > 0.08)
            continue;
        for (int l = FC_LM_LEFT_HIP; l <= FC_LM_LEFT_FOOT_INDEX; l += 2) {
            fc_landmark a = s[i].lm[l];
            fc_point3 w = s[i].world[l];
            s[i].lm[l] = s[i].lm[l + 1];
            s[i].lm[l + 1] = a;
            s[i].world[l] = s[i].world[l + 1];
            s[i].world[l + 1] = w;
        }
    }
}

static void test_swap_glitch(void **state)
{
    (void)state;
    fc_synth_scenario sc;
    run r;
    scenario(&sc, FC_SYNTH_LUNGE_FORWARD, 90, 3);
    for (int i = 0; i < 3; i++)
        sc.rep[i].depth_deg = 95;
    synth_run_edit(&r, &sc, FC_EXERCISE_AUTO, swap_glitch);
    assert_int_equal(r.res->n_reps, 3);
    assert_true(r.res->clean.swaps_fixed >= 4);
    for (size_t i = 0; i < 3; i++) {
        int lead = sc.rep[i].side;
        assert_int_equal(r.res->reps[i].lead_leg, lead);
        assert_true(fabs(r.res->reps[i].bottom.knee_flex_deg[lead] - r.truth[i].knee_flexion_deg[lead]) < 2.0);
    }
    fc_analysis_free(r.res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_side_squats_truth),  cmocka_unit_test(test_side_squat_faults),
        cmocka_unit_test(test_front_squat_faults), cmocka_unit_test(test_side_lunges_truth),
        cmocka_unit_test(test_noise_walk),         cmocka_unit_test(test_partial_not_counted),
        cmocka_unit_test(test_oblique_truth),      cmocka_unit_test(test_front_lunges_truth),
        cmocka_unit_test(test_tilted_camera),      cmocka_unit_test(test_swap_glitch),
    };
    return cmocka_run_group_tests(tests, load_profiles, NULL);
}
