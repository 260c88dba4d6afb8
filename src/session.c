/* session.c - one video through capture, pose, analysis, report and annotation. */
#define _POSIX_C_SOURCE 200809L
#include "formcheck/session.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "formcheck/atomicfile.h"
#include "formcheck/capture.h"
#include "formcheck/encode.h"
#include "formcheck/grabber.h"
#include "formcheck/keypoints.h"
#include "formcheck/overlay.h"
#include "formcheck/report.h"
#include "formcheck/segpass.h"
#include "formcheck/series.h"

#define MAX_WORKERS 8

struct fc_session {
    fc_session_opts o;
    fc_pose *pose;
    fc_pose *extra[MAX_WORKERS - 1]; /* the segmented pass's other workers, opened on first use */
    fc_series *series; /* compact: the bodies (+ image landmarks when annotating) */
    size_t n;
    fc_analysis_result *res;
    fc_session_timing tm;
};

fc_session_opts fc_session_default_opts(void)
{
    fc_session_opts o;
    memset(&o, 0, sizeof o);
    o.pose = fc_pose_default_opts();
    o.max_side = 640;
    o.analysis_fps = 30;
    o.pipeline = 1;
    o.segments = 1;
    o.planar = 1;
    o.segment_s = 60;
    o.segment_min_s = 10;
    o.segment_warmup_s = 1;
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

static double cpu_now_s(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) < 0)
        return 0;
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
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
    if (!(s->o.analysis_fps >= 0)) {
        free(s);
        return fc_set_error(err, errsz, FC_EINVAL, "session: bad analysis rate");
    }
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

const fc_session_timing *fc_session_last_timing(const fc_session *s)
{
    return &s->tm;
}

void fc_session_free(fc_session *s)
{
    if (!s)
        return;
    for (int i = 0; i < MAX_WORKERS - 1; i++) /* before s->pose: they share its detector */
        fc_pose_free(s->extra[i]);
    fc_pose_free(s->pose);
    fc_analysis_free(s->res);
    fc_series_free(s->series);
    free(s);
}

/* Amortised growth (formcheck/series.h), so no allocation on most frames. */
static int push(fc_session *s, const fc_pose_result *r)
{
    int rc = fc_series_push(s->series, r);
    if (rc == 0)
        s->n++;
    return rc;
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

/* An existing regular file, which only --force may replace. Devices and FIFOs are
 * written in place (formcheck/atomicfile.h), directories refused when opened. */
static int exists(const char *path)
{
    struct stat st;
    return path && strcmp(path, "-") && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Can `path` be written at all? Create its temporary file now and drop it: a
 * missing, read-only or full directory fails here, not after the pose pass. */
static int check_writable(const char *path, int force, char *err, size_t errsz)
{
    fc_atomic_file *probe = NULL;
    int rc;

    if (!path)
        return 0;
    if ((rc = fc_atomic_open(&probe, path, force ? FC_ATOMIC_FORCE : 0, err, errsz)) < 0)
        return rc;
    fc_atomic_abort(probe);
    return 0;
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
    co.max_fps = s->o.analysis_fps;
    co.threads = s->o.decode_threads > 0 ? s->o.decode_threads : 0;
    /* Pipelined, the decoding thread decodes alone by default: one thread keeps
     * ahead of pose (720p: 1.8 ms a frame, 1080p: under 6), and FFmpeg's auto
     * frame threading would add three threads fighting the inference threads
     * for two cores: -13% CPU per frame and -10..14 MB RSS measured (docs/performance.md). */
    if (s->o.pipeline && s->o.decode_threads == 0)
        co.threads = 1;
    co.planar = s->o.planar;
    co.log = s->o.log;
    co.log_user = s->o.log_user;
    if (s->o.pipeline)
        rc = fc_grabber_open(&g, job->input, &co, FC_GRABBER_ALL, err, errsz);
    else
        rc = fc_capture_open(&cap, job->input, &co, err, errsz);
    if (rc < 0)
        return rc;
    *info = g ? *fc_grabber_info(g) : *fc_capture_get_info(cap);
    int64_t total = info->frames_estimate;
    double fps_src = info->fps_avg > 0 ? info->fps_avg : info->fps_real;
    if (s->o.analysis_fps > 0 && fps_src > s->o.analysis_fps)
        total = (int64_t)((double)total * s->o.analysis_fps / fps_src + 0.5);
    progress_start(&ps, "pose", job->input, total);
    fc_session_timing *tm = &s->tm;
    for (;;) {
        if (stopped(s))
            break;
        double t0 = now_s();
        if (g) {
            while ((rc = fc_grabber_next(&f, NULL, g, 200)) == FC_EAGAIN && !stopped(s))
                ;
            tm->wait_s += now_s() - t0;
        } else {
            rc = fc_capture_read(&f, cap);
            tm->decode_s += now_s() - t0;
        }
        if (rc < 0)
            break;
        if ((rc = fc_pose_process(s->pose, &f, f.t_s, &r)) < 0) {
            fc_set_error(err, errsz, rc, "%s: frame %lld: %s", job->input, (long long)f.index, fc_pose_error(s->pose));
            goto end;
        }
        const fc_pose_timing *pt = fc_pose_last_timing(s->pose);
        tm->detector_s += pt->detector_ms / 1e3;
        tm->warp_s += pt->warp_ms / 1e3;
        tm->landmark_s += pt->landmark_ms / 1e3;
        tm->post_s += pt->post_ms / 1e3;
        tm->detector_runs += pt->detector_runs;
        tm->frames++;
        tm->frames_source = f.index + 1;
        tm->video_s = f.t_s;
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
    if (g) {
        fc_grabber_stats gs;
        fc_grabber_get_stats(&gs, g);
        tm->decode_s += gs.read_s;
    }
    fc_grabber_close(g, NULL, 0);
    fc_capture_free(cap);
    return rc;
}

/* The segmented pass's sink: each frame, in order, as pose_pass() takes it. */
typedef struct seg_sink {
    fc_session *s;
    const fc_session_job *job;
    fc_keypoints_writer *kw;
    progress_state ps;
    char *err;
    size_t errsz;
} seg_sink;

static int seg_frame(void *user, const fc_pose_result *r)
{
    seg_sink *k = user;
    int rc;
    if ((rc = push(k->s, r)) < 0)
        return fc_set_error(k->err, k->errsz, rc, "%s: out of memory at frame %lld", k->job->input,
                            (long long)r->frame);
    if (k->kw && (rc = fc_keypoints_writer_write(k->kw, r)) < 0)
        return fc_set_error(k->err, k->errsz, rc, "%s: writing keypoints: %s", k->job->keypoints_path,
                            fc_strerror(rc));
    return 0;
}

static void seg_progress(void *user, int64_t done, int64_t total)
{
    seg_sink *k = user;
    k->ps.p.frames_total = total;
    progress_tick(k->s, &k->ps, done, 0);
}

static int n_workers(const fc_session *s)
{
    long n = s->o.pose.threads > 0 ? s->o.pose.threads : sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > MAX_WORKERS ? MAX_WORKERS : (int)n;
}

/* The pose pass cut into time segments posed at once (formcheck/segpass.h).
 * FC_ENOTIMPL: not cut, or the cuts did not line up (frames may have been
 * pushed): the caller starts over with pose_pass(). */
static int seg_pass(fc_session *s, const fc_session_job *job, fc_keypoints_writer *kw, fc_capture_info *info,
                    double *wall_s, char *err, size_t errsz)
{
    fc_pose *poses[MAX_WORKERS];
    fc_segpass_stats st;
    seg_sink k = {.s = s, .job = job, .kw = kw, .err = err, .errsz = errsz};
    int n = n_workers(s), rc;

    if (err && errsz)
        err[0] = 0;
    /* Only a regular file can be opened twice: probing a pipe (pipe:0, a FIFO)
     * or a device to plan the cuts would eat what the single pass needs. */
    const char *path = !strncmp(job->input, "file:", 5) ? job->input + 5 : job->input;
    struct stat sb;
    if (!s->o.segments || !s->o.pipeline || n < 2 || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return FC_ENOTIMPL;
    poses[0] = s->pose;
    for (int i = 1; i < n; i++)
        poses[i] = s->extra[i - 1]; /* NULL until a video is cut: then opened by fc_segpass_run() */
    fc_segpass_opts o = fc_segpass_default_opts();
    o.capture.max_side = s->o.max_side;
    o.capture.max_fps = s->o.analysis_fps;
    o.capture.planar = s->o.planar;
    o.capture.log = s->o.log;
    o.capture.log_user = s->o.log_user;
    o.segment_s = s->o.segment_s;
    o.min_segment_s = s->o.segment_min_s;
    o.warmup_s = s->o.segment_warmup_s;
    o.stop = s->o.stop;
    o.progress = seg_progress;
    o.progress_user = &k;
    progress_start(&k.ps, "pose", job->input, 0);
    fc_pose_set_threads(1); /* one inference thread per worker */
    o.pose = &s->o.pose;
    rc = fc_segpass_run(&st, poses, n, job->input, &o, seg_frame, &k, err, errsz);
    for (int i = 1; i < n; i++)
        s->extra[i - 1] = poses[i];
    fc_pose_set_threads(s->o.pose.threads);
    *info = st.info;
    fc_session_timing *tm = &s->tm;
    tm->decode_s = st.read_s;
    tm->detector_s = st.detector_s;
    tm->warp_s = st.warp_s;
    tm->landmark_s = st.landmark_s;
    tm->post_s = st.post_s;
    tm->detector_runs = st.detector_runs;
    tm->frames = st.frames;
    tm->frames_source = st.frames_source;
    tm->video_s = st.video_s;
    tm->segments = st.segments;
    tm->frames_warmup = st.frames_warmup;
    if (rc == 0) {
        k.ps.p.frames_total = (int64_t)s->n; /* the estimate counted the warm-ups */
        progress_tick(s, &k.ps, (int64_t)s->n, 1);
    }
    *wall_s = now_s() - k.ps.t0;
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
    co.threads = s->o.decode_threads > 0 ? s->o.decode_threads : 0;
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
    fc_session_timing *tm = &s->tm;
    const fc_body *bodies = fc_series_bodies(s->series);
    int64_t done = 0;
    for (;;) {
        double t0 = now_s();
        if (stopped(s) || (rc = fc_capture_read(&f, cap)) != 0)
            break;
        double t1 = now_s();
        tm->ann_decode_s += t1 - t0;
        /* The newest analysed frame up to this one (analysis_fps skips some). */
        while (j + 1 < s->n && bodies[j + 1].frame <= f.index)
            j++;
        ov.pose = NULL;
        if (j < s->n && bodies[j].frame <= f.index && bodies[j].found) {
            fc_series_pose(&r, s->series, j);
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
        double t2 = now_s();
        tm->ann_draw_s += t2 - t1;
        if ((rc = fc_encoder_write(enc, &f)) < 0) {
            fc_set_error(err, errsz, rc, "%s: %s", job->annotate_path, fc_strerror(rc));
            goto end;
        }
        tm->ann_encode_s += now_s() - t2;
        tm->ann_frames++;
        progress_tick(s, &ps, ++done, 0);
    }
    if (stopped(s))
        rc = FC_EINTR;
    if (rc == FC_EEOF) {
        progress_tick(s, &ps, done, 1);
        double t0 = now_s();
        rc = fc_encoder_close(enc, err, errsz); /* flushes the encoder's delayed frames */
        tm->ann_encode_s += now_s() - t0;
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

/* The rate of the analysed frames: the source's, or the cap below it. */
static double analysed_fps(const fc_session *s, const fc_capture_info *info)
{
    double src = info->fps_avg > 0 ? info->fps_avg : info->fps_real;
    if (s->o.analysis_fps > 0 && (!(src > 0) || src > s->o.analysis_fps))
        return src > 0 ? s->o.analysis_fps : 0;
    return src;
}

static void summarise(fc_session_summary *out, const fc_session *s, const fc_capture_info *info, double pose_s,
                      double ann_s)
{
    const fc_analysis_result *res = s->res;
    memset(out, 0, sizeof *out);
    out->frames = (int64_t)s->n;
    out->frames_with_person = (int64_t)fc_series_frames_with_person(s->series);
    out->width = info->width;
    out->height = info->height;
    out->fps_in = info->fps_avg;
    out->analysis_fps = analysed_fps(s, info);
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

/* Forget what a pass that gave up pushed: series, keypoints file, timings. */
static int restart_pass(fc_session *s, const fc_session_job *job, fc_keypoints_writer **kw, char *err,
                        size_t errsz)
{
    int rc;
    if (err && errsz)
        err[0] = 0;
    memset(&s->tm, 0, sizeof s->tm);
    fc_pose_reset(s->pose);
    if (!s->n)
        return 0;
    fc_series_free(s->series);
    s->series = NULL;
    s->n = 0;
    if ((rc = fc_series_create(&s->series, &s->o.analysis.clean, job->annotate_path != NULL)) < 0)
        return fc_set_error(err, errsz, rc, "session: out of memory");
    if (*kw) {
        fc_keypoints_writer_free(*kw);
        *kw = NULL;
        return fc_keypoints_writer_open(kw, job->keypoints_path, err, errsz);
    }
    return 0;
}

int fc_session_run(fc_session_summary *out, fc_session *s, const fc_session_job *job, char *err, size_t errsz)
{
    fc_keypoints_writer *kw = NULL;
    fc_capture_info info = {0};
    double pose_s = 0, ann_s = 0, t0, run_t0 = now_s(), cpu0 = cpu_now_s();
    int rc;
    if (!s || !job || !job->input)
        return fc_set_error(err, errsz, FC_EINVAL, "session: no input");
    memset(&s->tm, 0, sizeof s->tm);
    /* Refuse early rather than after minutes of pose. */
    const char *outs[3] = {job->report_path, job->annotate_path, job->keypoints_path};
    for (int i = 0; i < 3 && !job->force; i++)
        if (exists(outs[i]))
            return fc_set_error(err, errsz, FC_EEXIST, "%s: exists (use --force to replace it)", outs[i]);
    if (job->annotate_path && (rc = fc_encoder_check_target(job->annotate_path, 1, err, errsz)) < 0)
        return rc; /* a device or FIFO: the encoder would refuse it only after the pose pass */
    if ((rc = check_writable(job->report_path, job->force, err, errsz)) < 0 ||
        (rc = check_writable(job->annotate_path, job->force, err, errsz)) < 0)
        return rc;
    fc_analysis_free(s->res);
    s->res = NULL;
    fc_series_free(s->series);
    s->series = NULL;
    s->n = 0;
    if ((rc = fc_series_create(&s->series, &s->o.analysis.clean, job->annotate_path != NULL)) < 0)
        return fc_set_error(err, errsz, rc, "session: %s", rc == FC_EINVAL ? "bad clean-up options" : "out of memory");
    fc_pose_reset(s->pose);
    if (job->keypoints_path && (rc = fc_keypoints_writer_open(&kw, job->keypoints_path, err, errsz)) < 0)
        return rc;
    rc = seg_pass(s, job, kw, &info, &pose_s, err, errsz);
    if (rc == FC_ENOTIMPL) { /* one pass instead, from a clean slate */
        if (err && *err)
            fc_log(s->o.log, s->o.log_user, FC_LOG_DEBUG, "%s", err);
        if ((rc = restart_pass(s, job, &kw, err, errsz)) == 0)
            rc = pose_pass(s, job, kw, &info, &pose_s, err, errsz);
    }
    if (rc < 0)
        goto end;
    s->tm.pose_pass_s = pose_s;
    if (s->tm.frames) {
        double src = info.fps_avg > 0 ? info.fps_avg : info.fps_real;
        s->tm.video_s += src > 0 ? 1.0 / src : 0;
    }
    t0 = now_s();
    /* Drawing needs the raw pose; without it the series is cleaned in place (no copy). */
    if ((rc = job->annotate_path
                  ? fc_analysis_run_series(&s->res, s->series, &s->o.analysis, s->o.squat, s->o.lunge, err, errsz)
                  : fc_analysis_run_series_inplace(&s->res, s->series, &s->o.analysis, s->o.squat, s->o.lunge, err,
                                                   errsz)) < 0)
        goto end;
    s->tm.analysis_s = now_s() - t0;
    double analysis_ms = s->tm.analysis_s * 1e3;
    if (job->annotate_path && (rc = annotate_pass(s, job, &ann_s, err, errsz)) < 0)
        goto end;
    s->tm.ann_pass_s = ann_s;
    t0 = now_s();
    if (kw) {
        rc = fc_keypoints_writer_close(kw, err, errsz);
        kw = NULL;
        if (rc < 0)
            goto end;
    }
    if (job->report_path) {
        fc_report_info ri = fc_report_default_info();
        double pose_ms = fc_series_pose_ms(s->series);
        ri.input_path = job->input;
        ri.input_kind = "video";
        ri.fps = info.fps_avg;
        ri.analysis_fps = analysed_fps(s, &info);
        ri.width = info.width;
        ri.height = info.height;
        ri.rotation_deg = info.rotation_deg;
        ri.model = "blazepose";
        ri.variant = s->o.pose.model == FC_POSE_LITE ? "lite" : s->o.pose.model == FC_POSE_HEAVY ? "heavy" : "full";
        ri.analysis_ms = getenv("FC_DETERMINISTIC") ? 0 : analysis_ms;
        ri.pose_ms_mean = s->n ? pose_ms / s->n : 0;
        ri.stop_reason = job->stop_reason;
        ri.recorded_s = job->recorded_s;
        ri.frames_with_person = (long long)fc_series_frames_with_person(s->series);
        if ((rc = fc_report_write(job->report_path, s->res, NULL, s->n, &ri, job->force ? FC_ATOMIC_FORCE : 0,
                                  err, errsz)) < 0)
            goto end;
    }
    s->tm.report_s = now_s() - t0;
    if (out)
        summarise(out, s, &info, pose_s, ann_s);
end:
    fc_keypoints_writer_free(kw);
    s->tm.wall_s = now_s() - run_t0;
    s->tm.cpu_s = cpu_now_s() - cpu0;
    return rc;
}
