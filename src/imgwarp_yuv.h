/* imgwarp_yuv.h - internal to imgwarp.c: the crop straight from decoded 4:2:0
 * planes (fc_frame.yuv), without the whole-frame conversion to BGR. */
#ifndef FORMCHECK_IMGWARP_YUV_H
#define FORMCHECK_IMGWARP_YUV_H

#include "formcheck/frame.h"

/* One crop: output pixel (x, y) samples luma plane pixel (m[0] x + m[1] y + m[2],
 * m[3] x + m[4] y + m[5]) bilinearly, the chroma planes at the matching point,
 * converts to RGB, clamps to [0, 255] and writes v * scale + lo to the planar
 * outputs r, g, b (out_w * out_h each). Outside the planes each missing neighbour
 * is the nearest edge sample (zero_border 0) or black (1). */
typedef struct fc_yuv_warp {
    const fc_frame_yuv *p;
    double m[6];
    float *r, *g, *b;
    int out_w, out_h, zero_border;
    float scale, lo;
} fc_yuv_warp;

/* 1 if the planes can be sampled (sizes, strides, pointers); the caller checks first. */
int fc_yuv_warp_valid(const fc_frame_yuv *p);

/* Run the crop; avx2 1: the AVX2 path where it applies (the caller checked the CPU). */
void fc_yuv_warp_run(const fc_yuv_warp *w, int avx2);

#endif
