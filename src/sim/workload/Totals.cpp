// Workload totals (Job.hpp): sums over the jobs, kept by build_workload for readers of totals.
#include "hepkit/sim/workload/Job.hpp"

#include <algorithm>

namespace hepkit::sim {

void add_job(WorkloadTotals& t, const JobSpec& j) {
    t.first_submit = t.jobs == 0 ? j.submit : std::min(t.first_submit, j.submit);
    t.last_submit = t.jobs == 0 ? j.submit : std::max(t.last_submit, j.submit);
    ++t.jobs;
    t.cores += j.cores;
    t.flops += j.flops;
    t.output_bytes += j.output_size;
}

WorkloadTotals sum_jobs(const WorkloadSet& set) {
    WorkloadTotals t;
    for (const JobSpec& j : set.jobs) {
        add_job(t, j);
        for (const auto f : j.inputs)
            t.input_bytes += set.files[f].size;
    }
    return t;
}

WorkloadTotals totals_of(const WorkloadSet& set) {
    return set.totals ? *set.totals : sum_jobs(set);
}

} // namespace hepkit::sim
