#pragma once
/// @file
/// The space of scenarios a surrogate of `hepkit sim` learns from (docs/surrogate.md): a base
/// grid scenario and ranges for platform and workload variations, sampled reproducibly.
///
///     base: base/scenario.yaml      # a grid scenario with a SimGrid XML platform (or a list)
///     samples: 200
///     seed: 1
///     parameters:
///       cores_factor: {min: 0.5, max: 2}
///       link_bandwidth_factor: {min: 0.25, max: 4, log: true}
///       removed_hosts: {min: 0, max: 2}     # integers where the parameter counts
///
/// Sample k's values come from its own random stream (the space's seed and k), so any sample
/// can be drawn alone (job arrays, resuming) and adding samples keeps the earlier ones.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace hepkit::surrogate {

/// One varied quantity: drawn uniformly in [min, max] (of its logarithm with `log`), or fixed
/// where min == max. Counts (removed_hosts) are drawn as integers.
struct SpaceParameter {
    std::string name;
    double min = 1, max = 1;
    bool log = false;
};

/// What each parameter name does to the base scenario (docs/surrogate.md lists them): the
/// platform's worker hosts (cores, speed, how many), disks, links, caches; the workload's jobs,
/// flops, file sizes; the cache hit rate.
struct ParameterInfo {
    const char* name;
    const char* effect;
    double lowest;  ///< smallest allowed value
    double highest; ///< largest allowed value
    bool integer;   ///< drawn as an integer
};
const std::vector<ParameterInfo>& space_parameters();

struct Space {
    std::string origin; ///< the space file
    /// The base grid scenarios (`base:` one file or a list), resolved against the space file;
    /// each sample varies one of them, drawn uniformly (so that a model sees several platforms).
    std::vector<std::string> bases;
    std::size_t samples = 0;
    std::uint64_t seed = 1;
    unsigned threads = 0; ///< 0: all cores
    std::vector<SpaceParameter> parameters;
    /// `random_platforms:` the share of samples (0–1) whose platform is drawn for the sample
    /// (docs/surrogate.md, "Random platforms") instead of being the base's; the first base
    /// then gives their workload, datasets and options.
    double random_platforms = 0;
};

/// Reads a space file. Throws InputError naming the file, line and key for an unknown
/// parameter, a range outside the parameter's allowed values, min > max, or a log range ≤ 0.
Space read_space(const std::string& path);

/// The parameter values of sample k, by name (every parameter of the space), and the seed of
/// its scenario (the workload's random stream).
struct Sample {
    std::size_t index = 0;
    std::size_t base = 0; ///< which of Space::bases
    std::uint64_t scenario_seed = 0;
    std::map<std::string, double> values;
    /// Where the sample's platform is a random one: its seed (RandomPlatform.cpp); 0: the base's.
    std::uint64_t platform_seed = 0;
};
Sample draw(const Space& space, std::size_t k);

} // namespace hepkit::surrogate
