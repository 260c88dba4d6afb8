/*
 * formcheck/posefilter.h - MediaPipe's landmark smoothing, pure C: the one-euro
 * filter (mediapipe/util/filtering/one_euro_filter.cc as configured by the pose
 * landmarker: landmarks min_cutoff 0.05, beta 80, derivate_cutoff 1, value scaled
 * by 1/object size; world points 0.1, 40, 1, unscaled) and the visibility
 * low-pass filter (alpha 0.1).
 *
 *     fc_point_smoother s;
 *     fc_point_smoother_init(&s, &FC_SMOOTH_LANDMARKS, 0.1f);
 *     for (each frame) fc_point_smoother_landmarks(&s, r.lm, FC_NUM_LANDMARKS, t_ns, roi_side_px);
 *     fc_point_smoother_reset(&s);      // when the track is lost
 *
 * Timestamps are int64 nanoseconds and must increase; a repeated or older
 * timestamp returns the input unchanged (as MediaPipe does). The first sample,
 * at any time including 0, passes through and starts the filter.
 *
 * Thread-safety: a smoother belongs to one thread; no allocation, no globals.
 */
#ifndef FORMCHECK_POSEFILTER_H
#define FORMCHECK_POSEFILTER_H

#include <stdint.h>

#include "formcheck/landmarks.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One-euro filter parameters (Hz, and beta as MediaPipe defines it). */
typedef struct fc_one_euro_params {
    double min_cutoff;
    double beta;
    double derivate_cutoff;
} fc_one_euro_params;

/** The pose landmarker's settings for image landmarks and for world landmarks. */
extern const fc_one_euro_params FC_SMOOTH_LANDMARKS;
extern const fc_one_euro_params FC_SMOOTH_WORLD;

/** Exponential low-pass filter: out = alpha * in + (1 - alpha) * previous out. */
typedef struct fc_low_pass {
    float alpha;
    float raw, stored;
    int initialized;
} fc_low_pass;

void fc_low_pass_init(fc_low_pass *f, float alpha);
float fc_low_pass_apply(fc_low_pass *f, float value);

/** One-euro filter on one scalar. */
typedef struct fc_one_euro {
    fc_one_euro_params p;
    double frequency;   /**< Hz; 30 until two timestamps have been seen */
    int64_t last_ns;
    int has_last;       /**< a sample has been seen */
    fc_low_pass x, dx;
} fc_one_euro;

void fc_one_euro_init(fc_one_euro *f, const fc_one_euro_params *p);
/** Filter `value` at time `t_ns`. `value_scale` multiplies the derivative (1/object
 *  size makes the filter independent of how large the person appears). */
float fc_one_euro_apply(fc_one_euro *f, int64_t t_ns, double value_scale, float value);

/** Up to FC_NUM_LANDMARKS points: x, y, z filters and a visibility filter each. */
typedef struct fc_point_smoother {
    fc_one_euro_params p;
    float vis_alpha;
    fc_one_euro f[FC_NUM_LANDMARKS][3];
    fc_low_pass vis[FC_NUM_LANDMARKS];
} fc_point_smoother;

void fc_point_smoother_init(fc_point_smoother *s, const fc_one_euro_params *p, float vis_alpha);
/** Forget the history (next sample passes through). */
void fc_point_smoother_reset(fc_point_smoother *s);
/** Smooth image landmarks in place (x, y, z in pixels; visibility low-passed).
 *  `object_scale_px` > 0 scales the derivative by its inverse (MediaPipe passes
 *  (roi width + roi height) / 2 in pixels); <= 0 disables that scaling. */
void fc_point_smoother_landmarks(fc_point_smoother *s, fc_landmark *lm, int n, int64_t t_ns,
                                 float object_scale_px);
/** Smooth world points in place (no value scaling). */
void fc_point_smoother_world(fc_point_smoother *s, fc_point3 *p, int n, int64_t t_ns);

#ifdef __cplusplus
}
#endif
#endif /* FORMCHECK_POSEFILTER_H */
