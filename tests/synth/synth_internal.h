/* synth_internal.h - between the synth modules (private). */
#ifndef FC_SYNTH_INTERNAL_H
#define FC_SYNTH_INTERNAL_H

#include "synth.h"
#include "synth_vec.h"

/* Foot geometry (metres at 1.75 m, scaled by height/1.75), relative to the
 * ankle projected on the floor, along the foot's forward axis and up. */
#define FC_SYNTH_BALL_F 0.15   /* ball of the foot (heel-rise pivot) ahead of the ankle */
/* heel and foot_index sit where BlazePose puts them on a shoe: on its upper
 * surface, a little above the sole and short of the tip (measured on the
 * rendered samples with formcheck pose) */
#define FC_SYNTH_HEEL_F (-0.065)
#define FC_SYNTH_HEEL_U 0.040
#define FC_SYNTH_TOE_F 0.180
#define FC_SYNTH_TOE_U 0.050
#define FC_SYNTH_SOLE_M 0.015  /* shoe sole under the foot */

/* A fully specified pose in the body frame (x forward, y up, z right), before
 * the body's heading (yaw) and position are applied. */
typedef struct fc_synth_pose_params {
    v3 pelvis;                 /* hip-joint midpoint */
    double hip_drop_m[2];      /* lower this hip joint (pelvic obliquity) */
    double trunk_lean_deg;     /* forward tilt of the trunk from vertical */
    double head_pitch_deg;     /* forward tilt of the head from vertical */
    v3 foot[2];                /* ankle position when the foot is flat: x,z on the floor, y = lift */
    double foot_yaw_deg[2];    /* toe-out, + = outward */
    double heel_rise_deg[2];   /* rotation about the ball of the foot */
    double valgus_deg[2];      /* knee pole rotated medially */
    double arm_flex_deg[2];    /* shoulder flexion: 0 = hanging, 90 = forward */
    double arm_abd_deg[2];     /* shoulder abduction */
    double elbow_deg[2];
    double yaw_deg;            /* heading about the vertical through the origin */
    v3 origin;                 /* body frame origin in the scene */
} fc_synth_pose_params;

typedef struct fc_synth_segs {
    double thigh, shank, upper_arm, forearm, hip_w, shoulder_w, trunk;
    double s;         /* height / 1.75 */
    double height;
    double ankle_h;   /* ankle joint above the sole when flat */
} fc_synth_segs;

void fc_synth__segs(fc_synth_segs *g, const fc_synth_scenario *sc);
/* Flat-foot ankle -> actual ankle position with heel rise applied (body frame). */
v3 fc_synth__ankle(const fc_synth_segs *g, v3 foot, double yaw_deg, double heel_deg, int side);
/* Hip joint `side` for the pelvis and obliquity in pp (body frame; hip distance preserved). */
v3 fc_synth__hip(const fc_synth_segs *g, const fc_synth_pose_params *pp, int side);
/* Build the skeleton from explicit parameters. */
void fc_synth__build(fc_synth_skeleton *sk, const fc_synth_segs *g, const fc_synth_pose_params *pp);

#endif
