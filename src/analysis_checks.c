/* analysis_checks.c - each rep's checks, verdicts and cues (see formcheck/analysis.h). */
#include "analysis_checks.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

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

void fc_analysis_run_checks(fc_rep_result *r, const fc_profile *p, int view, int facing)
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
