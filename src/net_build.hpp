// net_build.hpp - the TFLite -> cv::dnn graph builder (net_build.cpp), for net.cpp.
#ifndef FORMCHECK_NET_BUILD_HPP
#define FORMCHECK_NET_BUILD_HPP

#include <opencv2/dnn.hpp>

#include <stdexcept>
#include <vector>

#include "formcheck/tflite.h"

namespace fc_detail {

// The model is outside what the wrapper supports: reported as FC_EMODEL.
struct model_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Where a tensor comes from in the net: layer id (0 = the net's input) and output pin.
struct net_ref {
    int layer = -1; // -1: not computed by the net
    int out = 0;
};

// Add to `net` the layers that the graph outputs not in `skip` (bit i: output i)
// need. outputs[i] gets output i's layer (layer -1 when skipped). Returns the
// number of layers added. Throws model_error for what is not supported,
// cv::Exception and std::bad_alloc as OpenCV does.
int build_net(cv::dnn::Net &net, const fc_tfl_model &m, unsigned skip, std::vector<net_ref> &outputs);

} // namespace fc_detail

#endif
