/*
 * formcheck/measures.h - per-frame body measures, the depth signal and the
 * camera view, from a cleaned series of bodies (formcheck/body.h: the 12
 * landmarks read here; cleaned by formcheck/smooth.h).
 *
 *     double *depth = malloc(n * sizeof *depth), *leg = malloc(n * sizeof *leg);
 *     fc_measures_depth(depth, leg, series, n, 0.5f);
 *     fc_view_info vi;
 *     fc_view_detect(&vi, series, n, depth, 0.0, 1e9, 0.5f);
 *     fc_measures *m = malloc(n * sizeof *m);
 *     fc_measures_compute(m, series, n, depth, leg, vi.view, 0.5f);
 *
 * Units: angles in degrees; lengths in "leg" units (the standing hip-to-ankle
 * height, so 0.5 = half a leg) or percent of it ("%leg"). Arrays indexed [2]
 * are [left, right] (the person's sides).
 *
 * Which measure uses which landmarks (docs/report-schema.md has the table):
 *  - depth signal (reps): 1 - h / H, with h the hip's height above the floor
 *    (the lower ankle) in image pixels over the frame's scale (pixels per metre:
 *    the largest image/world length ratio of the hip width and the torso's
 *    sides, i.e. the one most parallel to the image; median over +-1 s), and H the largest
 *    h within +-window (standing). Vertical image travel only, so the same in
 *    every view, and unchanged by a person walking towards or away from the camera.
 *  - "vertical" for world angles and for the back-projected legs: BlazePose's
 *    world axes follow the camera, so when the standing legs (ankle to hip,
 *    both legs' world points, seen or not) lean 10-30 deg from the world -y
 *    axis the camera is tilted and their mean direction is used as up (below 10 deg it is BlazePose's depth noise: its
 *    world legs lean 5-9 deg sideways on level side views).
 *  - side and oblique views: knee flexion, shin and thigh angle (so the depth
 *    check) from the IMAGE hip, knee and ankle back-projected onto the leg's
 *    bending plane (formcheck/legplane.h): a vertical plane turned about "up"
 *    by the set's median yaw of BlazePose's world hip-knee-ankle triangle,
 *    through a pinhole camera with the focal length taken as the image width.
 *    BlazePose's world angles read the knee 10-15 deg less bent (thighs 6-7 deg
 *    shallower) on rendered side views; the plain 2D angle is 1-3 deg off in
 *    perspective when the feet turn out. When a leg's plane yaw is unknown
 *    (never bent 30 deg) or the plane is seen within 5 deg of edge-on, that
 *    leg's angles fall back to the world points. Hip flexion pairs that thigh
 *    with the world trunk side; trunk lean, foot pitch, knee past toes and step
 *    stay on the world points (3D, metres).
 *  - heel lift, side and oblique: the heel's image rise over its median on
 *    standing frames within +-3 s, as foot pitch about the toes, asin(rise /
 *    foot length in pixels; the foot's world length over the standing hip
 *    height, times the leg in pixels). BlazePose's toe point drifts 5 px as the
 *    shin tilts while its heel stays put, so the foot's image pitch shows a lift
 *    that is not there; its world feet wobble by 10-30 deg.
 *  - front view: the 2D knee angle cannot see knee bend, so the thigh angle
 *    comes from the thigh's vertical extent over its length (asin), i.e. from
 *    the hip's vertical travel relative to the knee, with a perspective
 *    correction from BlazePose's relative depth z (focal length taken as the
 *    image width); knee valgus (frontal-plane projection angle),
 *    knee/ankle width ratio and lateral hip shift are 2D image measures; sagittal
 *    angles and heel lift (world foot pitch over standing) are still filled from
 *    the world landmarks but the checks do not judge them ("not assessed").
 *
 * Pure C; thread-safe (no shared state).
 */
#ifndef FORMCHECK_MEASURES_H
#define FORMCHECK_MEASURES_H

#include <stddef.h>

#include "formcheck/body.h"
#include "formcheck/landmarks.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Camera view of the set. */
typedef enum fc_view { FC_VIEW_UNKNOWN = 0, FC_VIEW_SIDE, FC_VIEW_FRONT, FC_VIEW_OBLIQUE } fc_view;

/** Static "side"/"front"/"oblique"/"unknown". */
const char *fc_view_name(int view);

/** One frame's measures; NAN where not measurable (landmarks missing). */
typedef struct fc_measures {
    int64_t frame;
    double t_s;
    int valid;                 /**< hips, knees and ankles visible */
    double depth;              /**< depth signal, leg units: ~0 standing, ~0.45 at parallel */
    double knee_flex_deg[2];   /**< knee flexion, 0 = straight */
    double hip_flex_deg[2];    /**< hip flexion (trunk to thigh), 0 = upright standing */
    double trunk_lean_deg;     /**< trunk (mid-hip to mid-shoulder) from vertical */
    double shin_deg[2];        /**< shin from vertical */
    double thigh_deg[2];       /**< thigh to horizontal: 90 standing, 0 parallel, < 0 hip below knee */
    double hip_below_knee;     /**< (hip - knee height) / leg, > 0 when the hip is below the knee */
    double fppa_deg[2];        /**< frontal-plane projection angle (front view): 180 - the image
                                    angle hip-knee-ankle, + = valgus (knee inside the hip-ankle line) */
    double knee_in_deg[2];     /**< front view: knee medial of its toes (foot_index), as the angle
                                    atan(offset / true shin length); 0 = knee over the toes, + = caved in */
    double knee_ankle_ratio;   /**< knee width / ankle width in the image */
    double heel_lift_deg[2];   /**< foot pitch (heel up) over the standing baseline */
    double hip_shift_pct;      /**< mid-hip over mid-ankle, sideways, vs standing; + = to the person's right */
    double knee_height_pct[2]; /**< knee height above its own toe, %leg */
    double knee_past_toe_pct[2]; /**< knee ahead of its toe along the foot's direction, %leg */
    double step_ratio;         /**< ankle distance along the feet's direction / leg length */
} fc_measures;

/** View of a set, from the torso's apparent width (2D) against its real
 *  width (world landmarks): yaw 0 = facing the camera, 90 = side on. */
typedef struct fc_view_info {
    int view;               /**< fc_view: front < 30 deg <= oblique <= 60 deg < side */
    double yaw_deg;         /**< median over standing frames in the range */
    int n_moves;            /**< times a 2 s window's view differed from the one before by > 25 deg */
    double move_t_s[8];     /**< when (first 8) */
} fc_view_info;

/** The depth signal and the per-frame leg length (standing hip height) in
 *  pixels (both NAN where hips/ankles are missing). `window_s` (e.g. 4) bounds
 *  how far the standing height is looked for. Allocates 2n doubles of scratch
 *  once. Errors: FC_EINVAL, FC_ENOMEM. */
int fc_measures_depth(double *depth, double *leg_px, const fc_body *s, size_t n, float min_visibility,
                      double window_s);

/** Detect the view from frames with t in [t_from, t_to] whose depth < 0.08
 *  (standing, so trunk lean does not foreshorten the torso). view is
 *  FC_VIEW_UNKNOWN when no such frame has world landmarks. Errors: FC_EINVAL. */
int fc_view_detect(fc_view_info *out, const fc_body *s, size_t n, const double *depth, double t_from,
                   double t_to, float min_visibility);

/** Fill out[0..n) for `view`. `depth` and `leg_px` from fc_measures_depth().
 *  Baselines (foot pitch, hip shift) are means over frames with depth < 0.03
 *  (side and oblique heel lift: see above). Allocates 2n doubles of scratch in
 *  side and oblique views. Errors: FC_EINVAL, FC_ENOMEM. */
int fc_measures_compute(fc_measures *out, const fc_body *s, size_t n, const double *depth,
                        const double *leg_px, int view, float min_visibility);

#ifdef __cplusplus
}
#endif
#endif /* FORMCHECK_MEASURES_H */
