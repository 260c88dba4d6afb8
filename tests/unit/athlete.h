/*
 * athlete.h - a small kinematic stick figure for the analyser's unit tests
 * (test code, header-only). It places BlazePose's landmarks from joint angles
 * in 3D and projects them through a pinhole camera, so tests can build squat
 * and lunge series with known depth, valgus, lean, heel lift, tempo, lead leg
 * and view. The fuller synthetic athlete lives in tests/synth/.
 *
 * Body frame: U up, F forward, R the person's right (R x U = -F, a real body).
 */
#ifndef FC_TEST_ATHLETE_H
#define FC_TEST_ATHLETE_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "formcheck/landmarks.h"

#define ATH_PI 3.14159265358979323846
#define ATH_RAD(d) ((d) * ATH_PI / 180.0)

typedef struct ath_v {
    double x, y, z;
} ath_v;

static ath_v ath_add(ath_v a, ath_v b) { return (ath_v){a.x + b.x, a.y + b.y, a.z + b.z}; }
static ath_v ath_sub(ath_v a, ath_v b) { return (ath_v){a.x - b.x, a.y - b.y, a.z - b.z}; }
static ath_v ath_mul(ath_v a, double k) { return (ath_v){a.x * k, a.y * k, a.z * k}; }
static double ath_dot(ath_v a, ath_v b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
static ath_v ath_cross(ath_v a, ath_v b)
{
    return (ath_v){a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}
static ath_v ath_norm(ath_v a)
{
    double l = sqrt(ath_dot(a, a));
    return l > 0 ? ath_mul(a, 1.0 / l) : a;
}

static const ath_v ATH_U = {0, 1, 0}, ATH_F = {0, 0, 1}, ATH_R = {-1, 0, 0};
#define ATH_THIGH 0.45
#define ATH_SHIN 0.43
#define ATH_ANKLE_H 0.08

/* One instant of a movement, in joint terms. */
typedef struct ath_pose {
    double knee_deg[2];    /* knee flexion per leg (squat: both; lunge: used for the front leg) */
    double shin_deg[2];    /* shin forward tilt from vertical */
    double trunk_deg;      /* trunk lean from vertical, forward */
    double valgus_m[2];    /* knee moved toward the midline, metres */
    double heel_m[2];      /* heel raised, metres */
    double hip_shift_m;    /* pelvis moved toward the person's right */
    int lunge;             /* 1: split stance */
    int front;             /* lunge front leg: 0 left, 1 right */
    double step_m;         /* lunge: distance between the ankles along F */
    double body_x;         /* whole body moved along R (walking in/out) */
} ath_pose;

typedef struct ath_cam {
    double yaw_deg;        /* 0: in front of the person; 90: on the person's left side */
    double dist_m, height_m, focal_px;
    int width, height;
} ath_cam;

/* Back leg of a lunge: knee from hip and ankle by two-link IK in the sagittal plane. */
static ath_v ath_ik_knee(ath_v hip, ath_v ankle)
{
    ath_v d = ath_sub(ankle, hip);
    double l = sqrt(ath_dot(d, d)), a;
    if (l >= ATH_THIGH + ATH_SHIN - 1e-6)
        return ath_add(hip, ath_mul(d, ATH_THIGH / (ATH_THIGH + ATH_SHIN)));
    a = (ATH_THIGH * ATH_THIGH + l * l - ATH_SHIN * ATH_SHIN) / (2 * ATH_THIGH * l);
    ath_v u = ath_mul(d, 1.0 / l);
    ath_v perp = ath_norm(ath_cross(ath_cross(u, ATH_F), u)); /* in the F-U plane, normal to u */
    if (ath_dot(perp, ATH_F) < 0)
        perp = ath_mul(perp, -1); /* the back knee points forward-down */
    return ath_add(hip, ath_add(ath_mul(u, ATH_THIGH * a), ath_mul(perp, ATH_THIGH * sqrt(1 - a * a))));
}

/* The 33 landmarks in body space (metres, U up). */
static void ath_body(ath_v p[FC_NUM_LANDMARKS], const ath_pose *q)
{
    ath_v ank[2], knee[2], hip[2], hipm;
    double w[2] = {-0.11, 0.11}; /* lateral (along R) of left and right feet */

    memset(p, 0, sizeof(ath_v) * FC_NUM_LANDMARKS);
    for (int s = 0; s < 2; s++) {
        double fwd = q->lunge ? (s == q->front ? 0.5 : -0.5) * q->step_m : 0.0;
        ank[s] = ath_add(ath_add(ath_mul(ATH_R, w[s] + q->body_x), ath_mul(ATH_F, fwd)), ath_mul(ATH_U, ATH_ANKLE_H));
    }
    int lead = q->lunge ? q->front : 0;
    /* Lead (or both, for squats) legs: up from the ankle by shin and thigh angles. */
    for (int s = 0; s < 2; s++) {
        if (q->lunge && s != lead)
            continue;
        double sh = ATH_RAD(q->shin_deg[s]), th = ATH_RAD(q->knee_deg[s] - q->shin_deg[s]);
        knee[s] = ath_add(ank[s], ath_add(ath_mul(ATH_F, ATH_SHIN * sin(sh)), ath_mul(ATH_U, ATH_SHIN * cos(sh))));
        hip[s] = ath_add(knee[s], ath_add(ath_mul(ATH_F, -ATH_THIGH * sin(th)), ath_mul(ATH_U, ATH_THIGH * cos(th))));
    }
    if (q->lunge) {
        int b = !lead;
        hip[b] = ath_add(hip[lead], ath_mul(ATH_R, w[b] - w[lead]));
        ath_v bank = ath_add(ank[b], ath_mul(ATH_U, 0.06)); /* back foot on its toes */
        ank[b] = bank;
        knee[b] = ath_ik_knee(hip[b], bank);
    } else {
        /* Both legs reach the same pelvis: use the mean height and forward position. */
        ath_v m = ath_mul(ath_add(hip[0], hip[1]), 0.5);
        for (int s = 0; s < 2; s++)
            hip[s] = ath_add(ath_mul(ATH_R, w[s] * 0.9 + q->body_x), ath_add(ath_mul(ATH_U, m.y), ath_mul(ATH_F, m.z)));
    }
    for (int s = 0; s < 2; s++) {
        hip[s] = ath_add(hip[s], ath_mul(ATH_R, q->hip_shift_m));
        knee[s] = ath_add(knee[s], ath_mul(ATH_R, (s == 0 ? 1 : -1) * q->valgus_m[s] + 0.5 * q->hip_shift_m));
    }
    hipm = ath_mul(ath_add(hip[0], hip[1]), 0.5);
    ath_v trunk = ath_add(ath_mul(ATH_U, cos(ATH_RAD(q->trunk_deg))), ath_mul(ATH_F, sin(ATH_RAD(q->trunk_deg))));
    ath_v shm = ath_add(hipm, ath_mul(trunk, 0.50));
    ath_v head = ath_add(shm, ath_mul(trunk, 0.25));
    for (int s = 0; s < 2; s++) {
        double sg = s ? 1 : -1;
        int o = s; /* left/right offset in the landmark enum */
        p[FC_LM_LEFT_HIP + o] = hip[s];
        p[FC_LM_LEFT_KNEE + o] = knee[s];
        p[FC_LM_LEFT_ANKLE + o] = ank[s];
        double lift = q->heel_m[s];
        p[FC_LM_LEFT_HEEL + o] = ath_add(ank[s], ath_add(ath_mul(ATH_F, -0.06), ath_mul(ATH_U, -0.05 + lift)));
        p[FC_LM_LEFT_FOOT_INDEX + o] = ath_add(ank[s], ath_add(ath_mul(ATH_F, 0.16), ath_mul(ATH_U, -0.06)));
        if (q->lunge && s != lead) { /* on the toes: heel up behind */
            p[FC_LM_LEFT_HEEL + o] = ath_add(ank[s], ath_add(ath_mul(ATH_F, -0.05), ath_mul(ATH_U, 0.02)));
            p[FC_LM_LEFT_FOOT_INDEX + o] = ath_add(ank[s], ath_add(ath_mul(ATH_F, 0.12), ath_mul(ATH_U, -0.11)));
        }
        ath_v sh = ath_add(shm, ath_mul(ATH_R, 0.19 * sg));
        p[FC_LM_LEFT_SHOULDER + o] = sh;
        p[FC_LM_LEFT_ELBOW + o] = ath_add(sh, ath_mul(ATH_F, 0.28));
        p[FC_LM_LEFT_WRIST + o] = ath_add(sh, ath_mul(ATH_F, 0.52));
        p[FC_LM_LEFT_PINKY + o] = p[FC_LM_LEFT_INDEX + o] = p[FC_LM_LEFT_THUMB + o] =
            ath_add(sh, ath_mul(ATH_F, 0.60));
        p[FC_LM_LEFT_EAR + o] = ath_add(head, ath_mul(ATH_R, 0.075 * sg));
        p[FC_LM_LEFT_EYE + o] = ath_add(head, ath_add(ath_mul(ATH_R, 0.035 * sg), ath_mul(ATH_F, 0.08)));
        p[FC_LM_LEFT_EYE_INNER + o * 3] = p[FC_LM_LEFT_EYE + o * 3] = p[FC_LM_LEFT_EYE_OUTER + o * 3] =
            p[FC_LM_LEFT_EYE + o];
        p[FC_LM_MOUTH_LEFT + o] = ath_add(head, ath_add(ath_mul(ATH_R, 0.025 * sg), ath_mul(ATH_F, 0.08)));
    }
    p[FC_LM_NOSE] = ath_add(head, ath_mul(ATH_F, 0.10));
}

static ath_cam ath_camera(double yaw_deg)
{
    return (ath_cam){yaw_deg, 3.5, 1.0, 560.0, 640, 480};
}

/* Project a body pose into a pose result. `jitter_px` adds uniform noise of
 * that amplitude (seeded by *seed) to the image points. */
static void ath_project(fc_pose_result *r, const ath_pose *q, const ath_cam *c, double t, int64_t frame,
                        double jitter_px, unsigned *seed)
{
    ath_v p[FC_NUM_LANDMARKS];
    double yaw = ATH_RAD(c->yaw_deg);
    /* yaw 0 = camera in front (along F), 90 = on the person's left (-R). */
    ath_v cpos = ath_add(ath_add(ath_mul(ATH_F, c->dist_m * cos(yaw)), ath_mul(ATH_R, -c->dist_m * sin(yaw))),
                         ath_mul(ATH_U, c->height_m));
    ath_v target = ath_mul(ATH_U, 0.85);
    ath_v f = ath_norm(ath_sub(target, cpos));
    ath_v rt = ath_norm(ath_cross(f, ATH_U));
    ath_v up = ath_cross(rt, f);

    ath_body(p, q);
    memset(r, 0, sizeof *r);
    r->frame = frame;
    r->t_s = t;
    r->width = c->width;
    r->height = c->height;
    r->found = 1;
    r->score = 0.99f;
    ath_v hipm = ath_mul(ath_add(p[FC_LM_LEFT_HIP], p[FC_LM_RIGHT_HIP]), 0.5);
    double hd = ath_dot(ath_sub(hipm, cpos), f);
    for (int i = 0; i < FC_NUM_LANDMARKS; i++) {
        ath_v d = ath_sub(p[i], cpos);
        double z = ath_dot(d, f);
        double jx = 0, jy = 0;
        if (jitter_px > 0) {
            *seed = *seed * 1103515245u + 12345u;
            jx = ((*seed >> 8) % 2001 / 1000.0 - 1.0) * jitter_px;
            *seed = *seed * 1103515245u + 12345u;
            jy = ((*seed >> 8) % 2001 / 1000.0 - 1.0) * jitter_px;
        }
        r->lm[i].x = (float)(c->width / 2.0 + c->focal_px * ath_dot(d, rt) / z + jx);
        r->lm[i].y = (float)(c->height / 2.0 - c->focal_px * ath_dot(d, up) / z + jy);
        r->lm[i].z = (float)((z - hd) * c->focal_px / hd);
        int inside = r->lm[i].x >= 0 && r->lm[i].x < c->width && r->lm[i].y >= 0 && r->lm[i].y < c->height;
        r->lm[i].visibility = inside ? 0.98f : 0.05f;
        r->lm[i].presence = inside ? 0.99f : 0.05f;
        ath_v w = ath_sub(p[i], hipm);
        r->world[i] = (fc_point3){(float)ath_dot(w, rt), (float)-ath_dot(w, up), (float)ath_dot(w, f)};
    }
}

/* A set: reps of a movement, each described by its peak pose and tempo. */
typedef struct ath_rep {
    double knee_deg;      /* peak knee flexion (squat) / front knee (lunge) */
    double shin_deg, trunk_deg, valgus_m, valgus_side_m[2], heel_m, hip_shift_m;
    double descent_s, pause_s, ascent_s, rest_s;
    int front;            /* lunge lead leg */
} ath_rep;

typedef struct ath_set {
    int lunge;
    double step_m;
    double fps;
    double lead_in_s, lead_out_s;   /* standing before/after */
    int walk_in;                    /* walk in from the side before, out after */
    ath_cam cam;
    double jitter_px;
    double dropout_from_s, dropout_to_s; /* frames without a person */
    int nreps;
    ath_rep reps[16];
} ath_set;

/* Smooth 0..1 ramp. */
static double ath_ease(double x)
{
    x = x < 0 ? 0 : x > 1 ? 1 : x;
    return 0.5 - 0.5 * cos(ATH_PI * x);
}

static double ath_set_duration(const ath_set *s)
{
    double d = s->lead_in_s + s->lead_out_s + (s->walk_in ? 4.0 : 0.0);
    for (int i = 0; i < s->nreps; i++)
        d += s->reps[i].descent_s + s->reps[i].pause_s + s->reps[i].ascent_s + s->reps[i].rest_s;
    return d;
}

static void ath_pose_at(ath_pose *q, const ath_set *s, double t, int *rep_out)
{
    double t0 = s->lead_in_s + (s->walk_in ? 2.0 : 0.0);
    memset(q, 0, sizeof *q);
    q->lunge = s->lunge;
    q->step_m = s->step_m;
    q->front = s->nreps ? s->reps[0].front : 0;
    for (int sd = 0; sd < 2; sd++) {
        q->knee_deg[sd] = 4;
        q->shin_deg[sd] = 2;
    }
    q->trunk_deg = 3;
    *rep_out = -1;
    if (s->walk_in && t < 2.0)
        q->body_x = -3.0 * (1.0 - t / 2.0); /* from the person's left, off screen */
    for (int i = 0; i < s->nreps; i++) {
        const ath_rep *r = &s->reps[i];
        double len = r->descent_s + r->pause_s + r->ascent_s;
        double u;
        if (t >= t0 - 0.5)
            q->front = r->front; /* a split-stance lunge: the feet swap between reps */
        if (t < t0 || t > t0 + len) {
            t0 += len + r->rest_s;
            continue;
        }
        *rep_out = i;
        double x = t - t0;
        u = x < r->descent_s ? ath_ease(x / r->descent_s)
            : x < r->descent_s + r->pause_s ? 1.0
                                            : 1.0 - ath_ease((x - r->descent_s - r->pause_s) / r->ascent_s);
        for (int sd = 0; sd < 2; sd++) {
            q->knee_deg[sd] = 4 + u * (r->knee_deg - 4);
            q->shin_deg[sd] = 2 + u * (r->shin_deg - 2);
            q->valgus_m[sd] = u * (r->valgus_m + r->valgus_side_m[sd]);
            q->heel_m[sd] = u * r->heel_m;
        }
        q->trunk_deg = 3 + u * (r->trunk_deg - 3);
        q->hip_shift_m = u * r->hip_shift_m;
        break;
    }
    double end = ath_set_duration(s) - s->lead_out_s - 2.0;
    if (s->walk_in && t > end + s->lead_out_s)
        q->body_x = 3.0 * fmin(1.0, (t - end - s->lead_out_s) / 2.0);
}

/* Build the series (malloc'd; caller frees). */
static fc_pose_result *ath_series(const ath_set *s, size_t *n)
{
    size_t cnt = (size_t)(ath_set_duration(s) * s->fps) + 1;
    fc_pose_result *out = calloc(cnt, sizeof *out);
    unsigned seed = 12345;
    for (size_t i = 0; out && i < cnt; i++) {
        double t = i / s->fps;
        ath_pose q;
        int rep;
        ath_pose_at(&q, s, t, &rep);
        ath_project(&out[i], &q, &s->cam, t, (int64_t)i, s->jitter_px, &seed);
        if (t >= s->dropout_from_s && t < s->dropout_to_s) {
            out[i].found = 0;
            out[i].score = 0;
        }
    }
    *n = cnt;
    return out;
}

/* A plain rep: depth by knee flexion, 1.2 s down, 0.2 s pause, 1.0 s up, 1 s rest. */
static ath_rep ath_plain_rep(double knee_deg)
{
    ath_rep r;
    memset(&r, 0, sizeof r);
    r.knee_deg = knee_deg;
    r.shin_deg = 30;
    r.trunk_deg = 35;
    r.descent_s = 1.2;
    r.pause_s = 0.2;
    r.ascent_s = 1.0;
    r.rest_s = 1.0;
    return r;
}

#endif
