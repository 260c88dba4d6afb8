// net_dwconv.cpp - depthwise convolution as a custom cv::dnn layer
// ("FcDepthwiseConv"), used by net.cpp instead of OpenCV 4.6's grouped
// Convolution: measured here, 4.6 runs BlazePose's 5x5 depthwise layers scalar
// and without thread scaling (about half of the landmark model's time).
//
// NCHW, batch 1, any kernel, strides, explicit asymmetric zero padding (TFLite
// SAME pads and folded PAD ops), optional fused ReLU6. Channels run in
// parallel with cv::parallel_for_ (so cv::setNumThreads applies). Each channel
// is first copied into a zero-padded scratch buffer split by stride phase, so
// every output row is computed 8 (then 4) values at a time in SIMD registers,
// one load per multiply-add, with no bounds checks.
#include "net_dwconv.hpp"

#include <opencv2/core/hal/intrin.hpp>
#include <opencv2/core/utility.hpp>

#include <algorithm>
#include <mutex>
#include <vector>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define FC_DW_AVX2 1
#endif

namespace fc_detail {

namespace {

#ifdef FC_DW_AVX2
// The packed-row kernel with 8-wide FMA, compiled for AVX2+FMA whatever the
// build's baseline and used only when the CPU has them (OpenCV's own dispatch
// check, so OPENCV_CPU_DISABLE=AVX2,FMA3 turns it off, e.g. to test the
// 128-bit path). Computes yr[0, n) for n the largest multiple of 8 <= wo.
__attribute__((target("avx2,fma"))) int row_avx2(const float *base, size_t plane, int wq, const float *wt, int kh,
                                                  int kw, int sw, float bias, bool relu6, float *yr, int wo)
{
    const __m256 vb = _mm256_set1_ps(bias), lo = _mm256_setzero_ps(), hi = _mm256_set1_ps(6.0f);
    int ox = 0;
    for (; ox + 16 <= wo; ox += 16) {
        __m256 a0 = vb, a1 = vb;
        for (int ky = 0; ky < kh; ky++)
            for (int kx = 0; kx < kw; kx++) {
                const float *src = base + (size_t)(kx % sw) * plane + (size_t)ky * wq + kx / sw + ox;
                __m256 wv = _mm256_set1_ps(wt[ky * kw + kx]);
                a0 = _mm256_fmadd_ps(_mm256_loadu_ps(src), wv, a0);
                a1 = _mm256_fmadd_ps(_mm256_loadu_ps(src + 8), wv, a1);
            }
        if (relu6) {
            a0 = _mm256_min_ps(_mm256_max_ps(a0, lo), hi);
            a1 = _mm256_min_ps(_mm256_max_ps(a1, lo), hi);
        }
        _mm256_storeu_ps(yr + ox, a0);
        _mm256_storeu_ps(yr + ox + 8, a1);
    }
    for (; ox + 8 <= wo; ox += 8) {
        __m256 a0 = vb;
        for (int ky = 0; ky < kh; ky++)
            for (int kx = 0; kx < kw; kx++) {
                const float *src = base + (size_t)(kx % sw) * plane + (size_t)ky * wq + kx / sw + ox;
                a0 = _mm256_fmadd_ps(_mm256_loadu_ps(src), _mm256_set1_ps(wt[ky * kw + kx]), a0);
            }
        if (relu6)
            a0 = _mm256_min_ps(_mm256_max_ps(a0, lo), hi);
        _mm256_storeu_ps(yr + ox, a0);
    }
    return ox;
}
#endif

class dwconv_layer : public cv::dnn::Layer {
public:
    explicit dwconv_layer(const cv::dnn::LayerParams &p) : cv::dnn::Layer(p)
    {
        kh_ = p.get<int>("kernel_h");
        kw_ = p.get<int>("kernel_w");
        sh_ = p.get<int>("stride_h");
        sw_ = p.get<int>("stride_w");
        pt_ = p.get<int>("pad_t");
        pl_ = p.get<int>("pad_l");
        pb_ = p.get<int>("pad_b");
        pr_ = p.get<int>("pad_r");
        relu6_ = p.get<bool>("relu6", false);
        avx2_ = cv::checkHardwareSupport(CV_CPU_AVX2) && cv::checkHardwareSupport(CV_CPU_FMA3);
        CV_Assert(blobs.size() == 2 && kh_ > 0 && kw_ > 0 && sh_ > 0 && sw_ > 0);
        CV_Assert(pt_ >= 0 && pl_ >= 0 && pb_ >= 0 && pr_ >= 0);
        channels_ = (int)blobs[1].total();
        CV_Assert(blobs[0].total() == (size_t)channels_ * kh_ * kw_ && blobs[0].type() == CV_32F
                  && blobs[1].type() == CV_32F && blobs[0].isContinuous() && blobs[1].isContinuous());
    }

    static cv::Ptr<cv::dnn::Layer> create(cv::dnn::LayerParams &p) { return cv::makePtr<dwconv_layer>(p); }

    bool getMemoryShapes(const std::vector<cv::dnn::MatShape> &in, const int, std::vector<cv::dnn::MatShape> &out,
                         std::vector<cv::dnn::MatShape> &) const override
    {
        CV_Assert(in.size() == 1 && in[0].size() == 4 && in[0][0] == 1 && in[0][1] == channels_);
        int ho = (in[0][2] + pt_ + pb_ - kh_) / sh_ + 1, wo = (in[0][3] + pl_ + pr_ - kw_) / sw_ + 1;
        CV_Assert(in[0][2] + pt_ + pb_ >= kh_ && in[0][3] + pl_ + pr_ >= kw_);
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
        const cv::Mat &x = in[0];
        cv::Mat &y = out[0];
        int h = x.size[2], w = x.size[3], ho = y.size[2], wo = y.size[3];
        const float *xp = x.ptr<float>(), *wp = blobs[0].ptr<float>(), *bp = blobs[1].ptr<float>();
        float *yp = y.ptr<float>();
        cv::parallel_for_(cv::Range(0, channels_), [&](const cv::Range &r) {
            // One padded scratch channel per worker thread, kept across calls.
            static thread_local std::vector<float> scratch;
            for (int c = r.start; c < r.end; c++)
                channel(xp + (size_t)c * h * w, yp + (size_t)c * ho * wo, wp + (size_t)c * kh_ * kw_, bp[c], h, w,
                        ho, wo, scratch);
        });
    }

private:
    int kh_, kw_, sh_, sw_, pt_, pl_, pb_, pr_, channels_;
    bool relu6_, avx2_;

    // Copy channel x into `buf`, zero-padded and split by horizontal stride phase:
    // plane[ph][py * wq + j] = padded[py][j * sw + ph]. Tap (ky, kx) of output
    // (oy, ox) is then plane[kx % sw][(oy * sh + ky) * wq + kx / sw + ox]:
    // contiguous in ox for every stride, no bounds checks in the loops.
    void pack(const float *x, float *buf, int h, int w, int hp, int wq) const
    {
        std::fill(buf, buf + (size_t)sw_ * hp * wq, 0.0f);
        for (int iy = 0; iy < h; iy++) {
            const float *xr = x + (size_t)iy * w;
            size_t row = (size_t)(iy + pt_) * wq;
            if (sw_ == 1) {
                std::copy(xr, xr + w, buf + row + pl_);
                continue;
            }
            for (int ix = 0; ix < w; ix++) {
                int px = ix + pl_;
                buf[(size_t)(px % sw_) * hp * wq + row + px / sw_] = xr[ix];
            }
        }
    }

    void channel(const float *x, float *y, const float *wt, float bias, int h, int w, int ho, int wo,
                 std::vector<float> &scratch) const
    {
        int hp = h + pt_ + pb_, wq = (w + pl_ + pr_ + sw_ - 1) / sw_;
        size_t need = (size_t)sw_ * hp * wq;
        if (scratch.size() < need)
            scratch.resize(need); // grows once per thread, then reused
        float *buf = scratch.data();
        pack(x, buf, h, w, hp, wq);
        const size_t plane = (size_t)hp * wq;
        for (int oy = 0; oy < ho; oy++) {
            float *yr = y + (size_t)oy * wo;
            const float *base = buf + (size_t)oy * sh_ * wq;
            int ox = 0;
#ifdef FC_DW_AVX2
            if (avx2_)
                ox = row_avx2(base, plane, wq, wt, kh_, kw_, sw_, bias, relu6_, yr, wo);
#endif
#if CV_SIMD128
            cv::v_float32x4 vb = cv::v_setall_f32(bias), lo = cv::v_setzero_f32(), hi = cv::v_setall_f32(6.0f);
            for (; ox + 8 <= wo; ox += 8) {
                cv::v_float32x4 a0 = vb, a1 = vb;
                for (int ky = 0; ky < kh_; ky++)
                    for (int kx = 0; kx < kw_; kx++) {
                        const float *src = base + (size_t)(kx % sw_) * plane + (size_t)ky * wq + kx / sw_ + ox;
                        cv::v_float32x4 wv = cv::v_setall_f32(wt[ky * kw_ + kx]);
                        a0 = cv::v_fma(cv::v_load(src), wv, a0);
                        a1 = cv::v_fma(cv::v_load(src + 4), wv, a1);
                    }
                if (relu6_) {
                    a0 = cv::v_min(cv::v_max(a0, lo), hi);
                    a1 = cv::v_min(cv::v_max(a1, lo), hi);
                }
                cv::v_store(yr + ox, a0);
                cv::v_store(yr + ox + 4, a1);
            }
            for (; ox + 4 <= wo; ox += 4) {
                cv::v_float32x4 a0 = vb;
                for (int ky = 0; ky < kh_; ky++)
                    for (int kx = 0; kx < kw_; kx++) {
                        const float *src = base + (size_t)(kx % sw_) * plane + (size_t)ky * wq + kx / sw_ + ox;
                        a0 = cv::v_fma(cv::v_load(src), cv::v_setall_f32(wt[ky * kw_ + kx]), a0);
                    }
                if (relu6_)
                    a0 = cv::v_min(cv::v_max(a0, lo), hi);
                cv::v_store(yr + ox, a0);
            }
#endif
            for (; ox < wo; ox++) {
                float acc = bias;
                for (int ky = 0; ky < kh_; ky++)
                    for (int kx = 0; kx < kw_; kx++)
                        acc += wt[ky * kw_ + kx]
                               * base[(size_t)(kx % sw_) * plane + (size_t)ky * wq + kx / sw_ + ox];
                yr[ox] = relu6_ ? std::min(std::max(acc, 0.0f), 6.0f) : acc;
            }
        }
    }
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
