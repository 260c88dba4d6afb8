// net_pwconv.hpp - the custom pointwise convolution layer of net.cpp (internal).
//
// Layer params: relu6 (bool, after the bias), relu6_add (bool, after the
// residual), kernel_h/_w, stride_h/_w, pad_t/_l/_b/_r (default a 1x1 stride-1
// kernel, no padding). Blobs: weights [Cout, Cin, KH, KW] float32, bias [Cout]
// float32. Inputs: x [1, Cin, H, W] and, for a 1x1 stride-1 kernel only, an
// optional residual [1, Cout, H, W] added to the result (a CONV_2D + ADD pair).
// Output NCHW float32, batch 1.
#ifndef FORMCHECK_NET_PWCONV_HPP
#define FORMCHECK_NET_PWCONV_HPP

#include <opencv2/dnn.hpp>

namespace fc_detail {

/** Register the layer type with OpenCV (once per process, thread-safe) and
 *  return its type name for cv::dnn::Net::addLayer. */
const char *register_pwconv_layer();

} // namespace fc_detail

#endif
