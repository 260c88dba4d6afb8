// imgwarp_cvref.cpp - the reference for test_imgwarp.c: the crop as OpenCV makes
// it (cv::warpAffine, INTER_LINEAR, WARP_INVERSE_MAP, then the float scaling), the
// way src/imgwarp.c had it before it did the work itself. Test code only.
#include "imgwarp_cvref.h"

#include <cmath>
#include <exception>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

extern "C" int fc_test_cv_warp(float *dst, int out_w, int out_h, const fc_frame *frame, const fc_roi *roi,
                               float lo, float hi, int replicate)
{
    try {
        const cv::Mat src(frame->height, frame->width, CV_8UC3, frame->data, (size_t)frame->stride);
        const double c = std::cos((double)roi->rotation), s = std::sin((double)roi->rotation);
        const double sx = roi->w / (double)out_w, sy = roi->h / (double)out_h;
        const cv::Matx23d m(c * sx, -s * sy, roi->cx - c * sx * out_w / 2.0 + s * sy * out_h / 2.0, s * sx,
                            c * sy, roi->cy - s * sx * out_w / 2.0 - c * sy * out_h / 2.0);
        cv::Mat crop;
        cv::warpAffine(src, crop, m, cv::Size(out_w, out_h), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP,
                       replicate ? cv::BORDER_REPLICATE : cv::BORDER_CONSTANT, cv::Scalar::all(0));
        const float scale = (hi - lo) / 255.0f;
        const size_t plane = (size_t)out_w * out_h;
        for (int y = 0; y < out_h; y++) {
            const uint8_t *p = crop.ptr<uint8_t>(y);
            for (int x = 0; x < out_w; x++, p += 3) {
                size_t o = (size_t)y * out_w + x;
                dst[o] = p[2] * scale + lo;
                dst[plane + o] = p[1] * scale + lo;
                dst[2 * plane + o] = p[0] * scale + lo;
            }
        }
    } catch (const std::exception &) {
        return -1;
    }
    return 0;
}
