/* test_upsample.c - fc_upsample2x against TFLite's RESIZE_BILINEAR formula
 * (half-pixel centres: source coordinate (i + 0.5) / 2 - 0.5, lower index
 * clamped at 0, upper at n - 1, weight from the clamped lower index), computed
 * here per pixel in double; with and without the residual and ReLU6, odd and
 * 1-pixel sizes (the SIMD body and the scalar tail), channel sub-ranges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "formcheck/upsample.h"

static float rnd(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return (float)(*s % 10000u) / 1000.0f - 5.0f;
}

/* TFLite reference_ops::ResizeBilinear, one axis: lower/upper index and weight. */
static void axis(int o, int n, int *lo, int *hi, double *frac)
{
    double c = (o + 0.5) * 0.5 - 0.5, f = floor(c);
    *lo = f < 0 ? 0 : (int)f;
    *hi = (int)ceil(c) > n - 1 ? n - 1 : (int)ceil(c);
    *frac = c - *lo;
}

static double reference(const float *x, int h, int w, int oy, int ox)
{
    int y0, y1, x0, x1;
    double fy, fx;
    axis(oy, h, &y0, &y1, &fy);
    axis(ox, w, &x0, &x1, &fx);
    double top = x[y0 * w + x0] * (1 - fx) + x[y0 * w + x1] * fx;
    double bot = x[y1 * w + x0] * (1 - fx) + x[y1 * w + x1] * fx;
    return top * (1 - fy) + bot * fy;
}

static void check(int c, int h, int w, int residual, int relu6, int c0, int c1, uint32_t seed)
{
    size_t in = (size_t)c * h * w, out = 4 * in;
    float *x = malloc(in * sizeof *x), *r = malloc(out * sizeof *r), *y = malloc(out * sizeof *y);
    float *scratch = malloc(fc_upsample2x_scratch_floats(w) * sizeof *scratch);
    assert_non_null(x);
    assert_non_null(r);
    assert_non_null(y);
    assert_non_null(scratch);
    for (size_t i = 0; i < in; i++)
        x[i] = rnd(&seed);
    for (size_t i = 0; i < out; i++) {
        r[i] = rnd(&seed);
        y[i] = -1234.5f;
    }
    fc_upsample2x(y, x, residual ? r : NULL, h, w, c0, c1, relu6, scratch);
    for (int ch = 0; ch < c; ch++)
        for (int oy = 0; oy < 2 * h; oy++)
            for (int ox = 0; ox < 2 * w; ox++) {
                size_t i = ((size_t)ch * 2 * h + oy) * 2 * w + ox;
                if (ch < c0 || ch >= c1) {
                    assert_true(y[i] == -1234.5f);
                    continue;
                }
                double want = reference(x + (size_t)ch * h * w, h, w, oy, ox) + (residual ? r[i] : 0.0);
                if (relu6)
                    want = want < 0 ? 0 : want > 6 ? 6 : want;
                if (fabs(y[i] - want) > 1e-5 * (1 + fabs(want)))
                    fail_msg("%dx%d ch %d out (%d, %d): %g, want %g", h, w, ch, oy, ox, y[i], want);
            }
    free(x);
    free(r);
    free(y);
    free(scratch);
}

static void test_sizes(void **state)
{
    (void)state;
    static const int hw[][2] = {{1, 1}, {1, 5}, {5, 1}, {2, 2}, {3, 7}, {8, 8}, {7, 13}, {16, 9}};
    for (size_t i = 0; i < sizeof hw / sizeof *hw; i++)
        for (int flags = 0; flags < 4; flags++)
            check(3, hw[i][0], hw[i][1], flags & 1, flags >> 1, 0, 3, 77u + (uint32_t)i);
}

static void test_channel_range(void **state)
{
    (void)state;
    check(6, 4, 12, 1, 1, 2, 5, 5u);
    check(6, 4, 12, 0, 0, 5, 6, 6u);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    float x[4] = {1, 2, 3, 4}, y[16], s[8];
    for (int i = 0; i < 16; i++)
        y[i] = -1.0f;
    fc_upsample2x(y, x, NULL, 0, 2, 0, 1, 0, s);
    fc_upsample2x(y, x, NULL, 2, 2, 1, 1, 0, s);
    fc_upsample2x(y, NULL, NULL, 2, 2, 0, 1, 0, s);
    fc_upsample2x(y, x, NULL, 2, 2, 0, 1, 0, NULL);
    for (int i = 0; i < 16; i++)
        assert_true(y[i] == -1.0f);
    assert_int_equal(fc_upsample2x_scratch_floats(0), 0);
    assert_int_equal(fc_upsample2x_scratch_floats(5), 7);
    /* 2x2 -> 4x4: corners are copies, the inner pixels 0.75/0.25 blends. */
    fc_upsample2x(y, x, NULL, 2, 2, 0, 1, 0, s);
    assert_float_equal(y[0], 1.0f, 1e-6);
    assert_float_equal(y[1], 1.25f, 1e-6);
    assert_float_equal(y[5], 1.0f * 0.5625f + 2 * 0.1875f + 3 * 0.1875f + 4 * 0.0625f, 1e-6);
    assert_float_equal(y[15], 4.0f, 1e-6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_channel_range),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
