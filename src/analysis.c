/* analysis.c - reps, checks, scores, summary (see formcheck/analysis.h). */
#include "formcheck/analysis.h"

#include "analysis_checks.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *fc_status_name(int status)
{
    static const char *const names[] = {"pass", "warn", "fail", "not_assessed"};
    return status >= 0 && status <= FC_NOT_ASSESSED ? names[status] : "?";
}

fc_analysis_opts fc_analysis_default_opts(void)
{
    fc_analysis_opts o;

    memset(&o, 0, sizeof o);
    o.exercise = FC_EXERCISE_AUTO;
    o.view = FC_VIEW_UNKNOWN;
    o.clean = fc_clean_default_opts();
    o.reps = fc_reps_default_opts();
    o.leg_window_s = 4.0;
    return o;
}

void fc_analysis_free(fc_analysis_result *res)
{
    if (!res)
        return;
    free(res->reps);
    free(res->frames);
    free(res->warnings);
    free(res);
}

const fc_check_result *fc_analysis_check(const fc_rep_result *rep, fc_check_id id)
{
    for (size_t i = 0; rep && i < rep->n_checks; i++)
        if (rep->checks[i].id == id)
            return &rep->checks[i];
    return NULL;
}

static void add_warning(fc_analysis_result *res, size_t cap, double t, double dur, const char *kind,
                        const char *fmt, double a)
{
    fc_warning *w;
    if (res->n_warnings >= cap)
        return;
    w = &res->warnings[res->n_warnings++];
    w->t_s = t;
    w->duration_s = dur;
    snprintf(w->kind, sizeof w->kind, "%s", kind);
    snprintf(w->msg, sizeof w->msg, fmt, a);
}

/* ---- per-rep measures ---------------------------------------------------- */

#define NFIELDS (sizeof(fc_measures) / sizeof(double))

/* Average every double field of the valid frames around a rep's bottom: those
 * within +-half_s of it, and those within 3% of the amplitude of the deepest
 * (a pause), up to 1 s away. Averaging a pause beats down landmark noise. */
static void average_bottom(fc_measures *out, const fc_measures *m, const fc_rep *r, double half_s)
{
    size_t first = offsetof(fc_measures, depth), last = sizeof(fc_measures);
    size_t cnt[NFIELDS];
    double sum[NFIELDS], tb = m[r->bottom].t_s, deep = r->baseline + 0.97 * r->amplitude;

    memset(cnt, 0, sizeof cnt);
    memset(sum, 0, sizeof sum);
    *out = m[r->bottom];
    for (size_t t = r->start; t <= r->end; t++) {
        double dt = fabs(m[t].t_s - tb);
        if (!m[t].valid || dt > 1.0 || (dt > half_s && !(m[t].depth >= deep)))
            continue;
        for (size_t off = first, k = 0; off + sizeof(double) <= last; off += sizeof(double), k++) {
            double v;
            memcpy(&v, (const char *)&m[t] + off, sizeof v);
            if (isfinite(v)) {
                sum[k] += v;
                cnt[k]++;
            }
        }
    }
    for (size_t off = first, k = 0; off + sizeof(double) <= last; off += sizeof(double), k++) {
        double v = cnt[k] ? sum[k] / cnt[k] : NAN;
        memcpy((char *)out + off, &v, sizeof v);
    }
}

static double rom(const fc_measures *m, const fc_rep *r)
{
    double best = 0;
    for (int sd = 0; sd < 2; sd++) {
        double lo = INFINITY, hi = -INFINITY;
        for (size_t t = r->start; t <= r->end; t++)
            if (isfinite(m[t].knee_flex_deg[sd])) {
                lo = fmin(lo, m[t].knee_flex_deg[sd]);
                hi = fmax(hi, m[t].knee_flex_deg[sd]);
            }
        if (hi > lo)
            best = fmax(best, hi - lo);
    }
    return best;
}

/* ---- exercise, lead leg -------------------------------------------------- */

/* A lunge has the knees at clearly different heights at the bottom (the back
 * knee near the floor) or the feet a long step apart. */
static int looks_like_lunge(const fc_measures *b)
{
    double asym = fabs(b->knee_height_pct[0] - b->knee_height_pct[1]);
    double thighs = fabs(b->thigh_deg[0] - b->thigh_deg[1]);
    return (isfinite(asym) && asym > 20.0) || (isfinite(thighs) && thighs > 35.0) ||
           (isfinite(b->step_ratio) && b->step_ratio > 0.75);
}

/* The front leg: its knee is the higher one (the back knee goes towards the
 * floor); failing that, its thigh is the flatter one. */
static int lead_leg(const fc_measures *b)
{
    if (isfinite(b->knee_height_pct[0]) && isfinite(b->knee_height_pct[1]))
        return b->knee_height_pct[0] >= b->knee_height_pct[1] ? FC_SIDE_LEFT : FC_SIDE_RIGHT;
    if (isfinite(b->thigh_deg[0]) && isfinite(b->thigh_deg[1]))
        return b->thigh_deg[0] <= b->thigh_deg[1] ? FC_SIDE_LEFT : FC_SIDE_RIGHT;
    return FC_SIDE_UNKNOWN;
}

/* ---- summary and warnings ------------------------------------------------ */

static double mean_or_nan(double sum, int n)
{
    return n ? sum / n : NAN;
}

static void summarise(fc_analysis_result *res)
{
    fc_set_summary *s = &res->summary;
    double score = 0, desc = 0, pause = 0, asc = 0, dur = 0, sc[2] = {0, 0}, fk[2] = {0, 0}, kf[2] = {0, 0},
           fp[2] = {0, 0}, ki[2] = {0, 0};
    int nkf[2] = {0, 0}, nfp[2] = {0, 0}, nki[2] = {0, 0}, best = 0;

    memset(s, 0, sizeof *s);
    s->most_frequent_fault = -1;
    for (size_t i = 0; i < res->n_reps; i++) {
        const fc_rep_result *r = &res->reps[i];
        s->reps++;
        s->good_reps += r->good;
        score += r->score;
        desc += r->rep.descent_s;
        pause += r->rep.pause_s;
        asc += r->rep.ascent_s;
        dur += r->rep.end_s - r->rep.start_s;
        for (size_t k = 0; k < r->n_checks; k++)
            if (r->checks[k].status == FC_WARN || r->checks[k].status == FC_FAIL)
                s->fault_counts[r->checks[k].id]++;
        if (r->lead_leg >= 0) {
            s->side_reps[r->lead_leg]++;
            sc[r->lead_leg] += r->score;
            fk[r->lead_leg] += 180.0 - r->bottom.knee_flex_deg[r->lead_leg];
        }
        for (int sd = 0; sd < 2; sd++) {
            if (isfinite(r->bottom.knee_flex_deg[sd])) {
                kf[sd] += r->bottom.knee_flex_deg[sd];
                nkf[sd]++;
            }
            if (res->view == FC_VIEW_FRONT && isfinite(r->bottom.fppa_deg[sd])) {
                fp[sd] += r->bottom.fppa_deg[sd];
                nfp[sd]++;
            }
            if (res->view == FC_VIEW_FRONT && isfinite(r->bottom.knee_in_deg[sd])) {
                ki[sd] += r->bottom.knee_in_deg[sd];
                nki[sd]++;
            }
        }
    }
    s->mean_score = mean_or_nan(score, s->reps);
    s->mean_descent_s = mean_or_nan(desc, s->reps);
    s->mean_pause_s = mean_or_nan(pause, s->reps);
    s->mean_ascent_s = mean_or_nan(asc, s->reps);
    s->mean_rep_s = mean_or_nan(dur, s->reps);
    for (int id = 0; id < FC_CHECK_COUNT; id++)
        if (s->fault_counts[id] > best) {
            best = s->fault_counts[id];
            s->most_frequent_fault = id;
        }
    for (int sd = 0; sd < 2; sd++) {
        s->side_score[sd] = mean_or_nan(sc[sd], s->side_reps[sd]);
        s->side_front_knee_deg[sd] = mean_or_nan(fk[sd], s->side_reps[sd]);
        s->side_knee_flex_deg[sd] = res->exercise == FC_EXERCISE_SQUAT ? mean_or_nan(kf[sd], nkf[sd]) : NAN;
        s->side_fppa_deg[sd] = res->exercise == FC_EXERCISE_SQUAT ? mean_or_nan(fp[sd], nfp[sd]) : NAN;
        s->side_knee_in_deg[sd] = res->exercise == FC_EXERCISE_SQUAT ? mean_or_nan(ki[sd], nki[sd]) : NAN;
    }
}

/* Person lost / low visibility: runs longer than the clean-up's gap limit. */
static void track_warnings(fc_analysis_result *res, size_t cap, const fc_body *s, size_t n, double min_s)
{
    size_t t = 0;
    int seen = 0;

    while (t < n) {
        int lost = !s[t].found, low = s[t].found && !res->frames[t].valid;
        if (!lost && !low) {
            seen = 1;
            t++;
            continue;
        }
        size_t a = t;
        while (t < n && (!s[t].found) == lost && (s[t].found && !res->frames[t].valid) == low)
            t++;
        double d = s[t - 1].t_s - s[a].t_s;
        /* Before the person first appears or after they leave is not a problem. */
        if (!seen || t == n || d < min_s)
            continue;
        if (lost)
            add_warning(res, cap, s[a].t_s, d, "person_lost", "Person lost for %.1f s", d);
        else
            add_warning(res, cap, s[a].t_s, d, "low_visibility", "Legs not clearly visible for %.1f s", d);
    }
}

/* ---- the pipeline -------------------------------------------------------- */

/* Mid-hip image x in leg units (NAN where the depth is unknown). */
static int hip_travel(double *x, const fc_body *s, const double *leg, size_t n)
{
    for (size_t t = 0; t < n; t++)
        x[t] = isfinite(leg[t]) && leg[t] > 0
                   ? 0.5 * (s[t].lm[FC_B(FC_LM_LEFT_HIP)].x + s[t].lm[FC_B(FC_LM_RIGHT_HIP)].x) / leg[t]
                   : NAN;
    return 0;
}

/* The exercise asked for, or the one the reps look like; *looks is the latter. */
static int pick_exercise(const fc_analysis_opts *o, const fc_rep_result *reps, size_t nr, int *detected, int *looks)
{
    size_t votes = 0;

    for (size_t i = 0; i < nr; i++)
        votes += looks_like_lunge(&reps[i].bottom);
    *looks = nr && 2 * votes > nr ? FC_EXERCISE_LUNGE : FC_EXERCISE_SQUAT;
    *detected = o->exercise == FC_EXERCISE_AUTO;
    return *detected ? *looks : (int)o->exercise;
}

static int build_reps(fc_analysis_result *res, const fc_rep *reps, size_t nr)
{
    res->reps = calloc(nr ? nr : 1, sizeof *res->reps);
    if (!res->reps)
        return FC_ENOMEM;
    res->n_reps = nr;
    for (size_t i = 0; i < nr; i++) {
        fc_rep_result *r = &res->reps[i];
        r->index = (int)i + 1;
        r->rep = reps[i];
        r->start_frame = res->frames[reps[i].start].frame;
        r->bottom_frame = res->frames[reps[i].bottom].frame;
        r->end_frame = res->frames[reps[i].end].frame;
        r->rom_deg = rom(res->frames, &reps[i]);
        average_bottom(&r->bottom, res->frames, &reps[i], 0.1);
        r->lead_leg = FC_SIDE_UNKNOWN;
    }
    return 0;
}

/* The series was tallied with the clean-up options the analysis uses. */
static int same_clean(const fc_clean_opts *a, const fc_clean_opts *b)
{
    return a->min_visibility == b->min_visibility && a->max_gap_s == b->max_gap_s &&
           a->outlier_half_window == b->outlier_half_window && a->outlier_k == b->outlier_k &&
           a->outlier_min_leg == b->outlier_min_leg;
}

int fc_analysis_run(fc_analysis_result **out, const fc_pose_result *series, size_t n, const fc_analysis_opts *opts,
                    const fc_profile *squat, const fc_profile *lunge, char *err, size_t errsz)
{
    fc_analysis_opts o = opts ? *opts : fc_analysis_default_opts();
    fc_series *cs = NULL;
    int rc;

    if (!out || (n && !series))
        return fc_set_error(err, errsz, FC_EINVAL, "analysis: invalid argument");
    *out = NULL;
    if ((rc = fc_series_create(&cs, &o.clean, 0)) < 0)
        return fc_set_error(err, errsz, rc, "analysis: %s", rc == FC_EINVAL ? "bad options" : "out of memory");
    for (size_t t = 0; t < n && rc == 0; t++)
        rc = fc_series_push(cs, &series[t]);
    if (rc < 0)
        fc_set_error(err, errsz, rc, "analysis: out of memory");
    else
        rc = fc_analysis_run_series_inplace(out, cs, &o, squat, lunge, err, errsz);
    fc_series_free(cs);
    return rc;
}

/* Cleans s[0..n) in place; the rest of the analysis reads the cleaned bodies. */
static int run_bodies(fc_analysis_result **out, fc_body *s, size_t n, const fc_clean_tally *tally,
                      const fc_analysis_opts *opts, const fc_profile *squat, const fc_profile *lunge, char *err,
                      size_t errsz)
{
    fc_analysis_opts o = *opts;
    fc_analysis_result *res = NULL;
    double *depth = NULL, *leg = NULL, *ts = NULL, *hipx = NULL;
    fc_rep *reps = NULL;
    size_t nr = 0, cap = n / 8 + 8, wcap = 64;
    fc_view_info vi;
    int rc = 0;

    res = calloc(1, sizeof *res);
    depth = malloc((n ? n : 1) * sizeof *depth);
    leg = malloc((n ? n : 1) * sizeof *leg);
    ts = malloc((n ? n : 1) * sizeof *ts);
    hipx = malloc((n ? n : 1) * sizeof *hipx);
    reps = malloc(cap * sizeof *reps);
    if (res)
        res->warnings = calloc(wcap, sizeof *res->warnings);
    if (!res || !depth || !leg || !ts || !hipx || !reps || !res->warnings) {
        rc = fc_set_error(err, errsz, FC_ENOMEM, "analysis: out of memory");
        goto end;
    }
    res->n_frames = n;
    res->facing = FC_SIDE_UNKNOWN;
    for (size_t t = 0; t < n; t++)
        ts[t] = s[t].t_s;
    for (size_t t = 1; t < n; t++)
        if (!(ts[t] > ts[t - 1])) {
            rc = fc_set_error(err, errsz, FC_EINVAL, "analysis: frame %zu: time %.6f s does not increase", t, ts[t]);
            goto end;
        }
    res->duration_s = n ? ts[n - 1] - ts[0] : 0.0;
    if ((rc = fc_clean_series(s, n, &o.clean, &res->clean)) == 0)
        fc_clean_tally_finish(tally, res->clean.scale_px, res->clean.scale_m, &res->clean);
    if (rc < 0 ||
        (rc = fc_measures_depth(depth, leg, s, n, o.clean.min_visibility, o.leg_window_s)) < 0 ||
        (rc = hip_travel(hipx, s, leg, n)) < 0 || (rc = fc_reps_detect(reps, cap, &nr, depth, hipx, ts, n, &o.reps)) < 0) {
        fc_set_error(err, errsz, rc, "analysis: bad options");
        goto end;
    }
    /* Work arrays go as soon as their stage ends: the peak is at the measures. */
    free(ts);
    free(hipx);
    ts = hipx = NULL;
    if (!(res->frames = malloc((n ? n : 1) * sizeof *res->frames))) {
        rc = fc_set_error(err, errsz, FC_ENOMEM, "analysis: out of memory");
        goto end;
    }
    /* The view from the exercise's time span (walking in and out is often side-on). */
    double t0 = nr ? reps[0].start_s - 1.0 : -1e300, t1 = nr ? reps[nr - 1].end_s + 1.0 : 1e300;
    fc_view_detect(&vi, s, n, depth, t0, t1, o.clean.min_visibility);
    res->view = o.view != FC_VIEW_UNKNOWN ? o.view : vi.view;
    res->view_yaw_deg = vi.yaw_deg;
    res->facing = fc_clean_facing_side(s, n, o.clean.min_visibility);
    if ((rc = fc_measures_compute(res->frames, s, n, depth, leg, res->view, o.clean.min_visibility)) < 0) {
        fc_set_error(err, errsz, rc, "analysis: out of memory");
        goto end;
    }
    if ((rc = build_reps(res, reps, nr)) < 0) {
        fc_set_error(err, errsz, rc, "analysis: out of memory");
        goto end;
    }
    int looks;
    res->exercise = pick_exercise(&o, res->reps, nr, &res->exercise_detected, &looks);
    if (nr && looks != (int)res->exercise)
        add_warning(res, wcap, 0, 0, "exercise_mismatch",
                    looks == FC_EXERCISE_LUNGE ? "The reps look like lunges but were checked as squats"
                                               : "The reps look like squats but were checked as lunges",
                    0.0);
    res->profile = res->exercise == FC_EXERCISE_LUNGE ? *lunge : *squat;
    if (res->profile.exercise != res->exercise) {
        rc = fc_set_error(err, errsz, FC_EINVAL, "analysis: profile %s is for %s, not %s", res->profile.name,
                          fc_exercise_name(res->profile.exercise), fc_exercise_name(res->exercise));
        goto end;
    }
    for (size_t i = 0; i < nr; i++) {
        fc_rep_result *r = &res->reps[i];
        if (res->exercise == FC_EXERCISE_LUNGE)
            r->lead_leg = lead_leg(&r->bottom);
        fc_analysis_run_checks(r, &res->profile, res->view, res->facing);
    }
    summarise(res);
    for (int i = 0; i < vi.n_moves; i++)
        add_warning(res, wcap, vi.move_t_s[i], 0, "camera_moved",
                    "The camera moved or the athlete turned near %.1f s (the view changed by more than 25°)",
                    vi.move_t_s[i]);
    track_warnings(res, wcap, s, n, o.clean.max_gap_s);
    if (!nr)
        add_warning(res, wcap, 0, res->duration_s, "no_reps", "No reps found in %.1f s of pose data",
                    res->duration_s);
    if (res->view == FC_VIEW_UNKNOWN)
        add_warning(res, wcap, 0, 0, "view_unknown", "The camera view could not be told (no standing frames with world landmarks)", 0.0);
    fc_log(o.log, o.log_user, FC_LOG_DEBUG, "analysis: %zu frames, %zu reps, view %s (yaw %.0f°), %s", n, nr,
           fc_view_name(res->view), res->view_yaw_deg, fc_exercise_name(res->exercise));
end:
    free(depth);
    free(leg);
    free(ts);
    free(hipx);
    free(reps);
    if (rc < 0) {
        fc_analysis_free(res);
        return rc;
    }
    *out = res;
    return 0;
}

/* The checks every entry point makes before touching the series. */
static int check_args(const fc_analysis_opts *o, const fc_series *series, const fc_profile *squat,
                      const fc_profile *lunge, char *err, size_t errsz)
{
    if (!series)
        return fc_set_error(err, errsz, FC_EINVAL, "analysis: invalid argument");
    if ((o->exercise == FC_EXERCISE_SQUAT || o->exercise == FC_EXERCISE_AUTO) && !squat)
        return fc_set_error(err, errsz, FC_EINVAL, "analysis: no squat profile given");
    if ((o->exercise == FC_EXERCISE_LUNGE || o->exercise == FC_EXERCISE_AUTO) && !lunge)
        return fc_set_error(err, errsz, FC_EINVAL, "analysis: no lunge profile given");
    if (!same_clean(fc_clean_tally_opts(fc_series_tally(series)), &o->clean))
        return fc_set_error(err, errsz, FC_EINVAL, "analysis: the series was tallied with other clean-up options");
    return 0;
}

int fc_analysis_run_series(fc_analysis_result **out, const fc_series *series, const fc_analysis_opts *opts,
                           const fc_profile *squat, const fc_profile *lunge, char *err, size_t errsz)
{
    fc_analysis_opts o = opts ? *opts : fc_analysis_default_opts();
    size_t n = fc_series_count(series);
    fc_body *s;
    int rc;

    if (!out)
        return fc_set_error(err, errsz, FC_EINVAL, "analysis: invalid argument");
    *out = NULL;
    if ((rc = check_args(&o, series, squat, lunge, err, errsz)) < 0)
        return rc;
    if (!(s = malloc((n ? n : 1) * sizeof *s)))
        return fc_set_error(err, errsz, FC_ENOMEM, "analysis: out of memory");
    if (n)
        memcpy(s, fc_series_bodies(series), n * sizeof *s);
    rc = run_bodies(out, s, n, fc_series_tally(series), &o, squat, lunge, err, errsz);
    free(s);
    return rc;
}

int fc_analysis_run_series_inplace(fc_analysis_result **out, fc_series *series, const fc_analysis_opts *opts,
                                   const fc_profile *squat, const fc_profile *lunge, char *err, size_t errsz)
{
    fc_analysis_opts o = opts ? *opts : fc_analysis_default_opts();
    int rc;

    if (!out)
        return fc_set_error(err, errsz, FC_EINVAL, "analysis: invalid argument");
    *out = NULL;
    if ((rc = check_args(&o, series, squat, lunge, err, errsz)) < 0)
        return rc;
    return run_bodies(out, fc_series_edit(series), fc_series_count(series), fc_series_tally(series), &o, squat,
                      lunge, err, errsz);
}
