/*
 * formcheck/pose.h - BlazePose: find one person in a frame and give their 33
 * landmarks (pixels) and world landmarks (metres), tracking them across frames.
 *
 *     fc_pose_opts o = fc_pose_default_opts();
 *     o.model_dir = "models";                  // pose_detection.tflite, pose_landmark_full.tflite
 *     o.model = FC_POSE_FULL;
 *     o.mode = FC_POSE_VIDEO;                  // track; FC_POSE_IMAGE runs the detector every frame
 *     fc_pose *pose = NULL;
 *     char err[FC_ERRBUF_SIZE];
 *     if (fc_pose_open(&pose, &o, err, sizeof err) < 0) { fprintf(stderr, "%s\n", err); ... }
 *     fc_pose_result r;
 *     while (fc_capture_read(&frame, cap) == 0) {
 *         if (fc_pose_process(pose, &frame, frame.t_s, &r) < 0) { ...fc_pose_error(pose)... }
 *         if (r.found) use(r.lm, r.world);
 *     }
 *     fc_pose_free(pose);
 *
 * The pipeline is MediaPipe's pose landmarker (Tasks API, one pose):
 * detector on a letterboxed 224x224 [-1,1] copy of the frame -> SSD decoding ->
 * weighted NMS -> ROI from the hip-centre and scale keypoints (x1.25, rotated
 * upright) -> 256x256 [0,1] crop -> landmark model -> sigmoid visibility/presence,
 * heatmap refinement, projection back into the frame -> (VIDEO) next frame's ROI
 * from the two auxiliary landmarks and one-euro smoothing of the landmarks.
 * In VIDEO mode the detector runs only when there is no track: at the start and
 * after the landmark model's pose flag falls below `min_tracking_score`; the
 * detector is then run again on the same frame, so a lost track costs no frame
 * when the person is still in view.
 *
 * Several people: the first detection picks the person: among the detections
 * scoring within 0.1 of the best, the largest body and most central one
 * (fc_pose_pick()); in VIDEO mode, after a loss, the detection nearest to where
 * that person was last seen is taken if there is one near enough.
 * Result events say when the detector found the person, when the track was lost
 * and when it was reacquired.
 *
 * Thread-safety: one thread per handle; handles are independent, also when one
 * shares another's detector (opts.share_detector: its runs take turns on a lock).
 */
#ifndef FORMCHECK_POSE_H
#define FORMCHECK_POSE_H

#include <stddef.h>

#include "formcheck/error.h"
#include "formcheck/frame.h"
#include "formcheck/landmarks.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fc_pose fc_pose;

/** Landmark model variant: speed against accuracy. */
typedef enum fc_pose_model { FC_POSE_LITE = 0, FC_POSE_FULL = 1, FC_POSE_HEAVY = 2 } fc_pose_model;

/** IMAGE: independent frames (detector every time, no smoothing).
 *  VIDEO: a sequence with increasing timestamps (tracking, smoothing). */
typedef enum fc_pose_mode { FC_POSE_IMAGE = 0, FC_POSE_VIDEO = 1 } fc_pose_mode;

typedef struct fc_pose_opts {
    const char *model_dir;     /**< directory holding the .tflite files (required) */
    fc_pose_model model;       /**< default FC_POSE_FULL */
    fc_pose_mode mode;         /**< default FC_POSE_VIDEO */
    int threads;               /**< OpenCV threads for inference; 0 = OpenCV's default */
    float min_detection_score; /**< detector score threshold, default 0.5 */
    float min_tracking_score;  /**< landmark model pose flag needed to keep/accept a pose, default 0.5 */
    int smoothing;             /**< 1 (default): MediaPipe's landmark smoothing in VIDEO mode */
    int verify_checksums;      /**< 1 (default): refuse model files whose SHA-256 is not the one
                                    models/fetch.sh pins (FC_EMODEL, both sums in the message);
                                    0 to try other builds of the models */
    const struct fc_pose *share_detector; /**< optional: use this open handle's detector network
                                    instead of loading one (the detector runs rarely, and its network
                                    holds about 37 MB); its use is serialised by a lock, so the two
                                    handles may run on different threads. That handle must outlive
                                    this one. NULL (default): load its own */
    fc_log_fn log;             /**< optional log callback */
    void *log_user;
} fc_pose_opts;

/** Milliseconds spent per stage on the last processed frame. */
typedef struct fc_pose_timing {
    double detector_ms;  /**< letterbox + detector network + decoding/NMS (0 when not run) */
    double warp_ms;      /**< ROI crop into the landmark network's input */
    double landmark_ms;  /**< landmark network */
    double post_ms;      /**< decoding, projection, smoothing, next ROI */
    double total_ms;
    int detector_runs;   /**< detector runs on this frame (0, 1 or 2) */
} fc_pose_timing;

/** Defaults as documented on each field (model_dir NULL). */
fc_pose_opts fc_pose_default_opts(void);

/** Parse a variant name ("lite", "full", "heavy"); FC_EINVAL if unknown. */
int fc_pose_model_parse(const char *name, fc_pose_model *out);

/** Static file name of the landmark model for a variant ("pose_landmark_full.tflite"). */
const char *fc_pose_model_file(fc_pose_model model);

/** Static file name of the detector model ("pose_detection.tflite"). */
const char *fc_pose_detector_file(void);

/** The SHA-256 (64 lowercase hex digits) models/fetch.sh pins for a model file
 *  name ("pose_landmark_full.tflite"); NULL for an unknown name. Static. */
const char *fc_pose_pinned_sha256(const char *file);

/** SHA-256 of the file at `path` as 64 lowercase hex digits into `hex`. Reads in
 *  64 KiB blocks. Errors: FC_ENOENT / FC_EACCES / FC_EISDIR..., FC_EIO, FC_ENOMEM. */
int fc_pose_file_sha256(char hex[65], const char *path, char *err, size_t errsz);

/** Load both models and prepare all buffers. Errors: FC_EINVAL (bad options),
 *  FC_ENOENT / FC_EACCES / FC_EISDIR / FC_EMODEL (the message names the model file; with
 *  verify_checksums a file that is not the pinned model is FC_EMODEL before it is parsed),
 *  FC_ECV, FC_ENOMEM. */
int fc_pose_open(fc_pose **out, const fc_pose_opts *opts, char *err, size_t errsz);

/** Process one frame (BGR, or the decoded planes: formcheck/frame.h) taken at
 *  `t_s` seconds (VIDEO mode: strictly increasing).
 *  Fills `out` completely (found = 0 and zeroed landmarks when nobody is found;
 *  out->frame is the frame's index, out->ms the time spent). No allocation.
 *  Errors: FC_EINVAL (bad frame), FC_ECV (OpenCV failure); fc_pose_error() says more. */
int fc_pose_process(fc_pose *pose, const fc_frame *frame, double t_s, fc_pose_result *out);

/** OpenCV's inference threads for every pose handle from now on (what
 *  fc_pose_opts.threads sets at open; process-wide, see fc_net_set_threads());
 *  threads <= 0 restores OpenCV's default. Call it while no fc_pose_process() runs. */
void fc_pose_set_threads(int threads);

/** Per-stage times of the last fc_pose_process(). */
const fc_pose_timing *fc_pose_last_timing(const fc_pose *pose);

/** Forget the track, the chosen person and the smoothing history. */
void fc_pose_reset(fc_pose *pose);

/** Last error message, "" if none. */
const char *fc_pose_error(const fc_pose *pose);

/** NULL-safe. */
void fc_pose_free(fc_pose *pose);

#ifdef __cplusplus
}
#endif
#endif /* FORMCHECK_POSE_H */
