#pragma once
/// @file
/// GPU sharing policies, chosen by name per site or per host, and the calibration constants of
/// the GPU model (docs/models.md §9).
///
/// A policy has two parts: how the batch system advertises a device (slots) and how jobs on
/// one device share it (execution):
///
/// | name           | slots per device                 | execution                         |
/// |----------------|----------------------------------|-----------------------------------|
/// | `exclusive`    | 1                                | alone                             |
/// | `repeat`       | N (HTCondor `-repeat N`)         | time-slicing (or MPS: `mps=true`) |
/// | `divide`       | N, memory / N each (`-divide N`) | time-slicing (or MPS: `mps=true`) |
/// | `time-slicing` | N                                | time-slicing                      |
/// | `mps`          | N (at most 48 clients)           | MPS                               |
/// | `mig`          | one per MIG partition            | isolated partitions               |
///
/// Text form (command line, scenario files): `name[:N][,key=value...]`, e.g. `divide:4`,
/// `mps:8,thread_percentage=25,memory_limit=10GB`, `mig:3g.40gb+2g.20gb+2g.20gb`.
/// Keys: `slots` (= N), `mps` (true/false, for repeat and divide), `thread_percentage` (MPS
/// active thread percentage, (0, 100]), `memory_limit` (MPS pinned device memory per client,
/// counting the CUDA context), `multi_user` (MPS serves clients of several users at once),
/// `profiles` (MIG, `+`-separated).

#include "hepkit/sim/platform/Gpu.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace hepkit::sim {

struct GpuPolicy {
    enum class Slots { exclusive, repeat, divide, mig };
    enum class Execution { time_slicing, mps };
    std::string name = "exclusive";
    Slots slots = Slots::exclusive;
    Execution execution = Execution::time_slicing;
    int count = 1;                     ///< slots per device (repeat, divide, time-slicing, mps)
    double thread_percentage = 100;    ///< MPS: % of the SMs one client may use, (0, 100]
    double memory_limit = 0;           ///< MPS: B per client incl. the CUDA context; 0 = none
    bool multi_user = false;           ///< MPS: clients of different users run at once
    std::vector<std::string> profiles; ///< MIG partitions of each device

    /// The text form, normalised (for tables and trace columns).
    std::string describe() const;
};

/// Parses the text form; throws std::invalid_argument naming the bad part and what is allowed.
GpuPolicy parse_gpu_policy(std::string_view text);
/// Sets one `key=value` of a policy (used by the text and the YAML map forms).
void set_gpu_policy_key(GpuPolicy& p, const std::string& key, const std::string& value);
/// Checks a policy against a device (MIG layout fits, memory limit below device memory);
/// throws std::invalid_argument naming the device and the rule.
void check_gpu_policy(const GpuPolicy& p, const GpuSpec& gpu, int mps_max_clients);

/// Constants of the GPU model, calibrated on the H100 measurements in
/// ../shared/reference/gpu-sharing-h100 (docs/models.md §9 gives the fit).
struct GpuCalibration {
    double context_latency = 0.22;     ///< s: process and CUDA context start, in parallel
    double context_serial = 0.095;     ///< s: part of a context start serialised per device
    double time_slice_overhead = 0.07; ///< time-slicing: extra time per unit work with >= 2 jobs
    /// B: device memory of one CUDA context (measured: a 1 GiB MPS limit leaves 510 MiB free)
    double context_memory = 514.0 * 1024 * 1024;
    int mps_max_clients = 48; ///< clients per MPS server (Volta and later)
};

} // namespace hepkit::sim
