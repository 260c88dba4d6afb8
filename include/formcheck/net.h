/*
 * formcheck/net.h - a TFLite model run by OpenCV's DNN module (C API over the
 * C++ wrapper in src/net.cpp). The model is parsed by formcheck/tflite.h and
 * rebuilt layer by layer with cv::dnn::Net::addLayer; ops outside the whitelist
 * are refused with their name.
 *
 *     fc_net_opts o = fc_net_default_opts();
 *     o.threads = 2;
 *     fc_net *net = NULL;
 *     char err[FC_ERRBUF_SIZE];
 *     if (fc_net_open(&net, "models/pose_landmark_full.tflite", &o, err, sizeof err) < 0) ... // FC_EMODEL, err says why
 *     int h, w, c;
 *     fc_net_input_size(net, &h, &w, &c);           // 256, 256, 3
 *     float *in = fc_net_input(net);                // planar NCHW: in[ch * h * w + y * w + x]
 *     ... fill in ...
 *     if (fc_net_forward(net, err, sizeof err) < 0) ...
 *     size_t n;
 *     const float *lm = fc_net_output(net, 0, &n);  // TFLite's layout (NHWC, flattened), n floats
 *     fc_net_free(net);
 *
 * Outputs are indexed in the order of the TFLite graph's outputs (e.g. landmark
 * models: 0 "Identity" [1,195], 1 "Identity_1" [1,1], ... ) and laid out as
 * TFLite lays them out (NHWC), whatever OpenCV does inside.
 *
 * Thread-safety: one thread per handle; separate handles are independent.
 */
#ifndef FORMCHECK_NET_H
#define FORMCHECK_NET_H

#include <stddef.h>

#include "formcheck/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fc_net fc_net;

typedef struct fc_net_opts {
    int threads;     /**< OpenCV worker threads; 0 = leave OpenCV's default. Applied with
                          cv::setNumThreads, which is PROCESS-WIDE in OpenCV: the last
                          fc_net_open with threads > 0 sets it for every net. */
    unsigned skip_outputs; /**< bit i set: graph output i is not needed. The layers only it
                          needs are not built (the other outputs are unchanged) and
                          fc_net_output(i) returns NULL. 0 = compute all. E.g. the
                          landmark models' segmentation: 1u << 2. */
    fc_log_fn log;   /**< optional log callback */
    void *log_user;
} fc_net_opts;

fc_net_opts fc_net_default_opts(void);

/** Set OpenCV's worker-thread count for every net from now on (cv::setNumThreads,
 *  process-wide); threads <= 0 restores OpenCV's default. With 1, each forward runs on its
 *  calling thread alone, so several threads may each run their own net at once
 *  (formcheck/segpass.h). Call it while no forward runs. */
void fc_net_set_threads(int threads);

/** Parse `tflite_path` and build the network. Errors: FC_ENOENT/FC_EACCES/FC_EISDIR
 *  (file), FC_EMODEL (malformed, or an op/option outside the whitelist: `err` names it),
 *  FC_ECV (OpenCV refused the graph), FC_ENOMEM. */
int fc_net_open(fc_net **out, const char *tflite_path, const fc_net_opts *opts, char *err, size_t errsz);

/** The single input's size (NHWC in the model: height, width, channels). */
void fc_net_input_size(const fc_net *net, int *height, int *width, int *channels);

/** The input buffer, planar NCHW float32 of channels*height*width values, owned by
 *  the net and reused across calls: write the next input here. */
float *fc_net_input(fc_net *net);

/** Run the network on the current input. Errors: FC_ECV (message in err). */
int fc_net_forward(fc_net *net, char *err, size_t errsz);

/** Number of graph outputs. */
int fc_net_num_outputs(const fc_net *net);

/** Output `i` of the last forward pass, in TFLite's layout, valid until the next
 *  forward or free; `*count` gets the number of floats. NULL (count 0) if `i` is out
 *  of range or skipped (opts.skip_outputs). */
const float *fc_net_output(const fc_net *net, int i, size_t *count);

/** The same output in OpenCV's order, without a copy: a 4-D output [1,H,W,C] comes
 *  as C planes of H x W ([1,C,H,W]); others as fc_net_output(). fc_net_output()
 *  transposes a 4-D output on its first call after each forward; a caller that
 *  reads only parts of it (the pose heatmap) saves that pass with this. */
const float *fc_net_output_planar(const fc_net *net, int i, size_t *count);

/** Output `i`'s tensor name in the model ("Identity_1"), or NULL. */
const char *fc_net_output_name(const fc_net *net, int i);

/** One layer's share of the last forward (see fc_net_profile). */
typedef struct fc_net_layer_time {
    const char *name; /**< OpenCV layer name ("op12_CONV_2D"); owned by the net */
    const char *type; /**< OpenCV layer type ("Convolution", "FcPointwiseConv") */
    double ms;        /**< wall time of the layer in the last forward, milliseconds */
} fc_net_layer_time;

/** Per-layer wall times of the last fc_net_forward, in execution order, from
 *  OpenCV's own timer (cv::dnn::Net::getPerfProfile). Fills up to `max`
 *  entries of `out` (which may be NULL with max 0) and returns the number of
 *  layers, or a negative FC_E* code. The strings live until fc_net_free.
 *  For benchmarks (bench/net_bench --layers); not thread-safe against a
 *  concurrent forward on the same net. */
int fc_net_profile(fc_net_layer_time *out, const fc_net *net, int max);

/** NULL-safe. */
void fc_net_free(fc_net *net);

#ifdef __cplusplus
}
#endif
#endif /* FORMCHECK_NET_H */
