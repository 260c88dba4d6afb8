/*
 * formcheck/series.h - the compact pose series the analyser works on: per frame,
 * only the 12 landmarks it reads, image and world, as an fc_body
 * (formcheck/body.h: 416 bytes instead of fc_pose_result's 1096);
 * the other landmarks' clean-up counts are tallied as frames arrive
 * (formcheck/cleantally.h), so a long video's series stays small.
 *
 *     fc_series *s = NULL;
 *     fc_clean_opts co = fc_clean_default_opts();        // the analysis's clean-up options
 *     if (fc_series_create(&s, &co, 0) < 0) ...
 *     for (each pose result r) if (fc_series_push(s, &r) < 0) ...   // FC_ENOMEM
 *     const fc_body *b = fc_series_bodies(s);            // fc_series_count(s) frames, time order
 *     printf("left knee x %.1f px\n", b[0].lm[FC_B(FC_LM_LEFT_KNEE)].x);
 *     fc_series_free(s);
 *
 * Memory per frame: 416 bytes, plus 420 with keep_image (the other 21 image
 * landmarks, for drawing); grown by an eighth at a time (at most 12.5% slack,
 * never a copy of the whole series at once with glibc's mremap).
 *
 * Thread-safety: one thread per series; read-only use may be shared.
 */
#ifndef FORMCHECK_SERIES_H
#define FORMCHECK_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "formcheck/body.h"
#include "formcheck/cleantally.h"
#include "formcheck/landmarks.h"
#include "formcheck/smooth.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fc_series fc_series;

/** An empty series tallying with clean-up options `clean` (NULL = defaults; the
 *  analysis must use the same ones). keep_image = 1 also keeps the other image
 *  landmarks so fc_series_pose() can give every image landmark (for drawing).
 *  Errors: FC_EINVAL, FC_ENOMEM. */
int fc_series_create(fc_series **out, const fc_clean_opts *clean, int keep_image);

/** Append one frame (in time order). Errors: FC_ENOMEM (the series is unchanged). */
int fc_series_push(fc_series *s, const fc_pose_result *r);

size_t fc_series_count(const fc_series *s);
const fc_body *fc_series_bodies(const fc_series *s);
/** The bodies, writable (fc_analysis_run_series_inplace() cleans them in place). */
fc_body *fc_series_edit(fc_series *s);
/** Frames with found != 0, as pushed. */
size_t fc_series_frames_with_person(const fc_series *s);
/** Sum of the pushed results' ms, in push order. */
double fc_series_pose_ms(const fc_series *s);
/** The tally of the landmarks the bodies do not keep (formcheck/cleantally.h). */
const fc_clean_tally *fc_series_tally(const fc_series *s);

/** Frame i as a pose result: frame, t_s, size, found, every image landmark with
 *  keep_image (else only the body's; the others zero), the body's world
 *  landmarks (the others zero); score, events and ms zero. FC_EINVAL out of range. */
int fc_series_pose(fc_pose_result *out, const fc_series *s, size_t i);

/** NULL-safe. */
void fc_series_free(fc_series *s);

#ifdef __cplusplus
}
#endif
#endif /* FORMCHECK_SERIES_H */
