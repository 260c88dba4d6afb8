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

/* One call's geometry. The scratch holds sw planes of hp x wq floats:
 * plane[ph][py][j] = padded[py][j * sw + ph], so tap (ky, kx) of output
 * (oy, ox) is scratch[oy * sh * wq + ox + off[ky * kw + kx]], contiguous in
 * ox for every stride. */
typedef struct geom {
    int h, w, ho, wo, sh, sw, pt, pl;
    int hp, wq;
    size_t plane; /* hp * wq */
    int taps, relu6, avx2;
    ptrdiff_t off[FC_DWCONV_MAX_TAPS];
} geom;

/* A register tile: output vectors i < n, each VW outputs of one row. */
typedef struct tile {
    ptrdiff_t pos[TILE]; /* first output's scratch position, oy * sh * wq + ox */
    float *dst[TILE];    /* and its address in y */
    int cols[TILE];      /* outputs of the vector inside the image, 1..VW */
} tile;

/* The per-channel inputs of the tile kernels. */
typedef struct chan {
    const float *src; /* the channel's scratch */
    const float *wt;  /* its taps */
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
    if (o->stride_h < 1 || o->stride_w < 1 || o->stride_h > MAX_SIDE || o->stride_w > MAX_SIDE)
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
    g->hp = h + o->pad_t + o->pad_b;
    g->wq = (w + o->pad_l + o->pad_r + g->sw - 1) / g->sw;
    g->plane = (size_t)g->hp * (size_t)g->wq;
    g->taps = o->kernel_h * o->kernel_w;
    g->relu6 = o->relu6 != 0;
    g->avx2 = fc_dwconv_uses_avx2(o);
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

/* 8 accumulators, named (GCC -O2 keeps an array of them in memory); per tap
 * one broadcast and 8 FMAs with their loads folded in. */
__attribute__((target("avx2,fma"))) static void tile8_avx2(const tile *t, const chan *c, const geom *g)
{
    const float *p0 = c->src + t->pos[0], *p1 = c->src + t->pos[1], *p2 = c->src + t->pos[2];
    const float *p3 = c->src + t->pos[3], *p4 = c->src + t->pos[4], *p5 = c->src + t->pos[5];
    const float *p6 = c->src + t->pos[6], *p7 = c->src + t->pos[7];
    __m256 a0 = _mm256_set1_ps(c->bias), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    for (int k = 0; k < g->taps; k++) {
        ptrdiff_t o = g->off[k];
        __m256 wv = _mm256_broadcast_ss(c->wt + k);
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(p0 + o), wv, a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(p1 + o), wv, a1);
        a2 = _mm256_fmadd_ps(_mm256_loadu_ps(p2 + o), wv, a2);
        a3 = _mm256_fmadd_ps(_mm256_loadu_ps(p3 + o), wv, a3);
        a4 = _mm256_fmadd_ps(_mm256_loadu_ps(p4 + o), wv, a4);
        a5 = _mm256_fmadd_ps(_mm256_loadu_ps(p5 + o), wv, a5);
        a6 = _mm256_fmadd_ps(_mm256_loadu_ps(p6 + o), wv, a6);
        a7 = _mm256_fmadd_ps(_mm256_loadu_ps(p7 + o), wv, a7);
    }
    put_avx2(t->dst[0], t->cols[0], a0, g->relu6);
    put_avx2(t->dst[1], t->cols[1], a1, g->relu6);
    put_avx2(t->dst[2], t->cols[2], a2, g->relu6);
    put_avx2(t->dst[3], t->cols[3], a3, g->relu6);
    put_avx2(t->dst[4], t->cols[4], a4, g->relu6);
    put_avx2(t->dst[5], t->cols[5], a5, g->relu6);
    put_avx2(t->dst[6], t->cols[6], a6, g->relu6);
    put_avx2(t->dst[7], t->cols[7], a7, g->relu6);
}

/* The last tile of a channel with <= 4 vectors (4x4 and 2x2 images). */
__attribute__((target("avx2,fma"))) static void tile4_avx2(const tile *t, const chan *c, const geom *g)
{
    const float *p0 = c->src + t->pos[0], *p1 = c->src + t->pos[1], *p2 = c->src + t->pos[2];
    const float *p3 = c->src + t->pos[3];
    __m256 a0 = _mm256_set1_ps(c->bias), a1 = a0, a2 = a0, a3 = a0;
    for (int k = 0; k < g->taps; k++) {
        ptrdiff_t o = g->off[k];
        __m256 wv = _mm256_broadcast_ss(c->wt + k);
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(p0 + o), wv, a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(p1 + o), wv, a1);
        a2 = _mm256_fmadd_ps(_mm256_loadu_ps(p2 + o), wv, a2);
        a3 = _mm256_fmadd_ps(_mm256_loadu_ps(p3 + o), wv, a3);
    }
    put_avx2(t->dst[0], t->cols[0], a0, g->relu6);
    put_avx2(t->dst[1], t->cols[1], a1, g->relu6);
    put_avx2(t->dst[2], t->cols[2], a2, g->relu6);
    put_avx2(t->dst[3], t->cols[3], a3, g->relu6);
}

/* Even input columns to ev, odd ones to od, 16 at a time; returns how many
 * pairs were done. */
__attribute__((target("avx2"))) static int split2_avx2(float *ev, float *od, const float *x, int w)
{
    int m = 0;
    for (; 2 * m + 16 <= w; m += 8) {
        __m256 lo = _mm256_loadu_ps(x + 2 * m), hi = _mm256_loadu_ps(x + 2 * m + 8);
        /* per 128-bit lane [lo0 lo2 hi0 hi2]: then put the 64-bit pairs in order */
        __m256d e = _mm256_castps_pd(_mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0)));
        __m256d o = _mm256_castps_pd(_mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(3, 1, 3, 1)));
        _mm256_storeu_ps(ev + m, _mm256_castpd_ps(_mm256_permute4x64_pd(e, _MM_SHUFFLE(3, 1, 2, 0))));
        _mm256_storeu_ps(od + m, _mm256_castpd_ps(_mm256_permute4x64_pd(o, _MM_SHUFFLE(3, 1, 2, 0))));
    }
    return m;
}
#endif

/* Portable tile: the same loads and multiply-adds over plain arrays. */
static void tile_generic(const tile *t, int n, const chan *c, const geom *g)
{
    float acc[TILE][VW];
    for (int i = 0; i < n; i++)
        for (int l = 0; l < VW; l++)
            acc[i][l] = c->bias;
    for (int k = 0; k < g->taps; k++) {
        float wv = c->wt[k];
        for (int i = 0; i < n; i++) {
            const float *s = c->src + t->pos[i] + g->off[k];
            for (int l = 0; l < VW; l++)
                acc[i][l] += wv * s[l];
        }
    }
    for (int i = 0; i < n; i++)
        for (int l = 0; l < t->cols[i]; l++)
            t->dst[i][l] = g->relu6 ? clamp6(acc[i][l]) : acc[i][l];
}

static void run_tile(tile *t, int n, const chan *c, const geom *g)
{
#ifdef FC_DW_AVX2
    if (g->avx2) {
        int full = n > 4 ? TILE : 4;
        for (int i = n; i < full; i++) { /* repeat the last vector: same value stored twice */
            t->pos[i] = t->pos[n - 1];
            t->dst[i] = t->dst[n - 1];
            t->cols[i] = t->cols[n - 1];
        }
        if (full == TILE)
            tile8_avx2(t, c, g);
        else
            tile4_avx2(t, c, g);
        return;
    }
#endif
    tile_generic(t, n, c, g);
}

/* Copy channel x into the scratch's planes (interior only: the border was
 * zeroed once for the call and stays zero). */
static void pack(float *buf, const float *x, const geom *g)
{
    for (int iy = 0; iy < g->h; iy++) {
        const float *xr = x + (size_t)iy * g->w;
        float *row = buf + (size_t)(iy + g->pt) * g->wq;
        if (g->sw == 1) {
            memcpy(row + g->pl, xr, sizeof(float) * (size_t)g->w);
            continue;
        }
        int m = 0;
#ifdef FC_DW_AVX2
        if (g->sw == 2 && g->avx2) {
            /* padded column ix + pl: even ix to plane pl % 2, odd to the other */
            float *ev = row + (size_t)(g->pl % 2) * g->plane + g->pl / 2;
            float *od = row + (size_t)((g->pl + 1) % 2) * g->plane + (g->pl + 1) / 2;
            m = split2_avx2(ev, od, xr, g->w);
        }
#endif
        for (int ph = 0; ph < g->sw; ph++) { /* padded column j * sw + ph is input column ix */
            float *d = row + (size_t)ph * g->plane;
            int j = g->pl > ph ? (g->pl - ph + g->sw - 1) / g->sw : 0;
            int ix = j * g->sw + ph - g->pl;
            if (ix < 2 * m) { /* skip what split2_avx2 did (sw == 2 only) */
                j += (2 * m - ix + 1) / 2;
                ix += (2 * m - ix + 1) / 2 * 2;
            }
            for (; ix < g->w; ix += g->sw, j++)
                d[j] = xr[ix];
        }
    }
}

static void channel(float *y, const float *x, float *buf, const chan *c, const geom *g)
{
    pack(buf, x, g);
    /* Column blocks of up to 4 vectors, rows in order inside a block, and
     * every 8 consecutive vectors one tile: 8 rows x 1 vector when wo <= 8,
     * 4 x 2 at 16 columns, 2 x 4 from 32. */
    int nv = (g->wo + VW - 1) / VW, bw = nv < 4 ? nv : 4, n = 0;
    size_t rstep = (size_t)g->sh * g->wq;
    tile t;
    for (int cb = 0; cb < nv; cb += bw) {
        int ve = cb + bw < nv ? cb + bw : nv;
        for (int oy = 0; oy < g->ho; oy++)
            for (int v = cb; v < ve; v++) {
                int ox = v * VW;
                t.pos[n] = (ptrdiff_t)((size_t)oy * rstep + (size_t)ox);
                t.dst[n] = y + (size_t)oy * g->wo + ox;
                t.cols[n] = g->wo - ox < VW ? g->wo - ox : VW;
                if (++n == TILE) {
                    run_tile(&t, n, c, g);
                    n = 0;
                }
            }
    }
    if (n)
        run_tile(&t, n, c, g);
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
        chan c = {scratch, wt + (size_t)ch * g.taps, bias ? bias[ch] : 0.0f};
        channel(y + (size_t)ch * out, x + (size_t)ch * in, scratch, &c, &g);
    }
}
