// net_dwconv.cpp - depthwise convolution as a custom cv::dnn layer
// ("FcDepthwiseConv") over the register-tiled kernel of dwconv.c, with the
// bias and ReLU6 fused. net.cpp's conv() says which layers use it and why.
//
// NCHW, batch 1, any kernel up to FC_DWCONV_MAX_TAPS taps, any strides,
// explicit asymmetric zero padding (TFLite SAME pads and folded PAD ops).
// Channels are split into a few stripes run with cv::parallel_for_ (so
// cv::setNumThreads applies); each stripe zeroes its scratch border once.
#include "net_dwconv.hpp"

#include <opencv2/core/utility.hpp>

#include <algorithm>
#include <mutex>
#include <vector>

#include "formcheck/dwconv.h"

namespace fc_detail {

namespace {

// Layers with fewer multiply-adds than this run on the calling thread. Measured
// with 2 threads (net_bench --layers, full model): the 4x4 and 2x2 layers
// (10-41K MACs, 15-25 us) ran 5-15% slower split than on one thread, 8x8 and
// 16x16 ones near 250K about even, and the big 5x5 ones 1.4-1.6x faster split.
constexpr double kSerialMacs = 250e3;

class dwconv_layer : public cv::dnn::Layer {
public:
    explicit dwconv_layer(const cv::dnn::LayerParams &p) : cv::dnn::Layer(p)
    {
        o_ = fc_dwconv_default_opts();
        o_.kernel_h = p.get<int>("kernel_h");
        o_.kernel_w = p.get<int>("kernel_w");
        o_.stride_h = p.get<int>("stride_h");
        o_.stride_w = p.get<int>("stride_w");
        o_.pad_t = p.get<int>("pad_t");
        o_.pad_l = p.get<int>("pad_l");
        o_.pad_b = p.get<int>("pad_b");
        o_.pad_r = p.get<int>("pad_r");
        o_.relu6 = p.get<bool>("relu6", false);
        // OpenCV's dispatch flags, so OPENCV_CPU_DISABLE=AVX2,FMA3 tests the portable path.
        o_.simd = cv::checkHardwareSupport(CV_CPU_AVX2) && cv::checkHardwareSupport(CV_CPU_FMA3);
        CV_Assert(blobs.size() == 2 && o_.kernel_h > 0 && o_.kernel_w > 0
                  && o_.kernel_h * o_.kernel_w <= FC_DWCONV_MAX_TAPS);
        channels_ = (int)blobs[1].total();
        CV_Assert(blobs[0].total() == (size_t)channels_ * o_.kernel_h * o_.kernel_w && blobs[0].type() == CV_32F
                  && blobs[1].type() == CV_32F && blobs[0].isContinuous() && blobs[1].isContinuous());
    }

    static cv::Ptr<cv::dnn::Layer> create(cv::dnn::LayerParams &p) { return cv::makePtr<dwconv_layer>(p); }

    bool getMemoryShapes(const std::vector<cv::dnn::MatShape> &in, const int, std::vector<cv::dnn::MatShape> &out,
                         std::vector<cv::dnn::MatShape> &) const override
    {
        CV_Assert(in.size() == 1 && in[0].size() == 4 && in[0][0] == 1 && in[0][1] == channels_);
        int ho, wo;
        CV_Assert(fc_dwconv_out_size(&ho, &wo, &o_, in[0][2], in[0][3]) == 0);
        out.assign(1, cv::dnn::MatShape{1, channels_, ho, wo});
        return false;
    }

    void forward(cv::InputArrayOfArrays in_arr, cv::OutputArrayOfArrays out_arr, cv::OutputArrayOfArrays) override
    {
        std::vector<cv::Mat> in, out;
        in_arr.getMatVector(in);
        out_arr.getMatVector(out);
        CV_Assert(in.size() == 1 && out.size() == 1 && in[0].type() == CV_32F && in[0].isContinuous()
                  && out[0].isContinuous());
        int h = in[0].size[2], w = in[0].size[3], ho, wo;
        CV_Assert(fc_dwconv_out_size(&ho, &wo, &o_, h, w) == 0 && out[0].size[2] == ho && out[0].size[3] == wo);
        const float *xp = in[0].ptr<float>(), *wp = blobs[0].ptr<float>(), *bp = blobs[1].ptr<float>();
        float *yp = out[0].ptr<float>();
        size_t need = fc_dwconv_scratch_floats(&o_, h, w);
        double macs = (double)channels_ * ho * wo * o_.kernel_h * o_.kernel_w;
        int threads = std::max(cv::getNumThreads(), 1);
        // A few stripes per thread balance the load; each zeroes its scratch once.
        int stripes = macs < kSerialMacs ? 1 : std::min(channels_, 4 * threads);
        cv::parallel_for_(
            cv::Range(0, channels_),
            [&](const cv::Range &r) {
                static thread_local std::vector<float> scratch; // grows once per thread, then reused
                if (scratch.size() < need)
                    scratch.resize(need);
                fc_dwconv_run(yp, &o_, xp, wp, bp, h, w, r.start, r.end, scratch.data());
            },
            stripes);
    }

private:
    fc_dwconv_opts o_;
    int channels_ = 0;
};

} // namespace

const char *register_dwconv_layer()
{
    // OpenCV's layer registry is process-wide; registering once is enough.
    static std::once_flag once;
    std::call_once(once, [] { cv::dnn::LayerFactory::registerLayer("FcDepthwiseConv", dwconv_layer::create); });
    return "FcDepthwiseConv";
}

} // namespace fc_detail
