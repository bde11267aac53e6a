#pragma once
/// @file
/// What a job asks of GPUs. A job with gpus == 0 uses none.

#include <string>

namespace hepkit::sim {

struct GpuRequest {
    /// Devices: a fraction in (0, 1] takes one device slot (matching is by slots and memory, as
    /// HTCondor's; the fraction documents the share the job needs and is checked for range);
    /// an integer n > 1 takes slots on n devices of one host, each running the GPU work in parallel.
    double gpus = 0;
    double memory = 0;  ///< B of device memory per device, without the CUDA context
    double seconds = 0; ///< GPU work: seconds on one whole, unshared device (alone, any model)...
    double flops = 0;   ///< ...or flop, converted with the device's peak flop/s (used if seconds == 0)
    /// Fraction of the device's SMs the job's kernels keep busy while they run, (0, 1].
    double intensity = 1;
    /// Fraction of its GPU time the job has kernels on the device, (0, 1]; the rest are gaps
    /// (launch overhead, host-side work) that other MPS clients can fill. docs/models.md §9.
    double duty = 1;
    /// Device power (W) while the job runs alone, as nvidia-smi shows it; 0: the device's linear
    /// model, active + (max - active) x intensity x duty.
    double power = 0;

    bool wanted() const { return gpus > 0; }
    int devices() const { return gpus > 1 ? static_cast<int>(gpus) : 1; }
};

/// Checks a request: gpus 0, in (0, 1] or an integer up to 64; intensity and duty in (0, 1];
/// memory, power >= 0; some work (seconds or flops > 0) when gpus > 0. Returns "" or the
/// reason, naming the field and the value (the readers add file and line).
std::string check_gpu_request(const GpuRequest& r);

} // namespace hepkit::sim
