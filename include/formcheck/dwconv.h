/* dwconv.h - depthwise convolution on NCHW float32, batch 1.
 *
 *   fc_dwconv_opts o = fc_dwconv_default_opts();  // 3x3, stride 1, pad 1
 *   o.kernel_h = o.kernel_w = 5;
 *   o.pad_t = o.pad_l = o.pad_b = o.pad_r = 2;
 *   o.relu6 = 1;                                  // clamp the output to [0, 6]
 *   int ho, wo;
 *   if (fc_dwconv_out_size(&ho, &wo, &o, h, w) < 0) ...;
 *   float *scratch = malloc(sizeof(float) * fc_dwconv_scratch_floats(&o, h, w));
 *   fc_dwconv_run(y, &o, x, wt, bias, h, w, 0, channels, scratch);
 *
 * y[c][oy][ox] = act(b[c] + sum_{ky,kx} W[c][ky*kw+kx] x[c][oy*sh+ky-pt][ox*sw+kx-pl]),
 * x zero outside [0,h) x [0,w): TFLite's DEPTHWISE_CONV_2D with multiplier 1
 * (SAME padding and folded PAD ops given as explicit, possibly asymmetric pads).
 * Used by net.cpp as the custom OpenCV layer "FcDepthwiseConv".
 *
 * Method: each channel is copied, a strip of output rows at a time (sized
 * so the copy stays in L1, 16 KiB), into a zero-padded scratch split by
 * horizontal stride phase (the pad columns are zeroed once per call), so
 * every tap of a run of 8 outputs is one contiguous load. Outputs are
 * computed 8 vectors of 8 at a time in registers (8 independent FMA chains
 * hide the FMA latency): for 3x3 stride 1 and 5x5 stride 1 or 2, 8 rows x 1
 * vector with the kernel column's weights held in registers and each input
 * row loaded once for all the outputs it feeds; otherwise 8 x 1, 4 x 2 or
 * 2 x 4 (by image width) with each tap's weight broadcast once per tile.
 * With AVX2+FMA (runtime check, opts.simd) the accumulators are ymm
 * registers; without, portable loops over the same tiles.
 *
 * Measured (bench/dwconv_bench, one Zen 3 thread of a busy 2-core VM, best
 * of 3 x 200 runs): 12-29 GMAC/s on BlazePose's 5x5 layers, 9-16 on its 3x3
 * stride-1 ones, about 8 on 3x3 stride 2; 4x4 and 2x2 layers of 192
 * channels take 9-17 us, mostly per-channel overhead.
 *
 * Thread-safety: runs only read their inputs, so several threads may run
 * disjoint channel ranges of one image at once, each with its own scratch. */
#ifndef FORMCHECK_DWCONV_H
#define FORMCHECK_DWCONV_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Largest kernel, in taps (kernel_h * kernel_w). */
#define FC_DWCONV_MAX_TAPS 121
/* Largest stride. */
#define FC_DWCONV_MAX_STRIDE 16

typedef struct fc_dwconv_opts {
    int kernel_h, kernel_w;       /* 1.., kernel_h * kernel_w <= FC_DWCONV_MAX_TAPS */
    int stride_h, stride_w;       /* 1.. */
    int pad_t, pad_l, pad_b, pad_r; /* zero padding, pixels, >= 0 */
    int relu6;                    /* clamp the output to [0, 6] */
    int simd;                     /* 1: AVX2+FMA when the CPU has it (default); 0: portable code only */
} fc_dwconv_opts;

/* 3x3, stride 1, padding 1 on every side, no activation, simd 1. */
fc_dwconv_opts fc_dwconv_default_opts(void);

/* Output height and width for an h x w input. Returns 0, or FC_EINVAL for a
 * NULL argument, h or w < 1, a parameter out of range or a kernel larger than
 * the padded input. */
int fc_dwconv_out_size(int *ho, int *wo, const fc_dwconv_opts *o, int h, int w);

/* 1 when runs with these options use the AVX2+FMA kernel. */
int fc_dwconv_uses_avx2(const fc_dwconv_opts *o);

/* Floats of scratch one fc_dwconv_run call needs for an h x w input (0 when
 * fc_dwconv_out_size would fail). */
size_t fc_dwconv_scratch_floats(const fc_dwconv_opts *o, int h, int w);

/* Compute channels [c0, c1) of y [C][ho][wo] from x [C][h][w], weights
 * wt [C][kernel_h * kernel_w] (row-major taps) and bias [C] (NULL: zeros).
 * Does nothing when the options or ranges are invalid. x and y must not
 * overlap; scratch must not be shared by concurrent calls. */
void fc_dwconv_run(float *y, const fc_dwconv_opts *o, const float *x, const float *wt, const float *bias, int h,
                   int w, int c0, int c1, float *scratch);

#ifdef __cplusplus
}
#endif

#endif
