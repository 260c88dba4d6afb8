/* imgwarp_cvref.h - OpenCV's own crop, the reference test_imgwarp.c compares
 * src/imgwarp.c with (tests/unit/imgwarp_cvref.cpp). */
#ifndef FC_TEST_IMGWARP_CVREF_H
#define FC_TEST_IMGWARP_CVREF_H

#include "formcheck/frame.h"
#include "formcheck/posedetect.h"

#ifdef __cplusplus
extern "C" {
#endif

/* cv::warpAffine of `roi` into out_w x out_h, then planar RGB floats in [lo, hi];
 * replicate: 1 BORDER_REPLICATE, 0 zero. Returns 0, or -1 on an OpenCV exception. */
int fc_test_cv_warp(float *dst, int out_w, int out_h, const fc_frame *frame, const fc_roi *roi, float lo,
                    float hi, int replicate);

#ifdef __cplusplus
}
#endif
#endif
