/*
 * formcheck/body.h - the part of a pose the analyser reads: the 12 landmarks
 * of the shoulders, hips, knees, ankles, heels and toes, image and world
 * (416 bytes a frame against fc_pose_result's 1096). Smoothing, measures and
 * leg planes work on arrays of these (formcheck/series.h keeps them).
 *
 *     fc_body b;
 *     fc_body_from_pose(&b, &result);
 *     const fc_landmark *knee = &b.lm[FC_B(FC_LM_LEFT_KNEE)];   // pixels, as in the result
 *     int right_knee = FC_B(FC_LM_LEFT_KNEE) + 1;                // pairs stay adjacent
 *
 * Thread-safety: pure functions.
 */
#ifndef FORMCHECK_BODY_H
#define FORMCHECK_BODY_H

#include <stdint.h>

#include "formcheck/landmarks.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Landmarks in an fc_body: left/right pairs stay adjacent (slot ^ 1 is the mirror). */
#define FC_BODY_N 12
/** The fc_body slot of a body landmark id (shoulders, hips to toes); no range check:
 *  use fc_body_slot() for ids that may be outside the body. */
#define FC_B(id) ((id) >= FC_LM_LEFT_HIP ? (id) - FC_LM_LEFT_HIP + 2 : (id) - FC_LM_LEFT_SHOULDER)

/** One frame of the compact series. Fields as in fc_pose_result. */
typedef struct fc_body {
    int64_t frame;             /**< frame index */
    double t_s;                /**< time, seconds */
    int width, height;         /**< frame size the pixel coordinates refer to */
    int found;                 /**< 1 if a person was found */
    fc_landmark lm[FC_BODY_N]; /**< image landmarks, slot FC_B(id) */
    fc_point3 world[FC_BODY_N];/**< world landmarks, metres */
} fc_body;

/** The slot of landmark `id`, or -1 when the body does not keep it. */
int fc_body_slot(int id);

/** The landmark id of slot `slot` (0..FC_BODY_N-1), or -1. */
int fc_body_landmark(int slot);

/** The body of one pose result. */
void fc_body_from_pose(fc_body *out, const fc_pose_result *r);

#ifdef __cplusplus
}
#endif
#endif /* FORMCHECK_BODY_H */
