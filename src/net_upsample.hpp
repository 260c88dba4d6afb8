// net_upsample.hpp - the custom cv::dnn layer "FcUpsample2x" (net_upsample.cpp).
#ifndef FORMCHECK_NET_UPSAMPLE_HPP
#define FORMCHECK_NET_UPSAMPLE_HPP

namespace fc_detail {

// Register the layer type with OpenCV (once per process); returns its type name.
// Params: relu6 (bool, after the add). Inputs: x [1,C,H,W], optional residual
// [1,C,2H,2W]. Output [1,C,2H,2W].
const char *register_upsample_layer();

} // namespace fc_detail

#endif
