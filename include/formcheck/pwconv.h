/* pwconv.h - pointwise (1x1, stride 1) convolution on NCHW float32, batch 1.
 *
 *   fc_pwconv_opts o = fc_pwconv_default_opts();
 *   o.relu6 = 1;                                  // clamp the conv's output to [0, 6]
 *   fc_pwconv *pw = NULL;
 *   if (fc_pwconv_create(&pw, &o, w, bias, cout, cin) < 0) ...;
 *   float *scratch = malloc(sizeof(float) * fc_pwconv_scratch_floats(pw, hw));
 *   fc_pwconv_run(y, pw, x, NULL, hw, 0, hw, 0, cout, scratch);  // y = relu6(W x + b)
 *   fc_pwconv_free(pw);
 *
 * y[o][p] = act_add(act(sum_i W[o][i] x[i][p] + b[o]) + r[o][p]) for p < hw pixels:
 * a GEMM [cout x cin] * [cin x hw] with bias, an optional ReLU6, an optional
 * residual r of y's shape (TFLite's CONV_2D + ADD pair), and an optional ReLU6
 * after the add. Used by net.cpp as the custom OpenCV layer "FcPointwiseConv"
 * (measured on the full landmark model's 47 1x1 layers, one thread: OpenCV 4.6
 * about 17 GMAC/s, this kernel about 32).
 *
 * Blocking: weights are packed at create time in panels of 6 output channels;
 * each call packs its pixels in panels of up to FC_PWCONV_PANEL_BYTES of x
 * (all input channels), 16 pixels a strip, and computes 6x16 tiles in
 * registers. With AVX2+FMA (runtime check, opts.simd) the tile is 12 ymm
 * accumulators; without, a portable loop that the compiler vectorises.
 *
 * Thread-safety: a created fc_pwconv is read-only, so several threads may run
 * disjoint ranges of one call at once, each with its own scratch. */
#ifndef FORMCHECK_PWCONV_H
#define FORMCHECK_PWCONV_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Upper bound of the packed pixel panel, bytes (kept inside L2 with the weights). */
#define FC_PWCONV_PANEL_BYTES (96 * 1024)
/* Output channels and pixels per register tile. */
#define FC_PWCONV_MR 6
#define FC_PWCONV_NR 16

typedef struct fc_pwconv fc_pwconv;

typedef struct fc_pwconv_opts {
    int relu6;     /* clamp W x + b to [0, 6] before the residual */
    int relu6_add; /* clamp after adding the residual (ignored when none is given) */
    int simd;      /* 1: AVX2+FMA when the CPU has it (default); 0: portable code only */
} fc_pwconv_opts;

fc_pwconv_opts fc_pwconv_default_opts(void);

/* Pack weights w [cout][cin] (row-major) and bias [cout] (NULL: zeros).
 * Returns 0, FC_EINVAL (NULL w, cout or cin < 1) or FC_ENOMEM. */
int fc_pwconv_create(fc_pwconv **out, const fc_pwconv_opts *opts, const float *w, const float *bias, int cout,
                     int cin);

/* 1 when runs use the AVX2+FMA kernel (opts.simd and the CPU supports it). */
int fc_pwconv_uses_avx2(const fc_pwconv *pw);

/* Pixels per packed panel for this cin (a multiple of FC_PWCONV_NR). */
int fc_pwconv_panel_px(const fc_pwconv *pw);

/* Floats of scratch one fc_pwconv_run call needs for an image of hw pixels. */
size_t fc_pwconv_scratch_floats(const fc_pwconv *pw, int hw);

/* Compute output channels [o0, o1) at pixels [p0, p1) of y [cout][hw] from
 * x [cin][hw] and residual r [cout][hw] (NULL: none). o0 should be a multiple
 * of FC_PWCONV_MR and p0 of fc_pwconv_panel_px for the best speed; any ranges
 * within [0, cout) x [0, hw) are correct. x, r and y must not overlap. */
void fc_pwconv_run(float *y, const fc_pwconv *pw, const float *x, const float *r, int hw, int p0, int p1, int o0,
                   int o1, float *scratch);

void fc_pwconv_free(fc_pwconv *pw);

#ifdef __cplusplus
}
#endif

#endif
