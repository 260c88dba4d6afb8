/*
 * formcheck/overlay.h - what formcheck draws on a frame for the athlete: the
 * skeleton, the knee and hip angles beside the joints, the rep counter, the
 * last rep's verdict, a knee-bend gauge and a "can't see your knees/feet" hint.
 * Shared by the annotated video (session.h) and `formcheck record`'s live view,
 * so both show the same thing. Built on formcheck/draw.h.
 *
 *     fc_overlay ov = fc_overlay_default();
 *     ov.pose = &r;                     // pixel coordinates of `frame`
 *     ov.reps = 3;
 *     fc_overlay_rep_verdict(ov.verdict, sizeof ov.verdict, &res->reps[2]);
 *     fc_overlay_draw(&frame, &ov);
 *
 * Thread-safety: no shared state; pure functions of their arguments.
 */
#ifndef FORMCHECK_OVERLAY_H
#define FORMCHECK_OVERLAY_H

#include <stddef.h>

#include "formcheck/analysis.h"
#include "formcheck/frame.h"
#include "formcheck/landmarks.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Knee flexion (deg) the gauge's target mark stands for: about thighs parallel. */
#define FC_OVERLAY_TARGET_FLEX_DEG 110.0

typedef struct fc_overlay {
    const fc_pose_result *pose; /**< may be NULL or not found: then only the panel and the hint */
    int reps;                   /**< reps counted so far */
    int rep_target;             /**< > 0: shown as "Reps: 3/10" */
    char verdict[200];          /**< last rep's verdict ("Rep 3: 83 - go deeper"); "" = none yet */
    int verdict_good;           /**< colours the verdict line: 1 green, 0 amber/red by score */
    double verdict_score;       /**< NAN = none */
    const char *status;         /**< an extra line (e.g. "REC 00:12"), NULL = none */
    const char *big_text;       /**< drawn large in the middle (a countdown), NULL = none */
    int show_hint;              /**< 1 (default): the "can't see" hint when legs are not in view */
    float min_visibility;       /**< 0.5 */
} fc_overlay;

fc_overlay fc_overlay_default(void);

/** Inner knee and hip angles of one side (0 left, 1 right) from the world
 *  landmarks (metres; 3D, so they do not depend on the view), degrees: 180 =
 *  straight. NAN when the side's points are not visible enough. */
void fc_overlay_angles(double *knee_deg, double *hip_deg, const fc_pose_result *pose, int side, float min_visibility);

/** 1 if no side has its hip, knee and ankle visible and inside the frame. */
int fc_overlay_legs_hidden(const fc_pose_result *pose, float min_visibility);

/** "Rep N: SCORE - main cue" (the first failing check's cue, else the first
 *  warning's, else "good rep") into buf. Returns buf. */
char *fc_overlay_rep_verdict(char *buf, size_t size, const fc_rep_result *rep);

/** Mirror a pose result left-right in place for a frame `width` pixels wide (the
 *  labels stay the person's: only x changes). */
void fc_overlay_mirror_pose(fc_pose_result *pose, int width);

/** Mirror a BGR frame left-right in place. */
void fc_overlay_mirror_frame(fc_frame *frame);

/** Draw everything on `frame`. Errors: FC_EINVAL, FC_ECV. */
int fc_overlay_draw(fc_frame *frame, const fc_overlay *ov);

#ifdef __cplusplus
}
#endif
#endif /* FORMCHECK_OVERLAY_H */
