/* reps.c - rep segmentation by hysteresis (see formcheck/reps.h). */
#include "formcheck/reps.h"

#include <math.h>
#include <string.h>

#include "formcheck/error.h"

fc_reps_opts fc_reps_default_opts(void)
{
    fc_reps_opts o;

    o.enter = 0.07;
    o.exit = 0.035;
    o.exit_frac = 0.25;
    o.settle = 0.004;
    o.settle_frac = 0.02;
    o.min_amplitude = 0.10;
    o.min_duration_s = 0.5;
    o.max_duration_s = 20.0;
    o.max_gap_s = 0.5;
    o.baseline_s = 2.0;
    o.max_travel = 0.3;
    return o;
}

/* Lowest valid depth in (t - window, t]. */
static double baseline_at(const double *d, const double *ts, size_t t, double window)
{
    double b = NAN;
    for (size_t j = t + 1; j-- > 0 && ts[t] - ts[j] <= window;)
        if (isfinite(d[j]) && !(d[j] >= b))
            b = d[j];
    return b;
}

/* Walk from i in direction dir while the depth keeps falling away from the
 * peak and stays above base + settle; limit 1.5 s. */
static size_t refine(const double *d, const double *ts, size_t n, size_t i, int dir, double base, double settle)
{
    size_t k = i;
    while (1) {
        size_t next = k;
        if (dir < 0 ? k == 0 : k + 1 >= n)
            break;
        next = dir < 0 ? k - 1 : k + 1;
        if (fabs(ts[next] - ts[i]) > 1.5 || !isfinite(d[next]))
            break;
        if (d[k] <= base + settle)
            break;
        if (d[next] > d[k] + 1e-4) /* stopped falling: a local minimum */
            break;
        k = next;
    }
    return k;
}

/* How far the hips moved sideways over a rep: the smallest distance between
 * where they were at its start (or up to 1 s before) and at its end (or up to
 * 1 s after). A lunge's step out and back, which may straddle the rep's ends,
 * comes back to where it started; walking through never does. */
static double travel(const double *x, const double *ts, size_t n, size_t a, size_t b)
{
    double best = INFINITY;

    for (size_t k = b; k < n && ts[k] - ts[b] <= 1.0; k++)
        if (isfinite(x[a]) && isfinite(x[k]))
            best = fmin(best, fabs(x[k] - x[a]));
    for (size_t j = a + 1; j-- > 0 && ts[a] - ts[j] <= 1.0;)
        if (isfinite(x[j]) && isfinite(x[b]))
            best = fmin(best, fabs(x[b] - x[j]));
    return isfinite(best) ? best : 0.0;
}

static void timing(fc_rep *r, const double *d, const double *ts)
{
    double amp = r->amplitude, hi = r->baseline + 0.98 * amp;
    size_t first = r->bottom, last = r->bottom;

    for (size_t k = r->start; k <= r->bottom; k++)
        if (isfinite(d[k]) && d[k] >= hi) {
            first = k;
            break;
        }
    for (size_t k = r->end + 1; k-- > r->bottom;)
        if (isfinite(d[k]) && d[k] >= hi) {
            last = k;
            break;
        }
    /* The bottom is the middle of the band within 2% of the peak: a pause's
     * middle, and less sensitive to a noisy peak than the arg-max. */
    double mid_t = 0.5 * (ts[first] + ts[last]);
    for (size_t k = first; k <= last; k++)
        if (fabs(ts[k] - mid_t) < fabs(ts[r->bottom] - mid_t) || r->bottom < first || r->bottom > last)
            r->bottom = k;
    r->start_s = ts[r->start];
    r->bottom_s = ts[r->bottom];
    r->end_s = ts[r->end];
    r->descent_s = ts[first] - ts[r->start];
    r->pause_s = ts[last] - ts[first];
    r->ascent_s = ts[r->end] - ts[last];
}

int fc_reps_detect(fc_rep *out, size_t cap, size_t *n_out, const double *d, const double *hip_x,
                   const double *ts, size_t n, const fc_reps_opts *opts)
{
    fc_reps_opts o = opts ? *opts : fc_reps_default_opts();
    int down = 0, armed = 1;
    size_t nr = 0, cross = 0, peak = 0, last_valid = 0;
    double base = 0.0;

    if (!n_out || (n && (!d || !ts)) || (cap && !out) || !(o.enter > o.exit) || !(o.exit > 0) ||
        !(o.min_amplitude >= o.enter) || !(o.baseline_s > 0) || o.max_gap_s < 0 || !(o.max_travel > 0))
        return FC_EINVAL;
    *n_out = 0;
    for (size_t t = 0; t < n; t++) {
        if (!isfinite(d[t])) {
            if (down && ts[t] - ts[last_valid] > o.max_gap_s) {
                down = 0; /* lost for too long inside a rep: drop it, and */
                armed = 0; /* wait for standing before the next one */
            }
            continue;
        }
        last_valid = t;
        if (!down) {
            double b = baseline_at(d, ts, t, o.baseline_s);
            if (!armed) {
                armed = d[t] - b < o.exit && t > 0 && isfinite(d[t - 1]) && d[t] <= d[t - 1] + 1e-9;
                continue;
            }
            if (d[t] - b > o.enter) {
                down = 1;
                base = b;
                cross = t;
                peak = t;
            }
            continue;
        }
        if (d[t] > d[peak])
            peak = t;
        double amp = d[peak] - base;
        if (d[t] - base >= fmax(o.exit, o.exit_frac * amp))
            continue;
        /* Back up: close the rep. */
        down = 0;
        fc_rep r;
        memset(&r, 0, sizeof r);
        r.baseline = base;
        r.amplitude = amp;
        r.bottom = peak;
        double settle = fmax(o.settle, o.settle_frac * amp);
        r.start = refine(d, ts, n, cross, -1, base, settle);
        r.end = refine(d, ts, n, t, +1, base, settle);
        double dur = ts[r.end] - ts[r.start];
        if (amp < o.min_amplitude || dur < o.min_duration_s || dur > o.max_duration_s)
            continue;
        if (hip_x && travel(hip_x, ts, n, r.start, r.end) > o.max_travel)
            continue; /* walking, not a rep */
        timing(&r, d, ts);
        if (nr < cap)
            out[nr] = r;
        nr++;
        t = r.end; /* the next rep starts after this one's end */
    }
    *n_out = nr < cap ? nr : cap;
    return 0;
}
