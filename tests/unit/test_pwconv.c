/* test_pwconv.c - the pointwise convolution kernel against a naive reference:
 * random shapes (odd channel counts, pixel counts below, at and across the
 * 16-pixel strip and the packed panel), bias, ReLU6 before and after a
 * residual, sub-ranges of channels and pixels, AVX2 and portable paths; and
 * KxK convolutions through im2col (strides 1-3, asymmetric zero padding, odd
 * image sizes, BlazePose's first layer and its 2x2 output heads). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formcheck/error.h"
#include "formcheck/pwconv.h"

static uint32_t rng_next(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* Uniform in [-4, 4): wide enough that both ReLU6 bounds clip some outputs. */
static float rnd(uint32_t *s) { return (float)(rng_next(s) % 8000u) / 1000.0f - 4.0f; }

static float clamp6(float v) { return v < 0.0f ? 0.0f : v > 6.0f ? 6.0f : v; }

static void reference(float *y, const float *w, const float *b, const float *x, const float *r, int cout, int cin,
                      int hw, int relu6, int relu6_add)
{
    for (int o = 0; o < cout; o++)
        for (int p = 0; p < hw; p++) {
            double acc = b ? b[o] : 0.0;
            for (int i = 0; i < cin; i++)
                acc += (double)w[(size_t)o * cin + i] * x[(size_t)i * hw + p];
            float v = (float)acc;
            if (relu6)
                v = clamp6(v);
            if (r) {
                v += r[(size_t)o * hw + p];
                if (relu6_add)
                    v = clamp6(v);
            }
            y[(size_t)o * hw + p] = v;
        }
}

/* Runs one case on [o0, o1) x [p0, p1) and checks every output: computed ones
 * against the reference, the others untouched (still the sentinel). */
static void check_case(int cout, int cin, int hw, int relu6, int relu6_add, int residual, int simd, int o0, int o1,
                       int p0, int p1, uint32_t seed)
{
    size_t nw = (size_t)cout * cin, nx = (size_t)cin * hw, ny = (size_t)cout * hw;
    float *w = malloc(nw * sizeof *w), *b = malloc((size_t)cout * sizeof *b), *x = malloc(nx * sizeof *x);
    float *r = malloc(ny * sizeof *r), *y = malloc(ny * sizeof *y), *want = malloc(ny * sizeof *want);
    assert_non_null(w);
    assert_non_null(b);
    assert_non_null(x);
    assert_non_null(r);
    assert_non_null(y);
    assert_non_null(want);
    for (size_t i = 0; i < nw; i++)
        w[i] = rnd(&seed) / 8.0f;
    for (int i = 0; i < cout; i++)
        b[i] = rnd(&seed);
    for (size_t i = 0; i < nx; i++)
        x[i] = rnd(&seed);
    for (size_t i = 0; i < ny; i++) {
        r[i] = rnd(&seed);
        y[i] = -1234.5f;
    }
    reference(want, w, b, x, residual ? r : NULL, cout, cin, hw, relu6, relu6_add);

    fc_pwconv_opts o = fc_pwconv_default_opts();
    o.relu6 = relu6;
    o.relu6_add = relu6_add;
    o.simd = simd;
    fc_pwconv *pw = NULL;
    assert_int_equal(fc_pwconv_create(&pw, &o, w, b, cout, cin), 0);
    if (!simd)
        assert_int_equal(fc_pwconv_uses_avx2(pw), 0);
    size_t ns = fc_pwconv_scratch_floats(pw, hw);
    assert_true(ns >= (size_t)cin * FC_PWCONV_NR);
    float *scratch = malloc(ns * sizeof *scratch);
    assert_non_null(scratch);
    fc_pwconv_run(y, pw, x, residual ? r : NULL, hw, p0, p1, o0, o1, scratch);
    if (p0 % FC_PWCONV_NR == 0) {
        /* The pack-once path must write exactly the same values. */
        float *packed = malloc(fc_pwconv_packed_floats(pw, hw) * sizeof *packed), *y2 = malloc(ny * sizeof *y2);
        assert_non_null(packed);
        assert_non_null(y2);
        memcpy(y2, y, ny * sizeof *y2);
        for (size_t i = 0; i < ny; i++)
            if ((int)(i / (size_t)hw) >= o0 && (int)(i / (size_t)hw) < o1 && (int)(i % (size_t)hw) >= p0
                && (int)(i % (size_t)hw) < p1)
                y2[i] = -99.0f;
        fc_pwconv_pack(packed, pw, x, hw);
        fc_pwconv_run_packed(y2, pw, packed, residual ? r : NULL, hw, p0, p1, o0, o1);
        assert_memory_equal(y2, y, ny * sizeof *y);
        free(packed);
        free(y2);
    }
    for (int oc = 0; oc < cout; oc++)
        for (int p = 0; p < hw; p++) {
            float got = y[(size_t)oc * hw + p];
            if (oc < o0 || oc >= o1 || p < p0 || p >= p1) {
                assert_true(got == -1234.5f);
                continue;
            }
            float exp = want[(size_t)oc * hw + p];
            /* float accumulation in another order: relative error ~ cin * eps */
            if (fabsf(got - exp) > 1e-4f * (float)cin + 1e-4f * fabsf(exp))
                fail_msg("cout %d cin %d hw %d: y[%d][%d] = %g, want %g", cout, cin, hw, oc, p, got, exp);
        }
    fc_pwconv_free(pw);
    free(scratch);
    free(w);
    free(b);
    free(x);
    free(r);
    free(y);
    free(want);
}

static void test_random_shapes(void **state)
{
    (void)state;
    uint32_t s = 12345u;
    for (int it = 0; it < 60; it++) {
        int cout = 1 + (int)(rng_next(&s) % 40u), cin = 1 + (int)(rng_next(&s) % 70u);
        int hw = 1 + (int)(rng_next(&s) % 100u);
        int flags = (int)(rng_next(&s) % 8u);
        for (int simd = 0; simd <= 1; simd++)
            check_case(cout, cin, hw, flags & 1, flags >> 1 & 1, flags >> 2 & 1, simd, 0, cout, 0, hw, s + 7u);
    }
}

static void test_large_panels(void **state)
{
    (void)state;
    /* cin large enough that one panel holds few strips, hw spanning several panels
     * with a partial strip at the end: the blocking edges of the real layers. */
    for (int simd = 0; simd <= 1; simd++) {
        check_case(13, 1000, 77, 1, 0, 1, simd, 0, 13, 0, 77, 99u);
        check_case(64, 16, 64 * 64 + 5, 1, 1, 1, simd, 0, 64, 0, 64 * 64 + 5, 5u);
        check_case(288, 288, 4, 0, 0, 1, simd, 0, 288, 0, 4, 6u);
    }
}

static void test_sub_ranges(void **state)
{
    (void)state;
    /* Ranges not aligned to the 6-channel blocks or 16-pixel strips. */
    for (int simd = 0; simd <= 1; simd++) {
        check_case(25, 9, 50, 1, 0, 1, simd, 4, 17, 3, 41, 1u);
        check_case(25, 9, 50, 0, 1, 1, simd, 12, 25, 16, 50, 2u);
        check_case(7, 3, 33, 0, 0, 0, simd, 6, 7, 32, 33, 3u);
    }
}

/* Direct KxK convolution, double accumulation. */
static void conv_reference(float *y, const float *w, const float *b, const float *x, int cout, int cin, int kh,
                           int kw, const fc_pwconv_geom *g, int relu6)
{
    for (int o = 0; o < cout; o++)
        for (int oy = 0; oy < g->out_h; oy++)
            for (int ox = 0; ox < g->out_w; ox++) {
                double acc = b[o];
                for (int i = 0; i < cin; i++)
                    for (int ky = 0; ky < kh; ky++)
                        for (int kx = 0; kx < kw; kx++) {
                            int iy = oy * g->stride_h + ky - g->pad_t, ix = ox * g->stride_w + kx - g->pad_l;
                            if (iy < 0 || iy >= g->in_h || ix < 0 || ix >= g->in_w)
                                continue;
                            acc += (double)w[(((size_t)o * cin + i) * kh + ky) * kw + kx]
                                   * x[((size_t)i * g->in_h + iy) * g->in_w + ix];
                        }
                float v = (float)acc;
                y[((size_t)o * g->out_h + oy) * g->out_w + ox] = relu6 ? clamp6(v) : v;
            }
}

/* One KxK case over all outputs, split into two pixel ranges and two channel
 * ranges as the OpenCV layer's threads would run it. */
static void check_conv(int cout, int cin, int kh, int kw, fc_pwconv_geom g, int relu6, int simd, uint32_t seed)
{
    fc_pwconv_opts o = fc_pwconv_default_opts();
    o.kernel_h = kh;
    o.kernel_w = kw;
    o.relu6 = relu6;
    o.simd = simd;
    size_t nw = (size_t)cout * cin * kh * kw, nx = (size_t)cin * g.in_h * g.in_w;
    float *w = malloc(nw * sizeof *w), *b = malloc((size_t)cout * sizeof *b), *x = malloc(nx * sizeof *x);
    assert_non_null(w);
    assert_non_null(b);
    assert_non_null(x);
    for (size_t i = 0; i < nw; i++)
        w[i] = rnd(&seed) / 8.0f;
    for (int i = 0; i < cout; i++)
        b[i] = rnd(&seed);
    for (size_t i = 0; i < nx; i++)
        x[i] = rnd(&seed);
    fc_pwconv *pw = NULL;
    assert_int_equal(fc_pwconv_create(&pw, &o, w, b, cout, cin), 0);
    int oh = -1, ow = -1;
    assert_int_equal(fc_pwconv_out_size(&oh, &ow, pw, &g), 0);
    assert_int_equal(oh, (g.in_h + g.pad_t + g.pad_b - kh) / g.stride_h + 1);
    assert_int_equal(ow, (g.in_w + g.pad_l + g.pad_r - kw) / g.stride_w + 1);
    g.out_h = oh;
    g.out_w = ow;
    int hw = oh * ow;
    size_t ny = (size_t)cout * hw;
    float *y = malloc(ny * sizeof *y), *want = malloc(ny * sizeof *want);
    float *scratch = malloc(fc_pwconv_scratch_floats(pw, hw) * sizeof *scratch);
    assert_non_null(y);
    assert_non_null(want);
    assert_non_null(scratch);
    for (size_t i = 0; i < ny; i++)
        y[i] = -1234.5f;
    conv_reference(want, w, b, x, cout, cin, kh, kw, &g, relu6);
    int pm = hw / 2, om = cout > FC_PWCONV_MR ? FC_PWCONV_MR : cout;
    fc_pwconv_run_conv(y, pw, x, &g, 0, pm > 0 ? pm : hw, 0, om, scratch);
    if (pm > 0)
        fc_pwconv_run_conv(y, pw, x, &g, pm, hw, 0, om, scratch);
    if (om < cout)
        fc_pwconv_run_conv(y, pw, x, &g, 0, hw, om, cout, scratch);
    int k = cin * kh * kw;
    for (size_t i = 0; i < ny; i++)
        if (fabsf(y[i] - want[i]) > 1e-4f * (float)k + 1e-4f * fabsf(want[i]))
            fail_msg("conv %dx%d s%dx%d pad %d,%d,%d,%d in %dx%dx%d: y[%zu] = %g, want %g", kh, kw, g.stride_h,
                     g.stride_w, g.pad_t, g.pad_l, g.pad_b, g.pad_r, cin, g.in_h, g.in_w, i, y[i], want[i]);
    /* A 1x1 call on a KxK kernel does nothing. */
    if (kh * kw > 1) {
        y[0] = -7.0f;
        fc_pwconv_run(y, pw, x, NULL, hw, 0, hw, 0, cout, scratch);
        assert_true(y[0] == -7.0f);
    }
    fc_pwconv_free(pw);
    free(w);
    free(b);
    free(x);
    free(y);
    free(want);
    free(scratch);
}

static void test_conv(void **state)
{
    (void)state;
    for (int simd = 0; simd <= 1; simd++) {
        /* BlazePose's first layer: a folded PAD of 1 on every side, 3x3 VALID stride 2. */
        check_conv(24, 3, 3, 3, (fc_pwconv_geom){64, 64, 0, 0, 2, 2, 1, 1, 1, 1}, 1, simd, 11u);
        /* Its heads: 2x2 VALID on a 2x2 image, one output pixel. */
        check_conv(13, 40, 2, 2, (fc_pwconv_geom){2, 2, 0, 0, 1, 1, 0, 0, 0, 0}, 0, simd, 12u);
        /* TFLite SAME at stride 2 (pad only after), odd sizes, 5x5, stride 3, 1x1 with padding. */
        check_conv(7, 5, 3, 3, (fc_pwconv_geom){37, 29, 0, 0, 2, 2, 0, 0, 1, 1}, 0, simd, 13u);
        check_conv(9, 4, 5, 5, (fc_pwconv_geom){21, 50, 0, 0, 1, 1, 2, 2, 2, 2}, 1, simd, 14u);
        check_conv(5, 6, 3, 2, (fc_pwconv_geom){17, 70, 0, 0, 3, 3, 1, 0, 2, 1}, 0, simd, 15u);
        check_conv(6, 7, 1, 1, (fc_pwconv_geom){9, 33, 0, 0, 2, 1, 1, 1, 0, 0}, 1, simd, 16u);
        check_conv(3, 2, 4, 4, (fc_pwconv_geom){4, 4, 0, 0, 1, 1, 0, 0, 0, 0}, 0, simd, 17u);
        /* One-pixel calls (the matrix-vector path): a depth not a multiple of
         * 4 (a partial 24-float tail), ReLU6, 195 channels (a partial block);
         * a 1x3 output whose first call is the single pixel [0, 1). */
        check_conv(11, 3, 3, 3, (fc_pwconv_geom){3, 3, 0, 0, 1, 1, 0, 0, 0, 0}, 1, simd, 18u);
        check_conv(195, 48, 2, 2, (fc_pwconv_geom){2, 2, 0, 0, 1, 1, 0, 0, 0, 0}, 0, simd, 19u);
        check_conv(8, 3, 3, 3, (fc_pwconv_geom){3, 5, 0, 0, 1, 1, 0, 0, 0, 0}, 1, simd, 20u);
    }
}

static void test_conv_errors(void **state)
{
    (void)state;
    float w[18] = {0}, x[4] = {0}, y[2] = {-7.0f, -7.0f}, scratch[256];
    fc_pwconv_opts o = fc_pwconv_default_opts();
    fc_pwconv *pw = NULL;
    o.kernel_h = 0;
    assert_int_equal(fc_pwconv_create(&pw, &o, w, NULL, 2, 1), FC_EINVAL);
    o.kernel_h = 65;
    assert_int_equal(fc_pwconv_create(&pw, &o, w, NULL, 2, 1), FC_EINVAL);
    o.kernel_h = o.kernel_w = 3;
    assert_int_equal(fc_pwconv_create(&pw, &o, w, NULL, 2, 1), 0);
    int oh, ow;
    fc_pwconv_geom g = {2, 2, 0, 0, 1, 1, 0, 0, 0, 0};
    assert_int_equal(fc_pwconv_out_size(&oh, &ow, pw, &g), FC_EINVAL); /* 3x3 on 2x2, no padding */
    g.pad_b = g.pad_r = 1;
    assert_int_equal(fc_pwconv_out_size(&oh, &ow, pw, &g), 0);
    assert_int_equal(oh, 1);
    assert_int_equal(ow, 1);
    g.stride_w = 0;
    assert_int_equal(fc_pwconv_out_size(&oh, &ow, pw, &g), FC_EINVAL);
    g.stride_w = 1;
    g.pad_l = -1;
    assert_int_equal(fc_pwconv_out_size(&oh, &ow, pw, &g), FC_EINVAL);
    g.pad_l = 0;
    assert_int_equal(fc_pwconv_out_size(NULL, &ow, pw, &g), FC_EINVAL);
    /* Sizes that disagree with out_size, or bad ranges: nothing written. */
    g.out_h = 2;
    g.out_w = 2;
    fc_pwconv_run_conv(y, pw, x, &g, 0, 1, 0, 2, scratch);
    g.out_h = g.out_w = 1;
    fc_pwconv_run_conv(y, pw, x, &g, 0, 2, 0, 2, scratch);
    fc_pwconv_run_conv(y, pw, x, &g, 0, 1, 0, 3, scratch);
    assert_true(y[0] == -7.0f && y[1] == -7.0f);
    fc_pwconv_run_conv(y, pw, x, &g, 0, 1, 0, 2, scratch); /* zeros in, no bias: zeros out */
    assert_true(y[0] == 0.0f && y[1] == 0.0f);
    fc_pwconv_free(pw);
}

static void test_errors(void **state)
{
    (void)state;
    float w[4] = {1, 2, 3, 4}, x[2] = {1, 1}, y[2] = {-7.0f, -7.0f}, scratch[64];
    fc_pwconv *pw = (fc_pwconv *)&pw;
    assert_int_equal(fc_pwconv_create(NULL, NULL, w, NULL, 2, 2), FC_EINVAL);
    assert_int_equal(fc_pwconv_create(&pw, NULL, NULL, NULL, 2, 2), FC_EINVAL);
    assert_null(pw);
    assert_int_equal(fc_pwconv_create(&pw, NULL, w, NULL, 0, 2), FC_EINVAL);
    assert_int_equal(fc_pwconv_create(&pw, NULL, w, NULL, 2, 0), FC_EINVAL);
    assert_int_equal(fc_pwconv_scratch_floats(NULL, 4), 0);
    assert_int_equal(fc_pwconv_create(&pw, NULL, w, NULL, 2, 2), 0);
    assert_int_equal(fc_pwconv_scratch_floats(pw, 0), 0);
    /* Out-of-range requests do nothing. */
    fc_pwconv_run(y, pw, x, NULL, 1, 0, 2, 0, 2, scratch);
    fc_pwconv_run(y, pw, x, NULL, 1, 0, 1, 1, 1, scratch);
    assert_true(y[0] == -7.0f && y[1] == -7.0f);
    fc_pwconv_run_packed(y, pw, scratch, NULL, 1, 0, 1, 0, 3); /* bad range: nothing */
    fc_pwconv_run_packed(y, pw, NULL, NULL, 1, 0, 1, 0, 2);
    assert_true(y[0] == -7.0f && y[1] == -7.0f);
    assert_int_equal(fc_pwconv_packed_floats(pw, 17), 32 * 2);
    fc_pwconv_run(y, pw, x, NULL, 1, 0, 1, 0, 2, scratch); /* no bias: y = W [1 1] */
    assert_true(y[0] == 3.0f && y[1] == 7.0f);
    fc_pwconv_free(pw);
    fc_pwconv_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_shapes),
        cmocka_unit_test(test_large_panels),
        cmocka_unit_test(test_sub_ranges),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_conv),
        cmocka_unit_test(test_conv_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
