// A per-job model on held-out samples (SequenceModel.hpp, SequenceEvaluation): per-job relative
// errors, the summaries derived from the jobs, and where the model predicts machines, how its
// placements compare with the simulated ones (Machines.hpp).

#include "Machines.hpp"
#include "hepkit/surrogate/SequenceModel.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

namespace hepkit::surrogate {

SequenceEvaluation evaluate_sequence(const SequenceModel& model, const std::string& data_dir,
                                     std::size_t max_samples) {
    const std::vector<SequenceSample> samples = load_sequences(data_dir, max_samples);
    SequenceEvaluation e;
    e.targets = job_target_names();
    e.samples = samples.size();
    const std::size_t nt = e.targets.size();
    e.rel_mae.assign(nt, 0.0);
    std::vector<double> abs_err(nt, 0.0), total(nt, 0.0); // pooled over every job
    e.rel_spread.assign(nt, 0.0);
    e.coverage.assign(nt, 0.0);
    e.summary_coverage.assign(sequence_summary_names().size(), 0.0);
    std::size_t covered_samples = 0;
    std::vector<std::size_t> counted(nt, 0);
    std::size_t machine_samples = 0;
    for (const auto& s : samples) {
        const auto t0 = std::chrono::steady_clock::now();
        SequenceModel::Machines machines;
        const std::vector<std::vector<double>> members = model.predict_members(s, &machines);
        e.outside_domain += model.outside_domain(s).empty() ? 0 : 1;
        const std::vector<double>& p = members.front();
        const SequenceSpread sp = model.spread(members); // calibrated; 0 for one network
        const std::size_t ns = sequence_spread_names().size();
        e.predict_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        double makespan = 0, pred_makespan = 0, wall = 0, pred_wall = 0, start_err = 0, end_err = 0;
        const std::size_t n = s.job_count();
        for (std::size_t j = 0; j < n; ++j) {
            const double* y = &s.targets[j * nt];
            const double* q = &p[j * nt];
            makespan = std::max(makespan, y[0] + y[1]);
            pred_makespan = std::max(pred_makespan, q[0] + q[1]);
            wall += y[1] / static_cast<double>(n);
            pred_wall += q[1] / static_cast<double>(n);
            start_err += std::abs(q[0] - y[0]);
            end_err += std::abs(q[0] + q[1] - y[0] - y[1]);
            for (std::size_t c = 0; c < nt; ++c) {
                abs_err[c] += std::abs(q[c] - y[c]);
                total[c] += std::abs(y[c]);
                if (y[c] >= 1.0) {
                    e.rel_mae[c] += std::abs(q[c] - y[c]) / y[c];
                    if (model.members() > 1) { // one network: no spread, nothing covered
                        const double sd = sp.jobs[j * ns + c];
                        e.rel_spread[c] += sd / y[c];
                        e.coverage[c] += std::abs(q[c] - y[c]) <= sd ? 1.0 : 0.0;
                    }
                    ++counted[c];
                }
            }
        }
        e.jobs += n;
        if (model.predicts_machines() && !s.machines.empty()) {
            const detail::MachineScore m = detail::score_machines(s, machines.host);
            for (std::size_t j = 0; j < s.machines.size() && j < machines.probability.size(); ++j)
                if (s.machines[j] >= 0) // the jobs score_machines counts
                    e.mean_class_probability += machines.probability[j];
            e.machine_jobs += m.jobs;
            e.class_accuracy += static_cast<double>(m.class_hits);
            e.site_accuracy += static_cast<double>(m.site_hits);
            e.largest_class_accuracy += static_cast<double>(m.largest_class_hits);
            e.site_share_error += m.site_share_error;
            e.site_share_error_by_cores += m.site_share_error_by_cores;
            machine_samples += m.jobs > 0;
        }
        if (n > 0 && model.members() > 1) { // the summaries' errors within their spread
            const std::vector<double> truth = sequence_summaries(s.targets);
            for (std::size_t c = 0; c < truth.size(); ++c)
                e.summary_coverage[c] +=
                    std::abs(sp.summary[c] - truth[c]) <= sp.summary_spread[c] ? 1.0 : 0.0;
            ++covered_samples;
        }
        if (n > 0 && makespan > 0) {
            // The throughput curve: the times by which 10, 25, 50, 75 and 90 % of the jobs ended
            // (the summary's t10 … t90), predicted against simulated.
            std::vector<double> ends(n), pred_ends(n);
            for (std::size_t j = 0; j < n; ++j) {
                ends[j] = s.targets[j * nt] + s.targets[j * nt + 1];
                pred_ends[j] = p[j * nt] + p[j * nt + 1];
            }
            std::sort(ends.begin(), ends.end());
            std::sort(pred_ends.begin(), pred_ends.end());
            double curve = 0;
            for (const double q : {0.10, 0.25, 0.50, 0.75, 0.90}) {
                const auto i =
                    std::min(n - 1, static_cast<std::size_t>(std::ceil(q * static_cast<double>(n))) - 1);
                curve += ends[i] > 0 ? std::abs(pred_ends[i] - ends[i]) / ends[i] / 5 : 0;
            }
            e.throughput_rel_mae += curve;
            e.start_mae_of_makespan += start_err / static_cast<double>(n) / makespan;
            e.end_mae_of_makespan += end_err / static_cast<double>(n) / makespan;
            e.makespan_rel_mae += std::abs(pred_makespan - makespan) / makespan;
            e.mean_wall_rel_mae += wall > 0 ? std::abs(pred_wall - wall) / wall : 0;
        }
    }
    e.pooled_rel_mae.assign(nt, 0.0);
    e.counted = counted;
    for (std::size_t c = 0; c < nt; ++c) {
        // NaN where no job has the target at all (no relative error; printed n/a, null in JSON)
        e.pooled_rel_mae[c] = total[c] > 0 ? abs_err[c] / total[c] : std::numeric_limits<double>::quiet_NaN();
        e.rel_mae[c] = counted[c] ? e.rel_mae[c] / static_cast<double>(counted[c]) : 0;
        e.rel_spread[c] = counted[c] ? e.rel_spread[c] / static_cast<double>(counted[c]) : 0;
        e.coverage[c] = counted[c] ? e.coverage[c] / static_cast<double>(counted[c]) : 0;
    }
    const double ns = std::max<double>(static_cast<double>(e.samples), 1);
    e.start_mae_of_makespan /= ns;
    e.end_mae_of_makespan /= ns;
    e.makespan_rel_mae /= ns;
    e.mean_wall_rel_mae /= ns;
    e.throughput_rel_mae /= ns;
    for (double& f : e.summary_coverage)
        f = covered_samples > 0 ? f / static_cast<double>(covered_samples) : 0;
    if (e.machine_jobs > 0) {
        const double jobs = static_cast<double>(e.machine_jobs), with = static_cast<double>(machine_samples);
        e.class_accuracy /= jobs;
        e.site_accuracy /= jobs;
        e.largest_class_accuracy /= jobs;
        e.mean_class_probability /= jobs;
        e.site_share_error /= with;
        e.site_share_error_by_cores /= with;
    }
    return e;
}

} // namespace hepkit::surrogate
