/* posefilter.c - one-euro and low-pass smoothing of landmarks (see formcheck/posefilter.h). */
#include "formcheck/posefilter.h"

#include <math.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* Values of mediapipe/tasks/cc/vision/pose_landmarker/pose_landmarks_detector_graph.cc. */
const fc_one_euro_params FC_SMOOTH_LANDMARKS = {0.05, 80.0, 1.0};
const fc_one_euro_params FC_SMOOTH_WORLD = {0.1, 40.0, 1.0};

#define DEFAULT_FREQUENCY 30.0

void fc_low_pass_init(fc_low_pass *f, float alpha)
{
    f->alpha = alpha;
    f->raw = f->stored = 0.0f;
    f->initialized = 0;
}

float fc_low_pass_apply(fc_low_pass *f, float value)
{
    float out = f->initialized ? f->alpha * value + (1.0f - f->alpha) * f->stored : value;
    f->initialized = 1;
    f->raw = value;
    f->stored = out;
    return out;
}

void fc_one_euro_init(fc_one_euro *f, const fc_one_euro_params *p)
{
    f->p = *p;
    f->frequency = DEFAULT_FREQUENCY;
    f->last_ns = 0;
    f->has_last = 0;
    fc_low_pass_init(&f->x, 0.0f);
    fc_low_pass_init(&f->dx, 0.0f);
}

static double alpha_for(double frequency, double cutoff)
{
    double te = 1.0 / frequency;
    double tau = 1.0 / (2.0 * M_PI * cutoff);
    return 1.0 / (1.0 + tau / te);
}

float fc_one_euro_apply(fc_one_euro *f, int64_t t_ns, double value_scale, float value)
{
    /* MediaPipe marks "no sample yet" with a zero time, so a first sample at t = 0
     * would pass through without starting the filter; its own VIDEO-mode output
     * (pose-reference) shows the first frame does start it, and so it does here. */
    if (f->has_last && f->last_ns >= t_ns)
        return value;
    if (f->has_last)
        f->frequency = 1.0 / ((double)(t_ns - f->last_ns) * 1e-9);
    f->last_ns = t_ns;
    f->has_last = 1;
    double dvalue = f->x.initialized ? (value - f->x.raw) * value_scale * f->frequency : 0.0;
    f->dx.alpha = (float)alpha_for(f->frequency, f->p.derivate_cutoff);
    double edvalue = fc_low_pass_apply(&f->dx, (float)dvalue);
    double cutoff = f->p.min_cutoff + f->p.beta * fabs(edvalue);
    f->x.alpha = (float)alpha_for(f->frequency, cutoff);
    return fc_low_pass_apply(&f->x, value);
}

void fc_point_smoother_init(fc_point_smoother *s, const fc_one_euro_params *p, float vis_alpha)
{
    s->p = *p;
    s->vis_alpha = vis_alpha;
    fc_point_smoother_reset(s);
}

void fc_point_smoother_reset(fc_point_smoother *s)
{
    for (int i = 0; i < FC_NUM_LANDMARKS; i++) {
        for (int k = 0; k < 3; k++)
            fc_one_euro_init(&s->f[i][k], &s->p);
        fc_low_pass_init(&s->vis[i], s->vis_alpha);
    }
}

void fc_point_smoother_landmarks(fc_point_smoother *s, fc_landmark *lm, int n, int64_t t_ns,
                                 float object_scale_px)
{
    /* MediaPipe smooths visibility first, then positions (both on the same frame). */
    double scale = object_scale_px > 0.0f ? 1.0 / object_scale_px : 1.0;
    if (n > FC_NUM_LANDMARKS)
        n = FC_NUM_LANDMARKS;
    for (int i = 0; i < n; i++) {
        lm[i].visibility = fc_low_pass_apply(&s->vis[i], lm[i].visibility);
        lm[i].x = fc_one_euro_apply(&s->f[i][0], t_ns, scale, lm[i].x);
        lm[i].y = fc_one_euro_apply(&s->f[i][1], t_ns, scale, lm[i].y);
        lm[i].z = fc_one_euro_apply(&s->f[i][2], t_ns, scale, lm[i].z);
    }
}

void fc_point_smoother_world(fc_point_smoother *s, fc_point3 *p, int n, int64_t t_ns)
{
    if (n > FC_NUM_LANDMARKS)
        n = FC_NUM_LANDMARKS;
    for (int i = 0; i < n; i++) {
        p[i].x = fc_one_euro_apply(&s->f[i][0], t_ns, 1.0, p[i].x);
        p[i].y = fc_one_euro_apply(&s->f[i][1], t_ns, 1.0, p[i].y);
        p[i].z = fc_one_euro_apply(&s->f[i][2], t_ns, 1.0, p[i].z);
    }
}
