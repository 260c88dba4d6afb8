/* landmarks.c - names and left/right mirroring of BlazePose's topology. */
#include "formcheck/landmarks.h"

static const char *const names[FC_NUM_LANDMARKS] = {
    "nose", "left_eye_inner", "left_eye", "left_eye_outer",
    "right_eye_inner", "right_eye", "right_eye_outer",
    "left_ear", "right_ear", "mouth_left", "mouth_right",
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
    "left_wrist", "right_wrist", "left_pinky", "right_pinky",
    "left_index", "right_index", "left_thumb", "right_thumb",
    "left_hip", "right_hip", "left_knee", "right_knee",
    "left_ankle", "right_ankle", "left_heel", "right_heel",
    "left_foot_index", "right_foot_index",
};

const char *fc_landmark_name(int id)
{
    if (id < 0 || id >= FC_NUM_LANDMARKS)
        return "?";
    return names[id];
}

int fc_landmark_mirror(int id)
{
    if (id < 0 || id >= FC_NUM_LANDMARKS)
        return -1;
    if (id == FC_LM_NOSE)
        return id;
    if (id <= FC_LM_RIGHT_EYE_OUTER) /* eyes: 1..3 left, 4..6 right */
        return id <= FC_LM_LEFT_EYE_OUTER ? id + 3 : id - 3;
    /* From the ears on, pairs alternate left (odd) / right (even). */
    return (id % 2) ? id + 1 : id - 1;
}
