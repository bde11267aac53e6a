#pragma once
/// @file
/// `hepkit surrogate generate`: the training data of a surrogate — hepkit sim run over the
/// samples of a Space, each stored as a directory that `hepkit sim` can run again
/// (docs/surrogate.md, "Data"):
///
///     DATA/scenarios/000017/scenario.yaml     the varied scenario (seed, options, caches)
///                           platform.xml      the varied platform
///                           datasets_0.json   the varied dataset and workload files
///                           workloads_0.json
///                           platform.json     hosts and links as numbers (model inputs)
///                           trace.csv         the per-job trace (DCSim's columns, hepkit's)
///                           summary.json      hepkit sim's summary
///                           observables.json  the sample's values and observables; written
///                                             last: a sample with it is done (resuming)
///     DATA/index.csv                          one row per sample: values, features
///                                             (Features.hpp) and observables

#include "hepkit/surrogate/Space.hpp"

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace hepkit::surrogate {

/// Writes sample `s` of `space` into `dir` as a scenario (scenario.yaml, platform.xml, the
/// dataset and workload files) and returns the scenario file's path. The base scenario needs a
/// SimGrid XML platform file and DCSim JSON workloads/datasets; InputError naming the base's
/// file and key otherwise.
std::string write_variation(const Space& space, const Sample& s, const std::string& dir);

/// The observables of one run, the columns of index.csv after the sample's values.
const std::vector<std::string>& observable_names();

struct GenerateOptions {
    std::size_t first = 0; ///< samples [first, last)
    std::size_t last = static_cast<std::size_t>(-1);
    unsigned threads = 0; ///< 0: the space's, else all cores
    /// Called as samples finish: done (run or found done), total in [first, last).
    std::function<void(std::size_t done, std::size_t total)> progress;
};

struct GenerateReport {
    std::size_t run = 0;     ///< samples simulated now
    std::size_t skipped = 0; ///< found done (observables.json present)
    double sim_seconds = 0;  ///< wall seconds the simulations took, summed over samples
    std::size_t jobs = 0;    ///< jobs simulated now
};

/// Runs the samples [first, last) of `space` into `out_dir` in parallel (each sample a
/// separate simulation, so results do not depend on the threads), skipping the samples already
/// done. Throws the first error (InputError naming the sample's scenario) after stopping.
GenerateReport generate(const Space& space, const std::string& out_dir, const GenerateOptions& options);

/// Writes out_dir/index.csv from every sample's observables.json (in sample order) and returns
/// the rows written. Throws OutputError naming the missing samples when some are not done.
std::size_t write_index(const Space& space, const std::string& out_dir);

/// Writes a batch-system job array (condor or slurm) into `dir` that runs one sample per task
/// (`hepkit surrogate generate SPACE -o OUT --samples K:K+1`) and a merge script that writes the
/// index (`--index-only`).
void emit_generate_array(const Space& space, const std::string& space_file, const std::string& out_dir,
                         const std::string& kind, const std::string& dir, const std::string& hepkit_path);

} // namespace hepkit::surrogate
