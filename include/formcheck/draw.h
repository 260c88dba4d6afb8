/*
 * formcheck/draw.h - overlays on BGR frames (OpenCV imgproc behind a C API):
 * the pose skeleton, text labels and a semi-transparent text panel. Used for
 * annotated videos and the live preview.
 *
 *     fc_draw_skeleton(&frame, &pose, 0.5f);
 *     fc_draw_label(&frame, x_px, y_px, "92 deg", FC_RGB(255, 255, 255), 0.5f);
 *     const char *lines[] = {"Reps: 3", "Rep 3: good"};
 *     fc_draw_panel(&frame, lines, 2, FC_CORNER_TOP_LEFT, 0.6f);
 *
 * All functions draw in place, clip to the frame, never allocate per call beyond
 * OpenCV's text rendering, and return 0 or FC_EINVAL/FC_ECV (exceptions never
 * cross into C). Thread-safety: concurrent calls on different frames are fine.
 */
#ifndef FORMCHECK_DRAW_H
#define FORMCHECK_DRAW_H

#include <stdint.h>

#include "formcheck/frame.h"
#include "formcheck/landmarks.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A colour as 0xRRGGBB. */
typedef uint32_t fc_rgb;
#define FC_RGB(r, g, b) ((fc_rgb)(((uint32_t)(r) << 16) | ((uint32_t)(g) << 8) | (uint32_t)(b)))

enum fc_corner { FC_CORNER_TOP_LEFT, FC_CORNER_TOP_RIGHT, FC_CORNER_BOTTOM_LEFT, FC_CORNER_BOTTOM_RIGHT };

/** Number of bones in BlazePose's skeleton drawing and the landmark pairs they join. */
#define FC_NUM_BONES 35
extern const unsigned char fc_bones[FC_NUM_BONES][2];

/** Draw bones and joints of `pose` (left side orange, right side blue, centre white),
 *  skipping points with visibility < `min_visibility`. Does nothing if !pose->found.
 *  Pixel coordinates are taken as they are in `pose` (same frame size). */
int fc_draw_skeleton(fc_frame *frame, const fc_pose_result *pose, float min_visibility);

/** Text with a dark outline at (x_px, y_px) = baseline-left. `scale` 1.0 is ~22 px high. */
int fc_draw_label(fc_frame *frame, int x_px, int y_px, const char *text, fc_rgb colour, float scale);

/** A box of text lines in a corner, on a darkened background. Lines starting with
 *  "!" are drawn in red (without the "!"), "+" in green, "~" in amber. */
int fc_draw_panel(fc_frame *frame, const char *const *lines, int n_lines, int corner, float scale);

/** A vertical gauge at the right edge: `value` in [0,1] filled, with a mark at `target`. */
int fc_draw_gauge(fc_frame *frame, float value, float target, fc_rgb colour);

#ifdef __cplusplus
}
#endif
#endif /* FORMCHECK_DRAW_H */
