/* test_imgwarp.c - rotated crops and letterboxing into planar RGB float buffers,
 * by hand on small frames and value for value against OpenCV's warpAffine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formcheck/error.h"
#include "formcheck/imgwarp.h"
#include "imgwarp_cvref.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define W 8
#define H 4

/* Left half blue, right half red; row 0 of the right half green instead. BGR bytes. */
static void make_frame(fc_frame *f, uint8_t *px)
{
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            uint8_t *p = px + (y * W + x) * 3;
            if (x < W / 2) {
                p[0] = 255, p[1] = 0, p[2] = 0;
            } else if (y == 0) {
                p[0] = 0, p[1] = 255, p[2] = 0;
            } else {
                p[0] = 0, p[1] = 0, p[2] = 255;
            }
        }
    *f = (fc_frame){px, W, H, W * 3, 0, 0.0, NULL};
}

/* planar RGB value at (x, y) of an out_w x out_h buffer */
static float at(const float *buf, int out_w, int out_h, int ch, int x, int y)
{
    return buf[(size_t)ch * out_w * out_h + (size_t)y * out_w + x];
}

static void test_identity_crop(void **state)
{
    (void)state;
    uint8_t px[W * H * 3];
    fc_frame f;
    float out[3 * W * H];
    char err[FC_ERRBUF_SIZE];
    fc_imgwarp *iw = NULL;
    make_frame(&f, px);
    assert_int_equal(fc_imgwarp_create(&iw, NULL, err, sizeof err), 0);
    fc_roi r = {W / 2.0f, H / 2.0f, W, H, 0.0f};
    assert_int_equal(fc_imgwarp_roi(iw, out, W, H, &f, &r, 0.0f, 1.0f, FC_BORDER_ZERO, err, sizeof err), 0);
    /* exact copy, channels swapped to RGB, scaled to [0,1] */
    assert_true(at(out, W, H, 2, 0, 0) == 1.0f && at(out, W, H, 0, 0, 0) == 0.0f); /* blue */
    assert_true(at(out, W, H, 0, 7, 3) == 1.0f && at(out, W, H, 2, 7, 3) == 0.0f); /* red */
    assert_true(at(out, W, H, 1, 6, 0) == 1.0f && at(out, W, H, 0, 6, 0) == 0.0f); /* green */
    /* range [-1,1] */
    assert_int_equal(fc_imgwarp_roi(iw, out, W, H, &f, &r, -1.0f, 1.0f, FC_BORDER_ZERO, err, sizeof err), 0);
    assert_true(at(out, W, H, 2, 0, 0) == 1.0f && at(out, W, H, 0, 0, 0) == -1.0f);
    fc_imgwarp_free(iw);
}

static void test_rotated_crop(void **state)
{
    (void)state;
    uint8_t px[W * H * 3];
    fc_frame f;
    float out[3 * 4 * 4];
    char err[FC_ERRBUF_SIZE];
    fc_imgwarp *iw = NULL;
    make_frame(&f, px);
    assert_int_equal(fc_imgwarp_create(&iw, NULL, err, sizeof err), 0);
    /* 4x4 square over the right half, turned 90 degrees clockwise. Output pixel (X, Y)
     * samples the frame at (8 - Y, X): the frame's green top row becomes the output's
     * left column, and output row 0 samples column 8, outside the frame (zero border). */
    fc_roi r = {6.0f, 2.0f, 4.0f, 4.0f, (float)(M_PI / 2)};
    assert_int_equal(fc_imgwarp_roi(iw, out, 4, 4, &f, &r, 0.0f, 1.0f, FC_BORDER_ZERO, err, sizeof err), 0);
    for (int y = 1; y < 4; y++) {
        assert_true(at(out, 4, 4, 1, 0, y) == 1.0f && at(out, 4, 4, 0, 0, y) == 0.0f); /* green */
        assert_true(at(out, 4, 4, 0, 2, y) == 1.0f && at(out, 4, 4, 1, 2, y) == 0.0f); /* red */
    }
    for (int x = 0; x < 4; x++)
        assert_true(at(out, 4, 4, 0, x, 0) == 0.0f && at(out, 4, 4, 1, x, 0) == 0.0f);
    /* the same with a replicated border: row 0 repeats column 7 */
    assert_int_equal(fc_imgwarp_roi(iw, out, 4, 4, &f, &r, 0.0f, 1.0f, FC_BORDER_REPLICATE, err, sizeof err), 0);
    assert_true(at(out, 4, 4, 1, 0, 0) == 1.0f && at(out, 4, 4, 0, 2, 0) == 1.0f);
    fc_imgwarp_free(iw);
}

static void test_letterbox(void **state)
{
    (void)state;
    uint8_t px[W * H * 3];
    fc_frame f;
    float out[3 * 8 * 8], pad[4];
    char err[FC_ERRBUF_SIZE];
    fc_imgwarp *iw = NULL;
    make_frame(&f, px);
    assert_int_equal(fc_imgwarp_create(&iw, NULL, err, sizeof err), 0);
    assert_int_equal(fc_imgwarp_letterbox(iw, out, 8, &f, -1.0f, 1.0f, pad, err, sizeof err), 0);
    assert_true(fabsf(pad[1] - 0.25f) < 1e-6f && fabsf(pad[3] - 0.25f) < 1e-6f && pad[0] == 0.0f);
    /* two rows of zero border top and bottom become -1 in every channel */
    for (int x = 0; x < 8; x++)
        for (int ch = 0; ch < 3; ch++) {
            assert_true(at(out, 8, 8, ch, x, 0) == -1.0f);
            assert_true(at(out, 8, 8, ch, x, 7) == -1.0f);
        }
    /* the frame itself in rows 2..5: blue left, red right (row 3 = frame row 1) */
    assert_true(at(out, 8, 8, 2, 1, 3) == 1.0f);
    assert_true(at(out, 8, 8, 0, 6, 4) == 1.0f);
    fc_imgwarp_free(iw);
}

static void test_errors(void **state)
{
    (void)state;
    uint8_t px[W * H * 3];
    fc_frame f;
    float out[3 * 4 * 4];
    char err[FC_ERRBUF_SIZE];
    fc_imgwarp *iw = NULL;
    make_frame(&f, px);
    assert_int_equal(fc_imgwarp_create(&iw, NULL, err, sizeof err), 0);
    fc_roi r = {2.0f, 2.0f, 0.0f, 4.0f, 0.0f};
    assert_int_equal(fc_imgwarp_roi(iw, out, 4, 4, &f, &r, 0.0f, 1.0f, FC_BORDER_ZERO, err, sizeof err), FC_EINVAL);
    r.w = NAN;
    assert_int_equal(fc_imgwarp_roi(iw, out, 4, 4, &f, &r, 0.0f, 1.0f, FC_BORDER_ZERO, err, sizeof err), FC_EINVAL);
    r.w = 4.0f;
    f.stride = 2;
    assert_int_equal(fc_imgwarp_roi(iw, out, 4, 4, &f, &r, 0.0f, 1.0f, FC_BORDER_ZERO, err, sizeof err), FC_EINVAL);
    f.stride = 3 * W;
    r.cx = 1e7f; /* fixed-point source coordinates would overflow */
    assert_int_equal(fc_imgwarp_roi(iw, out, 4, 4, &f, &r, 0.0f, 1.0f, FC_BORDER_ZERO, err, sizeof err), FC_EINVAL);
    assert_non_null(strstr(err, "too far outside"));
    r.cx = 2.0f;
    assert_int_equal(fc_imgwarp_roi(iw, out, 4, 4, &f, &r, 0.0f, 1.0f, FC_BORDER_ZERO, err, sizeof err), 0);
    fc_imgwarp_free(iw);
    fc_imgwarp_free(NULL);
}

static uint32_t rng_next(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static float rng_uniform(uint32_t *s, float lo, float hi)
{
    return lo + (hi - lo) * (float)(rng_next(s) >> 8) / (float)(1u << 24);
}

/* A w x h frame in a heap block of exactly h * stride bytes (so ASan sees any read
 * past it), random pixels, and random bytes in the row padding. */
static uint8_t *random_frame(fc_frame *f, int w, int h, int pad, uint32_t *seed)
{
    int stride = 3 * w + pad;
    uint8_t *px = malloc((size_t)h * stride);
    assert_non_null(px);
    for (size_t i = 0; i < (size_t)h * stride; i++)
        px[i] = (uint8_t)rng_next(seed);
    *f = (fc_frame){px, w, h, stride, 0, 0.0, NULL};
    return px;
}

/* Crops of `f` by both paths and both borders, each float equal to OpenCV's. */
static void expect_as_opencv(const fc_frame *f, const fc_roi *r, int out_w, int out_h, float lo, float hi)
{
    char err[FC_ERRBUF_SIZE];
    size_t n = 3 * (size_t)out_w * out_h;
    float *want = malloc(n * sizeof *want), *got = malloc(n * sizeof *got);
    assert_true(want && got);
    for (int simd = 0; simd < 2; simd++) {
        fc_imgwarp_opts o = fc_imgwarp_default_opts();
        o.simd = simd;
        fc_imgwarp *iw = NULL;
        assert_int_equal(fc_imgwarp_create(&iw, &o, err, sizeof err), 0);
        for (int rep = 0; rep < 2; rep++) {
            assert_int_equal(fc_test_cv_warp(want, out_w, out_h, f, r, lo, hi, rep), 0);
            memset(got, 0x7f, n * sizeof *got);
            assert_int_equal(fc_imgwarp_roi(iw, got, out_w, out_h, f, r, lo, hi,
                                            rep ? FC_BORDER_REPLICATE : FC_BORDER_ZERO, err, sizeof err), 0);
            for (size_t i = 0; i < n; i++)
                if (got[i] != want[i])
                    fail_msg("simd %d border %d: %dx%d from %dx%d roi (%g,%g %gx%g rot %g): value %zu is %.9g, "
                             "OpenCV %.9g", simd, rep, out_w, out_h, f->width, f->height, r->cx, r->cy, r->w,
                             r->h, r->rotation, i, got[i], want[i]);
        }
        fc_imgwarp_free(iw);
    }
    free(want);
    free(got);
}

static void test_random_rois_match_opencv(void **state)
{
    (void)state;
    static const int sizes[][2] = {{640, 360}, {37, 23}, {2, 2}, {1, 1}, {9, 300}};
    static const int outs[][2] = {{256, 256}, {224, 224}, {13, 7}, {1, 1}, {8, 3}};
    uint32_t seed = 0x2545f491u;
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
        fc_frame f;
        int w = sizes[si][0], h = sizes[si][1];
        uint8_t *px = random_frame(&f, w, h, si % 2 ? 5 : 0, &seed);
        for (int k = 0; k < 40; k++) {
            int side = w > h ? w : h;
            fc_roi r = {rng_uniform(&seed, -0.3f * w, 1.3f * w), rng_uniform(&seed, -0.3f * h, 1.3f * h),
                        rng_uniform(&seed, 0.05f, 1.5f) * side, rng_uniform(&seed, 0.05f, 1.5f) * side,
                        k % 4 == 0 ? 0.0f : rng_uniform(&seed, -3.2f, 3.2f)};
            const int *o = outs[k % 5];
            expect_as_opencv(&f, &r, o[0], o[1], k % 2 ? -1.0f : 0.0f, 1.0f);
        }
        free(px);
    }
}

/* Sample positions on the 1/32 px grid exactly (identity, 2x, the frame's
 * bottom-right corner), where the bilinear weights are 32*32 and 0. */
static void test_grid_positions_match_opencv(void **state)
{
    (void)state;
    uint32_t seed = 7u;
    fc_frame f;
    uint8_t *px = random_frame(&f, 64, 48, 0, &seed);
    const fc_roi rois[] = {
        {32.0f, 24.0f, 64.0f, 48.0f, 0.0f},  /* identity */
        {32.0f, 24.0f, 64.0f, 48.0f, 0.0f},  /* 2x down (output 32x24 below) */
        {56.0f, 40.0f, 16.0f, 16.0f, 0.0f},  /* the bottom-right corner, inside */
        {60.0f, 44.0f, 16.0f, 16.0f, 0.0f},  /* past it */
        {32.0f, 24.0f, 48.0f, 48.0f, (float)(M_PI / 2)},
    };
    expect_as_opencv(&f, &rois[0], 64, 48, 0.0f, 1.0f);
    expect_as_opencv(&f, &rois[1], 32, 24, 0.0f, 1.0f);
    expect_as_opencv(&f, &rois[2], 16, 16, 0.0f, 1.0f);
    expect_as_opencv(&f, &rois[3], 16, 16, -1.0f, 1.0f);
    expect_as_opencv(&f, &rois[4], 48, 48, 0.0f, 1.0f);
    free(px);
}

/* The AVX2 path is what the comparisons above exercise on this machine. */
static void test_simd_in_use(void **state)
{
    (void)state;
    char err[FC_ERRBUF_SIZE];
    fc_imgwarp *iw = NULL;
    fc_imgwarp_opts o = fc_imgwarp_default_opts();
    assert_int_equal(fc_imgwarp_create(&iw, &o, err, sizeof err), 0);
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2"))
        assert_int_equal(fc_imgwarp_uses_avx2(iw), 1);
#endif
    fc_imgwarp_free(iw);
    o.simd = 0;
    assert_int_equal(fc_imgwarp_create(&iw, &o, err, sizeof err), 0);
    assert_int_equal(fc_imgwarp_uses_avx2(iw), 0);
    fc_imgwarp_free(iw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identity_crop),
        cmocka_unit_test(test_rotated_crop),
        cmocka_unit_test(test_letterbox),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_random_rois_match_opencv),
        cmocka_unit_test(test_grid_positions_match_opencv),
        cmocka_unit_test(test_simd_in_use),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
