/* convdirect.h - direct KxK convolution for few input channels (an image's
 * first layer) on NCHW float32, batch 1.
 *
 *   fc_convdirect_opts o = fc_convdirect_default_opts();   // 3x3, stride 1, pad 1
 *   o.stride_h = o.stride_w = 2;
 *   o.pad_t = o.pad_l = 0, o.pad_b = o.pad_r = 1;          // TFLite SAME, 256 -> 128
 *   o.relu6 = 1;                                           // clamp the output to [0, 6]
 *   fc_convdirect *cd = NULL;
 *   if (fc_convdirect_create(&cd, &o, w, bias, 24, 3) < 0) ...;   // w [24][3][3][3]
 *   int ho, wo;
 *   fc_convdirect_out_size(&ho, &wo, cd, 256, 256);
 *   float *scratch = malloc(sizeof(float) * fc_convdirect_scratch_floats(cd, 256, 256));
 *   fc_convdirect_run(y, cd, x, 256, 256, 0, ho, scratch);          // all output rows
 *   fc_convdirect_free(cd);
 *
 * y[o][oy][ox] = act(b[o] + sum_{i,ky,kx} W[o][i][ky][kx] x[i][oy*sh+ky-pt][ox*sw+kx-pl]),
 * x zero outside [0,h) x [0,w): TFLite's CONV_2D with explicit (possibly
 * asymmetric) padding. Used by net_pwconv.cpp for KxK layers with at most
 * FC_CONVDIRECT_MAX_CIN input channels, where the im2col GEMM of pwconv.h has
 * a GEMM depth of only cin * kh * kw (27 for BlazePose's first layer) and
 * loses to its own packing.
 *
 * Method: a strip of output rows at a time, the input rows it reads are
 * copied into a zero-padded scratch split by horizontal stride phase (as in
 * dwconv.h), so every tap of 16 consecutive outputs is one contiguous read.
 * Tiles of 6 output channels x 16 pixels of one row are accumulated in
 * registers over all cin * kh * kw taps (weights packed at create time in
 * blocks of 6 channels, broadcast per tap), then get the bias and ReLU6 and
 * are stored straight into the planar output. With AVX2+FMA (runtime check,
 * opts.simd) the tile is 12 ymm accumulators; without, portable loops over
 * the same tile that the compiler vectorises.
 *
 * Thread-safety: a created fc_convdirect is read-only; several threads may
 * run disjoint output-row ranges of one image at once, each with its own
 * scratch. */
#ifndef FORMCHECK_CONVDIRECT_H
#define FORMCHECK_CONVDIRECT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Largest number of input channels, kernel side and stride. */
#define FC_CONVDIRECT_MAX_CIN 4
#define FC_CONVDIRECT_MAX_SIDE 7
#define FC_CONVDIRECT_MAX_STRIDE 4

typedef struct fc_convdirect fc_convdirect;

typedef struct fc_convdirect_opts {
    int kernel_h, kernel_w;         /* 1..FC_CONVDIRECT_MAX_SIDE */
    int stride_h, stride_w;         /* 1..FC_CONVDIRECT_MAX_STRIDE */
    int pad_t, pad_l, pad_b, pad_r; /* zero padding, pixels, 0..FC_CONVDIRECT_MAX_SIDE */
    int relu6;                      /* clamp the output to [0, 6] */
    int simd;                       /* 1: AVX2+FMA when the CPU has it (default); 0: portable code only */
} fc_convdirect_opts;

/* 3x3, stride 1, padding 1 on every side, no activation, simd 1. */
fc_convdirect_opts fc_convdirect_default_opts(void);

/* Pack weights w [cout][cin][kernel_h][kernel_w] (row-major) and bias [cout]
 * (NULL: zeros); the arrays are copied. Returns 0, FC_EINVAL (NULL out, opts
 * or w, cout < 1, cin outside 1..FC_CONVDIRECT_MAX_CIN, an option out of
 * range) or FC_ENOMEM. */
int fc_convdirect_create(fc_convdirect **out, const fc_convdirect_opts *opts, const float *w, const float *bias,
                         int cout, int cin);

/* 1 when runs use the AVX2+FMA kernel (opts.simd and the CPU supports it). */
int fc_convdirect_uses_avx2(const fc_convdirect *cd);

/* Output height and width for an h x w input. Returns 0, or FC_EINVAL (NULL,
 * h or w < 1 or above 32768, kernel larger than the padded input). */
int fc_convdirect_out_size(int *ho, int *wo, const fc_convdirect *cd, int h, int w);

/* Floats of scratch one fc_convdirect_run call needs for an h x w input (0
 * when fc_convdirect_out_size would fail). */
size_t fc_convdirect_scratch_floats(const fc_convdirect *cd, int h, int w);

/* Compute output rows [oy0, oy1) of every channel of y [cout][ho][wo] from
 * x [cin][h][w]. Does nothing when the sizes or the range are invalid. x and
 * y must not overlap; scratch must not be shared by concurrent calls. */
void fc_convdirect_run(float *y, const fc_convdirect *cd, const float *x, int h, int w, int oy0, int oy1,
                       float *scratch);

void fc_convdirect_free(fc_convdirect *cd);

#ifdef __cplusplus
}
#endif

#endif
