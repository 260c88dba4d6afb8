// net_team.hpp - how the custom layers of net.cpp split their work (internal).
//
// A layer built with the LayerParams entry "team" (an fc_pool handle, set by
// net.cpp when fc_net_opts.team is on) runs its tasks on that thread team;
// otherwise on cv::parallel_for_ (OpenCV's oneTBB threads, cv::setNumThreads).
// `serial` runs them on the calling thread: for layers too small to be worth
// waking another thread.
#ifndef FORMCHECK_NET_TEAM_HPP
#define FORMCHECK_NET_TEAM_HPP

#include <opencv2/core/utility.hpp>
#include <opencv2/dnn.hpp>

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "formcheck/pool.h"

namespace fc_detail {

// The team a layer was built for, or nullptr.
inline fc_pool *team_of(const cv::dnn::LayerParams &p)
{
    return reinterpret_cast<fc_pool *>(static_cast<intptr_t>(p.get<int64_t>("team", 0)));
}

// Threads the layer's work may be split over.
inline int team_threads(const fc_pool *team)
{
    return team ? fc_pool_threads(team) : std::max(cv::getNumThreads(), 1);
}

// Run f(t) for t in [0, tasks).
template <class F> void run_tasks(fc_pool *team, int tasks, bool serial, F &&f)
{
    if (serial || tasks == 1) {
        for (int t = 0; t < tasks; t++)
            f(t);
    } else if (team) {
        using fn = std::remove_reference_t<F>;
        fc_pool_run(team, tasks, [](void *ctx, int t) { (*static_cast<fn *>(ctx))(t); }, &f);
    } else {
        cv::parallel_for_(cv::Range(0, tasks), [&](const cv::Range &r) {
            for (int t = r.start; t < r.end; t++)
                f(t);
        });
    }
}

} // namespace fc_detail

#endif
