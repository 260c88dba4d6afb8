/* synth_truth.c - body angles measured on the 33 points, and the truth file. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formcheck/atomicfile.h"
#include "formcheck/error.h"
#include "synth_internal.h"

/* Signed angle of vector a above the horizontal plane (normal `up`), degrees. */
static double elevation(v3 a, v3 up)
{
    return rad2deg(asin(clampd(v3dot(a, up) / (v3len(a) + 1e-300), -1, 1)));
}

static v3 flat(v3 a, v3 n)
{
    return v3sub(a, v3scale(n, v3dot(a, n)));
}

void fc_synth_measure_angles(fc_synth_angles *o, const fc_synth_vec3 p[FC_NUM_LANDMARKS], fc_synth_vec3 up)
{
    v3 hipm = v3scale(v3add(p[FC_LM_LEFT_HIP], p[FC_LM_RIGHT_HIP]), 0.5);
    v3 shm = v3scale(v3add(p[FC_LM_LEFT_SHOULDER], p[FC_LM_RIGHT_SHOULDER]), 0.5);
    v3 ankm = v3scale(v3add(p[FC_LM_LEFT_ANKLE], p[FC_LM_RIGHT_ANKLE]), 0.5);
    v3 left = v3norm(flat(v3sub(p[FC_LM_LEFT_HIP], p[FC_LM_RIGHT_HIP]), up));
    v3 fwd = v3norm(v3cross(left, up));
    v3 trunk = v3sub(shm, hipm);

    memset(o, 0, sizeof *o);
    o->trunk_lean_deg = v3angle(trunk, up) * (v3dot(trunk, fwd) >= 0 ? 1 : -1);
    o->hip_shift_m = v3dot(v3sub(hipm, ankm), left);
    o->knee_ankle_width_ratio = v3dot(v3sub(p[FC_LM_LEFT_KNEE], p[FC_LM_RIGHT_KNEE]), left) /
                                (v3dot(v3sub(p[FC_LM_LEFT_ANKLE], p[FC_LM_RIGHT_ANKLE]), left) + 1e-300);
    for (int side = 0; side < 2; side++) {
        int L = side == FC_SYNTH_LEFT;
        v3 sh = p[L ? FC_LM_LEFT_SHOULDER : FC_LM_RIGHT_SHOULDER];
        v3 hip = p[L ? FC_LM_LEFT_HIP : FC_LM_RIGHT_HIP];
        v3 knee = p[L ? FC_LM_LEFT_KNEE : FC_LM_RIGHT_KNEE];
        v3 ank = p[L ? FC_LM_LEFT_ANKLE : FC_LM_RIGHT_ANKLE];
        v3 heel = p[L ? FC_LM_LEFT_HEEL : FC_LM_RIGHT_HEEL];
        v3 toe = p[L ? FC_LM_LEFT_FOOT_INDEX : FC_LM_RIGHT_FOOT_INDEX];
        v3 shank = v3sub(knee, ank), thigh = v3sub(hip, knee);
        v3 medial = v3scale(left, L ? -1 : 1);
        v3 fh = flat(hip, fwd), fk = flat(knee, fwd), fa = flat(ank, fwd);
        v3 axis = v3sub(fa, fh), kn = v3sub(fk, fh);
        double fppa = 180 - v3angle(v3sub(fh, fk), v3sub(fa, fk));
        /* knee medial of the hip-ankle line in the frontal plane: valgus (+) */
        double med = v3dot(v3sub(kn, v3scale(axis, v3dot(kn, axis) / (v3dot(axis, axis) + 1e-300))), medial);

        o->knee_flexion_deg[side] = 180 - v3angle(v3sub(hip, knee), v3sub(ank, knee));
        o->hip_flexion_deg[side] = 180 - v3angle(v3sub(sh, hip), v3sub(knee, hip));
        o->shank_tilt_deg[side] = v3angle(shank, up) * (v3dot(shank, fwd) >= 0 ? 1 : -1);
        o->thigh_to_horizontal_deg[side] = elevation(thigh, up);
        o->knee_fppa_deg[side] = med >= 0 ? fppa : -fppa;
        {
            /* where the knee bends to, away from the hip-ankle line, vs where the foot points */
            v3 ha = v3sub(ank, hip), hk = v3sub(knee, hip);
            v3 off = flat(v3sub(hk, v3scale(ha, v3dot(hk, ha) / (v3dot(ha, ha) + 1e-300))), up);
            v3 foot = v3norm(flat(v3sub(toe, heel), up));
            double ang = rad2deg(atan2(v3dot(off, medial), v3dot(off, foot)));
            o->knee_valgus_deg[side] = v3len(off) > 1e-4 ? ang : 0;
        }
        o->foot_pitch_deg[side] = elevation(v3sub(heel, toe), up);
        o->knee_past_toe_m[side] = v3dot(v3sub(knee, toe), fwd);
    }
}

static const char *const angle_doc[][2] = {
    {"knee_flexion_deg", "180 - angle(hip, knee, ankle) in 3D; 0 = straight leg"},
    {"hip_flexion_deg", "180 - angle(shoulder, hip, knee) in 3D, same side; 0 = standing straight"},
    {"shank_tilt_deg", "angle of ankle->knee to vertical, + when the knee is ahead of the ankle"},
    {"thigh_to_horizontal_deg", "angle of knee->hip above the horizontal; 0 = thigh parallel to the floor, < 0 = below parallel"},
    {"knee_valgus_deg", "horizontal direction in which the knee leaves the hip-ankle line, relative to the foot's direction (heel->foot_index); + = towards the midline (valgus); 0 when the leg is straight"},
    {"knee_fppa_deg", "frontal-plane projection angle: 180 - angle(hip, knee, ankle) after projecting onto the plane normal to the person's horizontal forward (left hip - right hip, crossed with up); + = knee medial of the hip-ankle line. Large in deep squats with toe-out even without valgus"},
    {"knee_ankle_width_ratio", "knee separation / ankle separation along the person's left; < 1 = knees closer than ankles"},
    {"foot_pitch_deg", "angle of foot_index->heel above the horizontal; grows with heel lift"},
    {"heel_lift_m", "height of the heel landmark above where it is with the foot flat"},
    {"knee_height_m", "height of the knee joint centre above the floor"},
    {"knee_past_toe_m", "(knee - foot_index) along the person's horizontal forward; + = knee ahead of the toes"},
    {"trunk_lean_deg", "angle of hip midpoint->shoulder midpoint to vertical, + = forward"},
    {"hip_shift_m", "(hip midpoint - ankle midpoint) along the person's left; + = shifted to the person's left"},
};

static void add_pair(cJSON *o, const char *key, const double v[2], int mirror)
{
    char k[64];

    /* "knee_flexion_deg" -> "knee_flexion_left_deg" */
    const char *unit = strrchr(key, '_');
    int stem = (int)(unit - key);
    snprintf(k, sizeof k, "%.*s_left%s", stem, key, unit);
    cJSON_AddNumberToObject(o, k, round(v[mirror ? 1 : 0] * 1e4) / 1e4);
    snprintf(k, sizeof k, "%.*s_right%s", stem, key, unit);
    cJSON_AddNumberToObject(o, k, round(v[mirror ? 0 : 1] * 1e4) / 1e4);
}

static double r4(double v)
{
    return round(v * 1e4) / 1e4;
}

/* Angles at time t, sides as seen (mirror swaps). */
static cJSON *angles_json(const fc_synth_scenario *sc, double t)
{
    fc_synth_skeleton sk, flat_sk;
    fc_synth_angles a;
    fc_synth_scenario still = *sc;
    cJSON *o = cJSON_CreateObject();
    int m = sc->cam.mirror;
    double lift[2];

    fc_synth_pose_at(&sk, sc, t);
    fc_synth_measure_angles(&a, sk.p, v3make(0, 1, 0));
    /* heel height with the foot flat: the same body standing at t = 0 without walk-in */
    still.walk_in = 0;
    still.nreps = 0;
    fc_synth_pose_at(&flat_sk, &still, 0);
    lift[0] = sk.p[FC_LM_LEFT_HEEL].y - flat_sk.p[FC_LM_LEFT_HEEL].y;
    lift[1] = sk.p[FC_LM_RIGHT_HEEL].y - flat_sk.p[FC_LM_RIGHT_HEEL].y;
    if (!o)
        return NULL;
    add_pair(o, "knee_flexion_deg", a.knee_flexion_deg, m);
    add_pair(o, "hip_flexion_deg", a.hip_flexion_deg, m);
    add_pair(o, "shank_tilt_deg", a.shank_tilt_deg, m);
    add_pair(o, "thigh_to_horizontal_deg", a.thigh_to_horizontal_deg, m);
    add_pair(o, "knee_valgus_deg", a.knee_valgus_deg, m);
    add_pair(o, "knee_fppa_deg", a.knee_fppa_deg, m);
    add_pair(o, "foot_pitch_deg", a.foot_pitch_deg, m);
    add_pair(o, "heel_lift_m", lift, m);
    lift[0] = sk.p[FC_LM_LEFT_KNEE].y;
    lift[1] = sk.p[FC_LM_RIGHT_KNEE].y;
    add_pair(o, "knee_height_m", lift, m);
    add_pair(o, "knee_past_toe_m", a.knee_past_toe_m, m);
    cJSON_AddNumberToObject(o, "trunk_lean_deg", r4(a.trunk_lean_deg));
    cJSON_AddNumberToObject(o, "hip_shift_m", r4(m ? -a.hip_shift_m : a.hip_shift_m));
    cJSON_AddNumberToObject(o, "knee_ankle_width_ratio", r4(a.knee_ankle_width_ratio));
    return o;
}

static const char *side_name(int side, int mirror)
{
    return (side == FC_SYNTH_LEFT) != (mirror != 0) ? "left" : "right";
}

static cJSON *scenario_json(const fc_synth_scenario *sc)
{
    cJSON *o = cJSON_CreateObject(), *reps, *b, *c;

    cJSON_AddStringToObject(o, "exercise", fc_synth_exercise_name(sc->exercise));
    reps = cJSON_AddArrayToObject(o, "reps");
    for (int i = 0; i < sc->nreps && reps; i++) {
        const fc_synth_rep *r = &sc->rep[i];
        cJSON *j = cJSON_CreateObject(), *f;
        cJSON_AddItemToArray(reps, j);
        cJSON_AddNumberToObject(j, "depth_deg", r->depth_deg);
        cJSON_AddNumberToObject(j, "descent_s", r->descent_s);
        cJSON_AddNumberToObject(j, "pause_s", r->pause_s);
        cJSON_AddNumberToObject(j, "ascent_s", r->ascent_s);
        cJSON_AddNumberToObject(j, "rest_s", r->rest_s);
        cJSON_AddStringToObject(j, "side", side_name(r->side, 0));
        f = cJSON_AddArrayToObject(j, "faults");
        for (int k = 0; k < FC_SYNTH_NUM_FAULTS; k++)
            if (r->faults & (1u << k))
                cJSON_AddItemToArray(f, cJSON_CreateString(fc_synth_fault_name(1u << k)));
    }
    b = cJSON_AddObjectToObject(o, "body");
    cJSON_AddNumberToObject(b, "height_m", sc->body.height_m);
    cJSON_AddNumberToObject(b, "limb_sd", sc->body.limb_sd);
    cJSON_AddNumberToObject(b, "leg_scale", sc->body.leg_scale);
    cJSON_AddNumberToObject(b, "arm_scale", sc->body.arm_scale);
    cJSON_AddNumberToObject(b, "trunk_scale", sc->body.trunk_scale);
    cJSON_AddNumberToObject(b, "stance_width_m", sc->body.stance_width_m);
    cJSON_AddNumberToObject(b, "toe_out_deg", sc->body.toe_out_deg);
    cJSON_AddNumberToObject(b, "lunge_stride_m", sc->body.lunge_stride_m);
    cJSON_AddNumberToObject(b, "step_s", sc->body.step_s);
    c = cJSON_AddObjectToObject(o, "camera");
    cJSON_AddNumberToObject(c, "azimuth_deg", sc->cam.azimuth_deg);
    cJSON_AddNumberToObject(c, "distance_m", sc->cam.distance_m);
    cJSON_AddNumberToObject(c, "height_m", sc->cam.height_m);
    cJSON_AddNumberToObject(c, "pitch_deg", sc->cam.pitch_deg);
    cJSON_AddNumberToObject(c, "hfov_deg", sc->cam.hfov_deg);
    cJSON_AddNumberToObject(c, "width", sc->cam.width);
    cJSON_AddNumberToObject(c, "height", sc->cam.height);
    cJSON_AddNumberToObject(c, "fps", sc->cam.fps);
    cJSON_AddNumberToObject(c, "mirror", sc->cam.mirror);
    cJSON_AddNumberToObject(c, "shake_deg", sc->cam.shake_deg);
    cJSON_AddNumberToObject(o, "walk_in", sc->walk_in);
    cJSON_AddNumberToObject(o, "walk_out", sc->walk_out);
    cJSON_AddNumberToObject(o, "lead_in_s", sc->lead_in_s);
    cJSON_AddNumberToObject(o, "lead_out_s", sc->lead_out_s);
    cJSON_AddNumberToObject(o, "seed", (double)sc->seed);
    cJSON_AddNumberToObject(o, "noise_deg", sc->noise_deg);
    cJSON_AddNumberToObject(o, "noise_px", sc->noise_px);
    cJSON_AddNumberToObject(o, "dropout", sc->dropout);
    return o;
}

static int64_t frame_of(double t, double fps)
{
    return (int64_t)llround(t * fps);
}

static cJSON *truth_json(const fc_synth_scenario *sc)
{
    fc_synth_rep_times tm[FC_SYNTH_MAX_REPS];
    double dur = fc_synth_timeline(tm, sc), fps = sc->cam.fps;
    cJSON *root = cJSON_CreateObject(), *defs, *reps, *seg;
    double s[7];

    cJSON_AddStringToObject(root, "generator", "formcheck-synth");
    cJSON_AddNumberToObject(root, "version", 1);
    cJSON_AddStringToObject(root, "sides", sc->cam.mirror ? "as seen in the mirrored image" : "the person's own");
    cJSON_AddNumberToObject(root, "fps", fps);
    cJSON_AddNumberToObject(root, "frames", (double)fc_synth_frame_count(sc));
    cJSON_AddNumberToObject(root, "duration_s", r4(dur));
    cJSON_AddItemToObject(root, "scenario", scenario_json(sc));
    fc_synth_segments(s, sc);
    seg = cJSON_AddObjectToObject(root, "segments_m");
    cJSON_AddNumberToObject(seg, "thigh", r4(s[0]));
    cJSON_AddNumberToObject(seg, "shank", r4(s[1]));
    cJSON_AddNumberToObject(seg, "upper_arm", r4(s[2]));
    cJSON_AddNumberToObject(seg, "forearm", r4(s[3]));
    cJSON_AddNumberToObject(seg, "hip_width", r4(s[4]));
    cJSON_AddNumberToObject(seg, "shoulder_width", r4(s[5]));
    cJSON_AddNumberToObject(seg, "trunk", r4(s[6]));
    defs = cJSON_AddObjectToObject(root, "angle_definitions");
    for (size_t i = 0; i < sizeof angle_doc / sizeof angle_doc[0]; i++)
        cJSON_AddStringToObject(defs, angle_doc[i][0], angle_doc[i][1]);
    cJSON_AddStringToObject(defs, "times", "start_s: movement starts (step or descent); bottom_s: middle of the "
                                           "bottom pause, angles are measured at bottom_frame = round(bottom_s*fps); "
                                           "end_s: movement over (back standing)");
    reps = cJSON_AddArrayToObject(root, "reps");
    for (int i = 0; i < sc->nreps; i++) {
        const fc_synth_rep *r = &sc->rep[i];
        cJSON *j = cJSON_CreateObject(), *f;
        int64_t bf = frame_of(tm[i].bottom_s, fps);
        cJSON_AddItemToArray(reps, j);
        cJSON_AddNumberToObject(j, "index", i + 1);
        cJSON_AddNumberToObject(j, "start_s", r4(tm[i].start_s));
        cJSON_AddNumberToObject(j, "descent_s", r4(tm[i].descent_s));
        cJSON_AddNumberToObject(j, "bottom_start_s", r4(tm[i].bottom_start_s));
        cJSON_AddNumberToObject(j, "bottom_s", r4(tm[i].bottom_s));
        cJSON_AddNumberToObject(j, "bottom_end_s", r4(tm[i].bottom_end_s));
        cJSON_AddNumberToObject(j, "ascent_end_s", r4(tm[i].ascent_end_s));
        cJSON_AddNumberToObject(j, "end_s", r4(tm[i].end_s));
        cJSON_AddNumberToObject(j, "start_frame", (double)frame_of(tm[i].start_s, fps));
        cJSON_AddNumberToObject(j, "bottom_frame", (double)bf);
        cJSON_AddNumberToObject(j, "end_frame", (double)frame_of(tm[i].end_s, fps));
        if (sc->exercise == FC_SYNTH_SQUAT)
            cJSON_AddNullToObject(j, "lead");
        else
            cJSON_AddStringToObject(j, "lead", side_name(sc->exercise == FC_SYNTH_LUNGE_STATIONARY
                                                             ? sc->rep[0].side : r->side, sc->cam.mirror));
        cJSON_AddBoolToObject(j, "partial", (r->faults & FC_SYNTH_FAULT_PARTIAL) != 0);
        f = cJSON_AddArrayToObject(j, "faults");
        for (int k = 0; k < FC_SYNTH_NUM_FAULTS; k++)
            if (r->faults & (1u << k))
                cJSON_AddItemToArray(f, cJSON_CreateString(fc_synth_fault_name(1u << k)));
        cJSON_AddItemToObject(j, "bottom", angles_json(sc, bf / fps));
    }
    return root;
}

int fc_synth_write_truth(const char *path, const fc_synth_scenario *sc, char *err, size_t errsz)
{
    cJSON *root = truth_json(sc);
    char *text = root ? cJSON_Print(root) : NULL;
    fc_atomic_file *af = NULL;
    int rc;

    if (!text) {
        rc = fc_set_error(err, errsz, FC_ENOMEM, "%s: out of memory", path);
        goto end;
    }
    if ((rc = fc_atomic_open(&af, path, FC_ATOMIC_FORCE, err, errsz)) < 0)
        goto end;
    if (fputs(text, fc_atomic_stream(af)) < 0 || fputc('\n', fc_atomic_stream(af)) < 0) {
        fc_atomic_abort(af);
        rc = fc_set_error(err, errsz, FC_EIO, "%s: write failed", path);
        goto end;
    }
    rc = fc_atomic_commit(af, err, errsz);
end:
    free(text);
    cJSON_Delete(root);
    return rc;
}
