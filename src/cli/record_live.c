/* record_live.c - the live loop of `formcheck record`.
 *
 * Three threads: the grabber's reader (camera -> newest frame), this one
 * (display: every frame the camera gives, with the latest pose drawn on it) and
 * a pose worker that always takes the newest frame the display handed over, so
 * the preview keeps the camera's rate and the skeleton is at most one model
 * step old; nothing queues up behind a slow model. */
#define _POSIX_C_SOURCE 200809L
#include "record_live.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_job.h"
#include "formcheck/analysis.h"
#include "formcheck/series.h"
#include "formcheck/grabber.h"
#include "formcheck/overlay.h"
#include "formcheck/window.h"

#define LATENCY_SAMPLES 8192

/* What the pose worker shares with the display (under mu). */
typedef struct shared {
    fc_frame job;            /* newest frame handed to the worker */
    double job_captured_s;
    int has_job, quit, failed;
    fc_pose_result latest;   /* the worker's latest result, in job-frame pixels */
    double latest_captured_s;
    int have_latest;
    int reps, verdict_good;
    double verdict_score;
    char verdict[200];
} shared;

typedef struct live {
    const record_args *a;
    const fc_session_opts *so;
    fc_grabber *g;
    fc_pose *pose;
    fc_window *win;
    pthread_t worker;
    int worker_started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    shared sh;
    fc_frame work;          /* the worker's own frame */
    /* Worker-only state. */
    fc_series *series;      /* compact (formcheck/series.h), tallied with the analysis's clean-up options */
    size_t n;
    fc_analysis_result *res;
    double next_analysis;
    int reps_printed;
    /* Display-only state. */
    fc_overlay ov;
    int hint_shown;
    double lat[LATENCY_SAMPLES], age[LATENCY_SAMPLES];
    size_t n_lat;
    double t_count;
} live;

static int push(live *L, const fc_pose_result *r)
{
    int rc;
    if (!L->series && (rc = fc_series_create(&L->series, &L->so->analysis.clean, 0)) < 0)
        return rc;
    if ((rc = fc_series_push(L->series, r)) < 0)
        return rc;
    L->n++;
    return 0;
}

/* Worker: re-run the (pure C, fast) analysis on the series so far every 0.5 s. */
static void live_analysis(live *L)
{
    char err[FC_ERRBUF_SIZE], verdict[200] = "";
    double now = fc_grabber_now_s(), score = NAN;
    int good = 0;
    if (now < L->next_analysis || L->n < 10)
        return;
    L->next_analysis = now + 0.5;
    fc_analysis_result *res = NULL;
    /* On a copy: the series keeps growing and is analysed again in 0.5 s. */
    if (fc_analysis_run_series(&res, L->series, &L->so->analysis, L->so->squat, L->so->lunge, err, sizeof err) < 0)
        return;
    fc_analysis_free(L->res);
    L->res = res;
    for (size_t i = 0; i < res->n_reps; i++) {
        const fc_rep_result *r = &res->reps[i];
        fc_overlay_rep_verdict(verdict, sizeof verdict, r);
        good = r->good, score = r->score;
        if ((int)i + 1 > L->reps_printed && !L->win && !L->a->quiet) {
            printf("%s\n", verdict);
            fflush(stdout);
        }
    }
    if ((int)res->n_reps > L->reps_printed)
        L->reps_printed = (int)res->n_reps;
    pthread_mutex_lock(&L->mu);
    L->sh.reps = (int)res->n_reps;
    snprintf(L->sh.verdict, sizeof L->sh.verdict, "%s", verdict);
    L->sh.verdict_good = good;
    L->sh.verdict_score = score;
    pthread_mutex_unlock(&L->mu);
}

static void *worker_main(void *arg)
{
    live *L = arg;
    fc_pose_result r;
    for (;;) {
        pthread_mutex_lock(&L->mu);
        while (!L->sh.has_job && !L->sh.quit)
            pthread_cond_wait(&L->cv, &L->mu);
        if (L->sh.quit) {
            pthread_mutex_unlock(&L->mu);
            break;
        }
        fc_frame t = L->work; /* swap buffers: the display fills the other one */
        L->work = L->sh.job;
        L->sh.job = t;
        L->sh.has_job = 0;
        double captured_s = L->sh.job_captured_s;
        pthread_mutex_unlock(&L->mu);
        int rc = fc_pose_process(L->pose, &L->work, L->work.t_s, &r);
        if (rc == 0) {
            r.frame = L->work.index;
            rc = push(L, &r);
        }
        pthread_mutex_lock(&L->mu);
        if (rc < 0) {
            L->sh.failed = 1;
            pthread_mutex_unlock(&L->mu);
            fc_cli_error("pose: %s", rc == FC_ENOMEM ? "out of memory" : fc_pose_error(L->pose));
            break;
        }
        L->sh.latest = r;
        L->sh.latest_captured_s = captured_s;
        L->sh.have_latest = 1;
        pthread_mutex_unlock(&L->mu);
        live_analysis(L);
    }
    return NULL;
}

static double quantile(double *v, size_t n, double q)
{
    if (!n)
        return NAN;
    for (size_t i = 1; i < n; i++) /* insertion sort: a few thousand values, once */
        for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
            double t = v[j];
            v[j] = v[j - 1], v[j - 1] = t;
        }
    return v[(size_t)(q * (double)(n - 1))];
}

static const char *reason_of(int rc)
{
    return rc == FC_EEOF ? "source_ended" : rc == FC_ENOSPC ? "disk_full" : rc == FC_EINTR ? "interrupted"
                                                                                           : "device_error";
}

/* Display one camera frame: hand it to the pose worker (replacing any frame it
 * has not started), draw the latest pose and live verdict on it, show it. */
static int step(live *L, fc_frame *f, double captured_s, const char **reason)
{
    fc_pose_result r;
    char status[64], big[8];
    double now = fc_grabber_now_s(), pose_captured_s = 0;
    int have, reps;
    pthread_mutex_lock(&L->mu);
    if (L->sh.failed) {
        pthread_mutex_unlock(&L->mu);
        *reason = "device_error";
        return -1;
    }
    for (int y = 0; y < f->height; y++)
        memcpy(L->sh.job.data + (size_t)y * (size_t)L->sh.job.stride, f->data + (size_t)y * (size_t)f->stride,
               (size_t)f->width * 3);
    L->sh.job.index = f->index;
    L->sh.job.t_s = f->t_s;
    L->sh.job_captured_s = captured_s;
    L->sh.has_job = 1;
    pthread_cond_signal(&L->cv);
    have = L->sh.have_latest;
    r = L->sh.latest;
    pose_captured_s = L->sh.latest_captured_s;
    reps = L->ov.reps = L->sh.reps;
    memcpy(L->ov.verdict, L->sh.verdict, sizeof L->ov.verdict);
    L->ov.verdict_good = L->sh.verdict_good;
    L->ov.verdict_score = L->sh.verdict_score;
    pthread_mutex_unlock(&L->mu);
    if (have) {
        int hidden = fc_overlay_legs_hidden(&r, 0.5f);
        if (!L->win && !L->a->quiet && hidden != L->hint_shown)
            fprintf(stderr, "formcheck: %s\n", hidden ? "can't see your knees/feet: step back so your whole body is in view"
                                                      : "whole body in view");
        L->hint_shown = hidden;
    }
    if (L->win) {
        double left = L->t_count - now, el = now > L->t_count ? now - L->t_count : 0;
        fc_overlay_mirror_frame(f); /* a mirror is what people expect to see of themselves */
        fc_overlay_mirror_pose(&r, f->width);
        L->ov.pose = have ? &r : NULL;
        L->ov.rep_target = L->a->reps;
        snprintf(big, sizeof big, "%d", (int)ceil(left));
        L->ov.big_text = left > 0 ? big : NULL;
        snprintf(status, sizeof status, "REC %d:%02d", (int)(el / 60), (int)fmod(el, 60));
        L->ov.status = status;
        fc_overlay_draw(f, &L->ov);
        fc_window_show(L->win, f);
        int key = fc_window_poll_key(L->win, 1);
        if (key == 'q' || key == 'Q' || key == 27 || !fc_window_is_open(L->win)) {
            *reason = "user";
            return 1;
        }
    }
    if (L->n_lat < LATENCY_SAMPLES) {
        L->lat[L->n_lat] = (fc_grabber_now_s() - captured_s) * 1e3;
        L->age[L->n_lat] = have ? (captured_s - pose_captured_s) * 1e3 : NAN;
        L->n_lat++;
    }
    if (now >= L->t_count && L->a->duration_s > 0 && now - L->t_count >= L->a->duration_s) {
        *reason = "duration";
        return 1;
    }
    if (L->a->reps > 0 && reps >= L->a->reps) {
        *reason = "reps";
        return 1;
    }
    return 0;
}

static int open_all(live *L, const char *video)
{
    char err[FC_ERRBUF_SIZE];
    const record_args *a = L->a;
    fc_capture_opts co = fc_capture_default_opts();
    co.format = a->format;
    co.video_size = a->video_size;
    co.framerate = a->fps;
    co.input_format = a->input_format;
    co.record_path = video;
    /* The live frames (window, live pose) need no more than 1080p: an 8K source
     * would otherwise cost 100 MB per buffered frame. The recording keeps the
     * source's own size (it is written from the decoded or compressed frames). */
    co.max_side = 1920;
    fc_pose_opts po = L->so->pose;
    po.mode = FC_POSE_VIDEO;
    if (fc_pose_open(&L->pose, &po, err, sizeof err) < 0) {
        fc_cli_error("%s", err);
        return -1;
    }
    if (!a->no_window && fc_window_open(&L->win, "formcheck record", err, sizeof err) < 0) {
        fc_cli_error("%s; going on without it (live cues in the terminal)", err);
        L->win = NULL;
    }
    /* Real cameras deliver in real time by themselves; pacing the rest (files, lavfi) makes them act alike. */
    int live_dev = a->format ? strcmp(a->format, "lavfi") != 0 : !strncmp(a->device, "/dev/", 5);
    if (fc_grabber_open(&L->g, a->device, &co, live_dev ? 0 : FC_GRABBER_REALTIME, err, sizeof err) < 0) {
        fc_cli_error("%s", err);
        return -1;
    }
    const fc_capture_info *info = fc_grabber_info(L->g);
    size_t bytes = (size_t)info->width * 3 * (size_t)info->height;
    L->sh.job = L->work = (fc_frame){NULL, info->width, info->height, info->width * 3, 0, 0.0, NULL};
    if (!(L->sh.job.data = malloc(bytes)) || !(L->work.data = malloc(bytes))) {
        fc_cli_error("out of memory");
        return -1;
    }
    if (pthread_create(&L->worker, NULL, worker_main, L) != 0) {
        fc_cli_error("cannot start the pose thread");
        return -1;
    }
    L->worker_started = 1;
    return 0;
}

static void stop_worker(live *L)
{
    if (!L->worker_started)
        return;
    pthread_mutex_lock(&L->mu);
    L->sh.quit = 1;
    pthread_cond_signal(&L->cv);
    pthread_mutex_unlock(&L->mu);
    pthread_join(L->worker, NULL);
    L->worker_started = 0;
}

/* Stop the reader and let it finish its last read (at most ~2 s: a device
 * stuck in a read is left to fc_grabber_close), so that the statistics count
 * every frame that went into the recording. */
static void drain(fc_grabber *g)
{
    fc_frame f;
    double cs, until = fc_grabber_now_s() + 2.0;
    int rc;
    fc_grabber_interrupt(g);
    while (((rc = fc_grabber_next(&f, &cs, g, 50)) == 0 || rc == FC_EAGAIN) && fc_grabber_now_s() < until)
        ;
}

/* The loop: frames until a stop; returns the stop reason. */
static const char *run(live *L, record_outcome *oc)
{
    fc_frame f;
    double captured_s;
    const char *reason = NULL;
    while (!reason) {
        if (fc_job_stop)
            return "interrupted";
        int g = fc_grabber_next(&f, &captured_s, L->g, 100);
        if (g == FC_EAGAIN) {
            if (L->win && fc_window_poll_key(L->win, 1) >= 0 && !fc_window_is_open(L->win))
                reason = "user";
            /* --duration holds even while no frame comes (a source that stalls). */
            double now = fc_grabber_now_s();
            if (L->a->duration_s > 0 && now >= L->t_count && now - L->t_count >= L->a->duration_s)
                reason = "duration";
            continue;
        }
        if (g < 0) {
            const char *ge = fc_grabber_error(L->g);
            if (g != FC_EEOF && g != FC_EINTR) /* capture errors name their file (the device or the recording) */
                fc_cli_error(strstr(ge, ": ") ? "%.0s%s" : "%s: %s", L->a->device, ge);
            oc->failed = g != FC_EEOF && g != FC_EINTR;
            return fc_job_stop ? "interrupted" : reason_of(g);
        }
        oc->shown++;
        if (step(L, &f, captured_s, &reason) < 0)
            oc->failed = 1;
    }
    return reason;
}

int fc_record_live(record_outcome *oc, const record_args *a, const fc_session_opts *so, const char *video)
{
    live *L = calloc(1, sizeof *L);
    int rc = -1;
    memset(oc, 0, sizeof *oc);
    oc->stop_reason = "interrupted";
    if (!L) {
        fc_cli_error("out of memory");
        return -1;
    }
    L->a = a, L->so = so;
    L->ov = fc_overlay_default();
    pthread_mutex_init(&L->mu, NULL);
    pthread_cond_init(&L->cv, NULL);
    if (open_all(L, video) < 0)
        goto end;
    const fc_capture_info *info = fc_grabber_info(L->g);
    double t0 = fc_grabber_now_s();
    L->t_count = t0 + a->countdown_s;
    if (!a->quiet)
        fprintf(stderr, "formcheck: recording %s (%dx%d, %.1f fps) to %s; %s\n", a->device, info->width,
                info->height, info->fps_avg, video, L->win ? "q or Esc in the window stops" : "Ctrl-C stops");
    if (!L->win && !a->quiet && a->countdown_s > 0)
        fprintf(stderr, "formcheck: get in place: counting starts in %.0f s\n", a->countdown_s);
    oc->stop_reason = run(L, oc);
    oc->wall_s = fc_grabber_now_s() - t0;
    stop_worker(L);
    drain(L->g);
    fc_grabber_stats st;
    fc_grabber_get_stats(&st, L->g);
    oc->captured = st.captured;
    oc->dropped = st.dropped;
    oc->posed = (int64_t)L->n;
    oc->recorded_frames = st.recorded;
    /* What the file holds: its frames (a file source's packets are copied as
     * they are read, a few ahead of the decoded frames), each lasting the mean
     * frame interval, the last one too; not just up to the last posed frame. */
    double interval = st.captured > 1 ? (st.last_t_s - st.first_t_s) / (double)(st.captured - 1)
                      : info->fps_avg > 0 ? 1.0 / info->fps_avg
                                          : 0.0;
    oc->recorded_s = (double)st.recorded * interval;
    oc->latency_ms_median = quantile(L->lat, L->n_lat, 0.5);
    oc->latency_ms_p95 = quantile(L->lat, L->n_lat, 0.95);
    size_t n_age = 0;
    for (size_t i = 0; i < L->n_lat; i++)
        if (!isnan(L->age[i]))
            L->age[n_age++] = L->age[i];
    double age_med = quantile(L->age, n_age, 0.5);
    char err[FC_ERRBUF_SIZE];
    if (fc_grabber_close(L->g, err, sizeof err) < 0) { /* the recording's error */
        if (!oc->failed) /* else run() printed it already */
            fc_cli_error("%s", err);
        oc->failed = oc->rec_failed = 1;
    }
    L->g = NULL;
    if (!a->quiet)
        fprintf(stderr,
                "formcheck: live: %lld frames captured, %lld shown (%.1f fps), %lld posed (%.1f fps), %lld dropped; "
                "capture-to-screen latency median %.0f ms, p95 %.0f ms; skeleton age median %.0f ms\n",
                (long long)oc->captured, (long long)oc->shown, oc->wall_s > 0 ? oc->shown / oc->wall_s : 0,
                (long long)oc->posed, oc->wall_s > 0 ? oc->posed / oc->wall_s : 0, (long long)oc->dropped,
                oc->latency_ms_median, oc->latency_ms_p95, age_med);
    rc = oc->captured > 0 ? 0 : -1;
    if (rc < 0 && !oc->failed) /* else the capture error said why */
        fc_cli_error("%s: nothing was captured", a->device);
end:
    stop_worker(L);
    fc_grabber_close(L->g, NULL, 0);
    fc_window_free(L->win);
    fc_pose_free(L->pose);
    fc_analysis_free(L->res);
    fc_series_free(L->series);
    free(L->sh.job.data);
    free(L->work.data);
    pthread_cond_destroy(&L->cv);
    pthread_mutex_destroy(&L->mu);
    free(L);
    return rc;
}
