/* synth_body.c - the kinematic body: segment lengths from anthropometric tables
 * and forward/inverse kinematics from joint angles to the 33 BlazePose points. */
#include <math.h>
#include <string.h>

#include "synth_internal.h"

/* Segment lengths as fractions of standing height, Drillis & Contini (1966) as
 * tabulated by Winter, "Biomechanics and Motor Control of Human Movement":
 * thigh 0.245, leg 0.246, upper arm 0.186, forearm 0.146, hip joint to
 * shoulder joint 0.818 - 0.530 = 0.288, ankle height 0.039. Joint-centre
 * widths (not the table's outer widths) are what BlazePose marks: hips ~0.12 H,
 * shoulders ~0.19 H. */
void fc_synth__segs(fc_synth_segs *g, const fc_synth_scenario *sc)
{
    const fc_synth_body *b = &sc->body;
    double h = b->height_m;
    double var[7];
    fc_synth_rng rng;

    fc_synth_rng_seed(&rng, sc->seed, 1);
    for (int i = 0; i < 7; i++)
        var[i] = 1.0 + b->limb_sd * clampd(fc_synth_rng_gauss(&rng), -2.5, 2.5);
    g->height = h;
    g->s = h / 1.75;
    g->thigh = 0.245 * h * b->leg_scale * var[0];
    g->shank = 0.246 * h * b->leg_scale * var[1];
    g->upper_arm = 0.186 * h * b->arm_scale * var[2];
    g->forearm = 0.146 * h * b->arm_scale * var[3];
    g->hip_w = 0.12 * h * var[4];
    g->shoulder_w = 0.19 * h * var[5];
    g->trunk = 0.288 * h * b->trunk_scale * var[6];
    g->ankle_h = 0.039 * h + FC_SYNTH_SOLE_M;
}

void fc_synth_segments(double seg[7], const fc_synth_scenario *sc)
{
    fc_synth_segs g;

    fc_synth__segs(&g, sc);
    seg[0] = g.thigh;
    seg[1] = g.shank;
    seg[2] = g.upper_arm;
    seg[3] = g.forearm;
    seg[4] = g.hip_w;
    seg[5] = g.shoulder_w;
    seg[6] = g.trunk;
}

static const v3 UP = {0, 1, 0};
static const v3 FWD = {1, 0, 0};
static const v3 LEFT = {0, 0, -1};

/* The foot's forward axis: left foot turned to the left by its toe-out. */
static v3 foot_fwd(double yaw_deg, int side)
{
    return v3rot(FWD, UP, deg2rad(side == FC_SYNTH_LEFT ? yaw_deg : -yaw_deg));
}

/* A point of the foot given in (forward, up) metres from the ankle's floor
 * point, with the heel rise applied as a rotation about the ball. */
static v3 foot_point(const fc_synth_segs *g, v3 foot, v3 fw, double heel_deg, double f, double u)
{
    v3 ball = v3mad(foot, fw, FC_SYNTH_BALL_F * g->s);
    v3 rel = v3add(v3scale(fw, f - FC_SYNTH_BALL_F * g->s), v3scale(UP, u));
    v3 axis = v3cross(UP, fw); /* the foot's left: rotating by + lifts the heel */

    return v3add(ball, v3rot(rel, axis, deg2rad(heel_deg)));
}

v3 fc_synth__ankle(const fc_synth_segs *g, v3 foot, double yaw_deg, double heel_deg, int side)
{
    return foot_point(g, foot, foot_fwd(yaw_deg, side), heel_deg, 0, g->ankle_h);
}

v3 fc_synth__hip(const fc_synth_segs *g, const fc_synth_pose_params *pp, int side)
{
    double h = g->hip_w / 2, mean = 0.5 * (pp->hip_drop_m[0] + pp->hip_drop_m[1]);
    double half = clampd(0.5 * (pp->hip_drop_m[0] - pp->hip_drop_m[1]), -0.9 * h, 0.9 * h);
    double sg = side == FC_SYNTH_LEFT ? 1 : -1;

    /* pelvic obliquity tilts the hip line; its length stays the hip width */
    return v3add(v3mad(pp->pelvis, LEFT, sg * sqrt(h * h - half * half)), v3scale(UP, -(mean + sg * half)));
}

/* Two-bone IK: knee position for hip H and ankle A (moved to within reach),
 * bending towards `pole`. */
static v3 leg_ik(v3 *ankle, v3 hip, double l1, double l2, v3 pole)
{
    v3 d = v3sub(*ankle, hip);
    double dist = v3len(d), maxd = (l1 + l2) * 0.99999, mind = fabs(l1 - l2) + 1e-6;
    v3 u = v3norm(d), v;
    double a, h;

    if (dist > maxd || dist < mind) {
        dist = clampd(dist, mind, maxd);
        *ankle = v3mad(hip, u, dist);
    }
    a = (l1 * l1 - l2 * l2 + dist * dist) / (2 * dist);
    h = sqrt(fmax(l1 * l1 - a * a, 0));
    v = v3norm(v3sub(pole, v3scale(u, v3dot(pole, u))));
    return v3add(v3mad(hip, u, a), v3scale(v, h));
}

static void build_legs(fc_synth_skeleton *sk, const fc_synth_segs *g, const fc_synth_pose_params *pp)
{
    for (int side = 0; side < 2; side++) {
        int L = side == FC_SYNTH_LEFT;
        double sg = L ? 1.0 : -1.0; /* +1 towards the person's left */
        v3 fw = foot_fwd(pp->foot_yaw_deg[side], side);
        double hr = pp->heel_rise_deg[side];
        v3 hip = fc_synth__hip(g, pp, side);
        v3 ankle0 = foot_point(g, pp->foot[side], fw, hr, 0, g->ankle_h), ankle = ankle0;
        v3 medial = v3scale(LEFT, -sg);
        double vr = deg2rad(pp->valgus_deg[side]);
        v3 pole = v3add(v3scale(fw, cos(vr)), v3scale(medial, sin(vr)));
        v3 knee = leg_ik(&ankle, hip, g->thigh, g->shank, pole);
        v3 shift = v3sub(ankle, ankle0); /* nonzero only if out of reach: keep the foot rigid */
        v3 heel = foot_point(g, pp->foot[side], fw, hr, FC_SYNTH_HEEL_F * g->s, FC_SYNTH_HEEL_U * g->s);
        /* toes stay flat (they bend at the ball) unless the whole foot is lifted */
        v3 toe = v3add(v3mad(pp->foot[side], fw, FC_SYNTH_TOE_F * g->s), v3scale(UP, FC_SYNTH_TOE_U * g->s));

        sk->p[L ? FC_LM_LEFT_HIP : FC_LM_RIGHT_HIP] = hip;
        sk->p[L ? FC_LM_LEFT_KNEE : FC_LM_RIGHT_KNEE] = knee;
        sk->p[L ? FC_LM_LEFT_ANKLE : FC_LM_RIGHT_ANKLE] = ankle;
        sk->p[L ? FC_LM_LEFT_HEEL : FC_LM_RIGHT_HEEL] = v3add(heel, shift);
        sk->p[L ? FC_LM_LEFT_FOOT_INDEX : FC_LM_RIGHT_FOOT_INDEX] = v3add(toe, shift);
        sk->foot_fwd[side] = fw;
        sk->foot_up[side] = v3rot(UP, v3cross(UP, fw), deg2rad(hr));
        sk->heel_rise_deg[side] = hr;
    }
}

static void build_arms(fc_synth_skeleton *sk, const fc_synth_segs *g, const fc_synth_pose_params *pp)
{
    double s = g->s;

    for (int side = 0; side < 2; side++) {
        int L = side == FC_SYNTH_LEFT;
        double sg = L ? 1.0 : -1.0;
        v3 sh = sk->p[L ? FC_LM_LEFT_SHOULDER : FC_LM_RIGHT_SHOULDER];
        v3 dir = v3rot(v3scale(UP, -1), LEFT, -deg2rad(pp->arm_flex_deg[side]));
        v3 fore, elbow, wrist, th;

        dir = v3rot(dir, FWD, sg * deg2rad(pp->arm_abd_deg[side]));
        elbow = v3mad(sh, dir, g->upper_arm);
        fore = v3rot(dir, LEFT, -deg2rad(pp->elbow_deg[side]));
        wrist = v3mad(elbow, fore, g->forearm);
        th = v3norm(v3cross(fore, LEFT));
        sk->p[L ? FC_LM_LEFT_ELBOW : FC_LM_RIGHT_ELBOW] = elbow;
        sk->p[L ? FC_LM_LEFT_WRIST : FC_LM_RIGHT_WRIST] = wrist;
        sk->p[L ? FC_LM_LEFT_INDEX : FC_LM_RIGHT_INDEX] =
            v3add(v3mad(wrist, fore, 0.085 * s), v3scale(th, 0.012 * s));
        sk->p[L ? FC_LM_LEFT_PINKY : FC_LM_RIGHT_PINKY] =
            v3add(v3mad(wrist, fore, 0.075 * s), v3scale(th, -0.025 * s));
        sk->p[L ? FC_LM_LEFT_THUMB : FC_LM_RIGHT_THUMB] =
            v3add(v3mad(wrist, fore, 0.045 * s), v3scale(th, 0.035 * s));
        sk->thumb_dir[side] = th;
    }
}

/* Face points on a head of semi-axes 0.10 (forward) x 0.12 (up) x 0.08 (side) m. */
static void build_head(fc_synth_skeleton *sk, const fc_synth_segs *g, const fc_synth_pose_params *pp)
{
    double s = g->s;
    v3 hu = v3rot(UP, LEFT, deg2rad(pp->head_pitch_deg));
    v3 hl = v3norm(v3sub(sk->trunk_left, v3scale(hu, v3dot(sk->trunk_left, hu))));
    v3 hf = v3norm(v3cross(hl, hu));
    v3 top = v3mad(sk->neck, sk->trunk_up, 0.05 * g->height);
    v3 c = v3mad(v3mad(top, hu, 0.062 * g->height), hf, 0.012 * s);
#define HP(f, u, l) v3add(v3add(v3mad(c, hf, (f) * s), v3scale(hu, (u) * s)), v3scale(hl, (l) * s))
    sk->head = c;
    sk->head_fwd = hf;
    sk->head_up = hu;
    sk->head_left = hl;
    sk->p[FC_LM_NOSE] = HP(0.112, -0.02, 0);
    sk->p[FC_LM_LEFT_EYE_INNER] = HP(0.088, 0.015, 0.016);
    sk->p[FC_LM_LEFT_EYE] = HP(0.084, 0.016, 0.032);
    sk->p[FC_LM_LEFT_EYE_OUTER] = HP(0.076, 0.015, 0.046);
    sk->p[FC_LM_RIGHT_EYE_INNER] = HP(0.088, 0.015, -0.016);
    sk->p[FC_LM_RIGHT_EYE] = HP(0.084, 0.016, -0.032);
    sk->p[FC_LM_RIGHT_EYE_OUTER] = HP(0.076, 0.015, -0.046);
    sk->p[FC_LM_LEFT_EAR] = HP(-0.01, 0.0, 0.08);
    sk->p[FC_LM_RIGHT_EAR] = HP(-0.01, 0.0, -0.08);
    sk->p[FC_LM_MOUTH_LEFT] = HP(0.09, -0.055, 0.022);
    sk->p[FC_LM_MOUTH_RIGHT] = HP(0.09, -0.055, -0.022);
#undef HP
}

/* Apply heading and position: scene = origin + R_yaw * body. */
static void place(fc_synth_skeleton *sk, const fc_synth_pose_params *pp)
{
    double a = deg2rad(pp->yaw_deg);
    v3 *pts[] = {&sk->pelvis, &sk->neck, &sk->head};
    v3 *dirs[] = {&sk->head_fwd, &sk->head_up, &sk->head_left, &sk->trunk_fwd, &sk->trunk_up,
                  &sk->trunk_left, &sk->foot_fwd[0], &sk->foot_fwd[1], &sk->foot_up[0],
                  &sk->foot_up[1], &sk->thumb_dir[0], &sk->thumb_dir[1]};

    for (int i = 0; i < FC_NUM_LANDMARKS; i++)
        sk->p[i] = v3add(pp->origin, v3rot(sk->p[i], UP, a));
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++)
        *pts[i] = v3add(pp->origin, v3rot(*pts[i], UP, a));
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
        *dirs[i] = v3rot(*dirs[i], UP, a);
}

void fc_synth__build(fc_synth_skeleton *sk, const fc_synth_segs *g, const fc_synth_pose_params *pp)
{
    v3 tu, tl, sc;
    int rep = sk->rep;

    memset(sk, 0, sizeof *sk);
    sk->rep = rep;
    sk->scale = g->s;
    sk->ankle_h_m = g->ankle_h;
    sk->pelvis = pp->pelvis;
    build_legs(sk, g, pp);
    tu = v3rot(UP, LEFT, deg2rad(pp->trunk_lean_deg));
    tl = v3norm(v3sub(sk->p[FC_LM_LEFT_HIP], sk->p[FC_LM_RIGHT_HIP]));
    tl = v3norm(v3sub(tl, v3scale(tu, v3dot(tl, tu))));
    sk->trunk_up = tu;
    sk->trunk_left = tl;
    sk->trunk_fwd = v3norm(v3cross(tl, tu));
    sc = v3mad(pp->pelvis, tu, g->trunk);
    sk->neck = sc;
    sk->p[FC_LM_LEFT_SHOULDER] = v3mad(sc, tl, g->shoulder_w / 2);
    sk->p[FC_LM_RIGHT_SHOULDER] = v3mad(sc, tl, -g->shoulder_w / 2);
    build_arms(sk, g, pp);
    build_head(sk, g, pp);
    place(sk, pp);
}
