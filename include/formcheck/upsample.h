/* upsample.h - 2x bilinear upsampling of NCHW float32 planes with TFLite's
 * RESIZE_BILINEAR semantics (half_pixel_centers = true, align_corners = false),
 * with an optional fused residual ADD and ReLU6.
 *
 *   float *row = malloc(sizeof(float) * fc_upsample2x_scratch_floats(w));
 *   fc_upsample2x(y, x, r, h, w, 0, channels, 0, row);  // y = up2(x) + r
 *
 * BlazePose's decoders upsample by exactly 2 and add a skip connection (the
 * lite landmark model: 8->16, 16->32, 32->64 px); OpenCV 4.6 runs its Resize on
 * one thread and the ADD as a separate pass. Output pixel 2j of an axis is
 * 0.25 in[j-1] + 0.75 in[j], pixel 2j+1 is 0.75 in[j] + 0.25 in[j+1], the
 * neighbours clamped at the edges (what TFLite's formula gives there); a row
 * is interpolated vertically first, then horizontally (TFLite does x first:
 * results agree to float rounding).
 *
 * Used by net.cpp as the custom OpenCV layer "FcUpsample2x". Pure computation;
 * calls on disjoint channel ranges may run on several threads at once, each
 * with its own scratch. */
#ifndef FORMCHECK_UPSAMPLE_H
#define FORMCHECK_UPSAMPLE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Floats of scratch fc_upsample2x needs for input rows of w pixels. */
size_t fc_upsample2x_scratch_floats(int w);

/* For channels [c0, c1): y[c] (2h x 2w) = up2(x[c]) (h x w), plus r[c] (2h x 2w)
 * when r is not NULL, then clamped to [0, 6] when relu6 (after the add).
 * y must not overlap x or r. Does nothing on NULL pointers, h or w < 1, or a
 * bad channel range. */
void fc_upsample2x(float *y, const float *x, const float *r, int h, int w, int c0, int c1, int relu6,
                   float *scratch);

#ifdef __cplusplus
}
#endif

#endif
