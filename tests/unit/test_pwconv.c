/* test_pwconv.c - the pointwise convolution kernel against a naive reference:
 * random shapes (odd channel counts, pixel counts below, at and across the
 * 16-pixel strip and the packed panel), bias, ReLU6 before and after a
 * residual, sub-ranges of channels and pixels, AVX2 and portable paths. */
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
