/* test_legplane.c - leg-plane back-projection (formcheck/legplane.h): a leg
 * bent in a vertical plane turned out of the image plane by a known yaw,
 * projected through a pinhole camera (level or pitched), comes back with its
 * true knee angle; the per-set yaw from noisy world landmarks; errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "formcheck/error.h"
#include "formcheck/legplane.h"
#include "formcheck/smooth.h"

#define PI 3.14159265358979323846
#define RAD(d) ((d) * PI / 180.0)
#define DEGS(r) ((r) * 180.0 / PI)

typedef struct v3 {
    double x, y, z;
} v3;

static v3 add(v3 a, v3 b) { return (v3){a.x + b.x, a.y + b.y, a.z + b.z}; }
static v3 sub(v3 a, v3 b) { return (v3){a.x - b.x, a.y - b.y, a.z - b.z}; }
static v3 mul(v3 a, double k) { return (v3){a.x * k, a.y * k, a.z * k}; }
static double dot(v3 a, v3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }

static double flexion(v3 h, v3 k, v3 a)
{
    v3 u = sub(h, k), v = sub(a, k);
    double c = dot(u, v) / sqrt(dot(u, u) * dot(v, v));
    return 180.0 - DEGS(acos(c > 1 ? 1 : c < -1 ? -1 : c));
}

/* Pitch the camera down by p: world (y down) -> camera axes. */
static v3 pitch_rot(v3 w, double p_deg)
{
    double c = cos(RAD(p_deg)), s = sin(RAD(p_deg));
    return (v3){w.x, c * w.y - s * w.z, s * w.y + c * w.z};
}

/* A leg in world axes (x right, y down, z away; the camera at the origin,
 * 1 m above the floor): knee 3 m away, 0.5 m above the floor, x0 to the
 * side; the leg in the vertical plane whose normal is turned by yaw from the
 * viewing direction; the shin tilted 30 deg forward, the thigh at the knee's
 * inner angle 180 - flex from it, rising backwards. */
static void make_leg(v3 out[3], double yaw_deg, double flex_deg, double x0)
{
    v3 F = {cos(RAD(yaw_deg)), 0, sin(RAD(yaw_deg))}, U = {0, -1, 0}; /* in-plane: forward, up */
    v3 knee = {x0, 0.5, 3.0};
    double st = RAD(30), in = RAD(180 - flex_deg);
    double f = -sin(st), u = -cos(st); /* knee to ankle: down and back */
    /* knee to hip: that direction turned by the inner angle, back and up */
    double fh = f * cos(in) + u * sin(in), uh = -f * sin(in) + u * cos(in);
    out[0] = add(knee, mul(add(mul(F, fh), mul(U, uh)), 0.43)); /* hip */
    out[1] = knee;
    out[2] = add(knee, mul(add(mul(F, f), mul(U, u)), 0.43)); /* ankle */
}

static void project(double px[][2], const v3 *p, size_t n, const fc_pinhole *c)
{
    for (size_t i = 0; i < n; i++) {
        px[i][0] = c->cx + c->f_px * p[i].x / p[i].z;
        px[i][1] = c->cy + c->f_px * p[i].y / p[i].z;
    }
}

static double image_flexion(double px[3][2])
{
    v3 h = {px[0][0], px[0][1], 0}, k = {px[1][0], px[1][1], 0}, a = {px[2][0], px[2][1], 0};
    return flexion(h, k, a);
}

static double backprojected_flexion(double px[3][2], double yaw, const double up[3], const fc_pinhole *c)
{
    double n[3], pts[3][3];
    fc_leg_plane_normal(n, yaw, up);
    assert_int_equal(fc_plane_backproject(pts, (const double (*)[2])px, 3, 1, n, c), 0);
    return flexion((v3){pts[0][0], pts[0][1], pts[0][2]}, (v3){pts[1][0], pts[1][1], pts[1][2]},
                   (v3){pts[2][0], pts[2][1], pts[2][2]});
}

/* The leg as built has the flexion asked for. */
static void test_make_leg(void **state)
{
    (void)state;
    v3 leg[3];
    make_leg(leg, 20, 115, 0.2);
    assert_true(fabs(flexion(leg[0], leg[1], leg[2]) - 115.0) < 1e-9);
    assert_true(leg[0].y < leg[1].y); /* hip above the knee (y down) */
    make_leg(leg, 0, 125, 0.2);
    assert_true(fabs(flexion(leg[0], leg[1], leg[2]) - 125.0) < 1e-9);
    assert_true(leg[0].x < leg[1].x && leg[2].x < leg[1].x); /* hip and ankle behind the knee */
}

/* Level camera, 60 deg lens: legs turned 0-35 deg out of the image plane come
 * back with their true knee angle (to 1e-6 deg with the true focal length),
 * where the plain 2D angle is off by degrees; with the guessed focal length
 * (image width) within 0.5 deg. */
static void test_backproject_yawed_leg(void **state)
{
    (void)state;
    const double up[3] = {0, -1, 0}, yaws[] = {0, 10, -10, 25, -35}, flexes[] = {30, 90, 125};
    fc_pinhole cam = {320.0 / tan(RAD(30)), 320, 240}, guess = fc_pinhole_guess(640, 480);
    double worst_2d = 0;

    assert_true(fabs(guess.f_px - 640) < 1e-9 && fabs(guess.cx - 320) < 1e-9 && fabs(guess.cy - 240) < 1e-9);
    for (size_t i = 0; i < sizeof yaws / sizeof yaws[0]; i++)
        for (size_t j = 0; j < sizeof flexes / sizeof flexes[0]; j++) {
            v3 leg[3];
            double px[3][2];
            make_leg(leg, yaws[i], flexes[j], 0.25);
            project(px, leg, 3, &cam);
            assert_true(fabs(backprojected_flexion(px, yaws[i], up, &cam) - flexes[j]) < 1e-6);
            assert_true(fabs(backprojected_flexion(px, yaws[i], up, &guess) - flexes[j]) < 0.5);
            worst_2d = fmax(worst_2d, fabs(image_flexion(px) - flexes[j]));
        }
    assert_true(worst_2d > 3.0); /* the 2D angle alone is not good enough */
}

/* A camera pitched down 15 deg: with "up" in camera axes the same holds. */
static void test_backproject_pitched_camera(void **state)
{
    (void)state;
    const double pitch = 15;
    v3 upc = pitch_rot((v3){0, -1, 0}, pitch);
    const double up[3] = {upc.x, upc.y, upc.z};
    fc_pinhole cam = {554.0, 320, 240};
    for (double yaw = -20; yaw <= 20; yaw += 10) {
        v3 leg[3], cl[3];
        double px[3][2];
        make_leg(leg, yaw, 110, -0.1);
        for (int i = 0; i < 3; i++)
            cl[i] = pitch_rot(leg[i], pitch);
        project(px, cl, 3, &cam);
        assert_true(fabs(backprojected_flexion(px, yaw, up, &cam) - 110.0) < 1e-6);
    }
}

/* The plane's distance does not matter: the anchor only sets the scale. */
static void test_backproject_scale_free(void **state)
{
    (void)state;
    const double up[3] = {0, -1, 0};
    double n[3], a[3][3], b[3][3], px[3][2] = {{300, 200}, {340, 260}, {330, 330}};
    fc_pinhole cam = fc_pinhole_guess(640, 480);
    fc_leg_plane_normal(n, 12, up);
    assert_int_equal(fc_plane_backproject(a, (const double (*)[2])px, 3, 1, n, &cam), 0);
    assert_int_equal(fc_plane_backproject(b, (const double (*)[2])px, 3, 0, n, &cam), 0);
    assert_true(fabs(a[1][2] - 1.0) < 1e-12); /* the anchor lands at depth 1 */
    assert_true(fabs(b[0][2] - 1.0) < 1e-12);
    double k = b[2][0] / a[2][0];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            assert_true(fabs(b[i][j] - k * a[i][j]) < 1e-9);
}

static void test_normal(void **state)
{
    (void)state;
    const double up[3] = {0, -1, 0};
    double n[3];
    fc_leg_plane_normal(n, 0, up);
    assert_true(fabs(n[0]) < 1e-12 && fabs(n[1]) < 1e-12 && fabs(n[2] - 1) < 1e-12);
    fc_leg_plane_normal(n, 90, up);
    assert_true(fabs(fabs(n[0]) - 1) < 1e-12 && fabs(n[2]) < 1e-12);
    v3 upc = pitch_rot((v3){0, -1, 0}, 20);
    const double up2[3] = {upc.x, upc.y, upc.z};
    fc_leg_plane_normal(n, 30, up2);
    assert_true(fabs(n[0] * n[0] + n[1] * n[1] + n[2] * n[2] - 1) < 1e-12);
    assert_true(fabs(n[0] * up2[0] + n[1] * up2[1] + n[2] * up2[2]) < 1e-12); /* vertical plane */
    const double straight_down[3] = {0, 0, 1};
    fc_leg_plane_normal(n, 0, straight_down);
    assert_true(isnan(n[0]));
}

static void test_backproject_errors(void **state)
{
    (void)state;
    const double up[3] = {0, -1, 0};
    double n[3], out[3][3], px[3][2] = {{300, 200}, {340, 260}, {330, 330}};
    fc_pinhole cam = fc_pinhole_guess(640, 480), bad = {0, 320, 240};
    const double not_unit[3] = {0, 0, 2};
    fc_leg_plane_normal(n, 89, up); /* nearly edge-on: rays lie in the plane */
    assert_int_equal(fc_plane_backproject(out, (const double (*)[2])px, 3, 1, n, &cam), FC_EINVAL);
    fc_leg_plane_normal(n, 0, up);
    assert_int_equal(fc_plane_backproject(out, (const double (*)[2])px, 3, 3, n, &cam), FC_EINVAL);
    assert_int_equal(fc_plane_backproject(out, (const double (*)[2])px, 3, 1, n, &bad), FC_EINVAL);
    assert_int_equal(fc_plane_backproject(out, (const double (*)[2])px, 3, 1, not_unit, &cam), FC_EINVAL);
    assert_int_equal(fc_plane_backproject(NULL, (const double (*)[2])px, 3, 1, n, &cam), FC_EINVAL);
}

/* Deterministic noise in [-1, 1]. */
static double noise(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return (double)(*s >> 8) / (double)(1u << 23) - 1.0;
}

static void put_leg(fc_pose_result *r, int side, const v3 leg[3], double knee_dz)
{
    const int ids[3] = {FC_LM_LEFT_HIP + side, FC_LM_LEFT_KNEE + side, FC_LM_LEFT_ANKLE + side};
    for (int i = 0; i < 3; i++) {
        r->world[ids[i]] = (fc_point3){(float)leg[i].x, (float)leg[i].y, (float)(leg[i].z + (i == 1 ? knee_dz : 0))};
        r->lm[ids[i]].visibility = r->lm[ids[i]].presence = 0.9f;
    }
}

/* Per-set yaw: the median over bent frames of a set whose world knees wobble
 * in depth by +-5 cm (6 deg out of the plane on a 43 cm segment), ignoring straight legs and frames before the set (depth
 * < 0.1) that lie in another plane; NAN for a leg never seen. */
static void test_plane_yaw(void **state)
{
    (void)state;
    enum { N = 200 };
    static fc_pose_result p[N];
    static fc_body s[N];
    double depth[N], yaw[2];
    const double up[3] = {0, -1, 0};
    uint32_t rng = 7;

    memset(p, 0, sizeof p);
    for (int t = 0; t < N; t++) {
        v3 l[3], r[3];
        double flex = t < 40 ? 60 : 5 + 120 * fabs(sin(t * 0.05)), yl = t < 40 ? 50 : 12, yr = t < 40 ? 50 : -7;
        p[t].found = 1;
        p[t].t_s = t / 30.0;
        make_leg(l, yl, flex, 0.0);
        make_leg(r, yr, flex, 0.0);
        put_leg(&p[t], FC_SIDE_LEFT, l, 0.05 * noise(&rng));
        put_leg(&p[t], FC_SIDE_RIGHT, r, 0.05 * noise(&rng));
        fc_body_from_pose(&s[t], &p[t]);
        depth[t] = t < 40 ? 0.02 : flex / 250.0;
    }
    assert_int_equal(fc_leg_plane_yaw(yaw, s, N, depth, up, 0.5f), 0);
    assert_true(fabs(yaw[0] - 12) < 1.5);
    assert_true(fabs(yaw[1] + 7) < 1.5);
    /* Without the depth gate the 40 walking-in frames at 50 deg still lose the vote. */
    assert_int_equal(fc_leg_plane_yaw(yaw, s, N, NULL, up, 0.5f), 0);
    assert_true(fabs(yaw[0] - 12) < 2.5);
    /* The right leg hidden: its yaw is unknown. */
    for (int t = 0; t < N; t++)
        s[t].lm[FC_B(FC_LM_RIGHT_KNEE)].visibility = 0.1f;
    assert_int_equal(fc_leg_plane_yaw(yaw, s, N, depth, up, 0.5f), 0);
    assert_true(fabs(yaw[0] - 12) < 1.5);
    assert_true(isnan(yaw[1]));
    /* Fewer than 5 usable frames: unknown. */
    assert_int_equal(fc_leg_plane_yaw(yaw, s + 40, 4, depth + 40, up, 0.5f), 0);
    assert_true(isnan(yaw[0]));
    assert_int_equal(fc_leg_plane_yaw(NULL, s, N, depth, up, 0.5f), FC_EINVAL);
    assert_int_equal(fc_leg_plane_yaw(yaw, NULL, 3, depth, up, 0.5f), FC_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_make_leg),
        cmocka_unit_test(test_backproject_yawed_leg),
        cmocka_unit_test(test_backproject_pitched_camera),
        cmocka_unit_test(test_backproject_scale_free),
        cmocka_unit_test(test_normal),
        cmocka_unit_test(test_backproject_errors),
        cmocka_unit_test(test_plane_yaw),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
