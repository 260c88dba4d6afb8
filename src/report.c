/* report.c - the JSON report: build, write, load (see formcheck/report.h). */
#define _POSIX_C_SOURCE 200809L
#include "formcheck/fileio.h"
#include "formcheck/report.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formcheck/atomicfile.h"
#include "formcheck/version.h"

fc_report_info fc_report_default_info(void)
{
    fc_report_info i;
    memset(&i, 0, sizeof i);
    i.input_kind = "keypoints";
    i.frames_with_person = -1;
    return i;
}

/* ---- building ------------------------------------------------------------ */

/* Numbers rounded so reports are stable and readable; NAN/inf -> null. */
static cJSON *num(double v, int decimals)
{
    if (!isfinite(v))
        return cJSON_CreateNull();
    double k = pow(10.0, decimals);
    double r = round(v * k) / k;
    return cJSON_CreateNumber(r == 0.0 ? 0.0 : r); /* no "-0" */
}

static void add_num(cJSON *o, const char *key, double v, int decimals)
{
    cJSON_AddItemToObject(o, key, num(v, decimals));
}

static void add_pair(cJSON *o, const char *key, const double v[2], int decimals)
{
    cJSON *a = cJSON_AddArrayToObject(o, key);
    if (a) {
        cJSON_AddItemToArray(a, num(v[0], decimals));
        cJSON_AddItemToArray(a, num(v[1], decimals));
    }
}

static const char *sense_name(int s)
{
    return s == FC_SENSE_HIGHER ? "higher" : s == FC_SENSE_TARGET ? "target" : "lower";
}

static void add_profile(cJSON *root, const fc_profile *p)
{
    cJSON *o = cJSON_AddObjectToObject(root, "profile"), *th;
    const fc_check_id *ids;
    size_t n = fc_profile_checks(p->exercise, &ids);

    cJSON_AddStringToObject(o, "name", p->name);
    cJSON_AddStringToObject(o, "level", p->level);
    add_num(o, "good_rep_score", p->good_rep_score, 1);
    th = cJSON_AddObjectToObject(o, "thresholds");
    for (size_t i = 0; i < n; i++) {
        const fc_threshold *t = &p->th[ids[i]];
        cJSON *c = cJSON_AddObjectToObject(th, fc_check_name(ids[i]));
        cJSON_AddStringToObject(c, "unit", fc_check_unit(ids[i]));
        cJSON_AddStringToObject(c, "sense", sense_name(fc_check_sense(ids[i])));
        if (fc_check_sense(ids[i]) == FC_SENSE_TARGET)
            add_num(c, "target", t->target, 3);
        add_num(c, "warn", t->warn, 3);
        add_num(c, "fail", t->fail, 3);
        cJSON_AddStringToObject(c, "source", p->source[ids[i]]);
    }
}

static void add_measures(cJSON *rep, const fc_measures *b)
{
    cJSON *m = cJSON_AddObjectToObject(rep, "measures");
    add_pair(m, "knee_flexion_deg", b->knee_flex_deg, 1);
    add_pair(m, "hip_flexion_deg", b->hip_flex_deg, 1);
    add_num(m, "trunk_lean_deg", b->trunk_lean_deg, 1);
    add_pair(m, "shin_deg", b->shin_deg, 1);
    add_pair(m, "thigh_to_horizontal_deg", b->thigh_deg, 1);
    add_num(m, "hip_below_knee", b->hip_below_knee, 3);
    add_pair(m, "fppa_deg", b->fppa_deg, 1);
    add_pair(m, "knee_in_deg", b->knee_in_deg, 1);
    add_num(m, "knee_ankle_ratio", b->knee_ankle_ratio, 3);
    add_pair(m, "heel_lift_deg", b->heel_lift_deg, 1);
    add_num(m, "hip_shift_pct", b->hip_shift_pct, 1);
    add_pair(m, "knee_height_pct", b->knee_height_pct, 1);
    add_pair(m, "knee_past_toe_pct", b->knee_past_toe_pct, 1);
    add_num(m, "step_ratio", b->step_ratio, 3);
}

static void add_rep(cJSON *arr, const fc_rep_result *r)
{
    cJSON *o = cJSON_CreateObject(), *checks;

    if (!o)
        return;
    cJSON_AddItemToArray(arr, o);
    cJSON_AddNumberToObject(o, "index", r->index);
    add_num(o, "start_s", r->rep.start_s, 3);
    add_num(o, "bottom_s", r->rep.bottom_s, 3);
    add_num(o, "end_s", r->rep.end_s, 3);
    cJSON_AddNumberToObject(o, "start_frame", (double)r->start_frame);
    cJSON_AddNumberToObject(o, "bottom_frame", (double)r->bottom_frame);
    cJSON_AddNumberToObject(o, "end_frame", (double)r->end_frame);
    add_num(o, "descent_s", r->rep.descent_s, 3);
    add_num(o, "pause_s", r->rep.pause_s, 3);
    add_num(o, "ascent_s", r->rep.ascent_s, 3);
    add_num(o, "rom_deg", r->rom_deg, 1);
    add_num(o, "depth", r->rep.amplitude, 3);
    add_num(o, "score", r->score, 0);
    cJSON_AddBoolToObject(o, "good", r->good);
    if (r->lead_leg >= 0)
        cJSON_AddStringToObject(o, "lead_leg", fc_side_name(r->lead_leg));
    else
        cJSON_AddNullToObject(o, "lead_leg");
    add_measures(o, &r->bottom);
    checks = cJSON_AddArrayToObject(o, "checks");
    for (size_t k = 0; k < r->n_checks; k++) {
        const fc_check_result *c = &r->checks[k];
        cJSON *co = cJSON_CreateObject();
        if (!co)
            continue;
        cJSON_AddItemToArray(checks, co);
        cJSON_AddStringToObject(co, "id", fc_check_name(c->id));
        cJSON_AddStringToObject(co, "status", fc_status_name(c->status));
        add_num(co, "value", c->value, 2);
        add_num(co, "threshold", c->threshold, 2);
        cJSON_AddStringToObject(co, "unit", fc_check_unit(c->id));
        cJSON_AddStringToObject(co, "cue", c->cue);
    }
}

static void add_summary(cJSON *root, const fc_analysis_result *res)
{
    const fc_set_summary *s = &res->summary;
    cJSON *o = cJSON_AddObjectToObject(root, "summary"), *fc, *t, *lr;

    cJSON_AddNumberToObject(o, "reps", s->reps);
    cJSON_AddNumberToObject(o, "good_reps", s->good_reps);
    add_num(o, "mean_score", s->mean_score, 1);
    if (s->most_frequent_fault >= 0)
        cJSON_AddStringToObject(o, "most_frequent_fault", fc_check_name(s->most_frequent_fault));
    else
        cJSON_AddNullToObject(o, "most_frequent_fault");
    fc = cJSON_AddObjectToObject(o, "fault_counts");
    for (int id = 0; id < FC_CHECK_COUNT; id++)
        if (s->fault_counts[id])
            cJSON_AddNumberToObject(fc, fc_check_name(id), s->fault_counts[id]);
    t = cJSON_AddObjectToObject(o, "tempo");
    add_num(t, "descent_s", s->mean_descent_s, 3);
    add_num(t, "pause_s", s->mean_pause_s, 3);
    add_num(t, "ascent_s", s->mean_ascent_s, 3);
    add_num(t, "rep_s", s->mean_rep_s, 3);
    lr = cJSON_AddObjectToObject(o, "left_right");
    for (int sd = 0; sd < 2; sd++) {
        cJSON *x = cJSON_AddObjectToObject(lr, fc_side_name(sd));
        if (res->exercise == FC_EXERCISE_LUNGE) {
            cJSON_AddNumberToObject(x, "reps", s->side_reps[sd]);
            add_num(x, "mean_score", s->side_score[sd], 1);
            add_num(x, "front_knee_deg", s->side_front_knee_deg[sd], 1);
        } else {
            add_num(x, "knee_flexion_deg", s->side_knee_flex_deg[sd], 1);
            add_num(x, "fppa_deg", s->side_fppa_deg[sd], 1);
            add_num(x, "knee_in_deg", s->side_knee_in_deg[sd], 1);
        }
    }
    cJSON *d = cJSON_AddObjectToObject(lr, "difference");
    if (res->exercise == FC_EXERCISE_LUNGE) {
        add_num(d, "mean_score", s->side_score[0] - s->side_score[1], 1);
        add_num(d, "front_knee_deg", s->side_front_knee_deg[0] - s->side_front_knee_deg[1], 1);
    } else {
        add_num(d, "knee_flexion_deg", s->side_knee_flex_deg[0] - s->side_knee_flex_deg[1], 1);
        add_num(d, "fppa_deg", s->side_fppa_deg[0] - s->side_fppa_deg[1], 1);
        add_num(d, "knee_in_deg", s->side_knee_in_deg[0] - s->side_knee_in_deg[1], 1);
    }
}

/* Per-frame series for plots, decimated to at most `cap` points. */
static void add_series(cJSON *root, const fc_analysis_result *res, int cap)
{
    size_t n = res->n_frames, step = cap > 0 && n > (size_t)cap ? (n + cap - 1) / cap : 1;
    cJSON *o = cJSON_AddObjectToObject(root, "series");
    cJSON *t = cJSON_AddArrayToObject(o, "t_s"), *d = cJSON_AddArrayToObject(o, "depth");
    cJSON *kl = cJSON_AddArrayToObject(o, "knee_left_deg"), *kr = cJSON_AddArrayToObject(o, "knee_right_deg");

    cJSON_AddNumberToObject(o, "step", (double)step);
    for (size_t i = 0; i < n; i += step) {
        const fc_measures *m = &res->frames[i];
        cJSON_AddItemToArray(t, num(m->t_s, 3));
        cJSON_AddItemToArray(d, num(m->depth, 3));
        cJSON_AddItemToArray(kl, num(m->knee_flex_deg[0], 1));
        cJSON_AddItemToArray(kr, num(m->knee_flex_deg[1], 1));
    }
}

int fc_report_build(cJSON **out, const fc_analysis_result *res, const fc_pose_result *series, size_t n,
                    const fc_report_info *info)
{
    fc_report_info in = info ? *info : fc_report_default_info();
    cJSON *root, *o, *arr;
    size_t found = 0;
    double fps = in.fps;

    if (!out || !res || (n && !series && (in.frames_with_person < 0 || res->n_frames != n)))
        return FC_EINVAL;
    *out = NULL;
    for (size_t i = 0; series && i < n; i++)
        found += series[i].found != 0;
    if (!series)
        found = (size_t)in.frames_with_person;
    /* The result's frames carry the input's times. */
    double t_first = !n ? 0 : series ? series[0].t_s : res->frames[0].t_s;
    double t_last = !n ? 0 : series ? series[n - 1].t_s : res->frames[n - 1].t_s;
    if (!(fps > 0) && n > 1 && t_last > t_first)
        fps = (n - 1) / (t_last - t_first);
    if (!(root = cJSON_CreateObject()))
        return FC_ENOMEM;
    cJSON_AddNumberToObject(root, "schema_version", FC_REPORT_SCHEMA_VERSION);
    o = cJSON_AddObjectToObject(root, "tool");
    cJSON_AddStringToObject(o, "name", "formcheck");
    cJSON_AddStringToObject(o, "version", FC_VERSION_STRING);
    o = cJSON_AddObjectToObject(root, "input");
    cJSON_AddStringToObject(o, "path", in.input_path ? in.input_path : "-");
    cJSON_AddStringToObject(o, "kind", in.input_kind ? in.input_kind : "keypoints");
    cJSON_AddNumberToObject(o, "frames", (double)n);
    add_num(o, "duration_s", res->duration_s, 3);
    add_num(o, "fps", fps, 3);
    cJSON_AddNumberToObject(o, "width", in.width ? in.width : n && series ? series[0].width : 0);
    cJSON_AddNumberToObject(o, "height", in.height ? in.height : n && series ? series[0].height : 0);
    cJSON_AddNumberToObject(o, "rotation_deg", in.rotation_deg);
    if (in.stop_reason) {
        /* A set is complete when it ended as asked (time or reps reached, or the
         * athlete quit); anything else cut it short. */
        int planned = !strcmp(in.stop_reason, "duration") || !strcmp(in.stop_reason, "reps") ||
                      !strcmp(in.stop_reason, "user");
        o = cJSON_AddObjectToObject(root, "recording");
        cJSON_AddStringToObject(o, "stop_reason", in.stop_reason);
        cJSON_AddBoolToObject(o, "cut_short", !planned);
        add_num(o, "recorded_s", in.recorded_s, 3);
    }
    o = cJSON_AddObjectToObject(root, "model");
    cJSON_AddStringToObject(o, "name", in.model ? in.model : "unknown");
    cJSON_AddStringToObject(o, "variant", in.variant ? in.variant : "unknown");
    cJSON_AddStringToObject(root, "exercise", fc_exercise_name(res->exercise));
    cJSON_AddBoolToObject(root, "exercise_detected", res->exercise_detected);
    cJSON_AddStringToObject(root, "view", fc_view_name(res->view));
    add_num(root, "view_yaw_deg", res->view_yaw_deg, 1);
    cJSON_AddStringToObject(root, "facing_side", fc_side_name(res->facing));
    add_profile(root, &res->profile);
    arr = cJSON_AddArrayToObject(root, "reps");
    for (size_t i = 0; i < res->n_reps; i++)
        add_rep(arr, &res->reps[i]);
    add_summary(root, res);
    arr = cJSON_AddArrayToObject(root, "warnings");
    for (size_t i = 0; i < res->n_warnings; i++) {
        cJSON *w = cJSON_CreateObject();
        if (!w)
            continue;
        cJSON_AddItemToArray(arr, w);
        add_num(w, "t_s", res->warnings[i].t_s, 3);
        add_num(w, "duration_s", res->warnings[i].duration_s, 3);
        cJSON_AddStringToObject(w, "kind", res->warnings[i].kind);
        cJSON_AddStringToObject(w, "message", res->warnings[i].msg);
    }
    add_series(root, res, in.series_points > 0 ? in.series_points : FC_REPORT_SERIES_POINTS);
    o = cJSON_AddObjectToObject(root, "processing");
    cJSON_AddNumberToObject(o, "frames", (double)n);
    cJSON_AddNumberToObject(o, "frames_with_person", (double)found);
    cJSON_AddNumberToObject(o, "frames_filled", (double)res->clean.frames_filled);
    cJSON_AddNumberToObject(o, "points_gated", (double)res->clean.points_gated);
    cJSON_AddNumberToObject(o, "outliers", (double)res->clean.outliers);
    cJSON_AddNumberToObject(o, "swaps_fixed", (double)res->clean.swaps_fixed);
    add_num(o, "analysis_fps", in.analysis_fps > 0 ? in.analysis_fps : fps, 3);
    add_num(o, "analysis_ms", in.analysis_ms, 1);
    add_num(o, "pose_ms_mean", in.pose_ms_mean, 2);
    /* cJSON returns NULL items on allocation failure; check the whole tree once. */
    if (!cJSON_GetObjectItemCaseSensitive(root, "processing") ||
        !cJSON_GetObjectItemCaseSensitive(root, "series")) {
        cJSON_Delete(root);
        return FC_ENOMEM;
    }
    *out = root;
    return 0;
}

int fc_report_write(const char *path, const fc_analysis_result *res, const fc_pose_result *series, size_t n,
                    const fc_report_info *info, int flags, char *err, size_t errsz)
{
    cJSON *root = NULL;
    char *text = NULL;
    fc_atomic_file *af = NULL;
    int rc;

    if (!path)
        return fc_set_error(err, errsz, FC_EINVAL, "report: no output path");
    if ((rc = fc_report_build(&root, res, series, n, info)) < 0)
        return fc_set_error(err, errsz, rc, "%s: cannot build the report: %s", path, fc_strerror(rc));
    if (!(text = cJSON_Print(root))) {
        rc = fc_set_error(err, errsz, FC_ENOMEM, "%s: out of memory", path);
        goto end;
    }
    if ((rc = fc_atomic_open(&af, path, flags, err, errsz)) < 0)
        goto end;
    if (fputs(text, fc_atomic_stream(af)) < 0 || fputc('\n', fc_atomic_stream(af)) < 0) {
        int e = errno; /* the cause (ENOSPC on a full disk), before abort's close/unlink */
        fc_atomic_abort(af);
        rc = fc_set_error(err, errsz, e == ENOSPC ? FC_ENOSPC : FC_EIO, "%s: write failed: %s", path, strerror(e));
        goto end;
    }
    rc = fc_atomic_commit(af, err, errsz);
end:
    free(text);
    cJSON_Delete(root);
    return rc;
}

/* ---- validation and loading ---------------------------------------------- */

static int bad(char *err, size_t errsz, const char *name, const char *path, const char *what)
{
    return fc_set_error(err, errsz, FC_EREPORT, "%s: %s: %s", name, path, what);
}

static int want_num(const cJSON *o, const char *key, int nullable, const char *name, const char *at, char *err,
                    size_t errsz)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
    char path[128];
    snprintf(path, sizeof path, "%s%s", at, key);
    if (!it)
        return bad(err, errsz, name, path, "missing");
    if (cJSON_IsNumber(it) || (nullable && cJSON_IsNull(it)))
        return 0;
    return bad(err, errsz, name, path, nullable ? "expected a number or null" : "expected a number");
}

static int want_enum(const cJSON *o, const char *key, const char *const *vals, int nullable, const char *name,
                     const char *at, char *err, size_t errsz)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
    char path[128], what[160];
    size_t pos = 0;
    snprintf(path, sizeof path, "%s%s", at, key);
    if (!it)
        return bad(err, errsz, name, path, "missing");
    if (nullable && cJSON_IsNull(it))
        return 0;
    for (int i = 0; cJSON_IsString(it) && vals[i]; i++)
        if (!strcmp(it->valuestring, vals[i]))
            return 0;
    pos += snprintf(what, sizeof what, "expected one of ");
    for (int i = 0; vals[i] && pos < sizeof what; i++)
        pos += snprintf(what + pos, sizeof what - pos, "%s%s", i ? "|" : "", vals[i]);
    return bad(err, errsz, name, path, what);
}

static int validate_rep(const cJSON *r, size_t i, const char *name, char *err, size_t errsz)
{
    static const char *const legs[] = {"left", "right", NULL};
    static const char *const statuses[] = {"pass", "warn", "fail", "not_assessed", NULL};
    static const char *const nums[] = {"index", "start_s", "bottom_s", "end_s", "score"};
    char at[64], cat[96];
    const cJSON *checks;
    int rc;

    snprintf(at, sizeof at, "reps[%zu].", i);
    if (!cJSON_IsObject(r))
        return bad(err, errsz, name, at, "expected an object");
    for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++)
        if ((rc = want_num(r, nums[k], 0, name, at, err, errsz)) < 0)
            return rc;
    if ((rc = want_enum(r, "lead_leg", legs, 1, name, at, err, errsz)) < 0)
        return rc;
    checks = cJSON_GetObjectItemCaseSensitive(r, "checks");
    if (!cJSON_IsArray(checks)) {
        snprintf(cat, sizeof cat, "%schecks", at);
        return bad(err, errsz, name, cat, "expected an array");
    }
    size_t k = 0;
    for (const cJSON *c = checks->child; c; c = c->next, k++) {
        const cJSON *s;
        snprintf(cat, sizeof cat, "%schecks[%zu].", at, k);
        if (!cJSON_IsObject(c))
            return bad(err, errsz, name, cat, "expected an object");
        if ((rc = want_enum(c, "status", statuses, 0, name, cat, err, errsz)) < 0 ||
            (rc = want_num(c, "value", 1, name, cat, err, errsz)) < 0 ||
            (rc = want_num(c, "threshold", 1, name, cat, err, errsz)) < 0)
            return rc;
        static const char *const strs[] = {"id", "unit", "cue"};
        for (size_t j = 0; j < 3; j++)
            if (!cJSON_IsString(s = cJSON_GetObjectItemCaseSensitive(c, strs[j]))) {
                char p2[128];
                snprintf(p2, sizeof p2, "%s%s", cat, strs[j]);
                return bad(err, errsz, name, p2, "expected a string");
            }
    }
    return 0;
}

int fc_report_validate(const cJSON *root, const char *name, char *err, size_t errsz)
{
    static const char *const exercises[] = {"squat", "lunge", NULL};
    static const char *const views[] = {"side", "front", "oblique", "unknown", NULL};
    const cJSON *v, *reps;
    int rc;

    if (!name)
        name = "report";
    if (!cJSON_IsObject(root))
        return fc_set_error(err, errsz, FC_EREPORT, "%s: not a formcheck report (expected a JSON object)", name);
    v = cJSON_GetObjectItemCaseSensitive(root, "schema_version");
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < 1)
        return fc_set_error(err, errsz, FC_EREPORT, "%s: not a formcheck report (no valid schema_version)", name);
    if (v->valuedouble > FC_REPORT_SCHEMA_VERSION)
        return fc_set_error(err, errsz, FC_EREPORT,
                            "%s: schema_version %.0f is newer than this formcheck reads (%d); update formcheck",
                            name, v->valuedouble, FC_REPORT_SCHEMA_VERSION);
    if ((rc = want_enum(root, "exercise", exercises, 0, name, "", err, errsz)) < 0 ||
        (rc = want_enum(root, "view", views, 0, name, "", err, errsz)) < 0)
        return rc;
    reps = cJSON_GetObjectItemCaseSensitive(root, "reps");
    if (!cJSON_IsArray(reps))
        return bad(err, errsz, name, "reps", "expected an array");
    size_t i = 0;
    for (const cJSON *r = reps->child; r; r = r->next, i++)
        if ((rc = validate_rep(r, i, name, err, errsz)) < 0)
            return rc;
    if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(root, "summary")))
        return bad(err, errsz, name, "summary", "expected an object");
    return 0;
}

/* A keypoints file (JSON Lines) is the likeliest wrong file to hand to `report`:
 * its first line is a JSON object with "landmarks". Say so instead of "damaged". */
static int looks_like_keypoints(const char *buf, size_t len)
{
    const char *nl = memchr(buf, '\n', len);
    cJSON *first = fc_json_parse_all(buf, nl ? (size_t)(nl - buf) : len, NULL);
    int yes = cJSON_IsObject(first) && cJSON_HasObjectItem(first, "landmarks") && cJSON_HasObjectItem(first, "frame");

    cJSON_Delete(first);
    return yes;
}

int fc_report_load(cJSON **out, const char *path, char *err, size_t errsz)
{
    char *buf = NULL;
    size_t got, off;
    cJSON *root = NULL;
    int rc;

    if (!out || !path)
        return fc_set_error(err, errsz, FC_EINVAL, "report: invalid argument");
    *out = NULL;
    if ((rc = fc_file_read_all(&buf, &got, path, FC_REPORT_MAX_FILE, err, errsz)) < 0)
        return rc;
    if (!(root = fc_json_parse_all(buf, got, &off))) {
        if (looks_like_keypoints(buf, got))
            rc = fc_set_error(err, errsz, FC_EREPORT,
                              "%s: not a formcheck report but a keypoints file (analyze it with --from-keypoints)", path);
        else
            rc = fc_set_error(err, errsz, FC_EREPORT, "%s: damaged report: not valid JSON (near byte %zu)", path, off);
        goto end;
    }
    if ((rc = fc_report_validate(root, path, err, errsz)) < 0)
        goto end;
    *out = root;
    root = NULL;
end:
    cJSON_Delete(root);
    free(buf);
    return rc;
}
