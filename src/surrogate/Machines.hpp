#pragma once
// The machine a job runs on, as the platform-aware per-job model predicts it (docs/surrogate.md,
// "Machines"). Hosts whose inputs are identical (a cluster's nodes: same cores, speed, roles,
// disks and route to storage) are indistinguishable to any model of the platform's hosts, and a
// dispatcher's choice among them depends on which node frees first — so the target is the *class*
// of identical hosts: the training loss is the negative log-probability of the true host's class
// (the sum of its members' softmax probabilities), and a prediction picks the most probable class,
// then spreads the jobs over its members in turn (as a scheduler fills a cluster).

#include "hepkit/surrogate/SequenceData.hpp"

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace hepkit::surrogate::detail {

/// Per host of `s`, the index of its class of identical hosts (equal host_x rows), numbered in
/// order of first appearance.
std::vector<std::int64_t> host_classes(const SequenceSample& s);

/// The negative log-probability of each step's true class, summed over the steps whose truth is a
/// host (≥ 0; −1: no truth or padding): scores [L, W, H] (logits), truth [L, W] (int64 host
/// indices), host_class [H] (int64). Returns {sum, number of steps counted}.
std::pair<torch::Tensor, std::int64_t> machine_nll(const torch::Tensor& scores, const torch::Tensor& truth,
                                                   const torch::Tensor& host_class);

/// Per job, a host: `probability` is jobs × hosts (each row sums to 1 over the hosts); the class
/// with the most probability, then its members in turn (a counter per class, in job order). With
/// `class_probability`, per job the chosen class's probability (the sum over its members).
std::vector<int> assign_machines(const std::vector<double>& probability, std::size_t hosts,
                                 const std::vector<std::int64_t>& host_class,
                                 std::vector<double>* class_probability = nullptr);

/// How predicted machines compare with a sample's simulated ones (its `machines`), and the same
/// for two guesses that know the platform but not the jobs: every job on the class with the most
/// worker cores, and jobs spread over the sites in proportion to their worker cores.
struct MachineScore {
    std::size_t jobs = 0;                 ///< jobs with a simulated machine
    std::size_t class_hits = 0;           ///< predicted host in the simulated host's class
    std::size_t site_hits = 0;            ///< predicted host in the simulated host's site
    std::size_t largest_class_hits = 0;   ///< the guess "all on the class with the most cores"
    double site_share_error = 0;          ///< ½ Σ over sites |predicted − simulated share of the jobs|
    double site_share_error_by_cores = 0; ///< the same for shares in proportion to worker cores
};
MachineScore score_machines(const SequenceSample& s, const std::vector<int>& predicted);

} // namespace hepkit::surrogate::detail
