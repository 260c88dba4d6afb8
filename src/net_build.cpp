// net_build.cpp - a parsed TFLite graph rebuilt as cv::dnn layers (net_build.hpp),
// for net.cpp. The builder walks the ops in execution order, maps each to an
// OpenCV or custom layer, folds PADs into convolutions and the ADDs that read a
// 1x1 convolution or a 2x upsampling into that layer.
//
// Layout: OpenCV keeps 4-D blobs NCHW, TFLite NHWC. Every 4-D activation is
// kept NCHW here (weights, paddings and axes are remapped); tensors of other
// ranks keep TFLite's order, so RESHAPE goes through NHWC first.
//
// Fusion: OpenCV fuses Convolution + ReLU6 itself but not a residual Eltwise;
// 1x1 convolutions and 2x upsamplings take the ADD that reads them into their
// custom layer instead.
#include <opencv2/core.hpp>
#include <opencv2/core/utility.hpp>
#include <opencv2/dnn.hpp>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "formcheck/dwconv.h"
#include "formcheck/tflite.h"
#include "net_build.hpp"
#include "net_dwconv.hpp"
#include "net_pwconv.hpp"
#include "net_upsample.hpp"

using fc_detail::model_error;
using ref = fc_detail::net_ref;

namespace {

// A PAD folded into its single consumer convolution: [top, bottom, left, right].
struct folded_pad {
    int src = -1; // the PAD's input tensor
    int t = 0, b = 0, l = 0, r = 0;
};

class builder {
public:
    builder(cv::dnn::Net &net, const fc_tfl_model &m)
        : net_(net), m_(m), refs_(m.n_tensors), uses_(m.n_tensors), live_(m.n_ops), fused_(m.n_ops),
          pads_(m.n_tensors)
    {
    }

    // Build the ops needed by the outputs not in `skip` (bit i: graph output i).
    void build(unsigned skip)
    {
        std::vector<char> need(m_.n_tensors);
        for (int i = 0; i < m_.n_outputs; i++)
            if (!(i < 32 && (skip >> i & 1u)))
                need[m_.outputs[i]] = 1;
        for (int i = m_.n_ops - 1; i >= 0; i--) { // ops are in execution order
            const fc_tfl_op &op = m_.ops[i];
            live_[i] = !op.folded && need[op.out[0]];
            for (int k = 0; live_[i] && k < op.n_in; k++)
                if (op.in[k] >= 0) {
                    need[op.in[k]] = 1;
                    uses_[op.in[k]]++;
                }
        }
        for (int i = 0; i < m_.n_outputs; i++)
            uses_[m_.outputs[i]]++;
        net_.setInputsNames({"input"});
        refs_[m_.inputs[0]] = ref{0, 0};
        for (int i = 0; i < m_.n_ops; i++)
            if (live_[i] && !fused_[i])
                add_op(i, m_.ops[i]);
    }

    ref at(int tensor) const
    {
        ref r = refs_.at(tensor);
        if (r.layer < 0)
            throw model_error("tensor '" + std::string(m_.tensors[tensor].name) + "' is not computed");
        return r;
    }

    int layers() const { return n_layers_; }

private:
    cv::dnn::Net &net_;
    const fc_tfl_model &m_;
    std::vector<ref> refs_;
    std::vector<int> uses_;          // live readers (+ graph output) per tensor
    std::vector<char> live_;         // op is needed by a requested output
    std::vector<char> fused_;        // op folded into an earlier layer (ADD into FcPointwiseConv)
    std::vector<folded_pad> pads_;   // by the PAD's output tensor
    int n_layers_ = 0;

    const fc_tfl_tensor &T(int i) const { return m_.tensors[i]; }

    int add(const std::string &name, const std::string &type, cv::dnn::LayerParams &lp, std::vector<ref> ins)
    {
        lp.name = name;
        lp.type = type;
        int id = net_.addLayer(name, type, lp);
        for (size_t k = 0; k < ins.size(); k++)
            net_.connect(ins[k].layer, ins[k].out, id, (int)k);
        n_layers_++;
        return id;
    }

    // Fused activation after layer `id`; returns the layer to read from.
    int activation(int id, int act, const std::string &name)
    {
        if (act == FC_TFL_ACT_NONE)
            return id;
        cv::dnn::LayerParams lp;
        lp.set("min_value", 0.0f);
        lp.set("max_value", 6.0f);
        return add(name + "/relu6", "ReLU6", lp, {ref{id, 0}});
    }

    static cv::dnn::DictValue ints(const std::vector<int> &v)
    {
        return cv::dnn::DictValue::arrayInt(v.data(), (int)v.size());
    }

    // TFLite's SAME padding [before, after] for one axis.
    static std::pair<int, int> same_pad(int in, int out, int k, int stride)
    {
        int total = std::max((out - 1) * stride + k - in, 0);
        return {total / 2, total - total / 2};
    }

    // CONV_2D -> FcPointwiseConv (net_pwconv.cpp, any kernel; ReLU6 or no activation).
    // DEPTHWISE_CONV_2D -> OpenCV Convolution (group = C), except depthwise layers
    // other than 3x3 with 64+ output columns -> FcDepthwiseConv (net_dwconv.cpp,
    // dwconv.c). Measured per layer in the
    // landmark models (net_bench --layers, one thread, min of runs, AVX2):
    // ours is 1.5-4x faster on the 5x5 ones, 1.2-2.5x on 3x3 at 32 columns and
    // below, 1.5-8x on 3x3 stride 2 to 32 columns and below (OpenCV 4.6 is
    // slowest there: 8x8 -> 4x4 0.24 ms vs 0.03). On 3x3 at 64 and 128 columns
    // (128x128 and 64x64 stride 1, 128 -> 64 stride 2) OpenCV's 3x3 path was
    // 0.4-1.0x ours in the network, so those stay with OpenCV. Why (lite's
    // 128x128x24 layer, one thread): alone with warm caches both take about
    // 0.22-0.35 ms, but with the output flushed from the caches ours goes to
    // 0.5-0.6 ms and OpenCV's stays put, and with all caches cold OpenCV takes
    // about 0.53 ms, ours 0.65-0.8; in the network the output is cold. Writing
    // through an L1 staging strip, row-major tiles or software prefetch of
    // the next strip did not close that gap.
    // A PAD feeding only this op is folded into explicit paddings.
    int conv(const std::string &name, const fc_tfl_op &op)
    {
        const fc_tfl_tensor &w = T(op.in[1]), &x = T(op.in[0]), &y = T(op.out[0]);
        bool dw = op.code == FC_TFL_DEPTHWISE_CONV_2D;
        int kh = w.shape[1], kw = w.shape[2];
        int cout = dw ? w.shape[3] : w.shape[0], cin = dw ? 1 : w.shape[3];
        bool own = dw && kh * kw <= FC_DWCONV_MAX_TAPS && op.stride_h <= FC_DWCONV_MAX_STRIDE
                   && op.stride_w <= FC_DWCONV_MAX_STRIDE && !(kh * kw <= 9 && y.shape[2] >= 64);
        cv::dnn::LayerParams lp;
        cv::Mat wm({cout, cin, kh, kw}, CV_32F);
        float *d = wm.ptr<float>();
        // TFLite [O,KH,KW,I] (depthwise [1,KH,KW,C]) -> OpenCV [O,I,KH,KW].
        for (int o = 0; o < cout; o++)
            for (int i = 0; i < cin; i++)
                for (int yy = 0; yy < kh; yy++)
                    for (int xx = 0; xx < kw; xx++)
                        d[((o * cin + i) * kh + yy) * kw + xx] =
                            dw ? w.f32[(yy * kw + xx) * cout + o] : w.f32[((o * kh + yy) * kw + xx) * cin + i];
        const folded_pad &fp = pads_[op.in[0]];
        // Every regular convolution runs on the GEMM of pwconv.c: 1x1 stride 1
        // as such (it may take a residual ADD), others through im2col.
        bool gemm = !dw && (op.act == FC_TFL_ACT_NONE || op.act == FC_TFL_ACT_RELU6);
        if (gemm && kh == 1 && kw == 1 && op.stride_h == 1 && op.stride_w == 1 && fp.src < 0)
            return pointwise(name, op, wm);
        lp.blobs.push_back(wm);
        bool bias = op.n_in == 3 && op.in[2] >= 0;
        if (bias || own || gemm)
            lp.blobs.push_back(bias ? cv::Mat(1, cout, CV_32F, T(op.in[2]).f32).clone()
                                    : cv::Mat::zeros(1, cout, CV_32F));
        lp.set("kernel_h", kh);
        lp.set("kernel_w", kw);
        lp.set("stride_h", op.stride_h);
        lp.set("stride_w", op.stride_w);
        ref src = fp.src >= 0 ? at(fp.src) : at(op.in[0]);
        if (fp.src >= 0 || own || gemm) {
            std::pair<int, int> ph{fp.t, fp.b}, pw{fp.l, fp.r};
            if (fp.src < 0 && op.padding == FC_TFL_PAD_SAME) {
                ph = same_pad(x.shape[1], y.shape[1], kh, op.stride_h);
                pw = same_pad(x.shape[2], y.shape[2], kw, op.stride_w);
            } else if (fp.src < 0) {
                ph = pw = {0, 0};
            }
            lp.set("pad_t", ph.first);
            lp.set("pad_b", ph.second);
            lp.set("pad_l", pw.first);
            lp.set("pad_r", pw.second);
        } else {
            // OpenCV's own SAME matches TFLite's here (verified by the model tests).
            lp.set("pad_mode", op.padding == FC_TFL_PAD_SAME ? "SAME" : "VALID");
        }
        if (own || gemm) {
            lp.set("relu6", op.act == FC_TFL_ACT_RELU6);
            return add(name, own ? fc_detail::register_dwconv_layer() : fc_detail::register_pwconv_layer(), lp, {src});
        }
        lp.set("bias_term", bias);
        lp.set("num_output", cout);
        lp.set("group", dw ? cout : 1);
        lp.set("dilation_h", 1);
        lp.set("dilation_w", 1);
        return activation(add(name, "Convolution", lp, {src}), op.act, name);
    }

    // The ADD that is the only reader of op's output (a 1x1 conv or a resize), when its other
    // operand is already computed and of the same shape: -1 if none.
    int residual_add(const fc_tfl_op &op) const
    {
        int out = op.out[0];
        if (uses_[out] != 1)
            return -1;
        for (int i = 0; i < m_.n_ops; i++) {
            const fc_tfl_op &a = m_.ops[i];
            if (!live_[i] || a.n_in != 2 || (a.in[0] != out && a.in[1] != out))
                continue;
            int other = a.in[0] == out ? a.in[1] : a.in[0];
            const fc_tfl_tensor &o = T(other), &y = T(out);
            bool same = a.code == FC_TFL_ADD && o.rank == 4 && y.rank == 4 && o.count == y.count
                        && std::equal(o.shape, o.shape + 4, y.shape) && refs_[other].layer >= 0;
            return same ? i : -1;
        }
        return -1;
    }

    // 1x1 stride-1 CONV_2D -> FcPointwiseConv (net_pwconv.cpp), with a following
    // residual ADD fused in. wm: OpenCV-layout weights [Cout, Cin, 1, 1].
    int pointwise(const std::string &name, const fc_tfl_op &op, const cv::Mat &wm)
    {
        int cout = wm.size[0];
        cv::dnn::LayerParams lp;
        lp.blobs.push_back(wm);
        lp.blobs.push_back(op.n_in == 3 && op.in[2] >= 0 ? cv::Mat(1, cout, CV_32F, T(op.in[2]).f32).clone()
                                                         : cv::Mat::zeros(1, cout, CV_32F));
        lp.set("relu6", op.act == FC_TFL_ACT_RELU6);
        std::vector<ref> ins{at(op.in[0])};
        int a = fuse_add(op, lp, ins, "relu6_add");
        int id = add(name, fc_detail::register_pwconv_layer(), lp, ins);
        if (a >= 0)
            refs_[m_.ops[a].out[0]] = ref{id, 0};
        return id;
    }

    // Take the ADD that is op's only reader (residual_add) into op's custom layer:
    // its other operand becomes the layer's second input and its activation the
    // layer's `act_param`. Returns the ADD's index, -1 if there is none.
    int fuse_add(const fc_tfl_op &op, cv::dnn::LayerParams &lp, std::vector<ref> &ins, const char *act_param)
    {
        int a = residual_add(op);
        if (a < 0)
            return -1;
        const fc_tfl_op &add_op = m_.ops[a];
        ins.push_back(at(add_op.in[0] == op.out[0] ? add_op.in[1] : add_op.in[0]));
        lp.set(act_param, add_op.act == FC_TFL_ACT_RELU6);
        fused_[a] = 1;
        return a;
    }

    // 2x half-pixel RESIZE_BILINEAR -> FcUpsample2x (net_upsample.cpp), with the
    // ADD that is its only reader fused in, as for pointwise().
    void upsample2x(const std::string &name, const fc_tfl_op &op)
    {
        cv::dnn::LayerParams lp;
        std::vector<ref> ins{at(op.in[0])};
        int a = fuse_add(op, lp, ins, "relu6");
        int id = add(name, fc_detail::register_upsample_layer(), lp, ins);
        refs_[op.out[0]] = ref{id, 0};
        if (a >= 0)
            refs_[m_.ops[a].out[0]] = ref{id, 0};
    }

    // PAD whose only reader is a VALID convolution, padding only H and W: fold it.
    bool fold_pad(const fc_tfl_op &op)
    {
        const int32_t *p = T(op.in[1]).i32; // NHWC [before, after] pairs
        int out = op.out[0];
        if (uses_[out] != 1 || p[0] || p[1] || p[6] || p[7])
            return false;
        for (int i = 0; i < m_.n_ops; i++) {
            const fc_tfl_op &c = m_.ops[i];
            if (!live_[i] || c.in[0] != out)
                continue;
            if ((c.code != FC_TFL_CONV_2D && c.code != FC_TFL_DEPTHWISE_CONV_2D) || c.padding != FC_TFL_PAD_VALID)
                return false;
            pads_[out] = folded_pad{op.in[0], p[2], p[3], p[4], p[5]};
            return true;
        }
        return false;
    }

    // NCHW 4-D -> the same values in NHWC order (a no-op when C or H*W is 1).
    ref to_nhwc(const std::string &name, ref r, const fc_tfl_tensor &t)
    {
        if (t.rank != 4 || t.shape[3] == 1 || t.shape[1] * t.shape[2] == 1)
            return r;
        cv::dnn::LayerParams lp;
        lp.set("order", ints({0, 2, 3, 1}));
        return ref{add(name + "/nhwc", "Permute", lp, {r}), 0};
    }

    void reshape(const fc_tfl_op &op, const std::string &name)
    {
        const fc_tfl_tensor &x = T(op.in[0]), &y = T(op.out[0]);
        ref r = to_nhwc(name, at(op.in[0]), x);
        std::vector<int> dims(y.shape, y.shape + y.rank);
        bool permute_back = y.rank == 4 && y.shape[3] != 1 && y.shape[1] * y.shape[2] != 1;
        if (y.rank == 4 && !permute_back)
            dims = {y.shape[0], y.shape[3], y.shape[1], y.shape[2]}; // same memory order
        cv::dnn::LayerParams lp;
        lp.set("dim", ints(dims));
        int id = add(name, "Reshape", lp, {r});
        if (permute_back) {
            cv::dnn::LayerParams pp;
            pp.set("order", ints({0, 3, 1, 2}));
            id = add(name + "/nchw", "Permute", pp, {ref{id, 0}});
        }
        refs_[op.out[0]] = ref{id, 0};
    }

    void depth_to_space(const fc_tfl_op &op, const std::string &name)
    {
        // TFLite (DCR): out[h*b+i, w*b+j, c] = in[h, w, (i*b+j)*C + c]. On NCHW:
        // [1, b, b, C, H, W] -> permute to [1, C, H, b(i), W, b(j)] -> [1, C, H*b, W*b].
        const fc_tfl_tensor &x = T(op.in[0]);
        int b = op.block_size, c = x.shape[3] / (b * b), h = x.shape[1], w = x.shape[2];
        cv::dnn::LayerParams l1, l2, l3;
        l1.set("dim", ints({1, b, b, c, h, w}));
        int id = add(name + "/split", "Reshape", l1, {at(op.in[0])});
        l2.set("order", ints({0, 3, 4, 1, 5, 2}));
        id = add(name + "/permute", "Permute", l2, {ref{id, 0}});
        l3.set("dim", ints({1, c, h * b, w * b}));
        refs_[op.out[0]] = ref{add(name, "Reshape", l3, {ref{id, 0}}), 0};
    }

    void add_op(int i, const fc_tfl_op &op)
    {
        std::string name = "op" + std::to_string(i) + "_" + fc_tfl_op_name(op.code);
        cv::dnn::LayerParams lp;
        int id;
        switch (op.code) {
        case FC_TFL_CONV_2D:
        case FC_TFL_DEPTHWISE_CONV_2D:
            id = conv(name, op);
            break;
        case FC_TFL_ADD:
            lp.set("operation", "sum");
            id = add(name, "Eltwise", lp, {at(op.in[0]), at(op.in[1])});
            id = activation(id, op.act, name);
            break;
        case FC_TFL_PAD: {
            if (fold_pad(op))
                return;
            const int32_t *p = T(op.in[1]).i32; // NHWC [before, after] pairs
            lp.set("paddings", ints({p[0], p[1], p[6], p[7], p[2], p[3], p[4], p[5]}));
            lp.set("value", 0.0f);
            lp.set("type", "constant");
            id = add(name, "Padding", lp, {at(op.in[0])});
            break;
        }
        case FC_TFL_RESIZE_BILINEAR: {
            const fc_tfl_tensor &x = T(op.in[0]), &y = T(op.out[0]);
            if (op.half_pixel_centers && x.rank == 4 && y.shape[1] == 2 * x.shape[1] && y.shape[2] == 2 * x.shape[2]) {
                upsample2x(name, op);
                return;
            }
            lp.set("interpolation", "bilinear");
            lp.set("height", y.shape[1]);
            lp.set("width", y.shape[2]);
            lp.set("align_corners", false);
            lp.set("half_pixel_centers", op.half_pixel_centers != 0);
            id = add(name, "Resize", lp, {at(op.in[0])});
            break;
        }
        case FC_TFL_MAX_POOL_2D:
            lp.set("pool", "max");
            lp.set("kernel_h", op.filter_h);
            lp.set("kernel_w", op.filter_w);
            lp.set("stride_h", op.stride_h);
            lp.set("stride_w", op.stride_w);
            lp.set("pad_mode", op.padding == FC_TFL_PAD_SAME ? "SAME" : "VALID");
            id = add(name, "Pooling", lp, {at(op.in[0])});
            id = activation(id, op.act, name);
            break;
        case FC_TFL_LOGISTIC:
            id = add(name, "Sigmoid", lp, {at(op.in[0])});
            break;
        case FC_TFL_CONCATENATION: {
            const fc_tfl_tensor &y = T(op.out[0]);
            static const int nhwc_to_nchw[4] = {0, 2, 3, 1};
            lp.set("axis", y.rank == 4 ? nhwc_to_nchw[op.axis] : op.axis);
            std::vector<ref> ins;
            for (int k = 0; k < op.n_in; k++)
                ins.push_back(at(op.in[k]));
            id = add(name, "Concat", lp, ins);
            id = activation(id, op.act, name);
            break;
        }
        case FC_TFL_RESHAPE:
            reshape(op, name);
            return;
        case FC_TFL_DEPTH_TO_SPACE:
            depth_to_space(op, name);
            return;
        default:
            throw model_error("operator " + std::to_string(i) + " (" + fc_tfl_op_name(op.code) +
                              ") is not supported by the OpenCV wrapper");
        }
        refs_[op.out[0]] = ref{id, 0};
    }
};


} // namespace

int fc_detail::build_net(cv::dnn::Net &net, const fc_tfl_model &m, unsigned skip, std::vector<net_ref> &outputs)
{
    builder b(net, m);
    b.build(skip);
    outputs.assign((size_t)m.n_outputs, net_ref{});
    for (int i = 0; i < m.n_outputs; i++)
        if (!(i < 32 && (skip >> i & 1u)))
            outputs[(size_t)i] = b.at(m.outputs[i]);
    return b.layers();
}
