/*
 * formcheck/landmarks.h - BlazePose's 33-point topology and the per-frame pose
 * result shared by the pose module, keypoints files and the analyser.
 *
 *     const fc_pose_result *r = ...;
 *     if (r->found && r->lm[FC_LM_LEFT_KNEE].visibility > 0.5f)
 *         printf("left knee at %.1f,%.1f px\n", r->lm[FC_LM_LEFT_KNEE].x, r->lm[FC_LM_LEFT_KNEE].y);
 *
 * Image landmarks are in pixels of the frame (x right, y down), z is BlazePose's
 * relative depth (same scale as x, smaller = nearer the camera, hip-centred).
 * World landmarks are in metres, origin between the hips, y down (BlazePose's
 * convention). "Left" is the person's left.
 */
#ifndef FORMCHECK_LANDMARKS_H
#define FORMCHECK_LANDMARKS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FC_NUM_LANDMARKS 33

typedef enum fc_landmark_id {
    FC_LM_NOSE = 0,
    FC_LM_LEFT_EYE_INNER, FC_LM_LEFT_EYE, FC_LM_LEFT_EYE_OUTER,
    FC_LM_RIGHT_EYE_INNER, FC_LM_RIGHT_EYE, FC_LM_RIGHT_EYE_OUTER,
    FC_LM_LEFT_EAR, FC_LM_RIGHT_EAR,
    FC_LM_MOUTH_LEFT, FC_LM_MOUTH_RIGHT,
    FC_LM_LEFT_SHOULDER, FC_LM_RIGHT_SHOULDER,
    FC_LM_LEFT_ELBOW, FC_LM_RIGHT_ELBOW,
    FC_LM_LEFT_WRIST, FC_LM_RIGHT_WRIST,
    FC_LM_LEFT_PINKY, FC_LM_RIGHT_PINKY,
    FC_LM_LEFT_INDEX, FC_LM_RIGHT_INDEX,
    FC_LM_LEFT_THUMB, FC_LM_RIGHT_THUMB,
    FC_LM_LEFT_HIP, FC_LM_RIGHT_HIP,
    FC_LM_LEFT_KNEE, FC_LM_RIGHT_KNEE,
    FC_LM_LEFT_ANKLE, FC_LM_RIGHT_ANKLE,
    FC_LM_LEFT_HEEL, FC_LM_RIGHT_HEEL,
    FC_LM_LEFT_FOOT_INDEX, FC_LM_RIGHT_FOOT_INDEX
} fc_landmark_id;

/** One image landmark. */
typedef struct fc_landmark {
    float x, y;        /**< pixels in the frame */
    float z;           /**< relative depth, pixel-like scale, hip-centred */
    float visibility;  /**< [0,1]: likely visible (not occluded) */
    float presence;    /**< [0,1]: likely inside the frame */
} fc_landmark;

/** One world landmark, metres, hip-centred, y down. */
typedef struct fc_point3 {
    float x, y, z;
} fc_point3;

/** Track events reported with a result (bit flags). */
enum fc_track_event {
    FC_TRACK_NONE = 0,
    FC_TRACK_DETECTED = 1,   /**< this frame ran the detector and found the person */
    FC_TRACK_LOST = 2,       /**< the track was lost on this frame */
    FC_TRACK_REACQUIRED = 4, /**< found again after a loss */
};

/** The pose of one person in one frame. */
typedef struct fc_pose_result {
    int64_t frame;        /**< frame index */
    double t_s;           /**< time, seconds */
    int width, height;    /**< frame size the pixel coordinates refer to */
    int found;            /**< 1 if a person was found; lm/world valid only then */
    float score;          /**< pose presence score in [0,1] */
    int events;           /**< fc_track_event flags */
    float ms;             /**< time the pose module spent on this frame (ms), 0 if unknown */
    fc_landmark lm[FC_NUM_LANDMARKS];
    fc_point3 world[FC_NUM_LANDMARKS];
} fc_pose_result;

/** Static name of a landmark ("left_knee"), or "?" when out of range. */
const char *fc_landmark_name(int id);

/** The landmark on the other side of the body (FC_LM_LEFT_KNEE -> FC_LM_RIGHT_KNEE);
 *  the nose maps to itself. Returns -1 when out of range. */
int fc_landmark_mirror(int id);

#ifdef __cplusplus
}
#endif
#endif /* FORMCHECK_LANDMARKS_H */
