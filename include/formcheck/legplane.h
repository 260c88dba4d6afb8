/*
 * formcheck/legplane.h - perspective-aware leg angles from the image: each
 * leg's hip, knee and ankle are back-projected through a pinhole camera onto
 * the leg's bending plane, whose orientation comes from BlazePose's world
 * landmarks over the whole set; the angles are then measured in 3D.
 *
 *     double yaw[2], n[3], pts[3][3];
 *     const double up[3] = {0, -1, 0};                      // level camera
 *     fc_leg_plane_yaw(yaw, bodies, n_frames, depth, up, 0.5f);   // per set (fc_body, formcheck/body.h)
 *     fc_leg_plane_normal(n, yaw[FC_SIDE_LEFT], up);
 *     const double px[3][2] = {{hip_x, hip_y}, {knee_x, knee_y}, {ankle_x, ankle_y}};
 *     fc_pinhole cam = fc_pinhole_guess(640, 480);
 *     if (isfinite(yaw[0]) && fc_plane_backproject(pts, px, 3, 1, n, &cam) == 0)
 *         ... knee flexion = 180 - angle(pts[0] - pts[1], pts[2] - pts[1]) ...
 *
 * Why (measured on rendered side-view clips, BlazePose full):
 *  - BlazePose's world landmarks read the knee 10-15 deg less bent than it is,
 *    and their depth (z) differences along a leg are off by +-5-10 cm frame to
 *    frame, sometimes with the wrong sign;
 *  - the 2D image angle is close, but a leg whose plane is turned out of the
 *    image plane (feet turned out 10 deg, the body a little off side-on) is seen
 *    at an angle and in perspective: on perfect keypoints a 115 deg knee reads
 *    113 (the hip, further away than the knee, projects nearer the horizon);
 *  - the knee bends in one plane that stays put while the feet are planted,
 *    and the median of its orientation over a set from BlazePose's world
 *    landmarks is within about 1 deg of the truth on those clips.
 * So: the plane is the leg's, taken vertical (knees track over the feet; a
 * forced vertical plane removes the tilt that BlazePose's noisy depth adds),
 * turned about "up" by the set's median yaw; the image points are intersected
 * with it. The angles in the plane do not depend on its distance from the
 * camera, only on its orientation and the camera's focal length and centre.
 *
 * Axes: camera axes, x right, y down, z away from the camera: the axes of
 * image pixels and of BlazePose's world landmarks (they turn with the camera),
 * so a direction from the world landmarks is a direction in camera space.
 * "up" is a unit vector in those axes (0,-1,0 for a level camera).
 * Yaw: the angle, about up, between the plane's normal and the camera's
 * horizontal viewing direction; 0 = the plane faces the camera (pure side
 * view), +-90 = seen edge-on (front view, where back-projection is useless).
 *
 * Pure C; no state; thread-safe.
 */
#ifndef FORMCHECK_LEGPLANE_H
#define FORMCHECK_LEGPLANE_H

#include <stddef.h>

#include "formcheck/body.h"
#include "formcheck/landmarks.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A pinhole camera: focal length and principal point, pixels. */
typedef struct fc_pinhole {
    double f_px, cx, cy;
} fc_pinhole;

/** The camera assumed when nothing is known: focal length = the image width
 *  (a 53 deg horizontal field of view, a typical webcam's 50-70), principal
 *  point at the centre. A wrong focal length matters little side on: 60 deg
 *  instead of 53 moves a 125 deg knee by 0.2 deg on the rendered clips. */
fc_pinhole fc_pinhole_guess(int width, int height);

/** The unit normal of the vertical plane at `yaw_deg` about the unit vector
 *  `up` (see the axes above). */
void fc_leg_plane_normal(double normal[3], double yaw_deg, const double up[3]);

/** Per-set yaw of each leg's bending plane (yaw_deg[FC_SIDE_LEFT/RIGHT],
 *  degrees, NAN when it cannot be told). From the frames where that leg's
 *  hip, knee and ankle are visible (>= min_visibility), the set is under way
 *  (depth >= 0.1 leg, fc_measures_depth(); NULL = every frame) and the world
 *  knee is bent by 30 deg or more (so its plane is well defined): the normal of
 *  the world hip-knee-ankle triangle, made horizontal, and the median of its
 *  yaw (0.5 deg bins) over at least 5 such frames. Errors: FC_EINVAL. */
int fc_leg_plane_yaw(double yaw_deg[2], const fc_body *s, size_t n, const double *depth, const double up[3],
                     float min_visibility);

/** Back-project n image points (px[i] = {x, y}, pixels) onto the plane with
 *  unit normal `normal` that passes, at depth z = 1, through the ray of point
 *  `anchor`: out[i] is where the ray through px[i] meets it (camera axes,
 *  arbitrary scale: angles and length ratios are what it gives). Errors:
 *  FC_EINVAL for bad arguments (anchor >= n, f_px <= 0) and when a ray is
 *  within 5 deg of lying in the plane (seen nearly edge-on; out is then
 *  unspecified). */
int fc_plane_backproject(double (*out)[3], const double (*px)[2], size_t n, size_t anchor, const double normal[3],
                         const fc_pinhole *cam);

#ifdef __cplusplus
}
#endif
#endif /* FORMCHECK_LEGPLANE_H */
