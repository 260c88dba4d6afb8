/*
 * formcheck/session.h - the whole job on one video: capture -> pose (VIDEO
 * mode) -> keypoint series (in memory, optionally also written as a keypoints
 * file) -> analysis -> JSON report, and optionally an annotated copy of the
 * video. What `formcheck analyze VIDEO` and the end of `formcheck record` run.
 *
 *     volatile sig_atomic_t stop = 0;          // set by a SIGINT/SIGTERM handler
 *     fc_session_opts o = fc_session_default_opts();
 *     o.pose.model_dir = "models"; o.pose.model = FC_POSE_LITE;
 *     o.squat = &squat; o.lunge = &lunge;      // profiles (formcheck/profile.h)
 *     o.stop = &stop;
 *     fc_session *s = NULL;
 *     char err[FC_ERRBUF_SIZE];
 *     if (fc_session_open(&s, &o, err, sizeof err) < 0) ...      // loads the models once
 *     fc_session_job job = fc_session_default_job();
 *     job.input = "set.mp4"; job.report_path = "set.formcheck.json"; job.annotate_path = "set.annotated.mp4";
 *     fc_session_summary sum;
 *     int rc = fc_session_run(&sum, s, &job, err, sizeof err);   // FC_EINTR after a stop
 *     fc_session_free(s);
 *
 * Outputs appear complete or not at all: the report, the keypoints file and the
 * annotated video are written under temporary names and renamed into place at
 * the end; on an error or a stop they are removed and nothing is renamed.
 *
 * Annotation is a second pass over the video once the analysis is known, so
 * every rep's verdict (score and main cue) is the report's own and shows from
 * the rep's end on; it is drawn at the source's size (landmarks scaled from the
 * analysis size; a frame skipped by analysis_fps shows the previous frame's pose) with formcheck/overlay.h and encoded with formcheck/encode.h
 * at the source's frame rate and timestamps (no audio).
 *
 * Memory: the series is compact (formcheck/series.h): 416 bytes per analysed
 * frame, 836 with annotation (the other image landmarks, to draw them); the
 * analysis adds about 700 bytes per frame while it runs; frames themselves are
 * never kept (docs/performance.md). Cut into segments (opts.segments), each
 * further worker adds its landmark network and decoder (720p: lite +36 MB,
 * full +55 MB; the detector is shared) and the results of at most workers + 1
 * segments wait to be delivered (1096 bytes a frame: 2 MB for 60 s at 30 fps).
 *
 * Threads: the pose pass decodes on its own thread (opts.pipeline); cut into
 * segments, it runs one worker per pose thread instead, each decoding and
 * posing its own segment (formcheck/segpass.h), and sets OpenCV to one
 * inference thread for that pass (process-wide, restored after).
 * Thread-safety: one thread per session; *stop may be set from a signal
 * handler or another thread.
 */
#ifndef FORMCHECK_SESSION_H
#define FORMCHECK_SESSION_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "formcheck/analysis.h"
#include "formcheck/error.h"
#include "formcheck/pose.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fc_session fc_session;

/** Progress of a run, reported about every `progress_interval_s`. */
typedef struct fc_session_progress {
    const char *stage;      /**< "pose" (first pass) or "annotate" (second pass) */
    const char *input;
    int64_t frames;         /**< frames done in this stage */
    int64_t frames_total;   /**< expected frames (0 = unknown) */
    double fps;             /**< frames per second of wall time in this stage */
    double eta_s;           /**< remaining seconds of this stage, < 0 = unknown */
    int done;               /**< 1 on the stage's last call */
} fc_session_progress;

typedef void (*fc_session_progress_fn)(void *user, const fc_session_progress *p);

typedef struct fc_session_opts {
    fc_pose_opts pose;          /**< model_dir required; mode is forced to VIDEO */
    int max_side;               /**< frames scaled so max(w,h) <= this before pose; 0 = native (default 640) */
    double analysis_fps;        /**< pose on at most this many frames per second of video (default 30):
                                     a faster source has frames dropped after decoding, before
                                     conversion and pose (fc_capture_opts.max_fps); a source at or
                                     under it is analysed whole; 0 = every frame */
    int decode_threads;         /**< decoder threads; 0 (default): 1 with the pipeline (the decoding
                                     thread alone), FFmpeg's choice without; < 0: FFmpeg's choice */
    int pipeline;               /**< 1 (default): decode on its own thread while pose runs
                                     (formcheck/grabber.h, FC_GRABBER_ALL); 0 = one thread */
    int planar;                 /**< 1 (default): the pose crops read 4:2:0 video as decoded, at full
                                     resolution (fc_capture_opts.planar): no whole-frame conversion;
                                     max_side then only sets the frame size landmarks are given in.
                                     0: every frame converted to BGR at max_side first */
    int segments;               /**< 1 (default): with pose.threads != 1 (0: one per core) and the
                                     pipeline on, a file of at least 2 x segment_min_s is cut into
                                     time segments posed at once, one worker per thread, each with
                                     one inference thread (formcheck/segpass.h); the landmarks near
                                     a cut may differ from one pass by a pixel; 0 = one pass */
    double segment_s;           /**< longest segment, seconds (60) */
    double segment_min_s;       /**< shortest segment (10) */
    double segment_warmup_s;    /**< pose run before each cut, dropped (1) */
    fc_analysis_opts analysis;
    const fc_profile *squat;    /**< profiles: see fc_analysis_run() */
    const fc_profile *lunge;
    volatile sig_atomic_t *stop;/**< optional: a non-zero value stops the run (FC_EINTR) */
    fc_session_progress_fn progress; /**< optional */
    void *progress_user;
    double progress_interval_s; /**< 0.5 */
    fc_log_fn log;              /**< optional */
    void *log_user;
} fc_session_opts;

/** One input and where its outputs go. */
typedef struct fc_session_job {
    const char *input;          /**< video file (anything fc_capture_open() reads) */
    const char *report_path;    /**< NULL = no report; "-" = stdout */
    int force;                  /**< 1 = replace existing outputs */
    const char *annotate_path;  /**< NULL = none */
    const char *keypoints_path; /**< NULL = none */
    const char *stop_reason;    /**< for recordings: written to the report (fc_report_info) */
    double recorded_s;
} fc_session_job;

/** What a run found, for one-line summaries. */
typedef struct fc_session_summary {
    int64_t frames, frames_with_person; /**< analysed frames (after analysis_fps) */
    int width, height;          /**< analysed frame size */
    double fps_in;              /**< source frame rate */
    double analysis_fps;        /**< rate of the analysed frames: min(fps_in, opts.analysis_fps) */
    double duration_s;
    double pose_wall_s;         /**< wall time of the pose pass */
    double annotate_wall_s;     /**< wall time of the annotation pass (0 without) */
    double pose_fps;            /**< frames / pose_wall_s */
    fc_exercise exercise;
    int view;
    int reps, good_reps;
    double mean_score;          /**< NAN without reps */
    size_t n_warnings;
} fc_session_summary;

/** Where a run's time went, as totals over the run (fc_session_last_timing()).
 *  Each stage is wall time on the thread that runs it; with the pipeline, decoding
 *  runs beside pose, so stages overlap and do not add up to wall_s. */
typedef struct fc_session_timing {
    int64_t frames;          /**< frames through pose */
    int64_t frames_source;   /**< source frames up to the last analysed one (analysis_fps drops the rest) */
    double video_s;          /**< seconds of video analysed (last timestamp + one source frame) */
    double decode_s;         /**< getting frames: demux, decode, scale+convert (+ the copy to the pose thread) */
    double wait_s;           /**< the pose thread waiting for the decoder (pipeline stalls) */
    double detector_s, warp_s, landmark_s, post_s; /**< fc_pose_timing, summed */
    int64_t detector_runs;
    int segments;            /**< segments the pose pass was cut into (0: one pass) */
    int64_t frames_warmup;   /**< frames posed before a cut and dropped (in the stage sums, not in frames) */
    double pose_pass_s;      /**< wall time of the first pass (decode + pose) */
    double analysis_s;       /**< fc_analysis_run() */
    double ann_decode_s, ann_draw_s, ann_encode_s; /**< the annotation pass, by step (0 without) */
    double ann_pass_s;       /**< wall time of the annotation pass */
    int64_t ann_frames;      /**< frames annotated (every source frame) */
    double report_s;         /**< writing the report and keypoints */
    double wall_s;           /**< the whole fc_session_run() */
    double cpu_s;            /**< process CPU time (user + system, all threads) during the run */
} fc_session_timing;

fc_session_opts fc_session_default_opts(void);
fc_session_job fc_session_default_job(void);

/** Load the pose models. Errors: as fc_pose_open(); FC_EINVAL (no profile). */
int fc_session_open(fc_session **out, const fc_session_opts *opts, char *err, size_t errsz);

/** Run one job. 0 on success; FC_EINTR when *stop was set (outputs removed);
 *  capture/pose/encode/report errors otherwise, with a one-line message
 *  naming the file in err. `out` may be NULL. The pose track is reset first. */
int fc_session_run(fc_session_summary *out, fc_session *s, const fc_session_job *job, char *err, size_t errsz);

/** The last run's analysis (NULL before one succeeded); valid until the next run or free. */
const fc_analysis_result *fc_session_result(const fc_session *s);

/** The last run's timing (zeroed before the first run). */
const fc_session_timing *fc_session_last_timing(const fc_session *s);

/** NULL-safe. */
void fc_session_free(fc_session *s);

#ifdef __cplusplus
}
#endif
#endif /* FORMCHECK_SESSION_H */
