#include "hepkit/sim/provisioning/DronePool.hpp"

#include "hepkit/core/Random.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

namespace hepkit::sim {
namespace {
enum Event : std::uint64_t {
    queued = 1,
    booted = 2,
    integrated = 3,
    drain_time = 4,
    walltime = 5,
    empty = 6,
    tick = 7
};
std::uint64_t token(Event e, std::size_t drone) {
    return DronePool::token_bit | (static_cast<std::uint64_t>(e) << 40) | static_cast<std::uint64_t>(drone);
}
} // namespace

int roced_target(double job_cores, int cores_per_drone, int quota) {
    if (job_cores <= 0)
        return 0;
    return std::min(quota, static_cast<int>(std::ceil(job_cores / cores_per_drone - 1e-9)));
}

double cobald_linear(double demand, double utilisation, double allocation, const ControllerSpec& c) {
    if (utilisation < c.low_utilisation)
        demand -= c.rate * c.interval;
    else if (allocation > c.high_allocation)
        demand += c.rate * c.interval;
    return std::max(0.0, demand);
}

double cobald_relative(double supply, double utilisation, double allocation, const ControllerSpec& c) {
    if (utilisation < c.low_utilisation)
        return std::max(0.0, supply * c.low_scale);
    if (allocation > c.high_allocation)
        return std::max(0.0, supply * c.high_scale);
    return supply;
}

DronePool::DronePool(std::vector<OpportunisticSite> sites, std::vector<std::vector<Node>> nodes,
                     ControllerSpec controller, std::uint64_t seed, Batch& batch)
    : sites_(std::move(sites)), nodes_(std::move(nodes)), controller_(controller),
      rng_(RandomStreams(seed).stream("opportunistic")), batch_(batch) {
    if (!(controller_.interval > 0))
        throw std::invalid_argument("controller interval must be > 0");
    std::size_t max_worker = 0;
    for (std::size_t s = 0; s < sites_.size(); ++s) {
        auto& site = sites_[s];
        if (nodes_[s].empty())
            throw std::invalid_argument(fmt::format("opportunistic site '{}' has no worker node", site.site));
        int node_cores = 0;
        double node_memory = 0;
        for (const auto& n : nodes_[s]) {
            node_cores = std::max(node_cores, n.cores);
            node_memory = std::max(node_memory, n.memory);
            max_worker = std::max(max_worker, n.worker);
        }
        if (site.cores_per_drone == 0)
            site.cores_per_drone = node_cores;
        if (site.memory_per_drone == 0)
            site.memory_per_drone = node_memory;
        if (site.cores_per_drone > node_cores)
            throw std::invalid_argument(
                fmt::format("opportunistic site '{}': drones of {} cores are larger than its "
                            "nodes ({} cores)",
                            site.site, site.cores_per_drone, node_cores));
        if (site.memory_per_drone > node_memory)
            throw std::invalid_argument(
                fmt::format("opportunistic site '{}': drones of {:.4g} B of memory exceed its "
                            "nodes ({:.4g} B)",
                            site.site, site.memory_per_drone, node_memory));
        const int nodes = static_cast<int>(nodes_[s].size());
        const int quota = site.max_drones > 0 ? site.max_drones : nodes;
        if (site.max_drones > nodes)
            throw std::invalid_argument(
                fmt::format("opportunistic site '{}': max_drones = {} but it has {} nodes", site.site,
                            site.max_drones, nodes));
        quota_.push_back(quota);
        node_busy_.emplace_back(nodes_[s].size(), false);
        DroneSiteStats st;
        st.site = site.site;
        stats_.push_back(st);
    }
    drone_on_worker_.assign(max_worker + 1, 0);
    node_of_worker_.assign(max_worker + 1, 0);
    for (const auto& list : nodes_)
        for (const auto& n : list)
            node_of_worker_[n.worker] = 1;
    demand_.assign(sites_.size(), 0.0);
}

double background_share_at(const OpportunisticSite& site, double t) {
    const auto& steps = site.background_steps;
    if (steps.empty())
        return site.background_share;
    const double tt = site.background_period > 0 ? std::fmod(t, site.background_period) : t;
    if (tt < steps.front().first) // before the first step: the constant, or the last step wrapped
        return site.background_period > 0 ? steps.back().second : site.background_share;
    auto it = std::upper_bound(steps.begin(), steps.end(), tt,
                               [](double v, const std::pair<double, double>& st) { return v < st.first; });
    return std::prev(it)->second;
}

bool DronePool::can_ever_host(int cores, double memory, bool gpus) const {
    for (std::size_t s = 0; s < sites_.size(); ++s) {
        const OpportunisticSite& site = sites_[s];
        if (site.cores_per_drone < cores || site.memory_per_drone < memory)
            continue;
        if (gpus && std::none_of(nodes_[s].begin(), nodes_[s].end(), [](const Node& n) { return n.gpus; }))
            continue;
        // the lowest share the profile ever reaches decides whether a drone can ever start
        double lowest =
            site.background_steps.empty() || site.background_period <= 0 ? site.background_share : 1.0;
        for (const auto& step : site.background_steps)
            lowest = std::min(lowest, step.second);
        const int nodes = static_cast<int>(nodes_[s].size());
        if (std::min(quota_[s], static_cast<int>(std::floor(nodes * (1 - lowest) + 1e-9))) > 0)
            return true;
    }
    return false;
}

int DronePool::quota(std::size_t s, double now) const {
    // The site's own users hold a share of the nodes; drones already running keep theirs (an HPC
    // system does not preempt running jobs), so a rising share only stops new drones.
    const int nodes = static_cast<int>(nodes_[s].size());
    const int usable = static_cast<int>(std::floor(nodes * (1 - background_share_at(sites_[s], now)) + 1e-9));
    return std::min(quota_[s], usable);
}

bool DronePool::is_drone_worker(std::size_t worker) const {
    return worker < drone_on_worker_.size() && drone_on_worker_[worker] > 0;
}

std::size_t DronePool::drone_of_worker(std::size_t worker) const {
    return drone_on_worker_[worker] - 1;
}

double DronePool::notice(const Drone& d, double t) const {
    const double hb = sites_[d.site].heartbeat;
    if (hb <= 0)
        return t;
    return std::ceil(t / hb - 1e-12) * hb; // heartbeats at multiples of the interval
}

void DronePool::start(double now) {
    running_ = true;
    batch_.timer(now, token(tick, 0));
}

void DronePool::stop(double now) {
    running_ = false;
    for (std::size_t d = 0; d < drones_.size(); ++d)
        if (drones_[d].state != DroneState::shutdown && drones_[d].running_cores == 0)
            shutdown(d, now);
}

void DronePool::account(Drone& d, double now) {
    const double dt = now - d.last;
    d.last = now;
    if (dt <= 0)
        return;
    auto& st = stats_[d.site];
    switch (d.state) {
    case DroneState::booting:
    case DroneState::integrating:
        st.core_hours_boot += d.cores * dt / 3600;
        break;
    case DroneState::available:
    case DroneState::draining:
        st.core_hours_delivered += d.cores * dt / 3600;
        st.core_hours_used += d.running_cores * dt / 3600;
        if (d.state == DroneState::draining)
            st.core_hours_drain_idle += (d.cores - d.running_cores) * dt / 3600;
        break;
    default:
        break;
    }
}

void DronePool::set_state(std::size_t i, DroneState s, double now) {
    Drone& d = drones_[i];
    account(d, now);
    d.state = s;
    d.since = now;
    if (on_event)
        on_event(DroneEvent{now, fmt::format("{}-drone{}", sites_[d.site].site, i), sites_[d.site].site, s,
                            d.jobs});
}

void DronePool::request(std::size_t s, double now) {
    std::size_t node = 0;
    while (node < node_busy_[s].size() && node_busy_[s][node])
        ++node;
    if (node == node_busy_[s].size())
        return;
    node_busy_[s][node] = true;
    Drone d;
    d.site = s;
    d.node = node;
    d.cores = sites_[s].cores_per_drone;
    d.memory = sites_[s].memory_per_drone;
    d.last = now;
    const std::size_t i = drones_.size();
    drones_.push_back(d);
    drone_on_worker_[nodes_[s][node].worker] = i + 1;
    set_state(i, DroneState::requested, now);
    batch_.timer(now + std::max(0.0, sites_[s].queue_time.sample(rng_)), token(queued, i));
}

void DronePool::drain(std::size_t i, double now) {
    Drone& d = drones_[i];
    if (d.state == DroneState::available) {
        batch_.close_worker(nodes_[d.site][d.node].worker);
        set_state(i, DroneState::draining, now);
        if (d.running_cores == 0)
            batch_.timer(notice(d, now), token(empty, i));
    } else if (d.state == DroneState::requested || d.state == DroneState::booting ||
               d.state == DroneState::integrating) {
        shutdown(i, now); // not yet in the pool: cancelled
    }
}

void DronePool::shutdown(std::size_t i, double now) {
    Drone& d = drones_[i];
    if (d.state == DroneState::shutdown)
        return;
    const std::size_t worker = nodes_[d.site][d.node].worker;
    if (d.state == DroneState::available)
        batch_.close_worker(worker);
    if (d.running_cores > 0)
        batch_.kill_jobs(worker, now); // calls job_ended(killed) for each
    const bool started = d.state != DroneState::requested;
    set_state(i, DroneState::shutdown, now);
    if (started)
        stats_[d.site].cost += sites_[d.site].cost_per_core_hour * d.cores * (now - d.started) / 3600;
    d.accounted = true;
    node_busy_[d.site][d.node] = false;
    drone_on_worker_[worker] = 0;
}

void DronePool::on_timer(std::uint64_t tok, double now) {
    const auto e = static_cast<Event>((tok >> 40) & 0xff);
    const std::size_t i = static_cast<std::size_t>(tok & 0xffffffffffULL);
    if (e == tick) {
        cycle(now);
        if (running_)
            batch_.timer(now + controller_.interval, token(tick, 0));
        return;
    }
    Drone& d = drones_[i];
    const OpportunisticSite& site = sites_[d.site];
    switch (e) {
    case queued:
        if (d.state != DroneState::requested)
            return;
        d.started = now;
        ++stats_[d.site].drones_started;
        set_state(i, DroneState::booting, now);
        batch_.timer(now + std::max(0.0, site.boot_time.sample(rng_)), token(booted, i));
        if (site.walltime > 0) {
            batch_.timer(now + site.walltime, token(walltime, i));
            if (site.drain_before > 0 && site.drain_before < site.walltime)
                batch_.timer(now + site.walltime - site.drain_before, token(drain_time, i));
        }
        return;
    case booted:
        if (d.state != DroneState::booting)
            return;
        set_state(i, DroneState::integrating, now);
        batch_.timer(notice(d, now + site.integration_delay), token(integrated, i));
        return;
    case integrated:
        if (d.state != DroneState::integrating)
            return;
        set_state(i, DroneState::available, now);
        d.idle_since = now;
        batch_.open_worker(nodes_[d.site][d.node].worker, d.cores, d.memory);
        return;
    case drain_time:
        if (d.state == DroneState::available)
            drain(i, now);
        return;
    case walltime:
        shutdown(i, now);
        return;
    case empty:
        if (d.state == DroneState::draining && d.running_cores == 0)
            shutdown(i, now);
        return;
    default:
        return;
    }
}

void DronePool::job_started(std::size_t worker, int cores, double now) {
    if (!is_drone_worker(worker))
        return;
    Drone& d = drones_[drone_of_worker(worker)];
    account(d, now);
    d.running_cores += cores;
    ++d.jobs;
}

void DronePool::job_ended(std::size_t worker, int cores, double now, bool killed) {
    if (!is_drone_worker(worker))
        return;
    const std::size_t i = drone_of_worker(worker);
    Drone& d = drones_[i];
    account(d, now);
    d.running_cores -= cores;
    --d.jobs;
    if (killed)
        ++stats_[d.site].jobs_killed;
    else
        ++stats_[d.site].jobs_run;
    if (d.running_cores == 0) {
        d.idle_since = now;
        if (d.state == DroneState::draining)
            batch_.timer(notice(d, now), token(empty, i));
    }
}

void DronePool::cycle(double now) {
    for (std::size_t s = 0; s < sites_.size(); ++s) {
        const OpportunisticSite& site = sites_[s];
        const SiteLoad l = load(s);
        const int alive = l.alive, existing = l.existing;
        const double supply = l.supply, busy = l.busy, rate = l.rate, capacity = l.capacity;
        const bool gpus =
            std::any_of(nodes_[s].begin(), nodes_[s].end(), [](const Node& n) { return n.gpus; });
        const double idle = batch_.idle_job_cores(site.cores_per_drone, site.memory_per_drone, gpus);
        const int quota = this->quota(s, now);
        // Without supply, a pool with waiting jobs counts as fully allocated and used (so that
        // COBalD starts), an empty one as unused.
        const double allocation = supply > 0 ? busy / supply : (idle > 0 ? 1.0 : 0.0);
        const double utilisation = capacity > 0 ? rate / capacity : allocation;
        int target = 0;
        if (controller_.kind == ControllerSpec::Kind::roced) {
            target = roced_target(idle + busy, site.cores_per_drone, quota);
        } else {
            demand_[s] = controller_.kind == ControllerSpec::Kind::cobald_linear
                             ? cobald_linear(demand_[s], utilisation, allocation, controller_)
                             : cobald_relative(std::max(supply, demand_[s] > 0 ? 0.0 : site.cores_per_drone),
                                               utilisation, allocation, controller_);
            target = std::min(quota, static_cast<int>(std::ceil(demand_[s] / site.cores_per_drone - 1e-9)));
        }
        if (target > alive) {
            int boots = std::min(target - alive, quota - existing);
            if (controller_.kind == ControllerSpec::Kind::roced)
                boots = std::min(boots, controller_.max_boots_per_cycle);
            for (int k = 0; k < boots; ++k)
                request(s, now);
        } else if (target < alive) {
            // candidates: not yet in the pool first, then available drones by running cores
            std::vector<std::size_t> order;
            for (std::size_t i = 0; i < drones_.size(); ++i) {
                const Drone& d = drones_[i];
                if (d.site != s)
                    continue;
                if (d.state == DroneState::requested || d.state == DroneState::booting ||
                    d.state == DroneState::integrating || d.state == DroneState::available)
                    order.push_back(i);
            }
            auto rank = [&](std::size_t i) {
                const Drone& d = drones_[i];
                return d.state == DroneState::available ? 1 + d.running_cores : 0;
            };
            std::stable_sort(order.begin(), order.end(),
                             [&](std::size_t a, std::size_t b) { return rank(a) < rank(b); });
            int release = alive - target;
            for (std::size_t i : order) {
                if (release == 0)
                    break;
                Drone& d = drones_[i];
                if (controller_.kind == ControllerSpec::Kind::roced) {
                    // ROCED only releases drones that have been idle long enough
                    if (d.state != DroneState::available || d.running_cores > 0 ||
                        now - d.idle_since < controller_.release_delay)
                        continue;
                }
                drain(i, now);
                --release;
            }
        }
        if (controller_.kind == ControllerSpec::Kind::roced)
            demand_[s] = target * site.cores_per_drone;
    }
}

DronePool::SiteLoad DronePool::load(std::size_t s) const {
    SiteLoad l;
    for (const auto& d : drones_) {
        if (d.site != s || d.state == DroneState::shutdown)
            continue;
        ++l.existing;
        switch (d.state) {
        case DroneState::requested:
        case DroneState::booting:
        case DroneState::integrating:
            ++l.starting;
            ++l.alive;
            break;
        case DroneState::available:
        case DroneState::draining: {
            l.alive += d.state == DroneState::available ? 1 : 0;
            l.supply += d.cores;
            l.busy += d.running_cores;
            const std::size_t w = nodes_[s][d.node].worker;
            l.rate += batch_.compute_rate(w);
            l.capacity += d.cores * batch_.core_speed(w);
            break;
        }
        default:
            break;
        }
    }
    return l;
}

void DronePool::sample(double now,
                       const std::function<void(const char*, const std::string&, double)>& out) const {
    (void)now;
    for (std::size_t s = 0; s < sites_.size(); ++s) {
        const SiteLoad l = load(s);
        const std::string& name = sites_[s].site;
        out("drone_supply", name, l.supply);
        out("drone_demand", name, demand_[s]);
        out("drone_allocation", name, l.supply > 0 ? l.busy / l.supply : 0.0);
        out("drone_utilisation", name, l.capacity > 0 ? l.rate / l.capacity : 0.0);
        out("drones_starting", name, l.starting);
    }
}

std::vector<DroneSiteStats> DronePool::stats(double now) {
    for (auto& d : drones_)
        if (d.state != DroneState::shutdown)
            account(d, now);
    auto out = stats_;
    for (const auto& d : drones_) // drones still alive are charged up to now
        if (d.state != DroneState::shutdown && d.state != DroneState::requested)
            out[d.site].cost += sites_[d.site].cost_per_core_hour * d.cores * (now - d.started) / 3600;
    return out;
}

} // namespace hepkit::sim
