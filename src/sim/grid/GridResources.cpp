// The grid layer's resources beyond cores and memory: GPU slots (sim/gpu) and opportunistic
// drones (sim/provisioning, through DronePool::Batch), and the hosts' energy. Same class as
// GridSimulation.cpp, split off to keep the job life cycle readable there.

#include "hepkit/sim/grid/GridSimulation.hpp"

#include <fmt/format.h>

namespace hepkit::sim {

void GridSimulation::setup_gpus() {
    const Platform& p = sim_.platform();
    bool any_gpu = false, any_request = false;
    for (const auto& w : dispatcher_.workers())
        any_gpu = any_gpu || !p.host(w.host).gpus.empty();
    for (const auto& j : workload_.jobs)
        any_request = any_request || j.gpu.wanted();
    if (!any_gpu && !any_request)
        return;
    // The policy of each worker: its host's entry, else its zone's or an enclosing zone's, else
    // `default`, else exclusive.
    for (const auto& [name, policy] : options_.gpu.policies)
        if (name != "default" && !p.find_host(name) && !p.find_zone(name))
            throw std::invalid_argument(fmt::format(
                "GPU policy given for '{}', which is neither a host, a zone nor 'default'", name));
    auto find = [&](const std::string& name) -> const GpuPolicy* {
        for (const auto& [n, policy] : options_.gpu.policies)
            if (n == name)
                return &policy;
        return nullptr;
    };
    std::vector<GpuPolicy> policies;
    for (const auto& w : dispatcher_.workers()) {
        const GpuPolicy* pol = find(p.host(w.host).id);
        for (ZoneIndex z = p.host_zone(w.host); !pol && z != Platform::none; z = p.zone_parent(z))
            pol = find(p.zone_name(z));
        if (!pol)
            pol = find("default");
        policies.push_back(pol ? *pol : GpuPolicy{});
    }
    gpus_.emplace(
        sim_.engine(), p,
        [&] {
            std::vector<HostIndex> hosts;
            for (const auto& w : dispatcher_.workers())
                hosts.push_back(w.host);
            return hosts;
        }(),
        policies, options_.gpu.calibration,
        [this](ActivityId id, std::uint32_t run) { expect(id, run, Op::gpu); });
    for (const auto& j : workload_.jobs) {
        if (!j.gpu.wanted())
            continue;
        const std::string why = gpus_->never_fits(j.gpu);
        if (!why.empty())
            throw std::invalid_argument(fmt::format("job '{}' can never run: {}", j.id, why));
    }
}

std::optional<std::pair<std::size_t, GpuPool::TaskId>> GridSimulation::pick_gpu_worker(const JobSpec& job,
                                                                                       std::uint32_t run) {
    // GPU jobs go to the worker with the smallest fraction of claimed GPU slots that has the
    // cores, memory and GPU slots free (ties: worker order), whatever the CPU dispatcher policy.
    std::optional<std::size_t> best;
    double best_load = 0;
    const auto& workers = dispatcher_.workers();
    for (std::size_t w = 0; w < workers.size(); ++w) {
        if (!workers[w].open || !gpus_->has_gpus(w) || workers[w].cores_free < job.cores ||
            workers[w].memory_free < job.memory) // closed: an opportunistic node without a drone
            continue;
        const double load = gpus_->load(w);
        if (load >= 1.0 || (best && load >= best_load))
            continue;
        if (auto t = gpus_->claim(w, job.gpu, job.user, run)) {
            // keep the better one; give back the previous claim
            if (best)
                gpus_->release(claimed_);
            best = w;
            best_load = load;
            claimed_ = *t;
        }
    }
    if (!best)
        return std::nullopt;
    return std::pair{*best, claimed_};
}

void GridSimulation::setup_drones() {
    if (options_.drones.sites.empty())
        return;
    const Platform& p = sim_.platform();
    std::vector<std::vector<DronePool::Node>> nodes;
    for (const auto& site : options_.drones.sites) {
        const auto z = p.find_zone(site.site);
        const std::size_t s = z ? dispatcher_.site_of_zone(*z) : Dispatcher::npos;
        if (s == Dispatcher::npos)
            throw std::invalid_argument(
                fmt::format("opportunistic site '{}' is not a zone with worker hosts", site.site));
        std::vector<DronePool::Node> list;
        for (std::size_t w : dispatcher_.sites()[s].workers) {
            const auto& wk = dispatcher_.workers()[w];
            list.push_back({w, wk.cores_total, wk.memory_total, !p.host(wk.host).gpus.empty()});
            dispatcher_.set_open(w, false); // nodes offer nothing until a drone runs on them
        }
        nodes.push_back(std::move(list));
    }
    drones_.emplace(options_.drones.sites, std::move(nodes), options_.drones.controller, options_.seed,
                    static_cast<DronePool::Batch&>(*this));
}

void GridSimulation::open_worker(std::size_t worker, int cores, double memory) {
    dispatcher_.resize(worker, cores, memory);
    dispatcher_.set_open(worker, true);
    dirty_ = true;
    schedule(sim_.engine().now());
}

void GridSimulation::close_worker(std::size_t worker) {
    dispatcher_.set_open(worker, false);
}

void GridSimulation::kill_jobs(std::size_t worker, double now) {
    for (std::uint32_t r = 0; r < runs_.size(); ++r) {
        Run& run = runs_[r];
        if (!run.live || run.worker != worker)
            continue;
        // cancel whatever it was doing
        for (ActivityId id = 0; id < pending_.size(); ++id)
            if (pending_[id].run == r) {
                sim_.engine().cancel(id);
                pending_[id] = Pending{};
            }
        const JobSpec& job = workload_.jobs[run.job];
        run.record.end = now;
        run.record.status = "killed-walltime";
        if (run.gpu) { // its kernels die with the drone; the devices are free for the next drone
            gpus_->abort(*run.gpu, now);
            run.gpu.reset();
        }
        dispatcher_.give(run.worker, job.cores, job.memory);
        drones_->job_ended(worker, job.cores, now, true);
        run.live = false;
        if (observers_.job_finished)
            observers_.job_finished(run.record);
        free_runs_.push_back(r);
        queue_.emplace(-job.priority, job.submit, run.slot); // requeued, keeps its place
        count_queued(job, +1);
    }
}

bool GridSimulation::can_ever_run(const JobSpec& job) const {
    const bool gpu = job.gpu.wanted();
    const Platform& p = sim_.platform();
    const auto& workers = dispatcher_.workers();
    for (std::size_t w = 0; w < workers.size(); ++w) {
        if (drones_ && drones_->is_node(w))
            continue; // judged by the drone sites below
        if (workers[w].cores_total >= job.cores && workers[w].memory_total >= job.memory &&
            (!gpu || !p.host(workers[w].host).gpus.empty()))
            return true;
    }
    return drones_ && drones_->can_ever_host(job.cores, job.memory, gpu);
}

void GridSimulation::count_queued(const JobSpec& job, double sign) {
    const auto key = std::make_tuple(job.cores, job.memory, job.gpu.wanted());
    double& c = queued_shapes_[key];
    c += sign * job.cores;
    if (c < 0.5) // whole cores: the shape has no queued job left
        queued_shapes_.erase(key);
}

double GridSimulation::idle_job_cores(int cores, double memory, bool gpus) const {
    double sum = 0;
    for (const auto& [shape, c] : queued_shapes_) {
        const auto& [job_cores, job_memory, job_gpu] = shape;
        if (job_cores <= cores && job_memory <= memory && (gpus || !job_gpu))
            sum += c;
    }
    return sum;
}

double GridSimulation::compute_rate(std::size_t worker) const {
    return sim_.engine().resource_rate(sim_.cpus().host_resource(dispatcher_.workers()[worker].host));
}

double GridSimulation::core_speed(std::size_t worker) const {
    return sim_.platform().host(dispatcher_.workers()[worker].host).speed;
}

void GridSimulation::timer(double when, std::uint64_t token) {
    sim_.engine().schedule_timer(when, token);
}

std::vector<DroneSiteStats> GridSimulation::drone_stats() {
    return drones_ ? drones_->stats(sim_.engine().now()) : std::vector<DroneSiteStats>{};
}

std::vector<GpuPolicyStats> GridSimulation::gpu_stats() {
    return gpus_ ? gpus_->stats(sim_.engine().now()) : std::vector<GpuPolicyStats>{};
}

double GridSimulation::host_energy(double end) const {
    double e = 0;
    const auto& workers = dispatcher_.workers();
    for (std::size_t w = 0; w < workers.size(); ++w) {
        const HostSpec& h = sim_.platform().host(workers[w].host);
        if (h.power_max > 0)
            e += h.power_idle * end + (h.power_max - h.power_idle) * flops_done_[w] / (h.speed * h.cores);
    }
    return e;
}

} // namespace hepkit::sim
