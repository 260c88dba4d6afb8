/* segpass.c - the pose pass in time segments on several threads (see formcheck/segpass.h). */
#define _POSIX_C_SOURCE 200809L
#include "formcheck/segpass.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_WORKERS 64

typedef struct seg {
    double t_start, t_end;  /* frames kept: t_start <= t_s < t_end (INFINITY for the last) */
    int done;
    fc_pose_result *r;      /* kept results, r[i].frame the segment's own index (from its seek) */
    size_t n, cap;
    int64_t first_index;    /* own index and time of the first kept frame */
    double first_t;
    int stopped;            /* 1: stopped at the first frame at or after t_end; 0: end of file */
    int64_t stop_index;
    double stop_t;
} seg;

struct ctx;

typedef struct worker {
    pthread_t th;
    struct ctx *c;
    fc_pose *pose;          /* NULL until the worker opens it (sharing poses[0]'s detector) */
    fc_pose *owner;         /* poses[0] */
    fc_segpass_stats st;    /* this worker's sums */
    fc_capture *cap;        /* kept from one segment to its next: a seek, not a reopen */
} worker;

typedef struct ctx {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    const char *input;
    const fc_segpass_opts *o;
    fc_capture *first_cap;  /* opened to plan the cuts; segment 0 reads it */
    seg *segs;
    int n_segs, n_workers;
    int next;               /* next segment to start */
    int delivered;          /* segments handed to the caller */
    atomic_int fail;        /* stop every worker */
    int fail_rc;
    char fail_err[FC_ERRBUF_SIZE];
    atomic_llong posed;
    int64_t frames_total;   /* expected frames posed, warm-ups included (0 = unknown) */
    double fps, duration_s; /* the input's */
    struct buf {            /* result buffers, lent to segments from start to delivery */
        fc_pose_result *r;
        size_t cap;
    } pool[MAX_WORKERS + 1];
    int n_pool;
} ctx;

fc_segpass_opts fc_segpass_default_opts(void)
{
    fc_segpass_opts o;
    memset(&o, 0, sizeof o);
    o.capture = fc_capture_default_opts();
    o.segment_s = 60;
    o.min_segment_s = 10;
    o.warmup_s = 1;
    return o;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int halted(ctx *c)
{
    return atomic_load(&c->fail) || (c->o->stop && *c->o->stop);
}

/* Record the run's first failure (under c->mu) and stop the others. */
static void fail_locked(ctx *c, int rc, const char *msg)
{
    if (!atomic_load(&c->fail)) {
        c->fail_rc = rc;
        snprintf(c->fail_err, sizeof c->fail_err, "%s", msg);
        atomic_store(&c->fail, 1);
    }
    pthread_cond_broadcast(&c->cv);
}

static int keep(seg *g, const fc_pose_result *r)
{
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 512;
        fc_pose_result *p = realloc(g->r, cap * sizeof *p);
        if (!p)
            return FC_ENOMEM;
        g->r = p;
        g->cap = cap;
    }
    g->r[g->n++] = *r;
    return 0;
}

static void add_timing(fc_segpass_stats *st, const fc_pose_timing *pt)
{
    st->detector_s += pt->detector_ms / 1e3;
    st->warp_s += pt->warp_ms / 1e3;
    st->landmark_s += pt->landmark_ms / 1e3;
    st->post_s += pt->post_ms / 1e3;
    st->detector_runs += pt->detector_runs;
}

/* Read segment k from the key frame before its warm-up, pose from the warm-up
 * on, keep from its start, stop at the first frame of the next segment. */
static int run_segment(worker *w, int k, char *err, size_t errsz)
{
    ctx *c = w->c;
    seg *g = &c->segs[k];
    fc_capture_opts co = c->o->capture;
    fc_frame f;
    fc_pose_result r;
    double from = k ? fmax(0.0, g->t_start - c->o->warmup_s) : 0.0;
    int rc;

    co.threads = 1;
    if (k == 0 && c->first_cap) { /* segment 0 is the first taken: its worker has no capture yet */
        w->cap = c->first_cap;
        c->first_cap = NULL;
    } else if (!w->cap && (rc = fc_capture_open(&w->cap, c->input, &co, err, errsz)) < 0) {
        return rc;
    }
    fc_capture *cap = w->cap;
    if (k && ((rc = fc_capture_seek(cap, from)) < 0 || (rc = fc_capture_skip_before(cap, from)) < 0))
        return fc_set_error(err, errsz, rc, "%s", fc_capture_error(cap));
    if (!w->pose) { /* opened here, not before the threads start: worker 0 poses meanwhile */
        fc_pose_opts po = *c->o->pose;
        po.share_detector = w->owner;
        po.threads = 0; /* leave OpenCV's process-wide count alone (1: the caller set it); setting it
                           re-creates its thread arena, which worker 0 is using */
        if ((rc = fc_pose_open(&w->pose, &po, err, errsz)) < 0)
            return rc;
    }
    fc_pose_reset(w->pose);
    for (;;) {
        if (halted(c))
            return fc_set_error(err, errsz, FC_EINTR, "%s: stopped", c->input);
        double t0 = now_s();
        rc = fc_capture_read(&f, cap);
        w->st.read_s += now_s() - t0;
        if (rc == FC_EEOF)
            break;
        if (rc < 0)
            return fc_set_error(err, errsz, rc, "%s", fc_capture_error(cap));
        if (f.t_s >= g->t_end) {
            g->stopped = 1;
            g->stop_index = f.index;
            g->stop_t = f.t_s;
            break;
        }
        if (f.t_s < from) /* between the key frame and the warm-up: decoded only */
            continue;
        if ((rc = fc_pose_process(w->pose, &f, f.t_s, &r)) < 0)
            return fc_set_error(err, errsz, rc, "%s: at %.3f s: %s", c->input, f.t_s, fc_pose_error(w->pose));
        add_timing(&w->st, fc_pose_last_timing(w->pose));
        atomic_fetch_add(&c->posed, 1);
        if (f.t_s < g->t_start) {
            w->st.frames_warmup++;
            continue;
        }
        if (!g->n) {
            g->first_index = f.index;
            g->first_t = f.t_s;
        }
        r.frame = f.index;
        if ((rc = keep(g, &r)) < 0)
            return fc_set_error(err, errsz, rc, "%s: out of memory", c->input);
    }
    return 0;
}

/* Give segment g a free buffer of the pool (under c->mu). At most n_workers + 1
 * segments are taken and not yet delivered, and the pool has that many. */
static void lend(ctx *c, seg *g)
{
    for (int i = 0; i < c->n_pool; i++) {
        if (c->pool[i].r) {
            g->r = c->pool[i].r;
            g->cap = c->pool[i].cap;
            c->pool[i].r = NULL;
            return;
        }
    }
}

/* Segment g's buffer back to the pool (under c->mu), emptied. */
static void give_back(ctx *c, seg *g)
{
    for (int i = 0; g->r && i < c->n_pool; i++) {
        if (!c->pool[i].r) {
            c->pool[i].r = g->r;
            c->pool[i].cap = g->cap; /* keep() may have grown it */
            g->r = NULL;
        }
    }
    free(g->r); /* not reached: the pool has a slot for every buffer lent */
    g->r = NULL;
}

/* Take segments in order while at most n_workers + 1 wait undelivered. */
static void *worker_main(void *arg)
{
    worker *w = arg;
    ctx *c = w->c;
    char err[FC_ERRBUF_SIZE];

    for (;;) {
        pthread_mutex_lock(&c->mu);
        while (!atomic_load(&c->fail) && c->next < c->n_segs && c->next > c->delivered + c->n_workers)
            pthread_cond_wait(&c->cv, &c->mu);
        if (atomic_load(&c->fail) || c->next >= c->n_segs) {
            pthread_mutex_unlock(&c->mu);
            return NULL;
        }
        int k = c->next++;
        lend(c, &c->segs[k]);
        pthread_mutex_unlock(&c->mu);
        err[0] = 0;
        int rc = run_segment(w, k, err, sizeof err);
        pthread_mutex_lock(&c->mu);
        c->segs[k].done = 1;
        if (rc < 0)
            fail_locked(c, rc, err);
        pthread_cond_broadcast(&c->cv);
        pthread_mutex_unlock(&c->mu);
        if (rc < 0)
            return NULL;
    }
}

/* How many segments, or 0 when the video is not one to cut (reason in *why). */
static int plan(const fc_capture_info *in, const fc_segpass_opts *o, int n_poses, const char **why)
{
    double fps = in->fps_avg > 0 ? in->fps_avg : in->fps_real, d = in->duration_s;
    if (in->is_device || in->is_vfr || !(fps > 0)) {
        *why = in->is_device ? "a live device" : "no constant frame rate";
        return 0;
    }
    int k = d > 0 ? (int)ceil(d / o->segment_s) : 0;
    if (k < n_poses)
        k = n_poses;
    while (k > 1 && !(d / k >= o->min_segment_s))
        k--;
    if (k < 2)
        *why = "too short";
    return k < 2 ? 0 : k;
}

/* Hand segment j to the caller, once its first frame is where segment j-1 stopped. */
static int deliver(ctx *c, int j, int64_t *base, fc_segpass_stats *st, fc_segpass_frame_fn fn, void *user,
                   char *err, size_t errsz)
{
    seg *g = &c->segs[j], *p = j ? &c->segs[j - 1] : NULL;
    int lined_up = !p ? 1 : p->stopped ? g->n > 0 && g->first_t == p->stop_t : g->n == 0 && !g->stopped;
    if (!lined_up || (g->stopped && g->n == 0))
        return fc_set_error(err, errsz, FC_ENOTIMPL, "%s: segment %d does not start where segment %d stopped",
                            c->input, j + 1, j);
    for (size_t i = 0; i < g->n; i++) {
        fc_pose_result *r = &g->r[i];
        int rc;
        r->frame = *base + (r->frame - g->first_index);
        if ((rc = fn(user, r)) < 0)
            return rc;
        st->frames++;
        st->frames_source = r->frame + 1;
        st->video_s = r->t_s;
    }
    if (g->stopped)
        *base += g->stop_index - g->first_index;
    return 0;
}

/* Wait for segment j (reporting progress); 0 when it is done, < 0 after a failure. */
static int wait_for(ctx *c, int j)
{
    pthread_mutex_lock(&c->mu);
    while (!c->segs[j].done && !atomic_load(&c->fail)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 200000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&c->cv, &c->mu, &ts);
        if (c->o->progress) {
            pthread_mutex_unlock(&c->mu);
            c->o->progress(c->o->progress_user, (int64_t)atomic_load(&c->posed), c->frames_total);
            pthread_mutex_lock(&c->mu);
        }
    }
    int rc = atomic_load(&c->fail) ? -1 : 0;
    pthread_mutex_unlock(&c->mu);
    return rc;
}

static void sum_stats(fc_segpass_stats *st, const worker *w, int n)
{
    for (int i = 0; i < n; i++) {
        st->frames_warmup += w[i].st.frames_warmup;
        st->read_s += w[i].st.read_s;
        st->detector_s += w[i].st.detector_s;
        st->warp_s += w[i].st.warp_s;
        st->landmark_s += w[i].st.landmark_s;
        st->post_s += w[i].st.post_s;
        st->detector_runs += w[i].st.detector_runs;
    }
}

/* Where segment j starts and ends. Equal work, not equal lengths: every segment
 * but the first also poses its warm-up, decodes from a key frame and (the first
 * time) waits for its handle to load, so the first is longer by that, about
 * warmup_s + 1 s. Returns the longest segment's length. */
static double cut(ctx *c, double d)
{
    double extra = c->o->warmup_s + 1.0;
    double first = (d + (c->n_segs - 1) * extra) / c->n_segs, rest = (d - first) / (c->n_segs - 1);
    if (!(rest >= 0.5 * d / c->n_segs)) { /* short segments: do not starve them */
        first = d / c->n_segs;
        rest = first;
    }
    for (int j = 0; j < c->n_segs; j++) {
        c->segs[j].t_start = j ? first + (j - 1) * rest : 0.0;
        c->segs[j].t_end = j + 1 < c->n_segs ? first + j * rest : INFINITY;
    }
    return first > rest ? first : rest;
}

/* Everything but the threads and the other handles (each worker opens its
 * own): the first capture, the plan, the segments and the pool. FC_ENOTIMPL
 * when the video is not one to cut. ctx_free() undoes it, also half done. */
static int prepare(ctx *c, fc_segpass_stats *st, int n_poses, char *err, size_t errsz)
{
    fc_capture_opts co = c->o->capture;
    const char *why = NULL;
    int rc;

    co.threads = 1;
    if ((rc = fc_capture_open(&c->first_cap, c->input, &co, err, errsz)) < 0)
        return rc;
    const fc_capture_info *info = fc_capture_get_info(c->first_cap);
    st->info = *info;
    if (!(c->n_segs = plan(info, c->o, n_poses, &why)))
        return fc_set_error(err, errsz, FC_ENOTIMPL, "%s: not cut into segments: %s", c->input, why);
    c->fps = info->fps_avg > 0 ? info->fps_avg : info->fps_real;
    c->duration_s = info->duration_s;
    c->n_workers = n_poses < c->n_segs ? n_poses : c->n_segs;
    if (!(c->segs = calloc((size_t)c->n_segs, sizeof *c->segs)))
        return fc_set_error(err, errsz, FC_ENOMEM, "%s: out of memory", c->input);
    /* The pool: a segment's frames (the longest, and a little more) per buffer. */
    size_t per = (size_t)(cut(c, info->duration_s) * (c->fps > 0 ? c->fps : 30) * 1.02) + 16;
    c->n_pool = c->n_workers + 1;
    for (int i = 0; i < c->n_pool; i++) {
        c->pool[i].cap = per;
        if (!(c->pool[i].r = malloc(per * sizeof *c->pool[i].r)))
            return fc_set_error(err, errsz, FC_ENOMEM, "%s: out of memory", c->input);
    }
    st->segments = c->n_segs;
    double fps = c->fps > 0 ? c->fps : 30;
    if (info->frames_estimate > 0) /* the warm-ups are posed too */
        c->frames_total = info->frames_estimate + (int64_t)((c->n_segs - 1) * c->o->warmup_s * fps);
    return 0;
}

static void ctx_free(ctx *c)
{
    for (int j = 0; c->segs && j < c->n_segs; j++)
        free(c->segs[j].r);
    for (int i = 0; i < c->n_pool; i++)
        free(c->pool[i].r);
    free(c->segs);
    fc_capture_free(c->first_cap);
}

/* Hand the segments to the caller in order as the workers finish them. 0 when
 * all are delivered; < 0 with err set (a worker's failure is picked up by the caller). */
static int deliver_all(ctx *c, fc_segpass_stats *st, fc_segpass_frame_fn fn, void *user, char *err, size_t errsz)
{
    int64_t base = 0;
    for (int j = 0; j < c->n_segs; j++) {
        int rc;
        if (wait_for(c, j) < 0)
            return 1; /* a worker failed */
        if ((rc = deliver(c, j, &base, st, fn, user, err, errsz)) < 0)
            return rc;
        pthread_mutex_lock(&c->mu);
        give_back(c, &c->segs[j]);
        c->delivered = j + 1;
        pthread_cond_broadcast(&c->cv);
        pthread_mutex_unlock(&c->mu);
    }
    return 0;
}

int fc_segpass_run(fc_segpass_stats *stats, fc_pose **poses, int n_poses, const char *input,
                   const fc_segpass_opts *opts, fc_segpass_frame_fn fn, void *user, char *err, size_t errsz)
{
    ctx c;
    worker w[MAX_WORKERS];
    fc_segpass_stats st;
    int rc, started = 0;

    memset(&st, 0, sizeof st);
    memset(&c, 0, sizeof c);
    if (stats)
        *stats = st;
    if (!stats || !poses || !poses[0] || n_poses < 2 || n_poses > MAX_WORKERS || !input || !opts || !fn ||
        !opts->pose || !(opts->segment_s > 0) || !(opts->min_segment_s > 0) || !(opts->warmup_s >= 0))
        return fc_set_error(err, errsz, FC_EINVAL, "segpass: invalid arguments");
    c.input = input;
    c.o = opts;
    atomic_init(&c.fail, 0);
    atomic_init(&c.posed, 0);
    pthread_mutex_init(&c.mu, NULL);
    pthread_cond_init(&c.cv, NULL);
    if ((rc = prepare(&c, &st, n_poses, err, errsz)) < 0)
        goto end;
    for (; started < c.n_workers; started++) {
        memset(&w[started], 0, sizeof w[started]);
        w[started].c = &c;
        w[started].pose = poses[started];
        w[started].owner = poses[0];
        if (pthread_create(&w[started].th, NULL, worker_main, &w[started]) != 0)
            break;
    }
    if (!started) {
        rc = fc_set_error(err, errsz, FC_ENOMEM, "%s: cannot start a thread", input);
        goto end;
    }
    c.n_workers = started; /* fewer threads than asked: the same, slower */
    rc = deliver_all(&c, &st, fn, user, err, errsz);
    pthread_mutex_lock(&c.mu);
    if (rc < 0)
        fail_locked(&c, rc, err);
    else if (rc > 0) /* a worker failed: its error is the run's */
        rc = fc_set_error(err, errsz, c.fail_rc, "%s", c.fail_err);
    atomic_store(&c.fail, 1);
    pthread_cond_broadcast(&c.cv);
    pthread_mutex_unlock(&c.mu);
    for (int i = 0; i < started; i++) {
        pthread_join(w[i].th, NULL);
        fc_capture_free(w[i].cap);
        poses[i] = w[i].pose; /* the caller keeps the handles a worker opened */
    }
    sum_stats(&st, w, started);
    if (rc == 0 && opts->stop && *opts->stop)
        rc = fc_set_error(err, errsz, FC_EINTR, "%s: stopped", input);
end:
    ctx_free(&c);
    pthread_mutex_destroy(&c.mu);
    pthread_cond_destroy(&c.cv);
    *stats = st;
    return rc;
}
