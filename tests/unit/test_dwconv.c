/* test_dwconv.c - the depthwise convolution kernel against a naive loop:
 * kernels 1x1 to 7x7 and non-square, strides 1 to 3 (also unequal), zero to
 * asymmetric padding, images from 1x1 to ones split into row strips, odd
 * widths (every vector tail), ReLU6, no bias, channel sub-ranges, AVX2 and
 * portable paths; and the argument checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "formcheck/dwconv.h"
#include "formcheck/error.h"

#define SENTINEL -1234.5f

static uint32_t rng_next(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* Uniform in [-4, 4): wide enough that both ReLU6 bounds clip some outputs. */
static float rnd(uint32_t *s) { return (float)(rng_next(s) % 8000u) / 1000.0f - 4.0f; }

typedef struct dw_case {
    int c, h, w, kh, kw, sh, sw, pt, pl, pb, pr, relu6, bias;
} dw_case;

/* y[c][oy][ox] from the definition, in double; also sum |terms| per output for the tolerance. */
static void reference(double *want, double *mag, const dw_case *k, const float *x, const float *wt, const float *b,
                      int ho, int wo)
{
    for (int c = 0; c < k->c; c++)
        for (int oy = 0; oy < ho; oy++)
            for (int ox = 0; ox < wo; ox++) {
                double acc = b ? b[c] : 0.0, m = fabs(acc);
                for (int ky = 0; ky < k->kh; ky++)
                    for (int kx = 0; kx < k->kw; kx++) {
                        int iy = oy * k->sh + ky - k->pt, ix = ox * k->sw + kx - k->pl;
                        if (iy < 0 || iy >= k->h || ix < 0 || ix >= k->w)
                            continue;
                        double t = (double)wt[((size_t)c * k->kh + ky) * k->kw + kx] *
                                   x[((size_t)c * k->h + iy) * k->w + ix];
                        acc += t;
                        m += fabs(t);
                    }
                if (k->relu6)
                    acc = acc < 0 ? 0 : acc > 6 ? 6 : acc;
                size_t i = ((size_t)c * ho + oy) * wo + ox;
                want[i] = acc;
                mag[i] = m;
            }
}

/* Runs channels [c0, c1) and checks every output: computed ones against the
 * reference, the others untouched. */
static void check(const dw_case *k, int simd, int c0, int c1, uint32_t seed)
{
    fc_dwconv_opts o = fc_dwconv_default_opts();
    o.kernel_h = k->kh;
    o.kernel_w = k->kw;
    o.stride_h = k->sh;
    o.stride_w = k->sw;
    o.pad_t = k->pt;
    o.pad_l = k->pl;
    o.pad_b = k->pb;
    o.pad_r = k->pr;
    o.relu6 = k->relu6;
    o.simd = simd;
    int ho, wo;
    assert_int_equal(fc_dwconv_out_size(&ho, &wo, &o, k->h, k->w), 0);
    assert_int_equal(ho, (k->h + k->pt + k->pb - k->kh) / k->sh + 1);
    assert_int_equal(wo, (k->w + k->pl + k->pr - k->kw) / k->sw + 1);
    if (!simd)
        assert_int_equal(fc_dwconv_uses_avx2(&o), 0);
    size_t nx = (size_t)k->c * k->h * k->w, ny = (size_t)k->c * ho * wo, nw = (size_t)k->c * k->kh * k->kw;
    size_t ns = fc_dwconv_scratch_floats(&o, k->h, k->w);
    assert_true(ns > 0);
    float *x = malloc(nx * sizeof *x), *wt = malloc(nw * sizeof *wt), *b = malloc((size_t)k->c * sizeof *b);
    float *y = malloc(ny * sizeof *y), *scratch = malloc(ns * sizeof *scratch); /* exact: ASan sees overruns */
    double *want = malloc(ny * sizeof *want), *mag = malloc(ny * sizeof *mag);
    assert_true(x && wt && b && y && scratch && want && mag);
    for (size_t i = 0; i < nx; i++)
        x[i] = rnd(&seed);
    for (size_t i = 0; i < nw; i++)
        wt[i] = rnd(&seed) / 4.0f;
    for (int i = 0; i < k->c; i++)
        b[i] = rnd(&seed);
    for (size_t i = 0; i < ny; i++)
        y[i] = SENTINEL;
    reference(want, mag, k, x, wt, k->bias ? b : NULL, ho, wo);
    fc_dwconv_run(y, &o, x, wt, k->bias ? b : NULL, k->h, k->w, c0, c1, scratch);
    for (size_t i = 0; i < ny; i++) {
        int c = (int)(i / ((size_t)ho * wo));
        if (c < c0 || c >= c1) {
            assert_true(y[i] == SENTINEL);
            continue;
        }
        if (fabs(y[i] - want[i]) > 1e-5 * mag[i] + 1e-6)
            fail_msg("%dx%dx%d k%dx%d s%dx%d pad %d,%d,%d,%d relu6 %d simd %d: y[%d][%d][%d] = %.7g, want %.7g",
                     k->c, k->h, k->w, k->kh, k->kw, k->sh, k->sw, k->pt, k->pl, k->pb, k->pr, k->relu6, simd, c,
                     (int)(i / wo % ho), (int)(i % wo), (double)y[i], want[i]);
    }
    free(x);
    free(wt);
    free(b);
    free(y);
    free(scratch);
    free(want);
    free(mag);
}

static void check_both(const dw_case *k, uint32_t seed)
{
    for (int simd = 0; simd <= 1; simd++)
        check(k, simd, 0, k->c, seed);
}

static void test_blazepose_shapes(void **state)
{
    (void)state;
    /* The layer kinds of the landmark models (fewer channels): SAME 3x3 and
     * 5x5, folded PADs before stride 2, SAME stride 2 padding only after. */
    static const dw_case cases[] = {
        {3, 128, 128, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, {3, 128, 128, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},
        {4, 64, 64, 5, 5, 2, 2, 2, 2, 2, 2, 1, 1},   {5, 32, 32, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1},
        {6, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},   {6, 16, 16, 5, 5, 2, 2, 2, 2, 2, 2, 1, 1},
        {7, 8, 8, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1},     {7, 8, 8, 3, 3, 2, 2, 0, 0, 1, 1, 1, 1},
        {9, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},     {9, 4, 4, 3, 3, 2, 2, 0, 0, 1, 1, 1, 1},
        {9, 2, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_both(&cases[i], 100u + (uint32_t)i);
}

static void test_odd_shapes(void **state)
{
    (void)state;
    static const dw_case cases[] = {
        {2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1},  /* 1x1 image, 1x1 kernel */
        {2, 1, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},  /* 1x1 image, padded 3x3 */
        {3, 7, 7, 2, 2, 1, 1, 0, 0, 1, 1, 0, 1},  /* 2x2 kernel, SAME-like pad after only */
        {3, 7, 13, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0}, /* odd widths, no bias */
        {3, 13, 7, 5, 5, 2, 2, 2, 1, 2, 3, 1, 1}, /* asymmetric pads, stride 2 */
        {2, 9, 23, 3, 5, 1, 2, 1, 2, 1, 2, 0, 1}, /* non-square kernel, unequal strides */
        {2, 17, 31, 7, 7, 3, 3, 3, 3, 3, 3, 1, 1},
        {2, 11, 12, 3, 3, 2, 1, 0, 3, 0, 0, 0, 1}, /* pad wider than the kernel needs */
        {2, 6, 40, 1, 1, 2, 2, 0, 0, 0, 0, 0, 1},  /* strided 1x1 */
        {2, 3, 130, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1}, /* VALID */
        {1, 300, 65, 3, 3, 1, 1, 1, 1, 1, 1, 0, 1}, /* several row strips, last one short */
        {1, 301, 130, 5, 5, 2, 2, 2, 2, 2, 2, 1, 1},
        {2, 40, 600, 3, 3, 1, 1, 4, 1, 2, 1, 0, 1}, /* strips of the minimum 8 rows */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_both(&cases[i], 200u + (uint32_t)i);
}

static void test_random(void **state)
{
    (void)state;
    uint32_t s = 777u;
    for (int it = 0; it < 80; it++) {
        dw_case k;
        k.c = 1 + (int)(rng_next(&s) % 4u);
        k.h = 1 + (int)(rng_next(&s) % 40u);
        k.w = 1 + (int)(rng_next(&s) % 40u);
        k.kh = 1 + (int)(rng_next(&s) % 6u);
        k.kw = 1 + (int)(rng_next(&s) % 6u);
        k.sh = 1 + (int)(rng_next(&s) % 3u);
        k.sw = 1 + (int)(rng_next(&s) % 3u);
        k.pt = (int)(rng_next(&s) % 4u);
        k.pl = (int)(rng_next(&s) % 4u);
        k.pb = (int)(rng_next(&s) % 4u);
        k.pr = (int)(rng_next(&s) % 4u);
        k.relu6 = (int)(rng_next(&s) % 2u);
        k.bias = (int)(rng_next(&s) % 2u);
        if (k.h + k.pt + k.pb < k.kh || k.w + k.pl + k.pr < k.kw)
            continue;
        check_both(&k, s);
    }
}

static void test_sub_ranges(void **state)
{
    (void)state;
    const dw_case k = {9, 10, 19, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1};
    for (int simd = 0; simd <= 1; simd++) {
        check(&k, simd, 3, 7, 5u);
        check(&k, simd, 8, 9, 6u);
        check(&k, simd, 0, 1, 7u);
    }
}

static void test_errors(void **state)
{
    (void)state;
    fc_dwconv_opts o = fc_dwconv_default_opts();
    int ho = -1, wo = -1;
    assert_int_equal(o.kernel_h, 3);
    assert_int_equal(o.pad_r, 1);
    assert_int_equal(fc_dwconv_out_size(&ho, &wo, &o, 5, 6), 0);
    assert_int_equal(ho, 5);
    assert_int_equal(wo, 6);
    assert_int_equal(fc_dwconv_out_size(NULL, &wo, &o, 5, 6), FC_EINVAL);
    assert_int_equal(fc_dwconv_out_size(&ho, &wo, NULL, 5, 6), FC_EINVAL);
    assert_int_equal(fc_dwconv_out_size(&ho, &wo, &o, 0, 6), FC_EINVAL);
    assert_int_equal(ho, 0);
    fc_dwconv_opts bad = o;
    bad.stride_w = 0;
    assert_int_equal(fc_dwconv_out_size(&ho, &wo, &bad, 5, 6), FC_EINVAL);
    bad = o;
    bad.pad_l = -1;
    assert_int_equal(fc_dwconv_out_size(&ho, &wo, &bad, 5, 6), FC_EINVAL);
    bad = o;
    bad.kernel_h = bad.kernel_w = 12; /* 144 taps > FC_DWCONV_MAX_TAPS */
    assert_int_equal(fc_dwconv_out_size(&ho, &wo, &bad, 50, 50), FC_EINVAL);
    bad = o;
    bad.pad_t = bad.pad_b = 0; /* 3-row kernel on a 2-row image */
    assert_int_equal(fc_dwconv_out_size(&ho, &wo, &bad, 2, 6), FC_EINVAL);
    assert_int_equal(fc_dwconv_scratch_floats(&bad, 2, 6), 0);
    assert_int_equal(fc_dwconv_scratch_floats(NULL, 2, 6), 0);
    assert_int_equal(fc_dwconv_uses_avx2(NULL), 0);

    /* Invalid runs do nothing; a valid one with a known answer (no bias: a
     * 3x3 box of ones over ones counts the taps inside the image). */
    float x[4] = {1, 1, 1, 1}, wt[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1}, y[4] = {9, 9, 9, 9}, scratch[64];
    assert_true(fc_dwconv_scratch_floats(&o, 2, 2) <= 64);
    fc_dwconv_run(y, &bad, x, wt, NULL, 2, 2, 0, 1, scratch);
    fc_dwconv_run(y, &o, x, wt, NULL, 2, 2, 1, 1, scratch);
    fc_dwconv_run(NULL, &o, x, wt, NULL, 2, 2, 0, 1, scratch);
    assert_true(y[0] == 9 && y[1] == 9 && y[2] == 9 && y[3] == 9);
    fc_dwconv_run(y, &o, x, wt, NULL, 2, 2, 0, 1, scratch);
    assert_true(y[0] == 4 && y[1] == 4 && y[2] == 4 && y[3] == 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blazepose_shapes), cmocka_unit_test(test_odd_shapes), cmocka_unit_test(test_random),
        cmocka_unit_test(test_sub_ranges),       cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
