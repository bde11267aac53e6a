#pragma once
/// @file
/// Runs an activities workload in a Simulation and records when each activity started and ended.

#include "hepkit/sim/Simulation.hpp"
#include "hepkit/sim/workload/ActivityList.hpp"

#include <functional>
#include <vector>

namespace hepkit::sim {

struct ActivityTimes {
    double start = -1; ///< s; -1 if it never started
    double end = -1;   ///< s; -1 if it never ended
};

struct ActivityRunSummary {
    std::size_t transfers = 0, computes = 0, ios = 0;
    double bytes_moved = 0; ///< transfer bytes
    double flop = 0;
    double makespan = 0; ///< end of the last activity, s
    std::uint64_t events = 0;
};

class ActivityRunner : private Engine::Listener {
  public:
    ActivityRunner(Simulation& sim, const std::vector<ActivityRow>& rows);
    /// Runs to completion. `progress` (optional) is called with the number of finished rows
    /// every `progress_every` completions.
    void run(const std::function<void(std::size_t done, double now)>& progress = {},
             std::size_t progress_every = 0);
    const std::vector<ActivityTimes>& times() const { return times_; }
    ActivityRunSummary summary() const;

  private:
    void on_activity_done(ActivityId id, double now) override;
    void on_timer(std::uint64_t token, double now) override;
    void launch(std::size_t row, double now);

    Simulation& sim_;
    const std::vector<ActivityRow>& rows_;
    std::vector<ActivityTimes> times_;
    std::vector<std::vector<std::size_t>> dependents_;
    std::vector<std::size_t> row_of_activity_;
    std::size_t done_ = 0;
    std::function<void(std::size_t, double)> progress_;
    std::size_t progress_every_ = 0;
};

} // namespace hepkit::sim
