/*
 * formcheck/analysis.h - the analyser: from a pose series to reps, checks,
 * scores and a set summary. Ties smooth.h, measures.h, reps.h and profile.h.
 *
 *     fc_profile squat, lunge;
 *     fc_profile_load(&squat, "models/form/squat.json", NULL, err, sizeof err);
 *     fc_profile_load(&lunge, "models/form/lunge.json", NULL, err, sizeof err);
 *     fc_analysis_opts o = fc_analysis_default_opts();   // exercise auto, view auto
 *     fc_analysis_result *res = NULL;
 *     if (fc_analysis_run(&res, series, n, &o, &squat, &lunge, err, sizeof err) < 0) ...
 *     for (size_t i = 0; i < res->n_reps; i++) printf("rep %d: %.0f\n", res->reps[i].index, res->reps[i].score);
 *     fc_analysis_free(res);
 *
 * Checks per exercise and view ("-" = not assessed: reported as such, never passed):
 *                     side  front  oblique   value (at the rep's bottom unless noted)
 *   squat depth        yes   yes    yes      thigh angle above parallel, deg: side (camera's leg) and
 *                                            oblique (mean of legs) from the image back-projected onto
 *                                            the leg's plane; front from the hip's vertical travel
 *   squat trunk_lean   yes   -      yes      trunk from vertical, deg
 *   knee_valgus        -     yes    -        larger FPPA of the two knees (lunge: front knee), deg
 *   squat heel_lift    yes   -      yes      the camera's heel's image rise over standing, as deg of
 *                                            foot pitch about the toes
 *   squat hip_shift    -     yes    -        sideways mid-hip travel over standing, %leg
 *   lunge front_knee_angle yes - yes         front knee's inner angle, deg (target 90), from the
 *                                            image back-projected onto the leg's plane
 *   lunge back_knee_height yes yes yes       back knee above its toe, %leg
 *   lunge knee_over_toes yes -     yes       front knee past its toe, %leg
 *   lunge torso_upright yes  -      yes      trunk from vertical, deg
 *   tempo              yes   yes    yes      descent time, s (higher is better)
 * Score per rep: 100 x mean over assessed checks of (pass 1, warn 0.5, fail 0).
 *
 * Thread-safety: no shared state; a result is read-only after the call.
 */
#ifndef FORMCHECK_ANALYSIS_H
#define FORMCHECK_ANALYSIS_H

#include <stddef.h>

#include "formcheck/error.h"
#include "formcheck/landmarks.h"
#include "formcheck/measures.h"
#include "formcheck/profile.h"
#include "formcheck/reps.h"
#include "formcheck/series.h"
#include "formcheck/smooth.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum fc_status { FC_PASS = 0, FC_WARN, FC_FAIL, FC_NOT_ASSESSED } fc_status;

/** Static "pass"/"warn"/"fail"/"not_assessed". */
const char *fc_status_name(int status);

typedef struct fc_check_result {
    fc_check_id id;
    fc_status status;
    double value;       /**< measured, in fc_check_unit(id); NAN when not assessed */
    double threshold;   /**< the pass limit the value was compared with; NAN when not assessed */
    char cue[160];      /**< one sentence the athlete can act on (UTF-8) */
} fc_check_result;

typedef struct fc_rep_result {
    int index;               /**< 1-based, in time order */
    fc_rep rep;              /**< timing (frames, times, tempo, amplitude) */
    int64_t start_frame, bottom_frame, end_frame;
    int lead_leg;            /**< lunges: the front leg (FC_SIDE_*); squats FC_SIDE_UNKNOWN */
    double rom_deg;          /**< knee flexion range over the rep (larger leg) */
    fc_measures bottom;      /**< measures averaged over +-0.1 s around the bottom and over a pause there */
    double score;            /**< 0..100 */
    int good;                /**< no fail and score >= the profile's good_rep_score */
    size_t n_checks;
    fc_check_result checks[FC_CHECK_COUNT];
} fc_rep_result;

typedef struct fc_warning {
    double t_s;          /**< when it started */
    double duration_s;   /**< how long (0 if instantaneous) */
    char kind[24];       /**< "person_lost", "low_visibility", "camera_moved", "no_reps", "exercise_mismatch" */
    char msg[160];
} fc_warning;

typedef struct fc_set_summary {
    int reps, good_reps;
    double mean_score;           /**< NAN without reps */
    int most_frequent_fault;     /**< fc_check_id with most warn+fail, -1 none */
    int fault_counts[FC_CHECK_COUNT]; /**< warn+fail per check */
    double mean_descent_s, mean_pause_s, mean_ascent_s, mean_rep_s;
    /* Left/right: lunges by lead leg; squats per knee. NAN where absent. */
    int side_reps[2];
    double side_score[2];        /**< lunges: mean score per lead leg */
    double side_front_knee_deg[2]; /**< lunges: mean front-knee inner angle per lead leg */
    double side_knee_flex_deg[2];  /**< squats: mean knee flexion at the bottom per knee */
    double side_fppa_deg[2];       /**< squats, front view: mean FPPA per knee */
    double side_knee_in_deg[2];    /**< squats, front view: mean knee-in angle per knee (knee tracking) */
} fc_set_summary;

typedef struct fc_analysis_opts {
    fc_exercise exercise;    /**< FC_EXERCISE_AUTO (default): split stance / asymmetric knees => lunge */
    int view;                /**< FC_VIEW_UNKNOWN (default) = detect, else forced */
    fc_clean_opts clean;
    fc_reps_opts reps;
    double leg_window_s;     /**< 4 s, see fc_measures_depth() */
    fc_log_fn log;           /**< optional */
    void *log_user;
} fc_analysis_opts;

typedef struct fc_analysis_result {
    fc_exercise exercise;
    int exercise_detected;   /**< 1 if chosen by auto-detection */
    int view;                /**< fc_view */
    double view_yaw_deg;
    int facing;              /**< side nearer the camera */
    fc_profile profile;      /**< the profile (and thresholds) used */
    fc_rep_result *reps;
    size_t n_reps;
    fc_measures *frames;     /**< per-frame measures (n_frames) */
    size_t n_frames;
    fc_warning *warnings;
    size_t n_warnings;
    fc_set_summary summary;
    fc_clean_stats clean;
    double duration_s;       /**< last minus first timestamp */
} fc_analysis_result;

fc_analysis_opts fc_analysis_default_opts(void);

/** Analyse n frames. `squat`/`lunge` are the profiles to use; one may be NULL
 *  when the exercise is forced to the other (auto needs both). `*out` is
 *  allocated (free with fc_analysis_free). Errors: FC_EINVAL (with a message),
 *  FC_ENOMEM. No frames or no reps is not an error (zero reps, a warning). */
int fc_analysis_run(fc_analysis_result **out, const fc_pose_result *series, size_t n, const fc_analysis_opts *opts,
                    const fc_profile *squat, const fc_profile *lunge, char *err, size_t errsz);

/** The same on a compact series (formcheck/series.h), which must have been made
 *  with opts->clean (FC_EINVAL otherwise); the same result as fc_analysis_run()
 *  on the frames pushed. Memory while it runs, besides the series: a cleaned copy
 *  of the bodies (416 bytes per frame), the per-frame measures it returns (216)
 *  and work arrays (at most 32). */
int fc_analysis_run_series(fc_analysis_result **out, const fc_series *series, const fc_analysis_opts *opts,
                           const fc_profile *squat, const fc_profile *lunge, char *err, size_t errsz);

/** The same without the copy: the series' bodies are cleaned in place (smoothed,
 *  gaps filled; fc_series_bodies() then gives the cleaned pose; its counts and
 *  tally stay as pushed). What fc_analysis_run() and a session that draws
 *  nothing use: about 270 bytes per frame besides the series. */
int fc_analysis_run_series_inplace(fc_analysis_result **out, fc_series *series, const fc_analysis_opts *opts,
                                   const fc_profile *squat, const fc_profile *lunge, char *err, size_t errsz);

/** NULL-safe. */
void fc_analysis_free(fc_analysis_result *res);

/** Find a rep's check by id; NULL if the exercise has no such check. */
const fc_check_result *fc_analysis_check(const fc_rep_result *rep, fc_check_id id);

#ifdef __cplusplus
}
#endif
#endif /* FORMCHECK_ANALYSIS_H */
