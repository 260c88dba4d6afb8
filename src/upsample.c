/* upsample.c - 2x bilinear upsampling with a fused ADD (see formcheck/upsample.h). */
#include "formcheck/upsample.h"

#if defined(__SSE2__) && (defined(__GNUC__) || defined(__clang__))
#include <emmintrin.h>
#define FC_UP_SSE 1
#endif

size_t fc_upsample2x_scratch_floats(int w) { return w < 1 ? 0 : (size_t)w + 2; }

static float clamp6(float v) { return v < 0.0f ? 0.0f : v > 6.0f ? 6.0f : v; }

/* t[1 + j] = wa a[j] + wb b[j]; t[0] and t[w + 1] repeat the edge pixels. */
static void blend_rows(float *t, const float *a, const float *b, float wa, float wb, int w)
{
    int j = 0;
#ifdef FC_UP_SSE
    /* GCC -O2 does not vectorise loops that need a scalar tail. */
    const __m128 va = _mm_set1_ps(wa), vb = _mm_set1_ps(wb);
    for (; j + 4 <= w; j += 4)
        _mm_storeu_ps(t + 1 + j, _mm_add_ps(_mm_mul_ps(va, _mm_loadu_ps(a + j)), _mm_mul_ps(vb, _mm_loadu_ps(b + j))));
#endif
    for (; j < w; j++)
        t[1 + j] = wa * a[j] + wb * b[j];
    t[0] = t[1];
    t[w + 1] = t[w];
}

/* One output row: out[2j] = 0.25 t[j] + 0.75 t[j+1], out[2j+1] = 0.75 t[j+1] + 0.25 t[j+2],
 * plus the residual row, then ReLU6. */
static void expand_row(float *out, const float *t, const float *r, int w, int relu6)
{
    int j = 0;
#ifdef FC_UP_SSE
    const __m128 q = _mm_set1_ps(0.25f), tq = _mm_set1_ps(0.75f), lo = _mm_setzero_ps(), hi = _mm_set1_ps(6.0f);
    for (; j + 4 <= w; j += 4) {
        __m128 a = _mm_loadu_ps(t + j), b = _mm_loadu_ps(t + j + 1), c = _mm_loadu_ps(t + j + 2);
        __m128 even = _mm_add_ps(_mm_mul_ps(q, a), _mm_mul_ps(tq, b));
        __m128 odd = _mm_add_ps(_mm_mul_ps(tq, b), _mm_mul_ps(q, c));
        __m128 o0 = _mm_unpacklo_ps(even, odd), o1 = _mm_unpackhi_ps(even, odd);
        if (r) {
            o0 = _mm_add_ps(o0, _mm_loadu_ps(r + 2 * j));
            o1 = _mm_add_ps(o1, _mm_loadu_ps(r + 2 * j + 4));
        }
        if (relu6) {
            o0 = _mm_min_ps(_mm_max_ps(o0, lo), hi);
            o1 = _mm_min_ps(_mm_max_ps(o1, lo), hi);
        }
        _mm_storeu_ps(out + 2 * j, o0);
        _mm_storeu_ps(out + 2 * j + 4, o1);
    }
#endif
    for (; j < w; j++) {
        float e = 0.25f * t[j] + 0.75f * t[j + 1], o = 0.75f * t[j + 1] + 0.25f * t[j + 2];
        if (r) {
            e += r[2 * j];
            o += r[2 * j + 1];
        }
        out[2 * j] = relu6 ? clamp6(e) : e;
        out[2 * j + 1] = relu6 ? clamp6(o) : o;
    }
}

void fc_upsample2x(float *y, const float *x, const float *r, int h, int w, int c0, int c1, int relu6,
                   float *scratch)
{
    if (!y || !x || !scratch || h < 1 || w < 1 || c0 < 0 || c0 >= c1)
        return;
    const size_t in_px = (size_t)h * w, out_px = 4 * in_px, ow = 2 * (size_t)w;
    for (int c = c0; c < c1; c++) {
        const float *xc = x + (size_t)c * in_px, *rc = r ? r + (size_t)c * out_px : NULL;
        float *yc = y + (size_t)c * out_px;
        for (int oy = 0; oy < 2 * h; oy++) {
            int k = oy / 2;
            /* Even rows lean on the row above, odd rows on the row below. */
            int a = oy % 2 ? k : (k > 0 ? k - 1 : 0), b = oy % 2 ? (k + 1 < h ? k + 1 : h - 1) : k;
            float wa = oy % 2 ? 0.75f : 0.25f;
            blend_rows(scratch, xc + (size_t)a * w, xc + (size_t)b * w, wa, 1.0f - wa, w);
            expand_row(yc + (size_t)oy * ow, scratch, rc ? rc + (size_t)oy * ow : NULL, w, relu6);
        }
    }
}
