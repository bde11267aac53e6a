// The machine target of the platform-aware per-job model: classes of identical hosts, the
// class-level loss, the assignment of jobs to hosts and its scores (Machines.hpp).

#include "Machines.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

namespace hepkit::surrogate::detail {

namespace {

// host_input_names()'s column of the worker flag and of the cores
constexpr std::size_t kCoresColumn = 0; // host_input_names()[0]: "cores"

} // namespace

std::vector<std::int64_t> host_classes(const SequenceSample& s) {
    const std::size_t nh = host_input_names().size(), hosts = s.host_count();
    std::vector<std::int64_t> cls(hosts, -1);
    std::int64_t next = 0;
    for (std::size_t h = 0; h < hosts; ++h) {
        if (cls[h] >= 0)
            continue;
        cls[h] = next;
        const auto row = s.host_x.begin() + static_cast<std::ptrdiff_t>(h * nh);
        for (std::size_t o = h + 1; o < hosts; ++o)
            if (cls[o] < 0 && std::equal(row, row + static_cast<std::ptrdiff_t>(nh),
                                         s.host_x.begin() + static_cast<std::ptrdiff_t>(o * nh)))
                cls[o] = next;
        ++next;
    }
    return cls;
}

std::pair<torch::Tensor, std::int64_t> machine_nll(const torch::Tensor& scores, const torch::Tensor& truth,
                                                   const torch::Tensor& host_class) {
    const torch::Tensor valid = truth >= 0;                                               // [L, W]
    const torch::Tensor true_class = host_class.index({truth.clamp_min(0)});              // [L, W]
    const torch::Tensor member = host_class.view({1, 1, -1}) == true_class.unsqueeze(-1); // [L, W, H]
    // log Σ_{h in the class} p_h = logsumexp over the class − logsumexp over all hosts
    const torch::Tensor in_class = torch::logsumexp(scores.masked_fill(member.logical_not(), -1e9), {-1});
    const torch::Tensor nll = torch::logsumexp(scores, {-1}) - in_class;
    return {(nll * valid).sum(), valid.sum().item<std::int64_t>()};
}

std::vector<int> assign_machines(const std::vector<double>& probability, std::size_t hosts,
                                 const std::vector<std::int64_t>& host_class,
                                 std::vector<double>* class_probability) {
    if (class_probability)
        class_probability->clear();
    if (hosts == 0)
        return std::vector<int>(probability.size(), -1);
    const std::size_t jobs = probability.size() / hosts;
    const auto classes =
        static_cast<std::size_t>(*std::max_element(host_class.begin(), host_class.end()) + 1);
    std::vector<std::vector<int>> members(classes);
    for (std::size_t h = 0; h < hosts; ++h)
        members[static_cast<std::size_t>(host_class[h])].push_back(static_cast<int>(h));
    std::vector<std::size_t> turn(classes, 0);
    std::vector<double> mass(classes);
    std::vector<int> out(jobs);
    for (std::size_t j = 0; j < jobs; ++j) {
        std::fill(mass.begin(), mass.end(), 0.0);
        for (std::size_t h = 0; h < hosts; ++h)
            mass[static_cast<std::size_t>(host_class[h])] += probability[j * hosts + h];
        const auto c = static_cast<std::size_t>(std::max_element(mass.begin(), mass.end()) - mass.begin());
        out[j] = members[c][turn[c]++ % members[c].size()];
        if (class_probability)
            class_probability->push_back(mass[c]);
    }
    return out;
}

MachineScore score_machines(const SequenceSample& s, const std::vector<int>& predicted) {
    MachineScore m;
    const std::size_t nh = host_input_names().size(), hosts = s.host_count();
    const std::vector<std::int64_t> cls = host_classes(s);
    // The guesses from the platform alone: worker cores per class and per site.
    std::vector<double> class_cores(hosts, 0.0);
    std::map<std::string, double> site_cores;
    double cores = 0;
    for (std::size_t h = 0; h < hosts; ++h)
        if (s.worker(h)) {
            const double c = s.host_x[h * nh + kCoresColumn];
            class_cores[static_cast<std::size_t>(cls[h])] += c;
            site_cores[s.host_sites[h]] += c;
            cores += c;
        }
    const auto largest = static_cast<std::int64_t>(std::max_element(class_cores.begin(), class_cores.end()) -
                                                   class_cores.begin());
    std::map<std::string, double> simulated, predicted_share;
    for (std::size_t j = 0; j < s.machines.size() && j < predicted.size(); ++j) {
        const int t = s.machines[j], p = predicted[j];
        if (t < 0)
            continue;
        const auto tu = static_cast<std::size_t>(t);
        ++m.jobs;
        simulated[s.host_sites[tu]] += 1;
        m.largest_class_hits += cls[tu] == largest;
        if (p < 0)
            continue;
        const auto pu = static_cast<std::size_t>(p);
        predicted_share[s.host_sites[pu]] += 1;
        m.class_hits += cls[pu] == cls[tu];
        m.site_hits += s.host_sites[pu] == s.host_sites[tu];
    }
    if (m.jobs == 0)
        return m;
    const double n = static_cast<double>(m.jobs);
    std::map<std::string, bool> sites;
    for (const auto& [k, v] : simulated)
        sites[k] = true;
    for (const auto& [k, v] : predicted_share)
        sites[k] = true;
    for (const auto& [k, v] : site_cores)
        sites[k] = true;
    for (const auto& [site, unused] : sites) {
        const double sim = simulated.count(site) ? simulated[site] / n : 0.0;
        const double pred = predicted_share.count(site) ? predicted_share[site] / n : 0.0;
        const double by_cores = cores > 0 && site_cores.count(site) ? site_cores[site] / cores : 0.0;
        m.site_share_error += 0.5 * std::abs(pred - sim);
        m.site_share_error_by_cores += 0.5 * std::abs(by_cores - sim);
    }
    return m;
}

} // namespace hepkit::surrogate::detail
