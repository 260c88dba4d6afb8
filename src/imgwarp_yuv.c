/* imgwarp_yuv.c - the crop straight from decoded 4:2:0 planes (see imgwarp_yuv.h).
 *
 * Why: converting and scaling every whole frame to BGR (swscale) cost about
 * 1.2 ms of the 3.5-4 ms a 720p frame took to decode, for a crop that reads a
 * fraction of it. Sampling the planes where the crop needs them does the colour
 * conversion on 256x256 pixels instead of the whole frame. Like MediaPipe's
 * ImageToTensorCalculator, the crop is bilinear from the full-resolution image;
 * unlike the BGR path it interpolates before converting to RGB (the conversion
 * is affine, so the two differ only by rounding and where a channel clips) and
 * keeps floats instead of rounding to 8 bits.
 *
 * Chroma samples sit at the centre of their 2x2 luma block (MPEG-1/JPEG siting,
 * what swscale assumes by default), so luma point (u, v) is chroma point
 * ((u - 0.5) / 2, (v - 0.5) / 2), sampled bilinearly too: taking the nearest
 * chroma sample instead saved 0.1 ms a crop but moved small features (a heel
 * lift measured 5.0 deg instead of 7.0 on a rendered set: tests/e2e).
 *
 * Measured (one thread, 256x256 crop of a 720p frame): 0.40 ms with the frame
 * in cache, 0.8-0.9 ms in the pipeline (the BGR path: 0.35-0.5 ms from a
 * 640x360 frame, but that frame cost swscale 1.1-1.4 ms to make). */
#include "imgwarp_yuv.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define FC_YUV_AVX2 1
#endif

int fc_yuv_warp_valid(const fc_frame_yuv *p)
{
    if (!p || !p->plane[0] || !p->plane[1] || !p->plane[2] || p->width < 2 || p->height < 2 ||
        p->width > SHRT_MAX || p->height > SHRT_MAX)
        return 0;
    int cw = (p->width + 1) / 2, ch = (p->height + 1) / 2;
    if (p->stride[0] < p->width || p->stride[1] < cw || p->stride[2] < cw)
        return 0;
    /* byte offsets of the gathers are int32 */
    return (long long)p->stride[0] * p->height < INT_MAX && (long long)p->stride[1] * ch < INT_MAX &&
           (long long)p->stride[2] * ch < INT_MAX;
}

/* Plane geometry for one sampler. */
typedef struct plane {
    const uint8_t *px;
    int stride, w, h;
    float black; /* the value outside with a zero border */
} plane;

static float at(const plane *pl, int x, int y, int zero)
{
    if (x < 0 || y < 0 || x >= pl->w || y >= pl->h) {
        if (zero)
            return pl->black;
        x = x < 0 ? 0 : x >= pl->w ? pl->w - 1 : x;
        y = y < 0 ? 0 : y >= pl->h ? pl->h - 1 : y;
    }
    return pl->px[(size_t)y * pl->stride + x];
}

static float bilinear(const plane *pl, float u, float v, int zero)
{
    float fu = floorf(u), fv = floorf(v), ax = u - fu, ay = v - fv;
    int x = (int)fu, y = (int)fv;
    float t = at(pl, x, y, zero), tr = at(pl, x + 1, y, zero);
    float b = at(pl, x, y + 1, zero), br = at(pl, x + 1, y + 1, zero);
    t += ax * (tr - t);
    b += ax * (br - b);
    return t + ay * (b - t);
}

static float clamp255(float v)
{
    return v < 0.0f ? 0.0f : v > 255.0f ? 255.0f : v;
}

static void planes_of(plane pl[3], const fc_frame_yuv *p)
{
    int cw = (p->width + 1) / 2, ch = (p->height + 1) / 2;
    pl[0] = (plane){p->plane[0], p->stride[0], p->width, p->height, p->y_offset};
    pl[1] = (plane){p->plane[1], p->stride[1], cw, ch, 128.0f};
    pl[2] = (plane){p->plane[2], p->stride[2], cw, ch, 128.0f};
}

/* Output pixels [x0, out_w) of row y, one at a time. */
static void row_scalar(const fc_yuv_warp *w, const plane pl[3], int y, int x0)
{
    const fc_frame_yuv *p = w->p;
    const float ub = (float)(w->m[1] * y + w->m[2]), vb = (float)(w->m[4] * y + w->m[5]);
    const float m0 = (float)w->m[0], m3 = (float)w->m[3];
    size_t o = (size_t)y * w->out_w;
    for (int x = x0; x < w->out_w; x++) {
        float u = ub + m0 * (float)x, v = vb + m3 * (float)x;
        float cu = (u - 0.5f) * 0.5f, cv = (v - 0.5f) * 0.5f;
        float l = p->y_scale * (bilinear(&pl[0], u, v, w->zero_border) - p->y_offset);
        float cb = bilinear(&pl[1], cu, cv, w->zero_border) - 128.0f;
        float cr = bilinear(&pl[2], cu, cv, w->zero_border) - 128.0f;
        w->r[o + x] = clamp255(l + p->cr_r * cr) * w->scale + w->lo;
        w->g[o + x] = clamp255(l - p->cb_g * cb - p->cr_g * cr) * w->scale + w->lo;
        w->b[o + x] = clamp255(l + p->cb_b * cb) * w->scale + w->lo;
    }
}

#ifdef FC_YUV_AVX2
/* Bilinear samples of one plane at 8 points, nearest edge sample outside. Each
 * gather reads 4 bytes from a row's x0: x0 is kept <= w - 2, so at most 2 bytes
 * past the last pixel (fc_frame_yuv promises 4). */
__attribute__((target("avx2,fma"))) static __m256 bilinear8(const plane *pl, __m256 u, __m256 v)
{
    const __m256 fu = _mm256_floor_ps(u), fv = _mm256_floor_ps(v);
    __m256 ax = _mm256_sub_ps(u, fu), ay = _mm256_sub_ps(v, fv);
    __m256i x = _mm256_cvtps_epi32(fu), y = _mm256_cvtps_epi32(fv);
    const __m256i zero = _mm256_setzero_si256();
    const __m256i xmax = _mm256_set1_epi32(pl->w - 2), ymax = _mm256_set1_epi32(pl->h - 2);
    const __m256 one = _mm256_set1_ps(1.0f);
    /* before the first pixel: both taps are pixel 0; past the second-last: both the last */
    __m256 lo = _mm256_castsi256_ps(_mm256_cmpgt_epi32(zero, x)), hi = _mm256_castsi256_ps(_mm256_cmpgt_epi32(x, xmax));
    ax = _mm256_blendv_ps(_mm256_blendv_ps(ax, _mm256_setzero_ps(), lo), one, hi);
    x = _mm256_min_epi32(_mm256_max_epi32(x, zero), xmax);
    lo = _mm256_castsi256_ps(_mm256_cmpgt_epi32(zero, y)), hi = _mm256_castsi256_ps(_mm256_cmpgt_epi32(y, ymax));
    ay = _mm256_blendv_ps(_mm256_blendv_ps(ay, _mm256_setzero_ps(), lo), one, hi);
    y = _mm256_min_epi32(_mm256_max_epi32(y, zero), ymax);
    const __m256i off = _mm256_add_epi32(_mm256_mullo_epi32(y, _mm256_set1_epi32(pl->stride)), x);
    const int *base = (const int *)(const void *)pl->px;
    __m256i t = _mm256_i32gather_epi32(base, off, 1);
    __m256i b = _mm256_i32gather_epi32((const int *)(const void *)(pl->px + pl->stride), off, 1);
    const __m256i ff = _mm256_set1_epi32(0xff);
    __m256 t0 = _mm256_cvtepi32_ps(_mm256_and_si256(t, ff));
    __m256 t1 = _mm256_cvtepi32_ps(_mm256_and_si256(_mm256_srli_epi32(t, 8), ff));
    __m256 b0 = _mm256_cvtepi32_ps(_mm256_and_si256(b, ff));
    __m256 b1 = _mm256_cvtepi32_ps(_mm256_and_si256(_mm256_srli_epi32(b, 8), ff));
    t0 = _mm256_fmadd_ps(ax, _mm256_sub_ps(t1, t0), t0);
    b0 = _mm256_fmadd_ps(ax, _mm256_sub_ps(b1, b0), b0);
    return _mm256_fmadd_ps(ay, _mm256_sub_ps(b0, t0), t0);
}

/* Row y, 8 output pixels at a time (replicated border); returns where it stopped. */
__attribute__((target("avx2,fma"))) static int row_avx2(const fc_yuv_warp *w, const plane pl[3], int y)
{
    const fc_frame_yuv *p = w->p;
    const __m256 ub = _mm256_set1_ps((float)(w->m[1] * y + w->m[2]));
    const __m256 vb = _mm256_set1_ps((float)(w->m[4] * y + w->m[5]));
    const __m256 m0 = _mm256_set1_ps((float)w->m[0]), m3 = _mm256_set1_ps((float)w->m[3]);
    const __m256 half = _mm256_set1_ps(0.5f), c128 = _mm256_set1_ps(128.0f);
    const __m256 ys = _mm256_set1_ps(p->y_scale), yo = _mm256_set1_ps(p->y_offset);
    const __m256 crr = _mm256_set1_ps(p->cr_r), cbg = _mm256_set1_ps(p->cb_g), crg = _mm256_set1_ps(p->cr_g);
    const __m256 cbb = _mm256_set1_ps(p->cb_b), sc = _mm256_set1_ps(w->scale), lo = _mm256_set1_ps(w->lo);
    const __m256 z = _mm256_setzero_ps(), top = _mm256_set1_ps(255.0f);
    const size_t o = (size_t)y * w->out_w;
    __m256 xs = _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7);
    int x = 0;
    for (; x + 8 <= w->out_w; x += 8, xs = _mm256_add_ps(xs, _mm256_set1_ps(8.0f))) {
        __m256 u = _mm256_add_ps(ub, _mm256_mul_ps(m0, xs)), v = _mm256_add_ps(vb, _mm256_mul_ps(m3, xs));
        __m256 cu = _mm256_mul_ps(_mm256_sub_ps(u, half), half), cv = _mm256_mul_ps(_mm256_sub_ps(v, half), half);
        __m256 l = _mm256_mul_ps(ys, _mm256_sub_ps(bilinear8(&pl[0], u, v), yo));
        __m256 cb = _mm256_sub_ps(bilinear8(&pl[1], cu, cv), c128);
        __m256 cr = _mm256_sub_ps(bilinear8(&pl[2], cu, cv), c128);
        __m256 r = _mm256_fmadd_ps(crr, cr, l);
        __m256 g = _mm256_fnmadd_ps(crg, cr, _mm256_fnmadd_ps(cbg, cb, l));
        __m256 b = _mm256_fmadd_ps(cbb, cb, l);
        r = _mm256_min_ps(_mm256_max_ps(r, z), top);
        g = _mm256_min_ps(_mm256_max_ps(g, z), top);
        b = _mm256_min_ps(_mm256_max_ps(b, z), top);
        _mm256_storeu_ps(w->r + o + x, _mm256_fmadd_ps(r, sc, lo));
        _mm256_storeu_ps(w->g + o + x, _mm256_fmadd_ps(g, sc, lo));
        _mm256_storeu_ps(w->b + o + x, _mm256_fmadd_ps(b, sc, lo));
    }
    return x;
}
#endif

/* Read the part of each plane that output rows [y0, y1) sample, row by row,
 * before their gathers. The decoder wrote the frame a while ago (1.4 MB for
 * 720p, more with its reference frames: out of L2), and the gathers' scattered
 * reads would each wait for a cache line; a sequential pass lets the hardware
 * prefetcher bring it in. Done a band of BAND output rows at a time, so what it
 * brings in (1080p: a 256x256 crop covers about 1.2 MB of planes) is still in
 * L2 when the band's gathers come. In the pipeline, per crop: 720p 1.2-1.3 ms
 * without, 0.8-0.9 with; 1080p 1.5-1.6 with one pass over the whole crop,
 * 1.2-1.3 with bands. */
#define BAND 32
static void warm(const fc_yuv_warp *w, const plane pl[3], int y0, int y1)
{
    double u0 = 1e30, u1 = -1e30, v0 = 1e30, v1 = -1e30;
    for (int k = 0; k < 4; k++) {
        double x = (k & 1) ? w->out_w : 0, y = (k >> 1) ? y1 : y0;
        double u = w->m[0] * x + w->m[1] * y + w->m[2], v = w->m[3] * x + w->m[4] * y + w->m[5];
        u0 = fmin(u0, u), u1 = fmax(u1, u), v0 = fmin(v0, v), v1 = fmax(v1, v);
    }
    unsigned sum = 0;
    for (int i = 0; i < 3; i++) {
        double k = i ? 0.5 : 1.0, o = i ? -0.25 : 0.0; /* luma -> chroma coordinates */
        int xa = (int)fmax(0.0, floor(u0 * k + o)), xb = (int)fmin(pl[i].w - 1.0, ceil(u1 * k + o) + 1);
        int ya = (int)fmax(0.0, floor(v0 * k + o)), yb = (int)fmin(pl[i].h - 1.0, ceil(v1 * k + o) + 1);
        for (int y = ya; y <= yb && xa <= xb; y++) {
            const uint8_t *row = pl[i].px + (size_t)y * pl[i].stride;
            for (int x = xa; x <= xb; x += 64)
                sum += row[x];
            sum += row[xb];
        }
    }
    volatile unsigned sink = sum;
    (void)sink;
}

void fc_yuv_warp_run(const fc_yuv_warp *w, int avx2)
{
    plane pl[3];
    planes_of(pl, w->p);
    (void)avx2;
    for (int y = 0; y < w->out_h; y++) {
        int x = 0;
        if (y % BAND == 0)
            warm(w, pl, y, y + BAND < w->out_h ? y + BAND : w->out_h);
#ifdef FC_YUV_AVX2
        /* the vector path replicates the border and needs chroma planes of 2+ samples */
        if (avx2 && !w->zero_border && pl[1].w >= 2 && pl[1].h >= 2)
            x = row_avx2(w, pl, y);
#endif
        row_scalar(w, pl, y, x);
    }
}
