/* session.c - one video through capture, pose, analysis, report and annotation. */
#define _POSIX_C_SOURCE 200809L
#include "formcheck/session.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "formcheck/atomicfile.h"
#include "formcheck/capture.h"
#include "formcheck/encode.h"
#include "formcheck/grabber.h"
#include "formcheck/keypoints.h"
#include "formcheck/overlay.h"
#include "formcheck/report.h"

struct fc_session {
    fc_session_opts o;
    fc_pose *pose;
    fc_pose_result *series;
    size_t n, cap;
    fc_analysis_result *res;
};

fc_session_opts fc_session_default_opts(void)
{
    fc_session_opts o;
    memset(&o, 0, sizeof o);
    o.pose = fc_pose_default_opts();
    o.max_side = 640;
    o.pipeline = 1;
    o.analysis = fc_analysis_default_opts();
    o.progress_interval_s = 0.5;
    return o;
}

fc_session_job fc_session_default_job(void)
{
    fc_session_job j;
    memset(&j, 0, sizeof j);
    return j;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int stopped(const fc_session *s)
{
    return s->o.stop && *s->o.stop;
}

int fc_session_open(fc_session **out, const fc_session_opts *opts, char *err, size_t errsz)
{
    fc_session *s = NULL;
    int rc;
    if (!out || !opts)
        return fc_set_error(err, errsz, FC_EINVAL, "session: no options");
    *out = NULL;
    if (!opts->squat && !opts->lunge)
        return fc_set_error(err, errsz, FC_EINVAL, "session: no profile");
    if (!(s = calloc(1, sizeof *s)))
        return fc_set_error(err, errsz, FC_ENOMEM, "session: out of memory");
    s->o = *opts;
    s->o.pose.mode = FC_POSE_VIDEO;
    if (!(s->o.progress_interval_s > 0))
        s->o.progress_interval_s = 0.5;
    if ((rc = fc_pose_open(&s->pose, &s->o.pose, err, errsz)) < 0) {
        free(s);
        return rc;
    }
    *out = s;
    return 0;
}

const fc_analysis_result *fc_session_result(const fc_session *s)
{
    return s ? s->res : NULL;
}

void fc_session_free(fc_session *s)
{
    if (!s)
        return;
    fc_pose_free(s->pose);
    fc_analysis_free(s->res);
    free(s->series);
    free(s);
}

/* Grows by doubling: amortised, so no allocation on most frames. */
static int push(fc_session *s, const fc_pose_result *r)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 1024;
        fc_pose_result *p = realloc(s->series, cap * sizeof *p);
        if (!p)
            return FC_ENOMEM;
        s->series = p;
        s->cap = cap;
    }
    s->series[s->n++] = *r;
    return 0;
}

typedef struct progress_state {
    fc_session_progress p;
    double t0, last;
} progress_state;

static void progress_start(progress_state *ps, const char *stage, const char *input, int64_t total)
{
    memset(ps, 0, sizeof *ps);
    ps->p.stage = stage;
    ps->p.input = input;
    ps->p.frames_total = total;
    ps->p.eta_s = -1;
    ps->t0 = ps->last = now_s();
}

static void progress_tick(const fc_session *s, progress_state *ps, int64_t frames, int done)
{
    double t = now_s();
    if (!s->o.progress || (!done && t - ps->last < s->o.progress_interval_s))
        return;
    ps->last = t;
    ps->p.frames = frames;
    ps->p.done = done;
    ps->p.fps = t > ps->t0 ? frames / (t - ps->t0) : 0;
    ps->p.eta_s = ps->p.frames_total > frames && ps->p.fps > 0 ? (ps->p.frames_total - frames) / ps->p.fps
                  : done                                      ? 0
                                                              : -1;
    s->o.progress(s->o.progress_user, &ps->p);
}

static int exists(const char *path)
{
    struct stat st;
    return path && strcmp(path, "-") && stat(path, &st) == 0;
}

/* First pass: every frame through the pose model into the series. */
static int pose_pass(fc_session *s, const fc_session_job *job, fc_keypoints_writer *kw, fc_capture_info *info,
                     double *wall_s, char *err, size_t errsz)
{
    fc_capture_opts co = fc_capture_default_opts();
    fc_capture *cap = NULL;
    fc_grabber *g = NULL;
    fc_frame f;
    fc_pose_result r;
    progress_state ps;
    int rc;
    co.max_side = s->o.max_side;
    co.threads = s->o.decode_threads;
    co.log = s->o.log;
    co.log_user = s->o.log_user;
    if (s->o.pipeline)
        rc = fc_grabber_open(&g, job->input, &co, FC_GRABBER_ALL, err, errsz);
    else
        rc = fc_capture_open(&cap, job->input, &co, err, errsz);
    if (rc < 0)
        return rc;
    *info = g ? *fc_grabber_info(g) : *fc_capture_get_info(cap);
    progress_start(&ps, "pose", job->input, info->frames_estimate);
    for (;;) {
        if (stopped(s))
            break;
        if (g) {
            while ((rc = fc_grabber_next(&f, NULL, g, 200)) == FC_EAGAIN && !stopped(s))
                ;
        } else {
            rc = fc_capture_read(&f, cap);
        }
        if (rc < 0)
            break;
        if ((rc = fc_pose_process(s->pose, &f, f.t_s, &r)) < 0) {
            fc_set_error(err, errsz, rc, "%s: frame %lld: %s", job->input, (long long)f.index, fc_pose_error(s->pose));
            goto end;
        }
        r.frame = f.index;
        if ((rc = push(s, &r)) < 0) {
            fc_set_error(err, errsz, rc, "%s: out of memory at frame %lld", job->input, (long long)f.index);
            goto end;
        }
        if (kw && (rc = fc_keypoints_writer_write(kw, &r)) < 0) {
            fc_set_error(err, errsz, rc, "%s: writing keypoints: %s", job->keypoints_path, fc_strerror(rc));
            goto end;
        }
        progress_tick(s, &ps, (int64_t)s->n, 0);
    }
    if (stopped(s))
        rc = FC_EINTR;
    if (rc == FC_EEOF) {
        rc = 0;
        progress_tick(s, &ps, (int64_t)s->n, 1);
    } else if (rc == FC_EINTR) {
        fc_set_error(err, errsz, rc, "%s: stopped", job->input);
    } else if (rc < 0) {
        fc_set_error(err, errsz, rc, "%s", g ? fc_grabber_error(g) : fc_capture_error(cap));
    }
end:
    *wall_s = now_s() - ps.t0;
    fc_grabber_close(g, NULL, 0);
    fc_capture_free(cap);
    return rc;
}

/* The overlay state for source frame `index`: reps ended by then and the last one's verdict. */
static void overlay_at(fc_overlay *ov, const fc_analysis_result *res, int64_t index)
{
    ov->reps = 0;
    ov->verdict[0] = 0;
    for (size_t i = 0; i < res->n_reps; i++) {
        const fc_rep_result *rep = &res->reps[i];
        if (rep->end_frame > index)
            break;
        ov->reps = rep->index;
        fc_overlay_rep_verdict(ov->verdict, sizeof ov->verdict, rep);
        ov->verdict_good = rep->good;
        ov->verdict_score = rep->score;
    }
}

/* Second pass: decode again at the source size and draw the results. */
static int annotate_pass(fc_session *s, const fc_session_job *job, double *wall_s, char *err, size_t errsz)
{
    fc_capture_opts co = fc_capture_default_opts();
    fc_capture *cap = NULL;
    fc_encoder *enc = NULL;
    fc_frame f;
    fc_pose_result r;
    progress_state ps;
    size_t j = 0;
    int rc;
    co.threads = s->o.decode_threads;
    co.log = s->o.log;
    co.log_user = s->o.log_user;
    progress_start(&ps, "annotate", job->input, (int64_t)s->n);
    if ((rc = fc_capture_open(&cap, job->input, &co, err, errsz)) < 0)
        return rc;
    const fc_capture_info *info = fc_capture_get_info(cap);
    fc_encoder_opts eo = fc_encoder_default_opts();
    double fps = info->fps_avg > 0 ? info->fps_avg : info->fps_real > 0 ? info->fps_real : 30;
    eo.width = info->width;
    eo.height = info->height;
    eo.fps_num = (int)lround(fps * 1000);
    eo.fps_den = 1000;
    eo.threads = 0;
    eo.force = job->force;
    eo.log = s->o.log;
    eo.log_user = s->o.log_user;
    if ((rc = fc_encoder_open(&enc, job->annotate_path, &eo, err, errsz)) < 0)
        goto end;
    fc_overlay ov = fc_overlay_default();
    int64_t done = 0;
    while (!stopped(s) && (rc = fc_capture_read(&f, cap)) == 0) {
        while (j + 1 < s->n && s->series[j].frame < f.index)
            j++;
        ov.pose = NULL;
        if (j < s->n && s->series[j].frame == f.index && s->series[j].found) {
            r = s->series[j];
            float sx = (float)f.width / (float)r.width, sy = (float)f.height / (float)r.height;
            for (int k = 0; k < FC_NUM_LANDMARKS; k++)
                r.lm[k].x *= sx, r.lm[k].y *= sy;
            r.width = f.width;
            r.height = f.height;
            ov.pose = &r;
        }
        overlay_at(&ov, s->res, f.index);
        if ((rc = fc_overlay_draw(&f, &ov)) < 0) {
            fc_set_error(err, errsz, rc, "%s: drawing frame %lld failed", job->annotate_path, (long long)f.index);
            goto end;
        }
        if ((rc = fc_encoder_write(enc, &f)) < 0) {
            fc_set_error(err, errsz, rc, "%s: %s", job->annotate_path, fc_strerror(rc));
            goto end;
        }
        progress_tick(s, &ps, ++done, 0);
    }
    if (stopped(s))
        rc = FC_EINTR;
    if (rc == FC_EEOF) {
        progress_tick(s, &ps, done, 1);
        rc = fc_encoder_close(enc, err, errsz);
        enc = NULL;
    } else if (rc == FC_EINTR) {
        fc_set_error(err, errsz, rc, "%s: stopped", job->input);
    } else {
        fc_set_error(err, errsz, rc, "%s", fc_capture_error(cap));
    }
end:
    *wall_s = now_s() - ps.t0;
    fc_encoder_free(enc); /* removes the temporary file */
    fc_capture_free(cap);
    return rc;
}

static void summarise(fc_session_summary *out, const fc_session *s, const fc_capture_info *info, double pose_s,
                      double ann_s)
{
    const fc_analysis_result *res = s->res;
    memset(out, 0, sizeof *out);
    out->frames = (int64_t)s->n;
    for (size_t i = 0; i < s->n; i++)
        out->frames_with_person += s->series[i].found != 0;
    out->width = info->width;
    out->height = info->height;
    out->fps_in = info->fps_avg;
    out->duration_s = res->duration_s;
    out->pose_wall_s = pose_s;
    out->annotate_wall_s = ann_s;
    out->pose_fps = pose_s > 0 ? s->n / pose_s : 0;
    out->exercise = res->exercise;
    out->view = res->view;
    out->reps = res->summary.reps;
    out->good_reps = res->summary.good_reps;
    out->mean_score = res->summary.mean_score;
    out->n_warnings = res->n_warnings;
}

int fc_session_run(fc_session_summary *out, fc_session *s, const fc_session_job *job, char *err, size_t errsz)
{
    fc_keypoints_writer *kw = NULL;
    fc_capture_info info;
    double pose_s = 0, ann_s = 0, t0;
    int rc;
    if (!s || !job || !job->input)
        return fc_set_error(err, errsz, FC_EINVAL, "session: no input");
    /* Refuse early rather than after minutes of pose. */
    const char *outs[3] = {job->report_path, job->annotate_path, job->keypoints_path};
    for (int i = 0; i < 3 && !job->force; i++)
        if (exists(outs[i]))
            return fc_set_error(err, errsz, FC_EEXIST, "%s: exists (use --force to replace it)", outs[i]);
    if (job->annotate_path && (rc = fc_encoder_check_target(job->annotate_path, 1, err, errsz)) < 0)
        return rc; /* a device or FIFO: the encoder would refuse it only after the pose pass */
    fc_analysis_free(s->res);
    s->res = NULL;
    s->n = 0;
    fc_pose_reset(s->pose);
    if (job->keypoints_path && (rc = fc_keypoints_writer_open(&kw, job->keypoints_path, err, errsz)) < 0)
        return rc;
    if ((rc = pose_pass(s, job, kw, &info, &pose_s, err, errsz)) < 0)
        goto end;
    t0 = now_s();
    if ((rc = fc_analysis_run(&s->res, s->series, s->n, &s->o.analysis, s->o.squat, s->o.lunge, err, errsz)) < 0)
        goto end;
    double analysis_ms = (now_s() - t0) * 1e3;
    if (job->annotate_path && (rc = annotate_pass(s, job, &ann_s, err, errsz)) < 0)
        goto end;
    if (kw) {
        rc = fc_keypoints_writer_close(kw, err, errsz);
        kw = NULL;
        if (rc < 0)
            goto end;
    }
    if (job->report_path) {
        fc_report_info ri = fc_report_default_info();
        double pose_ms = 0;
        for (size_t i = 0; i < s->n; i++)
            pose_ms += s->series[i].ms;
        ri.input_path = job->input;
        ri.input_kind = "video";
        ri.fps = info.fps_avg;
        ri.width = info.width;
        ri.height = info.height;
        ri.rotation_deg = info.rotation_deg;
        ri.model = "blazepose";
        ri.variant = s->o.pose.model == FC_POSE_LITE ? "lite" : s->o.pose.model == FC_POSE_HEAVY ? "heavy" : "full";
        ri.analysis_ms = getenv("FC_DETERMINISTIC") ? 0 : analysis_ms;
        ri.pose_ms_mean = s->n ? pose_ms / s->n : 0;
        ri.stop_reason = job->stop_reason;
        ri.recorded_s = job->recorded_s;
        if ((rc = fc_report_write(job->report_path, s->res, s->series, s->n, &ri, job->force ? FC_ATOMIC_FORCE : 0,
                                  err, errsz)) < 0)
            goto end;
    }
    if (out)
        summarise(out, s, &info, pose_s, ann_s);
end:
    fc_keypoints_writer_free(kw);
    return rc;
}
