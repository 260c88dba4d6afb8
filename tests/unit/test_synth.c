/* test_synth.c - the synthetic athlete: truth vs its own keypoints, timing,
 * planted feet, rigid segments, projection, determinism, scenario errors. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formcheck/error.h"
#include "formcheck/keypoints.h"
#include "synth.h"

#define PI 3.14159265358979323846

typedef struct tmpfiles {
    char kp[64], truth[64];
} tmpfiles;

static void make_tmp(char *buf, size_t n, const char *stem)
{
    int fd;
    snprintf(buf, n, "/tmp/fc_synth_%s_XXXXXX", stem);
    fd = mkstemp(buf);
    assert_true(fd >= 0);
    close(fd);
}

static cJSON *load_json(const char *path)
{
    FILE *f = fopen(path, "rb");
    static char buf[1 << 20];
    size_t n;
    assert_non_null(f);
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return cJSON_Parse(buf);
}

static double num(const cJSON *o, const char *key)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
    assert_true(cJSON_IsNumber(it));
    return it->valuedouble;
}

/* angle at b between b->a and b->c, degrees, from float points (3D or z = 0) */
static double angle3(const double a[3], const double b[3], const double c[3])
{
    double u[3], v[3], d = 0, nu = 0, nv = 0;
    for (int i = 0; i < 3; i++) {
        u[i] = a[i] - b[i];
        v[i] = c[i] - b[i];
        d += u[i] * v[i];
        nu += u[i] * u[i];
        nv += v[i] * v[i];
    }
    return acos(fmax(-1, fmin(1, d / sqrt(nu * nv)))) * 180 / PI;
}

static void wpt(double out[3], const fc_pose_result *r, int id)
{
    out[0] = r->world[id].x;
    out[1] = r->world[id].y;
    out[2] = r->world[id].z;
}

static void ipt(double out[3], const fc_pose_result *r, int id)
{
    out[0] = r->lm[id].x;
    out[1] = r->lm[id].y;
    out[2] = 0;
}

static void write_both(tmpfiles *t, const fc_synth_scenario *sc)
{
    char err[FC_ERRBUF_SIZE];
    make_tmp(t->kp, sizeof t->kp, "kp");
    make_tmp(t->truth, sizeof t->truth, "truth");
    assert_int_equal(fc_synth_write_keypoints(t->kp, sc, err, sizeof err), 0);
    assert_int_equal(fc_synth_write_truth(t->truth, sc, err, sizeof err), 0);
}

/* A side-view squat set whose legs move in sagittal planes (feet under the hips,
 * no toe-out): the near leg's 2D angle is then its true angle. */
static void sagittal_squats(fc_synth_scenario *sc)
{
    double seg[7];
    fc_synth_default_scenario(sc);
    fc_synth_segments(seg, sc);
    sc->nreps = 3;
    sc->body.toe_out_deg = 0;
    sc->body.stance_width_m = seg[4];
    sc->rep[1].faults = FC_SYNTH_FAULT_SHALLOW;
    sc->rep[2].faults = FC_SYNTH_FAULT_FORWARD_LEAN;
}

/* The truth file's bottom angles equal those measured on its own keypoints:
 * world landmarks (3D) and the near leg in the side view (2D pixels). */
static void test_truth_matches_keypoints(void **state)
{
    fc_synth_scenario sc;
    tmpfiles t;
    fc_pose_result *kp = NULL;
    size_t n = 0;
    char err[FC_ERRBUF_SIZE];
    cJSON *truth, *rep;
    (void)state;

    sagittal_squats(&sc);
    write_both(&t, &sc);
    assert_int_equal(fc_keypoints_load(&kp, &n, t.kp, err, sizeof err), 0);
    assert_int_equal((int64_t)n, fc_synth_frame_count(&sc));
    truth = load_json(t.truth);
    assert_non_null(truth);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(truth, "reps")), 3);
    cJSON_ArrayForEach(rep, cJSON_GetObjectItem(truth, "reps")) {
        const cJSON *b = cJSON_GetObjectItem(rep, "bottom");
        const fc_pose_result *r = &kp[(size_t)num(rep, "bottom_frame")];
        double h[3], k[3], a[3], s[3], h2[3], s2[3], up[3] = {0, -1, 0}, o[3] = {0, 0, 0};
        double lean;

        assert_int_equal(r->found, 1);
        for (int side = 0; side < 2; side++) {
            int L = side == 0;
            wpt(h, r, L ? FC_LM_LEFT_HIP : FC_LM_RIGHT_HIP);
            wpt(k, r, L ? FC_LM_LEFT_KNEE : FC_LM_RIGHT_KNEE);
            wpt(a, r, L ? FC_LM_LEFT_ANKLE : FC_LM_RIGHT_ANKLE);
            wpt(s, r, L ? FC_LM_LEFT_SHOULDER : FC_LM_RIGHT_SHOULDER);
            assert_float_equal(180 - angle3(h, k, a), num(b, L ? "knee_flexion_left_deg" : "knee_flexion_right_deg"),
                               0.02);
            assert_float_equal(180 - angle3(s, h, k), num(b, L ? "hip_flexion_left_deg" : "hip_flexion_right_deg"),
                               0.02);
        }
        /* trunk lean: hip mid -> shoulder mid vs up; world y is down with a level camera */
        wpt(h, r, FC_LM_LEFT_HIP);
        wpt(h2, r, FC_LM_RIGHT_HIP);
        wpt(s, r, FC_LM_LEFT_SHOULDER);
        wpt(s2, r, FC_LM_RIGHT_SHOULDER);
        for (int i = 0; i < 3; i++)
            s[i] = 0.5 * (s[i] + s2[i]) - 0.5 * (h[i] + h2[i]);
        lean = angle3(s, o, up);
        assert_float_equal(lean, num(b, "trunk_lean_deg"), 0.02);

        /* 2D side view: camera at the person's left, so the left leg is the near one */
        ipt(h, r, FC_LM_LEFT_HIP);
        ipt(k, r, FC_LM_LEFT_KNEE);
        ipt(a, r, FC_LM_LEFT_ANKLE);
        ipt(s, r, FC_LM_LEFT_SHOULDER);
        assert_float_equal(180 - angle3(h, k, a), num(b, "knee_flexion_left_deg"), 0.05);
        /* the shoulder sits ~6 cm further out than the hip, so perspective bends these slightly */
        assert_float_equal(180 - angle3(s, h, k), num(b, "hip_flexion_left_deg"), 1.5);
        s[0] -= h[0];
        s[1] -= h[1];
        assert_float_equal(atan2(fabs(s[0]), -s[1]) * 180 / PI, num(b, "trunk_lean_deg"), 1.5);
    }
    /* the faults did what they say: shallow rep 2, more lean on rep 3 */
    {
        const cJSON *r1 = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(truth, "reps"), 0), "bottom");
        const cJSON *r2 = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(truth, "reps"), 1), "bottom");
        const cJSON *r3 = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(truth, "reps"), 2), "bottom");
        assert_float_equal(num(r1, "knee_flexion_left_deg"), 115, 0.5);
        assert_float_equal(num(r2, "knee_flexion_left_deg"), 115 * 0.55, 0.5);
        assert_true(num(r3, "trunk_lean_deg") > num(r1, "trunk_lean_deg") + 20);
        assert_non_null(cJSON_GetObjectItem(r1, "thigh_to_horizontal_left_deg"));
    }
    cJSON_Delete(truth);
    free(kp);
    unlink(t.kp);
    unlink(t.truth);
}

/* Rep times in the truth file follow the scenario's tempo, and the knee angle
 * measured on the keypoints peaks inside the bottom pause. */
static void test_rep_times(void **state)
{
    fc_synth_scenario sc;
    tmpfiles t;
    fc_pose_result *kp = NULL;
    size_t n = 0;
    char err[FC_ERRBUF_SIZE];
    cJSON *truth, *rep;
    int i = 0;
    (void)state;

    fc_synth_default_scenario(&sc);
    sc.nreps = 4;
    sc.rep[2].pause_s = 1.0;
    sc.rep[3].descent_s = 2.0;
    write_both(&t, &sc);
    assert_int_equal(fc_keypoints_load(&kp, &n, t.kp, err, sizeof err), 0);
    truth = load_json(t.truth);
    {
        double start = sc.lead_in_s;
        cJSON_ArrayForEach(rep, cJSON_GetObjectItem(truth, "reps")) {
            const fc_synth_rep *r = &sc.rep[i];
            double bottom = start + r->descent_s + r->pause_s / 2, end = start + r->descent_s + r->pause_s + r->ascent_s;
            double best = -1;
            int64_t best_f = -1, f0 = (int64_t)num(rep, "start_frame"), f1 = (int64_t)num(rep, "end_frame");

            assert_float_equal(num(rep, "start_s"), start, 1e-3);
            assert_float_equal(num(rep, "bottom_s"), bottom, 1e-3);
            assert_float_equal(num(rep, "end_s"), end, 1e-3);
            assert_true(fabs(f0 - start * sc.cam.fps) <= 0.5 + 1e-6);
            assert_true(fabs(num(rep, "bottom_frame") - bottom * sc.cam.fps) <= 0.5 + 1e-6);
            for (int64_t f = f0; f <= f1; f++) {
                double h[3], k[3], a[3], flex;
                wpt(h, &kp[f], FC_LM_LEFT_HIP);
                wpt(k, &kp[f], FC_LM_LEFT_KNEE);
                wpt(a, &kp[f], FC_LM_LEFT_ANKLE);
                flex = 180 - angle3(h, k, a);
                if (flex > best + 1e-6) {
                    best = flex;
                    best_f = f;
                }
                if (f == f0 || f == f1)
                    assert_true(flex < 6); /* standing at both ends */
            }
            assert_true(best_f / sc.cam.fps >= num(rep, "bottom_start_s") - 1.0 / sc.cam.fps);
            assert_true(best_f / sc.cam.fps <= num(rep, "bottom_end_s") + 1.0 / sc.cam.fps);
            start = end + r->rest_s;
            i++;
        }
    }
    assert_int_equal(i, 4);
    cJSON_Delete(truth);
    free(kp);
    unlink(t.kp);
    unlink(t.truth);
}

/* Feet stay planted through a squat set (toes and ankles fixed; heels only rise
 * on the heel-lift rep) and segment lengths never change, also in lunges and walks. */
static void test_feet_and_segments(void **state)
{
    static const int seg_pairs[][2] = {
        {FC_LM_LEFT_HIP, FC_LM_LEFT_KNEE},         {FC_LM_RIGHT_HIP, FC_LM_RIGHT_KNEE},
        {FC_LM_LEFT_KNEE, FC_LM_LEFT_ANKLE},       {FC_LM_RIGHT_KNEE, FC_LM_RIGHT_ANKLE},
        {FC_LM_LEFT_SHOULDER, FC_LM_LEFT_ELBOW},   {FC_LM_RIGHT_SHOULDER, FC_LM_RIGHT_ELBOW},
        {FC_LM_LEFT_ELBOW, FC_LM_LEFT_WRIST},      {FC_LM_RIGHT_ELBOW, FC_LM_RIGHT_WRIST},
        {FC_LM_LEFT_HIP, FC_LM_RIGHT_HIP},         {FC_LM_LEFT_SHOULDER, FC_LM_RIGHT_SHOULDER},
        {FC_LM_LEFT_EYE, FC_LM_RIGHT_EAR},
    };
    fc_synth_scenario sc;
    fc_synth_skeleton sk, sk0;
    double seg[7], len0[11];
    (void)state;

    for (int ex = 0; ex < 4; ex++) {
        fc_synth_default_scenario(&sc);
        sc.exercise = (fc_synth_exercise)ex;
        sc.nreps = 3;
        sc.body.limb_sd = 0.04;
        sc.seed = 7 + ex;
        sc.rep[1].faults = FC_SYNTH_FAULT_HEEL_LIFT | FC_SYNTH_FAULT_VALGUS | FC_SYNTH_FAULT_HIP_SHIFT;
        sc.rep[2].faults = FC_SYNTH_FAULT_ASYMMETRIC | FC_SYNTH_FAULT_KNEES_PAST_TOES;
        sc.walk_in = sc.walk_out = ex == 1;
        for (int i = 0; ex != FC_SYNTH_SQUAT && i < 3; i++)
            sc.rep[i].depth_deg = 105;
        assert_int_equal(fc_synth_scenario_check(&sc, NULL, 0), 0);
        fc_synth_segments(seg, &sc);
        fc_synth_pose_at(&sk0, &sc, 0);
        for (int i = 0; i < 11; i++)
            len0[i] = sqrt(pow(sk0.p[seg_pairs[i][0]].x - sk0.p[seg_pairs[i][1]].x, 2) +
                           pow(sk0.p[seg_pairs[i][0]].y - sk0.p[seg_pairs[i][1]].y, 2) +
                           pow(sk0.p[seg_pairs[i][0]].z - sk0.p[seg_pairs[i][1]].z, 2));
        assert_float_equal(len0[0], seg[0], 1e-9);
        assert_float_equal(len0[2], seg[1], 1e-9);
        assert_float_equal(len0[4], seg[2], 1e-9);
        assert_float_equal(len0[6], seg[3], 1e-9);
        for (int64_t f = 0; f < fc_synth_frame_count(&sc); f++) {
            double t = f / sc.cam.fps;
            fc_synth_pose_at(&sk, &sc, t);
            for (int i = 0; i < 11; i++) {
                double l = sqrt(pow(sk.p[seg_pairs[i][0]].x - sk.p[seg_pairs[i][1]].x, 2) +
                                pow(sk.p[seg_pairs[i][0]].y - sk.p[seg_pairs[i][1]].y, 2) +
                                pow(sk.p[seg_pairs[i][0]].z - sk.p[seg_pairs[i][1]].z, 2));
                assert_float_equal(l, len0[i], 1e-6);
            }
            for (int i = 0; i < FC_NUM_LANDMARKS; i++)
                assert_true(sk.p[i].y > -1e-9); /* nothing below the floor */
            if (ex != FC_SYNTH_SQUAT)
                continue;
            for (int id = FC_LM_LEFT_FOOT_INDEX; id <= FC_LM_RIGHT_FOOT_INDEX; id++) {
                assert_float_equal(sk.p[id].x, sk0.p[id].x, 1e-9);
                assert_float_equal(sk.p[id].y, sk0.p[id].y, 1e-9);
                assert_float_equal(sk.p[id].z, sk0.p[id].z, 1e-9);
            }
            if (sk.rep != 1) {
                for (int id = FC_LM_LEFT_ANKLE; id <= FC_LM_RIGHT_HEEL; id++) {
                    assert_float_equal(sk.p[id].y, sk0.p[id].y, 1e-9);
                    assert_float_equal(sk.p[id].x, sk0.p[id].x, 1e-9);
                }
            }
        }
    }
}

/* A known point projects to the pixel the pinhole model says. */
static void test_projection(void **state)
{
    fc_synth_scenario sc;
    fc_synth_view v;
    double u, px, d, f = 320 / tan(30 * PI / 180);
    (void)state;

    fc_synth_default_scenario(&sc);
    sc.cam.azimuth_deg = 0; /* in front */
    fc_synth_view_at(&v, &sc, 0);
    assert_float_equal(v.focal_px, f, 1e-9);
    assert_int_equal(fc_synth_project(&u, &px, &d, &v, (fc_synth_vec3){0, 1.0, 0}), 0);
    assert_float_equal(u, 320, 1e-9);
    assert_float_equal(px, 240, 1e-9);
    assert_float_equal(d, 3.1, 1e-9);
    /* 0.5 m up, and 0.5 m to the person's left (-z): image right in a front view */
    fc_synth_project(&u, &px, &d, &v, (fc_synth_vec3){0, 1.5, -0.5});
    assert_float_equal(u, 320 + f * 0.5 / 3.1, 1e-9);
    assert_float_equal(px, 240 - f * 0.5 / 3.1, 1e-9);
    sc.cam.mirror = 1;
    fc_synth_view_at(&v, &sc, 0);
    fc_synth_project(&u, &px, &d, &v, (fc_synth_vec3){0, 1.5, -0.5});
    assert_float_equal(u, 320 - f * 0.5 / 3.1, 1e-9);
    /* side view from the person's left: forward (+x) is image left */
    sc.cam.mirror = 0;
    sc.cam.azimuth_deg = 90;
    fc_synth_view_at(&v, &sc, 0);
    fc_synth_project(&u, &px, &d, &v, (fc_synth_vec3){0.5, 1.0, 0});
    assert_float_equal(u, 320 - f * 0.5 / 3.1, 1e-9);
    assert_float_equal(px, 240, 1e-9);
    /* behind the camera */
    assert_int_equal(fc_synth_project(&u, &px, &d, &v, (fc_synth_vec3){0, 1, -4}), -1);
}

static int files_equal(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int ca, cb, eq = fa && fb;
    while (eq) {
        ca = fgetc(fa);
        cb = fgetc(fb);
        if (ca != cb)
            eq = 0;
        if (ca == EOF || cb == EOF)
            break;
    }
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return eq;
}

/* Same seed, same bytes (noise and dropout included); another seed differs. */
static void test_deterministic(void **state)
{
    fc_synth_scenario sc;
    tmpfiles a, b;
    fc_pose_result *kp = NULL;
    size_t n = 0, lost = 0;
    char err[FC_ERRBUF_SIZE];
    (void)state;

    fc_synth_default_scenario(&sc);
    sc.nreps = 2;
    sc.noise_deg = 2;
    sc.noise_px = 1;
    sc.dropout = 0.2;
    sc.cam.shake_deg = 0.5;
    sc.body.limb_sd = 0.03;
    sc.seed = 42;
    write_both(&a, &sc);
    write_both(&b, &sc);
    assert_true(files_equal(a.kp, b.kp));
    assert_true(files_equal(a.truth, b.truth));
    assert_int_equal(fc_keypoints_load(&kp, &n, a.kp, err, sizeof err), 0);
    for (size_t i = 0; i < n; i++)
        lost += !kp[i].found;
    assert_true(lost > n / 10 && lost < n * 3 / 10);
    free(kp);
    unlink(b.kp);
    unlink(b.truth);
    sc.seed = 43;
    write_both(&b, &sc);
    assert_false(files_equal(a.kp, b.kp));
    unlink(a.kp);
    unlink(a.truth);
    unlink(b.kp);
    unlink(b.truth);
}

/* Lunges: the lead knee reaches the asked depth, the rear heel is up, the lead
 * leg alternates as asked, and the lead foot stays put during the rep. */
static void test_lunge(void **state)
{
    fc_synth_scenario sc;
    fc_synth_rep_times tm[FC_SYNTH_MAX_REPS];
    fc_synth_skeleton sk;
    fc_synth_angles an;
    (void)state;

    fc_synth_default_scenario(&sc);
    sc.exercise = FC_SYNTH_LUNGE_FORWARD;
    sc.nreps = 2;
    sc.rep[0].depth_deg = sc.rep[1].depth_deg = 90;
    fc_synth_timeline(tm, &sc);
    for (int i = 0; i < 2; i++) {
        int lead = sc.rep[i].side, rear = 1 - lead;
        int toe = lead == FC_SYNTH_LEFT ? FC_LM_LEFT_ANKLE : FC_LM_RIGHT_ANKLE;
        fc_synth_skeleton a;
        fc_synth_pose_at(&sk, &sc, tm[i].bottom_s);
        fc_synth_measure_angles(&an, sk.p, (fc_synth_vec3){0, 1, 0});
        assert_int_equal(lead, i % 2);
        assert_float_equal(an.knee_flexion_deg[lead], 90, 0.5);
        assert_true(an.knee_flexion_deg[rear] > 60);
        assert_true(an.foot_pitch_deg[rear] > 20);
        assert_true(an.foot_pitch_deg[lead] < 5);
        assert_true(an.trunk_lean_deg < 20);
        fc_synth_pose_at(&a, &sc, tm[i].descent_s);
        assert_float_equal(a.p[toe].x, sk.p[toe].x, 1e-9);
        assert_float_equal(a.p[toe].y, sk.p[toe].y, 1e-9);
        assert_true(sk.p[toe].x > 0.5); /* stepped forward */
    }
}

/* Each fault changes the measure it names, at the bottom, against a clean rep. */
static void test_faults(void **state)
{
    static const unsigned faults[] = {FC_SYNTH_FAULT_VALGUS, FC_SYNTH_FAULT_HEEL_LIFT, FC_SYNTH_FAULT_HIP_SHIFT,
                                      FC_SYNTH_FAULT_ASYMMETRIC, FC_SYNTH_FAULT_KNEES_PAST_TOES,
                                      FC_SYNTH_FAULT_FORWARD_LEAN, FC_SYNTH_FAULT_PARTIAL, FC_SYNTH_FAULT_SHALLOW};
    fc_synth_scenario sc;
    fc_synth_rep_times tm[FC_SYNTH_MAX_REPS];
    fc_synth_skeleton sk;
    fc_synth_angles clean, a;
    (void)state;

    fc_synth_default_scenario(&sc);
    sc.nreps = 9;
    for (int i = 0; i < 8; i++) {
        sc.rep[i + 1].faults = faults[i];
        sc.rep[i + 1].side = FC_SYNTH_RIGHT;
    }
    fc_synth_timeline(tm, &sc);
    fc_synth_pose_at(&sk, &sc, tm[0].bottom_s);
    fc_synth_measure_angles(&clean, sk.p, (fc_synth_vec3){0, 1, 0});
    assert_float_equal(clean.knee_flexion_deg[0], 115, 0.01);
    assert_float_equal(clean.hip_shift_m, 0, 1e-9);
    for (int i = 0; i < 8; i++) {
        fc_synth_pose_at(&sk, &sc, tm[i + 1].bottom_s);
        assert_int_equal(sk.rep, i + 1);
        fc_synth_measure_angles(&a, sk.p, (fc_synth_vec3){0, 1, 0});
        switch (faults[i]) {
        case FC_SYNTH_FAULT_VALGUS:
            assert_true(a.knee_valgus_deg[0] > clean.knee_valgus_deg[0] + 15);
            assert_true(a.knee_fppa_deg[1] > 0 && clean.knee_fppa_deg[1] < 0);
            assert_true(a.knee_ankle_width_ratio < 0.8 && clean.knee_ankle_width_ratio > 1);
            break;
        case FC_SYNTH_FAULT_HEEL_LIFT:
            assert_true(a.foot_pitch_deg[0] > clean.foot_pitch_deg[0] + 10);
            break;
        case FC_SYNTH_FAULT_HIP_SHIFT: /* towards the rep's side: right = negative */
            assert_true(a.hip_shift_m < -0.06);
            break;
        case FC_SYNTH_FAULT_ASYMMETRIC: /* the right hip drops: right knee bends more */
            assert_true(a.knee_flexion_deg[1] > a.knee_flexion_deg[0] + 5);
            break;
        case FC_SYNTH_FAULT_KNEES_PAST_TOES:
            assert_true(a.knee_past_toe_m[0] > clean.knee_past_toe_m[0] + 0.05);
            break;
        case FC_SYNTH_FAULT_FORWARD_LEAN:
            assert_true(a.trunk_lean_deg > clean.trunk_lean_deg + 20);
            break;
        case FC_SYNTH_FAULT_PARTIAL:
            assert_true(a.knee_flexion_deg[0] < 0.3 * 115 + 1);
            break;
        default:
            assert_float_equal(a.knee_flexion_deg[0], 0.55 * 115, 0.5);
            assert_true(a.thigh_to_horizontal_deg[0] > clean.thigh_to_horizontal_deg[0] + 25);
        }
    }
}

/* A mirrored camera shows the mirror-image person: labels swap, x flips. */
static void test_mirror(void **state)
{
    fc_synth_scenario sc, mir;
    fc_synth_skeleton sk;
    fc_pose_result a, b;
    tmpfiles t;
    cJSON *truth;
    (void)state;

    fc_synth_default_scenario(&sc);
    sc.exercise = FC_SYNTH_LUNGE_FORWARD;
    sc.nreps = 1;
    sc.rep[0].depth_deg = 90;
    sc.rep[0].side = FC_SYNTH_LEFT;
    sc.cam.azimuth_deg = 30;
    mir = sc;
    mir.cam.mirror = 1;
    fc_synth_pose_at(&sk, &sc, 2.0);
    fc_synth_keypoints(&a, &sc, &sk, 60);
    fc_synth_keypoints(&b, &mir, &sk, 60);
    for (int i = 0; i < FC_NUM_LANDMARKS; i++) {
        int m = fc_landmark_mirror(i);
        assert_float_equal(b.lm[i].x, sc.cam.width - a.lm[m].x, 1e-3);
        assert_float_equal(b.lm[i].y, a.lm[m].y, 1e-3);
        assert_float_equal(b.world[i].x, -a.world[m].x, 1e-6);
        assert_float_equal(b.world[i].z, a.world[m].z, 1e-6);
    }
    write_both(&t, &mir);
    truth = load_json(t.truth);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(truth, "reps"), 0), "lead")->valuestring,
                        "right");
    cJSON_Delete(truth);
    unlink(t.kp);
    unlink(t.truth);
}

static void test_scenario_errors(void **state)
{
    fc_synth_scenario sc;
    char err[FC_ERRBUF_SIZE], path[64];
    FILE *f;
    (void)state;

    fc_synth_default_scenario(&sc);
    assert_int_equal(fc_synth_scenario_check(&sc, err, sizeof err), 0);
    sc.rep[0].depth_deg = 200;
    assert_int_equal(fc_synth_scenario_check(&sc, err, sizeof err), FC_EINVAL);
    assert_non_null(strstr(err, "depth_deg"));
    fc_synth_default_scenario(&sc);
    sc.cam.width = 641;
    assert_int_equal(fc_synth_scenario_check(&sc, err, sizeof err), FC_EINVAL);

    make_tmp(path, sizeof path, "scn");
    f = fopen(path, "w");
    fputs("{\"exercise\":\"lunge_reverse\",\"reps\":[{\"side\":\"right\",\"faults\":[\"valgus\"]},"
          "{\"depth_deg\":70}],\"camera\":{\"azimuth_deg\":0}}",
          f);
    fclose(f);
    fc_synth_default_scenario(&sc);
    assert_int_equal(fc_synth_scenario_load(&sc, path, err, sizeof err), 0);
    assert_int_equal(sc.exercise, FC_SYNTH_LUNGE_REVERSE);
    assert_int_equal(sc.nreps, 2);
    assert_int_equal(sc.rep[0].side, FC_SYNTH_RIGHT);
    assert_int_equal(sc.rep[0].faults, FC_SYNTH_FAULT_VALGUS);
    assert_float_equal(sc.rep[1].depth_deg, 70, 1e-12);
    assert_float_equal(sc.cam.azimuth_deg, 0, 1e-12);
    f = fopen(path, "w");
    fputs("{\"reps\":[{\"faults\":[\"wobbly\"]}]}", f);
    fclose(f);
    assert_int_equal(fc_synth_scenario_load(&sc, path, err, sizeof err), FC_EINVAL);
    assert_non_null(strstr(err, path));
    f = fopen(path, "w");
    fputs("{\"camera\":{\"fps\":\"fast\"}}", f);
    fclose(f);
    assert_int_equal(fc_synth_scenario_load(&sc, path, err, sizeof err), FC_EINVAL);
    assert_non_null(strstr(err, "fps"));
    unlink(path);
    assert_int_equal(fc_synth_scenario_load(&sc, path, err, sizeof err), FC_ENOENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_truth_matches_keypoints),
        cmocka_unit_test(test_rep_times),
        cmocka_unit_test(test_feet_and_segments),
        cmocka_unit_test(test_projection),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_lunge),
        cmocka_unit_test(test_faults),
        cmocka_unit_test(test_mirror),
        cmocka_unit_test(test_scenario_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
