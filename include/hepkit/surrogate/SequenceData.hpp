#pragma once
/// @file
/// The per-job view of a scenario for the sequence surrogates (docs/surrogate.md, "Per-job
/// models"): its jobs in submission order with what is known before the run (submit time, cores,
/// memory, flops, input and output bytes), the platform's hosts as a set (cores, speed, roles,
/// disks, the route from a worker to storage), the scenario's features (Features.hpp), and — for
/// a simulated sample — each job's start, wall, compute, input- and output-transfer time and the
/// host it ran on, from its trace. The order never depends on the simulation's results: a model
/// never sees what it predicts.

#include "hepkit/sim/grid/GridScenario.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace hepkit::surrogate {

/// Per job, in this order (raw units: s, cores, B, flop, B, B, files, B, 1, s, s, s, s, s, s, s, s):
/// submit time,
/// cores, memory, flops, input and output bytes, input files, and the input bytes staged on the
/// caches before the run (the hit rate's share: sim::InputRouter::stage's rule; 0 without
/// caches) — the paper's inputs, which its baselines read — then, from kPlacedInputs on, the
/// job started as the dispatcher would start it, with estimated durations
/// (src/surrogate/TimedPlacement.hpp: 1 where it starts at its submission, 0 where it waits; its
/// compute and input transfer there: Placement.hpp's PlacedJob), its output written from there
/// (src/surrogate/PlacedOutputs.hpp: each link shared equally), its estimated start, its
/// output written with max-min shares, and its input read alone, with every overlapping reader
/// reading all the time, and with each by its duty (PlacedJob), which only the platform-aware
/// model reads.
const std::vector<std::string>& job_input_names();
/// The index of the first placement input in job_input_names() (the paper's inputs before it).
inline constexpr std::size_t kPlacedInputs = 8;
/// Per host, in this order.
const std::vector<std::string>& host_input_names();
/// Per job, predicted: start, wall (end − start), compute, input and output transfer time (s).
const std::vector<std::string>& job_target_names();

struct SequenceSample {
    std::vector<std::string> jobs;       ///< job ids, submission order (submit time, then id)
    std::vector<double> job_x;           ///< jobs × job_input_names()
    std::vector<double> host_x;          ///< hosts × host_input_names()
    std::vector<double> scenario_x;      ///< feature_names()
    std::vector<double> settings;        ///< setting_names() (Features.hpp): the training domain's
    std::vector<double> targets;         ///< jobs × job_target_names(); empty when not simulated
    std::vector<std::string> host_names; ///< per host (the platform's order): its id
    std::vector<std::string> host_sites; ///< per host: its zone (a worker's site in the trace)
    std::vector<int> machines;           ///< per job, the host it ran on (index); empty when not simulated
    std::size_t job_count() const { return jobs.size(); }
    std::size_t host_count() const;
    /// Host h has the worker role (runs jobs): its host_input_names() "worker" flag.
    bool worker(std::size_t h) const;
};

/// A loaded scenario (its workload drawn) as a sequence, without targets.
SequenceSample sequence_of(const sim::GridScenario& scenario);

/// The samples of a `generate` output (first `max_samples`, 0: all) with their traces' targets.
/// Jobs the trace lists as not done are dropped. Throws InputError naming the file that is missing
/// or does not match its scenario (a job or a machine it does not have).
std::vector<SequenceSample> load_sequences(const std::string& data_dir, std::size_t max_samples = 0);

} // namespace hepkit::surrogate
