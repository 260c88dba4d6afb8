/* convdirect.c - direct KxK convolution for few input channels over a
 * stride-phase-split copy of the input rows, 6 x 16 register tiles (see
 * formcheck/convdirect.h). */
#include "formcheck/convdirect.h"

#include <stdlib.h>
#include <string.h>

#include "formcheck/error.h"

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define FC_CD_AVX2 1
#endif

#define MR 6  /* output channels per tile */
#define NR 16 /* pixels of one row per tile */
#define MAX_IN (1 << 15)
#define MAX_TAPS (FC_CONVDIRECT_MAX_CIN * FC_CONVDIRECT_MAX_SIDE * FC_CONVDIRECT_MAX_SIDE)
#define STRIP_BYTES (32 * 1024) /* scratch of one strip, at most (but >= 1 output row) */

struct fc_convdirect {
    fc_convdirect_opts o;
    int cout, cin, blocks, taps; /* taps = cin * kh * kw */
    int avx2;
    float *w;    /* [blocks][taps][MR], channels past cout zero */
    float *bias; /* [blocks * MR] */
};

/* One call's geometry. The scratch holds, for the strip's input rows
 * [iy0, iy0 + hs), plane[ic][r][ph][q] = padded x[ic][iy0 + r][q * sw + ph]
 * (wq floats per phase); tap t = (ic, ky, kx) of output (oy, ox) is then
 * s[(oy - oy_strip) * sh * sw * wq + ox + off[t]], contiguous in ox. */
typedef struct geom {
    int h, w, ho, wo, wq, strip, hs;
    size_t row; /* sw * wq: floats per input row of one channel */
    ptrdiff_t off[MAX_TAPS];
} geom;

/* The epilogue's inputs for one MR x NR tile. */
typedef struct tile_out {
    float *y;          /* output of the tile's first channel, first pixel */
    size_t plane;      /* ho * wo: channel step in y */
    const float *b;    /* bias of the block's first channel */
    int rows, cols;    /* valid channels (1..MR) and pixels (1..NR) */
    int relu6;
} tile_out;

fc_convdirect_opts fc_convdirect_default_opts(void)
{
    fc_convdirect_opts o = {3, 3, 1, 1, 1, 1, 1, 1, 0, 1};
    return o;
}

static int opts_ok(const fc_convdirect_opts *o)
{
    const int S = FC_CONVDIRECT_MAX_SIDE, T = FC_CONVDIRECT_MAX_STRIDE;
    return o->kernel_h >= 1 && o->kernel_h <= S && o->kernel_w >= 1 && o->kernel_w <= S && o->stride_h >= 1
           && o->stride_h <= T && o->stride_w >= 1 && o->stride_w <= T && o->pad_t >= 0 && o->pad_t <= S
           && o->pad_l >= 0 && o->pad_l <= S && o->pad_b >= 0 && o->pad_b <= S && o->pad_r >= 0 && o->pad_r <= S;
}

int fc_convdirect_create(fc_convdirect **out, const fc_convdirect_opts *opts, const float *w, const float *bias,
                         int cout, int cin)
{
    if (out)
        *out = NULL;
    if (!out || !opts || !w || cout < 1 || cout > MAX_IN || cin < 1 || cin > FC_CONVDIRECT_MAX_CIN || !opts_ok(opts))
        return FC_EINVAL;
    int rc = FC_ENOMEM;
    fc_convdirect *cd = calloc(1, sizeof *cd);
    if (!cd)
        goto end;
    cd->o = *opts;
    cd->cout = cout;
    cd->cin = cin;
    cd->blocks = (cout + MR - 1) / MR;
    cd->taps = cin * opts->kernel_h * opts->kernel_w;
    cd->w = calloc((size_t)cd->blocks * cd->taps * MR, sizeof(float));
    cd->bias = calloc((size_t)cd->blocks * MR, sizeof(float));
    if (!cd->w || !cd->bias)
        goto end;
    /* w [o][ic][ky][kx] is already tap-major per output channel: t = (ic * kh + ky) * kw + kx. */
    for (int o = 0; o < cout; o++) {
        for (int t = 0; t < cd->taps; t++)
            cd->w[((size_t)(o / MR) * cd->taps + t) * MR + o % MR] = w[(size_t)o * cd->taps + t];
        cd->bias[o] = bias ? bias[o] : 0.0f;
    }
#ifdef FC_CD_AVX2
    cd->avx2 = opts->simd && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    *out = cd;
    cd = NULL;
    rc = 0;
end:
    fc_convdirect_free(cd);
    return rc;
}

int fc_convdirect_uses_avx2(const fc_convdirect *cd) { return cd ? cd->avx2 : 0; }

int fc_convdirect_out_size(int *ho, int *wo, const fc_convdirect *cd, int h, int w)
{
    if (ho)
        *ho = 0;
    if (wo)
        *wo = 0;
    if (!ho || !wo || !cd || h < 1 || w < 1 || h > MAX_IN || w > MAX_IN)
        return FC_EINVAL;
    const fc_convdirect_opts *o = &cd->o;
    int hp = h + o->pad_t + o->pad_b, wp = w + o->pad_l + o->pad_r;
    if (hp < o->kernel_h || wp < o->kernel_w)
        return FC_EINVAL;
    *ho = (hp - o->kernel_h) / o->stride_h + 1;
    *wo = (wp - o->kernel_w) / o->stride_w + 1;
    return 0;
}

static int geom_init(geom *g, const fc_convdirect *cd, int h, int w)
{
    const fc_convdirect_opts *o = &cd->o;
    if (fc_convdirect_out_size(&g->ho, &g->wo, cd, h, w) < 0)
        return FC_EINVAL;
    g->h = h;
    g->w = w;
    /* A tile reads NR columns from ox0 (a multiple of NR) plus (kw - 1) / sw. */
    g->wq = (g->wo + NR - 1) / NR * NR + (o->kernel_w - 1) / o->stride_w;
    g->row = (size_t)o->stride_w * (size_t)g->wq;
    size_t in_rows = STRIP_BYTES / (sizeof(float) * g->row * (size_t)cd->cin);
    size_t strip = in_rows > (size_t)o->kernel_h ? (in_rows - (size_t)o->kernel_h) / (size_t)o->stride_h + 1 : 1;
    g->strip = strip < (size_t)g->ho ? (int)strip : g->ho;
    g->hs = (g->strip - 1) * o->stride_h + o->kernel_h;
    for (int ic = 0, t = 0; ic < cd->cin; ic++)
        for (int ky = 0; ky < o->kernel_h; ky++)
            for (int kx = 0; kx < o->kernel_w; kx++, t++)
                g->off[t] = (ptrdiff_t)(((size_t)ic * (size_t)g->hs + (size_t)ky) * g->row
                                        + (size_t)(kx % o->stride_w) * (size_t)g->wq + (size_t)(kx / o->stride_w));
    return 0;
}

size_t fc_convdirect_scratch_floats(const fc_convdirect *cd, int h, int w)
{
    geom g;
    if (!cd || geom_init(&g, cd, h, w) < 0)
        return 0;
    return (size_t)cd->cin * (size_t)g.hs * g.row;
}

#ifdef FC_CD_AVX2
/* d[i] = s[2i] for i from 0 in steps of 8 while i + 8 <= n and s[2i + 15] is
 * below s[avail]; returns the first i not done. */
__attribute__((target("avx2"))) static int deinterleave_avx2(float *d, const float *s, int n, int avail)
{
    int i = 0;
    for (; i + 8 <= n && 2 * i + 15 < avail; i += 8) {
        __m256 a = _mm256_loadu_ps(s + 2 * i), b = _mm256_loadu_ps(s + 2 * i + 8);
        __m256 e = _mm256_shuffle_ps(a, b, 0x88); /* a0 a2 b0 b2 | a4 a6 b4 b6 */
        _mm256_storeu_ps(d + i, _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(e), 0xD8)));
    }
    return i;
}
#endif

/* One padded input row (src NULL: a padding row) into its sw phase planes. */
static void pack_row(float *d, const float *src, const geom *g, int sw, int pl, int avx2)
{
    for (int ph = 0; ph < sw; ph++, d += g->wq) {
        if (!src) {
            memset(d, 0, sizeof(float) * (size_t)g->wq);
            continue;
        }
        /* Plane column q reads x column q * sw + ph - pl: inside [0, w) for q in [q0, q1). */
        int q0 = pl > ph ? (pl - ph + sw - 1) / sw : 0;
        int last = g->w - 1 + pl - ph, q1 = last >= 0 ? last / sw + 1 : 0;
        q0 = q0 < g->wq ? q0 : g->wq;
        q1 = q1 < g->wq ? q1 : g->wq;
        q1 = q1 > q0 ? q1 : q0;
        memset(d, 0, sizeof(float) * (size_t)q0);
        memset(d + q1, 0, sizeof(float) * (size_t)(g->wq - q1));
        int n = q1 - q0, first = q0 * sw + ph - pl, i = 0;
        const float *s = src + first; /* s[i * sw] is x column (q0 + i) * sw + ph - pl */
        float *dd = d + q0;
        if (sw == 1) {
            memcpy(dd, s, sizeof(float) * (size_t)n);
            continue;
        }
#ifdef FC_CD_AVX2
        if (avx2 && sw == 2)
            i = deinterleave_avx2(dd, s, n, g->w - first);
#else
        (void)avx2;
#endif
        for (; i < n; i++)
            dd[i] = s[(size_t)i * (size_t)sw];
    }
}

/* Rows [iy0, iy0 + n) of every input channel (zeros outside [0, h)) into the strip's scratch. */
static void pack_strip(float *s, const fc_convdirect *cd, const geom *g, const float *x, int iy0, int n)
{
    for (int ic = 0; ic < cd->cin; ic++)
        for (int r = 0; r < n; r++) {
            int iy = iy0 + r;
            const float *src = iy >= 0 && iy < g->h ? x + ((size_t)ic * (size_t)g->h + (size_t)iy) * (size_t)g->w : NULL;
            pack_row(s + ((size_t)ic * (size_t)g->hs + (size_t)r) * g->row, src, g, cd->o.stride_w, cd->o.pad_l,
                     cd->avx2);
        }
}

static float clamp6(float v) { return v < 0.0f ? 0.0f : v > 6.0f ? 6.0f : v; }

/* Portable tile: plain loops over fixed-size arrays, which GCC and clang vectorise. */
static void tile_generic(const float *s, const ptrdiff_t *off, const float *wt, int taps, const tile_out *t)
{
    float acc[MR][NR];
    memset(acc, 0, sizeof acc);
    for (int k = 0; k < taps; k++, wt += MR) {
        const float *b = s + off[k];
        for (int i = 0; i < MR; i++)
            for (int j = 0; j < NR; j++)
                acc[i][j] += wt[i] * b[j];
    }
    for (int i = 0; i < t->rows; i++)
        for (int j = 0; j < t->cols; j++) {
            float v = acc[i][j] + t->b[i];
            t->y[(size_t)i * t->plane + (size_t)j] = t->relu6 ? clamp6(v) : v;
        }
}

#ifdef FC_CD_AVX2
/* AVX2+FMA tile: 12 accumulators, per tap 2 loads of the input and 6 broadcast weights. */
__attribute__((target("avx2,fma"))) static void tile_avx2(const float *s, const ptrdiff_t *off, const float *wt,
                                                          int taps, const tile_out *t)
{
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    for (int k = 0; k < taps; k++, wt += MR) {
        const float *b = s + off[k];
        __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8), av;
#define FC_CD_ROW(i, x0, x1)                                                                                          \
    av = _mm256_broadcast_ss(wt + (i));                                                                                \
    x0 = _mm256_fmadd_ps(av, b0, x0);                                                                                  \
    x1 = _mm256_fmadd_ps(av, b1, x1)
        FC_CD_ROW(0, c00, c01);
        FC_CD_ROW(1, c10, c11);
        FC_CD_ROW(2, c20, c21);
        FC_CD_ROW(3, c30, c31);
        FC_CD_ROW(4, c40, c41);
        FC_CD_ROW(5, c50, c51);
#undef FC_CD_ROW
    }
    const __m256 c[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
    const __m256 lo = _mm256_setzero_ps(), hi = _mm256_set1_ps(6.0f);
    for (int i = 0; i < t->rows; i++) {
        float *y = t->y + (size_t)i * t->plane;
        __m256 bv = _mm256_broadcast_ss(t->b + i);
        __m256 v0 = _mm256_add_ps(c[i][0], bv), v1 = _mm256_add_ps(c[i][1], bv);
        if (t->relu6) {
            v0 = _mm256_min_ps(_mm256_max_ps(v0, lo), hi);
            v1 = _mm256_min_ps(_mm256_max_ps(v1, lo), hi);
        }
        if (t->cols == NR) {
            _mm256_storeu_ps(y, v0);
            _mm256_storeu_ps(y + 8, v1);
            continue;
        }
        float tmp[NR]; /* a partial tile: never write past cols */
        _mm256_storeu_ps(tmp, v0);
        _mm256_storeu_ps(tmp + 8, v1);
        memcpy(y, tmp, sizeof(float) * (size_t)t->cols);
    }
}
#endif

void fc_convdirect_run(float *y, const fc_convdirect *cd, const float *x, int h, int w, int oy0, int oy1,
                       float *scratch)
{
    geom g;
    if (!y || !cd || !x || !scratch || geom_init(&g, cd, h, w) < 0 || oy0 < 0 || oy1 > g.ho || oy0 >= oy1)
        return;
    const fc_convdirect_opts *o = &cd->o;
    size_t plane = (size_t)g.ho * (size_t)g.wo, rstep = (size_t)o->stride_h * g.row;
    for (int s0 = oy0; s0 < oy1; s0 += g.strip) {
        int n = oy1 - s0 < g.strip ? oy1 - s0 : g.strip;
        pack_strip(scratch, cd, &g, x, s0 * o->stride_h - o->pad_t, (n - 1) * o->stride_h + o->kernel_h);
        /* Block-major: a block's 6 output planes are written in runs of n rows
         * (6 write streams at a time instead of cout: with a cold output, the
         * stores' line fills dominate, and fewer streams prefetch better). */
        for (int b = 0; b < cd->blocks; b++)
            for (int r = 0; r < n; r++)
                for (int ox = 0; ox < g.wo; ox += NR) {
                    tile_out t = {y + (size_t)b * MR * plane + (size_t)(s0 + r) * (size_t)g.wo + (size_t)ox, plane,
                                  cd->bias + (size_t)b * MR, cd->cout - b * MR < MR ? cd->cout - b * MR : MR,
                                  g.wo - ox < NR ? g.wo - ox : NR, o->relu6 != 0};
                    const float *s = scratch + (size_t)r * rstep + (size_t)ox;
                    const float *wt = cd->w + (size_t)b * (size_t)cd->taps * MR;
#ifdef FC_CD_AVX2
                    if (cd->avx2) {
                        tile_avx2(s, g.off, wt, cd->taps, &t);
                        continue;
                    }
#endif
                    tile_generic(s, g.off, wt, cd->taps, &t);
                }
    }
}

void fc_convdirect_free(fc_convdirect *cd)
{
    if (!cd)
        return;
    free(cd->w);
    free(cd->bias);
    free(cd);
}
