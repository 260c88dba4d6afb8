/* synth_camera.c - the virtual camera (pinhole, shake, mirror) and the keypoints
 * a perfect BlazePose would report for the posed body. */
#include <math.h>
#include <string.h>

#include "formcheck/error.h"
#include "formcheck/keypoints.h"
#include "synth_internal.h"

static const v3 UP = {0, 1, 0};

/* Smooth pseudo-random wobble in [-1, 1]: three incommensurate sines. */
static double wobble(uint64_t seed, int stream, double t)
{
    static const double hz[3] = {0.53, 1.31, 2.77};
    fc_synth_rng rng;
    double sum = 0;

    fc_synth_rng_seed(&rng, seed, 100 + (uint64_t)stream);
    for (int k = 0; k < 3; k++)
        sum += sin(2 * FC_SYNTH_PI * (hz[k] * t + fc_synth_rng_uniform(&rng))) / (k + 1);
    return sum / (1 + 0.5 + 1.0 / 3);
}

void fc_synth_view_at(fc_synth_view *v, const fc_synth_scenario *sc, double t)
{
    const fc_synth_camera *c = &sc->cam;
    double az = deg2rad(c->azimuth_deg), pitch = deg2rad(c->pitch_deg), yaw = 0;
    v3 look;

    if (c->shake_deg > 0) {
        pitch += deg2rad(c->shake_deg) * wobble(sc->seed, 0, t);
        yaw = deg2rad(c->shake_deg) * wobble(sc->seed, 1, t);
    }
    /* the camera stands at azimuth az around the spot (0 = in front, 90 = at the
     * person's left, which is -z) and looks back at it */
    v->pos = v3make(c->distance_m * cos(az), c->height_m, -c->distance_m * sin(az));
    look = v3rot(v3make(-cos(az), 0, sin(az)), UP, yaw);
    v->right = v3norm(v3cross(look, UP));
    v->fwd = v3norm(v3sub(v3scale(look, cos(pitch)), v3scale(UP, sin(pitch))));
    v->down = v3cross(v->fwd, v->right);
    v->width = c->width;
    v->height = c->height;
    v->mirror = c->mirror;
    v->focal_px = 0.5 * c->width / tan(0.5 * deg2rad(c->hfov_deg));
    v->cx = 0.5 * c->width;
    v->cy = 0.5 * c->height;
}

int fc_synth_project(double *u_px, double *v_px, double *depth_m, const fc_synth_view *v, fc_synth_vec3 p)
{
    v3 d = v3sub(p, v->pos);
    double x = v3dot(d, v->right), y = v3dot(d, v->down), z = v3dot(d, v->fwd);
    double u;

    if (depth_m)
        *depth_m = z;
    if (z <= 1e-6)
        return -1;
    u = v->cx + v->focal_px * x / z;
    if (v->mirror)
        u = v->width - u;
    *u_px = u;
    *v_px = v->cy + v->focal_px * y / z;
    return 0;
}

/* 1 for the person's left points, 0 right, -1 the nose. */
static int side_of(int id)
{
    int m = fc_landmark_mirror(id);
    return m == id ? -1 : m > id;
}

/* Lower visibility for points on the far side of the body or a face turned away. */
static float visibility(const fc_synth_skeleton *sk, const fc_synth_view *v, int id)
{
    int side = side_of(id);
    double vis = 0.98;

    if (side >= 0) {
        v3 axis = id <= FC_LM_MOUTH_RIGHT ? sk->head_left : sk->trunk_left;
        double away = v3dot(side ? axis : v3scale(axis, -1), v->fwd);
        vis -= 0.55 * fmax(away, 0);
    }
    if (id <= FC_LM_MOUTH_RIGHT)
        vis -= 0.6 * fmax(v3dot(sk->head_fwd, v->fwd), 0);
    return (float)clampd(vis, 0.05, 1);
}

void fc_synth_keypoints(fc_pose_result *out, const fc_synth_scenario *sc, const fc_synth_skeleton *sk,
                        int64_t frame)
{
    fc_synth_view v;
    fc_synth_rng rng;
    double t = frame / sc->cam.fps, hu, hv, hd, jit = 0.3 * deg2rad(sc->noise_deg);
    v3 hip = v3scale(v3add(sk->p[FC_LM_LEFT_HIP], sk->p[FC_LM_RIGHT_HIP]), 0.5);

    memset(out, 0, sizeof *out);
    out->frame = frame;
    out->t_s = t;
    out->width = sc->cam.width;
    out->height = sc->cam.height;
    fc_synth_rng_seed(&rng, sc->seed, 1000 + (uint64_t)frame);
    if (sc->dropout > 0 && fc_synth_rng_uniform(&rng) < sc->dropout)
        return;
    fc_synth_view_at(&v, sc, t);
    if (fc_synth_project(&hu, &hv, &hd, &v, hip) < 0)
        return;
    out->found = 1;
    out->score = 1;
    for (int i = 0; i < FC_NUM_LANDMARKS; i++) {
        int src = sc->cam.mirror ? fc_landmark_mirror(i) : i;
        v3 p = sk->p[src], d;
        double u, vv, depth;
        fc_landmark *lm = &out->lm[i];

        if (jit > 0)
            p = v3add(p, v3make(jit * fc_synth_rng_gauss(&rng), jit * fc_synth_rng_gauss(&rng),
                                jit * fc_synth_rng_gauss(&rng)));
        d = v3sub(p, hip);
        out->world[i].x = (float)(v3dot(d, v.right) * (v.mirror ? -1 : 1));
        out->world[i].y = (float)v3dot(d, v.down);
        out->world[i].z = (float)v3dot(d, v.fwd);
        if (fc_synth_project(&u, &vv, &depth, &v, p) < 0) {
            u = vv = -1;
            depth = hd;
        }
        if (sc->noise_px > 0) {
            u += sc->noise_px * fc_synth_rng_gauss(&rng);
            vv += sc->noise_px * fc_synth_rng_gauss(&rng);
        }
        lm->x = (float)u;
        lm->y = (float)vv;
        lm->z = (float)((depth - hd) * v.focal_px / hd);
        lm->visibility = visibility(sk, &v, src);
        lm->presence = (u >= 0 && u < v.width && vv >= 0 && vv < v.height) ? 0.99f : 0.2f;
    }
}

int fc_synth_write_keypoints(const char *path, const fc_synth_scenario *sc, char *err, size_t errsz)
{
    fc_keypoints_writer *w = NULL;
    fc_synth_skeleton sk;
    fc_pose_result r;
    int64_t n = fc_synth_frame_count(sc);
    int rc;

    if ((rc = fc_keypoints_writer_open(&w, path, err, errsz)) < 0)
        return rc;
    for (int64_t i = 0; i < n; i++) {
        fc_synth_pose_at(&sk, sc, i / sc->cam.fps);
        fc_synth_keypoints(&r, sc, &sk, i);
        if ((rc = fc_keypoints_writer_write(w, &r)) < 0) {
            fc_keypoints_writer_free(w);
            return fc_set_error(err, errsz, rc, "%s: write failed", path);
        }
    }
    return fc_keypoints_writer_close(w, err, errsz);
}
