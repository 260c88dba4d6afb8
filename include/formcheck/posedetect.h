/*
 * formcheck/posedetect.h - the geometry of BlazePose, pure C: SSD anchors, the
 * detector's box/keypoint decoding, weighted non-maximum suppression,
 * letterbox removal, the rotated region of interest (ROI) and the projection
 * of landmark-model outputs back into the frame.
 *
 * Parameters follow MediaPipe's graphs (mediapipe/modules/pose_detection/
 * pose_detection_cpu.pbtxt, pose_landmark/pose_detection_to_roi.pbtxt and
 * the Tasks pose_landmarker graphs); the calculators they name define the maths.
 *
 *     static fc_anchor anchors[FC_POSE_NUM_ANCHORS];
 *     fc_pose_anchors(anchors, FC_POSE_NUM_ANCHORS);       // once
 *     fc_detection dets[FC_POSE_NUM_ANCHORS];
 *     int n = fc_pose_decode(dets, FC_POSE_NUM_ANCHORS, raw_boxes, raw_scores,
 *                            anchors, FC_POSE_NUM_ANCHORS, 0.5f);
 *     n = fc_pose_nms_weighted(dets, n, 0.5f);            // best first
 *     fc_detection_unletterbox(dets, n, pad);             // to image-normalised
 *     fc_roi roi = fc_roi_from_points(kx0 * w, ky0 * h, kx1 * w, ky1 * h);
 *
 * Coordinates: detections are normalised ([0,1] of the detector input or, after
 * fc_detection_unletterbox(), of the frame). ROIs are in frame pixels with a
 * rotation in radians (positive = clockwise on screen, y down), as MediaPipe's
 * NormalizedRect scaled by the frame size.
 *
 * Thread-safety: all functions are pure (no state).
 */
#ifndef FORMCHECK_POSEDETECT_H
#define FORMCHECK_POSEDETECT_H

#include "formcheck/landmarks.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Detector input side (pixels) and anchor count: 28*28*2 + 14*14*2 + 7*7*6. */
#define FC_POSE_DET_SIZE 224
#define FC_POSE_NUM_ANCHORS 2254
/** Values per anchor in the detector's box tensor: box (4) + 4 keypoints (x, y). */
#define FC_POSE_DET_COORDS 12
#define FC_POSE_DET_KEYPOINTS 4
/** Landmark model input side and its outputs: 39 points (33 + 2 auxiliary + 4 unused). */
#define FC_POSE_LM_SIZE 256
#define FC_POSE_LM_POINTS 39
#define FC_POSE_AUX_FIRST 33
/** The heatmap output is 64x64 with one channel per landmark point. */
#define FC_POSE_HEATMAP_SIZE 64

/** One SSD anchor: centre and size, normalised to the detector input. */
typedef struct fc_anchor {
    float x, y, w, h;
} fc_anchor;

/** One person detection. Box corners and keypoints are normalised. Keypoint 0 is
 *  the hip centre, 1 a point whose distance gives the body's scale (and with 0 its
 *  rotation), 2 and 3 the same for the face. */
typedef struct fc_detection {
    float score;                          /**< [0,1], sigmoid of the clipped logit */
    float xmin, ymin, xmax, ymax;
    float kp[FC_POSE_DET_KEYPOINTS][2];   /**< x, y */
} fc_detection;

/** A rotated rectangle in frame pixels. */
typedef struct fc_roi {
    float cx, cy;     /**< centre, px */
    float w, h;       /**< size, px */
    float rotation;   /**< radians, clockwise (y down) */
} fc_roi;

/** Fill `out` with the detector's anchors (SsdAnchorsCalculator: 5 layers, strides
 *  8,16,32,32,32, one aspect ratio plus the interpolated one, fixed size 1x1,
 *  offset 0.5). Returns the count (FC_POSE_NUM_ANCHORS), or FC_EINVAL if `cap` is
 *  too small. */
int fc_pose_anchors(fc_anchor *out, int cap);

/** Decode raw detector outputs: `raw_boxes` [n][12] (x, y, w, h, then 4 keypoints
 *  x, y, all in input pixels relative to the anchor), `raw_scores` [n] logits.
 *  Scores are clipped to +-100 and passed through a sigmoid; boxes with a score
 *  below `min_score`, a negative size or NaN are dropped. Returns the number of
 *  detections written (at most `cap`), in anchor order. */
int fc_pose_decode(fc_detection *out, int cap, const float *raw_boxes, const float *raw_scores,
                   const fc_anchor *anchors, int n, float min_score);

/** Intersection over union of two detections' boxes; 0 when they do not overlap. */
float fc_detection_iou(const fc_detection *a, const fc_detection *b);

/** Weighted non-maximum suppression in place (MediaPipe's WEIGHTED algorithm):
 *  repeatedly take the best remaining detection, gather every remaining one whose
 *  IoU with it exceeds `iou_threshold` (itself included), and replace it by their
 *  score-weighted mean box and keypoints, keeping the best score. Returns the
 *  number of merged detections, sorted by score, best first. */
int fc_pose_nms_weighted(fc_detection *dets, int n, float iou_threshold);

/** The letterbox that fits a `width` x `height` frame into a square input, as
 *  fractions of the input side: pad[0..3] = left, top, right, bottom. */
void fc_letterbox_padding(int width, int height, float pad[4]);

/** The frame region that letterboxed detector input covers, as an ROI. */
fc_roi fc_letterbox_roi(int width, int height);

/** Remove letterbox padding from detections in place: coordinates normalised to
 *  the padded input become normalised to the frame. */
void fc_detection_unletterbox(fc_detection *dets, int n, const float pad[4]);

/** Wrap an angle into [-pi, pi). */
float fc_normalize_radians(float a);

/** The landmark model's ROI from two alignment points in frame pixels
 *  (AlignmentPointsRectsCalculator + RectTransformationCalculator): centre at
 *  point 0, side 2 * |p1 - p0| scaled by 1.25 (square), rotation that turns the
 *  0->1 vector upright (target angle 90 degrees). */
fc_roi fc_roi_from_points(float x0, float y0, float x1, float y1);

/** Map a point given in the ROI's normalised coordinates (0..1 across the ROI, as
 *  the landmark model sees it) to frame pixels. */
void fc_roi_to_frame(const fc_roi *roi, float u, float v, float *x, float *y);

/** 1 if `roi` could hold a person in a width x height frame and can be cropped
 *  (formcheck/imgwarp.h): finite, not empty, its centre within 4 x (width +
 *  height) of the origin and its sides under 8 x (width + height); else 0. */
int fc_roi_usable(const fc_roi *roi, int width, int height);

/** Choose our person among `n` detections (normalised to a `width` x `height` frame,
 *  sorted best first). With `seen` (the ROI where the person was last found, or
 *  NULL): the detection whose hip centre (keypoint 0) is nearest to seen's centre,
 *  if nearer than `same_dist` ROI sides. Otherwise, among the detections scoring
 *  within `score_tie` of the best, the largest and most central: body size (the
 *  ROI side from keypoints 0 and 1) squared times (1 - hip distance from the frame
 *  centre over half the diagonal). Returns an index, or -1 when n <= 0. */
int fc_pose_pick(const fc_detection *dets, int n, int width, int height, const fc_roi *seen, float score_tie,
                 float same_dist);

/** Decode the landmark model's raw outputs into frame pixels.
 *  `raw` [39][5] (x, y, z in input pixels, visibility and presence logits),
 *  `heatmap` [64][64][39] logits (HWC; with `planar` 1: [39][64][64], CHW, the
 *  network's own order, no transposition needed) or NULL (no refinement), `world_raw` [39][3] metres
 *  or NULL. Writes 33 landmarks to `lm` (sigmoid visibility/presence, z scaled like
 *  x), the two auxiliary points to `aux` (x, y in pixels; may be NULL), and the 33
 *  world points rotated by the ROI's rotation to `world` (may be NULL).
 *  Heatmap refinement (RefineLandmarksFromHeatmapCalculator): a `kernel` x `kernel`
 *  window around each point, sigmoid weights; applied when the window's highest
 *  weight reaches `min_confidence`. */
void fc_pose_landmarks_decode(fc_landmark *lm, float (*aux)[2], fc_point3 *world,
                              const float *raw, const float *heatmap, int planar, const float *world_raw,
                              const fc_roi *roi, int kernel, float min_confidence);

/** Refine points (normalised to the model input, [n][2] x, y) with a heatmap of
 *  `hm_h` x `hm_w` x `n` logits (HWC), or `n` x `hm_h` x `hm_w` with `planar` 1 (CHW).
 *  Exposed for tests. */
void fc_pose_refine_heatmap(float (*pts)[2], int n, const float *heatmap, int planar, int hm_w, int hm_h,
                            int kernel, float min_confidence);

#ifdef __cplusplus
}
#endif
#endif /* FORMCHECK_POSEDETECT_H */
