/* test_posedetect.c - BlazePose geometry (anchors, decoding, NMS, ROI, projection) and smoothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "formcheck/error.h"
#include "formcheck/posedetect.h"
#include "formcheck/posefilter.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define near(a, b, tol) assert_true(fabs((double)(a) - (double)(b)) <= (tol))

static float logit(float p)
{
    return logf(p / (1.0f - p));
}

static void test_anchors(void **state)
{
    (void)state;
    static fc_anchor a[FC_POSE_NUM_ANCHORS + 1];
    assert_int_equal(fc_pose_anchors(a, FC_POSE_NUM_ANCHORS + 1), 2254);
    /* stride 8: 28x28 cells, 2 anchors each */
    near(a[0].x, 0.5 / 28, 1e-6);
    near(a[0].y, 0.5 / 28, 1e-6);
    near(a[1].x, 0.5 / 28, 1e-6);
    near(a[2].x, 1.5 / 28, 1e-6);
    near(a[0].w, 1.0, 0);
    near(a[0].h, 1.0, 0);
    near(a[1567].x, 27.5 / 28, 1e-6);
    near(a[1567].y, 27.5 / 28, 1e-6);
    /* stride 16: 14x14, 2 each */
    near(a[1568].x, 0.5 / 14, 1e-6);
    near(a[1568 + 391].y, 13.5 / 14, 1e-6);
    /* stride 32 (three layers merged): 7x7, 6 each */
    near(a[1960].x, 0.5 / 7, 1e-6);
    near(a[1965].x, 0.5 / 7, 1e-6);
    near(a[1966].x, 1.5 / 7, 1e-6);
    near(a[2253].x, 6.5 / 7, 1e-6);
    near(a[2253].y, 6.5 / 7, 1e-6);
    assert_int_equal(fc_pose_anchors(a, 100), FC_EINVAL);
}

static void test_decode(void **state)
{
    (void)state;
    static fc_anchor a[FC_POSE_NUM_ANCHORS];
    static float boxes[FC_POSE_NUM_ANCHORS * FC_POSE_DET_COORDS], scores[FC_POSE_NUM_ANCHORS];
    static fc_detection d[FC_POSE_NUM_ANCHORS];
    fc_pose_anchors(a, FC_POSE_NUM_ANCHORS);
    memset(boxes, 0, sizeof boxes);
    for (int i = 0; i < FC_POSE_NUM_ANCHORS; i++)
        scores[i] = -5.0f;
    /* anchor 100: x, y offsets of 22.4 px = 0.1; size 44.8 x 67.2 px = 0.2 x 0.3 */
    float *b = boxes + 100 * FC_POSE_DET_COORDS;
    b[0] = 22.4f;
    b[1] = -22.4f;
    b[2] = 44.8f;
    b[3] = 67.2f;
    for (int k = 0; k < 4; k++) {
        b[4 + 2 * k] = 2.24f * k;
        b[5 + 2 * k] = -2.24f * k;
    }
    scores[100] = logit(0.8f);
    scores[200] = 1000.0f;                   /* clipped to 100: score 1 */
    boxes[200 * FC_POSE_DET_COORDS + 2] = 10.0f;
    scores[300] = logit(0.9f);               /* negative width: dropped */
    boxes[300 * FC_POSE_DET_COORDS + 2] = -1.0f;
    scores[400] = NAN;                       /* dropped */
    scores[500] = logit(0.45f);              /* below threshold */
    int n = fc_pose_decode(d, FC_POSE_NUM_ANCHORS, boxes, scores, a, FC_POSE_NUM_ANCHORS, 0.5f);
    assert_int_equal(n, 2);
    near(d[0].score, 0.8, 1e-5);
    near(d[0].xmin, a[100].x + 0.1 - 0.1, 1e-5);
    near(d[0].xmax, a[100].x + 0.1 + 0.1, 1e-5);
    near(d[0].ymin, a[100].y - 0.1 - 0.15, 1e-5);
    near(d[0].ymax, a[100].y - 0.1 + 0.15, 1e-5);
    near(d[0].kp[3][0], a[100].x + 0.03, 1e-5);
    near(d[0].kp[3][1], a[100].y - 0.03, 1e-5);
    near(d[1].score, 1.0, 1e-6);
    near(d[1].xmax - d[1].xmin, 10.0 / 224, 1e-6);
    /* capacity respected */
    assert_int_equal(fc_pose_decode(d, 1, boxes, scores, a, FC_POSE_NUM_ANCHORS, 0.5f), 1);
}

static fc_detection det(float score, float x0, float y0, float x1, float y1)
{
    fc_detection d = {score, x0, y0, x1, y1, {{x0, y0}, {x1, y1}, {x0, y1}, {x1, y0}}};
    return d;
}

static void test_nms_weighted(void **state)
{
    (void)state;
    fc_detection d[4];
    d[0] = det(0.6f, 0.12f, 0.10f, 0.52f, 0.50f); /* overlaps the best one */
    d[1] = det(0.8f, 0.60f, 0.60f, 0.90f, 0.90f); /* separate person */
    d[2] = det(0.9f, 0.10f, 0.10f, 0.50f, 0.50f); /* best */
    d[3] = det(0.7f, 0.62f, 0.61f, 0.92f, 0.91f); /* overlaps the second */
    near(fc_detection_iou(&d[0], &d[2]), (0.38 * 0.4) / (0.16 + 0.16 - 0.38 * 0.4), 1e-5);
    near(fc_detection_iou(&d[0], &d[1]), 0.0, 0);
    int n = fc_pose_nms_weighted(d, 4, 0.5f);
    assert_int_equal(n, 2);
    near(d[0].score, 0.9, 1e-6); /* keeps the best score */
    near(d[0].xmin, (0.10 * 0.9 + 0.12 * 0.6) / 1.5, 1e-5);
    near(d[0].xmax, (0.50 * 0.9 + 0.52 * 0.6) / 1.5, 1e-5);
    near(d[0].ymin, 0.10, 1e-5);
    near(d[0].kp[1][0], (0.50 * 0.9 + 0.52 * 0.6) / 1.5, 1e-5);
    near(d[1].score, 0.8, 1e-6);
    near(d[1].xmin, (0.60 * 0.8 + 0.62 * 0.7) / 1.5, 1e-5);
    near(d[1].ymax, (0.90 * 0.8 + 0.91 * 0.7) / 1.5, 1e-5);
    /* a threshold above every IoU keeps all, sorted */
    d[0] = det(0.6f, 0.12f, 0.10f, 0.52f, 0.50f);
    d[1] = det(0.9f, 0.10f, 0.10f, 0.50f, 0.50f);
    assert_int_equal(fc_pose_nms_weighted(d, 2, 0.99f), 2);
    near(d[0].score, 0.9, 1e-6);
    near(d[0].xmin, 0.10, 1e-6);
    assert_int_equal(fc_pose_nms_weighted(d, 0, 0.5f), 0);
}

static void test_letterbox(void **state)
{
    (void)state;
    float pad[4];
    fc_letterbox_padding(640, 480, pad);
    near(pad[0], 0.0, 0);
    near(pad[1], 0.125, 1e-6);
    near(pad[3], 0.125, 1e-6);
    fc_letterbox_padding(480, 640, pad);
    near(pad[0], 0.125, 1e-6);
    near(pad[1], 0.0, 0);
    fc_roi r = fc_letterbox_roi(640, 480);
    near(r.cx, 320, 0);
    near(r.cy, 240, 0);
    near(r.w, 640, 0);
    near(r.h, 640, 0);
    fc_letterbox_padding(640, 480, pad);
    fc_detection d = det(1.0f, 0.25f, 0.125f, 0.75f, 0.875f);
    fc_detection_unletterbox(&d, 1, pad);
    near(d.xmin, 0.25, 1e-6);
    near(d.ymin, 0.0, 1e-6);
    near(d.ymax, 1.0, 1e-6);
    near(d.kp[2][1], 1.0, 1e-6);
}

static void test_roi(void **state)
{
    (void)state;
    /* upright person: scale point straight above the hips */
    fc_roi r = fc_roi_from_points(100, 200, 100, 100);
    near(r.cx, 100, 0);
    near(r.cy, 200, 0);
    near(r.w, 250, 1e-4);
    near(r.h, 250, 1e-4);
    near(r.rotation, 0, 1e-6);
    /* lying with the head to the right: the crop turns 90 degrees clockwise */
    r = fc_roi_from_points(100, 200, 200, 200);
    near(r.rotation, M_PI / 2, 1e-6);
    r = fc_roi_from_points(100, 200, 0, 200);
    near(r.rotation, -M_PI / 2, 1e-6);
    /* upside down wraps to -pi */
    r = fc_roi_from_points(100, 200, 100, 300);
    near(fabs(r.rotation), M_PI, 1e-6);
    near(fc_normalize_radians(3 * M_PI / 2), -M_PI / 2, 1e-6);
    near(fc_normalize_radians(-3 * M_PI / 2), M_PI / 2, 1e-6);
}

/* A ROI the crop can take and that could hold a person, against runaway ones. */
static void test_roi_usable(void **state)
{
    (void)state;
    fc_roi r = {320.0f, 240.0f, 300.0f, 300.0f, 0.3f};
    assert_int_equal(fc_roi_usable(&r, 640, 480), 1);
    r.cx = -1000.0f; /* off the frame, still near: usable (replicate border) */
    assert_int_equal(fc_roi_usable(&r, 640, 480), 1);
    r.cx = 4.0f * 1120.0f + 1.0f;
    assert_int_equal(fc_roi_usable(&r, 640, 480), 0);
    r.cx = 320.0f, r.w = 8.0f * 1120.0f;
    assert_int_equal(fc_roi_usable(&r, 640, 480), 0);
    r.w = 300.0f, r.h = 0.0f;
    assert_int_equal(fc_roi_usable(&r, 640, 480), 0);
    r.h = NAN;
    assert_int_equal(fc_roi_usable(&r, 640, 480), 0);
    r.h = 300.0f, r.rotation = INFINITY;
    assert_int_equal(fc_roi_usable(&r, 640, 480), 0);
    r.rotation = 0.0f;
    assert_int_equal(fc_roi_usable(&r, 0, 480), 0);
    assert_int_equal(fc_roi_usable(NULL, 640, 480), 0);
}

static void test_projection(void **state)
{
    (void)state;
    fc_roi r = fc_roi_from_points(100, 200, 200, 200); /* 250 px, rotated 90 degrees */
    float x, y;
    fc_roi_to_frame(&r, 0.5f, 0.5f, &x, &y);
    near(x, 100, 1e-4);
    near(y, 200, 1e-4);
    /* the crop's top (head side) lies toward the scale point, to the right */
    fc_roi_to_frame(&r, 0.5f, 0.0f, &x, &y);
    near(x, 225, 1e-3);
    near(y, 200, 1e-3);
    fc_roi_to_frame(&r, 1.0f, 0.5f, &x, &y);
    near(x, 100, 1e-3);
    near(y, 325, 1e-3);

    float raw[FC_POSE_LM_POINTS * 5] = {0}, world_raw[FC_POSE_LM_POINTS * 3] = {0};
    fc_landmark lm[FC_NUM_LANDMARKS];
    fc_point3 world[FC_NUM_LANDMARKS];
    float aux[2][2];
    raw[0] = 256.0f;         /* landmark 0 at the right-middle of the crop */
    raw[1] = 128.0f;
    raw[2] = 25.6f;          /* z = 0.1 of the crop width */
    raw[3] = 0.0f;           /* visibility logit 0 -> 0.5 */
    raw[4] = logit(0.9f);
    raw[33 * 5 + 0] = 128.0f; /* auxiliary 0 at the centre */
    raw[33 * 5 + 1] = 128.0f;
    world_raw[0] = 1.0f;
    world_raw[2] = 0.3f;
    fc_pose_landmarks_decode(lm, aux, world, raw, NULL, 0, world_raw, &r, 7, 0.5f);
    near(lm[0].x, 100, 1e-3);
    near(lm[0].y, 325, 1e-3);
    near(lm[0].z, 25, 1e-3);
    near(lm[0].visibility, 0.5, 1e-6);
    near(lm[0].presence, 0.9, 1e-5);
    near(aux[0][0], 100, 1e-3);
    near(aux[0][1], 200, 1e-3);
    near(world[0].x, 0, 1e-6);
    near(world[0].y, 1, 1e-6);
    near(world[0].z, 0.3, 1e-6);

    /* a full chain: detector keypoints in letterboxed coordinates -> frame -> ROI;
     * the crop centre lands back on the hip keypoint, in frame pixels */
    float pad[4];
    fc_letterbox_padding(640, 480, pad);
    fc_detection d = det(1.0f, 0.4f, 0.3f, 0.6f, 0.7f);
    d.kp[0][0] = 0.5f;
    d.kp[0][1] = 0.5f;
    d.kp[1][0] = 0.5f;
    d.kp[1][1] = 0.25f;
    fc_detection_unletterbox(&d, 1, pad);
    r = fc_roi_from_points(d.kp[0][0] * 640, d.kp[0][1] * 480, d.kp[1][0] * 640, d.kp[1][1] * 480);
    near(r.cx, 320, 1e-3);
    near(r.cy, 240, 1e-3);
    near(r.w, 2 * 1.25 * 0.25 * 640, 1e-2); /* 0.25 of the 640 px letterbox side */
    near(r.rotation, 0, 1e-6);
}

static void test_heatmap(void **state)
{
    (void)state;
    const int hw = FC_POSE_HEATMAP_SIZE, n = FC_POSE_LM_POINTS;
    float *hm = malloc(sizeof(float) * hw * hw * n);
    assert_non_null(hm);
    for (int i = 0; i < hw * hw * n; i++)
        hm[i] = -20.0f;
    /* landmark 0: two equal peaks at columns 20 and 21, row 30 */
    hm[((size_t)30 * hw + 20) * n + 0] = 5.0f;
    hm[((size_t)30 * hw + 21) * n + 0] = 5.0f;
    /* landmark 2: a peak outside the 7x7 window of its point */
    hm[((size_t)10 * hw + 10) * n + 2] = 5.0f;
    float pts[FC_POSE_LM_POINTS][2] = {{0}};
    pts[0][0] = 22.5f / hw;
    pts[0][1] = 31.2f / hw;
    pts[1][0] = 0.5f; /* no confident pixel: unchanged */
    pts[1][1] = 0.5f;
    pts[2][0] = 40.0f / hw;
    pts[2][1] = 40.0f / hw;
    pts[3][0] = 1.5f; /* outside: unchanged */
    pts[3][1] = 0.5f;
    float pts_planar[FC_POSE_LM_POINTS][2];
    memcpy(pts_planar, pts, sizeof pts);
    fc_pose_refine_heatmap(pts, n, hm, 0, hw, hw, 7, 0.5f);
    near(pts[0][0], 20.5 / hw, 1e-4);
    near(pts[0][1], 30.0 / hw, 1e-4);
    near(pts[1][0], 0.5, 0);
    near(pts[2][0], 40.0 / hw, 0);
    near(pts[3][0], 1.5, 0);
    /* The same heatmap as CHW planes (the network's order) refines identically. */
    float *chw = malloc(sizeof(float) * hw * hw * n);
    assert_non_null(chw);
    for (int y = 0; y < hw; y++)
        for (int x = 0; x < hw; x++)
            for (int k = 0; k < n; k++)
                chw[((size_t)k * hw + y) * hw + x] = hm[((size_t)y * hw + x) * n + k];
    fc_pose_refine_heatmap(pts_planar, n, chw, 1, hw, hw, 7, 0.5f);
    for (int k = 0; k < n; k++) {
        near(pts_planar[k][0], pts[k][0], 0);
        near(pts_planar[k][1], pts[k][1], 0);
    }
    free(chw);
    free(hm);
}

static fc_detection person(float score, float hx, float hy, float size)
{
    fc_detection d = det(score, hx - 0.05f, hy - size, hx + 0.05f, hy - size + 0.1f);
    d.kp[0][0] = hx, d.kp[0][1] = hy;        /* hips */
    d.kp[1][0] = hx, d.kp[1][1] = hy - size; /* scale point above */
    return d;
}

static void test_pick(void **state)
{
    (void)state;
    fc_detection d[3];
    memset(d, 0, sizeof d);
    assert_int_equal(fc_pose_pick(d, 0, 640, 480, NULL, 0.1f, 0.75f), -1);
    /* near-tie on score: the larger body wins, then the more central one */
    d[0] = person(0.90f, 0.2f, 0.6f, 0.10f);
    d[1] = person(0.85f, 0.5f, 0.6f, 0.20f);
    d[2] = person(0.60f, 0.5f, 0.5f, 0.40f); /* largest, but scores far lower */
    assert_int_equal(fc_pose_pick(d, 3, 640, 480, NULL, 0.1f, 0.75f), 1);
    d[1] = person(0.85f, 0.95f, 0.6f, 0.10f); /* same size as 0, at the edge */
    assert_int_equal(fc_pose_pick(d, 3, 640, 480, NULL, 0.1f, 0.75f), 0);
    /* no tie: the best score */
    d[1] = person(0.70f, 0.5f, 0.5f, 0.30f);
    assert_int_equal(fc_pose_pick(d, 2, 640, 480, NULL, 0.1f, 0.75f), 0);
    /* a person seen before: the detection nearest to where they were */
    fc_roi seen = {0.5f * 640, 0.5f * 480, 200.0f, 200.0f, 0.0f};
    assert_int_equal(fc_pose_pick(d, 2, 640, 480, &seen, 0.1f, 0.75f), 1);
    /* ...unless nobody is near: back to the first-detection rule */
    seen.cx = 10.0f, seen.cy = 10.0f, seen.w = seen.h = 20.0f;
    assert_int_equal(fc_pose_pick(d, 2, 640, 480, &seen, 0.1f, 0.75f), 0);
}

static void test_low_pass(void **state)
{
    (void)state;
    fc_low_pass f;
    fc_low_pass_init(&f, 0.1f);
    near(fc_low_pass_apply(&f, 0.0f), 0.0, 0);
    near(fc_low_pass_apply(&f, 1.0f), 0.1, 1e-6);
    near(fc_low_pass_apply(&f, 1.0f), 0.19, 1e-6);
}

static void test_one_euro_step(void **state)
{
    (void)state;
    fc_one_euro f;
    fc_one_euro_init(&f, &FC_SMOOTH_LANDMARKS);
    const int64_t dt = 33333333;
    /* the first sample, even at time 0, passes through and starts the filter */
    near(fc_one_euro_apply(&f, 0, 1.0 / 200, 100.0f), 100.0, 0);
    float v = fc_one_euro_apply(&f, dt, 1.0 / 200, 101.0f);
    assert_true(v > 100.0f && v < 101.0f); /* filtered from the first step on */
    for (int i = 2; i <= 10; i++)
        v = fc_one_euro_apply(&f, i * dt, 1.0 / 200, 100.0f);
    near(v, 100.0, 0.2);
    /* a repeated timestamp returns the input unchanged */
    near(fc_one_euro_apply(&f, 10 * dt, 1.0 / 200, 3.0f), 3.0, 0);
    /* step of 100 px on a 200 px person: follows most of it at once, never overshoots */
    float prev = 100.0f;
    for (int i = 11; i <= 20; i++) {
        v = fc_one_euro_apply(&f, i * dt, 1.0 / 200, 200.0f);
        assert_true(v > prev - 1e-3 && v <= 200.0f + 1e-3);
        if (i == 11)
            assert_true(v > 150.0f && v < 200.0f);
        prev = v;
    }
    assert_true(v > 195.0f);
    /* static: the first filtered step is an exponential average with the min-cutoff alpha */
    fc_one_euro_init(&f, &FC_SMOOTH_LANDMARKS);
    fc_one_euro_apply(&f, 0, 1.0, 10.0f);
    fc_one_euro_apply(&f, dt, 1.0, 10.0f);
    fc_one_euro_apply(&f, 2 * dt, 1.0, 10.0f);
    float te = 1.0f / 30, tau = 1.0f / (2 * (float)M_PI * 0.05f), alpha = 1.0f / (1.0f + tau / te);
    /* tiny change: derivative ~0, so the cutoff stays near min_cutoff */
    v = fc_one_euro_apply(&f, 3 * dt, 1e-6, 11.0f);
    near(v, 10.0 + alpha * 1.0, 1e-3);
}

static void test_one_euro_noise(void **state)
{
    (void)state;
    fc_point_smoother s;
    fc_landmark lm[1];
    fc_point_smoother_init(&s, &FC_SMOOTH_LANDMARKS, 0.1f);
    unsigned seed = 12345;
    double in_var = 0, out_var = 0;
    int count = 0;
    for (int i = 1; i <= 300; i++) {
        seed = seed * 1103515245u + 12345u;
        float noise = ((seed >> 16) & 0x7fff) / 32767.0f * 2.0f - 1.0f; /* +-1 px */
        lm[0] = (fc_landmark){300.0f + noise, 200.0f, 0.0f, (i % 2) ? 1.0f : 0.0f, 1.0f};
        fc_point_smoother_landmarks(&s, lm, 1, (int64_t)i * 33333333, 250.0f);
        if (i > 30) {
            in_var += noise * noise;
            out_var += (lm[0].x - 300.0) * (lm[0].x - 300.0);
            count++;
            assert_true(lm[0].visibility > 0.4f && lm[0].visibility < 0.6f); /* low-passed 0/1 flicker */
        }
    }
    assert_true(out_var / count < 0.25 * in_var / count);
    fc_point_smoother_reset(&s);
    lm[0] = (fc_landmark){10.0f, 20.0f, 0.0f, 1.0f, 1.0f};
    fc_point_smoother_landmarks(&s, lm, 1, 999999999, 250.0f);
    near(lm[0].x, 10.0, 0); /* after a reset the first sample passes through */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_anchors),     cmocka_unit_test(test_decode),
        cmocka_unit_test(test_nms_weighted), cmocka_unit_test(test_letterbox),
        cmocka_unit_test(test_roi),         cmocka_unit_test(test_projection),
        cmocka_unit_test(test_roi_usable),
        cmocka_unit_test(test_heatmap),     cmocka_unit_test(test_pick),
        cmocka_unit_test(test_low_pass),
        cmocka_unit_test(test_one_euro_step), cmocka_unit_test(test_one_euro_noise),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
