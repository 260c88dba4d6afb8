/* test_imgwarp.c - rotated crops and letterboxing into planar RGB float buffers. */
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
    *f = (fc_frame){px, W, H, W * 3, 0, 0.0};
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
    assert_int_equal(fc_imgwarp_create(&iw, err, sizeof err), 0);
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
    assert_int_equal(fc_imgwarp_create(&iw, err, sizeof err), 0);
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
    assert_int_equal(fc_imgwarp_create(&iw, err, sizeof err), 0);
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
    assert_int_equal(fc_imgwarp_create(&iw, err, sizeof err), 0);
    fc_roi r = {2.0f, 2.0f, 0.0f, 4.0f, 0.0f};
    assert_int_equal(fc_imgwarp_roi(iw, out, 4, 4, &f, &r, 0.0f, 1.0f, FC_BORDER_ZERO, err, sizeof err), FC_EINVAL);
    r.w = NAN;
    assert_int_equal(fc_imgwarp_roi(iw, out, 4, 4, &f, &r, 0.0f, 1.0f, FC_BORDER_ZERO, err, sizeof err), FC_EINVAL);
    r.w = 4.0f;
    f.stride = 2;
    assert_int_equal(fc_imgwarp_roi(iw, out, 4, 4, &f, &r, 0.0f, 1.0f, FC_BORDER_ZERO, err, sizeof err), FC_EINVAL);
    fc_imgwarp_free(iw);
    fc_imgwarp_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identity_crop),
        cmocka_unit_test(test_rotated_crop),
        cmocka_unit_test(test_letterbox),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
