/* analysis.c - reps, checks, scores, summary (see formcheck/analysis.h). */
#include "formcheck/analysis.h"

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

/* ---- checks -------------------------------------------------------------- */

static int assessed_in(fc_check_id id, int view)
{
    switch (id) {
    case FC_CHECK_DEPTH:
    case FC_CHECK_BACK_KNEE_HEIGHT:
    case FC_CHECK_TEMPO: return view != FC_VIEW_UNKNOWN;
    case FC_CHECK_KNEE_VALGUS:
    case FC_CHECK_HIP_SHIFT: return view == FC_VIEW_FRONT;
    default: return view == FC_VIEW_SIDE || view == FC_VIEW_OBLIQUE;
    }
}

static double maxf(double a, double b)
{
    return !isfinite(a) ? b : !isfinite(b) ? a : fmax(a, b);
}

static void judge(fc_check_result *c, const fc_threshold *th, double v)
{
    int sense = fc_check_sense(c->id);

    c->value = v;
    if (sense == FC_SENSE_TARGET) {
        double dev = fabs(v - th->target);
        c->threshold = v >= th->target ? th->target + th->warn : th->target - th->warn;
        c->status = dev <= th->warn ? FC_PASS : dev <= th->fail ? FC_WARN : FC_FAIL;
    } else if (sense == FC_SENSE_HIGHER) {
        c->threshold = th->warn;
        c->status = v >= th->warn ? FC_PASS : v >= th->fail ? FC_WARN : FC_FAIL;
    } else {
        c->threshold = th->warn;
        c->status = v <= th->warn ? FC_PASS : v <= th->fail ? FC_WARN : FC_FAIL;
    }
}

#define CUE(...) snprintf(c->cue, sizeof c->cue, __VA_ARGS__)

/* The value a check judges, and which side it concerns (for the cue). */
static double check_value(fc_check_id id, const fc_rep_result *r, int facing, int view, int *side)
{
    const fc_measures *b = &r->bottom;
    int front = r->lead_leg == FC_SIDE_RIGHT, back = !front;

    *side = FC_SIDE_UNKNOWN;
    switch (id) {
    case FC_CHECK_DEPTH:
        if (view == FC_VIEW_SIDE && facing >= 0 && isfinite(b->thigh_deg[facing]))
            return b->thigh_deg[facing];
        return isfinite(b->thigh_deg[0]) && isfinite(b->thigh_deg[1]) ? 0.5 * (b->thigh_deg[0] + b->thigh_deg[1])
                                                                      : maxf(b->thigh_deg[0], b->thigh_deg[1]);
    case FC_CHECK_TRUNK_LEAN:
    case FC_CHECK_TORSO_UPRIGHT: return b->trunk_lean_deg;
    case FC_CHECK_KNEE_VALGUS:
        if (r->lead_leg >= 0) {
            *side = r->lead_leg;
            return b->knee_in_deg[front];
        }
        *side = !(b->knee_in_deg[0] >= b->knee_in_deg[1]);
        return maxf(b->knee_in_deg[0], b->knee_in_deg[1]);
    case FC_CHECK_HEEL_LIFT:
        /* Side on (and half so at an angle), the far foot is hidden behind
         * the near one and BlazePose guesses its heel: judge the foot the
         * camera sees. */
        if ((view == FC_VIEW_SIDE || view == FC_VIEW_OBLIQUE) && facing >= 0 && isfinite(b->heel_lift_deg[facing])) {
            *side = facing;
            return b->heel_lift_deg[facing];
        }
        *side = !(b->heel_lift_deg[0] >= b->heel_lift_deg[1]);
        return maxf(b->heel_lift_deg[0], b->heel_lift_deg[1]);
    case FC_CHECK_HIP_SHIFT:
        *side = b->hip_shift_pct >= 0 ? FC_SIDE_RIGHT : FC_SIDE_LEFT;
        return fabs(b->hip_shift_pct);
    case FC_CHECK_KNEE_OVER_TOES: return b->knee_past_toe_pct[front];
    case FC_CHECK_FRONT_KNEE_ANGLE: return 180.0 - b->knee_flex_deg[front];
    case FC_CHECK_BACK_KNEE_HEIGHT: return b->knee_height_pct[back];
    case FC_CHECK_TEMPO: return r->rep.descent_s;
    default: return NAN;
    }
}

static void cue_for(fc_check_result *c, const fc_profile *p, int side)
{
    const char *sd = side == FC_SIDE_LEFT ? "Left" : side == FC_SIDE_RIGHT ? "Right" : "A";
    const char *sdl = side == FC_SIDE_LEFT ? "left" : "right";
    double v = c->value;
    int ok = c->status == FC_PASS;

    switch (c->id) {
    case FC_CHECK_DEPTH:
        if (ok)
            CUE("Good depth: thighs reached %.0f° %s parallel", fabs(v), v > 0 ? "above" : "below");
        else
            CUE("Go deeper: thighs stopped %.0f° above parallel", v);
        break;
    case FC_CHECK_TRUNK_LEAN:
        CUE(ok ? "Chest up: torso leaned %.0f° from vertical" : "Keep your chest up: torso leaned %.0f° forward", v);
        break;
    case FC_CHECK_TORSO_UPRIGHT:
        CUE(ok ? "Torso stayed upright (%.0f° from vertical)" : "Stay upright: torso leaned %.0f° forward", v);
        break;
    case FC_CHECK_KNEE_VALGUS:
        if (ok)
            CUE("Knees tracked over the feet (%.0f°)", v);
        else
            CUE("%s knee caved in %.0f° at the bottom", sd, v);
        break;
    case FC_CHECK_HEEL_LIFT:
        if (ok)
            CUE("Heels stayed down");
        else
            CUE("Keep your heels down: %s heel lifted %.0f°", side == FC_SIDE_LEFT ? "left" : "right", v);
        break;
    case FC_CHECK_HIP_SHIFT:
        if (ok)
            CUE("Hips stayed centred");
        else
            CUE("Hips shifted to the %s by %.0f%% of leg length", sdl, v);
        break;
    case FC_CHECK_KNEE_OVER_TOES:
        if (ok)
            CUE("Front knee stayed over the foot");
        else
            CUE("Front knee went %.0f%% of leg length past the toes: step longer", v);
        break;
    case FC_CHECK_FRONT_KNEE_ANGLE:
        if (ok)
            CUE("Front knee bent to %.0f° (aim %.0f°)", v, p->th[c->id].target);
        else if (v > p->th[c->id].target)
            CUE("Go lower: front knee only bent to %.0f° (aim %.0f°)", v, p->th[c->id].target);
        else
            CUE("Front knee closed to %.0f° (aim %.0f°): take a longer step", v, p->th[c->id].target);
        break;
    case FC_CHECK_BACK_KNEE_HEIGHT:
        if (ok)
            CUE("Back knee came close to the floor");
        else
            CUE("Lower the back knee: it stayed %.0f%% of leg length above the floor", v);
        break;
    case FC_CHECK_TEMPO:
        if (ok)
            CUE("Controlled descent (%.1f s)", v);
        else
            CUE("Slow down: descent took %.1f s (aim for %.1f s or more)", v, c->threshold);
        break;
    default: break;
    }
}

static void run_checks(fc_rep_result *r, const fc_profile *p, int view, int facing)
{
    const fc_check_id *ids;
    size_t n = fc_profile_checks(p->exercise, &ids);
    double sum = 0;
    int assessed = 0, fails = 0;

    r->n_checks = 0;
    for (size_t i = 0; i < n; i++) {
        fc_check_result *c = &r->checks[r->n_checks++];
        int side;
        double v;

        memset(c, 0, sizeof *c);
        c->id = ids[i];
        c->value = c->threshold = NAN;
        c->status = FC_NOT_ASSESSED;
        v = check_value(ids[i], r, facing, view, &side);
        if (!assessed_in(ids[i], view) || !p->th[ids[i]].used || !isfinite(v)) {
            if (!assessed_in(ids[i], view))
                CUE("Not assessed from the %s view", fc_view_name(view));
            else
                CUE("Not assessed: the landmarks were not visible enough");
            continue;
        }
        judge(c, &p->th[ids[i]], v);
        cue_for(c, p, side);
        assessed++;
        sum += c->status == FC_PASS ? 1.0 : c->status == FC_WARN ? 0.5 : 0.0;
        fails += c->status == FC_FAIL;
    }
    r->score = assessed ? round(100.0 * sum / assessed) : 0.0;
    r->good = assessed && !fails && r->score >= p->good_rep_score;
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
static void track_warnings(fc_analysis_result *res, size_t cap, const fc_pose_result *s, size_t n, double min_s)
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
static int hip_travel(double *x, const fc_pose_result *s, const double *leg, size_t n)
{
    for (size_t t = 0; t < n; t++)
        x[t] = isfinite(leg[t]) && leg[t] > 0
                   ? 0.5 * (s[t].lm[FC_LM_LEFT_HIP].x + s[t].lm[FC_LM_RIGHT_HIP].x) / leg[t]
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

int fc_analysis_run(fc_analysis_result **out, const fc_pose_result *series, size_t n, const fc_analysis_opts *opts,
                    const fc_profile *squat, const fc_profile *lunge, char *err, size_t errsz)
{
    fc_analysis_opts o = opts ? *opts : fc_analysis_default_opts();
    fc_analysis_result *res = NULL;
    fc_pose_result *s = NULL;
    double *depth = NULL, *leg = NULL, *ts = NULL, *hipx = NULL;
    fc_rep *reps = NULL;
    size_t nr = 0, cap = n / 8 + 8, wcap = 64;
    fc_view_info vi;
    int rc = 0;

    if (!out || (n && !series))
        return fc_set_error(err, errsz, FC_EINVAL, "analysis: invalid argument");
    *out = NULL;
    if ((o.exercise == FC_EXERCISE_SQUAT || o.exercise == FC_EXERCISE_AUTO) && !squat)
        return fc_set_error(err, errsz, FC_EINVAL, "analysis: no squat profile given");
    if ((o.exercise == FC_EXERCISE_LUNGE || o.exercise == FC_EXERCISE_AUTO) && !lunge)
        return fc_set_error(err, errsz, FC_EINVAL, "analysis: no lunge profile given");
    res = calloc(1, sizeof *res);
    s = malloc((n ? n : 1) * sizeof *s);
    depth = malloc((n ? n : 1) * sizeof *depth);
    leg = malloc((n ? n : 1) * sizeof *leg);
    ts = malloc((n ? n : 1) * sizeof *ts);
    hipx = malloc((n ? n : 1) * sizeof *hipx);
    reps = malloc(cap * sizeof *reps);
    if (res) {
        res->frames = malloc((n ? n : 1) * sizeof *res->frames);
        res->warnings = calloc(wcap, sizeof *res->warnings);
    }
    if (!res || !s || !depth || !leg || !ts || !hipx || !reps || !res->frames || !res->warnings) {
        rc = fc_set_error(err, errsz, FC_ENOMEM, "analysis: out of memory");
        goto end;
    }
    res->n_frames = n;
    res->facing = FC_SIDE_UNKNOWN;
    if (n)
        memcpy(s, series, n * sizeof *s);
    for (size_t t = 0; t < n; t++)
        ts[t] = s[t].t_s;
    for (size_t t = 1; t < n; t++)
        if (!(ts[t] > ts[t - 1])) {
            rc = fc_set_error(err, errsz, FC_EINVAL, "analysis: frame %zu: time %.6f s does not increase", t, ts[t]);
            goto end;
        }
    res->duration_s = n ? ts[n - 1] - ts[0] : 0.0;
    if ((rc = fc_clean_series(s, n, &o.clean, &res->clean)) < 0 ||
        (rc = fc_measures_depth(depth, leg, s, n, o.clean.min_visibility, o.leg_window_s)) < 0 ||
        (rc = hip_travel(hipx, s, leg, n)) < 0 || (rc = fc_reps_detect(reps, cap, &nr, depth, hipx, ts, n, &o.reps)) < 0) {
        fc_set_error(err, errsz, rc, "analysis: bad options");
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
        run_checks(r, &res->profile, res->view, res->facing);
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
    free(s);
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
