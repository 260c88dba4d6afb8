/* pwconv.h - convolution as a packed GEMM on NCHW float32, batch 1: pointwise
 * (1x1, stride 1, with a fused residual) and, through an im2col per strip,
 * any kernel, stride and zero padding.
 *
 *   fc_pwconv_opts o = fc_pwconv_default_opts();
 *   o.relu6 = 1;                                  // clamp the conv's output to [0, 6]
 *   fc_pwconv *pw = NULL;
 *   if (fc_pwconv_create(&pw, &o, w, bias, cout, cin) < 0) ...;
 *   float *scratch = malloc(sizeof(float) * fc_pwconv_scratch_floats(pw, hw));
 *   fc_pwconv_run(y, pw, x, NULL, hw, 0, hw, 0, cout, scratch);  // y = relu6(W x + b)
 *   fc_pwconv_free(pw);
 *
 *   o.kernel_h = o.kernel_w = 3;                  // a 3x3 conv, weights [cout][cin][3][3]
 *   fc_pwconv_geom g = {256, 256, 0, 0, 2, 2, 0, 0, 1, 1};  // in 256x256, stride 2, pad b/r 1
 *   fc_pwconv_out_size(&g.out_h, &g.out_w, pw, &g);          // 128 x 128
 *   fc_pwconv_run_conv(y, pw, x, &g, 0, g.out_h * g.out_w, 0, cout, scratch);
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
 * registers. (Reading x in place instead of packing it was tried for small
 * cin: rows of 1024 or 16384 pixels are multiples of 4 KiB apart, so a strip's
 * lines share one L1 set and thrash; the 32x32 layers got 2x slower.) A KxK
 * layer packs each strip as im2col (k = (ic * kh + ky) * kw + kx); a call for
 * a single output pixel (BlazePose's heads, 2x2 kernels on 2x2 maps) is a
 * matrix-vector product instead, each weight read once. (net_pwconv.cpp runs
 * KxK layers with at most 4 input channels, the first layer, on convdirect.h.)
 * With AVX2+FMA (runtime check, opts.simd) the tile is 12 ymm accumulators
 * (fewer for a block past cout's last multiple of 6); without, a portable loop
 * that the compiler vectorises.
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
    int kernel_h, kernel_w; /* kernel size (default 1 x 1) */
} fc_pwconv_opts;

/* Image geometry of a fc_pwconv_run_conv call, pixels. */
typedef struct fc_pwconv_geom {
    int in_h, in_w;
    int out_h, out_w;     /* must be what fc_pwconv_out_size gives */
    int stride_h, stride_w;
    int pad_t, pad_l;     /* zeros before the first row / column */
    int pad_b, pad_r;     /* zeros after the last */
} fc_pwconv_geom;

fc_pwconv_opts fc_pwconv_default_opts(void);

/* Pack weights w [cout][cin][kernel_h][kernel_w] (row-major; [cout][cin] for
 * 1x1) and bias [cout] (NULL: zeros). Returns 0, FC_EINVAL (NULL w, cout, cin
 * or a kernel side < 1, a side > 64) or FC_ENOMEM. */
int fc_pwconv_create(fc_pwconv **out, const fc_pwconv_opts *opts, const float *w, const float *bias, int cout,
                     int cin);

/* 1 when runs use the AVX2+FMA kernel (opts.simd and the CPU supports it). */
int fc_pwconv_uses_avx2(const fc_pwconv *pw);

/* Pixels per packed panel for this cin (a multiple of FC_PWCONV_NR). */
int fc_pwconv_panel_px(const fc_pwconv *pw);

/* Floats of scratch one fc_pwconv_run(_conv) call needs for an output of hw pixels. */
size_t fc_pwconv_scratch_floats(const fc_pwconv *pw, int hw);

/* Output size of a KxK layer on g's input, stride and padding (g's out_h and
 * out_w are ignored). Returns 0 or FC_EINVAL (NULL, sizes or strides < 1,
 * negative padding, kernel larger than the padded input). */
int fc_pwconv_out_size(int *out_h, int *out_w, const fc_pwconv *pw, const fc_pwconv_geom *g);

/* 1x1 stride 1: compute output channels [o0, o1) at pixels [p0, p1) of
 * y [cout][hw] from x [cin][hw] and residual r [cout][hw] (NULL: none). o0
 * should be a multiple of FC_PWCONV_MR and p0 of fc_pwconv_panel_px for the
 * best speed; any ranges within [0, cout) x [0, hw) are correct. x, r and y
 * must not overlap. Does nothing for a kernel other than 1x1 or bad ranges. */
void fc_pwconv_run(float *y, const fc_pwconv *pw, const float *x, const float *r, int hw, int p0, int p1, int o0,
                   int o1, float *scratch);

/* 1x1 layers split by output channel over several threads: pack x [cin][hw]
 * once (fc_pwconv_pack, into fc_pwconv_packed_floats(pw, hw) floats), then
 * run channel ranges on the shared packed copy (fc_pwconv_run_packed; p0 a
 * multiple of FC_PWCONV_NR), instead of every range packing it again. Same
 * results as fc_pwconv_run; both do nothing on bad arguments or a KxK kernel. */
size_t fc_pwconv_packed_floats(const fc_pwconv *pw, int hw);
void fc_pwconv_pack(float *packed, const fc_pwconv *pw, const float *x, int hw);
void fc_pwconv_run_packed(float *y, const fc_pwconv *pw, const float *packed, const float *r, int hw, int p0,
                          int p1, int o0, int o1);

/* Any kernel: output channels [o0, o1) at output pixels [p0, p1) (row-major,
 * p = oy * out_w + ox) of y [cout][out_h][out_w] from x [cin][in_h][in_w];
 * bias and ReLU6 as for fc_pwconv_run, no residual. Does nothing when g does
 * not match fc_pwconv_out_size or the ranges are bad. */
void fc_pwconv_run_conv(float *y, const fc_pwconv *pw, const float *x, const fc_pwconv_geom *g, int p0, int p1,
                        int o0, int o1, float *scratch);

void fc_pwconv_free(fc_pwconv *pw);

#ifdef __cplusplus
}
#endif

#endif
