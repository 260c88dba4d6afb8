/*
 * formcheck/reps.h - rep segmentation: a hysteresis state machine on the depth
 * signal (formcheck/measures.h: ~0 standing, rising as the hips drop).
 *
 *     fc_reps_opts o = fc_reps_default_opts();
 *     fc_rep reps[64];
 *     size_t nreps = 0;
 *     fc_reps_detect(reps, 64, &nreps, depth, t_s, n, &o);
 *
 * A rep starts when the depth rises `enter` above the standing baseline (the
 * lowest depth of the last `baseline_s`), has its bottom in the middle of the
 * frames within 2% of the deepest (a pause's middle),
 * and ends when the depth falls back below baseline + max(exit, exit_frac x
 * amplitude). It counts only if its amplitude is >= min_amplitude and it lasts
 * min_duration_s..max_duration_s. Missing samples (NAN: person lost, low
 * visibility) longer than max_gap_s inside a rep abort it. Jitter, setup
 * movement and walking (small depth changes) never cross `enter`; pauses at
 * the bottom never cross `exit`, so neither adds or splits reps.
 *
 * The start (end) is refined backwards (forwards) to where the depth was within
 * max(settle, settle_frac x amplitude) of the baseline, or stopped falling
 * (rising), within 1.5 s. Eased human motion spends a little time within those
 * bands, so descent/ascent read about 10% shorter than the motion's full span.
 *
 * Pure C, no allocation, thread-safe.
 */
#ifndef FORMCHECK_REPS_H
#define FORMCHECK_REPS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fc_reps_opts {
    double enter;          /**< 0.07 leg: depth rise that starts a rep */
    double exit;           /**< 0.035 leg: back within this of baseline ends it */
    double exit_frac;      /**< 0.25 of the amplitude (whichever of exit/exit_frac is larger) */
    double settle;         /**< 0.004 leg: start/end refinement tolerance, at least... */
    double settle_frac;    /**< ...0.02 of the amplitude */
    double min_amplitude;  /**< 0.10 leg (about 50 deg of knee bend) */
    double min_duration_s; /**< 0.5 s */
    double max_duration_s; /**< 20 s */
    double max_gap_s;      /**< 0.5 s of missing depth inside a rep aborts it */
    double baseline_s;     /**< 2 s: window for the standing baseline */
    double max_travel;     /**< 0.3 leg: a "rep" whose hips end (or are 1 s later) this far
                                sideways from where they started (or were 1 s before) is walking
                                (strides bob the hips), not a rep */
} fc_reps_opts;

/** One rep, as indices into the series and times. */
typedef struct fc_rep {
    size_t start, bottom, end;      /**< sample indices */
    double start_s, bottom_s, end_s;
    double descent_s;   /**< start to first reaching 98% of the amplitude */
    double pause_s;     /**< time within 2% of the bottom */
    double ascent_s;    /**< last time within 2% of the bottom to end */
    double amplitude;   /**< peak depth over the baseline, leg units */
    double baseline;    /**< the standing depth before the rep */
} fc_rep;

fc_reps_opts fc_reps_default_opts(void);

/** Segment `depth` (n samples at times t_s, increasing; NAN = missing) into
 *  at most `cap` reps, in order; *n_out = number found (more are dropped).
 *  `hip_x` (optional, may be NULL): the hips' horizontal image position in leg
 *  units, for the walking test (max_travel). Errors: FC_EINVAL (NULL arrays,
 *  bad options). */
int fc_reps_detect(fc_rep *out, size_t cap, size_t *n_out, const double *depth, const double *hip_x,
                   const double *t_s, size_t n, const fc_reps_opts *opts);

#ifdef __cplusplus
}
#endif
#endif /* FORMCHECK_REPS_H */
