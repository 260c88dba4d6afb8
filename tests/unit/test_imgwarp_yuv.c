/* test_imgwarp_yuv.c - crops straight from decoded 4:2:0 planes (fc_frame.yuv,
 * src/imgwarp_yuv.c): uniform colours through the colour matrix, luma against a
 * double-precision bilinear reference over random ROIs (both borders, both code
 * paths), chroma sample positions, and bad planes refused. The map from a
 * decoded video frame to its planes is checked in test_capture (test_planar).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formcheck/imgwarp.h"

#define OUT 48
#define PAD 8 /* bytes past each row: the gathers may read 2 (4 promised) */

typedef struct planes {
    uint8_t *p[3];
    fc_frame_yuv yuv;
    fc_frame f;
} planes;

/* BT.601 limited range, swscale's coefficients (104597, 132201, 25675, 53279).
 */
static void bt601(fc_frame_yuv *y)
{
    y->y_offset = 16.0f;
    y->y_scale = 255.0f / 219.0f;
    y->cr_r = 104597 / 65536.0f;
    y->cb_b = 132201 / 65536.0f;
    y->cb_g = 25675 / 65536.0f;
    y->cr_g = 53279 / 65536.0f;
}

/* w x h luma planes filled by (fy, fu, fv)(x, y); the frame is the planes
 * scaled by 1/s. */
static void make(planes *p, int w, int h, double s, uint8_t (*fy)(int, int), uint8_t (*fu)(int, int),
                 uint8_t (*fv)(int, int))
{
    int cw = (w + 1) / 2, ch = (h + 1) / 2;
    int sz[3][2] = {{w, h}, {cw, ch}, {cw, ch}};
    uint8_t (*fn[3])(int, int) = {fy, fu, fv};
    memset(p, 0, sizeof *p);
    for (int i = 0; i < 3; i++) {
        int stride = sz[i][0] + PAD;
        p->p[i] = malloc((size_t)stride * sz[i][1]);
        assert_non_null(p->p[i]);
        for (int y = 0; y < sz[i][1]; y++)
            for (int x = 0; x < stride; x++)
                p->p[i][(size_t)y * stride + x] = x < sz[i][0] ? fn[i](x, y) : 0xEE;
        p->yuv.plane[i] = p->p[i];
        p->yuv.stride[i] = stride;
    }
    p->yuv.width = w;
    p->yuv.height = h;
    double m[6] = {s, 0, (s - 1) / 2, 0, s, (s - 1) / 2};
    memcpy(p->yuv.to_plane, m, sizeof m);
    bt601(&p->yuv);
    p->f = (fc_frame){NULL, (int)lround(w / s), (int)lround(h / s), 0, 0, 0.0, &p->yuv};
}

static void drop(planes *p)
{
    for (int i = 0; i < 3; i++)
        free(p->p[i]);
}

static uint32_t seed = 12345;
static uint32_t rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    return seed;
}
static float uni(float lo, float hi)
{
    return lo + (hi - lo) * (float)(rnd() % 1000000) / 1000000.0f;
}

static uint8_t c_y, c_u, c_v;
static uint8_t const_y(int x, int y)
{
    (void)x, (void)y;
    return c_y;
}
static uint8_t const_u(int x, int y)
{
    (void)x, (void)y;
    return c_u;
}
static uint8_t const_v(int x, int y)
{
    (void)x, (void)y;
    return c_v;
}
static uint8_t hash_y(int x, int y)
{
    return (uint8_t)((x * 73856093u ^ y * 19349663u) >> 7);
}
static uint8_t hash_u(int x, int y)
{
    return (uint8_t)((x * 2654435761u + y * 40503u) >> 11);
}
static uint8_t hash_v(int x, int y)
{
    return (uint8_t)((x * 97u + y * 2246822519u) >> 13);
}

static fc_imgwarp *warper(int simd)
{
    fc_imgwarp_opts o = fc_imgwarp_default_opts();
    o.simd = simd;
    fc_imgwarp *iw = NULL;
    char err[FC_ERRBUF_SIZE];
    assert_int_equal(fc_imgwarp_create(&iw, &o, err, sizeof err), 0);
    return iw;
}

static void crop(float *dst, int simd, const planes *p, const fc_roi *r, float lo, float hi, fc_border b)
{
    fc_imgwarp *iw = warper(simd);
    char err[FC_ERRBUF_SIZE] = "";
    int rc = fc_imgwarp_roi(iw, dst, OUT, OUT, &p->f, r, lo, hi, b, err, sizeof err);
    if (rc != 0)
        fail_msg("fc_imgwarp_roi: %d %s", rc, err);
    fc_imgwarp_free(iw);
}

static double clamp255(double v)
{
    return v < 0 ? 0 : v > 255 ? 255 : v;
}

/* A flat colour comes out as the matrix says, inside and outside the planes
 * (replicated edge), and a zero border is exactly `lo`. */
static void test_uniform_colours(void **state)
{
    static const uint8_t cols[][3] = {{16, 128, 128}, {235, 128, 128}, {81, 90, 240},
                                      {145, 54, 34},  {41, 240, 110},  {200, 20, 20}};
    float *dst = malloc(sizeof(float) * 3 * OUT * OUT);
    (void)state;
    for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++) {
        c_y = cols[k][0], c_u = cols[k][1], c_v = cols[k][2];
        planes p;
        make(&p, 64, 36, 2.0, const_y, const_u, const_v);
        double l = 255.0 / 219.0 * (c_y - 16), cb = c_u - 128.0, cr = c_v - 128.0;
        double want[3] = {clamp255(l + 104597 / 65536.0 * cr),
                          clamp255(l - 25675 / 65536.0 * cb - 53279 / 65536.0 * cr),
                          clamp255(l + 132201 / 65536.0 * cb)};
        for (int simd = 0; simd < 2; simd++) {
            fc_roi r = {16, 9, 60, 40, 0.4f}; /* reaches past every edge */
            crop(dst, simd, &p, &r, 0.0f, 1.0f, FC_BORDER_REPLICATE);
            for (int c = 0; c < 3; c++)
                for (int i = 0; i < OUT * OUT; i++)
                    if (fabs(dst[c * OUT * OUT + i] * 255.0 - want[c]) > 0.01)
                        fail_msg("colour %zu simd %d channel %d pixel %d: %f, want %f", k, simd, c, i,
                                 dst[c * OUT * OUT + i] * 255.0, want[c]);
            crop(dst, simd, &p, &r, -1.0f, 1.0f, FC_BORDER_ZERO);
            /* the output's corner (0, 0) maps far outside: black, i.e. lo */
            for (int c = 0; c < 3; c++)
                assert_float_equal(dst[c * OUT * OUT], -1.0f, 1e-6);
        }
        drop(&p);
    }
    free(dst);
}

/* Bilinear sample of plane i at (u, v), nearest edge or black outside, in double. */
static double ref_plane(const planes *p, int i, double u, double v, int zero)
{
    int w = i ? (p->yuv.width + 1) / 2 : p->yuv.width, h = i ? (p->yuv.height + 1) / 2 : p->yuv.height;
    double fu = floor(u), fv = floor(v), a = u - fu, b = v - fv, s[4];
    for (int k = 0; k < 4; k++) {
        int x = (int)fu + (k & 1), y = (int)fv + (k >> 1);
        if (x < 0 || y < 0 || x >= w || y >= h) {
            if (zero) {
                s[k] = i ? 128 : 16;
                continue;
            }
            x = x < 0 ? 0 : x >= w ? w - 1 : x;
            y = y < 0 ? 0 : y >= h ? h - 1 : y;
        }
        s[k] = p->p[i][(size_t)y * p->yuv.stride[i] + x];
    }
    double t = s[0] + a * (s[1] - s[0]), d = s[2] + a * (s[3] - s[2]);
    return t + b * (d - t);
}

/* Random luma, neutral chroma (grey: R = G = B): every output against the
 * reference over random ROIs, scales, rotations, both borders, both paths. */
static void test_luma_matches_reference(void **state)
{
    float *dst = malloc(sizeof(float) * 3 * OUT * OUT);
    (void)state;
    c_u = c_v = 128;
    for (int t = 0; t < 60; t++) {
        int w = 2 + (int)(rnd() % 90), h = 2 + (int)(rnd() % 70);
        double s = t % 3 == 0 ? 1.0 : t % 3 == 1 ? 2.0 : 3.0;
        planes p;
        make(&p, w, h, s, hash_y, const_u, const_v);
        fc_roi r = {uni(-10, w / (float)s + 10), uni(-10, h / (float)s + 10), uni(2, 80), uni(2, 80), uni(-3.2f, 3.2f)};
        /* the same map as imgwarp.c's roi_matrix, composed with to_plane */
        double c = cos(r.rotation), sn = sin(r.rotation), sx = r.w / OUT, sy = r.h / OUT;
        double m[6] = {c * sx,  -sn * sy, r.cx - c * sx * OUT / 2.0 + sn * sy * OUT / 2.0,
                       sn * sx, c * sy,   r.cy - sn * sx * OUT / 2.0 - c * sy * OUT / 2.0};
        for (int zero = 0; zero < 2; zero++)
            for (int simd = 0; simd < 2; simd++) {
                crop(dst, simd, &p, &r, 0.0f, 255.0f, zero ? FC_BORDER_ZERO : FC_BORDER_REPLICATE);
                for (int y = 0; y < OUT; y++)
                    for (int x = 0; x < OUT; x++) {
                        double fx = m[0] * x + m[1] * y + m[2], fy = m[3] * x + m[4] * y + m[5];
                        double u = s * fx + (s - 1) / 2, v = s * fy + (s - 1) / 2;
                        double want = clamp255(255.0 / 219.0 * (ref_plane(&p, 0, u, v, zero) - 16));
                        for (int ch = 0; ch < 3; ch++) {
                            double got = dst[ch * OUT * OUT + y * OUT + x];
                            if (fabs(got - want) > 0.05)
                                fail_msg("case %d (%dx%d, s %g, zero %d, simd %d) at (%d,%d) "
                                         "ch %d: %f, want %f",
                                         t, w, h, s, zero, simd, x, y, ch, got, want);
                        }
                    }
            }
        drop(&p);
    }
    free(dst);
}

/* Chroma: output pixel (x, y) of an unrotated, unscaled crop is frame pixel
 * (x, y). With the frame at the planes' size, that is chroma point
 * ((x - 0.5) / 2, (y - 0.5) / 2) (samples at the centre of their 2x2 block),
 * interpolated; with the frame at half their size, chroma sample (x, y). */
static void test_chroma_positions(void **state)
{
    float *dst = malloc(sizeof(float) * 3 * OUT * OUT);
    (void)state;
    c_y = 126;
    for (int half = 0; half < 2; half++) {
        planes p;
        make(&p, 2 * OUT, 2 * OUT, half ? 2.0 : 1.0, const_y, hash_u, hash_v);
        fc_roi r = {OUT / 2.0f, OUT / 2.0f, OUT, OUT, 0.0f}; /* the ROI's corners on the output's corners */
        for (int simd = 0; simd < 2; simd++) {
            crop(dst, simd, &p, &r, 0.0f, 255.0f, FC_BORDER_REPLICATE);
            for (int y = 0; y < OUT; y++)
                for (int x = 0; x < OUT; x++) {
                    double cu = half ? x : (x - 0.5) / 2, cv = half ? y : (y - 0.5) / 2;
                    double l = 255.0 / 219.0 * (c_y - 16), cb = ref_plane(&p, 1, cu, cv, 0) - 128.0,
                           cr = ref_plane(&p, 2, cu, cv, 0) - 128.0;
                    double want[3] = {clamp255(l + 104597 / 65536.0 * cr),
                                      clamp255(l - 25675 / 65536.0 * cb - 53279 / 65536.0 * cr),
                                      clamp255(l + 132201 / 65536.0 * cb)};
                    for (int c = 0; c < 3; c++)
                        if (fabs(dst[c * OUT * OUT + y * OUT + x] - want[c]) > 0.01)
                            fail_msg("half %d simd %d (%d,%d) ch %d: %f, want %f", half, simd, x, y, c,
                                     dst[c * OUT * OUT + y * OUT + x], want[c]);
                }
        }
        drop(&p);
    }
    free(dst);
}

static void test_bad_planes(void **state)
{
    float *dst = malloc(sizeof(float) * 3 * OUT * OUT);
    fc_imgwarp *iw = warper(1);
    char err[FC_ERRBUF_SIZE];
    fc_roi r = {8, 8, 16, 16, 0.0f};
    (void)state;
    c_y = c_u = c_v = 100;
    planes p;
    make(&p, 32, 32, 1.0, const_y, const_u, const_v);
    assert_int_equal(fc_imgwarp_roi(iw, dst, OUT, OUT, &p.f, &r, 0, 1, FC_BORDER_REPLICATE, err, sizeof err), 0);
    fc_frame_yuv keep = p.yuv;
    p.yuv.plane[1] = NULL;
    assert_int_equal(fc_imgwarp_roi(iw, dst, OUT, OUT, &p.f, &r, 0, 1, FC_BORDER_REPLICATE, err, sizeof err),
                     FC_EINVAL);
    p.yuv = keep;
    p.yuv.width = 1;
    assert_int_equal(fc_imgwarp_roi(iw, dst, OUT, OUT, &p.f, &r, 0, 1, FC_BORDER_REPLICATE, err, sizeof err),
                     FC_EINVAL);
    p.yuv = keep;
    p.yuv.stride[2] = 15; /* under the chroma width (16) */
    assert_int_equal(fc_imgwarp_letterbox(iw, dst, OUT, &p.f, 0, 1, (float[4]){0}, err, sizeof err), FC_EINVAL);
    p.yuv = keep;
    p.f.yuv = NULL; /* neither pixels nor planes */
    assert_int_equal(fc_imgwarp_roi(iw, dst, OUT, OUT, &p.f, &r, 0, 1, FC_BORDER_REPLICATE, err, sizeof err),
                     FC_EINVAL);
    drop(&p);
    fc_imgwarp_free(iw);
    free(dst);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uniform_colours),
        cmocka_unit_test(test_luma_matches_reference),
        cmocka_unit_test(test_chroma_positions),
        cmocka_unit_test(test_bad_planes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
