// net_dwconv.hpp - the custom depthwise convolution layer of net.cpp (internal).
//
// Layer params: kernel_h, kernel_w, stride_h, stride_w, pad_t, pad_l, pad_b,
// pad_r (explicit zero padding), relu6 (bool). Blobs: weights [C, KH*KW]
// float32, bias [C] float32. Input/output NCHW float32, batch 1.
#ifndef FORMCHECK_NET_DWCONV_HPP
#define FORMCHECK_NET_DWCONV_HPP

#include <opencv2/dnn.hpp>

namespace fc_detail {

/** Register the layer type with OpenCV (once per process, thread-safe) and
 *  return its type name for cv::dnn::Net::addLayer. */
const char *register_dwconv_layer();

} // namespace fc_detail

#endif
