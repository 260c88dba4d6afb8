/* grabber.c - newest-frame capture on a thread, for live views. */
#define _GNU_SOURCE /* pthread_setname_np */
#include "formcheck/grabber.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PLANAR_MAX_PX (1920 * 1088)

typedef struct slot {
    fc_frame f;
    double captured_s;
    uint8_t *bgr;       /* owned: the BGR pixels */
    uint8_t *planes;    /* owned, opts.planar: a copy of the decoded planes */
    size_t planes_size;
    fc_frame_yuv yuv;   /* their description, f.yuv when set */
} slot;

struct fc_grabber {
    fc_capture *cap;
    fc_capture_info info;
    int realtime, keep_all, planar;
    pthread_t thread;
    int started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    slot buf[3];
    int fill, ready, held; /* indices: thread writes `fill`, `ready` waits (if fresh), consumer holds `held` */
    int fresh;
    int status;            /* 0 while running, then the final status */
    char msg[512];
    atomic_int stop;
    fc_grabber_stats st;
};

double fc_grabber_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* In slices of at most 50 ms, so a stop is seen soon even when the next frame is
 * hours away (a file whose timestamps jump). */
static void sleep_until(fc_grabber *g, double t)
{
    double d;
    while (!atomic_load(&g->stop) && (d = t - fc_grabber_now_s()) > 0) {
        if (d > 0.05)
            d = 0.05;
        struct timespec ts = {0, (long)(d * 1e9)};
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
            ;
    }
}

/* opts.planar: the capture hands out its own frame (decoded planes, or BGR for
 * other formats); copy it into slot s, whose frame then points at the copy.
 * Allocates only when the planes grow (the first frame, a bigger stream). */
static int copy_into(slot *s, const fc_frame *f)
{
    s->f.index = f->index;
    s->f.t_s = f->t_s;
    if (!f->yuv) { /* same size as the slot's BGR buffer (fc_capture_get_info()) */
        if (f->width != s->f.width || f->height != s->f.height)
            return FC_EINVAL;
        int stride = FC_CAPTURE_STRIDE(f->width);
        for (int y = 0; y < f->height; y++)
            memcpy(s->bgr + (size_t)y * stride, f->data + (size_t)y * f->stride, 3 * (size_t)f->width);
        s->f.data = s->bgr;
        s->f.stride = stride;
        s->f.yuv = NULL;
        return 0;
    }
    const fc_frame_yuv *y = f->yuv;
    int w[3] = {y->width, (y->width + 1) / 2, (y->width + 1) / 2};
    int h[3] = {y->height, (y->height + 1) / 2, (y->height + 1) / 2};
    size_t need = 0, at[3];
    for (int i = 0; i < 3; i++) {
        at[i] = need;
        need += (size_t)((w[i] + 4 + 31) / 32 * 32) * (size_t)h[i]; /* 4 readable bytes past a row */
    }
    if (need > s->planes_size) {
        uint8_t *n = realloc(s->planes, need);
        if (!n)
            return FC_ENOMEM;
        s->planes = n;
        s->planes_size = need;
    }
    s->yuv = *y;
    for (int i = 0; i < 3; i++) {
        int stride = (w[i] + 4 + 31) / 32 * 32;
        for (int r = 0; r < h[i]; r++)
            memcpy(s->planes + at[i] + (size_t)r * stride, y->plane[i] + (size_t)r * y->stride[i], (size_t)w[i]);
        s->yuv.plane[i] = s->planes + at[i];
        s->yuv.stride[i] = stride;
    }
    s->f.data = NULL;
    s->f.stride = 0;
    s->f.width = f->width;
    s->f.height = f->height;
    s->f.yuv = &s->yuv;
    return 0;
}

/* The next frame into the free slot: converted straight into it, or (planar) copied. */
static int read_slot(fc_grabber *g, slot *s)
{
    if (!g->planar)
        return fc_capture_read_into(&s->f, g->cap);
    fc_frame f;
    int rc = fc_capture_read(&f, g->cap);
    return rc < 0 ? rc : copy_into(s, &f);
}

static void *reader(void *arg)
{
    fc_grabber *g = arg;
    fc_frame f;
    pthread_setname_np(pthread_self(), "fc-decode"); /* for top -H, perf, chrt */
    double t0 = -1, tr = fc_grabber_now_s(), read_s = 0;
    int rc;
    /* Each frame is converted straight into the free slot (`fill`: neither
     * waiting nor held by the consumer), then the slots are swapped. */
    while (!atomic_load(&g->stop) && (rc = read_slot(g, &g->buf[g->fill])) == 0) {
        slot *s = &g->buf[g->fill];
        f = s->f;
        read_s += fc_grabber_now_s() - tr;
        if (g->realtime) {
            if (t0 < 0)
                t0 = fc_grabber_now_s() - f.t_s;
            sleep_until(g, t0 + f.t_s);
        }
        s->captured_s = fc_grabber_now_s(); /* when a camera would have delivered it */
        if (g->keep_all) { /* wait until the consumer took the waiting frame */
            pthread_mutex_lock(&g->mu);
            while (g->fresh && !atomic_load(&g->stop))
                pthread_cond_wait(&g->cv, &g->mu);
            pthread_mutex_unlock(&g->mu);
            if (atomic_load(&g->stop))
                break;
        }
        pthread_mutex_lock(&g->mu);
        g->st.read_s = read_s;
        int t = g->ready;
        g->ready = g->fill;
        g->fill = t;
        g->st.dropped += g->fresh;
        g->fresh = 1;
        if (!g->st.captured)
            g->st.first_t_s = f.t_s;
        g->st.last_t_s = f.t_s;
        g->st.captured++;
        g->st.recorded = fc_capture_recorded_frames(g->cap);
        pthread_cond_broadcast(&g->cv);
        pthread_mutex_unlock(&g->mu);
        tr = fc_grabber_now_s();
    }
    read_s += fc_grabber_now_s() - tr; /* the last read (end of stream, error) */
    if (atomic_load(&g->stop))
        rc = FC_EINTR;
    pthread_mutex_lock(&g->mu);
    snprintf(g->msg, sizeof g->msg, "%s",
             rc == FC_EINTR   ? "stopped"
             : rc == FC_EEOF  ? "end of the source"
             : rc == FC_EINVAL ? "frame buffers do not fit the stream"
             : rc == FC_ENOMEM ? "out of memory"
                               : fc_capture_error(g->cap));
    g->status = rc;
    g->st.read_s = read_s;
    g->st.recorded = fc_capture_recorded_frames(g->cap);
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

int fc_grabber_open(fc_grabber **out, const char *url, const fc_capture_opts *opts, int flags, char *err,
                    size_t errsz)
{
    fc_grabber *g;
    int rc;
    if (!out)
        return fc_set_error(err, errsz, FC_EINVAL, "grabber: no output");
    *out = NULL;
    if (!(g = calloc(1, sizeof *g)))
        return fc_set_error(err, errsz, FC_ENOMEM, "%s: out of memory", url);
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->cv, NULL);
    atomic_init(&g->stop, 0);
    g->st.first_t_s = g->st.last_t_s = NAN;
    g->realtime = (flags & FC_GRABBER_REALTIME) != 0;
    g->keep_all = (flags & FC_GRABBER_ALL) != 0;

    if ((rc = fc_capture_open(&g->cap, url, opts, err, errsz)) < 0)
        goto fail;
    g->info = *fc_capture_get_info(g->cap);
    /* Planes above 1080p are converted instead: three copies of 8K planes would
     * hold 150 MB, where the BGR slots at the analysis size hold a few. */
    g->planar = opts && opts->planar && (size_t)g->info.src_width * (size_t)g->info.src_height <= PLANAR_MAX_PX;
    for (int i = 0; i < 3; i++) {
        fc_frame *f = &g->buf[i].f;
        f->width = g->info.width;
        f->height = g->info.height;
        f->stride = FC_CAPTURE_STRIDE(f->width); /* converted into in place */
        if (!(f->data = g->buf[i].bgr = malloc((size_t)f->stride * (size_t)f->height))) {
            rc = fc_set_error(err, errsz, FC_ENOMEM, "%s: out of memory", url);
            goto fail;
        }
    }
    if (g->planar) { /* the planes at the coded size: a first copy_into() finds them big enough */
        int w = g->info.src_width, h = g->info.src_height, cw = (w + 1) / 2, ch = (h + 1) / 2;
        size_t need = (size_t)((w + 35) / 32 * 32) * h + 2 * (size_t)((cw + 35) / 32 * 32) * ch;
        for (int i = 0; i < 3 && w > 0 && h > 0; i++) {
            if (!(g->buf[i].planes = malloc(need))) {
                rc = fc_set_error(err, errsz, FC_ENOMEM, "%s: out of memory", url);
                goto fail;
            }
            g->buf[i].planes_size = need;
        }
    }
    g->fill = 0, g->ready = 1, g->held = 2;
    if (pthread_create(&g->thread, NULL, reader, g) != 0) {
        rc = fc_set_error(err, errsz, FC_ENOMEM, "%s: cannot start the capture thread", url);
        goto fail;
    }
    g->started = 1;
    *out = g;
    return 0;
fail:
    fc_grabber_close(g, NULL, 0);
    return rc;
}

const fc_capture_info *fc_grabber_info(const fc_grabber *g)
{
    return &g->info;
}

int fc_grabber_next(fc_frame *frame, double *captured_s, fc_grabber *g, int timeout_ms)
{
    struct timespec until;
    int rc = 0;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L)
        until.tv_sec++, until.tv_nsec -= 1000000000L;
    pthread_mutex_lock(&g->mu);
    while (!g->fresh && !g->status)
        if (pthread_cond_timedwait(&g->cv, &g->mu, &until) == ETIMEDOUT)
            break;
    if (g->fresh) {
        int t = g->held;
        g->held = g->ready;
        g->ready = t;
        g->fresh = 0;
        g->st.delivered++;
        pthread_cond_broadcast(&g->cv); /* FC_GRABBER_ALL: the reader may go on */
        *frame = g->buf[g->held].f;
        if (captured_s)
            *captured_s = g->buf[g->held].captured_s;
    } else {
        rc = g->status ? g->status : FC_EAGAIN;
    }
    pthread_mutex_unlock(&g->mu);
    return rc;
}

void fc_grabber_interrupt(fc_grabber *g)
{
    if (!g)
        return;
    atomic_store(&g->stop, 1);
    fc_capture_interrupt(g->cap);
}

/* Not for signal handlers: also wakes a reader waiting for the consumer. */
static void wake(fc_grabber *g)
{
    pthread_mutex_lock(&g->mu);
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

const char *fc_grabber_error(fc_grabber *g)
{
    return g->status ? g->msg : "";
}

void fc_grabber_get_stats(fc_grabber_stats *out, fc_grabber *g)
{
    pthread_mutex_lock(&g->mu);
    *out = g->st;
    pthread_mutex_unlock(&g->mu);
}

int fc_grabber_close(fc_grabber *g, char *err, size_t errsz)
{
    int rc = 0;
    if (!g)
        return 0;
    if (g->started) {
        fc_grabber_interrupt(g);
        wake(g);
        pthread_join(g->thread, NULL);
    }
    if (g->cap && (rc = fc_capture_stop_recording(g->cap)) < 0)
        fc_set_error(err, errsz, rc, "%s", fc_capture_error(g->cap));
    fc_capture_free(g->cap);
    for (int i = 0; i < 3; i++) {
        free(g->buf[i].bgr);
        free(g->buf[i].planes);
    }
    pthread_cond_destroy(&g->cv);
    pthread_mutex_destroy(&g->mu);
    free(g);
    return rc;
}
