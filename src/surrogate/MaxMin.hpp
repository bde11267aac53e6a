#pragma once
// Max-min fair rates of classes of identical flows over shared resources (progressive filling):
// the per-job model's estimate of what an output write gets beside the reads and other writes on
// its links (PlacedOutputs.cpp). Why: an equal share of every link it crosses undercounts what a
// flow gets where others on the link are held back elsewhere — a Monte-Carlo job's write over a
// 2.2 GBps campus link beside 46 readers held to 0.54 GBps by their worker's link takes ~1 s, not
// the ~9 s of a 1/38 share (the simulator's network model, sim::MaxMinSolver, shares max-min,
// with RTT weights this leaves out; docs/surrogate.md, twelfth session).

#include <cstddef>
#include <vector>

namespace hepkit::surrogate::detail {

/// Flow classes over resources: class c's flows each use every resource in uses[c] once, each at
/// most cap[c] (B/s; empty: no caps).
struct FlowClasses {
    std::vector<double> capacity;               ///< per resource (B/s)
    std::vector<std::vector<std::size_t>> uses; ///< per class: its resources
    std::vector<double> cap;                    ///< per class, or empty

    /// With m[c] flows in class c (fractions allowed: flows present part of the time), the rate
    /// of each flow of each class under max-min fairness: every class's flows rise together until
    /// a resource they use is full or they reach their cap, then those stay. 0 for a class without
    /// flows, or without resources and cap.
    std::vector<double> max_min(const std::vector<double>& m) const;
};

} // namespace hepkit::surrogate::detail
