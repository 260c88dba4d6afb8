/*
 * synth.h - the synthetic athlete: a kinematic body doing squats and lunges in
 * front of a virtual camera, with the ground truth known to the degree.
 * Test-only (library fc_synth, program formcheck-synth); not libformcheck's API.
 *
 *     fc_synth_scenario sc;
 *     fc_synth_default_scenario(&sc);               // 5 side-view squats
 *     sc.rep[2].faults |= FC_SYNTH_FAULT_SHALLOW;
 *     fc_synth_skeleton sk;
 *     fc_pose_result kp;
 *     for (int64_t i = 0; i < fc_synth_frame_count(&sc); i++) {
 *         double t = i / sc.cam.fps;
 *         fc_synth_pose_at(&sk, &sc, t);
 *         fc_synth_keypoints(&kp, &sc, &sk, i);      // what a perfect BlazePose sees
 *     }
 *     char err[FC_ERRBUF_SIZE];
 *     fc_synth_write_truth("truth.json", &sc, err, sizeof err);
 *
 * Scene frame (metres): x = the person's initial facing direction, y up (floor
 * at y = 0), z = the person's right; the person stands at the origin. All
 * functions are pure and thread-safe (no globals); randomness comes from the
 * scenario's seed only, so everything is deterministic for a seed.
 *
 * Where the truth keypoints sit: ankle = ankle joint centre (BlazePose reads it
 * about 1.5 cm higher, on the shoe); heel = back of the shoe 4 cm above the
 * sole; foot_index = top of the shoe 5 cm above the sole, 2.5 cm short of its
 * tip, which is where BlazePose puts them on the rendered shoes (+-1 cm).
 */
#ifndef FC_SYNTH_H
#define FC_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "formcheck/landmarks.h"

#define FC_SYNTH_MAX_REPS 64
#define FC_SYNTH_PI 3.14159265358979323846

typedef struct fc_synth_vec3 {
    double x, y, z;
} fc_synth_vec3;

typedef enum fc_synth_exercise {
    FC_SYNTH_SQUAT = 0,
    FC_SYNTH_LUNGE_FORWARD,
    FC_SYNTH_LUNGE_REVERSE,
    FC_SYNTH_LUNGE_STATIONARY, /* split squat: steps into the split stance once, lead of rep 1 */
} fc_synth_exercise;

enum fc_synth_side { FC_SYNTH_LEFT = 0, FC_SYNTH_RIGHT = 1 };

/** Faults injected into a rep (bit flags). Magnitudes are fixed and documented
 *  in fc_synth_fault_doc(); the truth file reports what they produced. */
enum fc_synth_fault {
    FC_SYNTH_FAULT_SHALLOW = 1 << 0,      /* depth x 0.55 */
    FC_SYNTH_FAULT_FORWARD_LEAN = 1 << 1, /* trunk +25 deg at the bottom */
    FC_SYNTH_FAULT_VALGUS = 1 << 2,       /* knee(s) driven 15 deg medially about the hip-ankle axis */
    FC_SYNTH_FAULT_HEEL_LIFT = 1 << 3,    /* heel(s) rise 20 deg about the ball of the foot */
    FC_SYNTH_FAULT_KNEES_PAST_TOES = 1 << 4, /* shank tilt x 1.6 (squat) / hips forward (lunge) */
    FC_SYNTH_FAULT_HIP_SHIFT = 1 << 5,    /* pelvis 8 cm toward the rep's `side` */
    FC_SYNTH_FAULT_ASYMMETRIC = 1 << 6,   /* the `side` hip drops 6 cm (deeper on that side) */
    FC_SYNTH_FAULT_PARTIAL = 1 << 7,      /* depth x 0.3: a partial rep an analyser should not count as full */
};
#define FC_SYNTH_NUM_FAULTS 8

typedef struct fc_synth_rep {
    double depth_deg;  /**< target knee flexion at the bottom (the lead knee in lunges) */
    double descent_s, pause_s, ascent_s;
    double rest_s;     /**< standing still after the rep */
    int side;          /**< FC_SYNTH_LEFT/RIGHT: lunge lead leg; squat: side of hip shift/asymmetry */
    unsigned faults;   /**< fc_synth_fault flags */
} fc_synth_rep;

typedef struct fc_synth_body {
    double height_m;       /**< standing height (1.75) */
    double limb_sd;        /**< relative s.d. of random segment-length variation (0 = table values) */
    double leg_scale, arm_scale, trunk_scale; /**< extra multipliers (1) */
    double stance_width_m; /**< squat: distance between ankle centres (0.30) */
    double toe_out_deg;    /**< squat: feet turned out (10) */
    double lunge_stride_m; /**< lunge: lead ankle to rear ankle, forward (0.80 at 1.75 m) */
    double step_s;         /**< lunge step out/back duration (0.6) */
} fc_synth_body;

typedef struct fc_synth_camera {
    double azimuth_deg; /**< where the camera stands: 0 in front, 90 at the person's left, -90 right, 45 oblique */
    double distance_m;  /**< horizontal distance to the person's spot (3.1) */
    double height_m;    /**< lens height above the floor (1.0) */
    double pitch_deg;   /**< tilt down (+) from horizontal (0) */
    double hfov_deg;    /**< horizontal field of view (60) */
    int width, height;  /**< pixels (640x480) */
    double fps;         /**< frames per second (30) */
    int mirror;         /**< 1: image flipped like a webcam preview; left/right in all outputs are as seen */
    double shake_deg;   /**< amplitude of a smooth random camera wobble (0) */
} fc_synth_camera;

typedef struct fc_synth_scenario {
    fc_synth_exercise exercise;
    int nreps;
    fc_synth_rep rep[FC_SYNTH_MAX_REPS];
    fc_synth_body body;
    fc_synth_camera cam;
    int walk_in, walk_out;   /**< walk into the spot / turn and walk away */
    double lead_in_s;        /**< standing before rep 1 (1.0) */
    double lead_out_s;       /**< standing after the last rep (1.0) */
    uint64_t seed;
    double noise_deg;        /**< keypoints only: 3D jitter, s.d. = 0.3 m x this angle (0) */
    double noise_px;         /**< keypoints only: image jitter s.d. in pixels (0) */
    double dropout;          /**< keypoints only: probability a frame has no person (0) */
} fc_synth_scenario;

/** Per-rep times (seconds from the start of the clip). */
typedef struct fc_synth_rep_times {
    double start_s;        /**< movement starts (descent, or the step for forward/reverse lunges) */
    double descent_s;      /**< knee flexion starts increasing from the top of the rep */
    double bottom_start_s, bottom_s, bottom_end_s; /**< pause at the bottom; bottom_s = its middle */
    double ascent_end_s;   /**< back at the top (before stepping back in lunges) */
    double end_s;          /**< movement over */
} fc_synth_rep_times;

/** The posed body. p[] are BlazePose's 33 points; the rest is what the
 *  renderer needs to dress it. Unit vectors are in the scene frame. */
typedef struct fc_synth_skeleton {
    fc_synth_vec3 p[FC_NUM_LANDMARKS];
    fc_synth_vec3 pelvis;           /**< midpoint of the hip joints */
    fc_synth_vec3 neck;             /**< base of the neck (between the shoulders) */
    fc_synth_vec3 head;             /**< centre of the head */
    fc_synth_vec3 head_fwd, head_up, head_left;
    fc_synth_vec3 trunk_fwd, trunk_up, trunk_left;
    fc_synth_vec3 foot_fwd[2], foot_up[2]; /**< [FC_SYNTH_LEFT/RIGHT] */
    fc_synth_vec3 thumb_dir[2];     /**< hand orientation: towards the thumb */
    double scale;                   /**< height / 1.75 m: scales the renderer's radii */
    double heel_rise_deg[2];
    double ankle_h_m;               /**< ankle joint above the sole with the foot flat */
    int rep;                        /**< rep index at this time, -1 outside reps */
} fc_synth_skeleton;

/** Body angles, defined on the 33 points (see fc_synth_measure_angles). Index [side]. */
typedef struct fc_synth_angles {
    double knee_flexion_deg[2];     /**< 180 - angle(hip, knee, ankle); 0 = straight */
    double hip_flexion_deg[2];      /**< 180 - angle(shoulder, hip, knee) */
    double shank_tilt_deg[2];       /**< ankle->knee vs vertical, + when the knee is forward of the ankle */
    double thigh_to_horizontal_deg[2]; /**< knee->hip vs horizontal: 0 = thigh parallel, + = hip above knee */
    double knee_valgus_deg[2];      /**< direction in which the knee leaves the hip-ankle line, vs the foot's
                                         direction (heel->foot_index), both horizontal; + = medial (valgus) */
    double knee_fppa_deg[2];        /**< frontal-plane projection angle: 180 - angle(hip,knee,ankle) in the
                                         plane normal to the person's horizontal forward; + = knee medial */
    double knee_ankle_width_ratio;  /**< knee separation / ankle separation along the person's left (< 1: knees in) */
    double foot_pitch_deg[2];       /**< heel->foot_index vs horizontal, + = heel higher than toe */
    double knee_past_toe_m[2];      /**< (knee - foot_index) along the horizontal forward; + = knee ahead */
    double trunk_lean_deg;          /**< hip midpoint -> shoulder midpoint vs vertical, + = forward */
    double hip_shift_m;             /**< hip midpoint - ankle midpoint along the person's left (+ = to the left) */
} fc_synth_angles;

/* ---- scenario ---- */

/** Defaults: 5 side-view squats to 115 deg knee flexion, 1.75 m body, 640x480 at 30 fps. */
void fc_synth_default_scenario(fc_synth_scenario *sc);

/** Set rep `i`'s defaults (depth 115, 1.2 s down, 0.3 s pause, 1.0 s up, 0.6 s rest, side alternating). */
void fc_synth_default_rep(fc_synth_rep *r, int i);

/** "shallow" -> FC_SYNTH_FAULT_SHALLOW, 0 if unknown. */
unsigned fc_synth_fault_from_name(const char *name);
/** Name of a single fault bit, "?" if unknown. */
const char *fc_synth_fault_name(unsigned bit);
const char *fc_synth_exercise_name(fc_synth_exercise e);
/** "squat", "lunge" (= forward), "lunge_forward", "lunge_reverse", "lunge_stationary"; -1 if unknown. */
int fc_synth_exercise_from_name(const char *name);

/** Check ranges; FC_EINVAL with the offending field in err. */
int fc_synth_scenario_check(const fc_synth_scenario *sc, char *err, size_t errsz);

/** Load a scenario JSON file over `sc` (keys as in the truth file's "scenario";
 *  absent keys keep their value). Errors: FC_ENOENT.., FC_EINVAL naming the key. */
int fc_synth_scenario_load(fc_synth_scenario *sc, const char *path, char *err, size_t errsz);

/* ---- motion ---- */

/** Rep times for all reps (`times` has room for sc->nreps); returns the clip duration (s). */
double fc_synth_timeline(fc_synth_rep_times *times, const fc_synth_scenario *sc);

/** Number of frames in the clip: floor(duration * fps) + 1. */
int64_t fc_synth_frame_count(const fc_synth_scenario *sc);

/** Pose the body at time t_s. */
void fc_synth_pose_at(fc_synth_skeleton *out, const fc_synth_scenario *sc, double t_s);

/** Segment lengths (m) of the scenario's body, after variation: [0] thigh, [1] shank,
 *  [2] upper arm, [3] forearm, [4] hip width, [5] shoulder width, [6] trunk. */
void fc_synth_segments(double seg[7], const fc_synth_scenario *sc);

/* ---- camera ---- */

typedef struct fc_synth_view {
    fc_synth_vec3 pos;                 /**< lens centre, scene frame */
    fc_synth_vec3 right, down, fwd;    /**< camera axes, scene frame */
    double focal_px, cx, cy;
    int width, height, mirror;
} fc_synth_view;

/** The camera at time t_s (shake included). */
void fc_synth_view_at(fc_synth_view *v, const fc_synth_scenario *sc, double t_s);

/** Project a scene point: pixel coordinates (continuous, pixel i covers [i, i+1)),
 *  mirroring applied; *depth_m = distance along the optical axis. Returns 0, or
 *  -1 if the point is behind the camera. */
int fc_synth_project(double *u_px, double *v_px, double *depth_m, const fc_synth_view *v,
                     fc_synth_vec3 p);

/** The keypoints a perfect BlazePose would report on frame `frame` (noise and
 *  dropout per the scenario; mirror swaps the labels). */
void fc_synth_keypoints(fc_pose_result *out, const fc_synth_scenario *sc,
                        const fc_synth_skeleton *sk, int64_t frame);

/* ---- truth ---- */

/** Measure the angles on 33 points given the "up" direction in their frame
 *  (scene: 0,1,0; BlazePose world landmarks with a level camera: 0,-1,0). */
void fc_synth_measure_angles(fc_synth_angles *out, const fc_synth_vec3 p[FC_NUM_LANDMARKS],
                             fc_synth_vec3 up);

/** Write the truth JSON (scenario, angle definitions, per-rep times/frames/angles)
 *  atomically to `path`. Errors from atomicfile.h, FC_ENOMEM. */
int fc_synth_write_truth(const char *path, const fc_synth_scenario *sc, char *err, size_t errsz);

/** Write the keypoints series for the whole clip to `path` (JSON Lines). */
int fc_synth_write_keypoints(const char *path, const fc_synth_scenario *sc, char *err, size_t errsz);

/* ---- deterministic random numbers ---- */

typedef struct fc_synth_rng {
    uint64_t s;
} fc_synth_rng;

void fc_synth_rng_seed(fc_synth_rng *r, uint64_t seed, uint64_t stream);
double fc_synth_rng_uniform(fc_synth_rng *r); /**< [0,1) */
double fc_synth_rng_gauss(fc_synth_rng *r);   /**< N(0,1) */

#endif
