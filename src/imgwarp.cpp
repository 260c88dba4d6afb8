// imgwarp.cpp - rotated-ROI crops into network input buffers (see formcheck/imgwarp.h).
// The only place this module touches OpenCV; every exception stops here.
#include "formcheck/imgwarp.h"

#include <cmath>
#include <exception>
#include <new>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

struct fc_imgwarp {
    // 8-bit BGR results of the warp, one per output size in use (the pose module
    // alternates 224x224 and 256x256), so that nothing is reallocated per frame.
    cv::Mat crops[2];
    int next = 0; // slot to replace when a third size shows up
};

static cv::Mat &crop_for(fc_imgwarp *iw, int w, int h)
{
    for (cv::Mat &m : iw->crops)
        if (m.cols == w && m.rows == h)
            return m;
    cv::Mat &m = iw->crops[iw->next];
    iw->next ^= 1;
    m.create(h, w, CV_8UC3);
    return m;
}

extern "C" int fc_imgwarp_create(fc_imgwarp **out, char *err, size_t errsz)
{
    *out = nullptr;
    fc_imgwarp *iw = new (std::nothrow) fc_imgwarp();
    if (!iw)
        return fc_set_error(err, errsz, FC_ENOMEM, "imgwarp: out of memory");
    *out = iw;
    return 0;
}

extern "C" void fc_imgwarp_free(fc_imgwarp *iw)
{
    delete iw;
}

// BGR bytes -> planar RGB floats in [lo, hi]: the conversion MediaPipe does after its
// warp, fused with the channel swap and the NHWC -> NCHW reordering.
static void to_planar_rgb(const cv::Mat &crop, float *dst, float lo, float hi)
{
    const float scale = (hi - lo) / 255.0f;
    const size_t plane = (size_t)crop.rows * crop.cols;
    float *r = dst, *g = dst + plane, *b = dst + 2 * plane;
    for (int y = 0; y < crop.rows; y++) {
        const uint8_t *p = crop.ptr<uint8_t>(y);
        size_t o = (size_t)y * crop.cols;
        for (int x = 0; x < crop.cols; x++, p += 3) {
            b[o + x] = p[0] * scale + lo;
            g[o + x] = p[1] * scale + lo;
            r[o + x] = p[2] * scale + lo;
        }
    }
}

extern "C" int fc_imgwarp_roi(fc_imgwarp *iw, float *dst, int out_w, int out_h, const fc_frame *frame,
                              const fc_roi *roi, float lo, float hi, fc_border border, char *err,
                              size_t errsz)
{
    if (!iw || !dst || !frame || !frame->data || !roi || out_w <= 0 || out_h <= 0 || frame->width <= 0 ||
        frame->height <= 0 || frame->stride < 3 * frame->width)
        return fc_set_error(err, errsz, FC_EINVAL, "imgwarp: invalid frame or output size");
    if (!(roi->w > 0.0f) || !(roi->h > 0.0f) || !std::isfinite(roi->cx) || !std::isfinite(roi->cy) ||
        !std::isfinite(roi->rotation) || !std::isfinite(roi->w) || !std::isfinite(roi->h))
        return fc_set_error(err, errsz, FC_EINVAL, "imgwarp: invalid region (%gx%g)", roi->w, roi->h);
    try {
        const cv::Mat src(frame->height, frame->width, CV_8UC3, frame->data, (size_t)frame->stride);
        // Output pixel (X, Y) samples the frame at centre + R(rotation) * ((X, Y) - out/2) * roi/out:
        // the ROI's corners land on the output's corners, as with MediaPipe's
        // getPerspectiveTransform(boxPoints(roi), output corners).
        const double c = std::cos((double)roi->rotation), s = std::sin((double)roi->rotation);
        const double sx = roi->w / (double)out_w, sy = roi->h / (double)out_h;
        const cv::Matx23d m(c * sx, -s * sy, roi->cx - c * sx * out_w / 2.0 + s * sy * out_h / 2.0,
                            s * sx, c * sy, roi->cy - s * sx * out_w / 2.0 - c * sy * out_h / 2.0);
        cv::Mat &crop = crop_for(iw, out_w, out_h);
        cv::warpAffine(src, crop, m, crop.size(), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP,
                       border == FC_BORDER_REPLICATE ? cv::BORDER_REPLICATE : cv::BORDER_CONSTANT,
                       cv::Scalar::all(0));
        to_planar_rgb(crop, dst, lo, hi);
    } catch (const cv::Exception &e) {
        return fc_set_error(err, errsz, FC_ECV, "imgwarp: OpenCV: %s", e.what());
    } catch (const std::bad_alloc &) {
        return fc_set_error(err, errsz, FC_ENOMEM, "imgwarp: out of memory");
    } catch (const std::exception &e) {
        return fc_set_error(err, errsz, FC_ECV, "imgwarp: %s", e.what());
    } catch (...) {
        return fc_set_error(err, errsz, FC_ECV, "imgwarp: unknown exception");
    }
    return 0;
}

extern "C" int fc_imgwarp_letterbox(fc_imgwarp *iw, float *dst, int side, const fc_frame *frame, float lo,
                                    float hi, float pad[4], char *err, size_t errsz)
{
    if (!frame || frame->width <= 0 || frame->height <= 0)
        return fc_set_error(err, errsz, FC_EINVAL, "imgwarp: invalid frame");
    fc_letterbox_padding(frame->width, frame->height, pad);
    const fc_roi roi = fc_letterbox_roi(frame->width, frame->height);
    return fc_imgwarp_roi(iw, dst, side, side, frame, &roi, lo, hi, FC_BORDER_ZERO, err, errsz);
}
