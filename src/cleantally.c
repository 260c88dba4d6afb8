/* cleantally.c - clean-up counts of the landmarks outside the body, frame by frame
 * (see formcheck/cleantally.h). Mirrors smooth.c's gating, whole-frame gap filling,
 * per-landmark gap filling and Hampel test; a change there must be made here too
 * (test_cleantally.c compares the two). */
#include "formcheck/cleantally.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "formcheck/error.h"
#include "formcheck/series.h"

#define NREST (FC_NUM_LANDMARKS - FC_BODY_N)
#define NCOORD 6
#define MAXW 101 /* 2 x the largest half window fc_clean_series() accepts + 1 */

/* One frame after whole-frame gap filling, as the Hampel window sees it. */
typedef struct entry {
    unsigned char ok[NREST];
    float v[NREST][NCOORD];
} entry;

typedef struct rest_frame {
    int found;
    fc_landmark lm[NREST];
    fc_point3 world[NREST];
} rest_frame;

struct fc_clean_tally {
    fc_clean_opts o;
    int ids[NREST];           /* landmark ids outside the body */
    size_t added, emitted;    /* frames added; frames through gap filling */
    int have_found;           /* a found frame was added */
    rest_frame last;          /* the last found frame (what a filled frame copies) */
    double last_t;
    double *pend_t;           /* times of the not-found frames since then */
    size_t npend, cappend;
    entry *ring;              /* the last 2 hw + 1 emitted frames */
    size_t w;
    long last_ok[NREST];      /* per landmark: last present frame and its time */
    double last_ok_t[NREST];
    size_t gated, filled;
    double *cand;             /* outlier candidates: deviation, group (0 px, 1 world) */
    unsigned char *cand_grp;
    size_t ncand, capcand;
    int oom;
};

static int present(const rest_frame *r, int i, float minv)
{
    const fc_landmark *l = &r->lm[i];
    const fc_point3 *w = &r->world[i];
    return r->found && l->visibility >= minv && l->presence >= minv && isfinite(l->x) && isfinite(l->y) &&
           isfinite(l->z) && isfinite(w->x) && isfinite(w->y) && isfinite(w->z);
}

/* The Hampel test of emitted frame c (smooth.c's hampel() without the scale floor):
 * calls found(dev, group) for each coordinate whose deviation beats k robust sigmas.
 * Frames up to `end` (exclusive) are in the ring. */
typedef void (*cand_fn)(void *user, double dev, int grp);

static void hampel_center(const fc_clean_tally *t, size_t c, size_t end, cand_fn fn, void *user)
{
    int hw = t->o.outlier_half_window;
    const entry *ec = &t->ring[c % t->w];
    double win[MAXW];

    for (int i = 0; i < NREST; i++) {
        if (!ec->ok[i])
            continue;
        for (int k = 0; k < NCOORD; k++) {
            size_t m = 0;
            double v = ec->v[i][k];
            for (long j = (long)c - hw; j <= (long)c + hw; j++) {
                if (j < 0 || (size_t)j >= end)
                    continue;
                const entry *e = &t->ring[(size_t)j % t->w];
                if (e->ok[i])
                    win[m++] = e->v[i][k];
            }
            if (m < 3)
                continue;
            double med = fc_median_small(win, m);
            for (size_t j = 0; j < m; j++)
                win[j] = fabs(win[j] - med);
            double mad = 1.4826 * fc_median_small(win, m), dev = fabs(v - med);
            /* smooth.c also skips windows with hi - lo <= floor: implied by dev > floor. */
            if (dev > t->o.outlier_k * mad)
                fn(user, dev, k < 3 ? 0 : 1);
        }
    }
}

static void keep_cand(void *user, double dev, int grp)
{
    fc_clean_tally *t = user;
    if (t->ncand == t->capcand) {
        size_t cap = t->capcand ? t->capcand + t->capcand / 2 : 256;
        double *c = realloc(t->cand, cap * sizeof *c);
        unsigned char *g = c ? realloc(t->cand_grp, cap) : NULL;
        if (c)
            t->cand = c;
        if (!c || !g) {
            t->oom = 1;
            return;
        }
        t->cand_grp = g;
        t->capcand = cap;
    }
    t->cand[t->ncand] = dev;
    t->cand_grp[t->ncand++] = (unsigned char)grp;
}

/* One frame through gap filling: gating, per-landmark gap counts, Hampel. */
static void emit(fc_clean_tally *t, const rest_frame *r, double ts)
{
    size_t idx = t->emitted++;
    entry *e = &t->ring[idx % t->w];
    float minv = t->o.min_visibility;

    for (int i = 0; i < NREST; i++) {
        e->ok[i] = (unsigned char)present(r, i, minv);
        if (r->found == 1 && !e->ok[i])
            t->gated++;
        e->v[i][0] = r->lm[i].x;
        e->v[i][1] = r->lm[i].y;
        e->v[i][2] = r->lm[i].z;
        e->v[i][3] = r->world[i].x;
        e->v[i][4] = r->world[i].y;
        e->v[i][5] = r->world[i].z;
        if (!e->ok[i])
            continue;
        if (t->last_ok[i] >= 0 && (size_t)t->last_ok[i] + 1 < idx && ts - t->last_ok_t[i] <= t->o.max_gap_s + 1e-9)
            t->filled += idx - (size_t)t->last_ok[i] - 1;
        t->last_ok[i] = (long)idx;
        t->last_ok_t[i] = ts;
    }
    size_t hw = (size_t)t->o.outlier_half_window;
    if (hw > 0 && idx >= hw)
        hampel_center(t, idx - hw, idx + 1, keep_cand, t);
}

/* A gap's frames: copies of the last found frame with zero visibility (smooth.c's
 * fill_frames) when it is short and between found frames, else missing. */
static void flush_pending(fc_clean_tally *t, int filled)
{
    rest_frame f;
    if (filled) {
        f = t->last;
        for (int i = 0; i < NREST; i++)
            f.lm[i].visibility = f.lm[i].presence = 0.0f;
        f.found = 2;
    } else {
        memset(&f, 0, sizeof f);
    }
    for (size_t k = 0; k < t->npend; k++)
        emit(t, &f, t->pend_t[k]);
    t->npend = 0;
}

int fc_clean_tally_create(fc_clean_tally **out, const fc_clean_opts *opts)
{
    fc_clean_opts o = opts ? *opts : fc_clean_default_opts();
    fc_clean_tally *t;

    if (!out)
        return FC_EINVAL;
    *out = NULL;
    if (o.max_gap_s < 0 || o.min_cutoff_hz <= 0 || o.d_cutoff_hz <= 0 || o.beta < 0 || o.outlier_half_window < 0 ||
        o.outlier_half_window > 50)
        return FC_EINVAL;
    if (!(t = calloc(1, sizeof *t)))
        return FC_ENOMEM;
    t->o = o;
    t->w = 2 * (size_t)o.outlier_half_window + 1;
    if (!(t->ring = calloc(t->w, sizeof *t->ring))) {
        free(t);
        return FC_ENOMEM;
    }
    for (int id = 0, k = 0; id < FC_NUM_LANDMARKS; id++)
        if (fc_body_slot(id) < 0)
            t->ids[k++] = id;
    for (int i = 0; i < NREST; i++)
        t->last_ok[i] = -1;
    *out = t;
    return 0;
}

int fc_clean_tally_add(fc_clean_tally *t, const fc_pose_result *r)
{
    rest_frame f;

    if (!t || !r)
        return FC_EINVAL;
    if (t->oom)
        return FC_ENOMEM;
    t->added++;
    if (!r->found) {
        /* A gap can only be filled from a found frame and within max_gap_s of it. */
        if (!t->have_found || r->t_s - t->last_t > t->o.max_gap_s + 1e-9) {
            flush_pending(t, 0);
            memset(&f, 0, sizeof f);
            emit(t, &f, r->t_s);
        } else {
            if (t->npend == t->cappend) {
                size_t cap = t->cappend ? 2 * t->cappend : 64;
                double *p = realloc(t->pend_t, cap * sizeof *p);
                if (!p)
                    return FC_ENOMEM;
                t->pend_t = p;
                t->cappend = cap;
            }
            t->pend_t[t->npend++] = r->t_s;
        }
        return t->oom ? FC_ENOMEM : 0;
    }
    if (t->npend)
        flush_pending(t, r->t_s - t->last_t <= t->o.max_gap_s + 1e-9);
    f.found = r->found;
    for (int i = 0; i < NREST; i++) {
        f.lm[i] = r->lm[t->ids[i]];
        f.world[i] = r->world[t->ids[i]];
    }
    emit(t, &f, r->t_s);
    t->last = f;
    t->last_t = r->t_s;
    t->have_found = 1;
    return t->oom ? FC_ENOMEM : 0;
}

const fc_clean_opts *fc_clean_tally_opts(const fc_clean_tally *t)
{
    return &t->o;
}

size_t fc_clean_tally_frames(const fc_clean_tally *t)
{
    return t ? t->added : 0;
}

typedef struct count_ctx {
    double floor[2];
    size_t n;
} count_ctx;

static void count_cand(void *user, double dev, int grp)
{
    count_ctx *c = user;
    c->n += dev > c->floor[grp];
}

void fc_clean_tally_finish(const fc_clean_tally *t, double scale_px, double scale_m, fc_clean_stats *st)
{
    if (!t || !st)
        return;
    count_ctx c = {{t->o.outlier_min_leg * scale_px, t->o.outlier_min_leg * scale_m}, 0};
    size_t hw = (size_t)t->o.outlier_half_window;
    for (size_t k = 0; k < t->ncand; k++)
        c.n += t->cand[k] > c.floor[t->cand_grp[k]];
    /* The last hw frames' windows end with the series (pending frames are missing). */
    for (size_t idx = t->emitted > hw ? t->emitted - hw : 0; hw > 0 && idx < t->emitted; idx++)
        hampel_center(t, idx, t->emitted, count_cand, &c);
    st->points_gated += t->gated;
    st->points_filled += t->filled;
    st->outliers += c.n;
}

void fc_clean_tally_free(fc_clean_tally *t)
{
    if (!t)
        return;
    free(t->pend_t);
    free(t->ring);
    free(t->cand);
    free(t->cand_grp);
    free(t);
}
