#include "hepkit/sim/workload/ActivityRunner.hpp"

#include <algorithm>

namespace hepkit::sim {

ActivityRunner::ActivityRunner(Simulation& sim, const std::vector<ActivityRow>& rows)
    : sim_(sim), rows_(rows), times_(rows.size()), dependents_(rows.size()) {
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (rows[i].after >= 0)
            dependents_[static_cast<std::size_t>(rows[i].after)].push_back(i);
}

void ActivityRunner::run(const std::function<void(std::size_t, double)>& progress,
                         std::size_t progress_every) {
    progress_ = progress;
    progress_every_ = progress_every;
    Engine& engine = sim_.engine();
    engine.set_listener(this);
    for (std::size_t i = 0; i < rows_.size(); ++i)
        if (rows_[i].after < 0)
            engine.schedule_timer(rows_[i].start, i);
    engine.run();
    engine.set_listener(nullptr);
}

void ActivityRunner::on_timer(std::uint64_t token, double now) {
    launch(static_cast<std::size_t>(token), now);
}

void ActivityRunner::launch(std::size_t row, double now) {
    const ActivityRow& r = rows_[row];
    times_[row].start = now;
    ActivityId id = 0;
    switch (r.type) {
    case ActivityRow::Type::transfer:
        id = sim_.network().transfer(r.source, r.destination, r.amount);
        break;
    case ActivityRow::Type::compute:
        id = sim_.cpus().execute(r.source, r.amount, 1);
        break;
    case ActivityRow::Type::read:
        id = sim_.disks().io(r.source, r.disk, r.amount, DiskModel::Op::read);
        break;
    case ActivityRow::Type::write:
        id = sim_.disks().io(r.source, r.disk, r.amount, DiskModel::Op::write);
        break;
    }
    if (row_of_activity_.size() <= id)
        row_of_activity_.resize(id + 1, ~std::size_t{0});
    row_of_activity_[id] = row;
}

void ActivityRunner::on_activity_done(ActivityId id, double now) {
    const std::size_t row = row_of_activity_[id];
    times_[row].end = now;
    ++done_;
    if (progress_ && progress_every_ > 0 && done_ % progress_every_ == 0)
        progress_(done_, now);
    for (std::size_t dep : dependents_[row]) {
        const double when = std::max(now, rows_[dep].start);
        if (when > now)
            sim_.engine().schedule_timer(when, dep);
        else
            launch(dep, now);
    }
}

ActivityRunSummary ActivityRunner::summary() const {
    ActivityRunSummary s;
    for (std::size_t i = 0; i < rows_.size(); ++i) {
        switch (rows_[i].type) {
        case ActivityRow::Type::transfer:
            ++s.transfers;
            s.bytes_moved += rows_[i].amount;
            break;
        case ActivityRow::Type::compute:
            ++s.computes;
            s.flop += rows_[i].amount;
            break;
        default:
            ++s.ios;
        }
        s.makespan = std::max(s.makespan, times_[i].end);
    }
    s.events = sim_.engine().events_processed();
    return s;
}

} // namespace hepkit::sim
