/* pwconv.c - pointwise convolution as a packed GEMM (see formcheck/pwconv.h). */
#include "formcheck/pwconv.h"

#include <stdlib.h>
#include <string.h>

#include "formcheck/error.h"

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define FC_PW_AVX2 1
#endif

#define MR FC_PWCONV_MR
#define NR FC_PWCONV_NR

struct fc_pwconv {
    int cout, cin, blocks; /* blocks of MR output channels */
    int kh, kw, k;         /* kernel; k = cin * kh * kw, the GEMM's depth */
    int panel_px;          /* pixels per packed panel */
    int relu6, relu6_add, avx2;
    float *w;    /* [blocks][k][MR], rows past cout zero */
    float *bias; /* [blocks * MR] */
};

/* Where one call's B operand comes from: packed strips, or x itself. */
typedef struct gemm_src {
    const float *x;            /* input [cin][in_h][in_w]; NULL: already packed in scratch */
    const fc_pwconv_geom *g;   /* NULL: 1x1 stride 1 (in = out) */
    int hw;                    /* output pixels */
} gemm_src;

/* The epilogue's inputs for one MR x NR tile. */
typedef struct tile_out {
    float *y;        /* y + o_first_row * hw + p */
    const float *r;  /* same offset in the residual, or NULL */
    const float *b;  /* bias of the block's first row */
    size_t hw;       /* row stride */
    int row0, row1;  /* rows of the block to store, [row0, row1) */
    int cols;        /* valid columns, 1..NR */
    int relu6, relu6_add;
} tile_out;

fc_pwconv_opts fc_pwconv_default_opts(void)
{
    fc_pwconv_opts o = {0, 0, 1, 1, 1};
    return o;
}

static float clamp6(float v) { return v < 0.0f ? 0.0f : v > 6.0f ? 6.0f : v; }

/* Portable tile: acc = A^T B over k, then the epilogue. Plain loops over
 * fixed-size arrays, which GCC and clang vectorise at -O2. */
static void tile_generic(const float *a, const float *b, int k, const tile_out *t)
{
    float acc[MR][NR];
    memset(acc, 0, sizeof acc);
    for (int kk = 0; kk < k; kk++, a += MR, b += NR)
        for (int i = 0; i < MR; i++)
            for (int j = 0; j < NR; j++)
                acc[i][j] += a[i] * b[j];
    for (int i = t->row0; i < t->row1; i++) {
        float *y = t->y + (size_t)(i - t->row0) * t->hw;
        const float *r = t->r ? t->r + (size_t)(i - t->row0) * t->hw : NULL;
        for (int j = 0; j < t->cols; j++) {
            float v = acc[i][j] + t->b[i];
            if (t->relu6)
                v = clamp6(v);
            if (r) {
                v += r[j];
                if (t->relu6_add)
                    v = clamp6(v);
            }
            y[j] = v;
        }
    }
}

#ifdef FC_PW_AVX2
/* AVX2+FMA tile: 12 accumulators, per k 2 loads of B and 6 broadcasts of A.
 * Rows from R on are not computed: a block past cout's last multiple of 6
 * (8 channels = 6 + 2) only multiplies the rows it stores. */
static inline __attribute__((always_inline, target("avx2,fma"))) void
tile_avx2(const float *a, const float *b, int k, const tile_out *t, const int R)
{
    /* Named accumulators: GCC -O2 keeps an array of them in memory. */
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    for (int kk = 0; kk < k; kk++, a += MR, b += NR) {
        __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8), av;
#define FC_PW_ROW(i, x0, x1)                                                                                          \
    if (R > (i)) {                                                                                                     \
        av = _mm256_broadcast_ss(a + (i));                                                                             \
        x0 = _mm256_fmadd_ps(av, b0, x0);                                                                              \
        x1 = _mm256_fmadd_ps(av, b1, x1);                                                                              \
    }
        FC_PW_ROW(0, c00, c01);
        FC_PW_ROW(1, c10, c11);
        FC_PW_ROW(2, c20, c21);
        FC_PW_ROW(3, c30, c31);
        FC_PW_ROW(4, c40, c41);
        FC_PW_ROW(5, c50, c51);
#undef FC_PW_ROW
    }
    const __m256 c[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
    const __m256 lo = _mm256_setzero_ps(), hi = _mm256_set1_ps(6.0f);
    for (int i = t->row0; i < t->row1; i++) {
        float *y = t->y + (size_t)(i - t->row0) * t->hw;
        const float *r = t->r ? t->r + (size_t)(i - t->row0) * t->hw : NULL;
        __m256 bv = _mm256_broadcast_ss(t->b + i);
        __m256 v0 = _mm256_add_ps(c[i][0], bv), v1 = _mm256_add_ps(c[i][1], bv);
        if (t->relu6) {
            v0 = _mm256_min_ps(_mm256_max_ps(v0, lo), hi);
            v1 = _mm256_min_ps(_mm256_max_ps(v1, lo), hi);
        }
        if (t->cols == NR) {
            if (r) {
                v0 = _mm256_add_ps(v0, _mm256_loadu_ps(r));
                v1 = _mm256_add_ps(v1, _mm256_loadu_ps(r + 8));
                if (t->relu6_add) {
                    v0 = _mm256_min_ps(_mm256_max_ps(v0, lo), hi);
                    v1 = _mm256_min_ps(_mm256_max_ps(v1, lo), hi);
                }
            }
            _mm256_storeu_ps(y, v0);
            _mm256_storeu_ps(y + 8, v1);
            continue;
        }
        float tmp[NR]; /* a partial strip: finish in scalar, never touching past cols */
        _mm256_storeu_ps(tmp, v0);
        _mm256_storeu_ps(tmp + 8, v1);
        for (int j = 0; j < t->cols; j++) {
            float v = tmp[j];
            if (r) {
                v += r[j];
                if (t->relu6_add)
                    v = clamp6(v);
            }
            y[j] = v;
        }
    }
}

#define TILE_AVX2(R)                                                                                                 \
    __attribute__((target("avx2,fma"))) static void tile_avx2_##R(const float *a, const float *b, int k,           \
                                                                  const tile_out *t)                                \
    {                                                                                                                \
        tile_avx2(a, b, k, t, R);                                                                                    \
    }
TILE_AVX2(1)
TILE_AVX2(2)
TILE_AVX2(3)
TILE_AVX2(4)
TILE_AVX2(5)
TILE_AVX2(6)
#undef TILE_AVX2
#endif

int fc_pwconv_create(fc_pwconv **out, const fc_pwconv_opts *opts, const float *w, const float *bias, int cout,
                     int cin)
{
    if (!out)
        return FC_EINVAL;
    *out = NULL;
    fc_pwconv_opts o = opts ? *opts : fc_pwconv_default_opts();
    if (!w || cout < 1 || cin < 1 || o.kernel_h < 1 || o.kernel_w < 1 || o.kernel_h > 64 || o.kernel_w > 64)
        return FC_EINVAL;
    fc_pwconv *pw = calloc(1, sizeof *pw);
    if (!pw)
        return FC_ENOMEM;
    pw->cout = cout;
    pw->cin = cin;
    pw->kh = o.kernel_h;
    pw->kw = o.kernel_w;
    pw->k = cin * o.kernel_h * o.kernel_w;
    pw->blocks = (cout + MR - 1) / MR;
    int px = FC_PWCONV_PANEL_BYTES / (int)sizeof(float) / pw->k / NR * NR;
    pw->panel_px = px < NR ? NR : px;
    pw->relu6 = o.relu6 != 0;
    pw->relu6_add = o.relu6_add != 0;
#ifdef FC_PW_AVX2
    pw->avx2 = o.simd && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    pw->w = calloc((size_t)pw->blocks * pw->k * MR, sizeof *pw->w);
    pw->bias = calloc((size_t)pw->blocks * MR, sizeof *pw->bias);
    if (!pw->w || !pw->bias) {
        fc_pwconv_free(pw);
        return FC_ENOMEM;
    }
    for (int oc = 0; oc < cout; oc++) {
        float *d = pw->w + (size_t)(oc / MR) * pw->k * MR + oc % MR;
        for (int kk = 0; kk < pw->k; kk++) /* [cin][kh][kw] is already the GEMM's k order */
            d[(size_t)kk * MR] = w[(size_t)oc * pw->k + kk];
        pw->bias[oc] = bias ? bias[oc] : 0.0f;
    }
    *out = pw;
    return 0;
}

int fc_pwconv_uses_avx2(const fc_pwconv *pw) { return pw ? pw->avx2 : 0; }

int fc_pwconv_panel_px(const fc_pwconv *pw) { return pw ? pw->panel_px : 0; }

size_t fc_pwconv_scratch_floats(const fc_pwconv *pw, int hw)
{
    if (!pw || hw < 1)
        return 0;
    int px = hw < pw->panel_px ? (hw + NR - 1) / NR * NR : pw->panel_px;
    return (size_t)px * pw->k;
}

int fc_pwconv_out_size(int *out_h, int *out_w, const fc_pwconv *pw, const fc_pwconv_geom *g)
{
    if (!out_h || !out_w || !pw || !g || g->in_h < 1 || g->in_w < 1 || g->stride_h < 1 || g->stride_w < 1
        || g->pad_t < 0 || g->pad_l < 0 || g->pad_b < 0 || g->pad_r < 0)
        return FC_EINVAL;
    int ph = g->in_h + g->pad_t + g->pad_b, pwd = g->in_w + g->pad_l + g->pad_r;
    if (ph < pw->kh || pwd < pw->kw)
        return FC_EINVAL;
    *out_h = (ph - pw->kh) / g->stride_h + 1;
    *out_w = (pwd - pw->kw) / g->stride_w + 1;
    return 0;
}

/* Copy x[:, p0 .. p0+n) into strips of NR pixels: s[(strip * cin + ic) * NR + j],
 * zero past n so the tiles never branch on the edge. */
static void pack_panel(float *s, const float *x, size_t hw, int cin, int p0, int n)
{
    int full = n / NR, tail = n % NR;
    for (int ic = 0; ic < cin; ic++) {
        const float *src = x + (size_t)ic * hw + p0; /* read each row in order */
        float *d = s + (size_t)ic * NR;
        for (int st = 0; st < full; st++)
            memcpy(d + (size_t)st * cin * NR, src + st * NR, sizeof(float) * NR); /* constant size: inlined */
        if (tail) {
            float *dt = d + (size_t)full * cin * NR;
            for (int j = 0; j < NR; j++)
                dt[j] = j < tail ? src[full * NR + j] : 0.0f;
        }
    }
}

/* d[j] = src[2 j] for j < NR, reading src[0, 2 NR). GCC does not vectorise the
 * strided loop; with SSE2 (every x86-64) it is 8 loads, 4 shuffles, 4 stores. */
static void copy_even(float *d, const float *src)
{
#if defined(__SSE2__) && defined(FC_PW_AVX2) /* immintrin.h included */
    for (int j = 0; j < NR; j += 4, src += 8)
        _mm_storeu_ps(d + j, _mm_shuffle_ps(_mm_loadu_ps(src), _mm_loadu_ps(src + 4), _MM_SHUFFLE(2, 0, 2, 0)));
#else
    for (int j = 0; j < NR; j++)
        d[j] = src[2 * j];
#endif
}

/* im2col of one strip: d[k * NR + j] = the input under tap k = (ic, ky, kx) of
 * output pixel p + j (zero in the padding and past cols). A strip inside one
 * output row and clear of the padding is a strided copy per tap. */
static void pack_strip_im2col(float *d, const fc_pwconv *pw, const float *x, const fc_pwconv_geom *g, int p,
                              int cols)
{
    int oy = p / g->out_w, ox = p % g->out_w, iy0[NR], ix0[NR];
    for (int j = 0; j < NR; j++) {
        iy0[j] = j < cols ? oy * g->stride_h - g->pad_t : -(1 << 20); /* off the image: zeros */
        ix0[j] = ox * g->stride_w - g->pad_l;
        if (++ox == g->out_w) {
            ox = 0;
            oy++;
        }
    }
    const int h = g->in_h, w = g->in_w, sw = g->stride_w;
    const int one_row = cols == NR && iy0[0] == iy0[NR - 1];
    for (int ic = 0; ic < pw->cin; ic++) {
        const float *xc = x + (size_t)ic * h * w;
        for (int ky = 0; ky < pw->kh; ky++)
            for (int kx = 0; kx < pw->kw; kx++, d += NR) {
                int iy = iy0[0] + ky, ix = ix0[0] + kx;
                if (one_row && iy >= 0 && iy < h && ix >= 0 && ix + (NR - 1) * sw < w) {
                    const float *src = xc + (size_t)iy * w + ix;
                    if (sw == 1)
                        memcpy(d, src, sizeof(float) * NR);
                    else if (sw == 2 && ix + 2 * NR <= w)
                        copy_even(d, src);
                    else
                        for (int j = 0; j < NR; j++)
                            d[j] = src[j * sw];
                    continue;
                }
                for (int j = 0; j < NR; j++) {
                    int y = iy0[j] + ky, xx = ix0[j] + kx;
                    d[j] = y >= 0 && y < h && xx >= 0 && xx < w ? xc[(size_t)y * w + xx] : 0.0f;
                }
            }
    }
}

/* Pixels [pp, pp + n) of the output against output channels [o0, o1). */
static void run_panel(float *y, const fc_pwconv *pw, const gemm_src *src, const float *r, int pp, int n, int o0,
                      int o1, float *scratch)
{
    typedef void (*tile_fn)(const float *, const float *, int, const tile_out *);
#ifdef FC_PW_AVX2
    static const tile_fn by_rows[MR] = {tile_avx2_1, tile_avx2_2, tile_avx2_3, tile_avx2_4, tile_avx2_5, tile_avx2_6};
#endif
    const int k = pw->k;
    if (!src->x)
        ; /* fc_pwconv_run_packed: the caller packed it */
    else if (src->g)
        for (int st = 0; st * NR < n; st++)
            pack_strip_im2col(scratch + (size_t)st * k * NR, pw, src->x, src->g, pp + st * NR,
                              n - st * NR < NR ? n - st * NR : NR);
    else
        pack_panel(scratch, src->x, (size_t)src->hw, k, pp, n);
    for (int blk = o0 / MR; blk * MR < o1; blk++) {
        const float *a = pw->w + (size_t)blk * k * MR;
        int first = blk * MR, row0 = o0 > first ? o0 - first : 0;
        int row1 = o1 - first < MR ? o1 - first : MR;
        tile_fn tile = tile_generic;
#ifdef FC_PW_AVX2
        if (pw->avx2)
            tile = by_rows[row1 - 1];
#endif
        for (int st = 0; st * NR < n; st++) {
            int p = pp + st * NR, cols = n - st * NR < NR ? n - st * NR : NR;
            size_t off = (size_t)(first + row0) * (size_t)src->hw + (size_t)p;
            tile_out t = {y + off, r ? r + off : NULL, pw->bias + first, (size_t)src->hw, row0, row1,
                          cols, pw->relu6, pw->relu6_add};
            tile(a, scratch + (size_t)st * k * NR, k, &t);
        }
    }
}

void fc_pwconv_run(float *y, const fc_pwconv *pw, const float *x, const float *r, int hw, int p0, int p1, int o0,
                   int o1, float *scratch)
{
    if (!pw || !y || !x || !scratch || p0 < 0 || p1 > hw || p0 >= p1 || o0 < 0 || o1 > pw->cout || o0 >= o1
        || pw->kh != 1 || pw->kw != 1)
        return;
    gemm_src src = {x, NULL, hw};
    for (int pp = p0; pp < p1; pp += pw->panel_px)
        run_panel(y, pw, &src, r, pp, p1 - pp < pw->panel_px ? p1 - pp : pw->panel_px, o0, o1, scratch);
}

size_t fc_pwconv_packed_floats(const fc_pwconv *pw, int hw)
{
    return !pw || hw < 1 ? 0 : (size_t)(hw + NR - 1) / NR * NR * (size_t)pw->k;
}

void fc_pwconv_pack(float *packed, const fc_pwconv *pw, const float *x, int hw)
{
    if (packed && pw && x && hw > 0 && pw->kh == 1 && pw->kw == 1)
        pack_panel(packed, x, (size_t)hw, pw->k, 0, hw);
}

void fc_pwconv_run_packed(float *y, const fc_pwconv *pw, const float *packed, const float *r, int hw, int p0,
                          int p1, int o0, int o1)
{
    if (!pw || !y || !packed || p0 < 0 || p0 % NR || p1 > hw || p0 >= p1 || o0 < 0 || o1 > pw->cout || o0 >= o1
        || pw->kh != 1 || pw->kw != 1)
        return;
    gemm_src src = {NULL, NULL, hw};
    /* run_panel only reads the strips: the cast drops const for its scratch parameter. */
    run_panel(y, pw, &src, r, p0, p1 - p0, o0, o1, (float *)packed + (size_t)p0 * pw->k);
}

/* acc[l] = sum_j a[j * 24 + l] * e[j * 24 + l] over n floats (a 24-float tail
 * left partial): the packed weights of one block ([k][MR]) against the
 * patch spread to the same layout, so output row i sums acc[i + 6 m]. */
static void dot24_generic(float *acc, const float *a, const float *e, size_t n)
{
    memset(acc, 0, 24 * sizeof *acc);
    for (size_t j = 0; j < n; j += 24)
        for (size_t l = 0; l < 24 && j + l < n; l++)
            acc[l] += a[j + l] * e[j + l];
}

#ifdef FC_PW_AVX2
__attribute__((target("avx2,fma"))) static void dot24_avx2(float *acc, const float *a, const float *e, size_t n)
{
    __m256 c0 = _mm256_setzero_ps(), c1 = c0, c2 = c0;
    size_t j = 0;
    for (; j + 24 <= n; j += 24) {
        c0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j), _mm256_loadu_ps(e + j), c0);
        c1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j + 8), _mm256_loadu_ps(e + j + 8), c1);
        c2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j + 16), _mm256_loadu_ps(e + j + 16), c2);
    }
    _mm256_storeu_ps(acc, c0);
    _mm256_storeu_ps(acc + 8, c1);
    _mm256_storeu_ps(acc + 16, c2);
    for (size_t l = 0; j + l < n; l++)
        acc[l] += a[j + l] * e[j + l];
}
#endif

/* One output pixel (BlazePose's heads: a 2x2 kernel over a 2x2 map): a
 * matrix-vector product. The 16-pixel tiles would compute 15 columns for
 * nothing (1-1.5 GMAC/s); here each weight is read once, 24 at a time. The
 * pixel's im2col column goes into scratch spread to the packed weights'
 * layout: e[kk * MR + i] = column[kk] (6k floats; the scratch holds 16k). */
static void run_pixel(float *y, const fc_pwconv *pw, const float *x, const fc_pwconv_geom *g, int p, int o0, int o1,
                      float *scratch)
{
    const int k = pw->k;
    const size_t hw = (size_t)g->out_h * (size_t)g->out_w, n = (size_t)k * MR;
    const int iy0 = p / g->out_w * g->stride_h - g->pad_t, ix0 = p % g->out_w * g->stride_w - g->pad_l;
    float *e = scratch;
    for (int ic = 0, kk = 0; ic < pw->cin; ic++)
        for (int ky = 0; ky < pw->kh; ky++)
            for (int kx = 0; kx < pw->kw; kx++, kk++) {
                int iy = iy0 + ky, ix = ix0 + kx;
                float v = iy >= 0 && iy < g->in_h && ix >= 0 && ix < g->in_w
                              ? x[((size_t)ic * (size_t)g->in_h + (size_t)iy) * (size_t)g->in_w + (size_t)ix]
                              : 0.0f;
                for (int i = 0; i < MR; i++)
                    e[(size_t)kk * MR + i] = v;
            }
    for (int blk = o0 / MR; blk * MR < o1; blk++) {
        float acc[24];
#ifdef FC_PW_AVX2
        if (pw->avx2)
            dot24_avx2(acc, pw->w + (size_t)blk * n, e, n);
        else
#endif
            dot24_generic(acc, pw->w + (size_t)blk * n, e, n);
        for (int i = 0; i < MR; i++) {
            int o = blk * MR + i;
            if (o < o0 || o >= o1)
                continue;
            float v = acc[i] + acc[i + 6] + acc[i + 12] + acc[i + 18] + pw->bias[o];
            y[(size_t)o * hw + (size_t)p] = pw->relu6 ? clamp6(v) : v;
        }
    }
}

void fc_pwconv_run_conv(float *y, const fc_pwconv *pw, const float *x, const fc_pwconv_geom *g, int p0, int p1,
                        int o0, int o1, float *scratch)
{
    int oh, ow;
    if (!y || !x || !scratch || fc_pwconv_out_size(&oh, &ow, pw, g) < 0 || oh != g->out_h || ow != g->out_w
        || p0 < 0 || p1 > oh * ow || p0 >= p1 || o0 < 0 || o1 > pw->cout || o0 >= o1)
        return;
    if (p1 - p0 == 1) {
        run_pixel(y, pw, x, g, p0, o0, o1, scratch);
        return;
    }
    gemm_src src = {x, g, oh * ow};
    for (int pp = p0; pp < p1; pp += pw->panel_px)
        run_panel(y, pw, &src, NULL, pp, p1 - pp < pw->panel_px ? p1 - pp : pw->panel_px, o0, o1, scratch);
}

void fc_pwconv_free(fc_pwconv *pw)
{
    if (!pw)
        return;
    free(pw->w);
    free(pw->bias);
    free(pw);
}
