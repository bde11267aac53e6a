// Workload totals (Job.hpp): sums over the jobs, kept by build_workload for readers of totals.
#include "hepkit/sim/workload/Job.hpp"

#include <algorithm>

namespace hepkit::sim {

WorkloadTotals sum_jobs(const WorkloadSet& set) {
    WorkloadTotals t;
    t.jobs = set.jobs.size();
    for (std::size_t i = 0; i < set.jobs.size(); ++i) {
        const JobSpec& j = set.jobs[i];
        t.cores += j.cores;
        t.flops += j.flops;
        t.output_bytes += j.output_size;
        for (const auto f : j.inputs)
            t.input_bytes += set.files[f].size;
        t.first_submit = i == 0 ? j.submit : std::min(t.first_submit, j.submit);
        t.last_submit = i == 0 ? j.submit : std::max(t.last_submit, j.submit);
    }
    return t;
}

WorkloadTotals totals_of(const WorkloadSet& set) {
    return set.totals ? *set.totals : sum_jobs(set);
}

} // namespace hepkit::sim
