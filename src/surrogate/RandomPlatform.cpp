// Random grid platforms for the surrogate's training spaces (docs/surrogate.md, "Random
// platforms"): a model that saw two or three hand-made platforms does not generalise to another
// (the unseen one-site platform of the example: makespan 0.076, mean wall time 0.114 rel. MAE);
// one that saw hundreds of platforms of every kind the field runs — one site with its batch
// cluster next to the storage, a Tier-1 with Tier-2s behind WAN links — may. Every platform has
// the example grid's Tier-1 storage and XCache hosts (t1-se, t1-xcache: the datasets' replicas and
// the caches name them), so that any base scenario's workload and datasets apply.
//
// Ranges (uniform unless "log": log-uniform), chosen around the example platforms and WLCG sites:
//   worker clusters 1–3; nodes per cluster 2–24; cores per node {8, 16, 24, 32, 48, 64};
//   core speed 4–16 Gf; node links 1–25 Gbps (log), 10–100 µs;
//   Tier-1 worker nodes 0–6 (32 or 64 cores, 8–16 Gf, 10 or 25 Gbps);
//   storage disk read 4–16 GBps, write half; cache disk read 2–8 GBps, 50–150 TB (the example
//   caches ask for up to 40 TB);
//   storage and cache links 10–100 Gbps (log);
//   a cluster's link to the Tier-1: with probability 1/2 (always when it is the only cluster) a
//   campus link (10–100 Gbps log, 0.2–2 ms log), else a WAN link (1–40 Gbps log, 3–30 ms log);
//   between two clusters a WAN link (1–40 Gbps log, 5–40 ms log).
#include "RandomPlatform.hpp"

#include <cmath>
#include <fmt/format.h>
#include <random>

namespace hepkit::surrogate::detail {

namespace {

class Draw {
  public:
    explicit Draw(std::uint64_t seed) {
        std::seed_seq seq{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32), 0x91a7u};
        rng_.seed(seq);
    }
    // Uniform doubles from the top 53 bits (not uniform_real_distribution, whose algorithm the
    // standard leaves open: a seed must give the same platform on every library).
    double uniform(double lo, double hi) {
        return lo + (hi - lo) * (static_cast<double>(rng_() >> 11) * 0x1.0p-53);
    }
    double log_uniform(double lo, double hi) { return std::exp(uniform(std::log(lo), std::log(hi))); }
    long integer(long lo, long hi) {
        return lo + static_cast<long>(rng_() % static_cast<std::uint64_t>(hi - lo + 1));
    }
    template <class T, std::size_t N>
    T pick(const T (&options)[N]) {
        return options[rng_() % N];
    }

  private:
    std::mt19937_64 rng_;
};

std::string gbps(double x) {
    return fmt::format("{:.3g}Gbps", x);
}
std::string gbytes(double x) {
    return fmt::format("{:.3g}GBps", x);
}
std::string gflops(double x) {
    return fmt::format("{:.3g}Gf", x);
}
std::string seconds(double x) {
    return x >= 1e-3 ? fmt::format("{:.3g}ms", x * 1e3) : fmt::format("{:.3g}us", x * 1e6);
}

} // namespace

std::string random_platform_xml(std::uint64_t seed) {
    Draw d(seed);
    std::string x = fmt::format("<?xml version='1.0'?>\n"
                                "<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n"
                                "<!-- a random platform of hepkit surrogate (seed {}) -->\n"
                                "<platform version=\"4.1\">\n"
                                "  <zone id=\"grid\" routing=\"Full\">\n"
                                "    <zone id=\"T1\" routing=\"Floyd\">\n",
                                seed);
    const double se_read = d.uniform(4, 16), cache_read = d.uniform(2, 8);
    x += fmt::format(
        "      <host id=\"t1-se\" speed=\"40Gf\" core=\"16\">\n"
        "        <prop id=\"type\" value=\"storage\"/>\n"
        "        <disk id=\"pool\" read_bw=\"{}\" write_bw=\"{}\"><prop id=\"size\" value=\"10PB\"/>"
        "<prop id=\"mount\" value=\"/\"/></disk>\n"
        "      </host>\n"
        "      <host id=\"t1-xcache\" speed=\"20Gf\" core=\"16\">\n"
        "        <prop id=\"type\" value=\"cache\"/>\n"
        "        <disk id=\"ssd\" read_bw=\"{}\" write_bw=\"{}\"><prop id=\"size\" value=\"{:.0f}TB\"/>"
        "<prop id=\"mount\" value=\"/\"/></disk>\n"
        "      </host>\n",
        gbytes(se_read), gbytes(se_read / 2), gbytes(cache_read), gbytes(cache_read / 2), d.uniform(50, 150));
    const long t1_workers = d.integer(0, 6);
    const long t1_cores = d.integer(0, 1) == 0 ? 32 : 64;
    const double t1_speed = d.uniform(8, 16), t1_bw = d.integer(0, 1) == 0 ? 10 : 25;
    for (long w = 1; w <= t1_workers; ++w)
        x += fmt::format(
            "      <host id=\"t1-wn{}\" speed=\"{}\" core=\"{}\"><prop id=\"type\" value=\"worker\"/>"
            "<prop id=\"ram\" value=\"256GiB\"/></host>\n",
            w, gflops(t1_speed), t1_cores);
    x += "      <router id=\"t1-gw\"/>\n";
    // Every value is drawn into a variable first, in a fixed order: the order in which a function's
    // arguments are evaluated is unspecified (GCC and clang differ), and a seed must give the same
    // platform whatever compiled it. (The order is GCC's, right to left, so that the platforms of
    // docs/surrogate.md's study stay the same.)
    const double xcache_nic = d.log_uniform(10, 100), se_nic = d.log_uniform(10, 100);
    x += fmt::format("      <link id=\"t1-se-nic\" bandwidth=\"{}\" latency=\"30us\"/>\n"
                     "      <link id=\"t1-xcache-nic\" bandwidth=\"{}\" latency=\"30us\"/>\n",
                     gbps(se_nic), gbps(xcache_nic));
    for (long w = 1; w <= t1_workers; ++w)
        x += fmt::format("      <link id=\"t1-wn{}-nic\" bandwidth=\"{}\" latency=\"30us\"/>\n", w,
                         gbps(t1_bw));
    x += "      <route src=\"t1-se\" dst=\"t1-gw\"><link_ctn id=\"t1-se-nic\"/></route>\n"
         "      <route src=\"t1-xcache\" dst=\"t1-gw\"><link_ctn id=\"t1-xcache-nic\"/></route>\n";
    for (long w = 1; w <= t1_workers; ++w)
        x += fmt::format(
            "      <route src=\"t1-wn{0}\" dst=\"t1-gw\"><link_ctn id=\"t1-wn{0}-nic\"/></route>\n", w);
    x += "    </zone>\n";

    const long clusters = d.integer(1, 3);
    static const long core_options[] = {8, 16, 24, 32, 48, 64};
    for (long c = 1; c <= clusters; ++c) {
        const double lat = d.uniform(10e-6, 100e-6), bw = d.log_uniform(1, 25);
        const long cores = d.pick(core_options);
        const double speed = d.uniform(4, 16);
        const long nodes = d.integer(2, 24);
        x += fmt::format(
            "    <cluster id=\"C{0}\" prefix=\"c{0}-wn\" suffix=\"\" radical=\"1-{1}\" speed=\"{2}\" "
            "core=\"{3}\" bw=\"{4}\" lat=\"{5}\" router_id=\"c{0}-gw\">\n"
            "      <prop id=\"type\" value=\"worker\"/>\n"
            "      <prop id=\"ram\" value=\"256GiB\"/>\n"
            "    </cluster>\n",
            c, nodes, gflops(speed), cores, gbps(bw), seconds(lat));
    }
    std::string routes;
    for (long c = 1; c <= clusters; ++c) {
        const bool campus = clusters == 1 || d.integer(0, 1) == 0;
        const double bw = campus ? d.log_uniform(10, 100) : d.log_uniform(1, 40);
        const double lat = campus ? d.log_uniform(0.2e-3, 2e-3) : d.log_uniform(3e-3, 30e-3);
        x += fmt::format("    <link id=\"to-c{}\" bandwidth=\"{}\" latency=\"{}\"/>\n", c, gbps(bw),
                         seconds(lat));
        routes += fmt::format("    <zoneRoute src=\"T1\" dst=\"C{0}\" gw_src=\"t1-gw\" gw_dst=\"c{0}-gw\">"
                              "<link_ctn id=\"to-c{0}\"/></zoneRoute>\n",
                              c);
    }
    for (long a = 1; a <= clusters; ++a)
        for (long b = a + 1; b <= clusters; ++b) {
            const double lat = d.log_uniform(5e-3, 40e-3), bw = d.log_uniform(1, 40);
            x += fmt::format("    <link id=\"c{}-c{}\" bandwidth=\"{}\" latency=\"{}\"/>\n", a, b, gbps(bw),
                             seconds(lat));
            routes +=
                fmt::format("    <zoneRoute src=\"C{0}\" dst=\"C{1}\" gw_src=\"c{0}-gw\" gw_dst=\"c{1}-gw\">"
                            "<link_ctn id=\"c{0}-c{1}\"/></zoneRoute>\n",
                            a, b);
        }
    x += routes;
    x += "  </zone>\n</platform>\n";
    return x;
}

} // namespace hepkit::surrogate::detail
