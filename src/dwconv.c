/* dwconv.c - depthwise convolution over a padded, stride-phase-split copy of
 * each channel, 8 output vectors per register tile (see formcheck/dwconv.h). */
#include "formcheck/dwconv.h"

#include <string.h>

#include "formcheck/error.h"

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define FC_DW_AVX2 1
#endif

#define VW 8   /* floats per vector */
#define TILE 8 /* output vectors per register tile: 8 FMA chains hide the 4-5 cycle latency */
#define MAX_SIDE (1 << 15)
#define STRIP_BYTES (16 * 1024) /* scratch per strip, at most (but >= TILE rows) */

/* One call's geometry. Output rows are done in strips of `strip` rows; the
 * scratch holds the padded rows [py0, py0 + hs) a strip needs, as sw planes
 * of hs x wq floats: plane[ph][py - py0][j] = padded[py][j * sw + ph]. Tap
 * (ky, kx) of output (oy, ox) is then scratch[(oy - oy0) * sh * wq + ox +
 * off[ky * kw + kx]], contiguous in ox for every stride. */
typedef struct geom {
    int h, w, ho, wo, sh, sw, pt, pl;
    int kh, kw, hp, wq, strip, hs;
    int vert; /* use the row-reusing 8 x 1 kernel (AVX2, kernel_h 3 or 5, stride_h 1 or 2) */
    size_t plane; /* hs * wq */
    int taps, relu6, avx2;
    ptrdiff_t off[FC_DWCONV_MAX_TAPS];
    int ix0[FC_DWCONV_MAX_STRIDE], j0[FC_DWCONV_MAX_STRIDE]; /* per phase: first input column, its plane column */
} geom;

/* A register tile of R rows x V vectors (R * V <= TILE), chosen per call. */
typedef struct tile {
    const float *s; /* scratch position of the top-left output, oy * sh * wq + ox */
    float *d;       /* its address in y */
    size_t rs, ds;  /* row steps: scratch (sh * wq), y (wo) */
    int last;       /* outputs of the rightmost vector inside the image, 1..VW */
} tile;

/* The per-channel inputs of the tile kernels. */
typedef struct chan {
    const float *wt; /* the channel's taps */
    float bias;
} chan;

fc_dwconv_opts fc_dwconv_default_opts(void)
{
    fc_dwconv_opts o = {3, 3, 1, 1, 1, 1, 1, 1, 0, 1};
    return o;
}

int fc_dwconv_out_size(int *ho, int *wo, const fc_dwconv_opts *o, int h, int w)
{
    if (ho)
        *ho = 0;
    if (wo)
        *wo = 0;
    if (!ho || !wo || !o || h < 1 || w < 1 || h > MAX_SIDE || w > MAX_SIDE)
        return FC_EINVAL;
    if (o->kernel_h < 1 || o->kernel_w < 1 || o->kernel_h > FC_DWCONV_MAX_TAPS || o->kernel_w > FC_DWCONV_MAX_TAPS
        || o->kernel_h * o->kernel_w > FC_DWCONV_MAX_TAPS)
        return FC_EINVAL;
    if (o->stride_h < 1 || o->stride_w < 1 || o->stride_h > FC_DWCONV_MAX_STRIDE || o->stride_w > FC_DWCONV_MAX_STRIDE)
        return FC_EINVAL;
    if (o->pad_t < 0 || o->pad_l < 0 || o->pad_b < 0 || o->pad_r < 0 || o->pad_t > MAX_SIDE || o->pad_l > MAX_SIDE
        || o->pad_b > MAX_SIDE || o->pad_r > MAX_SIDE)
        return FC_EINVAL;
    int hp = h + o->pad_t + o->pad_b, wp = w + o->pad_l + o->pad_r;
    if (hp < o->kernel_h || wp < o->kernel_w)
        return FC_EINVAL;
    *ho = (hp - o->kernel_h) / o->stride_h + 1;
    *wo = (wp - o->kernel_w) / o->stride_w + 1;
    return 0;
}

int fc_dwconv_uses_avx2(const fc_dwconv_opts *o)
{
#ifdef FC_DW_AVX2
    return o && o->simd && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    (void)o;
    return 0;
#endif
}

static int geom_init(geom *g, const fc_dwconv_opts *o, int h, int w)
{
    if (fc_dwconv_out_size(&g->ho, &g->wo, o, h, w) < 0)
        return FC_EINVAL;
    g->h = h;
    g->w = w;
    g->sh = o->stride_h;
    g->sw = o->stride_w;
    g->pt = o->pad_t;
    g->pl = o->pad_l;
    g->kh = o->kernel_h;
    g->kw = o->kernel_w;
    g->hp = h + o->pad_t + o->pad_b;
    g->wq = (w + o->pad_l + o->pad_r + g->sw - 1) / g->sw;
    /* Strips small enough for the scratch to stay in L1 between the pack
     * and the tiles (on 128x128 channels the whole-channel copy went to L2
     * and lost to OpenCV); whole channels when they fit. */
    g->strip = g->ho;
    size_t row_bytes = sizeof(float) * (size_t)g->sw * (size_t)g->wq;
    if (row_bytes * (size_t)g->hp > STRIP_BYTES) {
        size_t rows = STRIP_BYTES / row_bytes, kh = (size_t)g->kh;
        size_t s = rows > kh ? (rows - kh) / (size_t)g->sh + 1 : 1;
        s = s >= TILE ? s / TILE * TILE : TILE;
        g->strip = s < (size_t)g->ho ? (int)s : g->ho;
    }
    g->hs = (g->strip - 1) * g->sh + g->kh;
    if (g->hs > g->hp)
        g->hs = g->hp;
    g->plane = (size_t)g->hs * (size_t)g->wq;
    g->taps = o->kernel_h * o->kernel_w;
    g->relu6 = o->relu6 != 0;
    g->avx2 = fc_dwconv_uses_avx2(o);
    /* (3x3 stride 2 measured no faster this way than with the 2 x 4 tile) */
    g->vert = g->avx2 && ((g->sh == 1 && g->kh == 3) || (g->sh <= 2 && g->kh == 5));
    for (int ph = 0; ph < g->sw; ph++) {
        g->j0[ph] = g->pl > ph ? (g->pl - ph + g->sw - 1) / g->sw : 0;
        g->ix0[ph] = g->j0[ph] * g->sw + ph - g->pl;
    }
    for (int ky = 0; ky < o->kernel_h; ky++)
        for (int kx = 0; kx < o->kernel_w; kx++)
            g->off[ky * o->kernel_w + kx] =
                (ptrdiff_t)((size_t)(kx % g->sw) * g->plane + (size_t)ky * g->wq + (size_t)(kx / g->sw));
    return 0;
}

size_t fc_dwconv_scratch_floats(const fc_dwconv_opts *o, int h, int w)
{
    geom g;
    if (geom_init(&g, o, h, w) < 0)
        return 0;
    /* + VW: a tile's last vector may read up to VW - 1 floats past the last plane. */
    return (size_t)g.sw * g.plane + VW;
}

static float clamp6(float v) { return v < 0.0f ? 0.0f : v > 6.0f ? 6.0f : v; }

#ifdef FC_DW_AVX2
__attribute__((target("avx2,fma"))) static void put_avx2(float *d, int cols, __m256 v, int relu6)
{
    if (relu6)
        v = _mm256_min_ps(_mm256_max_ps(v, _mm256_setzero_ps()), _mm256_set1_ps(6.0f));
    if (cols == VW) {
        _mm256_storeu_ps(d, v);
        return;
    }
    float tmp[VW]; /* a vector across the right edge: store only the image's part */
    _mm256_storeu_ps(tmp, v);
    memcpy(d, tmp, sizeof(float) * (size_t)cols);
}

/* R x V accumulators, per tap one broadcast and R * V FMAs with their loads
 * folded in; rows [0, rows) of a column block, R at a time (rows a multiple
 * of R). R and V are constants in every caller (TILE_AVX2), so the unrolled
 * loops leave the accumulators and row pointers in registers. */
static inline __attribute__((always_inline, target("avx2,fma"))) void
block_avx2(const tile *t, int rows, const chan *c, const geom *g, const int R, const int V)
{
    const __m256 bias = _mm256_set1_ps(c->bias);
    for (int r0 = 0; r0 < rows; r0 += R) {
        const float *s = t->s + (size_t)r0 * t->rs;
        float *d = t->d + (size_t)r0 * t->ds;
        __m256 a[TILE];
        const float *p[TILE];
#pragma GCC unroll 8
        for (int i = 0; i < R * V; i++) {
            a[i] = bias;
            p[i] = s + (size_t)(i / V) * t->rs + (size_t)(i % V) * VW;
        }
        for (int k = 0; k < g->taps; k++) {
            ptrdiff_t o = g->off[k];
            __m256 wv = _mm256_broadcast_ss(c->wt + k);
#pragma GCC unroll 8
            for (int i = 0; i < R * V; i++)
                a[i] = _mm256_fmadd_ps(_mm256_loadu_ps(p[i] + o), wv, a[i]);
        }
#pragma GCC unroll 8
        for (int i = 0; i < R * V; i++)
            put_avx2(d + (size_t)(i / V) * t->ds + (size_t)(i % V) * VW, i % V == V - 1 ? t->last : VW, a[i],
                     g->relu6);
    }
}

/* 8 rows x 1 vector for stride_h SH and a KH-row kernel: per tap column, KH
 * weights in registers and each of the 7 * SH + KH input rows loaded once for
 * the outputs it feeds (the tile above loads once per FMA): 1.2-1.5x faster
 * on BlazePose's stride-1 layers. */
static inline __attribute__((always_inline, target("avx2,fma"))) void
vert_avx2(const tile *t, int rows, const chan *c, const geom *g, const int KH, const int SH)
{
    const size_t ps = t->rs / (size_t)SH; /* padded row step, wq */
    const __m256 bias = _mm256_set1_ps(c->bias);
    for (int r0 = 0; r0 < rows; r0 += TILE) {
        const float *s = t->s + (size_t)r0 * t->rs;
        float *d = t->d + (size_t)r0 * t->ds;
        __m256 a[TILE];
#pragma GCC unroll 8
        for (int i = 0; i < TILE; i++)
            a[i] = bias;
        for (int kx = 0; kx < g->kw; kx++) {
            const float *q = s + g->off[kx];
            __m256 w[5];
#pragma GCC unroll 5
            for (int ky = 0; ky < KH; ky++)
                w[ky] = _mm256_broadcast_ss(c->wt + ky * g->kw + kx);
#pragma GCC unroll 20
            for (int i = 0; i < (TILE - 1) * SH + KH; i++) {
                __m256 v = _mm256_loadu_ps(q + (size_t)i * ps);
#pragma GCC unroll 5
                for (int ky = 0; ky < KH; ky++)
                    if (i - ky >= 0 && (i - ky) % SH == 0 && (i - ky) / SH < TILE)
                        a[(i - ky) / SH] = _mm256_fmadd_ps(v, w[ky], a[(i - ky) / SH]);
            }
        }
#pragma GCC unroll 8
        for (int i = 0; i < TILE; i++)
            put_avx2(d + (size_t)i * t->ds, t->last, a[i], g->relu6);
    }
}

#define VERT_AVX2(KH, SH)                                                                                            \
    __attribute__((target("avx2,fma"))) static void vert_##KH##_##SH##_avx2(const tile *t, int rows, const chan *c,  \
                                                                          const geom *g)                             \
    {                                                                                                                \
        vert_avx2(t, rows, c, g, KH, SH);                                                                            \
    }
VERT_AVX2(3, 1)
VERT_AVX2(5, 1)
VERT_AVX2(5, 2)
#undef VERT_AVX2

#define TILE_AVX2(R, V)                                                                                              \
    __attribute__((target("avx2,fma"))) static void tile_##R##x##V##_avx2(const tile *t, int rows, const chan *c,    \
                                                                          const geom *g)                             \
    {                                                                                                                \
        block_avx2(t, rows, c, g, R, V);                                                                             \
    }
TILE_AVX2(8, 1)
TILE_AVX2(4, 1)
TILE_AVX2(2, 1)
TILE_AVX2(1, 1)
TILE_AVX2(4, 2)
TILE_AVX2(2, 2)
TILE_AVX2(1, 2)
TILE_AVX2(2, 4)
TILE_AVX2(1, 4)
#undef TILE_AVX2

#endif

/* Portable tile: the same loads and multiply-adds over plain arrays. */
static void block_generic(const tile *t, int rows, int R, int V, const chan *c, const geom *g)
{
    for (int r0 = 0; r0 < rows; r0 += R) {
        const float *s0 = t->s + (size_t)r0 * t->rs;
        float *d0 = t->d + (size_t)r0 * t->ds;
        float acc[TILE][VW];
        for (int i = 0; i < R * V; i++)
            for (int l = 0; l < VW; l++)
                acc[i][l] = c->bias;
        for (int k = 0; k < g->taps; k++) {
            float wv = c->wt[k];
            for (int i = 0; i < R * V; i++) {
                const float *s = s0 + (size_t)(i / V) * t->rs + (size_t)(i % V) * VW + g->off[k];
                for (int l = 0; l < VW; l++)
                    acc[i][l] += wv * s[l];
            }
        }
        for (int i = 0; i < R * V; i++) {
            float *d = d0 + (size_t)(i / V) * t->ds + (size_t)(i % V) * VW;
            for (int l = 0; l < (i % V == V - 1 ? t->last : VW); l++)
                d[l] = g->relu6 ? clamp6(acc[i][l]) : acc[i][l];
        }
    }
}

/* Rows [0, rows) of a column block of V vectors, R rows a tile. */
static void run_block(const tile *t, int rows, int R, int V, const chan *c, const geom *g)
{
#ifdef FC_DW_AVX2
    if (g->avx2) {
        switch (V * 16 + R) {
        case 16 + 8:
            if (g->vert)
                (g->kh == 3 ? vert_3_1_avx2
                            : g->sh == 1 ? vert_5_1_avx2 : vert_5_2_avx2)(t, rows, c, g);
            else
                tile_8x1_avx2(t, rows, c, g);
            return;
        case 16 + 4: tile_4x1_avx2(t, rows, c, g); return;
        case 16 + 2: tile_2x1_avx2(t, rows, c, g); return;
        case 16 + 1: tile_1x1_avx2(t, rows, c, g); return;
        case 32 + 4: tile_4x2_avx2(t, rows, c, g); return;
        case 32 + 2: tile_2x2_avx2(t, rows, c, g); return;
        case 32 + 1: tile_1x2_avx2(t, rows, c, g); return;
        case 64 + 2: tile_2x4_avx2(t, rows, c, g); return;
        case 64 + 1: tile_1x4_avx2(t, rows, c, g); return;
        default: break;
        }
    }
#endif
    block_generic(t, rows, R, V, c, g);
}

/* Zero the scratch rows of padded rows [py0, py1) that are padding. */
static void zero_pad_rows(float *buf, const geom *g, int py0, int py1)
{
    for (int py = py0; py < py1; py++)
        if (py < g->pt || py >= g->pt + g->h)
            for (int ph = 0; ph < g->sw; ph++)
                memset(buf + (size_t)ph * g->plane + (size_t)(py - py0) * g->wq, 0, sizeof(float) * (size_t)g->wq);
}

/* Copy input rows of padded rows [py0, py1) into the scratch's planes. Only
 * the interior is written: the pad columns were zeroed once for the call
 * and stay zero. Any stride, plain loops. */
static void pack_generic(float *buf, const float *x, const geom *g, int iy0, int iy1, int py0)
{
    for (int iy = iy0; iy < iy1; iy++) {
        const float *xr = x + (size_t)iy * g->w;
        float *row = buf + (size_t)(iy + g->pt - py0) * g->wq;
        for (int ph = 0; ph < g->sw; ph++) { /* padded column j * sw + ph is input column ix */
            float *d = row + (size_t)ph * g->plane;
            for (int ix = g->ix0[ph], j = g->j0[ph]; ix < g->w; ix += g->sw, j++)
                d[j] = xr[ix];
        }
    }
}

#ifdef FC_DW_AVX2
/* The same for strides 1 and 2 with 8-float copies and 16-float splits. */
__attribute__((target("avx2"))) static void pack_avx2(float *buf, const float *x, const geom *g, int iy0, int iy1,
                                                       int py0)
{
    /* stride 2: padded column ix + pl, so even ix go to plane pl % 2, odd ones to the other */
    size_t e0 = g->sw == 1 ? (size_t)g->pl : (size_t)(g->pl % 2) * g->plane + (size_t)(g->pl / 2);
    size_t o0 = (size_t)((g->pl + 1) % 2) * g->plane + (size_t)((g->pl + 1) / 2);
    for (int iy = iy0; iy < iy1; iy++) {
        const float *xr = x + (size_t)iy * g->w;
        float *row = buf + (size_t)(iy + g->pt - py0) * g->wq, *ev = row + e0, *od = row + o0;
        int i = 0, m = 0;
        if (g->sw == 1) {
            for (; i + VW <= g->w; i += VW)
                _mm256_storeu_ps(ev + i, _mm256_loadu_ps(xr + i));
            for (; i < g->w; i++)
                ev[i] = xr[i];
            continue;
        }
        for (; 2 * m + 2 * VW <= g->w; m += VW) {
            __m256 lo = _mm256_loadu_ps(xr + 2 * m), hi = _mm256_loadu_ps(xr + 2 * m + VW);
            /* per 128-bit lane [lo0 lo2 hi0 hi2], then the 64-bit pairs put in order */
            __m256d e = _mm256_castps_pd(_mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0)));
            __m256d o = _mm256_castps_pd(_mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(3, 1, 3, 1)));
            _mm256_storeu_ps(ev + m, _mm256_castpd_ps(_mm256_permute4x64_pd(e, _MM_SHUFFLE(3, 1, 2, 0))));
            _mm256_storeu_ps(od + m, _mm256_castpd_ps(_mm256_permute4x64_pd(o, _MM_SHUFFLE(3, 1, 2, 0))));
        }
        for (; 2 * m < g->w; m++) {
            ev[m] = xr[2 * m];
            if (2 * m + 1 < g->w)
                od[m] = xr[2 * m + 1];
        }
    }
}
#endif

/* Fill the scratch with padded rows [py0, py1). */
static void pack(float *buf, const float *x, const geom *g, int py0, int py1)
{
    zero_pad_rows(buf, g, py0, py1);
    int iy0 = py0 - g->pt > 0 ? py0 - g->pt : 0, iy1 = py1 - g->pt < g->h ? py1 - g->pt : g->h;
#ifdef FC_DW_AVX2
    if (g->avx2 && g->sw <= 2) {
        pack_avx2(buf, x, g, iy0, iy1, py0);
        return;
    }
#endif
    pack_generic(buf, x, g, iy0, iy1, py0);
}

static void channel(float *y, const float *x, float *buf, const chan *c, const geom *g)
{
    /* Tiles of 8 vectors: 8 rows x 1 when wo <= 8, 4 x 2 at 16 columns, 2 x 4
     * from 32; halved rows at the bottom, narrower blocks at the right. */
    int nv = (g->wo + VW - 1) / VW, vmax = g->vert || nv < 2 ? 1 : nv >= 4 ? 4 : 2;
    tile t;
    t.rs = (size_t)g->sh * g->wq;
    t.ds = (size_t)g->wo;
    for (int oy0 = 0; oy0 < g->ho; oy0 += g->strip) {
        int oy1 = oy0 + g->strip < g->ho ? oy0 + g->strip : g->ho, py1 = (oy1 - 1) * g->sh + g->kh;
        pack(buf, x, g, oy0 * g->sh, py1 < g->hp ? py1 : g->hp);
        for (int v0 = 0; v0 < nv;) {
            int v = nv - v0 >= vmax ? vmax : nv - v0 >= 2 ? 2 : 1;
            t.last = v0 + v == nv ? g->wo - (nv - 1) * VW : VW;
            for (int oy = oy0, r = TILE / v; oy < oy1;) {
                while (r > oy1 - oy)
                    r /= 2;
                int rows = (oy1 - oy) / r * r;
                t.s = buf + (size_t)(oy - oy0) * t.rs + (size_t)v0 * VW;
                t.d = y + (size_t)oy * t.ds + (size_t)v0 * VW;
                run_block(&t, rows, r, v, c, g);
                oy += rows;
            }
            v0 += v;
        }
    }
}

void fc_dwconv_run(float *y, const fc_dwconv_opts *o, const float *x, const float *wt, const float *bias, int h,
                   int w, int c0, int c1, float *scratch)
{
    geom g;
    if (!y || !x || !wt || !scratch || c0 < 0 || c0 >= c1 || geom_init(&g, o, h, w) < 0)
        return;
    memset(scratch, 0, sizeof(float) * ((size_t)g.sw * g.plane + VW));
    size_t in = (size_t)h * w, out = (size_t)g.ho * g.wo;
    for (int ch = c0; ch < c1; ch++) {
        chan c = {wt + (size_t)ch * g.taps, bias ? bias[ch] : 0.0f};
        channel(y + (size_t)ch * out, x + (size_t)ch * in, scratch, &c, &g);
    }
}
