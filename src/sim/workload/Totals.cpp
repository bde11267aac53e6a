// Workload totals (Job.hpp): sums over the jobs, kept by build_workload for readers of totals.
#include "hepkit/sim/workload/Job.hpp"

#include <algorithm>

namespace hepkit::sim {

void add_job(WorkloadTotals& t, const JobSpec& j, bool reads) {
    t.first_submit = t.jobs == 0 ? j.submit : std::min(t.first_submit, j.submit);
    t.last_submit = t.jobs == 0 ? j.submit : std::max(t.last_submit, j.submit);
    ++t.jobs;
    t.cores += j.cores;
    t.flops += j.flops;
    t.output_bytes += j.output_size;
    if (t.groups.empty() || t.groups.back().submit != j.submit || t.groups.back().reads != reads)
        t.groups.push_back(JobGroup{j.submit, reads});
    JobGroup& g = t.groups.back();
    ++g.jobs;
    g.cores += j.cores;
    g.flops += j.flops;
    g.flops_max = g.jobs == 1 ? j.flops : std::max(g.flops_max, j.flops);
}

void add_input(WorkloadTotals& t, double bytes) {
    t.input_bytes += bytes;
    if (!t.groups.empty())
        t.groups.back().input_bytes += bytes;
}

WorkloadTotals sum_jobs(const WorkloadSet& set) {
    WorkloadTotals t;
    for (const JobSpec& j : set.jobs) {
        add_job(t, j, j.type != JobType::calculation && !j.inputs.empty()); // a calculation reads nothing
        for (const auto f : j.inputs)
            add_input(t, set.files[f].size);
    }
    return t;
}

WorkloadTotals totals_of(const WorkloadSet& set) {
    return set.totals ? *set.totals : sum_jobs(set);
}

} // namespace hepkit::sim
