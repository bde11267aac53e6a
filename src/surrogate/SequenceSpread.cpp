// The ensemble spread of a per-job model, its summaries and its calibration (SequenceSpread.hpp).

#include "SequenceSpread.hpp"

#include <algorithm>
#include <cmath>

namespace hepkit::surrogate {

const std::vector<std::string>& sequence_spread_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v = job_target_names();
        v.emplace_back("end");
        return v;
    }();
    return names;
}

const std::vector<std::string>& sequence_summary_names() {
    static const std::vector<std::string> names{"makespan_s", "mean_wall_time_s", "mean_compute_time_s",
                                                "mean_input_transfer_time_s", "mean_output_transfer_time_s"};
    return names;
}

std::vector<double> sequence_summaries(const std::vector<double>& jobs) {
    // job_target_names(): start, wall, compute, input_transfer, output_transfer; the means are of
    // targets 1 … 4, the makespan is the last start + wall
    const std::size_t nt = job_target_names().size(), n = jobs.size() / nt;
    std::vector<double> f(sequence_summary_names().size(), 0.0);
    for (std::size_t j = 0; j < n; ++j) {
        f[0] = std::max(f[0], jobs[j * nt] + jobs[j * nt + 1]);
        for (std::size_t c = 1; c < f.size(); ++c)
            f[c] += jobs[j * nt + c] / static_cast<double>(n);
    }
    return f;
}

SequenceSpread SequenceModel::spread(const std::vector<std::vector<double>>& members) const {
    SequenceSpread s = detail::raw_spread(members);
    const std::vector<double>& scale = spread_scale();
    const std::size_t ns = sequence_spread_names().size();
    for (std::size_t i = 0; i < s.jobs.size(); ++i)
        s.jobs[i] *= scale[i % ns];
    for (std::size_t c = 0; c < s.summary_spread.size(); ++c)
        s.summary_spread[c] *= scale[ns + c];
    return s;
}

namespace detail {

namespace {

// Fewer errors than this (a summary has one per validation sample) leave a spread unscaled: a
// quantile of a handful of ratios is one noisy ratio.
constexpr std::size_t kMinRatios = 10;

// Value c of sequence_spread_names() for job j of jobs × job_target_names() values.
double spread_value(const std::vector<double>& v, std::size_t j, std::size_t c) {
    const std::size_t nt = job_target_names().size();
    return c < nt ? v[j * nt + c] : v[j * nt] + v[j * nt + 1]; // "end": start + wall
}

} // namespace

const std::vector<std::string>& spread_scale_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v = sequence_spread_names();
        v.insert(v.end(), sequence_summary_names().begin(), sequence_summary_names().end());
        return v;
    }();
    return names;
}

SequenceSpread raw_spread(const std::vector<std::vector<double>>& members) {
    SequenceSpread out;
    const std::size_t nt = job_target_names().size(), ns = sequence_spread_names().size();
    const std::size_t nsum = sequence_summary_names().size();
    const std::size_t k = members.empty() ? 0 : members.size() - 1;
    out.summary.assign(nsum, 0.0);
    out.summary_spread.assign(nsum, 0.0);
    if (k == 0)
        return out;
    const std::size_t n = members[0].size() / nt;
    out.jobs.assign(n * ns, 0.0);
    std::vector<std::vector<double>> summaries;
    for (std::size_t m = 1; m <= k; ++m) {
        summaries.push_back(sequence_summaries(members[m]));
        for (std::size_t c = 0; c < nsum; ++c)
            out.summary[c] += summaries.back()[c] / static_cast<double>(k);
    }
    if (k < 2) // one network: no spread
        return out;
    for (std::size_t m = 1; m <= k; ++m) {
        for (std::size_t j = 0; j < n; ++j)
            for (std::size_t c = 0; c < ns; ++c) {
                const double d = spread_value(members[m], j, c) - spread_value(members[0], j, c);
                out.jobs[j * ns + c] += d * d / static_cast<double>(k);
            }
        for (std::size_t c = 0; c < nsum; ++c) {
            const double d = summaries[m - 1][c] - out.summary[c];
            out.summary_spread[c] += d * d / static_cast<double>(k);
        }
    }
    for (double& v : out.jobs)
        v = std::sqrt(v);
    for (double& v : out.summary_spread)
        v = std::sqrt(v);
    return out;
}

std::vector<double> fit_spread_scale(const SequenceModel& model,
                                     const std::vector<const SequenceSample*>& validation) {
    const std::size_t ns = sequence_spread_names().size(), nsum = sequence_summary_names().size();
    std::vector<std::vector<double>> ratios(ns + nsum);
    for (const SequenceSample* s : validation) {
        if (s->job_count() == 0)
            continue;
        const std::vector<std::vector<double>> members = model.predict_members(*s);
        const SequenceSpread sp = raw_spread(members);
        if (sp.jobs.empty())
            continue;
        for (std::size_t j = 0; j < s->job_count(); ++j)
            for (std::size_t c = 0; c < ns; ++c) {
                const double y = spread_value(s->targets, j, c), sd = sp.jobs[j * ns + c];
                if (y >= 1.0 && sd > 0)
                    ratios[c].push_back(std::abs(spread_value(members[0], j, c) - y) / sd);
            }
        const std::vector<double> truth = sequence_summaries(s->targets);
        for (std::size_t c = 0; c < nsum; ++c)
            if (sp.summary_spread[c] > 0)
                ratios[ns + c].push_back(std::abs(sp.summary[c] - truth[c]) / sp.summary_spread[c]);
    }
    std::vector<double> scale(ns + nsum, 1.0);
    for (std::size_t c = 0; c < scale.size(); ++c) {
        std::vector<double>& r = ratios[c];
        if (r.size() < kMinRatios)
            continue;
        // the nearest-rank 68.3 % quantile: the smallest factor covering that share of the errors
        // (the rank in integers: ceil(0.683 n) in doubles is one too high for some n)
        const std::size_t rank = (683 * r.size() + 999) / 1000;
        std::nth_element(r.begin(), r.begin() + static_cast<std::ptrdiff_t>(rank - 1), r.end());
        if (r[rank - 1] > 0)
            scale[c] = r[rank - 1];
    }
    return scale;
}

} // namespace detail

} // namespace hepkit::surrogate
