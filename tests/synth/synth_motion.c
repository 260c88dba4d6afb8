/* synth_motion.c - movements over time: walk in, squats / lunges with tempo and
 * faults, walk out. Turns a time into fc_synth_pose_params and builds the body. */
#include <math.h>
#include <string.h>

#include "synth_internal.h"

#define STAND_KNEE_DEG 4.0    /* knees never fully locked: keeps the IK in reach */
#define SHANK_RATIO 0.28      /* squat: shank tilt = ratio x knee flexion */
#define TRUNK_RATIO 0.33      /* squat: trunk lean = ratio x knee flexion */
#define LUNGE_TOP_KNEE 12.0
#define WALK_DIST_M 2.4
#define WALK_STEP_M 0.6
#define WALK_STEP_S 0.55
#define TURN_S 1.0
#define MAX_WALK_STEPS 32

static const v3 LEFT = {0, 0, -1};

static int is_stepping_lunge(const fc_synth_scenario *sc)
{
    return sc->exercise == FC_SYNTH_LUNGE_FORWARD || sc->exercise == FC_SYNTH_LUNGE_REVERSE;
}

static int is_lunge(const fc_synth_scenario *sc)
{
    return sc->exercise != FC_SYNTH_SQUAT;
}

/* Walking gait: feet leapfrog from x = -dist to 0 in steps of WALK_STEP_M.
 * Returns the number of steps and fills the x of the moving foot after each. */
static int walk_plan(double to_x[MAX_WALK_STEPS], double s)
{
    double x[2] = {-WALK_DIST_M * s, -WALK_DIST_M * s};
    int n = 0;

    while (n < MAX_WALK_STEPS && (x[0] < 0 || x[1] < 0)) {
        int f = n % 2, o = 1 - f;
        x[f] = fmin(x[o] + WALK_STEP_M * s, 0);
        to_x[n++] = x[f];
    }
    return n;
}

static double walk_duration(const fc_synth_scenario *sc)
{
    double to_x[MAX_WALK_STEPS];
    return walk_plan(to_x, sc->body.height_m / 1.75) * WALK_STEP_S;
}

double fc_synth_timeline(fc_synth_rep_times *times, const fc_synth_scenario *sc)
{
    double t = 0, step = is_stepping_lunge(sc) ? sc->body.step_s : 0;

    if (sc->walk_in)
        t += walk_duration(sc);
    t += sc->lead_in_s;
    for (int i = 0; i < sc->nreps; i++) {
        const fc_synth_rep *r = &sc->rep[i];
        fc_synth_rep_times *o = &times[i];

        o->start_s = t;
        o->descent_s = t + step;
        o->bottom_start_s = o->descent_s + r->descent_s;
        o->bottom_end_s = o->bottom_start_s + r->pause_s;
        o->bottom_s = 0.5 * (o->bottom_start_s + o->bottom_end_s);
        o->ascent_end_s = o->bottom_end_s + r->ascent_s;
        o->end_s = o->ascent_end_s + step;
        t = o->end_s + r->rest_s;
    }
    t += sc->lead_out_s;
    if (sc->walk_out)
        t += TURN_S + walk_duration(sc);
    return t;
}

int64_t fc_synth_frame_count(const fc_synth_scenario *sc)
{
    fc_synth_rep_times times[FC_SYNTH_MAX_REPS];
    double d = fc_synth_timeline(times, sc);
    return (int64_t)floor(d * sc->cam.fps + 1e-9) + 1;
}

/* Hip-ankle distance of a leg flexed by k degrees. */
static double leg_reach(const fc_synth_segs *g, double k_deg)
{
    double a = g->thigh, b = g->shank;
    return sqrt(a * a + b * b + 2 * a * b * cos(deg2rad(k_deg)));
}

/* Pelvis height so that leg `side` has knee flexion k (hip at the pelvis'
 * current x,z; hip drop included). */
static double pelvis_y_for(const fc_synth_segs *g, const fc_synth_pose_params *pp, int side, double k)
{
    v3 ank = fc_synth__ankle(g, pp->foot[side], pp->foot_yaw_deg[side], pp->heel_rise_deg[side], side);
    v3 hip = fc_synth__hip(g, pp, side);
    double dx = hip.x - ank.x, dz = hip.z - ank.z, d = leg_reach(g, k);
    return ank.y + sqrt(fmax(d * d - dx * dx - dz * dz, 1e-6)) + (pp->pelvis.y - hip.y);
}

/* Smallest heel rise (>= min) that brings the ankle within reach of its hip. */
static double heel_for_reach(const fc_synth_segs *g, const fc_synth_pose_params *pp, int side, double min_deg)
{
    v3 hip = fc_synth__hip(g, pp, side);
    double maxd = (g->thigh + g->shank) * 0.995, lo = min_deg, hi = 80;
    v3 a = fc_synth__ankle(g, pp->foot[side], pp->foot_yaw_deg[side], lo, side);

    if (v3len(v3sub(a, hip)) <= maxd)
        return lo;
    for (int i = 0; i < 40; i++) {
        double mid = 0.5 * (lo + hi);
        a = fc_synth__ankle(g, pp->foot[side], pp->foot_yaw_deg[side], mid, side);
        if (v3len(v3sub(a, hip)) <= maxd)
            hi = mid;
        else
            lo = mid;
    }
    return hi;
}

static void standing(fc_synth_pose_params *pp, const fc_synth_scenario *sc, const fc_synth_segs *g)
{
    double half = (is_lunge(sc) ? g->hip_w : sc->body.stance_width_m) / 2;
    double yaw = is_lunge(sc) ? 5 : sc->body.toe_out_deg;

    memset(pp, 0, sizeof *pp);
    pp->foot[FC_SYNTH_LEFT] = v3make(0, 0, -half);
    pp->foot[FC_SYNTH_RIGHT] = v3make(0, 0, half);
    pp->foot_yaw_deg[0] = pp->foot_yaw_deg[1] = yaw;
    pp->arm_flex_deg[0] = pp->arm_flex_deg[1] = 4;
    pp->arm_abd_deg[0] = pp->arm_abd_deg[1] = 7;
    pp->elbow_deg[0] = pp->elbow_deg[1] = 12;
    pp->pelvis.y = fmin(pelvis_y_for(g, pp, 0, STAND_KNEE_DEG), pelvis_y_for(g, pp, 1, STAND_KNEE_DEG));
}

static double rep_depth(const fc_synth_rep *r)
{
    double d = r->depth_deg;
    if (r->faults & FC_SYNTH_FAULT_SHALLOW)
        d *= 0.55;
    if (r->faults & FC_SYNTH_FAULT_PARTIAL)
        d *= 0.3;
    return d;
}

/* Faults that act the same in squats and lunges, scaled by progress s. */
static void side_faults(fc_synth_pose_params *pp, const fc_synth_rep *r, double s)
{
    double sg = r->side == FC_SYNTH_LEFT ? 1 : -1;
    if (r->faults & FC_SYNTH_FAULT_HIP_SHIFT)
        pp->pelvis = v3mad(pp->pelvis, LEFT, sg * 0.08 * s);
    if (r->faults & FC_SYNTH_FAULT_ASYMMETRIC)
        pp->hip_drop_m[r->side] = 0.06 * s;
}

static void squat_pose(fc_synth_pose_params *pp, const fc_synth_scenario *sc, const fc_synth_segs *g,
                       const fc_synth_rep *r, double s)
{
    double k = STAND_KNEE_DEG + s * (rep_depth(r) - STAND_KNEE_DEG);
    double a = SHANK_RATIO * k * (r->faults & FC_SYNTH_FAULT_KNEES_PAST_TOES ? 1.6 : 1.0);
    double fx = 0;

    standing(pp, sc, g);
    for (int i = 0; i < 2; i++) {
        if (r->faults & FC_SYNTH_FAULT_HEEL_LIFT)
            pp->heel_rise_deg[i] = 20 * s;
        if (r->faults & FC_SYNTH_FAULT_VALGUS)
            pp->valgus_deg[i] = 15 * s;
        pp->arm_flex_deg[i] = 4 + 76 * s;
        pp->arm_abd_deg[i] = 7 - 2 * s;
        fx += 0.5 * (fc_synth__ankle(g, pp->foot[i], pp->foot_yaw_deg[i], pp->heel_rise_deg[i], i).x +
                     g->shank * sin(deg2rad(a)) - g->thigh * sin(deg2rad(k - a)));
    }
    pp->pelvis.x = fx;
    side_faults(pp, r, s);
    pp->pelvis.y = 0.5 * (pelvis_y_for(g, pp, 0, k) + pelvis_y_for(g, pp, 1, k));
    pp->trunk_lean_deg = TRUNK_RATIO * k + (r->faults & FC_SYNTH_FAULT_FORWARD_LEAN ? 25 * s : 0) -
                         (r->faults & FC_SYNTH_FAULT_KNEES_PAST_TOES ? 8 * s : 0);
    pp->head_pitch_deg = 0.3 * pp->trunk_lean_deg;
}

/* Split stance for a lunge with lead leg `lead`, progress s (0 top, 1 bottom). */
static void lunge_pose(fc_synth_pose_params *pp, const fc_synth_scenario *sc, const fc_synth_segs *g,
                       const fc_synth_rep *r, int lead, double s)
{
    int rear = 1 - lead;
    double stride = sc->body.lunge_stride_m * g->s;
    double k = LUNGE_TOP_KNEE + s * (rep_depth(r) - LUNGE_TOP_KNEE);
    double back = stride * (0.42 + 0.03 * s);

    standing(pp, sc, g);
    if (sc->exercise == FC_SYNTH_LUNGE_FORWARD)
        pp->foot[lead].x += stride;
    else if (sc->exercise == FC_SYNTH_LUNGE_REVERSE)
        pp->foot[rear].x -= stride;
    else {
        pp->foot[lead].x += stride / 2;
        pp->foot[rear].x -= stride / 2;
    }
    if (r->faults & FC_SYNTH_FAULT_KNEES_PAST_TOES)
        back -= 0.14 * stride * s;
    if (r->faults & FC_SYNTH_FAULT_HEEL_LIFT)
        pp->heel_rise_deg[lead] = 20 * s;
    if (r->faults & FC_SYNTH_FAULT_VALGUS)
        pp->valgus_deg[lead] = 15 * s;
    pp->pelvis.x = pp->foot[lead].x - back;
    side_faults(pp, r, s);
    pp->pelvis.y = pelvis_y_for(g, pp, lead, k);
    pp->heel_rise_deg[rear] = heel_for_reach(g, pp, rear, 10 + 35 * s);
    pp->trunk_lean_deg = 6 + 0.06 * k + (r->faults & FC_SYNTH_FAULT_FORWARD_LEAN ? 25 * s : 0);
    pp->head_pitch_deg = 0.3 * pp->trunk_lean_deg;
    for (int i = 0; i < 2; i++) {
        pp->arm_flex_deg[i] = 4 + 18 * s;
        pp->arm_abd_deg[i] = 10;
    }
}

/* Linear blend of two parameter sets (feet, pelvis, angles). */
static void blend(fc_synth_pose_params *o, const fc_synth_pose_params *a, const fc_synth_pose_params *b, double u)
{
    const double *pa = (const double *)a, *pb = (const double *)b;
    double *po = (double *)o;

    /* the struct is all doubles (v3 = 3 doubles) */
    for (size_t i = 0; i < sizeof *o / sizeof(double); i++)
        po[i] = pa[i] + (pb[i] - pa[i]) * u;
}

/* Stepping from the standing stance into the split stance (u 0..1): the moving
 * foot swings in an arc, everything else blends. */
static void lunge_step(fc_synth_pose_params *pp, const fc_synth_scenario *sc, const fc_synth_segs *g,
                       const fc_synth_rep *r, int lead, double u)
{
    fc_synth_pose_params a, b;
    int mover = sc->exercise == FC_SYNTH_LUNGE_REVERSE ? 1 - lead : lead;
    double e = ease(u);

    standing(&a, sc, g);
    lunge_pose(&b, sc, g, r, lead, 0);
    blend(pp, &a, &b, e);
    pp->foot[mover].y = 0.07 * g->s * sin(FC_SYNTH_PI * clampd(u, 0, 1));
    pp->heel_rise_deg[1 - lead] = heel_for_reach(g, pp, 1 - lead, pp->heel_rise_deg[1 - lead]);
}

/* Walking in body coordinates: from x = -WALK_DIST to 0 (phase u 0..1 over the walk). */
static void walk_pose(fc_synth_pose_params *pp, const fc_synth_scenario *sc, const fc_synth_segs *g, double tw)
{
    double to_x[MAX_WALK_STEPS], x[2];
    int n = walk_plan(to_x, g->s), k = (int)floor(tw / WALK_STEP_S);
    double u, stand_y;

    standing(pp, sc, g);
    stand_y = pp->pelvis.y;
    x[0] = x[1] = -WALK_DIST_M * g->s;
    if (k >= n) {
        k = n;
        u = 0;
    } else {
        u = tw / WALK_STEP_S - k;
    }
    for (int i = 0; i < k; i++)
        x[i % 2] = to_x[i];
    if (k < n) {
        int f = k % 2;
        x[f] += (to_x[k] - x[f]) * ease(u);
        pp->foot[f].y = 0.08 * g->s * sin(FC_SYNTH_PI * u);
        pp->arm_flex_deg[f] = 4 + 18 * sin(FC_SYNTH_PI * u);
        pp->arm_flex_deg[1 - f] = 4 - 14 * sin(FC_SYNTH_PI * u);
    }
    pp->foot[0].x = x[0];
    pp->foot[1].x = x[1];
    pp->pelvis.x = 0.5 * (x[0] + x[1]) + 0.05 * g->s;
    pp->pelvis.y = stand_y;
    for (int i = 0; i < 2; i++) {
        v3 ank = fc_synth__ankle(g, pp->foot[i], pp->foot_yaw_deg[i], 0, i);
        double dx = pp->pelvis.x - ank.x, maxd = (g->thigh + g->shank) * 0.99;
        double y = (ank.y - pp->foot[i].y) + sqrt(fmax(maxd * maxd - dx * dx, 0)) - 0.01;
        if (pp->foot[i].y == 0 && y < pp->pelvis.y)
            pp->pelvis.y = y;
    }
    pp->trunk_lean_deg = 4;
}

/* Pose at time t in the set (outside walking). */
static void set_pose(fc_synth_pose_params *pp, int *rep_out, const fc_synth_scenario *sc,
                     const fc_synth_segs *g, const fc_synth_rep_times *tm, double t)
{
    int stationary = sc->exercise == FC_SYNTH_LUNGE_STATIONARY;
    int lead = sc->nreps > 0 ? sc->rep[0].side : FC_SYNTH_LEFT;
    fc_synth_rep still;

    fc_synth_default_rep(&still, 0);
    still.faults = 0;
    *rep_out = -1;
    for (int i = 0; i < sc->nreps; i++) {
        const fc_synth_rep *r = &sc->rep[i];
        const fc_synth_rep_times *o = &tm[i];
        double s;

        if (t < o->start_s || t >= o->end_s)
            continue;
        *rep_out = i;
        if (t < o->descent_s) {
            lunge_step(pp, sc, g, r, r->side, (t - o->start_s) / (o->descent_s - o->start_s));
            return;
        }
        if (t >= o->ascent_end_s) {
            lunge_step(pp, sc, g, r, r->side, 1 - (t - o->ascent_end_s) / (o->end_s - o->ascent_end_s));
            return;
        }
        if (t < o->bottom_start_s)
            s = ease((t - o->descent_s) / (o->bottom_start_s - o->descent_s));
        else if (t < o->bottom_end_s)
            s = 1;
        else
            s = 1 - ease((t - o->bottom_end_s) / (o->ascent_end_s - o->bottom_end_s));
        if (sc->exercise == FC_SYNTH_SQUAT)
            squat_pose(pp, sc, g, r, s);
        else
            lunge_pose(pp, sc, g, r, stationary ? lead : r->side, s);
        return;
    }
    if (!stationary || sc->nreps == 0) {
        standing(pp, sc, g);
        return;
    }
    /* split squat: step in at the end of the lead-in, out at the start of the lead-out */
    {
        double t_in = tm[0].start_s, t_out = tm[sc->nreps - 1].end_s + sc->rep[sc->nreps - 1].rest_s;
        double st = fmin(sc->body.step_s, sc->lead_in_s);
        if (t < t_in)
            lunge_step(pp, sc, g, &still, lead, st > 0 ? (t - (t_in - st)) / st : 1);
        else if (t >= t_out)
            lunge_step(pp, sc, g, &still, lead, st > 0 ? 1 - (t - t_out) / st : 0);
        else
            lunge_pose(pp, sc, g, &still, lead, 0);
    }
}

void fc_synth_pose_at(fc_synth_skeleton *out, const fc_synth_scenario *sc, double t)
{
    fc_synth_rep_times tm[FC_SYNTH_MAX_REPS];
    fc_synth_segs g;
    fc_synth_pose_params pp;
    double total = fc_synth_timeline(tm, sc), tw = sc->walk_in ? walk_duration(sc) : 0;
    double wout = sc->walk_out ? TURN_S + walk_duration(sc) : 0, t_out = total - wout;
    int rep = -1;

    fc_synth__segs(&g, sc);
    if (t < tw) {
        walk_pose(&pp, sc, &g, t);
    } else if (t >= t_out && sc->walk_out) {
        double u = t - t_out;
        if (u < TURN_S) {
            standing(&pp, sc, &g);
            pp.yaw_deg = 180 * ease(u / TURN_S);
        } else {
            /* walk away: the walk-in gait shifted so it starts at the spot */
            walk_pose(&pp, sc, &g, u - TURN_S);
            pp.yaw_deg = 180;
            /* body x -D..0 is scene D..0 after the turn; shift so it starts at the spot */
            pp.origin = v3make(-WALK_DIST_M * g.s, 0, 0);
        }
    } else {
        set_pose(&pp, &rep, sc, &g, tm, t);
    }
    out->rep = rep;
    fc_synth__build(out, &g, &pp);
}
