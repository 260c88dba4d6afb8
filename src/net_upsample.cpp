// net_upsample.cpp - TFLite's 2x RESIZE_BILINEAR (half-pixel centres) with the
// ADD that reads it fused, as a custom cv::dnn layer ("FcUpsample2x") over
// upsample.c. OpenCV 4.6's Resize layer runs on one thread and the ADD is a
// pass of its own: on the lite landmark model the three decoder stages took
// 0.6 ms of a 7.6 ms forward with two threads.
#include "net_upsample.hpp"

#include <opencv2/core/utility.hpp>
#include <opencv2/dnn.hpp>

#include <mutex>
#include <vector>

#include "formcheck/upsample.h"

namespace fc_detail {

namespace {

class upsample_layer : public cv::dnn::Layer {
public:
    explicit upsample_layer(const cv::dnn::LayerParams &p) : cv::dnn::Layer(p), relu6_(p.get<bool>("relu6", false))
    {
    }

    static cv::Ptr<cv::dnn::Layer> create(cv::dnn::LayerParams &p) { return cv::makePtr<upsample_layer>(p); }

    bool getMemoryShapes(const std::vector<cv::dnn::MatShape> &in, const int, std::vector<cv::dnn::MatShape> &out,
                         std::vector<cv::dnn::MatShape> &) const override
    {
        CV_Assert((in.size() == 1 || in.size() == 2) && in[0].size() == 4 && in[0][0] == 1);
        cv::dnn::MatShape s{1, in[0][1], 2 * in[0][2], 2 * in[0][3]};
        CV_Assert(in.size() == 1 || in[1] == s);
        out.assign(1, s);
        return false;
    }

    void forward(cv::InputArrayOfArrays in_arr, cv::OutputArrayOfArrays out_arr, cv::OutputArrayOfArrays) override
    {
        std::vector<cv::Mat> in, out;
        in_arr.getMatVector(in);
        out_arr.getMatVector(out);
        CV_Assert((in.size() == 1 || in.size() == 2) && out.size() == 1 && in[0].type() == CV_32F
                  && in[0].isContinuous() && out[0].isContinuous());
        CV_Assert(in.size() == 1 || (in[1].isContinuous() && in[1].total() == out[0].total()));
        int c = in[0].size[1], h = in[0].size[2], w = in[0].size[3];
        const float *x = in[0].ptr<float>(), *r = in.size() == 2 ? in[1].ptr<float>() : nullptr;
        float *y = out[0].ptr<float>();
        size_t need = fc_upsample2x_scratch_floats(w);
        bool relu6 = relu6_;
        auto body = [&](const cv::Range &rg) {
            static thread_local std::vector<float> scratch; // grows once per thread, then reused
            if (scratch.size() < need)
                scratch.resize(need);
            fc_upsample2x(y, x, r, h, w, rg.start, rg.end, relu6, scratch.data());
        };
        // Small outputs (the 16x16 and 32x32 stages: a few microseconds) on the caller:
        // waking the other threads would cost more than it saves.
        if (out[0].total() < 64 * 1024)
            body(cv::Range(0, c));
        else
            cv::parallel_for_(cv::Range(0, c), body);
    }

private:
    bool relu6_;
};

} // namespace

const char *register_upsample_layer()
{
    // OpenCV's layer registry is process-wide; registering once is enough.
    static std::once_flag once;
    std::call_once(once, [] { cv::dnn::LayerFactory::registerLayer("FcUpsample2x", upsample_layer::create); });
    return "FcUpsample2x";
}

} // namespace fc_detail
