/* smooth.c - pose series clean-up (see formcheck/smooth.h). */
#include "formcheck/smooth.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "formcheck/error.h"
#include "formcheck/series.h"

#define NCOORD 6 /* pixel x, y, z; world x, y, z */
#define FC_PI 3.14159265358979323846

fc_clean_opts fc_clean_default_opts(void)
{
    fc_clean_opts o;

    o.min_visibility = 0.3f;
    o.max_gap_s = 0.3;
    o.outlier_half_window = 3;
    o.outlier_k = 3.5;
    o.outlier_min_leg = 0.06;
    o.min_cutoff_hz = 3.0;
    o.beta = 0.5;
    o.d_cutoff_hz = 1.0;
    o.smooth = 1;
    o.fix_swaps = 1;
    return o;
}

const char *fc_side_name(int side)
{
    return side == FC_SIDE_LEFT ? "left" : side == FC_SIDE_RIGHT ? "right" : "unknown";
}

static float *coord(fc_body *r, int lm, int c)
{
    switch (c) {
    case 0: return &r->lm[lm].x;
    case 1: return &r->lm[lm].y;
    case 2: return &r->lm[lm].z;
    case 3: return &r->world[lm].x;
    case 4: return &r->world[lm].y;
    default: return &r->world[lm].z;
    }
}

/* Seen, and numbers (a file may carry null coordinates: NAN). */
static int present(const fc_body *r, int lm, float minv)
{
    const fc_landmark *l = &r->lm[lm];
    const fc_point3 *w = &r->world[lm];
    return r->found && l->visibility >= minv && l->presence >= minv && isfinite(l->x) && isfinite(l->y) &&
           isfinite(l->z) && isfinite(w->x) && isfinite(w->y) && isfinite(w->z);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
    if (n == 0)
        return NAN;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static double dist2(const fc_landmark *a, const fc_landmark *b)
{
    return hypot(a->x - b->x, a->y - b->y);
}

static double dist3(const fc_point3 *a, const fc_point3 *b)
{
    return sqrt((a->x - b->x) * (a->x - b->x) + (a->y - b->y) * (a->y - b->y) + (a->z - b->z) * (a->z - b->z));
}

/* Leg length (hip-knee-ankle) in pixels and in metres: the scales outliers and
 * One-Euro speeds are measured in. Medians over frames; fallbacks when unseen. */
static void body_scale(const fc_body *s, size_t n, float minv, double *px, double *m, double *tmp)
{
    size_t k = 0, kw = 0;

    for (size_t t = 0; t < n; t++)
        for (int side = 0; side < 2; side++) {
            int h = FC_B(FC_LM_LEFT_HIP) + side, kn = FC_B(FC_LM_LEFT_KNEE) + side, a = FC_B(FC_LM_LEFT_ANKLE) + side;
            if (!present(&s[t], h, minv) || !present(&s[t], kn, minv) || !present(&s[t], a, minv))
                continue;
            tmp[k++] = dist2(&s[t].lm[h], &s[t].lm[kn]) + dist2(&s[t].lm[kn], &s[t].lm[a]);
            if (k >= n)
                goto done;
        }
done:
    *px = median(tmp, k);
    if (!(*px > 1e-6))
        *px = 100.0;
    for (size_t t = 0; t < n && kw < n; t++) {
        const fc_point3 *w = s[t].world;
        if (!s[t].found)
            continue;
        tmp[kw++] = dist3(&w[FC_B(FC_LM_LEFT_HIP)], &w[FC_B(FC_LM_LEFT_KNEE)]) +
                    dist3(&w[FC_B(FC_LM_LEFT_KNEE)], &w[FC_B(FC_LM_LEFT_ANKLE)]);
    }
    *m = median(tmp, kw);
    if (!(*m > 1e-3))
        *m = 0.9;
}

double fc_median_small(double *v, size_t n)
{
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
            double t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return n ? (n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2])) : NAN;
}

/* Hampel filter on one coordinate track; v[] holds values, ok[] presence. */
static size_t hampel(double *v, const unsigned char *ok, size_t n, const fc_clean_opts *o, double scale,
                     double *win, double *out)
{
    size_t changed = 0;
    int hw = o->outlier_half_window;

    for (size_t t = 0; t < n; t++) {
        size_t k = 0;
        out[t] = v[t];
        if (!ok[t])
            continue;
        double lo = v[t], hi = v[t];
        for (long j = (long)t - hw; j <= (long)t + hw; j++)
            if (j >= 0 && (size_t)j < n && ok[j]) {
                win[k++] = v[j];
                lo = fmin(lo, v[j]);
                hi = fmax(hi, v[j]);
            }
        /* |v - median| <= hi - lo: a narrow window cannot hold an outlier. */
        if (k < 3 || hi - lo <= o->outlier_min_leg * scale)
            continue;
        double med = fc_median_small(win, k);
        for (size_t j = 0; j < k; j++)
            win[j] = fabs(win[j] - med);
        double mad = 1.4826 * fc_median_small(win, k);
        double dev = fabs(v[t] - med);
        if (dev > o->outlier_k * mad && dev > o->outlier_min_leg * scale) {
            out[t] = med;
            changed++;
        }
    }
    memcpy(v, out, n * sizeof *v);
    return changed;
}

static double oe_alpha(double cutoff, double dt)
{
    double tau = 1.0 / (2.0 * FC_PI * cutoff);
    return 1.0 / (1.0 + tau / dt);
}

/* One-Euro over v[from..to) in direction dir (+1/-1); values in scale units. */
static void one_euro(double *v, const double *t, long from, long to, int dir, const fc_clean_opts *o, double scale)
{
    long i = dir > 0 ? from : to - 1, end = dir > 0 ? to : from - 1;
    double xp = v[i] / scale, dxp = 0.0, tp = t[i];

    for (i += dir; i != end; i += dir) {
        double dt = fabs(t[i] - tp);
        double x = v[i] / scale;
        if (!(dt > 1e-9))
            dt = 1.0 / 30.0;
        double ad = oe_alpha(o->d_cutoff_hz, dt);
        double dx = ad * ((x - xp) / dt) + (1.0 - ad) * dxp;
        double a = oe_alpha(o->min_cutoff_hz + o->beta * fabs(dx), dt);
        xp = a * x + (1.0 - a) * xp;
        dxp = dx;
        tp = t[i];
        v[i] = xp * scale;
    }
}

/* Whole frames without a person: fill short gaps from the neighbours. */
static void fill_frames(fc_body *s, size_t n, double max_gap_s, fc_clean_stats *st)
{
    size_t t = 0;

    while (t < n) {
        if (s[t].found) {
            t++;
            continue;
        }
        size_t a = t;
        while (t < n && !s[t].found)
            t++;
        st->frames_missing += t - a;
        if (a == 0 || t == n || s[t].t_s - s[a - 1].t_s > max_gap_s + 1e-9)
            continue;
        for (size_t j = a; j < t; j++) {
            /* Copy the pose with zero visibility: the per-landmark pass interpolates it. */
            int64_t fr = s[j].frame;
            double ts = s[j].t_s;
            s[j] = s[a - 1];
            s[j].frame = fr;
            s[j].t_s = ts;
            for (int i = 0; i < FC_BODY_N; i++)
                s[j].lm[i].visibility = s[j].lm[i].presence = 0.0f;
            s[j].found = 2; /* marker: filled, resolved below */
        }
        st->frames_filled += t - a;
    }
}

/* Left/right label swaps (BlazePose's classic error side on): a frame whose
 * legs sit much closer to the previous frame's with the labels exchanged
 * starts a flip; when another flip ends it within 0.5 s, the leg landmarks
 * (hip to toes, image and world) of the frames between are swapped back. A
 * flip that is not undone that soon is left alone: a person can step legs
 * past each other, and a wrong guess must not persist for the whole set. */
static const int leg_lms[] = {FC_B(FC_LM_LEFT_HIP), FC_B(FC_LM_LEFT_KNEE), FC_B(FC_LM_LEFT_ANKLE),
                              FC_B(FC_LM_LEFT_HEEL), FC_B(FC_LM_LEFT_FOOT_INDEX)}; /* slots; right = + 1 */
#define NLEG (sizeof leg_lms / sizeof leg_lms[0])

static int flipped(const fc_body *cur, const fc_body *prev, double scale_px)
{
    double same = 0, swapped = 0;
    for (size_t k = 0; k < NLEG; k++) {
        const fc_landmark *a = &cur->lm[leg_lms[k]], *b = &cur->lm[leg_lms[k] + 1];
        const fc_landmark *pa = &prev->lm[leg_lms[k]], *pb = &prev->lm[leg_lms[k] + 1];
        same += hypot(a->x - pa->x, a->y - pa->y) + hypot(b->x - pb->x, b->y - pb->y);
        swapped += hypot(a->x - pb->x, a->y - pb->y) + hypot(b->x - pa->x, b->y - pa->y);
    }
    /* Clearly better swapped, and the legs clearly apart (else it does not matter). */
    return swapped < 0.4 * same && same > 0.5 * scale_px;
}

static void swap_legs(fc_body *r)
{
    for (size_t k = 0; k < NLEG; k++) {
        int l = leg_lms[k];
        fc_landmark tl = r->lm[l];
        fc_point3 tw = r->world[l];
        r->lm[l] = r->lm[l + 1];
        r->lm[l + 1] = tl;
        r->world[l] = r->world[l + 1];
        r->world[l + 1] = tw;
    }
}

static size_t fix_swaps(fc_body *s, size_t n, double scale_px, unsigned char *flip)
{
    size_t fixed = 0;
    long prev = -1;

    for (size_t t = 0; t < n; t++) {
        flip[t] = 0;
        if (!s[t].found)
            continue;
        if (prev >= 0 && s[t].t_s - s[prev].t_s < 0.5)
            flip[t] = (unsigned char)flipped(&s[t], &s[prev], scale_px);
        prev = (long)t;
    }
    for (size_t t = 0; t < n; t++) {
        if (!flip[t])
            continue;
        size_t u = t + 1;
        while (u < n && !flip[u] && s[u].t_s - s[t].t_s <= 0.5)
            u++;
        if (u >= n || !flip[u] || s[u].t_s - s[t].t_s > 0.5)
            continue;
        for (size_t j = t; j < u; j++)
            if (s[j].found) {
                swap_legs(&s[j]);
                fixed++;
            }
        t = u; /* the flip back is consumed */
    }
    return fixed;
}

typedef struct scratch {
    double *v, *t, *win, *out; /* v: NCOORD tracks of n values, coordinate-major */
    unsigned char *ok, *run;
    float *vis;
} scratch;

/* One landmark: gather its tracks in one pass over the frames (the frames are
 * big, so passes over them are what costs), clean, scatter back in one pass. */
static void clean_landmark(fc_body *s, size_t n, int lm, const fc_clean_opts *o, const double scale[2],
                           scratch *w, fc_clean_stats *st)
{
    for (size_t t = 0; t < n; t++) {
        w->ok[t] = present(&s[t], lm, o->min_visibility);
        w->run[t] = w->ok[t];
        if (s[t].found == 1 && !w->ok[t])
            st->points_gated++;
        w->vis[t] = s[t].lm[lm].visibility;
        for (int c = 0; c < NCOORD; c++)
            w->v[c * n + t] = *coord(&s[t], lm, c);
    }
    /* Gaps up to max_gap_s between present samples are filled (run = 1, the
     * visibility the mean of the gap's ends). */
    long last = -1;
    for (size_t t = 0; t < n; t++) {
        if (!w->ok[t])
            continue;
        if (last >= 0 && (size_t)last + 1 < t && w->t[t] - w->t[last] <= o->max_gap_s + 1e-9)
            for (size_t j = (size_t)last + 1; j < t; j++) {
                w->run[j] = 2;
                w->vis[j] = 0.5f * (w->vis[last] + w->vis[t]);
                st->points_filled++;
            }
        last = (long)t;
    }
    for (int c = 0; c < NCOORD; c++) {
        double sc = c < 3 ? scale[0] : scale[1], *v = w->v + c * n;
        if (o->outlier_half_window > 0)
            st->outliers += hampel(v, w->ok, n, o, sc, w->win, w->out);
        last = -1;
        for (size_t t = 0; t < n; t++) {
            if (!w->ok[t])
                continue;
            if (last >= 0 && (size_t)last + 1 < t && w->run[last + 1] == 2)
                for (size_t j = (size_t)last + 1; j < t; j++) {
                    double f = (w->t[j] - w->t[last]) / (w->t[t] - w->t[last]);
                    v[j] = v[last] + f * (v[t] - v[last]);
                }
            last = (long)t;
        }
        for (size_t t = 0; o->smooth && t < n;) {
            if (!w->run[t]) {
                t++;
                continue;
            }
            size_t a = t;
            while (t < n && w->run[t])
                t++;
            if (t - a >= 2) {
                one_euro(v, w->t, (long)a, (long)t, +1, o, sc);
                one_euro(v, w->t, (long)a, (long)t, -1, o, sc);
            }
        }
    }
    for (size_t t = 0; t < n; t++) {
        for (int c = 0; c < NCOORD; c++)
            *coord(&s[t], lm, c) = (float)w->v[c * n + t];
        if (w->run[t] == 2)
            s[t].lm[lm].visibility = s[t].lm[lm].presence = w->vis[t];
    }
}

int fc_clean_series(fc_body *s, size_t n, const fc_clean_opts *opts, fc_clean_stats *stats)
{
    fc_clean_opts o = opts ? *opts : fc_clean_default_opts();
    fc_clean_stats st;
    scratch w = {0};
    double scale[2];
    int rc = 0;

    memset(&st, 0, sizeof st);
    st.frames = n;
    if ((!s && n) || o.max_gap_s < 0 || o.min_cutoff_hz <= 0 || o.d_cutoff_hz <= 0 || o.beta < 0 ||
        o.outlier_half_window < 0 || o.outlier_half_window > 50)
        return FC_EINVAL;
    if (n == 0)
        goto end;
    w.v = malloc(NCOORD * n * sizeof *w.v);
    w.run = malloc(n);
    w.t = malloc(n * sizeof *w.t);
    w.out = malloc(n * sizeof *w.out);
    w.win = malloc((n > 128 ? n : 128) * sizeof *w.win);
    w.ok = malloc(n);
    w.vis = malloc(n * sizeof *w.vis);
    if (!w.v || !w.run || !w.t || !w.out || !w.win || !w.ok || !w.vis) {
        rc = FC_ENOMEM;
        goto end;
    }
    for (size_t t = 0; t < n; t++)
        w.t[t] = s[t].t_s;
    body_scale(s, n, o.min_visibility, &scale[0], &scale[1], w.out);
    if (o.fix_swaps)
        st.swaps_fixed = fix_swaps(s, n, scale[0], w.ok);
    fill_frames(s, n, o.max_gap_s, &st);
    st.scale_px = scale[0];
    st.scale_m = scale[1];
    for (int lm = 0; lm < FC_BODY_N; lm++)
        clean_landmark(s, n, lm, &o, scale, &w, &st);
    for (size_t t = 0; t < n; t++)
        if (s[t].found == 2)
            s[t].found = 1;
end:
    free(w.v);
    free(w.run);
    free(w.t);
    free(w.out);
    free(w.win);
    free(w.ok);
    free(w.vis);
    if (stats)
        *stats = st;
    return rc;
}

int fc_clean_facing_side(const fc_body *s, size_t n, float minv)
{
    static const int joints[] = {FC_B(FC_LM_LEFT_HIP), FC_B(FC_LM_LEFT_KNEE), FC_B(FC_LM_LEFT_ANKLE),
                                 FC_B(FC_LM_LEFT_SHOULDER)};
    double vis[2] = {0, 0}, z[2] = {0, 0};
    size_t frames = 0;

    (void)minv;
    for (size_t t = 0; t < n; t++) {
        if (!s[t].found)
            continue;
        frames++;
        for (size_t j = 0; j < sizeof joints / sizeof joints[0]; j++)
            for (int side = 0; side < 2; side++) {
                vis[side] += s[t].lm[joints[j] + side].visibility;
                z[side] += s[t].lm[joints[j] + side].z;
            }
    }
    if (!frames)
        return FC_SIDE_UNKNOWN;
    /* Visibility decides when it differs clearly; else the nearer (smaller z) side. */
    if (fabs(vis[0] - vis[1]) > 0.05 * frames * 4)
        return vis[0] > vis[1] ? FC_SIDE_LEFT : FC_SIDE_RIGHT;
    return z[0] <= z[1] ? FC_SIDE_LEFT : FC_SIDE_RIGHT;
}
