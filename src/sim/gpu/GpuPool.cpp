#include "hepkit/sim/gpu/GpuPool.hpp"

#include "hepkit/core/Units.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

namespace hepkit::sim {
namespace {
constexpr std::uint64_t none = ~std::uint64_t{0};
std::uint64_t key(std::uint32_t task, std::uint32_t part) {
    return (std::uint64_t{task} << 32) | part;
}

// Highest progress rate of a job whose kernels may use at most `share` of the SMs: its kernel
// time d x W stretches by u / min(share, u), its gaps (1 - d) x W do not (docs/models.md §9).
double max_rate(const GpuRequest& r, double share) {
    const double u = r.intensity, d = r.duty;
    return 1.0 / (d * u / std::min(share, u) + (1.0 - d));
}
} // namespace

GpuPool::GpuPool(Engine& engine, const Platform& platform, const std::vector<HostIndex>& workers,
                 const std::vector<GpuPolicy>& policies, GpuCalibration calibration, Registrar registrar)
    : engine_(engine), cal_(calibration), registrar_(std::move(registrar)) {
    devices_of_worker_.resize(workers.size());
    for (std::size_t w = 0; w < workers.size(); ++w) {
        const HostSpec& host = platform.host(workers[w]);
        if (host.gpus.empty())
            continue;
        const GpuPolicy& pol = policies.at(w);
        std::size_t pi = 0;
        while (pi < policies_.size() && policies_[pi].describe() != pol.describe())
            ++pi;
        if (pi == policies_.size()) {
            policies_.push_back(pol);
            jobs_.push_back(0);
            oom_.push_back(0);
        }
        for (std::size_t g = 0; g < host.gpus.size(); ++g) {
            Device d;
            d.host = workers[w];
            d.name = fmt::format("{}/gpu{}", host.id, g);
            d.worker = w;
            d.index = static_cast<int>(g);
            d.policy = pi;
            d.spec = host.gpus[g];
            try {
                check_gpu_policy(pol, d.spec, cal_.mps_max_clients);
            } catch (const std::invalid_argument& e) {
                throw std::invalid_argument(fmt::format("host '{}': {}", host.id, e.what()));
            }
            d.sm = engine_.add_resource(1.0, MaxMinSolver::Sharing::shared);
            d.ctx = engine_.add_resource(1.0, MaxMinSolver::Sharing::shared);
            switch (pol.slots) {
            case GpuPolicy::Slots::exclusive:
                d.slots.push_back(Slot{d.spec.memory, -1});
                break;
            case GpuPolicy::Slots::repeat: // every slot advertises the whole memory (no isolation)
                for (int i = 0; i < pol.count; ++i)
                    d.slots.push_back(Slot{d.spec.memory, -1});
                break;
            case GpuPolicy::Slots::divide:
                for (int i = 0; i < pol.count; ++i)
                    d.slots.push_back(Slot{d.spec.memory / pol.count, -1});
                break;
            case GpuPolicy::Slots::mig:
                for (const auto& prof : pol.profiles) {
                    const MigProfile m = parse_mig_profile(prof, d.spec);
                    d.slots.push_back(Slot{m.memory, static_cast<int>(d.partitions.size())});
                    d.partition_res.push_back(engine_.add_resource(static_cast<double>(m.sms) / d.spec.sms,
                                                                   MaxMinSolver::Sharing::shared));
                    d.partitions.push_back(m);
                }
                break;
            }
            devices_of_worker_[w].push_back(static_cast<std::uint32_t>(devices_.size()));
            devices_.push_back(std::move(d));
        }
    }
}

std::string GpuPool::never_fits(const GpuRequest& req) const {
    if (devices_.empty())
        return "the platform has no GPU (declare them with `gpus:` or gpu_* host properties)";
    std::size_t most_devices = 0;
    double best_slot = 0;
    std::string where;
    for (const auto& devs : devices_of_worker_) {
        most_devices = std::max(most_devices, devs.size());
        if (devs.size() < static_cast<std::size_t>(req.devices()))
            continue;
        for (std::uint32_t di : devs)
            for (const Slot& s : devices_[di].slots) {
                if (s.memory >= req.memory)
                    return "";
                if (s.memory > best_slot) {
                    best_slot = s.memory;
                    where = fmt::format("{} under policy {}", devices_[di].spec.model,
                                        policies_[devices_[di].policy].describe());
                }
            }
    }
    if (most_devices < static_cast<std::size_t>(req.devices()))
        return fmt::format("it asks for {} GPUs but no worker has more than {}", req.devices(), most_devices);
    return fmt::format("it asks for {:g} GB of GPU memory but the largest GPU slot offers {:g} GB ({})",
                       req.memory / units::GB, best_slot / units::GB, where);
}

double GpuPool::load(std::size_t worker) const {
    int claimed = 0, slots = 0;
    for (std::uint32_t di : devices_of_worker_[worker]) {
        claimed += devices_[di].claimed;
        slots += static_cast<int>(devices_[di].slots.size());
    }
    return slots > 0 ? static_cast<double>(claimed) / slots : 0.0;
}

std::optional<GpuPool::TaskId> GpuPool::claim(std::size_t worker, const GpuRequest& req,
                                              const std::string& user, Owner owner) {
    // Candidate (device, slot) pairs: one per device, the least-claimed devices first (jobs
    // spread over the devices of a node), and on a device the smallest slot that fits (MIG).
    struct Pick {
        std::uint32_t device, slot;
        int claimed;
    };
    std::vector<Pick> picks;
    for (std::uint32_t di : devices_of_worker_[worker]) {
        const Device& d = devices_[di];
        const GpuPolicy& pol = policies_[d.policy];
        if (pol.execution == GpuPolicy::Execution::mps && !pol.multi_user && d.claimed > 0 && d.user != user)
            continue; // MPS serves one user's clients at a time
        std::optional<std::uint32_t> best;
        for (std::uint32_t s = 0; s < d.slots.size(); ++s) {
            const Slot& slot = d.slots[s];
            if (slot.busy || slot.memory < req.memory)
                continue;
            if (!best || slot.memory < d.slots[*best].memory)
                best = s;
        }
        if (best)
            picks.push_back(Pick{di, *best, d.claimed});
    }
    const auto need = static_cast<std::size_t>(req.devices());
    if (picks.size() < need)
        return std::nullopt;
    std::stable_sort(picks.begin(), picks.end(),
                     [](const Pick& a, const Pick& b) { return a.claimed < b.claimed; });
    const TaskId t = tasks_.acquire();
    Task& task = tasks_[t];
    task = Task{};
    task.owner = owner;
    task.req = req;
    task.live = true;
    for (std::size_t i = 0; i < need; ++i) {
        Device& d = devices_[picks[i].device];
        d.slots[picks[i].slot].busy = true;
        if (d.claimed++ == 0)
            d.user = user;
        Part p;
        p.device = picks[i].device;
        p.slot = picks[i].slot;
        task.parts.push_back(p);
    }
    task.left = static_cast<int>(need);
    return t;
}

void GpuPool::track(ActivityId id, TaskId t, std::uint32_t part) {
    if (by_activity_.size() <= id)
        by_activity_.resize(id + 1, none);
    by_activity_[id] = key(t, part);
    registrar_(id, tasks_[t].owner);
}

void GpuPool::start(TaskId t, double now) {
    for (std::uint32_t i = 0; i < tasks_[t].parts.size(); ++i) {
        Device& d = devices_[tasks_[t].parts[i].device];
        d.first_use = std::min(d.first_use, now);
        SharingSpec spec;
        spec.elements.push_back({d.ctx, 1.0});
        // the engine needs work > 0: a zero serial part becomes a negligible one
        const ActivityId id = engine_.start(std::max(cal_.context_serial, 1e-9), spec, cal_.context_latency);
        tasks_[t].parts[i].act = id;
        track(id, t, i);
    }
}

SharingSpec GpuPool::work_spec(const Device& d, const Part& p, const GpuRequest& r,
                               std::size_t computing) const {
    const GpuPolicy& pol = policies_[d.policy];
    SharingSpec s;
    const int partition = d.slots[p.slot].partition;
    if (partition >= 0) { // MIG: alone on a partition holding a fixed fraction of the SMs
        const double share =
            static_cast<double>(d.partitions[static_cast<std::size_t>(partition)].sms) / d.spec.sms;
        const double a = r.intensity * r.duty;
        s.elements.push_back({d.partition_res[static_cast<std::size_t>(partition)], 1.0});
        s.bound = a * max_rate(r, share);
        s.rate_factor = 1.0 / a;
    } else if (pol.execution == GpuPolicy::Execution::mps) {
        // The solver's value is the client's SM share; progress rate = share / (u d).
        const double a = r.intensity * r.duty;
        s.elements.push_back({d.sm, 1.0});
        s.bound = a * max_rate(r, pol.thread_percentage / 100.0);
        s.rate_factor = 1.0 / a;
    } else { // exclusive and time-slicing: the device's time is shared, one context at a time
        s.elements.push_back({d.sm, 1.0});
        s.rate_factor = computing >= 2 ? 1.0 / (1.0 + cal_.time_slice_overhead) : 1.0;
    }
    return s;
}

double GpuPool::power_now(const Device& d) const {
    if (d.computing.empty())
        return d.spec.idle_power;
    double p = d.spec.active_power;
    for (std::uint64_t k : d.computing) {
        const Part& part = tasks_[k >> 32].parts[k & 0xffffffffu];
        p += part.dynamic_power * engine_.rate(part.act);
    }
    return std::min(p, d.spec.max_power);
}

void GpuPool::settle(Device& d, double now) {
    // Power is constant between two changes of the device's computing set: only this device's
    // parts use its resources, so their rates change only then. The work each part did since
    // the last settle, divided by the interval, is its rate there (also for a part that has
    // just completed, whose engine rate is already 0).
    const double dt = now - d.last;
    d.last = now;
    if (dt <= 0 || d.computing.empty())
        return;
    d.active_time += dt;
    double dynamic = 0;
    for (std::uint64_t k : d.computing) {
        Part& part = tasks_[k >> 32].parts[k & 0xffffffffu];
        const double left = engine_.remaining(part.act);
        part.rate = (part.left - left) / dt;
        part.left = left;
        dynamic += part.dynamic_power * part.rate;
    }
    const double total = d.spec.active_power + dynamic;
    const double scale = total > d.spec.max_power ? d.spec.max_power / total : 1.0; // power cap
    d.dynamic_energy += (total * scale - d.spec.active_power) * dt;
    const double base = d.spec.active_power * scale / static_cast<double>(d.computing.size());
    for (std::uint64_t k : d.computing) {
        Part& part = tasks_[k >> 32].parts[k & 0xffffffffu];
        part.energy += (base + part.dynamic_power * part.rate * scale) * dt;
    }
}

void GpuPool::respec_time_slicing(Device& d, std::size_t before, std::uint64_t skip) {
    // Time-slicing overhead applies with two or more contexts: when the count crosses 1 <-> 2,
    // the running parts restart with their remaining work under the new rate factor.
    const GpuPolicy& pol = policies_[d.policy];
    const std::size_t after = d.computing.size();
    if (pol.execution == GpuPolicy::Execution::mps || pol.slots == GpuPolicy::Slots::mig)
        return;
    if ((before >= 2) == (after >= 2))
        return;
    for (std::uint64_t k : d.computing) {
        const TaskId t = static_cast<TaskId>(k >> 32);
        const auto pi = static_cast<std::uint32_t>(k & 0xffffffffu);
        Part& part = tasks_[t].parts[pi];
        if (k == skip)
            continue; // the part that just joined already has the new spec
        const double left = engine_.remaining(part.act);
        engine_.cancel(part.act);
        by_activity_[part.act] = none;
        part.act = engine_.start(std::max(left, 1e-12), work_spec(d, part, tasks_[t].req, after));
        part.left = std::max(left, 1e-12);
        track(part.act, t, pi);
    }
}

void GpuPool::join(TaskId t, std::uint32_t pi, double now) {
    Task& task = tasks_[t];
    Part& part = task.parts[pi];
    Device& d = devices_[part.device];
    settle(d, now);
    const GpuRequest& r = task.req;
    const double work = r.seconds > 0 ? r.seconds : r.flops / d.spec.flops;
    part.dynamic_power = r.power > 0 ? std::max(0.0, r.power - d.spec.active_power)
                                     : (d.spec.max_power - d.spec.active_power) * r.intensity * r.duty;
    part.computing = true;
    part.work_start = now;
    const std::size_t before = d.computing.size();
    d.computing.push_back(key(t, pi));
    part.act = engine_.start(std::max(work, 1e-12), work_spec(d, part, r, d.computing.size()));
    part.left = std::max(work, 1e-12);
    track(part.act, t, pi);
    respec_time_slicing(d, before, key(t, pi));
}

void GpuPool::leave(TaskId t, std::uint32_t pi, double now, bool cancel) {
    Task& task = tasks_[t];
    Part& part = task.parts[pi];
    Device& d = devices_[part.device];
    settle(d, now);
    if (cancel) {
        engine_.cancel(part.act);
        by_activity_[part.act] = none;
    }
    const std::size_t before = d.computing.size();
    d.computing.erase(std::find(d.computing.begin(), d.computing.end(), key(t, pi)));
    part.computing = false;
    d.memory_used -= task.req.memory + cal_.context_memory;
    d.last_use = std::max(d.last_use, now);
    respec_time_slicing(d, before, none);
}

std::optional<GpuPool::Ended> GpuPool::on_activity_done(ActivityId id, double now) {
    if (id >= by_activity_.size() || by_activity_[id] == none)
        return std::nullopt;
    const std::uint64_t k = by_activity_[id];
    by_activity_[id] = none;
    const auto t = static_cast<TaskId>(k >> 32);
    const auto pi = static_cast<std::uint32_t>(k & 0xffffffffu);
    Task& task = tasks_[t];
    Part& part = task.parts[pi];
    Device& d = devices_[part.device];
    if (!part.computing) {
        // Context ready: allocate memory. MPS limits count the context (measured: a 1 GB limit
        // leaves ~0.5 GB); MIG partitions are isolated; otherwise the whole device is shared.
        const double need = task.req.memory + cal_.context_memory;
        const GpuPolicy& pol = policies_[d.policy];
        const int partition = d.slots[part.slot].partition;
        bool oom = false;
        if (partition >= 0)
            oom = need > d.partitions[static_cast<std::size_t>(partition)].memory;
        else
            oom = d.memory_used + need > d.spec.memory;
        if (pol.execution == GpuPolicy::Execution::mps && pol.memory_limit > 0 && need > pol.memory_limit)
            oom = true;
        if (!oom) {
            d.memory_used += need;
            join(t, pi, now);
            return std::nullopt;
        }
        task.oom = true;
        part.done = true;
        part.end = now;
        d.last_use = std::max(d.last_use, now);
        // The job ends: its other parts stop too.
        for (std::uint32_t j = 0; j < task.parts.size(); ++j) {
            Part& other = task.parts[j];
            if (other.done)
                continue;
            if (other.computing)
                leave(t, j, now, true);
            else {
                engine_.cancel(other.act);
                by_activity_[other.act] = none;
            }
            other.done = true;
            other.end = now;
        }
        ++oom_[d.policy];
        return Ended{task.owner, t, true};
    }
    leave(t, pi, now, false);
    part.done = true;
    part.end = now;
    if (--task.left > 0)
        return std::nullopt;
    ++jobs_[d.policy];
    return Ended{task.owner, t, false};
}

GpuPool::TaskReport GpuPool::report(TaskId t) const {
    const Task& task = tasks_[t];
    TaskReport r;
    r.memory = task.req.memory;
    double first = std::numeric_limits<double>::infinity(), last = 0;
    for (std::size_t i = 0; i < task.parts.size(); ++i) {
        const Part& p = task.parts[i];
        const Device& d = devices_[p.device];
        if (i == 0) {
            r.devices = d.name;
            r.policy = policies_[d.policy].describe();
        } else {
            r.devices += fmt::format("+gpu{}", d.index);
        }
        if (d.slots[p.slot].partition >= 0)
            r.devices += ":" + d.partitions[static_cast<std::size_t>(d.slots[p.slot].partition)].name;
        if (p.work_start > 0 || p.end > 0) {
            first = std::min(first, p.work_start);
            last = std::max(last, p.end);
        }
        r.energy += p.energy;
    }
    r.gpu_time = last > first ? last - first : 0.0;
    return r;
}

void GpuPool::release(TaskId t) {
    Task& task = tasks_[t];
    for (const Part& p : task.parts) {
        Device& d = devices_[p.device];
        d.slots[p.slot].busy = false;
        --d.claimed;
    }
    task.live = false;
    tasks_.release(t);
}

void GpuPool::abort(TaskId t, double now) {
    Task& task = tasks_[t];
    for (std::uint32_t i = 0; i < task.parts.size(); ++i) {
        Part& part = task.parts[i];
        if (part.done)
            continue;
        if (part.computing) {
            leave(t, i, now, true);
        } else if (part.act < by_activity_.size() && by_activity_[part.act] == key(t, i)) {
            engine_.cancel(part.act); // context still being created: no memory held yet
            by_activity_[part.act] = none;
        }
        part.done = true;
        part.end = now;
    }
    release(t);
}

void GpuPool::sample(double now, const std::function<void(const GpuSample&)>& out) {
    (void)now;
    for (const Device& d : devices_) {
        double util = 0;
        for (std::uint64_t k : d.computing) {
            const Task& task = tasks_[k >> 32];
            const Part& part = task.parts[k & 0xffffffffu];
            util += engine_.rate(part.act) * task.req.intensity * task.req.duty;
        }
        out(GpuSample{d.name, std::min(util, 1.0), power_now(d)});
    }
}

std::vector<GpuPolicyStats> GpuPool::stats(double now) {
    std::vector<GpuPolicyStats> out(policies_.size());
    for (std::size_t p = 0; p < policies_.size(); ++p) {
        out[p].policy = policies_[p].describe();
        out[p].jobs = jobs_[p];
        out[p].out_of_memory = oom_[p];
    }
    for (Device& d : devices_) {
        settle(d, now);
        GpuPolicyStats& s = out[d.policy];
        ++s.devices;
        s.window_start = std::min(s.window_start, d.first_use);
        s.window_end = std::max(s.window_end, std::max(d.last_use, d.computing.empty() ? 0.0 : now));
        s.busy_time += d.active_time;
    }
    for (const Device& d : devices_) {
        GpuPolicyStats& s = out[d.policy];
        if (!(s.window_end > s.window_start))
            continue;
        const double window = s.window_end - s.window_start;
        s.energy += d.spec.idle_power * window + (d.spec.active_power - d.spec.idle_power) * d.active_time +
                    d.dynamic_energy;
    }
    return out;
}

} // namespace hepkit::sim
