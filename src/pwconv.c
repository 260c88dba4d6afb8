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
    int panel_px;          /* pixels per packed panel */
    int relu6, relu6_add, avx2;
    float *w;    /* [blocks][cin][MR], rows past cout zero */
    float *bias; /* [blocks * MR] */
};

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
    fc_pwconv_opts o = {0, 0, 1};
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
/* AVX2+FMA tile: 12 accumulators, per k 2 loads of B and 6 broadcasts of A. */
__attribute__((target("avx2,fma"))) static void tile_avx2(const float *a, const float *b, int k, const tile_out *t)
{
    /* Named accumulators: GCC -O2 keeps an array of them in memory. */
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    for (int kk = 0; kk < k; kk++, a += MR, b += NR) {
        __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8), av;
#define FC_PW_ROW(i, x0, x1)                                                                                          \
    av = _mm256_broadcast_ss(a + (i));                                                                                 \
    x0 = _mm256_fmadd_ps(av, b0, x0);                                                                                  \
    x1 = _mm256_fmadd_ps(av, b1, x1)
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
#endif

int fc_pwconv_create(fc_pwconv **out, const fc_pwconv_opts *opts, const float *w, const float *bias, int cout,
                     int cin)
{
    if (!out)
        return FC_EINVAL;
    *out = NULL;
    if (!w || cout < 1 || cin < 1)
        return FC_EINVAL;
    fc_pwconv_opts o = opts ? *opts : fc_pwconv_default_opts();
    fc_pwconv *pw = calloc(1, sizeof *pw);
    if (!pw)
        return FC_ENOMEM;
    pw->cout = cout;
    pw->cin = cin;
    pw->blocks = (cout + MR - 1) / MR;
    int px = FC_PWCONV_PANEL_BYTES / (int)sizeof(float) / cin / NR * NR;
    pw->panel_px = px < NR ? NR : px;
    pw->relu6 = o.relu6 != 0;
    pw->relu6_add = o.relu6_add != 0;
#ifdef FC_PW_AVX2
    pw->avx2 = o.simd && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    pw->w = calloc((size_t)pw->blocks * cin * MR, sizeof *pw->w);
    pw->bias = calloc((size_t)pw->blocks * MR, sizeof *pw->bias);
    if (!pw->w || !pw->bias) {
        fc_pwconv_free(pw);
        return FC_ENOMEM;
    }
    for (int oc = 0; oc < cout; oc++) {
        float *d = pw->w + (size_t)(oc / MR) * cin * MR + oc % MR;
        for (int ic = 0; ic < cin; ic++)
            d[(size_t)ic * MR] = w[(size_t)oc * cin + ic];
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
    return (size_t)px * pw->cin;
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

void fc_pwconv_run(float *y, const fc_pwconv *pw, const float *x, const float *r, int hw, int p0, int p1, int o0,
                   int o1, float *scratch)
{
    if (!pw || !y || !x || !scratch || p0 < 0 || p1 > hw || p0 >= p1 || o0 < 0 || o1 > pw->cout || o0 >= o1)
        return;
    void (*tile)(const float *, const float *, int, const tile_out *) = tile_generic;
#ifdef FC_PW_AVX2
    if (pw->avx2)
        tile = tile_avx2;
#endif
    const int cin = pw->cin;
    for (int pp = p0; pp < p1; pp += pw->panel_px) {
        int n = p1 - pp < pw->panel_px ? p1 - pp : pw->panel_px;
        pack_panel(scratch, x, (size_t)hw, cin, pp, n);
        for (int blk = o0 / MR; blk * MR < o1; blk++) {
            const float *a = pw->w + (size_t)blk * cin * MR;
            int first = blk * MR, row0 = o0 > first ? o0 - first : 0;
            int row1 = o1 - first < MR ? o1 - first : MR;
            for (int st = 0; st * NR < n; st++) {
                int p = pp + st * NR;
                size_t off = (size_t)(first + row0) * (size_t)hw + (size_t)p;
                tile_out t = {y + off, r ? r + off : NULL, pw->bias + first, (size_t)hw, row0, row1,
                              n - st * NR < NR ? n - st * NR : NR, pw->relu6, pw->relu6_add};
                tile(a, scratch + (size_t)st * cin * NR, cin, &t);
            }
        }
    }
}

void fc_pwconv_free(fc_pwconv *pw)
{
    if (!pw)
        return;
    free(pw->w);
    free(pw->bias);
    free(pw);
}
