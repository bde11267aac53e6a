#pragma once
/// @file
/// Periodic samples of a running simulation (busy cores, queue length, link loads, ...), the
/// rows of the time series (docs/formats.md).
///
/// The components that have something to report register a probe each; at every sampling time
/// the probes run in the order they were added and emit (kind, name, value) triples, which go to
/// one sink with the sampling time. The owner of the sampler arms the timer: take() returns when
/// the next sample is due. A run is bounded to `max_samples` sampling times, so that an absurd
/// horizon with a short interval fails with a message instead of running for days.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace hepkit::sim {

/// One sample of the time series.
struct TimeSample {
    double time;
    const char* kind; ///< busy_cores, queued_jobs, link_load, cache_used, gpu_utilisation, gpu_power
    std::string name; ///< site, link or cache host
    double value;
};

class TimeSeriesSampler {
  public:
    using Sink = std::function<void(const TimeSample&)>;
    /// Emits the values of one component through emit().
    using Probe = std::function<void(TimeSeriesSampler&)>;
    static constexpr std::uint64_t default_max_samples = 10000000;

    /// @param interval s between samples; 0 turns sampling off
    TimeSeriesSampler(double interval, Sink sink, std::uint64_t max_samples = default_max_samples)
        : interval_(interval), sink_(std::move(sink)), max_samples_(max_samples) {}

    /// True if samples are due at all: an interval and a sink.
    bool active() const { return interval_ > 0 && static_cast<bool>(sink_); }
    double interval() const { return interval_; }
    void add_probe(Probe probe) { probes_.push_back(std::move(probe)); }

    /// Takes the sample of time `now` (every probe, in order) and returns the time of the next.
    /// Throws InputError (key `interval`) at the sampling time past `max_samples`.
    double take(double now);
    /// Called by a probe: one value of the sample being taken.
    void emit(const char* kind, const std::string& name, double value) {
        sink_(TimeSample{now_, kind, name, value});
    }
    /// The time of the sample being taken (of the last one after take()).
    double now() const { return now_; }
    std::uint64_t samples() const { return samples_; }

  private:
    double interval_;
    Sink sink_;
    std::uint64_t max_samples_;
    std::vector<Probe> probes_;
    std::uint64_t samples_ = 0;
    double now_ = 0;
};

} // namespace hepkit::sim
