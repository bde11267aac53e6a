// The grid layer's resources beyond cores and memory: GPU slots (placed by the Dispatcher),
// opportunistic drones (sim/provisioning, through DronePool::Batch), the hosts' energy, and the
// probes of the time series. Same class as GridSimulation.cpp, split off to keep the job life
// cycle readable there.

#include "hepkit/sim/grid/GridSimulation.hpp"

#include <fmt/format.h>

namespace hepkit::sim {

void GridSimulation::setup_gpus() {
    bool any_request = false;
    for (const auto& j : workload_.jobs)
        any_request = any_request || j.gpu.wanted();
    if (!dispatcher_.any_gpu_worker() && !any_request)
        return;
    dispatcher_.setup_gpus(sim_.engine(), options_.gpu.policies, options_.gpu.calibration,
                           [this](ActivityId id, std::uint32_t run) { expect(id, run, Op::gpu); });
    for (const auto& j : workload_.jobs) {
        if (!j.gpu.wanted())
            continue;
        const std::string why = dispatcher_.gpus()->never_fits(j.gpu);
        if (!why.empty())
            throw std::invalid_argument(fmt::format("job '{}' can never run: {}", j.id, why));
    }
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
            dispatcher_.gpus()->abort(*run.gpu, now);
            run.gpu.reset();
        }
        dispatcher_.give(run.worker, job.cores, job.memory);
        drones_->job_ended(worker, job.cores, now, true);
        run.live = false;
        if (observers_.job_finished)
            observers_.job_finished(run.record);
        runs_.release(r);
        // requeued, keeps its place
        queue_.push(run.slot, job.priority, job.submit, JobShape{job.cores, job.memory, job.gpu.wanted()});
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

double GridSimulation::idle_job_cores(int cores, double memory, bool gpus) const {
    return queue_.queued_cores(cores, memory, gpus);
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
    GpuPool* gpus = dispatcher_.gpus();
    return gpus ? gpus->stats(sim_.engine().now()) : std::vector<GpuPolicyStats>{};
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

void GridSimulation::add_probes(TimeSeriesSampler& sampler) {
    sampler.add_probe([this](TimeSeriesSampler& out) {
        // a site's busy cores: the sum over its workers of cores taken by jobs
        for (const auto& site : dispatcher_.sites())
            out.emit("busy_cores", site.name, static_cast<double>(site.cores_busy));
        out.emit("queued_jobs", "all", static_cast<double>(queue_.size()));
        const Platform& p = sim_.platform();
        for (LinkIndex l = 0; l + 1 < p.link_count(); ++l) // the last link is the model's loopback
            out.emit("link_load", p.link(l).id, sim_.engine().resource_rate(sim_.network().link_resource(l)));
        for (const auto& c : inputs_.caches())
            out.emit("cache_used", p.host(c.host()).id, c.used());
    });
    if (drones_)
        sampler.add_probe([this](TimeSeriesSampler& out) {
            drones_->sample(out.now(), [&](const char* kind, const std::string& name, double v) {
                out.emit(kind, name, v);
            });
        });
    if (GpuPool* gpus = dispatcher_.gpus())
        sampler.add_probe([gpus](TimeSeriesSampler& out) {
            gpus->sample(out.now(), [&](const GpuSample& s) {
                out.emit("gpu_utilisation", s.name, s.utilisation);
                out.emit("gpu_power", s.name, s.power);
            });
        });
}

} // namespace hepkit::sim
