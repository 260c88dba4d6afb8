/*
 * analysis_checks.h - internal to the analyser (src/analysis.c): judging one
 * rep's bottom measures against a profile's thresholds (the table in
 * formcheck/analysis.h), with a cue per check. Not installed.
 */
#ifndef FC_ANALYSIS_CHECKS_H
#define FC_ANALYSIS_CHECKS_H

#include "formcheck/analysis.h"

/** Fill r->checks, r->n_checks, r->score and r->good from r->bottom, r->rep and
 *  r->lead_leg for `view` with the camera's side `facing`. */
void fc_analysis_run_checks(fc_rep_result *r, const fc_profile *p, int view, int facing);

#endif /* FC_ANALYSIS_CHECKS_H */
