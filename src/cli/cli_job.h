/*
 * cli_job.h - internal to the formcheck binary: what `analyze` and `record`
 * share: finding the models and profiles, stop signals, progress output and
 * the per-file summary line.
 */
#ifndef FC_CLI_JOB_H
#define FC_CLI_JOB_H

#include <signal.h>

#include "formcheck/profile.h"
#include "formcheck/session.h"

/** Set to the signal number by SIGINT/SIGTERM once fc_job_signals_install() ran. */
extern volatile sig_atomic_t fc_job_stop;

/** Catch SIGINT and SIGTERM into fc_job_stop (no SA_RESTART: blocking reads return). */
void fc_job_signals_install(void);

/** Exit code for a stop by signal: 128 + the signal (130 SIGINT, 143 SIGTERM). */
int fc_job_signal_exit(void);

/** The model directory: `given`, else $FORMCHECK_MODEL_DIR, $FC_MODEL_DIR, the
 *  source tree's, the installed one: the first holding the detector and `model`'s
 *  landmark file. NULL (after printing why) if none. */
const char *fc_job_model_dir(const char *given, fc_pose_model model);

/** Parse "squat|lunge|auto" (NULL = auto); -1 if bad. */
int fc_job_exercise(const char *s);

/** Load the profiles for `*exercise`: `profile` is a file (its exercise wins;
 *  *exercise updated) or a level of the built-in ones (NULL = default). Fills
 *  o->squat/o->lunge pointing into prof[2]. Prints the error; returns 0 or -1
 *  (or FC_EXIT_USAGE when the file contradicts --exercise). */
int fc_job_profiles(fc_session_opts *o, fc_profile prof[2], const char *profile, fc_exercise *exercise);

/** Progress printer for fc_session_opts.progress; `user` is a fc_job_progress_ctx. */
typedef struct fc_job_progress_ctx {
    int tty;        /* redraw one line with \r */
    double last_line_s;
} fc_job_progress_ctx;
void fc_job_progress(void *user, const fc_session_progress *p);

/** "NAME: squat, side view, 3 reps (2 good), mean score 83" into buf. */
void fc_job_summary_line(char *buf, size_t size, const char *input, const fc_session_summary *s);

/** Default report path for a video: its directory, NAME.formcheck.json. */
void fc_job_default_report(char *buf, size_t size, const char *input);

#endif
