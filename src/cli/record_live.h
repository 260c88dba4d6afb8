/*
 * record_live.h - internal to the formcheck binary: the live part of
 * `formcheck record` (camera -> pose on the newest frame -> live reps -> preview).
 */
#ifndef FC_RECORD_LIVE_H
#define FC_RECORD_LIVE_H

#include <stdint.h>

#include "formcheck/pose.h"
#include "formcheck/session.h"

typedef struct record_args {
    const char *device, *format, *video_size, *fps, *input_format;
    const char *exercise, *profile, *model_dir, *out;
    fc_pose_model model;
    double countdown_s, duration_s;
    int reps, threads, list, annotate, force, no_window, quiet;
    double analysis_fps; /* the saved set's analysis: frames per second, 0 = all */
} record_args;

typedef struct record_outcome {
    const char *stop_reason;   /* static: "duration", "reps", "user", "interrupted", "source_ended",
                                  "device_error", "disk_full" */
    int failed;                /* the source or the recording failed (exit 1 after saving) */
    int rec_failed;            /* writing the recording failed (disk full...): it is cut short */
    double recorded_s;
    int64_t recorded_frames;
    /* Figures for the closing line and the benchmark. */
    int64_t shown, posed, captured, dropped;
    double wall_s, latency_ms_median, latency_ms_p95;
} record_outcome;

/** Run the live part until a stop; the recording is finished (playable) on
 *  return. 0, or -1 when nothing could be captured (error printed). */
int fc_record_live(record_outcome *oc, const record_args *a, const fc_session_opts *so, const char *video);

#endif
