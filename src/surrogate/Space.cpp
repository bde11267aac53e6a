#include "hepkit/surrogate/Space.hpp"

#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Error.hpp"

#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <random>
#include <yaml-cpp/yaml.h>

namespace hepkit::surrogate {

const std::vector<ParameterInfo>& space_parameters() {
    // The paper's variations (arXiv:2502.12741 §4: cores, slower disks, a host removed, latency,
    // bandwidth, a cache moved, more jobs) plus workload ones. Factors multiply the base's value.
    static const std::vector<ParameterInfo> all{
        {"cores_factor", "cores of every worker host (rounded, at least 1)", 0.01, 100, false},
        {"speed_factor", "core speed of every worker host", 0.01, 100, false},
        {"workers_fraction", "worker hosts kept per site (at least one)", 0.01, 1, false},
        {"removed_hosts", "worker hosts removed at random (one always stays)", 0, 1000, true},
        {"disk_bandwidth_factor", "read and write bandwidth of every disk", 0.001, 1000, false},
        {"link_bandwidth_factor", "bandwidth of every link (clusters' too)", 0.001, 1000, false},
        {"latency_factor", "latency of every link (clusters' too)", 0, 1000, false},
        {"cache_size_factor", "size of every cache of the scenario's `caches:`", 0.001, 1000, false},
        {"cache_moved",
         "1: every cache host's role and disk move to a worker host (another site's where one is a <host>)",
         0, 1, true},
        {"jobs_factor", "num_jobs of every workload (rounded, at least 1)", 0.001, 1000, false},
        {"flops_factor", "flops of every workload's jobs", 0.001, 1000, false},
        {"file_size_factor", "size of every dataset's files", 0.001, 1000, false},
        {"output_size_factor", "output file size of every workload's jobs", 0.001, 1000, false},
        {"hitrate", "the cache hit rate (options.hitrate), set", 0, 1, false},
    };
    return all;
}

namespace {

const ParameterInfo* find(const std::string& name) {
    for (const auto& p : space_parameters())
        if (name == p.name)
            return &p;
    return nullptr;
}

std::string names() {
    std::string out;
    for (const auto& p : space_parameters())
        out.append(out.empty() ? "" : ", ").append(p.name);
    return out;
}

} // namespace

Space read_space(const std::string& path) {
    const config::YamlView root(config::load_yaml_file(path), path);
    root.check_keys({"base", "samples", "seed", "threads", "parameters", "random_platforms"});
    Space s;
    s.origin = path;
    const auto dir = std::filesystem::path(path).parent_path();
    const auto resolve = [&](const std::string& b) {
        return std::filesystem::path(b).is_absolute() || dir.empty() ? b : (dir / b).string();
    };
    const auto base = root.at("base");
    if (base.is_sequence()) {
        if (base.size() == 0)
            base.fail("expected a base scenario file or a non-empty list of them");
        for (std::size_t i = 0; i < base.size(); ++i)
            s.bases.push_back(resolve(base.at(i).as_string()));
    } else {
        s.bases.push_back(resolve(base.as_string()));
    }
    const long long samples = root.at("samples").as_int();
    if (samples < 1 || samples > 10'000'000)
        root.at("samples").fail(fmt::format("{} samples: must be between 1 and 10000000", samples));
    s.samples = static_cast<std::size_t>(samples);
    if (root.has("seed")) {
        const long long seed = root.at("seed").as_int();
        if (seed < 0)
            root.at("seed").fail(fmt::format("seed {} must be >= 0", seed));
        s.seed = static_cast<std::uint64_t>(seed);
    }
    if (root.has("threads")) {
        const long long t = root.at("threads").as_int();
        if (t < 0 || t > 1024)
            root.at("threads").fail(fmt::format("{} threads: must be between 0 (all cores) and 1024", t));
        s.threads = static_cast<unsigned>(t);
    }
    if (root.has("random_platforms")) {
        const auto r = root.at("random_platforms");
        s.random_platforms = r.as_double();
        if (!(s.random_platforms >= 0 && s.random_platforms <= 1))
            r.fail(fmt::format("{}: the share of samples on a random platform must be between 0 and 1",
                               s.random_platforms));
    }
    if (root.has("parameters")) {
        const auto params = root.at("parameters");
        if (!params.is_map())
            params.fail("expected a map of parameter name to {min, max[, log]} or a number");
        for (const auto& kv : params.node()) {
            const std::string name = kv.first.Scalar();
            const config::YamlView v(kv.second, path, fmt::format("parameters.{}", name));
            const ParameterInfo* info = find(name);
            if (info == nullptr)
                v.fail(fmt::format("unknown parameter '{}'; allowed: {}", name, names()));
            SpaceParameter p{name, 0, 0, false};
            if (v.is_map()) {
                v.check_keys({"min", "max", "log"});
                p.min = v.at("min").as_double();
                p.max = v.at("max").as_double();
                if (v.has("log"))
                    p.log = v.at("log").as_bool();
            } else {
                p.min = p.max = v.as_double();
            }
            if (!(p.min <= p.max))
                v.fail(fmt::format("min {} is above max {}", p.min, p.max));
            if (p.min < info->lowest || p.max > info->highest)
                v.fail(fmt::format("[{}, {}] leaves the allowed range [{}, {}] ({})", p.min, p.max,
                                   info->lowest, info->highest, info->effect));
            if (p.log && !(p.min > 0))
                v.fail(fmt::format("a log range needs min > 0, not {}", p.min));
            if (info->integer && (p.min != std::floor(p.min) || p.max != std::floor(p.max)))
                v.fail(fmt::format("{} counts: min and max must be integers, not {} and {}", name, p.min,
                                   p.max));
            s.parameters.push_back(p);
        }
    }
    return s;
}

Sample draw(const Space& space, std::size_t k) {
    // One stream per sample: seeded with the space's seed and k through seed_seq, so neighbouring
    // samples' streams are unrelated and sample k does not depend on how many were drawn before.
    std::seed_seq seq{static_cast<std::uint32_t>(space.seed), static_cast<std::uint32_t>(space.seed >> 32),
                      static_cast<std::uint32_t>(k), static_cast<std::uint32_t>(std::uint64_t{k} >> 32),
                      0x5eedu};
    std::mt19937_64 rng(seq);
    // Uniform doubles from the top 53 bits (std::uniform_real_distribution's algorithm is not
    // fixed by the standard: the same seed must give the same space on every library).
    const auto uniform = [&] { return static_cast<double>(rng() >> 11) * 0x1.0p-53; };
    Sample s;
    s.index = k;
    s.scenario_seed = rng();
    if (space.bases.size() > 1)
        s.base = static_cast<std::size_t>(rng() % space.bases.size());
    // Drawn only where the space asks for random platforms: other spaces keep their samples.
    if (space.random_platforms > 0 && uniform() < space.random_platforms) {
        s.base = 0;
        s.platform_seed = rng() | 1; // never 0, which means "the base's platform"
    }
    for (const auto& p : space.parameters) {
        const double u = uniform();
        double x;
        if (p.min == p.max)
            x = p.min;
        else if (p.log)
            x = std::exp(std::log(p.min) + u * (std::log(p.max) - std::log(p.min)));
        else
            x = p.min + u * (p.max - p.min);
        const ParameterInfo* info = find(p.name);
        if (info != nullptr && info->integer)
            x = std::min(p.max, std::floor(p.min + u * (p.max - p.min + 1)));
        s.values[p.name] = x;
    }
    return s;
}

} // namespace hepkit::surrogate
