/*
 * formcheck/cleantally.h - the clean-up statistics (formcheck/smooth.h) of the
 * landmarks the analyser does not keep, counted one frame at a time.
 *
 *     fc_clean_opts co = fc_clean_default_opts();
 *     fc_clean_tally *t = NULL;
 *     if (fc_clean_tally_create(&t, &co) < 0) ...        // FC_EINVAL, FC_ENOMEM
 *     for (each pose result r, in time order) fc_clean_tally_add(t, &r);
 *     fc_clean_stats st;                                  // from fc_clean_series() on the bodies
 *     fc_clean_tally_finish(t, st.scale_px, st.scale_m, &st); // adds the other landmarks' counts
 *     fc_clean_tally_free(t);
 *
 * Why: the analyser reads 12 of BlazePose's 33 landmarks (formcheck/series.h),
 * but the report's clean-up counts (points gated, points filled, outliers) are
 * over all 33. The other 21 landmarks' counts only depend on their own values
 * within a few frames of each other, on the frames' found flags and times, and,
 * for outliers, on the body's scale, which is known only at the end; so they
 * are counted as the frames arrive, keeping the outlier candidates (the Hampel
 * test without its scale floor, a few per cent of samples) until the scale is
 * known. The counts equal those fc_clean_series() would give on the whole
 * fc_pose_result series: same gating, same gap filling of whole frames (a
 * filled frame copies the last found one with zero visibility), same Hampel
 * window. Memory: a ring of 2 x outlier_half_window + 1 frames, the frames of
 * a pending gap (up to max_gap_s), 9 bytes per outlier candidate.
 *
 * Thread-safety: one thread per tally.
 */
#ifndef FORMCHECK_CLEANTALLY_H
#define FORMCHECK_CLEANTALLY_H

#include <stddef.h>

#include "formcheck/landmarks.h"
#include "formcheck/smooth.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fc_clean_tally fc_clean_tally;

/** A tally for clean-up options `o` (copied; NULL = defaults). Errors: FC_EINVAL
 *  (options fc_clean_series() refuses), FC_ENOMEM. */
int fc_clean_tally_create(fc_clean_tally **out, const fc_clean_opts *o);

/** Count one frame (frames in time order). Amortised: allocates only when an
 *  outlier candidate list or a gap's pending frames grow. Errors: FC_ENOMEM. */
int fc_clean_tally_add(fc_clean_tally *t, const fc_pose_result *r);

/** The options the tally was made with. */
const fc_clean_opts *fc_clean_tally_opts(const fc_clean_tally *t);

/** Frames added so far. */
size_t fc_clean_tally_frames(const fc_clean_tally *t);

/** Add the tallied landmarks' points_gated, points_filled and outliers to *st,
 *  given the body's scale (fc_clean_stats.scale_px / scale_m of the same series),
 *  as if the series ended here (frames of a gap still open count as missing).
 *  Does not change the tally: more frames may follow. */
void fc_clean_tally_finish(const fc_clean_tally *t, double scale_px, double scale_m, fc_clean_stats *st);

/** NULL-safe. */
void fc_clean_tally_free(fc_clean_tally *t);

#ifdef __cplusplus
}
#endif
#endif /* FORMCHECK_CLEANTALLY_H */
