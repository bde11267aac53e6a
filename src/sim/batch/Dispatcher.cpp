#include "hepkit/sim/batch/Dispatcher.hpp"

#include "hepkit/core/Units.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace hepkit::sim {

Dispatcher::Dispatcher(const Platform& platform, const std::vector<HostIndex>& workers, DispatchPolicy policy)
    : platform_(&platform), policy_(policy) {
    for (HostIndex h : workers) {
        const HostSpec& spec = platform.host(h);
        double memory = std::numeric_limits<double>::infinity();
        if (auto it = spec.props.find("ram"); it != spec.props.end())
            memory = units::parse(it->second, units::Kind::size);
        const ZoneIndex zone = platform.host_zone(h);
        std::size_t site = sites_.size();
        for (std::size_t s = 0; s < sites_.size(); ++s)
            if (sites_[s].zone == zone)
                site = s;
        if (site == sites_.size())
            sites_.push_back(Site{platform.zone_name(zone), zone, {}, 0, 0});
        sites_[site].workers.push_back(workers_.size());
        sites_[site].cores_total += spec.cores;
        workers_.push_back(Worker{h, site, spec.cores, spec.cores, memory, memory});
        free_cores_.insert(spec.cores);
        idle_cores_ += spec.cores;
    }
    site_of_zone_.assign(platform.zone_count(), npos);
    for (std::size_t s = 0; s < sites_.size(); ++s)
        site_of_zone_[sites_[s].zone] = s;
    by_name_.resize(workers_.size());
    for (std::size_t i = 0; i < by_name_.size(); ++i)
        by_name_[i] = i;
    std::sort(by_name_.begin(), by_name_.end(), [&](std::size_t a, std::size_t b) {
        return platform.host(workers_[a].host).id < platform.host(workers_[b].host).id;
    });
}

std::optional<std::size_t> Dispatcher::first_fit(const std::vector<std::size_t>& candidates, int cores,
                                                 double memory) const {
    for (std::size_t w : candidates)
        if (workers_[w].open && workers_[w].cores_free >= cores && workers_[w].memory_free >= memory)
            return w;
    return std::nullopt;
}

std::optional<std::size_t> Dispatcher::pick(int cores, double memory, const Preferred& preferred) {
    if (cores > idle_cores_ || free_cores_.empty() || cores > *free_cores_.rbegin())
        return std::nullopt;
    switch (policy_) {
    case DispatchPolicy::dcsim:
        return first_fit(by_name_, cores, memory);
    case DispatchPolicy::round_robin:
        for (std::size_t k = 0; k < sites_.size(); ++k) {
            const std::size_t s = (cursor_ + k) % sites_.size();
            if (auto w = first_fit(sites_[s].workers, cores, memory)) {
                cursor_ = (s + 1) % sites_.size();
                return w;
            }
        }
        return std::nullopt;
    case DispatchPolicy::data_locality:
        for (std::size_t site : preferred)
            if (auto w = first_fit(sites_[site].workers, cores, memory))
                return w;
        [[fallthrough]];
    case DispatchPolicy::least_loaded: {
        std::optional<std::size_t> best;
        double best_load = 2;
        for (std::size_t s = 0; s < sites_.size(); ++s) {
            const double load =
                static_cast<double>(sites_[s].cores_busy) / std::max(1, sites_[s].cores_total);
            if (load >= best_load)
                continue;
            if (auto w = first_fit(sites_[s].workers, cores, memory)) {
                best = w;
                best_load = load;
            }
        }
        return best;
    }
    }
    return std::nullopt;
}

void Dispatcher::take(std::size_t worker, int cores, double memory) {
    Worker& w = workers_[worker];
    if (w.open) {
        free_cores_.erase(free_cores_.find(w.cores_free));
        free_cores_.insert(w.cores_free - cores);
        idle_cores_ -= cores;
    }
    w.cores_free -= cores;
    w.memory_free -= memory;
    sites_[w.site].cores_busy += cores;
}

void Dispatcher::set_open(std::size_t worker, bool open) {
    Worker& w = workers_[worker];
    if (w.open == open)
        return;
    if (open) {
        free_cores_.insert(w.cores_free);
        idle_cores_ += w.cores_free;
    } else {
        free_cores_.erase(free_cores_.find(w.cores_free));
        idle_cores_ -= w.cores_free;
    }
    w.open = open;
}

void Dispatcher::resize(std::size_t worker, int cores, double memory) {
    Worker& w = workers_[worker];
    if (w.open || w.cores_free != w.cores_total)
        throw std::logic_error("Dispatcher::resize: the worker must be closed and idle");
    sites_[w.site].cores_total += cores - w.cores_total;
    w.cores_total = w.cores_free = cores;
    w.memory_total = w.memory_free = memory;
}

void Dispatcher::rank_by_locality(std::span<const Holding> holdings, Preferred& out) {
    // input bytes per site (replicas and cached copies in the site's zone)
    local_.clear();
    for (const auto& [host, size] : holdings) {
        const std::size_t site = site_of_zone(platform_->host_zone(host));
        if (site == npos)
            continue;
        bool found = false;
        for (auto& [bytes, s] : local_)
            if (s == site) {
                bytes -= size;
                found = true;
                break;
            }
        if (!found)
            local_.emplace_back(-size, site);
    }
    // most local bytes first; equal bytes (replicas) -> the less loaded site first
    auto load = [&](std::size_t site) {
        return static_cast<double>(sites_[site].cores_busy) / std::max(1, sites_[site].cores_total);
    };
    std::sort(local_.begin(), local_.end(), [&](const auto& a, const auto& b) {
        if (a.first != b.first)
            return a.first < b.first;
        const double la = load(a.second), lb = load(b.second);
        return la != lb ? la < lb : a.second < b.second;
    });
    for (const auto& entry : local_)
        out.push_back(entry.second);
}

void Dispatcher::give(std::size_t worker, int cores, double memory) {
    Worker& w = workers_[worker];
    if (w.open) {
        free_cores_.erase(free_cores_.find(w.cores_free));
        free_cores_.insert(w.cores_free + cores);
        idle_cores_ += cores;
    }
    w.cores_free += cores;
    w.memory_free += memory;
    sites_[w.site].cores_busy -= cores;
}

} // namespace hepkit::sim
