/* imgwarp.c - rotated-ROI crops into network input buffers (see formcheck/imgwarp.h).
 *
 * The arithmetic is OpenCV's warpAffine(INTER_LINEAR, WARP_INVERSE_MAP) on 8-bit
 * images, which MediaPipe's ImageToTensorCalculator (OpenCV backend) runs:
 *  - source coordinates in fixed point: per output row X0 = round((m1*y + m2) * 1024)
 *    + 16, per output column round(m0*x * 1024); X = (X0 + dx) >> 5 is the source x
 *    in 1/32 px (likewise Y);
 *  - bilinear weights on that 1/32 grid, wx = 32 - (X & 31), X & 31 (likewise wy);
 *    OpenCV's 15-bit weights are wx*wy*32, so its (sum + 2^14) >> 15 equals
 *    (sum of p*wx*wy + 512) >> 10 here;
 *  - outside the frame: each missing neighbour is the nearest edge pixel
 *    (replicate) or 0 (zero).
 * The crop is then scaled to floats, v * ((hi - lo) / 255) + lo, a multiply and an
 * add (never fused: the result must not depend on the CPU), written straight into
 * the planar RGB buffer. tests/unit/test_imgwarp.c checks every value against
 * cv::warpAffine. Doing it here instead of in OpenCV saves the 8-bit crop, the
 * second pass over it and OpenCV's thread hand-off: a 256x256 crop of a 640x360
 * frame took 0.75-0.94 ms in OpenCV and takes 0.24-0.28 ms here (one thread;
 * docs/performance.md has the whole-process figures). */
#include "formcheck/imgwarp.h"

#include "imgwarp_yuv.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define FC_WARP_AVX2 1
#endif

#define AB_SCALE 1024.0 /* source coordinates in 1/1024 px (OpenCV's AB_BITS = 10) */
#define ROUND_DELTA 16  /* half of 1/32 px in those units */
#define MAX_OUT_SIDE 8192
/* Source coordinates, px, beyond which the fixed-point sums could overflow int
 * (a row's start and a column's step are each under 2^30 in 1/1024 px). */
#define MAX_SRC_COORD (1 << 19)

struct fc_imgwarp {
    fc_imgwarp_opts o;
    int avx2, avx2_fma; /* the BGR path needs AVX2, the planar one AVX2 and FMA */
    int *dx, *dy; /* per output column: m0*x, m3*x in 1/1024 px */
    int cap;      /* columns allocated */
};

/* One call's fixed inputs. */
typedef struct warp_job {
    const fc_frame *f;
    float *r, *g, *b; /* output planes */
    int out_w;
    fc_border border;
    float scale, lo;
} warp_job;

fc_imgwarp_opts fc_imgwarp_default_opts(void)
{
    return (fc_imgwarp_opts){.simd = 1};
}

int fc_imgwarp_create(fc_imgwarp **out, const fc_imgwarp_opts *opts, char *err, size_t errsz)
{
    *out = NULL;
    fc_imgwarp *iw = calloc(1, sizeof *iw);
    if (!iw)
        return fc_set_error(err, errsz, FC_ENOMEM, "imgwarp: out of memory");
    iw->o = opts ? *opts : fc_imgwarp_default_opts();
#ifdef FC_WARP_AVX2
    iw->avx2 = iw->o.simd && __builtin_cpu_supports("avx2");
    iw->avx2_fma = iw->avx2 && __builtin_cpu_supports("fma");
#endif
    *out = iw;
    return 0;
}

void fc_imgwarp_free(fc_imgwarp *iw)
{
    if (!iw)
        return;
    free(iw->dx);
    free(iw->dy);
    free(iw);
}

int fc_imgwarp_uses_avx2(const fc_imgwarp *iw)
{
    return iw ? iw->avx2 : 0;
}

/* cvRound: nearest, ties to even (the FPU's default mode), as OpenCV's
 * saturate_cast<int>(double). Callers keep |v| well inside int. */
static int round_int(double v)
{
    return (int)lrint(v);
}

/* Saturate to int16, as OpenCV stores the integer source coordinates. */
static int sat16(int v)
{
    return v < SHRT_MIN ? SHRT_MIN : v > SHRT_MAX ? SHRT_MAX : v;
}

static int clampi(int v, int hi)
{
    return v < 0 ? 0 : v > hi ? hi : v;
}

/* One output pixel from source position (X, Y) in 1/32 px, any position, both
 * borders. Not inlined into the AVX2 loop, so that the compiler cannot fuse the
 * final multiply-add there (the portable results must equal the AVX2 ones). */
__attribute__((noinline)) static void warp_px(const warp_job *j, int X, int Y, size_t o)
{
    static const uint8_t zero[3] = {0, 0, 0};
    const fc_frame *f = j->f;
    int sx = sat16(X >> 5), sy = sat16(Y >> 5), ax = X & 31, ay = Y & 31;
    const uint8_t *p[4];
    for (int k = 0; k < 4; k++) {
        int x = sx + (k & 1), y = sy + (k >> 1);
        if (x >= 0 && x < f->width && y >= 0 && y < f->height)
            p[k] = f->data + (size_t)y * f->stride + 3 * (size_t)x;
        else if (j->border == FC_BORDER_REPLICATE)
            p[k] = f->data + (size_t)clampi(y, f->height - 1) * f->stride + 3 * (size_t)clampi(x, f->width - 1);
        else
            p[k] = zero;
    }
    int v[3];
    for (int c = 0; c < 3; c++) {
        int h0 = p[0][c] * (32 - ax) + p[1][c] * ax, h1 = p[2][c] * (32 - ax) + p[3][c] * ax;
        v[c] = (h0 * (32 - ay) + h1 * ay + 512) >> 10;
    }
    float s = j->scale, lo = j->lo;
    volatile float t; /* keep multiply and add apart */
    t = (float)v[2] * s, j->r[o] = t + lo;
    t = (float)v[1] * s, j->g[o] = t + lo;
    t = (float)v[0] * s, j->b[o] = t + lo;
}

#ifdef FC_WARP_AVX2
/* Byte `sh / 8` of each lane, zero-extended. */
__attribute__((target("avx2"))) static inline __m256i byte_at(__m256i v, int sh)
{
    return _mm256_and_si256(_mm256_srli_epi32(v, sh), _mm256_set1_epi32(0xff));
}

__attribute__((target("avx2"))) static inline void store_px(const warp_job *j, __m256i v, float *plane, size_t o)
{
    __m256 s = _mm256_set1_ps(j->scale), lo = _mm256_set1_ps(j->lo);
    _mm256_storeu_ps(plane + o, _mm256_add_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(v), s), lo));
}

/* Bilinear blend of one channel for 8 pixels: (p00, p01) weighted by wx, then the
 * two rows by wy, all with 16-bit pairs into 32-bit sums (exact). Channel c is
 * byte c of g00 and g10, byte c + sh1 of g01 and g11. */
__attribute__((target("avx2"))) static inline __m256i blend(__m256i g00, __m256i g01, __m256i g10,
                                                             __m256i g11, int c, int sh1, __m256i wx, __m256i wy)
{
    __m256i top = _mm256_or_si256(byte_at(g00, 8 * c), _mm256_slli_epi32(byte_at(g01, 8 * (c + sh1)), 16));
    __m256i bot = _mm256_or_si256(byte_at(g10, 8 * c), _mm256_slli_epi32(byte_at(g11, 8 * (c + sh1)), 16));
    __m256i h = _mm256_or_si256(_mm256_madd_epi16(top, wx), _mm256_slli_epi32(_mm256_madd_epi16(bot, wx), 16));
    return _mm256_srli_epi32(_mm256_add_epi32(_mm256_madd_epi16(h, wy), _mm256_set1_epi32(512)), 10);
}

__attribute__((target("avx2"))) static inline void blend_store(const warp_job *j, __m256i g00, __m256i g01,
                                                                __m256i g10, __m256i g11, int sh1, __m256i X,
                                                                __m256i Y, size_t o)
{
    const __m256i m31 = _mm256_set1_epi32(31), c32 = _mm256_set1_epi32(32);
    __m256i ax = _mm256_and_si256(X, m31), ay = _mm256_and_si256(Y, m31);
    __m256i wx = _mm256_or_si256(_mm256_sub_epi32(c32, ax), _mm256_slli_epi32(ax, 16));
    __m256i wy = _mm256_or_si256(_mm256_sub_epi32(c32, ay), _mm256_slli_epi32(ay, 16));
    store_px(j, blend(g00, g01, g10, g11, 2, sh1, wx, wy), j->r, o);
    store_px(j, blend(g00, g01, g10, g11, 1, sh1, wx, wy), j->g, o);
    store_px(j, blend(g00, g01, g10, g11, 0, sh1, wx, wy), j->b, o);
}

static inline long long load8(const uint8_t *p)
{
    long long v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* pshufb masks taking channel c of 8 pixels as 16-bit pairs (left pixel, right
 * pixel) in 32-bit lanes, in pixel order, from two sets of 4 quadwords: `a`
 * holds pixels 0, 1, 4, 5 and `b` pixels 2, 3, 6, 7, each quadword the bytes of
 * the pixel and its right neighbour (B G R B G R . .). Z: a zero byte. */
#define Z (-128)
#define MASK_A(c) {c, Z, c + 3, Z, 8 + c, Z, 11 + c, Z, Z, Z, Z, Z, Z, Z, Z, Z}
#define MASK_B(c) {Z, Z, Z, Z, Z, Z, Z, Z, c, Z, c + 3, Z, 8 + c, Z, 11 + c, Z}
static const int8_t pair_masks[3][2][16] = {{MASK_A(0), MASK_B(0)}, {MASK_A(1), MASK_B(1)}, {MASK_A(2), MASK_B(2)}};
#undef Z
#undef MASK_A
#undef MASK_B

__attribute__((target("avx2"))) static inline __m256i pairs(__m256i a, __m256i b, int c)
{
    __m256i ma = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)pair_masks[c][0]));
    __m256i mb = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)pair_masks[c][1]));
    return _mm256_or_si256(_mm256_shuffle_epi8(a, ma), _mm256_shuffle_epi8(b, mb));
}

/* The fast path's blend: channel pairs straight from the quadword gathers. */
__attribute__((target("avx2"))) static void pairs_store(const warp_job *j, __m256i ta, __m256i tb, __m256i ba,
                                                         __m256i bb, __m256i X, __m256i Y, size_t o)
{
    const __m256i m31 = _mm256_set1_epi32(31), c32 = _mm256_set1_epi32(32), half = _mm256_set1_epi32(512);
    __m256i ax = _mm256_and_si256(X, m31), ay = _mm256_and_si256(Y, m31);
    __m256i wx = _mm256_or_si256(_mm256_sub_epi32(c32, ax), _mm256_slli_epi32(ax, 16));
    __m256i wy = _mm256_or_si256(_mm256_sub_epi32(c32, ay), _mm256_slli_epi32(ay, 16));
    const __m256 sc = _mm256_set1_ps(j->scale), lo = _mm256_set1_ps(j->lo); /* before the stores */
    float *planes[3] = {j->b, j->g, j->r};
    for (int c = 0; c < 3; c++) {
        __m256i h = _mm256_or_si256(_mm256_madd_epi16(pairs(ta, tb, c), wx),
                                    _mm256_slli_epi32(_mm256_madd_epi16(pairs(ba, bb, c), wx), 16));
        __m256i v = _mm256_srli_epi32(_mm256_add_epi32(_mm256_madd_epi16(h, wy), half), 10);
        _mm256_storeu_ps(planes[c] + o, _mm256_add_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(v), sc), lo));
    }
}

/* One neighbour of 8 pixels at frame column cx, row cy (both inside), its 3 bytes
 * moved to bytes 0-2: read from the pixel itself, or for the last column from 1
 * byte before it, so that no read passes the frame's last byte. Lanes off in
 * `valid` give 0 (the zero border). */
__attribute__((target("avx2"))) static inline __m256i edge_texel(const fc_frame *f, __m256i cx, __m256i cy,
                                                                  __m256i valid)
{
    __m256i last = _mm256_cmpeq_epi32(cx, _mm256_set1_epi32(f->width - 1)); /* -1 where cx == w-1 */
    __m256i off = _mm256_add_epi32(_mm256_mullo_epi32(cy, _mm256_set1_epi32(f->stride)),
                                   _mm256_add_epi32(_mm256_add_epi32(cx, _mm256_add_epi32(cx, cx)), last));
    __m256i g = _mm256_mask_i32gather_epi32(_mm256_setzero_si256(), (const int *)(const void *)f->data, off,
                                            valid, 1);
    return _mm256_srlv_epi32(g, _mm256_and_si256(last, _mm256_set1_epi32(8)));
}

/* 8 pixels of which some sample outside the frame (needs width >= 2): each of the
 * four neighbours clamped into the frame (replicate) or masked to 0 (zero). */
__attribute__((target("avx2"))) static void edge_group(const warp_job *j, __m256i X, __m256i Y, size_t o)
{
    const fc_frame *f = j->f;
    const __m256i one = _mm256_set1_epi32(1), zero = _mm256_setzero_si256();
    const __m256i wmax = _mm256_set1_epi32(f->width - 1), hmax = _mm256_set1_epi32(f->height - 1);
    __m256i sx = _mm256_srai_epi32(X, 5), sy = _mm256_srai_epi32(Y, 5);
    __m256i sx1 = _mm256_add_epi32(sx, one), sy1 = _mm256_add_epi32(sy, one);
    __m256i cx0 = _mm256_min_epi32(_mm256_max_epi32(sx, zero), wmax);
    __m256i cx1 = _mm256_min_epi32(_mm256_max_epi32(sx1, zero), wmax);
    __m256i cy0 = _mm256_min_epi32(_mm256_max_epi32(sy, zero), hmax);
    __m256i cy1 = _mm256_min_epi32(_mm256_max_epi32(sy1, zero), hmax);
    __m256i all = _mm256_set1_epi32(-1), vx0 = all, vx1 = all, vy0 = all, vy1 = all;
    if (j->border == FC_BORDER_ZERO) {
        vx0 = _mm256_cmpeq_epi32(cx0, sx), vx1 = _mm256_cmpeq_epi32(cx1, sx1);
        vy0 = _mm256_cmpeq_epi32(cy0, sy), vy1 = _mm256_cmpeq_epi32(cy1, sy1);
    }
    __m256i g00 = edge_texel(f, cx0, cy0, _mm256_and_si256(vx0, vy0));
    __m256i g01 = edge_texel(f, cx1, cy0, _mm256_and_si256(vx1, vy0));
    __m256i g10 = edge_texel(f, cx0, cy1, _mm256_and_si256(vx0, vy1));
    __m256i g11 = edge_texel(f, cx1, cy1, _mm256_and_si256(vx1, vy1));
    blend_store(j, g00, g01, g10, g11, 0, X, Y, o);
}

/* One output row, 8 pixels at a time. When all 8 have their 2x2 neighbourhood
 * inside the frame (and the 8-byte reads below end inside it), each row of the
 * neighbourhood comes from one 8-byte load per pixel (pixels sx and sx+1),
 * shuffled into channel pairs and blended with exact 16-bit madds; otherwise
 * (frame edges) edge_group() or, for a 1-pixel-wide frame, warp_px(). Plain loads
 * beat AVX2 gathers here: four dword gathers per 8 pixels took 0.33-0.48 ms per
 * 256x256 crop from a 640x360 frame, four quadword gathers no less, the loads
 * 0.24-0.28 ms (one thread, the other core busy). Returns pixels done. */
__attribute__((target("avx2"))) static int row_avx2(const warp_job *j, const int *dx, const int *dy, int X0,
                                                     int Y0, size_t o)
{
    const fc_frame *f = j->f;
    const __m256i x0 = _mm256_set1_epi32(X0), y0 = _mm256_set1_epi32(Y0), neg1 = _mm256_set1_epi32(-1);
    const __m256i wlim = _mm256_set1_epi32(f->width - 1), hlim = _mm256_set1_epi32(f->height - 1);
    const __m256i stride = _mm256_set1_epi32(f->stride);
    const __m256i olim = _mm256_set1_epi32(f->height * f->stride - 8); /* last start of an 8-byte read */
    int x = 0;
    for (; x + 8 <= j->out_w; x += 8) {
        __m256i X = _mm256_srai_epi32(_mm256_add_epi32(x0, _mm256_loadu_si256((const __m256i *)(dx + x))), 5);
        __m256i Y = _mm256_srai_epi32(_mm256_add_epi32(y0, _mm256_loadu_si256((const __m256i *)(dy + x))), 5);
        __m256i sx = _mm256_srai_epi32(X, 5), sy = _mm256_srai_epi32(Y, 5);
        __m256i off = _mm256_add_epi32(_mm256_mullo_epi32(sy, stride), _mm256_add_epi32(sx, _mm256_add_epi32(sx, sx)));
        __m256i noff = _mm256_add_epi32(off, stride);
        __m256i in = _mm256_and_si256(_mm256_and_si256(_mm256_cmpgt_epi32(sx, neg1), _mm256_cmpgt_epi32(wlim, sx)),
                                      _mm256_and_si256(_mm256_cmpgt_epi32(sy, neg1), _mm256_cmpgt_epi32(hlim, sy)));
        in = _mm256_andnot_si256(_mm256_cmpgt_epi32(noff, olim), in);
        if (_mm256_movemask_epi8(in) != -1) {
            if (f->width >= 2) {
                edge_group(j, X, Y, o + x);
            } else {
                int xs[8], ys[8];
                _mm256_storeu_si256((__m256i *)xs, X);
                _mm256_storeu_si256((__m256i *)ys, Y);
                for (int k = 0; k < 8; k++)
                    warp_px(j, xs[k], ys[k], o + x + k);
            }
            continue;
        }
        int ot[8], ob[8];
        _mm256_storeu_si256((__m256i *)ot, off);
        _mm256_storeu_si256((__m256i *)ob, noff);
        __m256i ta = _mm256_setr_epi64x(load8(f->data + ot[0]), load8(f->data + ot[1]), load8(f->data + ot[4]),
                                        load8(f->data + ot[5]));
        __m256i tb = _mm256_setr_epi64x(load8(f->data + ot[2]), load8(f->data + ot[3]), load8(f->data + ot[6]),
                                        load8(f->data + ot[7]));
        __m256i ba = _mm256_setr_epi64x(load8(f->data + ob[0]), load8(f->data + ob[1]), load8(f->data + ob[4]),
                                        load8(f->data + ob[5]));
        __m256i bb = _mm256_setr_epi64x(load8(f->data + ob[2]), load8(f->data + ob[3]), load8(f->data + ob[6]),
                                        load8(f->data + ob[7]));
        pairs_store(j, ta, tb, ba, bb, X, Y, o + x);
    }
    return x;
}
#endif

static int grow(fc_imgwarp *iw, int n)
{
    if (n <= iw->cap)
        return 0;
    int *a = realloc(iw->dx, sizeof(int) * (size_t)n), *b = a ? realloc(iw->dy, sizeof(int) * (size_t)n) : NULL;
    if (a)
        iw->dx = a;
    if (!b)
        return FC_ENOMEM;
    iw->dy = b;
    iw->cap = n;
    return 0;
}

/* The inverse map, output pixel -> frame pixel: centre + R(rotation) * ((X, Y) -
 * out/2) * roi/out, so the ROI's corners land on the output's corners, as with
 * MediaPipe's getPerspectiveTransform(boxPoints(roi), output corners). */
static void roi_matrix(double m[6], const fc_roi *roi, int out_w, int out_h)
{
    const double c = cos((double)roi->rotation), s = sin((double)roi->rotation);
    const double sx = roi->w / (double)out_w, sy = roi->h / (double)out_h;
    m[0] = c * sx;
    m[1] = -s * sy;
    m[2] = roi->cx - c * sx * out_w / 2.0 + s * sy * out_h / 2.0;
    m[3] = s * sx;
    m[4] = c * sy;
    m[5] = roi->cy - s * sx * out_w / 2.0 - c * sy * out_h / 2.0;
}

/* 1 if every output corner maps within MAX_SRC_COORD of the origin. */
static int map_in_range(const double m[6], int out_w, int out_h)
{
    for (int k = 0; k < 4; k++) {
        double x = (k & 1) ? out_w : 0, y = (k >> 1) ? out_h : 0;
        double u = m[0] * x + m[1] * y + m[2], v = m[3] * x + m[4] * y + m[5];
        if (!(fabs(u) < MAX_SRC_COORD && fabs(v) < MAX_SRC_COORD))
            return 0;
    }
    return 1;
}

/* Read the part of the frame the crop samples once, row by row, before the
 * gathers. The frame was just written by the decoding thread on the other core;
 * a sequential pass lets the hardware prefetcher bring it over, where the
 * gathers' scattered reads would each wait for a cache line. */
static void warm_source(const fc_frame *f, const double m[6], int out_w, int out_h)
{
    double u0 = 1e30, u1 = -1e30, v0 = 1e30, v1 = -1e30;
    for (int k = 0; k < 4; k++) {
        double x = (k & 1) ? out_w : 0, y = (k >> 1) ? out_h : 0;
        double u = m[0] * x + m[1] * y + m[2], v = m[3] * x + m[4] * y + m[5];
        u0 = fmin(u0, u), u1 = fmax(u1, u), v0 = fmin(v0, v), v1 = fmax(v1, v);
    }
    int xa = clampi((int)floor(u0), f->width - 1), xb = clampi((int)ceil(u1) + 1, f->width - 1);
    int ya = clampi((int)floor(v0), f->height - 1), yb = clampi((int)ceil(v1) + 1, f->height - 1);
    unsigned sum = 0;
    for (int y = ya; y <= yb; y++) {
        const uint8_t *row = f->data + (size_t)y * f->stride;
        for (int b = 3 * xa; b < 3 * xb + 3; b += 64)
            sum += row[b];
        sum += row[3 * xb + 2];
    }
    volatile unsigned sink = sum;
    (void)sink;
}

/* The crop from the decoded planes: the ROI's map composed with the frame's map to the planes. */
static void roi_yuv(const fc_imgwarp *iw, float *dst, int out_w, int out_h, const fc_frame *frame,
                    const double m[6], float lo, float hi, fc_border border)
{
    const double *t = frame->yuv->to_plane;
    const size_t plane = (size_t)out_w * out_h;
    fc_yuv_warp w = {.p = frame->yuv,
                     .m = {t[0] * m[0] + t[1] * m[3], t[0] * m[1] + t[1] * m[4], t[0] * m[2] + t[1] * m[5] + t[2],
                           t[3] * m[0] + t[4] * m[3], t[3] * m[1] + t[4] * m[4], t[3] * m[2] + t[4] * m[5] + t[5]},
                     .r = dst,
                     .g = dst + plane,
                     .b = dst + 2 * plane,
                     .out_w = out_w,
                     .out_h = out_h,
                     .zero_border = border == FC_BORDER_ZERO,
                     .scale = (hi - lo) / 255.0f,
                     .lo = lo};
    fc_yuv_warp_run(&w, iw->avx2_fma);
}

int fc_imgwarp_roi(fc_imgwarp *iw, float *dst, int out_w, int out_h, const fc_frame *frame, const fc_roi *roi,
                   float lo, float hi, fc_border border, char *err, size_t errsz)
{
    const int yuv = frame && !frame->data && frame->yuv;
    if (!iw || !dst || !frame || !(frame->data || yuv) || !roi || out_w <= 0 || out_h <= 0 ||
        out_w > MAX_OUT_SIDE || out_h > MAX_OUT_SIDE || frame->width <= 0 || frame->height <= 0 ||
        frame->width > SHRT_MAX || frame->height > SHRT_MAX || (!yuv && frame->stride < 3 * frame->width) ||
        (yuv && !fc_yuv_warp_valid(frame->yuv)))
        return fc_set_error(err, errsz, FC_EINVAL, "imgwarp: invalid frame or output size");
    if (!(roi->w > 0.0f) || !(roi->h > 0.0f) || !isfinite(roi->cx) || !isfinite(roi->cy) ||
        !isfinite(roi->rotation) || !isfinite(roi->w) || !isfinite(roi->h))
        return fc_set_error(err, errsz, FC_EINVAL, "imgwarp: invalid region (%gx%g)", roi->w, roi->h);
    double m[6];
    roi_matrix(m, roi, out_w, out_h);
    if (!map_in_range(m, out_w, out_h))
        return fc_set_error(err, errsz, FC_EINVAL, "imgwarp: region (%gx%g at %g,%g) too far outside the frame",
                            roi->w, roi->h, roi->cx, roi->cy);
    if (yuv) {
        roi_yuv(iw, dst, out_w, out_h, frame, m, lo, hi, border);
        return 0;
    }
    if (grow(iw, out_w) < 0)
        return fc_set_error(err, errsz, FC_ENOMEM, "imgwarp: out of memory");
    for (int x = 0; x < out_w; x++) {
        iw->dx[x] = round_int(m[0] * x * AB_SCALE);
        iw->dy[x] = round_int(m[3] * x * AB_SCALE);
    }
    warm_source(frame, m, out_w, out_h);
    const size_t plane = (size_t)out_w * out_h;
    /* the gathers' byte offsets are int32 */
    const int gather_ok = iw->avx2 && (size_t)frame->height * (size_t)frame->stride < (size_t)INT_MAX;
    (void)gather_ok;
    const warp_job j = {frame, dst, dst + plane, dst + 2 * plane, out_w, border, (hi - lo) / 255.0f, lo};
    for (int y = 0; y < out_h; y++) {
        int X0 = round_int((m[1] * y + m[2]) * AB_SCALE) + ROUND_DELTA;
        int Y0 = round_int((m[4] * y + m[5]) * AB_SCALE) + ROUND_DELTA;
        size_t o = (size_t)y * out_w;
        int x = 0;
#ifdef FC_WARP_AVX2
        if (gather_ok)
            x = row_avx2(&j, iw->dx, iw->dy, X0, Y0, o);
#endif
        for (; x < out_w; x++)
            warp_px(&j, (X0 + iw->dx[x]) >> 5, (Y0 + iw->dy[x]) >> 5, o + x);
    }
    return 0;
}

int fc_imgwarp_letterbox(fc_imgwarp *iw, float *dst, int side, const fc_frame *frame, float lo, float hi,
                         float pad[4], char *err, size_t errsz)
{
    if (!frame || frame->width <= 0 || frame->height <= 0)
        return fc_set_error(err, errsz, FC_EINVAL, "imgwarp: invalid frame");
    fc_letterbox_padding(frame->width, frame->height, pad);
    const fc_roi roi = fc_letterbox_roi(frame->width, frame->height);
    return fc_imgwarp_roi(iw, dst, side, side, frame, &roi, lo, hi, FC_BORDER_ZERO, err, errsz);
}
