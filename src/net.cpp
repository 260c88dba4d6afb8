// net.cpp - a parsed TFLite graph rebuilt as a cv::dnn::Net (see formcheck/net.h):
// loading, running and the outputs; the graph itself is built by net_build.cpp.
//
// Layout: OpenCV keeps 4-D blobs NCHW, TFLite NHWC. Every 4-D activation is
// kept NCHW (net_build.cpp); graph outputs are handed back in TFLite's layout.
//
// With net_build.cpp, net_dwconv.cpp, net_pwconv.cpp and net_upsample.cpp (custom layers;
// the GEMM and the upsampling are C, pwconv.c and upsample.c) the project's
// inference C++: every exception stops at the extern "C" edge below.
//
#include "formcheck/net.h"

#include <opencv2/core.hpp>
#include <opencv2/core/utility.hpp>
#include <opencv2/dnn.hpp>

#include <algorithm>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "formcheck/tflite.h"
#include "net_build.hpp"

namespace {

struct out_info {
    std::string name;                // tensor name in the model
    std::string layer;               // OpenCV layer producing it
    std::vector<int> shape;          // TFLite shape
    size_t count = 0;
    bool transpose = false;          // NCHW in OpenCV with C > 1 and H*W > 1
    std::vector<float> buf;          // NHWC copy when transposed
    const float *planar = nullptr;   // the net's own blob (OpenCV's order)
    const float *data = nullptr;     // TFLite's order: planar, or buf once transposed
    bool stale = false;              // transpose: buf not yet made from this forward's blob
};

} // namespace

struct fc_net {
    cv::dnn::Net net;
    cv::Mat input; // [1, C, H, W]
    int in_h = 0, in_w = 0, in_c = 0;
    std::vector<out_info> outs;
    std::vector<cv::String> out_layers; // OpenCV layers of the computed outputs
    std::vector<size_t> computed;       // their indices in outs
    // forward()'s outputs: the nested-vector overload hands back the net's own
    // blobs (valid until the next forward); the flat one copies each output.
    std::vector<std::vector<cv::Mat>> results;
    std::vector<cv::String> layer_names, layer_types; // fc_net_profile's strings, made on first use
    fc_log_fn log = nullptr;
    void *log_user = nullptr;
};

namespace {

void setup_outputs(fc_net &n, const fc_tfl_model &m, const std::vector<fc_detail::net_ref> &refs, unsigned skip)
{
    std::vector<cv::String> names = n.net.getLayerNames(); // index = layer id - 1
    for (int i = 0; i < m.n_outputs; i++) {
        const fc_tfl_tensor &t = m.tensors[m.outputs[i]];
        out_info o;
        o.name = t.name;
        if (i < 32 && (skip >> i & 1u)) {
            n.outs.push_back(std::move(o)); // not computed: count 0, data NULL
            continue;
        }
        const fc_detail::net_ref &r = refs[(size_t)i];
        if (r.layer < 1 || (size_t)r.layer > names.size())
            throw fc_detail::model_error("graph output '" + std::string(t.name) + "' is the graph input");
        o.layer = names[(size_t)r.layer - 1];
        o.shape.assign(t.shape, t.shape + t.rank);
        o.count = t.count;
        o.transpose = t.rank == 4 && t.shape[3] != 1 && t.shape[1] * t.shape[2] != 1;
        if (o.transpose)
            o.buf.resize(t.count);
        n.computed.push_back(n.outs.size());
        n.outs.push_back(std::move(o));
        n.out_layers.push_back(n.outs.back().layer);
    }
}

// Run the net on the current input and point the outputs at TFLite-layout data.
void run(fc_net &n)
{
    n.net.setInput(n.input, "input");
    n.net.forward(n.results, n.out_layers);
    if (n.results.size() != n.computed.size()
        || std::any_of(n.results.begin(), n.results.end(), [](const std::vector<cv::Mat> &v) { return v.size() != 1; }))
        throw std::runtime_error("OpenCV returned " + std::to_string(n.results.size()) + " outputs, expected " +
                                 std::to_string(n.computed.size()));
    for (size_t i = 0; i < n.computed.size(); i++) {
        out_info &o = n.outs[n.computed[i]];
        const cv::Mat &r = n.results[i][0];
        if (r.type() != CV_32F || !r.isContinuous() || r.total() != o.count)
            throw std::runtime_error("output '" + o.name + "' has " + std::to_string(r.total()) +
                                     " values, the model says " + std::to_string(o.count));
        o.planar = r.ptr<float>();
        o.data = o.transpose ? nullptr : o.planar;
        o.stale = o.transpose; // made on demand: a caller reading the planar blob skips the copy
    }
}

// NCHW blob -> NHWC copy, for fc_net_output().
void transpose(out_info &o)
{
    const float *s = o.planar;
    int h = o.shape[1], w = o.shape[2], c = o.shape[3], hw = h * w;
    float *d = o.buf.data();
    // In blocks of 16 pixels: their 16 output rows stay in L1 across channels.
    for (int p0 = 0; p0 < hw; p0 += 16) {
        int p1 = std::min(hw, p0 + 16);
        for (int ch = 0; ch < c; ch++)
            for (int p = p0; p < p1; p++)
                d[(size_t)p * c + ch] = s[(size_t)ch * hw + p];
    }
    o.data = d;
    o.stale = false;
}

int open_impl(fc_net **out, const char *path, const fc_net_opts &o, char *err, size_t errsz)
{
    fc_tfl_model *m = nullptr;
    int rc = fc_tfl_load(&m, path, err, errsz);
    if (rc < 0)
        return rc;
    fc_net *n = nullptr;
    try {
        n = new fc_net;
        n->log = o.log;
        n->log_user = o.log_user;
        if (m->n_inputs != 1 || m->tensors[m->inputs[0]].rank != 4)
            throw fc_detail::model_error("expected one 4-D (NHWC) input");
        const fc_tfl_tensor &in = m->tensors[m->inputs[0]];
        n->in_h = in.shape[1];
        n->in_w = in.shape[2];
        n->in_c = in.shape[3];
        if (o.threads > 0)
            cv::setNumThreads(o.threads);
        int wanted = 0;
        for (int i = 0; i < m->n_outputs; i++)
            wanted += !(i < 32 && (o.skip_outputs >> i & 1u));
        if (!wanted)
            throw fc_detail::model_error("opts.skip_outputs leaves no output to compute");
        std::vector<fc_detail::net_ref> refs;
        int layers = fc_detail::build_net(n->net, *m, o.skip_outputs, refs);
        setup_outputs(*n, *m, refs, o.skip_outputs);
        n->net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        n->net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
        n->input.create({1, n->in_c, n->in_h, n->in_w}, CV_32F);
        n->input.setTo(0);
        run(*n); // allocates everything once and proves the graph is consistent
        fc_log(o.log, o.log_user, FC_LOG_INFO, "net: %s: %d ops -> %d OpenCV layers, %d outputs", path, m->n_ops,
               layers, (int)n->outs.size());
        fc_tfl_free(m);
        *out = n;
        return 0;
    } catch (const fc_detail::model_error &e) {
        rc = fc_set_error(err, errsz, FC_EMODEL, "%s: %s", path, e.what());
    } catch (const cv::Exception &e) {
        rc = fc_set_error(err, errsz, FC_ECV, "%s: OpenCV refused the graph: %s", path, e.what());
    } catch (const std::bad_alloc &) {
        rc = fc_set_error(err, errsz, FC_ENOMEM, "%s: out of memory", path);
    } catch (const std::exception &e) {
        rc = fc_set_error(err, errsz, FC_ECV, "%s: %s", path, e.what());
    } catch (...) {
        rc = fc_set_error(err, errsz, FC_ECV, "%s: unknown exception", path);
    }
    delete n;
    fc_tfl_free(m);
    return rc;
}

} // namespace

extern "C" {

fc_net_opts fc_net_default_opts(void)
{
    fc_net_opts o;
    std::memset(&o, 0, sizeof o);
    return o;
}

int fc_net_open(fc_net **out, const char *tflite_path, const fc_net_opts *opts, char *err, size_t errsz)
{
    if (!out || !tflite_path)
        return fc_set_error(err, errsz, FC_EINVAL, "fc_net_open: NULL argument");
    *out = nullptr;
    fc_net_opts o = opts ? *opts : fc_net_default_opts();
    return open_impl(out, tflite_path, o, err, errsz);
}

void fc_net_set_threads(int threads)
{
    cv::setNumThreads(threads > 0 ? threads : -1); /* -1: OpenCV's default */
}

void fc_net_input_size(const fc_net *net, int *height, int *width, int *channels)
{
    if (height)
        *height = net ? net->in_h : 0;
    if (width)
        *width = net ? net->in_w : 0;
    if (channels)
        *channels = net ? net->in_c : 0;
}

float *fc_net_input(fc_net *net) { return net ? net->input.ptr<float>() : nullptr; }

int fc_net_forward(fc_net *net, char *err, size_t errsz)
{
    if (!net)
        return fc_set_error(err, errsz, FC_EINVAL, "fc_net_forward: NULL net");
    try {
        run(*net);
        return 0;
    } catch (const cv::Exception &e) {
        return fc_set_error(err, errsz, FC_ECV, "forward: %s", e.what());
    } catch (const std::bad_alloc &) {
        return fc_set_error(err, errsz, FC_ENOMEM, "forward: out of memory");
    } catch (const std::exception &e) {
        return fc_set_error(err, errsz, FC_ECV, "forward: %s", e.what());
    } catch (...) {
        return fc_set_error(err, errsz, FC_ECV, "forward: unknown exception");
    }
}

int fc_net_num_outputs(const fc_net *net) { return net ? (int)net->outs.size() : 0; }

const float *fc_net_output(const fc_net *net, int i, size_t *count)
{
    if (!net || i < 0 || (size_t)i >= net->outs.size()) {
        if (count)
            *count = 0;
        return nullptr;
    }
    out_info &o = const_cast<fc_net *>(net)->outs[(size_t)i]; // the cache is not observable state
    if (o.stale)
        transpose(o);
    if (count)
        *count = o.count;
    return o.data;
}

const float *fc_net_output_planar(const fc_net *net, int i, size_t *count)
{
    if (!net || i < 0 || (size_t)i >= net->outs.size()) {
        if (count)
            *count = 0;
        return nullptr;
    }
    const out_info &o = net->outs[(size_t)i];
    if (count)
        *count = o.count;
    return o.planar;
}

const char *fc_net_output_name(const fc_net *net, int i)
{
    if (!net || i < 0 || (size_t)i >= net->outs.size())
        return nullptr;
    return net->outs[(size_t)i].name.c_str();
}

int fc_net_profile(fc_net_layer_time *out, const fc_net *net, int max)
{
    if (!net || max < 0 || (max > 0 && !out))
        return FC_EINVAL;
    try {
        fc_net *n = const_cast<fc_net *>(net); // the name cache is not observable state
        std::vector<double> times;
        n->net.getPerfProfile(times);
        if (n->layer_names.empty()) {
            n->layer_names = n->net.getLayerNames();
            for (const cv::String &name : n->layer_names)
                n->layer_types.push_back(n->net.getLayer(name)->type);
        }
        int count = (int)std::min(times.size(), n->layer_names.size());
        double ms_per_tick = 1e3 / cv::getTickFrequency();
        for (int i = 0; i < count && i < max; i++)
            out[i] = fc_net_layer_time{n->layer_names[(size_t)i].c_str(), n->layer_types[(size_t)i].c_str(),
                                       times[(size_t)i] * ms_per_tick};
        return count;
    } catch (const std::bad_alloc &) {
        return FC_ENOMEM;
    } catch (...) {
        return FC_ECV;
    }
}

void fc_net_free(fc_net *net) { delete net; }

} // extern "C"
