/*
 * formcheck/segpass.h - the pose pass over a video file cut into time segments
 * that run at once: one worker thread per pose handle, each decoding its own
 * segment (fc_capture_seek) and running its own handle with one inference
 * thread. Results come back to the caller's thread in frame order, as if one
 * handle had read the whole file.
 *
 *     fc_pose *poses[2] = {p0, NULL};          // VIDEO mode; NULL: opened if the video is cut
 *     fc_pose_set_threads(1);                  // one inference thread each
 *     fc_segpass_opts o = fc_segpass_default_opts();
 *     o.pose = &pose_opts;                     // how to open poses[1] (it shares p0's detector)
 *     o.capture.max_side = 640;                // as for a plain read; threads are set to 1
 *     o.stop = &stop;
 *     fc_segpass_stats st;
 *     int rc = fc_segpass_run(&st, poses, 2, "set.mp4", &o, on_frame, user, err, sizeof err);
 *     if (rc == FC_ENOTIMPL) ...   // not cut (or the cuts did not line up): start over plainly
 *
 * Why: tracking makes each frame's pose depend on the last one, so one video
 * cannot be spread over cores frame by frame, and OpenCV spreading each layer
 * over two threads gains only 10-20% (every layer ends in a barrier, and the
 * decoder shares the cores). Segments are independent once each has found the
 * person: a segment after the first seeks to the key frame before its start,
 * runs pose on the last `warmup_s` before its start without keeping the results
 * (detection, tracking and smoothing settle: with 1 s, the first second after a
 * cut differs from the single pass no more than the rest does; with none, twice
 * as much), then keeps the frames from its start up to the next segment's start. Frames, times and indices are the
 * single pass's, and so are the landmarks up to the first cut; after it they
 * differ a little: tracking started afresh crops a fraction of a pixel
 * elsewhere and BlazePose's jitter follows another path (on the 720p bench
 * clip the leg landmarks differ by a median 0.3 px, 95% within 2.5 px, the
 * hidden ankle up to 12 px; per-rep angles by ~0.1 deg; tests/e2e/segments.sh
 * holds rep counts, bottom knee angles within 3 deg and bottom times within
 * 0.1 s to the single pass).
 *
 * Where it cuts: every segment but the first also poses its warm-up, decodes
 * from a key frame (fc_capture_skip_before() makes that cheap) and, the first
 * time, waits for its handle to load; so the first segment is longer by about
 * warmup_s + 1 s and the others equal, and the workers finish together.
 *
 * When it cuts: a seekable file (not a device), a constant frame rate and a
 * known duration of at least 2 x min_segment_s. With capture.max_fps below the
 * source's rate, each segment keeps the frames a read from the start keeps
 * (fc_capture_seek()), so a 60 fps clip analysed at 30 is cut too.
 * Segments are at most segment_s long and at least as many as handles. Each
 * segment's first kept frame must be the frame where the one before stopped
 * (same time); if not (timestamps repaired mid-file, say), the run ends with
 * FC_ENOTIMPL.
 *
 * Memory: a segment's results wait in a buffer until the ones before are
 * delivered (fc_pose_result, 1096 bytes a frame): at most n_poses + 1 segments'
 * worth (60 s at 30 fps: 2 MB each).
 *
 * Thread-safety: fc_segpass_run blocks its caller, who gets every callback; the
 * handles must not be used elsewhere while it runs. *stop may be set from a
 * signal handler or another thread.
 */
#ifndef FORMCHECK_SEGPASS_H
#define FORMCHECK_SEGPASS_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "formcheck/capture.h"
#include "formcheck/error.h"
#include "formcheck/pose.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fc_segpass_opts {
    fc_capture_opts capture;    /**< how each segment is read (threads forced to 1) */
    const fc_pose_opts *pose;   /**< for the handles fc_segpass_run() opens (NULL entries of
                                     poses[] after the first), sharing poses[0]'s detector; each
                                     is opened by its worker as it starts (worker 0 is posing
                                     meanwhile); opening does not change OpenCV's process-wide
                                     thread count, which the caller sets (fc_pose_set_threads(1)) */
    double segment_s;           /**< longest segment, seconds (60) */
    double min_segment_s;       /**< shortest segment (10): shorter videos are not cut */
    double warmup_s;            /**< pose run before each cut, results dropped (1) */
    volatile sig_atomic_t *stop;/**< optional: non-zero stops the run (FC_EINTR) */
    void (*progress)(void *user, int64_t frames_done, int64_t frames_total); /**< optional, on the
                                     caller's thread about every 0.2 s: frames posed so far in any
                                     segment (warm-ups included) and the expected total (0 = unknown) */
    void *progress_user;
} fc_segpass_opts;

/** What the run did (sums over the workers). */
typedef struct fc_segpass_stats {
    fc_capture_info info;       /**< the input's, as fc_capture_get_info() gave it (set once opened) */
    int segments;               /**< segments the video was cut into (0: not cut) */
    int64_t frames;             /**< frames delivered */
    int64_t frames_source;      /**< source frames up to the last delivered one */
    int64_t frames_warmup;      /**< frames posed before a cut and dropped */
    double video_s;             /**< time of the last delivered frame */
    double read_s;              /**< reading (demux, decode, convert), summed over workers */
    double detector_s, warp_s, landmark_s, post_s; /**< fc_pose_timing, summed */
    int64_t detector_runs;
} fc_segpass_stats;

/** Called on the caller's thread with each kept frame's result, in frame order;
 *  r->frame is the source frame index. A negative return stops the run with that
 *  code (the callback writes its own message into the run's err buffer). */
typedef int (*fc_segpass_frame_fn)(void *user, const fc_pose_result *r);

/** Defaults as documented on each field (capture: fc_capture_default_opts()). */
fc_segpass_opts fc_segpass_default_opts(void);

/** Run pose over `input` in segments on n_poses workers (2..64), the handles
 *  reset first. poses[0] must be open; a NULL poses[i] is opened with
 *  *opts->pose once the video is found worth cutting (sharing poses[0]'s
 *  detector: free it before poses[0]) and left there for the caller, who owns
 *  it (also when the run fails); an open error is returned as such. Returns 0 when every frame was delivered; FC_ENOTIMPL when the
 *  video is not one to cut, or a cut did not line up (frames may already have
 *  been delivered: start over with a single pass); FC_EINTR after *stop; else
 *  the first error of a read or a pose (capture's or pose's codes), with the
 *  message in err naming the input. Stats are filled in every case. */
int fc_segpass_run(fc_segpass_stats *stats, fc_pose **poses, int n_poses, const char *input,
                   const fc_segpass_opts *opts, fc_segpass_frame_fn fn, void *user, char *err, size_t errsz);

#ifdef __cplusplus
}
#endif

#endif
