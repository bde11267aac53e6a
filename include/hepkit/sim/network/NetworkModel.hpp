#pragma once
/// @file
/// Flow-level network model with SimGrid's default (LV08) semantics.
///
/// A transfer of S bytes over route R (links l, total latency L = sum lat_l):
///  - waits L * latency_factor seconds (slow start, Velho et al. 2013, "On the validity of
///    flow-level TCP network models for grid and cloud simulations", ACM TOMACS 23(4));
///  - then shares bandwidth max-min fairly with the other flows: one solver variable that uses
///    every link of R with weight 1 and, with cross-traffic on, every link of the reverse route
///    with weight 0.05 (the acknowledgements);
///  - its sharing penalty is L + sum_l S_w / bw_l (S_w = weight_s) if L > 0, else 1: flows with a
///    longer round trip get less (RTT unfairness);
///  - its solver value is bounded by min_l bw_l and by the TCP window, gamma / (2 L);
///  - its rate is the solver value times bandwidth_factor.
/// Equations and the SimGrid source they were read from: docs/models.md.

#include "hepkit/sim/engine/Engine.hpp"
#include "hepkit/sim/platform/Platform.hpp"

#include <unordered_map>

namespace hepkit::sim {

class NetworkModel {
  public:
    struct Config {
        double bandwidth_factor = 0.97; ///< LV08 (network/bandwidth-factor), dimensionless, > 0
        double latency_factor = 13.01;  ///< LV08 (network/latency-factor), dimensionless, >= 0
        double weight_s = 20537;        ///< LV08 (network/weight-S), bytes, >= 0
        double tcp_gamma = 4194304;     ///< maximal TCP window (network/TCP-gamma), bytes, >= 0
        bool crosstraffic = true;       ///< reverse route carries 5% (network/crosstraffic)

        /// Applies `network/...` settings from a platform's <config>; throws InputError-ready
        /// std::invalid_argument on bad values.
        void apply(const PlatformConfig& platform_config);
        /// The value of a numeric `network/...` setting, checked: finite and within its documented
        /// range (bandwidth-factor 1e-6..1e6, latency-factor 0..1e6, weight-S and TCP-gamma
        /// 0..1e15); throws std::invalid_argument saying why not. Readers call it when they read
        /// the setting, so the error names the file and line.
        static double check(const std::string& key, const std::string& value);
    };

    /// Creates one engine resource per platform link.
    NetworkModel(const Platform& platform, Engine& engine, Config config);

    /// Starts a transfer of `bytes` from host `src` to host `dst`.
    ActivityId transfer(HostIndex src, HostIndex dst, double bytes);
    /// The sharing a transfer between the two hosts gets (cached per pair).
    const SharingSpec& sharing(HostIndex src, HostIndex dst) { return engine_.spec(pair(src, dst).spec); }
    /// Delay before a transfer between the two hosts starts sharing: latency x latency_factor.
    double start_delay(HostIndex src, HostIndex dst) { return latency(src, dst) * config_.latency_factor; }
    /// Route latency (seconds, before latency_factor) between two hosts.
    double latency(HostIndex src, HostIndex dst);
    ResourceId link_resource(LinkIndex l) const { return link_resources_[l]; }
    const Config& config() const { return config_; }

  private:
    struct PairInfo {
        SpecId spec;
        double latency;
    };
    const PairInfo& pair(HostIndex src, HostIndex dst);

    const Platform& platform_;
    Engine& engine_;
    Config config_;
    std::vector<ResourceId> link_resources_;
    std::unordered_map<std::uint64_t, PairInfo> pairs_;
};

} // namespace hepkit::sim
