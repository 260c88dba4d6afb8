// net_pwconv.cpp - convolution as a custom cv::dnn layer ("FcPointwiseConv")
// over the packed GEMM of pwconv.c: 1x1 stride 1 with the bias, ReLU6 and a
// residual ADD fused, or any kernel/stride/padding through im2col (no
// residual), except KxK layers with at most FC_CONVDIRECT_MAX_CIN input
// channels, which run on convdirect.c. OpenCV 4.6 runs BlazePose's 1x1 layers
// at about 17 GMAC/s on one AVX2 core here (this layer: about 32), does not
// fuse the residual Eltwise, which then costs a separate pass, and runs the
// first 3x3 stride-2 layer (3 input channels) at about 6 GMAC/s (im2col here:
// about 24 alone, convdirect about 30).
//
// Work is split into (pixel panel x output-channel chunk) tasks run with
// cv::parallel_for_, so cv::setNumThreads applies; layers with too few panels
// for the threads split their pixels finer (or, with big weights, their
// output channels: pixel_split()); convdirect layers split their output rows.
#include "net_pwconv.hpp"

#include <opencv2/core/utility.hpp>

#include <algorithm>
#include <mutex>
#include <new>
#include <vector>

#include "formcheck/convdirect.h"
#include "formcheck/error.h"
#include "formcheck/pwconv.h"

namespace fc_detail {

namespace {
// Layers below this many multiply-adds run on the calling thread (see forward()).
constexpr double serial_macs = 1e6;

class pwconv_layer : public cv::dnn::Layer {
public:
    explicit pwconv_layer(const cv::dnn::LayerParams &p) : cv::dnn::Layer(p)
    {
        CV_Assert(blobs.size() == 2 && blobs[0].type() == CV_32F && blobs[1].type() == CV_32F
                  && blobs[0].isContinuous() && blobs[1].isContinuous());
        cout_ = (int)blobs[1].total();
        kh_ = p.get<int>("kernel_h", 1);
        kw_ = p.get<int>("kernel_w", 1);
        geom_.stride_h = p.get<int>("stride_h", 1);
        geom_.stride_w = p.get<int>("stride_w", 1);
        geom_.pad_t = p.get<int>("pad_t", 0);
        geom_.pad_l = p.get<int>("pad_l", 0);
        geom_.pad_b = p.get<int>("pad_b", 0);
        geom_.pad_r = p.get<int>("pad_r", 0);
        size_t taps = (size_t)kh_ * kw_;
        CV_Assert(cout_ > 0 && kh_ > 0 && kw_ > 0 && blobs[0].total() % ((size_t)cout_ * taps) == 0);
        cin_ = (int)(blobs[0].total() / ((size_t)cout_ * taps));
        pointwise_ = taps == 1 && geom_.stride_h == 1 && geom_.stride_w == 1 && geom_.pad_t == 0 && geom_.pad_l == 0
                     && geom_.pad_b == 0 && geom_.pad_r == 0;
        fc_pwconv_opts o = fc_pwconv_default_opts();
        o.kernel_h = kh_;
        o.kernel_w = kw_;
        o.relu6 = p.get<bool>("relu6", false);
        o.relu6_add = p.get<bool>("relu6_add", false);
        // OpenCV's dispatch flags, so OPENCV_CPU_DISABLE=AVX2,FMA3 tests the portable path.
        o.simd = cv::checkHardwareSupport(CV_CPU_AVX2) && cv::checkHardwareSupport(CV_CPU_FMA3);
        if (fc_pwconv_create(&pw_, &o, blobs[0].ptr<float>(), blobs[1].ptr<float>(), cout_, cin_) < 0)
            throw std::bad_alloc();
        if (!pointwise_ && cin_ <= FC_CONVDIRECT_MAX_CIN)
            make_direct(o);
    }

    ~pwconv_layer() override
    {
        fc_pwconv_free(pw_);
        fc_convdirect_free(direct_);
    }
    pwconv_layer(const pwconv_layer &) = delete;
    pwconv_layer &operator=(const pwconv_layer &) = delete;

    static cv::Ptr<cv::dnn::Layer> create(cv::dnn::LayerParams &p) { return cv::makePtr<pwconv_layer>(p); }

    bool getMemoryShapes(const std::vector<cv::dnn::MatShape> &in, const int, std::vector<cv::dnn::MatShape> &out,
                         std::vector<cv::dnn::MatShape> &) const override
    {
        CV_Assert((in.size() == 1 || (in.size() == 2 && pointwise_)) && in[0].size() == 4 && in[0][0] == 1
                  && in[0][1] == cin_);
        fc_pwconv_geom g = geom_;
        g.in_h = in[0][2];
        g.in_w = in[0][3];
        CV_Assert(fc_pwconv_out_size(&g.out_h, &g.out_w, pw_, &g) == 0);
        cv::dnn::MatShape s{1, cout_, g.out_h, g.out_w};
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
        fc_pwconv_geom g = geom_;
        g.in_h = in[0].size[2];
        g.in_w = in[0].size[3];
        g.out_h = out[0].size[2];
        g.out_w = out[0].size[3];
        int hw = g.out_h * g.out_w;
        const float *x = in[0].ptr<float>(), *r = in.size() == 2 ? in[1].ptr<float>() : nullptr;
        float *y = out[0].ptr<float>();
        if (direct_) {
            forward_direct(y, x, g);
            return;
        }
        int panel = fc_pwconv_panel_px(pw_), panels = (hw + panel - 1) / panel;
        int blocks = (cout_ + FC_PWCONV_MR - 1) / FC_PWCONV_MR, threads = std::max(cv::getNumThreads(), 1);
        // Below ~1 M multiply-adds (BlazePose's 4x4 and 2x2 layers: 20-40 us) waking
        // the other threads costs about what splitting saves: run on the caller.
        if ((double)hw * cout_ * cin_ * kh_ * kw_ < serial_macs)
            threads = 1;
        if (threads > 1 && pointwise_ && panels < 2 * threads && pixel_split(hw, threads)) {
            forward_pixel_split(y, x, r, hw, threads);
            return;
        }
        if (threads > 1 && pointwise_ && panels < 2 * threads) {
            // Too few pixel panels to feed every thread twice and weights too big
            // for every thread to read them all (full's 8x8 layers, 144 <-> 864):
            // pack x once here, then split the output channels.
            packed_.resize(std::max(packed_.size(), fc_pwconv_packed_floats(pw_, hw))); // grows once
            fc_pwconv_pack(packed_.data(), pw_, x, hw);
            int chunks = std::min(blocks, 2 * threads), per = (blocks + chunks - 1) / chunks * FC_PWCONV_MR;
            cv::parallel_for_(cv::Range(0, chunks), [&](const cv::Range &rg) {
                for (int t = rg.start; t < rg.end; t++)
                    if (t * per < cout_)
                        fc_pwconv_run_packed(y, pw_, packed_.data(), r, hw, 0, hw, t * per,
                                             std::min(cout_, (t + 1) * per));
            });
            return;
        }
        // Otherwise tasks of (pixel panel x channel chunk), each packing its own
        // panel; channel chunks only when the panels alone cannot feed every thread
        // twice (a KxK layer on a small image, e.g. the 1-pixel heads).
        int chunks = threads == 1 || panels >= 2 * threads ? 1 : std::min(blocks, (2 * threads + panels - 1) / panels);
        int per = (blocks + chunks - 1) / chunks * FC_PWCONV_MR;
        size_t need = fc_pwconv_scratch_floats(pw_, hw);
        auto body = [&](const cv::Range &rg) {
            static thread_local std::vector<float> scratch; // grows once per thread, then reused
            if (scratch.size() < need)
                scratch.resize(need);
            for (int t = rg.start; t < rg.end; t++) {
                int p0 = t / chunks * panel, o0 = t % chunks * per;
                if (o0 >= cout_)
                    continue;
                if (pointwise_)
                    fc_pwconv_run(y, pw_, x, r, hw, p0, std::min(hw, p0 + panel), o0, std::min(cout_, o0 + per),
                                  scratch.data());
                else
                    fc_pwconv_run_conv(y, pw_, x, &g, p0, std::min(hw, p0 + panel), o0, std::min(cout_, o0 + per),
                                       scratch.data());
            }
        };
        if (threads == 1)
            body(cv::Range(0, panels * chunks));
        else
            cv::parallel_for_(cv::Range(0, panels * chunks), body);
    }

private:
    // A layer with too few full-size pixel panels for the threads (8x8 to 64x64
    // maps): split its pixels into 2 * threads smaller ranges when each gets a
    // strip, unless the weights are the bigger operand and too big for every
    // thread to read them all. Measured against splitting output channels over
    // one shared packed copy (net_bench --layers, 2 threads, medians of 10
    // interleaved runs of per-layer minima): lite's 64x64x16 -> 96 0.21 -> 0.17
    // ms, 64x64x16 -> 32 0.13 -> 0.07, 16x16x240 -> 40 0.09 -> 0.05, 16x16x56 ->
    // 336 0.097 -> 0.082, 8x8x576 -> 96 0.076 -> 0.069; full's 8x8x144 <-> 864
    // (0.5 MB of weights) 0.127 -> 0.135, so those keep the channel split.
    bool pixel_split(int hw, int threads) const
    {
        int strips = (hw + FC_PWCONV_NR - 1) / FC_PWCONV_NR;
        double weight_bytes = (double)cout_ * cin_ * sizeof(float);
        return strips >= 2 * threads && (cout_ <= hw || weight_bytes <= 256.0 * 1024);
    }

    // 2 * threads ranges of whole 16-pixel strips, each packing its own.
    void forward_pixel_split(float *y, const float *x, const float *r, int hw, int threads)
    {
        int strips = (hw + FC_PWCONV_NR - 1) / FC_PWCONV_NR, tasks = std::min(strips, 2 * threads);
        int per = (strips + tasks - 1) / tasks * FC_PWCONV_NR;
        size_t need = fc_pwconv_scratch_floats(pw_, hw);
        cv::parallel_for_(cv::Range(0, tasks), [&](const cv::Range &rg) {
            static thread_local std::vector<float> scratch; // grows once per thread, then reused
            if (scratch.size() < need)
                scratch.resize(need);
            for (int t = rg.start; t < rg.end; t++)
                if (t * per < hw)
                    fc_pwconv_run(y, pw_, x, r, hw, t * per, std::min(hw, (t + 1) * per), 0, cout_, scratch.data());
        });
    }

    // A KxK layer with few input channels (the first layer: a GEMM depth of
    // cin * kh * kw = 27) runs on convdirect.c instead of the im2col GEMM,
    // when its geometry is within that kernel's limits.
    void make_direct(const fc_pwconv_opts &po)
    {
        fc_convdirect_opts o = fc_convdirect_default_opts();
        o.kernel_h = kh_;
        o.kernel_w = kw_;
        o.stride_h = geom_.stride_h;
        o.stride_w = geom_.stride_w;
        o.pad_t = geom_.pad_t;
        o.pad_l = geom_.pad_l;
        o.pad_b = geom_.pad_b;
        o.pad_r = geom_.pad_r;
        o.relu6 = po.relu6;
        o.simd = po.simd;
        int rc = fc_convdirect_create(&direct_, &o, blobs[0].ptr<float>(), blobs[1].ptr<float>(), cout_, cin_);
        if (rc == FC_ENOMEM)
            throw std::bad_alloc();
        // FC_EINVAL: outside convdirect's limits; the GEMM path stays.
    }

    // Output rows split into a few stripes per thread; each packs the input rows it reads.
    void forward_direct(float *y, const float *x, const fc_pwconv_geom &g)
    {
        size_t need = fc_convdirect_scratch_floats(direct_, g.in_h, g.in_w);
        CV_Assert(need > 0);
        double macs = (double)g.out_h * g.out_w * cout_ * cin_ * kh_ * kw_;
        int threads = std::max(cv::getNumThreads(), 1);
        int stripes = macs < serial_macs ? 1 : std::min(g.out_h, 4 * threads);
        cv::parallel_for_(
            cv::Range(0, g.out_h),
            [&](const cv::Range &r) {
                static thread_local std::vector<float> scratch; // grows once per thread, then reused
                if (scratch.size() < need)
                    scratch.resize(need);
                fc_convdirect_run(y, direct_, x, g.in_h, g.in_w, r.start, r.end, scratch.data());
            },
            stripes);
    }

    fc_pwconv *pw_ = nullptr;
    fc_convdirect *direct_ = nullptr; // set for a KxK layer with few input channels
    int cout_ = 0, cin_ = 0, kh_ = 1, kw_ = 1;
    bool pointwise_ = true;   // 1x1, stride 1, no padding: may take a residual
    std::vector<float> packed_; // x packed once for channel-split layers
    fc_pwconv_geom geom_{};   // strides and paddings; sizes filled per forward
};

} // namespace

const char *register_pwconv_layer()
{
    // OpenCV's layer registry is process-wide; registering once is enough.
    static std::once_flag once;
    std::call_once(once, [] { cv::dnn::LayerFactory::registerLayer("FcPointwiseConv", pwconv_layer::create); });
    return "FcPointwiseConv";
}

} // namespace fc_detail
