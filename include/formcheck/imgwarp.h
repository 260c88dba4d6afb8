/*
 * formcheck/imgwarp.h - the pixel work in front of the pose networks: crop a
 * rotated rectangle of a BGR frame, resample it to the network's input size and
 * write it, as RGB floats in a chosen range, straight into the network's planar
 * NCHW input buffer.
 *
 *     fc_imgwarp *iw = NULL;
 *     if (fc_imgwarp_create(&iw, NULL, err, sizeof err) < 0) ...
 *     float pad[4];
 *     // detector: whole frame letterboxed into 224x224, [-1,1], zero border
 *     fc_imgwarp_letterbox(iw, fc_net_input(det), 224, &frame, -1.0f, 1.0f, pad, err, sizeof err);
 *     // landmarks: the rotated ROI into 256x256, [0,1]
 *     fc_imgwarp_roi(iw, fc_net_input(lm), 256, 256, &frame, &roi, 0.0f, 1.0f,
 *                    FC_BORDER_REPLICATE, err, sizeof err);
 *     fc_imgwarp_free(iw);
 *
 * Like MediaPipe's ImageToTensorCalculator (OpenCV backend), the ROI's corners map
 * to the output's corners, sampling is bilinear on the 8-bit image, and the
 * 8-bit result is then scaled to [lo, hi] (so the zero border becomes `lo`).
 * The values are exactly those of OpenCV's cv::warpAffine (INTER_LINEAR, fixed
 * point on a 1/32 px grid) followed by that scaling, which the unit test checks
 * against OpenCV itself; the work is done here, in one pass with AVX2 gathers
 * (runtime check; opts.simd = 0 for the portable loop), without OpenCV's 8-bit
 * intermediate image or its threads. Per-column tables are kept in the handle: no
 * allocation once sizes are stable.
 *
 * Errors: FC_EINVAL (bad sizes or ROI, an output side over 8192, a frame side
 * over 32767, or a ROI whose corners lie over 2^19 px from the frame's origin),
 * FC_ENOMEM. Thread-safety: one thread per handle.
 */
#ifndef FORMCHECK_IMGWARP_H
#define FORMCHECK_IMGWARP_H

#include <stddef.h>

#include "formcheck/error.h"
#include "formcheck/frame.h"
#include "formcheck/posedetect.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fc_imgwarp fc_imgwarp;

/** How pixels outside the frame are filled. */
typedef enum fc_border {
    FC_BORDER_ZERO = 0,       /**< black */
    FC_BORDER_REPLICATE = 1,  /**< nearest edge pixel */
} fc_border;

typedef struct fc_imgwarp_opts {
    int simd; /**< 1: AVX2 when the CPU has it (default); 0: portable code only */
} fc_imgwarp_opts;

/** simd = 1. */
fc_imgwarp_opts fc_imgwarp_default_opts(void);

/** A handle in *out (NULL on error); `opts` NULL means the defaults. */
int fc_imgwarp_create(fc_imgwarp **out, const fc_imgwarp_opts *opts, char *err, size_t errsz);

/** 1 if this handle runs the AVX2 path. */
int fc_imgwarp_uses_avx2(const fc_imgwarp *iw);

/** Resample `roi` (frame pixels, rotation radians) of `frame` to out_w x out_h and
 *  write planar RGB floats to `dst` (3 * out_h * out_w values: all R, then G, B),
 *  pixel values mapped linearly from [0,255] to [lo,hi]. */
int fc_imgwarp_roi(fc_imgwarp *iw, float *dst, int out_w, int out_h, const fc_frame *frame,
                   const fc_roi *roi, float lo, float hi, fc_border border, char *err, size_t errsz);

/** Letterbox the whole frame into a `side` x `side` square (aspect kept, zero
 *  border, centred) into `dst` as above; `pad` gets the padding as fractions of the
 *  side: left, top, right, bottom (see fc_letterbox_padding()). */
int fc_imgwarp_letterbox(fc_imgwarp *iw, float *dst, int side, const fc_frame *frame, float lo,
                         float hi, float pad[4], char *err, size_t errsz);

/** NULL-safe. */
void fc_imgwarp_free(fc_imgwarp *iw);

#ifdef __cplusplus
}
#endif
#endif /* FORMCHECK_IMGWARP_H */
