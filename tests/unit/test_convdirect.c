/* test_convdirect.c - the direct few-input-channel convolution against a
 * naive loop: BlazePose's first layers (3x3 stride 2, 3 -> 24/32 channels,
 * SAME padding after only), 1 to 4 input channels, kernels 1x1 to 7x7 and
 * non-square, strides 1 to 4 (also unequal), zero to asymmetric padding, odd
 * widths (every tile tail), output channels not a multiple of 6, ReLU6, no
 * bias, output-row sub-ranges, AVX2 and portable paths; and the argument
 * checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "formcheck/convdirect.h"
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

typedef struct cd_case {
    int cout, cin, h, w, kh, kw, sh, sw, pt, pl, pb, pr, relu6, bias;
} cd_case;

/* y[o][oy][ox] from the definition, in double; also sum |terms| per output for the tolerance. */
static void reference(double *want, double *mag, const cd_case *k, const float *x, const float *wt, const float *b,
                      int ho, int wo)
{
    for (int o = 0; o < k->cout; o++)
        for (int oy = 0; oy < ho; oy++)
            for (int ox = 0; ox < wo; ox++) {
                double acc = b ? b[o] : 0.0, m = fabs(acc);
                for (int i = 0; i < k->cin; i++)
                    for (int ky = 0; ky < k->kh; ky++)
                        for (int kx = 0; kx < k->kw; kx++) {
                            int iy = oy * k->sh + ky - k->pt, ix = ox * k->sw + kx - k->pl;
                            if (iy < 0 || iy >= k->h || ix < 0 || ix >= k->w)
                                continue;
                            double t = (double)wt[(((size_t)o * k->cin + i) * k->kh + ky) * k->kw + kx] *
                                       x[((size_t)i * k->h + iy) * k->w + ix];
                            acc += t;
                            m += fabs(t);
                        }
                if (k->relu6)
                    acc = acc < 0 ? 0 : acc > 6 ? 6 : acc;
                size_t j = ((size_t)o * ho + oy) * wo + ox;
                want[j] = acc;
                mag[j] = m;
            }
}

/* Runs output rows [r0, r1) (-1: all) and checks every output: computed ones
 * against the reference, the others untouched. */
static void check(const cd_case *k, int simd, int r0, int r1, uint32_t seed)
{
    fc_convdirect_opts o = fc_convdirect_default_opts();
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
    size_t nx = (size_t)k->cin * k->h * k->w, nw = (size_t)k->cout * k->cin * k->kh * k->kw;
    float *x = malloc(nx * sizeof *x), *wt = malloc(nw * sizeof *wt), *b = malloc((size_t)k->cout * sizeof *b);
    assert_true(x && wt && b);
    for (size_t i = 0; i < nx; i++)
        x[i] = rnd(&seed);
    for (size_t i = 0; i < nw; i++)
        wt[i] = rnd(&seed) / 4.0f;
    for (int i = 0; i < k->cout; i++)
        b[i] = rnd(&seed);
    fc_convdirect *cd = NULL;
    assert_int_equal(fc_convdirect_create(&cd, &o, wt, k->bias ? b : NULL, k->cout, k->cin), 0);
    if (!simd)
        assert_int_equal(fc_convdirect_uses_avx2(cd), 0);
    int ho, wo;
    assert_int_equal(fc_convdirect_out_size(&ho, &wo, cd, k->h, k->w), 0);
    assert_int_equal(ho, (k->h + k->pt + k->pb - k->kh) / k->sh + 1);
    assert_int_equal(wo, (k->w + k->pl + k->pr - k->kw) / k->sw + 1);
    if (r0 < 0) {
        r0 = 0;
        r1 = ho;
    }
    size_t ny = (size_t)k->cout * ho * wo, ns = fc_convdirect_scratch_floats(cd, k->h, k->w);
    assert_true(ns > 0);
    float *y = malloc(ny * sizeof *y), *scratch = malloc(ns * sizeof *scratch); /* exact: ASan sees overruns */
    double *want = malloc(ny * sizeof *want), *mag = malloc(ny * sizeof *mag);
    assert_true(y && scratch && want && mag);
    for (size_t i = 0; i < ny; i++)
        y[i] = SENTINEL;
    reference(want, mag, k, x, wt, k->bias ? b : NULL, ho, wo);
    fc_convdirect_run(y, cd, x, k->h, k->w, r0, r1, scratch);
    for (size_t i = 0; i < ny; i++) {
        int oy = (int)(i / (size_t)wo % (size_t)ho);
        if (oy < r0 || oy >= r1) {
            assert_true(y[i] == SENTINEL);
            continue;
        }
        if (fabs(y[i] - want[i]) > 1e-5 * mag[i] + 1e-6)
            fail_msg("%d->%d %dx%d k%dx%d s%dx%d pad %d,%d,%d,%d relu6 %d simd %d: y[%d][%d][%d] = %.7g, want %.7g",
                     k->cin, k->cout, k->h, k->w, k->kh, k->kw, k->sh, k->sw, k->pt, k->pl, k->pb, k->pr, k->relu6,
                     simd, (int)(i / ((size_t)ho * wo)), oy, (int)(i % (size_t)wo), (double)y[i], want[i]);
    }
    fc_convdirect_free(cd);
    free(x);
    free(wt);
    free(b);
    free(y);
    free(scratch);
    free(want);
    free(mag);
}

static void check_both(const cd_case *k, uint32_t seed)
{
    for (int simd = 0; simd <= 1; simd++)
        check(k, simd, -1, -1, seed);
}

static void test_blazepose_shapes(void **state)
{
    (void)state;
    /* The landmark models' first layer (lite/full 24 channels, heavy 32) and the detector's. */
    static const cd_case cases[] = {
        {24, 3, 256, 256, 3, 3, 2, 2, 0, 0, 1, 1, 1, 1},
        {32, 3, 256, 256, 3, 3, 2, 2, 0, 0, 1, 1, 1, 1},
        {48, 3, 224, 224, 5, 5, 2, 2, 1, 1, 2, 2, 0, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_both(&cases[i], 100u + (uint32_t)i);
}

static void test_odd_shapes(void **state)
{
    (void)state;
    static const cd_case cases[] = {
        {1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1},   /* 1x1 image, 1x1 kernel */
        {5, 2, 1, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},   /* 1x1 image, padded 3x3 */
        {7, 3, 1, 2, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},   /* stride-2 phase past a 2-column image */
        {13, 4, 7, 13, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0}, /* odd widths, no bias, 13 channels */
        {6, 3, 13, 35, 5, 5, 2, 2, 2, 1, 2, 3, 1, 1}, /* asymmetric pads, stride 2 */
        {8, 2, 9, 47, 3, 5, 1, 2, 1, 2, 1, 2, 0, 1},  /* non-square kernel, unequal strides */
        {3, 3, 17, 61, 7, 7, 3, 3, 3, 3, 3, 3, 1, 1},
        {12, 1, 11, 40, 3, 3, 2, 4, 0, 3, 0, 0, 0, 1}, /* stride 4, left pad wider than needed */
        {25, 3, 33, 33, 3, 3, 2, 2, 0, 0, 1, 1, 1, 1}, /* odd size, SAME stride 2 */
        {4, 3, 200, 70, 3, 3, 1, 1, 1, 1, 1, 1, 0, 1}, /* several row strips, last one short */
        {2, 4, 9, 300, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1},  /* wide rows: strips of one output row */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_both(&cases[i], 200u + (uint32_t)i);
}

static void test_random(void **state)
{
    (void)state;
    uint32_t s = 777u;
    for (int it = 0; it < 60; it++) {
        cd_case k;
        k.cout = 1 + (int)(rng_next(&s) % 20u);
        k.cin = 1 + (int)(rng_next(&s) % 4u);
        k.h = 1 + (int)(rng_next(&s) % 40u);
        k.w = 1 + (int)(rng_next(&s) % 50u);
        k.kh = 1 + (int)(rng_next(&s) % 7u);
        k.kw = 1 + (int)(rng_next(&s) % 7u);
        k.sh = 1 + (int)(rng_next(&s) % 4u);
        k.sw = 1 + (int)(rng_next(&s) % 4u);
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
    const cd_case k = {9, 3, 60, 37, 3, 3, 2, 2, 0, 0, 1, 1, 1, 1};
    for (int simd = 0; simd <= 1; simd++) {
        check(&k, simd, 3, 7, 5u);
        check(&k, simd, 29, 30, 6u);
        check(&k, simd, 0, 1, 7u);
        check(&k, simd, 11, 30, 8u);
    }
}

static void test_errors(void **state)
{
    (void)state;
    fc_convdirect_opts o = fc_convdirect_default_opts();
    assert_int_equal(o.kernel_h, 3);
    assert_int_equal(o.stride_w, 1);
    assert_int_equal(o.pad_r, 1);
    float wt[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    fc_convdirect *cd = (fc_convdirect *)&o;
    assert_int_equal(fc_convdirect_create(&cd, &o, wt, NULL, 1, 5), FC_EINVAL); /* cin > MAX_CIN */
    assert_null(cd);
    assert_int_equal(fc_convdirect_create(&cd, &o, wt, NULL, 0, 1), FC_EINVAL);
    assert_int_equal(fc_convdirect_create(&cd, &o, NULL, NULL, 1, 1), FC_EINVAL);
    assert_int_equal(fc_convdirect_create(&cd, NULL, wt, NULL, 1, 1), FC_EINVAL);
    assert_int_equal(fc_convdirect_create(NULL, &o, wt, NULL, 1, 1), FC_EINVAL);
    fc_convdirect_opts bad = o;
    bad.kernel_w = 8;
    assert_int_equal(fc_convdirect_create(&cd, &bad, wt, NULL, 1, 1), FC_EINVAL);
    bad = o;
    bad.stride_h = 5;
    assert_int_equal(fc_convdirect_create(&cd, &bad, wt, NULL, 1, 1), FC_EINVAL);
    bad = o;
    bad.pad_l = -1;
    assert_int_equal(fc_convdirect_create(&cd, &bad, wt, NULL, 1, 1), FC_EINVAL);
    fc_convdirect_free(NULL);
    assert_int_equal(fc_convdirect_uses_avx2(NULL), 0);

    assert_int_equal(fc_convdirect_create(&cd, &o, wt, NULL, 1, 1), 0);
    int ho = -1, wo = -1;
    assert_int_equal(fc_convdirect_out_size(&ho, &wo, cd, 5, 6), 0);
    assert_int_equal(ho, 5);
    assert_int_equal(wo, 6);
    assert_int_equal(fc_convdirect_out_size(&ho, &wo, cd, 0, 6), FC_EINVAL);
    assert_int_equal(ho, 0);
    assert_int_equal(fc_convdirect_out_size(&ho, NULL, cd, 5, 6), FC_EINVAL);
    assert_int_equal(fc_convdirect_out_size(&ho, &wo, NULL, 5, 6), FC_EINVAL);
    assert_int_equal(fc_convdirect_scratch_floats(NULL, 2, 2), 0);
    assert_int_equal(fc_convdirect_scratch_floats(cd, 0, 2), 0);

    /* Invalid runs do nothing; a valid one with a known answer (no bias: a 3x3
     * box of ones over ones counts the taps inside the image). */
    float x[4] = {1, 1, 1, 1}, y[4] = {9, 9, 9, 9};
    size_t ns = fc_convdirect_scratch_floats(cd, 2, 2);
    float *scratch = malloc(ns * sizeof *scratch);
    assert_non_null(scratch);
    fc_convdirect_run(y, cd, x, 2, 2, 1, 1, scratch);
    fc_convdirect_run(y, cd, x, 2, 2, 0, 3, scratch);
    fc_convdirect_run(NULL, cd, x, 2, 2, 0, 2, scratch);
    fc_convdirect_run(y, NULL, x, 2, 2, 0, 2, scratch);
    assert_true(y[0] == 9 && y[1] == 9 && y[2] == 9 && y[3] == 9);
    fc_convdirect_run(y, cd, x, 2, 2, 0, 2, scratch);
    assert_true(y[0] == 4 && y[1] == 4 && y[2] == 4 && y[3] == 4);
    free(scratch);
    fc_convdirect_free(cd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blazepose_shapes), cmocka_unit_test(test_odd_shapes), cmocka_unit_test(test_random),
        cmocka_unit_test(test_sub_ranges),       cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
