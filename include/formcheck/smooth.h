/*
 * formcheck/smooth.h - clean-up of a pose series before measuring: visibility
 * gating, outlier rejection, short-gap interpolation and One-Euro smoothing;
 * and which side of the body faces the camera.
 *
 *     fc_clean_opts o = fc_clean_default_opts();
 *     fc_clean_stats st;
 *     if (fc_clean_series(bodies, n, &o, &st) < 0) ...   // fc_body[n], in place
 *     int near = fc_clean_facing_side(bodies, n, o.min_visibility); // FC_SIDE_LEFT/RIGHT
 *
 * Pure C over an array of fc_body (formcheck/body.h: the 12 landmarks the
 * analyser reads; formcheck/cleantally.h counts the others'). No I/O. Steps,
 * per landmark and coordinate (pixel x,y
 * and world x,y,z), in this order:
 *  0. left/right swaps: where the leg landmarks (hips to toes) jump to lie
 *     much nearer the previous frame's with the labels exchanged (cost < 0.4 x,
 *     legs at least half a leg length apart in total) and jump back within
 *     0.5 s, the frames between are swapped back;
 *  1. gating: a landmark whose visibility (or presence) is below min_visibility,
 *     or a frame without a person, counts as missing;
 *  2. outliers: a Hampel filter (window +-outlier_half_window frames) replaces a
 *     value further than outlier_k robust sigmas (1.4826 x MAD) and more than
 *     outlier_min_leg leg lengths from the window median by that median;
 *  3. gaps up to max_gap_s are filled by linear interpolation (the point gets
 *     the mean visibility of the gap's ends; a missing frame becomes found);
 *     longer gaps stay missing (visibility 0, or found = 0 for whole frames);
 *  4. One-Euro filter (Casiez, Roussel & Vogel, CHI 2012) on each run of present
 *     values, run forwards then backwards so the result has no lag (analysis is
 *     offline). Pixel coordinates are filtered in units of the body's scale so
 *     that beta does not depend on the image size or the person's distance.
 *
 * Thread-safety: no shared state; one call per series at a time.
 */
#ifndef FORMCHECK_SMOOTH_H
#define FORMCHECK_SMOOTH_H

#include <stddef.h>

#include "formcheck/body.h"
#include "formcheck/landmarks.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A body side. */
enum fc_side { FC_SIDE_UNKNOWN = -1, FC_SIDE_LEFT = 0, FC_SIDE_RIGHT = 1 };

typedef struct fc_clean_opts {
    float min_visibility;      /**< 0.3: below it (visibility or presence) a landmark is missing. Not
                                    0.5: BlazePose still places the far leg well in side view with
                                    visibility 0.3-0.5, and lunges need it; points out of frame drop
                                    well below 0.3 */
    double max_gap_s;          /**< 0.3 s: longer gaps are left missing */
    int outlier_half_window;   /**< 3 frames each side for the Hampel filter; 0 = off */
    double outlier_k;          /**< 3.5 robust sigmas */
    double outlier_min_leg;    /**< 0.06 leg lengths: smaller deviations are never outliers */
    double min_cutoff_hz;      /**< One-Euro f_cmin: 3 Hz keeps a 0.5 Hz squat's peak within ~1% */
    double beta;               /**< One-Euro speed coefficient, per (leg length / s): 0.5 */
    double d_cutoff_hz;        /**< One-Euro derivative cut-off: 1 Hz */
    int smooth;                /**< 1: run the One-Euro step (0 for raw data in tests) */
    int fix_swaps;             /**< 1: repair left/right leg label swaps (step 0 below) */
} fc_clean_opts;

/** What the clean-up did (counts over the whole series; fc_clean_series() counts
 *  the body's 12 landmarks, fc_clean_tally_finish() adds the other 21). */
typedef struct fc_clean_stats {
    size_t frames;           /**< frames in the series */
    size_t frames_missing;   /**< frames without a person before clean-up */
    size_t frames_filled;    /**< of those, filled by interpolation */
    size_t points_gated;     /**< landmark samples below the visibility gate */
    size_t points_filled;    /**< landmark samples filled by interpolation */
    size_t outliers;         /**< landmark samples replaced by the Hampel filter */
    size_t swaps_fixed;      /**< frames whose left/right leg labels were swapped back */
    double scale_px, scale_m;/**< the body's scale the outlier floor used: median leg length
                                  (hip-knee-ankle) in pixels and in metres (fc_clean_tally_finish()) */
} fc_clean_stats;

/** The documented defaults above. */
fc_clean_opts fc_clean_default_opts(void);

/** Median of the n values at v, NaN when n is 0 (sorts them in place: insertion
 *  sort, for short windows such as the Hampel filter's 7 values). Shared with
 *  cleantally.c, which must count outliers exactly as fc_clean_series finds
 *  them, and measures.c. */
double fc_median_small(double *v, size_t n);

/** Clean `series` (n frames, in time order) in place. `stats` may be NULL.
 *  Allocates scratch once per call (none per frame). Errors: FC_EINVAL (NULL
 *  series with n > 0, bad options), FC_ENOMEM. */
int fc_clean_series(fc_body *series, size_t n, const fc_clean_opts *opts, fc_clean_stats *stats);

/** The side of the body nearer the camera: the one whose hip, knee and ankle
 *  are more visible and nearer (smaller z) over the series. FC_SIDE_UNKNOWN when
 *  no frame has a person. */
int fc_clean_facing_side(const fc_body *series, size_t n, float min_visibility);

/** Static "left"/"right"/"unknown". */
const char *fc_side_name(int side);

#ifdef __cplusplus
}
#endif
#endif /* FORMCHECK_SMOOTH_H */
