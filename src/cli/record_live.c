/* record_live.c - the live loop of `formcheck record`. */
#define _POSIX_C_SOURCE 200809L
#include "record_live.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_job.h"
#include "formcheck/analysis.h"
#include "formcheck/grabber.h"
#include "formcheck/overlay.h"
#include "formcheck/window.h"

#define LATENCY_SAMPLES 4096

typedef struct live {
    const record_args *a;
    const fc_session_opts *so;
    fc_grabber *g;
    fc_pose *pose;
    fc_window *win;
    fc_pose_result *series; /* the live series, for the rep count */
    size_t n, cap;
    fc_analysis_result *res;
    double t_count;         /* wall time counting started (after the countdown) */
    double next_analysis;
    int reps_printed, hint_shown;
    fc_overlay ov;
    double lat[LATENCY_SAMPLES];
    size_t n_lat;
} live;

static int push(live *L, const fc_pose_result *r)
{
    if (L->n == L->cap) {
        size_t cap = L->cap ? 2 * L->cap : 1024;
        fc_pose_result *p = realloc(L->series, cap * sizeof *p);
        if (!p)
            return FC_ENOMEM;
        L->series = p, L->cap = cap;
    }
    L->series[L->n++] = *r;
    return 0;
}

/* Re-run the (pure C, fast) analysis on the series so far: the rep count and the last verdict. */
static void live_analysis(live *L, double now)
{
    char err[FC_ERRBUF_SIZE];
    if (now < L->next_analysis || L->n < 10)
        return;
    L->next_analysis = now + 0.5;
    fc_analysis_result *res = NULL;
    if (fc_analysis_run(&res, L->series, L->n, &L->so->analysis, L->so->squat, L->so->lunge, err, sizeof err) < 0)
        return;
    fc_analysis_free(L->res);
    L->res = res;
    int reps = 0;
    L->ov.verdict[0] = 0;
    for (size_t i = 0; i < res->n_reps; i++) {
        const fc_rep_result *r = &res->reps[i];
        reps++;
        fc_overlay_rep_verdict(L->ov.verdict, sizeof L->ov.verdict, r);
        L->ov.verdict_good = r->good;
        L->ov.verdict_score = r->score;
        if (reps > L->reps_printed && (L->a->no_window || !L->win) && !L->a->quiet) {
            printf("%s\n", L->ov.verdict);
            fflush(stdout);
        }
    }
    if (reps > L->reps_printed)
        L->reps_printed = reps;
    L->ov.reps = reps;
}

static double median_of(double *v, size_t n, double q)
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

/* One preview frame: pose on it, the live analysis, the overlay, the window or the terminal. */
static int step(live *L, fc_frame *f, double captured_s, const char **reason)
{
    fc_pose_result r;
    char status[64], big[8];
    double now = fc_grabber_now_s();
    if (fc_pose_process(L->pose, f, f->t_s, &r) < 0) {
        fc_cli_error("pose: %s", fc_pose_error(L->pose));
        *reason = "device_error";
        return -1;
    }
    r.frame = f->index;
    if (push(L, &r) < 0) {
        fc_cli_error("out of memory");
        *reason = "device_error";
        return -1;
    }
    live_analysis(L, now);
    int hidden = fc_overlay_legs_hidden(&r, 0.5f);
    if ((!L->win) && !L->a->quiet && hidden != L->hint_shown) {
        fprintf(stderr, "formcheck: %s\n", hidden ? "can't see your knees/feet: step back so your whole body is in view"
                                                  : "whole body in view");
    }
    L->hint_shown = hidden;
    if (L->win) {
        double left = L->t_count - now;
        fc_overlay_mirror_frame(f); /* a mirror is what people expect to see of themselves */
        fc_overlay_mirror_pose(&r, f->width);
        L->ov.pose = &r;
        L->ov.rep_target = L->a->reps;
        snprintf(big, sizeof big, "%d", (int)ceil(left));
        L->ov.big_text = left > 0 ? big : NULL;
        double el = now > L->t_count ? now - L->t_count : 0;
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
    if (L->n_lat < LATENCY_SAMPLES)
        L->lat[L->n_lat++] = (fc_grabber_now_s() - captured_s) * 1e3;
    if (now >= L->t_count && L->a->duration_s > 0 && now - L->t_count >= L->a->duration_s) {
        *reason = "duration";
        return 1;
    }
    if (L->a->reps > 0 && L->ov.reps >= L->a->reps) {
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
    if (fc_grabber_open(&L->g, a->device, &co, !live_dev, err, sizeof err) < 0) {
        fc_cli_error("%s", err);
        return -1;
    }
    return 0;
}

int fc_record_live(record_outcome *oc, const record_args *a, const fc_session_opts *so, const char *video)
{
    live *L = calloc(1, sizeof *L);
    fc_frame f;
    double captured_s;
    int rc = -1;
    memset(oc, 0, sizeof *oc);
    oc->stop_reason = "interrupted";
    if (!L) {
        fc_cli_error("out of memory");
        return -1;
    }
    L->a = a, L->so = so;
    L->ov = fc_overlay_default();
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
    const char *reason = NULL;
    while (!reason) {
        if (fc_job_stop) {
            reason = "interrupted";
            break;
        }
        int g = fc_grabber_next(&f, &captured_s, L->g, 100);
        if (g == FC_EAGAIN) {
            if (L->win && fc_window_poll_key(L->win, 1) >= 0 && !fc_window_is_open(L->win))
                reason = "user";
            continue;
        }
        if (g < 0) {
            reason = fc_job_stop ? "interrupted" : reason_of(g);
            if (g != FC_EEOF && g != FC_EINTR)
                fc_cli_error("%s: %s", a->device, fc_grabber_error(L->g));
            oc->failed = g != FC_EEOF && g != FC_EINTR;
            break;
        }
        oc->shown++;
        if (step(L, &f, captured_s, &reason) < 0)
            oc->failed = 1;
    }
    oc->stop_reason = reason;
    oc->wall_s = fc_grabber_now_s() - t0;
    fc_grabber_stats st;
    fc_grabber_get_stats(&st, L->g);
    oc->captured = st.captured;
    oc->dropped = st.dropped;
    oc->posed = (int64_t)L->n;
    oc->recorded_frames = st.recorded;
    oc->recorded_s = L->n ? L->series[L->n - 1].t_s : 0;
    oc->latency_ms_median = median_of(L->lat, L->n_lat, 0.5);
    oc->latency_ms_p95 = median_of(L->lat, L->n_lat, 0.95);
    char err[FC_ERRBUF_SIZE];
    if (fc_grabber_close(L->g, err, sizeof err) < 0) {
        fc_cli_error("%s", err);
        oc->failed = 1;
    }
    L->g = NULL;
    if (!a->quiet)
        fprintf(stderr,
                "formcheck: live: %lld frames captured, %lld shown (%.1f fps), %lld dropped for newer ones; "
                "capture-to-screen latency median %.0f ms, p95 %.0f ms\n",
                (long long)oc->captured, (long long)oc->shown, oc->wall_s > 0 ? oc->shown / oc->wall_s : 0,
                (long long)oc->dropped, oc->latency_ms_median, oc->latency_ms_p95);
    rc = oc->captured > 0 ? 0 : -1;
    if (rc < 0)
        fc_cli_error("%s: nothing was captured", a->device);
end:
    fc_grabber_close(L->g, NULL, 0);
    fc_window_free(L->win);
    fc_pose_free(L->pose);
    fc_analysis_free(L->res);
    free(L->series);
    free(L);
    return rc;
}
