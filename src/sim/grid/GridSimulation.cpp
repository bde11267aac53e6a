#include "hepkit/sim/grid/GridSimulation.hpp"

#include "hepkit/core/Error.hpp"
#include "hepkit/core/Random.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fmt/format.h>
#include <limits>

namespace hepkit::sim {
namespace {
constexpr std::uint64_t sample_token = std::uint64_t{1} << 63;

std::vector<HostIndex> hosts_with_role(const Platform& p, const std::string& role) {
    std::vector<HostIndex> out;
    for (HostIndex h = 0; h < p.host_count(); ++h)
        if (host_has_role(p, h, role))
            out.push_back(h);
    return out;
}

bool writes_outputs(const WorkloadSet& workload) {
    for (const auto& j : workload.jobs)
        if (j.output_size > 0)
            return true;
    return false;
}
} // namespace

GridSimulation::GridSimulation(Simulation& sim, WorkloadSet workload, GridOptions options)
    : sim_(sim), workload_(std::move(workload)), options_(std::move(options)),
      dispatcher_(sim.platform(), hosts_with_role(sim.platform(), "worker"), options_.dispatcher.policy),
      outputs_(checked_platform(), workload_, worker_hosts(), options_.output_storage,
               writes_outputs(workload_)),
      inputs_(sim.platform(), workload_, worker_hosts(), options_.cache, options_.seed),
      queue_(options_.queue) {
    for (const auto& job : workload_.jobs)
        inputs_.stage(job.inputs);
    // Submission order: by time, then job order (duplicates follow their original).
    for (std::size_t d = 0; d < std::max<std::size_t>(1, options_.jobs.duplications); ++d)
        for (JobIndex j = 0; j < workload_.jobs.size(); ++j)
            order_.push_back(j);
    if (options_.jobs.shuffle) {
        auto rng = RandomStreams(options_.seed).stream("shuffle");
        for (std::size_t i = order_.size(); i > 1; --i)
            std::swap(order_[i - 1], order_[rng() % i]);
    }
    std::stable_sort(order_.begin(), order_.end(), [&](JobIndex a, JobIndex b) {
        return workload_.jobs[a].submit < workload_.jobs[b].submit;
    });
    flops_done_.assign(dispatcher_.workers().size(), 0.0);
    setup_gpus();
    setup_drones();
}

const Platform& GridSimulation::checked_platform() const {
    if (dispatcher_.workers().empty())
        throw std::invalid_argument(
            "the platform has no worker host (a host whose type property contains 'worker')");
    if (!(options_.streaming.block_size > 0))
        throw std::invalid_argument("the XRootD block size must be > 0");
    if (!(options_.cache.hitrate >= 0 && options_.cache.hitrate <= 1))
        throw std::invalid_argument(
            fmt::format("hit rate {} must be between 0 and 1", options_.cache.hitrate));
    if (!(options_.limits.max_sim_time > 0) || !std::isfinite(options_.limits.max_sim_time))
        throw InputError("", 0, "max_sim_time", "must be a finite time > 0");
    check_event_count();
    return sim_.platform();
}

std::vector<HostIndex> GridSimulation::worker_hosts() const {
    std::vector<HostIndex> hosts;
    for (const auto& w : dispatcher_.workers())
        hosts.push_back(w.host);
    return hosts;
}

SpecId GridSimulation::io_spec(HostIndex src, std::size_t disk, HostIndex dst, DiskModel::Op op) {
    const std::uint64_t key =
        ((static_cast<std::uint64_t>(src) << 34) ^ (static_cast<std::uint64_t>(dst) << 8) ^
         (static_cast<std::uint64_t>(disk) << 1)) |
        (op == DiskModel::Op::write ? 1u : 0u);
    auto it = io_specs_.find(key);
    if (it != io_specs_.end())
        return it->second;
    SharingSpec spec =
        sim_.network().sharing(op == DiskModel::Op::read ? src : dst, op == DiskModel::Op::read ? dst : src);
    const SharingSpec& io = sim_.disks().io_sharing(src, disk, op);
    spec.elements.insert(spec.elements.end(), io.elements.begin(), io.elements.end());
    const SpecId id = sim_.engine().intern(spec);
    io_specs_.emplace(key, id);
    return id;
}

void GridSimulation::check_event_count() const {
    // Each job: submission, computation(s), output; a copied file one read; a streamed file
    // two activities per block. Far above any real campaign (1e6 jobs x 10 files x 4 blocks is
    // 1e8), it stops inputs such as a 1 EB file in 1 kB blocks before they run for days.
    double events = 0;
    for (const auto& job : workload_.jobs) {
        double e = 4;
        for (FileIndex f : job.inputs)
            e += job.type == JobType::streaming
                     ? 2 * std::ceil(workload_.files[f].size / options_.streaming.block_size) + 1
                     : 1;
        events += e;
    }
    events *= static_cast<double>(std::max<std::size_t>(1, options_.jobs.duplications));
    if (events > options_.limits.max_events)
        throw InputError(
            "", 0, "max_events",
            fmt::format("the workload needs about {:.3g} activities (reads, computations, "
                        "writes), more than the bound of {:.3g}: check the job count, file sizes "
                        "and xrd_blocksize ({:.4g} B), or raise the scenario option max_events",
                        events, options_.limits.max_events, options_.streaming.block_size));
}

double GridSimulation::xrd_runaway_ratio() const {
    if (options_.streaming.xrd_overhead != XrdOverhead::dcsim || !options_.streaming.prefetch)
        return 0;
    const double f =
        std::max(options_.streaming.xrd_flops_per_time, options_.streaming.xrd_flops_per_time_local);
    double slowest = std::numeric_limits<double>::infinity();
    for (const auto& w : dispatcher_.workers())
        slowest = std::min(slowest, sim_.platform().host(w.host).speed);
    const double ratio = slowest > 0 ? f / slowest : 0;
    return ratio >= 1 ? ratio : 0;
}

void GridSimulation::warn(const std::string& message) const {
    if (warning_)
        warning_(message);
    else
        std::fprintf(stderr, "hepkit: warning: %s\n", message.c_str());
}

void GridSimulation::run(Observers observers) {
    observers_ = std::move(observers);
    Engine& engine = sim_.engine();
    engine.set_max_time(options_.limits.max_sim_time);
    const double runaway = xrd_runaway_ratio();
    if (runaway > 0)
        warn(fmt::format("with xrd_overhead_model dcsim and prefetching, each block's XRootD overhead "
                         "includes the previous block's computation: xrd_flops_per_time is {:.3g} x the "
                         "slowest worker's core speed, so streaming jobs' compute time grows by that factor "
                         "per block (DCSim does the same). The read-time model (the default) charges the "
                         "overhead per second of each block's own read",
                         runaway));
    engine.set_listener(this);
    if (!order_.empty())
        engine.schedule_timer(workload_.jobs[order_[0]].submit, 0);
    // Samples go only to an observer: without one the timer would just step the clock (and keep
    // an absurd run going one interval at a time).
    sampler_.emplace(options_.timeseries.interval, observers_.sample, options_.timeseries.max_samples);
    if (sampler_->active()) {
        add_probes(*sampler_);
        if (!order_.empty())
            engine.schedule_timer(0, sample_token);
    }
    if (drones_) {
        drones_->on_event = observers_.drone;
        drones_->start(0);
    }
    try {
        engine.run();
    } catch (const InputError& e) {
        engine.set_listener(nullptr);
        if (e.key() != "max_sim_time" || runaway == 0)
            throw;
        throw InputError(e.file(), e.line(), e.key(),
                         e.message() +
                             fmt::format(". Likely cause: the dcsim XRootD overhead model with "
                                         "xrd_flops_per_time {:.3g} x the core speed (see the warning "
                                         "above; use xrd_overhead_model read-time, "
                                         "xrd_flops_per_time 0 or prefetch off)",
                                         runaway));
    }
    engine.set_listener(nullptr);
    // Warn when the overhead, not the jobs' work, decided the streaming jobs' compute time.
    if (xrd_overhead_flops_ > block_flops_ && xrd_overhead_flops_ > 0)
        warn(fmt::format("the XRootD overhead ({:.4g} flop) exceeded the streamed blocks' own work ({:.4g} "
                         "flop) {:.3g}-fold: xrd_flops_per_time {:.4g} is large against the workers' core "
                         "speed (docs/models.md, \"XRootD overhead\"; 0 turns it off)",
                         xrd_overhead_flops_, block_flops_, xrd_overhead_flops_ / std::max(block_flops_, 1.0),
                         options_.streaming.xrd_flops_per_time));
}

void GridSimulation::on_timer(std::uint64_t token, double now) {
    if (drones_ && token != sample_token && (token & DronePool::token_bit)) {
        drones_->on_timer(token, now);
        schedule(now);
        return;
    }
    if (token == sample_token) {
        const double next = sampler_->take(now);
        if (done_ < order_.size())
            sim_.engine().schedule_timer(next, sample_token);
        return;
    }
    // Submit every job due now, then arm the timer for the next submission time.
    std::size_t i = static_cast<std::size_t>(token);
    while (i < order_.size() && workload_.jobs[order_[i]].submit <= now)
        submit(i++, now);
    if (i < order_.size())
        sim_.engine().schedule_timer(workload_.jobs[order_[i]].submit, i);
    schedule(now);
}

void GridSimulation::submit(std::size_t slot, double now) {
    const JobSpec& job = workload_.jobs[order_[slot]];
    if (!can_ever_run(job)) {
        JobRecord rec;
        rec.tag = job.id;
        rec.start = rec.end = rec.submit = now;
        rec.cores = job.cores;
        rec.memory = job.memory;
        rec.flops = job.flops;
        rec.status = "unschedulable";
        ++done_;
        if (observers_.job_finished)
            observers_.job_finished(rec);
        if (drones_ && done_ == order_.size())
            drones_->stop(now); // the last job: controllers stop, so does the run
        return;
    }
    queue_.push(slot, job.priority, job.submit, JobShape{job.cores, job.memory, job.gpu.wanted()});
}

void GridSimulation::schedule(double now) {
    queue_.dispatch(
        [&] { return dispatcher_.idle_cores() > 0; }, [&](std::size_t slot) { return place(order_[slot]); },
        [&](std::size_t slot, const Placement& placement) { start_job(order_[slot], placement, now, slot); });
}

std::optional<GridSimulation::Placement> GridSimulation::place(JobIndex j) {
    const JobSpec& job = workload_.jobs[j];
    if (job.gpu.wanted()) {
        // the GPU slots are claimed for the run that start_job() will take
        if (auto placed = dispatcher_.pick_gpu(job.cores, job.memory, job.gpu, job.user, runs_.next()))
            return Placement{placed->first, placed->second};
        return std::nullopt;
    }
    auto& preferred = scratch_preferred_; // members: no allocation per scheduling pass
    preferred.clear();
    if (dispatcher_.policy() == DispatchPolicy::data_locality && !job.inputs.empty()) {
        scratch_copies_.clear();
        inputs_.copies(job.inputs, scratch_copies_);
        dispatcher_.rank_by_locality(scratch_copies_, preferred);
    }
    if (auto worker = dispatcher_.pick(job.cores, job.memory, preferred))
        return Placement{*worker, std::nullopt};
    return std::nullopt;
}

void GridSimulation::start_job(JobIndex j, const Placement& placement, double now, std::size_t slot) {
    const JobSpec& job = workload_.jobs[j];
    const std::size_t worker = placement.worker;
    dispatcher_.take(worker, job.cores, job.memory);
    const std::uint32_t r = runs_.acquire();
    Run& run = runs_[r];
    run = Run{};
    run.job = j;
    run.worker = worker;
    run.gpu = placement.gpu;
    run.slot = slot;
    run.live = true;
    if (drones_)
        drones_->job_started(worker, job.cores, now);
    const HostIndex host = dispatcher_.workers()[worker].host;
    JobRecord& rec = run.record;
    rec.tag = job.id;
    rec.machine = sim_.platform().host(host).id;
    rec.site = dispatcher_.sites()[dispatcher_.workers()[worker].site].name;
    rec.start = now;
    rec.submit = job.submit;
    rec.queue_wait = now - job.submit;
    rec.cores = job.cores;
    rec.memory = job.memory;
    rec.flops = job.flops;
    rec.outfile_size = job.output_size;
    if (job.type == JobType::calculation) {
        run.stage = Stage::calc_exec;
        if (job.flops > 0)
            start_exec(r, job.flops, job.cores, now);
        else
            after_compute(r, now); // a pure GPU job
        return;
    }
    inputs_.choose_sources(job.inputs, worker, run.sources, rec.bytes_from_cache, rec.bytes_from_remote);
    for (FileIndex f : job.inputs)
        run.total_bytes += workload_.files[f].size;
    rec.infile_size = run.total_bytes;
    rec.hitrate = run.total_bytes > 0 ? rec.bytes_from_cache / run.total_bytes : 0;
    run.file = 0;
    next_file(r, now);
}

void GridSimulation::next_file(std::uint32_t r, double now) {
    Run& run = runs_[r];
    const JobSpec& job = workload_.jobs[run.job];
    if (run.file >= job.inputs.size()) {
        if (job.type == JobType::copy) {
            run.stage = Stage::copy_exec;
            if (job.flops > 0)
                start_exec(r, job.flops, options_.jobs.compute_on_all_cores ? job.cores : 1,
                           now); // DCSim: one core
            else
                after_compute(r, now);
        } else {
            after_compute(r, now);
        }
        return;
    }
    const double size = workload_.files[job.inputs[run.file]].size;
    if (job.type == JobType::copy) {
        run.stage = Stage::copy_read;
        start_read(r, size, now);
        return;
    }
    run.stage = Stage::first_read;
    run.to_process = size;
    run.blocks = size > 0 ? static_cast<std::uint64_t>(std::ceil(size / options_.streaming.block_size)) : 1;
    run.block = 0;
    start_read(r, std::min(options_.streaming.block_size, size), now);
}

double GridSimulation::block_flops(const Run& run, double bytes, double now) {
    const JobSpec& job = workload_.jobs[run.job];
    const double flops = run.total_bytes > 0 ? job.flops * bytes / run.total_bytes : 0;
    const bool local = run.sources[run.file].host == dispatcher_.workers()[run.worker].host;
    const double per_second =
        local ? options_.streaming.xrd_flops_per_time_local : options_.streaming.xrd_flops_per_time;
    // DCSim: from the start of the last read to now, which with prefetch also spans the previous
    // block's computation (the overhead then feeds on itself). read-time: the read's own duration;
    // the two agree whenever the read, not the computation, was the longer (and without prefetch).
    const double seconds =
        options_.streaming.xrd_overhead == XrdOverhead::dcsim ? now - run.xrd_block_start : run.xrd_read_time;
    const double overhead = per_second * seconds;
    xrd_overhead_flops_ += overhead;
    block_flops_ += flops;
    return flops + overhead;
}

void GridSimulation::stream_step(std::uint32_t r, double now) {
    // DCSim's StreamedComputation: with block b in memory, compute it while reading block b+1.
    Run& run = runs_[r];
    const double bytes = std::min(options_.streaming.block_size, run.to_process);
    const double flops = block_flops(run, bytes, now);
    run.to_process -= bytes;
    if (run.block + 1 >= run.blocks) {
        run.stage = Stage::final_exec;
        start_exec(r, flops, options_.jobs.compute_on_all_cores ? workload_.jobs[run.job].cores : 1, now);
        return;
    }
    // DCSim reads min(block, bytes left before this block) as the next block: one block too
    // much at the end of a file. hepkit reads what is left, unless asked to reproduce DCSim.
    const double next = options_.streaming.dcsim_block_sizes
                            ? bytes
                            : std::min(options_.streaming.block_size, run.to_process);
    start_exec(r, flops, options_.jobs.compute_on_all_cores ? workload_.jobs[run.job].cores : 1, now);
    if (options_.streaming.prefetch) {
        run.stage = Stage::step_both;
        start_read(r, next, now);
    } else {
        run.stage = Stage::step_exec_then_read;
        run.pending_read_bytes = next;
    }
}

void GridSimulation::start_read(std::uint32_t r, double bytes, double now) {
    Run& run = runs_[r];
    const InputSource& src = run.sources[run.file];
    const HostIndex worker = dispatcher_.workers()[run.worker].host;
    const SpecId spec = io_spec(src.host, src.disk, worker, DiskModel::Op::read);
    const ActivityId id = sim_.engine().start(bytes, spec, sim_.network().start_delay(src.host, worker));
    expect(id, r, Op::read);
    run.read_pending = true;
    run.read_start = now;
}

void GridSimulation::start_exec(std::uint32_t r, double flops, int cores, double now) {
    Run& run = runs_[r];
    // Even alone on its cores a computation cannot end earlier than this: when that lies beyond
    // the horizon, fail now instead of stepping periodic timers (time series) up to it.
    const double best = sim_.platform().host(dispatcher_.workers()[run.worker].host).speed * cores;
    if (best > 0 && now + flops / best > options_.limits.max_sim_time)
        throw InputError(
            "", 0, "max_sim_time",
            fmt::format("job '{}' starts a computation of {:.4g} flop on {} core(s) of {:.4g} flop/s "
                        "at {:.4g} s: it cannot end before {:.4g} s, beyond the horizon of {:.4g} s "
                        "({:.3g} years); some time, size or rate in the inputs is absurd (raise the "
                        "horizon with the scenario option max_sim_time if such times are meant)",
                        workload_.jobs[run.job].id, flops, cores, best / cores, now, now + flops / best,
                        options_.limits.max_sim_time, options_.limits.max_sim_time / 3.15576e7));
    const ActivityId id = sim_.cpus().execute(dispatcher_.workers()[run.worker].host, flops, cores);
    expect(id, r, Op::exec);
    run.exec_pending = true;
    run.exec_start = now;
}

void GridSimulation::after_compute(std::uint32_t r, double now) {
    Run& run = runs_[r];
    if (!run.gpu || run.stage == Stage::gpu) {
        start_output(r, now);
        return;
    }
    run.stage = Stage::gpu;
    dispatcher_.gpus()->start(*run.gpu, now);
}

void GridSimulation::start_output(std::uint32_t r, double now) {
    Run& run = runs_[r];
    const JobSpec& job = workload_.jobs[run.job];
    if (!outputs_.has_storage()) { // only jobs without output exist (checked)
        finish(r, now, "done");
        return;
    }
    const auto target = outputs_.reserve(run.worker, job.output_size);
    if (!target) {
        finish(r, now, "output-storage-full");
        return;
    }
    run.stage = Stage::output;
    const HostIndex worker = dispatcher_.workers()[run.worker].host;
    const SpecId spec = io_spec(target->host, target->disk, worker, DiskModel::Op::write);
    const ActivityId id =
        sim_.engine().start(job.output_size, spec, sim_.network().start_delay(worker, target->host));
    expect(id, r, Op::write);
    run.read_start = now;
}

void GridSimulation::expect(ActivityId id, std::uint32_t run, Op op) {
    if (pending_.size() <= id)
        pending_.resize(id + 1);
    pending_[id] = Pending{run, op};
}

void GridSimulation::on_activity_done(ActivityId id, double now) {
    // A heartbeat for progress lines: a streaming job runs many blocks between job ends.
    if (observers_.progress && (sim_.engine().events_processed() & 1023) == 0)
        observers_.progress(done_, order_.size(), now);
    if (id >= pending_.size() || pending_[id].run == Pending{}.run)
        return;
    const Pending p = pending_[id];
    pending_[id] = Pending{};
    const std::uint32_t r = p.run;
    Run& run = runs_[r];
    if (p.op == Op::gpu) {
        if (auto ended = dispatcher_.gpus()->on_activity_done(id, now)) {
            if (ended->out_of_memory)
                finish(r, now, "gpu-out-of-memory");
            else
                start_output(r, now);
        }
        return;
    }
    switch (p.op) {
    case Op::read:
        run.read_pending = false;
        run.record.infile_time += now - run.read_start;
        run.xrd_block_start = run.read_start; // DCSim's xrd_block_start_time
        run.xrd_read_time = now - run.read_start;
        break;
    case Op::exec:
        run.exec_pending = false;
        run.record.compute_time += now - run.exec_start;
        break;
    case Op::write:
        run.record.outfile_time += now - run.read_start;
        break;
    case Op::gpu:
        break;
    }
    switch (run.stage) {
    case Stage::calc_exec:
    case Stage::copy_exec:
        after_compute(r, now);
        return;
    case Stage::gpu:
        return;
    case Stage::copy_read:
    case Stage::final_exec:
        ++run.file;
        next_file(r, now);
        return;
    case Stage::first_read:
    case Stage::step_read_after_exec:
        if (run.stage == Stage::step_read_after_exec)
            ++run.block;
        stream_step(r, now);
        return;
    case Stage::step_both:
        if (run.read_pending || run.exec_pending)
            return;
        ++run.block;
        stream_step(r, now);
        return;
    case Stage::step_exec_then_read:
        run.stage = Stage::step_read_after_exec;
        start_read(r, run.pending_read_bytes, now);
        return;
    case Stage::output:
        finish(r, now, "done");
        return;
    }
}

void GridSimulation::finish(std::uint32_t r, double now, const char* status) {
    Run& run = runs_[r];
    const JobSpec& job = workload_.jobs[run.job];
    run.record.end = now;
    run.record.status = status;
    const HostSpec& host = sim_.platform().host(dispatcher_.workers()[run.worker].host);
    flops_done_[run.worker] += job.flops;
    if (host.power_max > host.power_idle)
        run.record.energy += (host.power_max - host.power_idle) * job.flops / (host.speed * host.cores);
    if (run.gpu) {
        GpuPool& gpus = *dispatcher_.gpus();
        const auto rep = gpus.report(*run.gpu);
        run.record.gpu_devices = rep.devices;
        run.record.gpu_policy = rep.policy;
        run.record.gpu_time = rep.gpu_time;
        run.record.gpu_memory = rep.memory;
        run.record.energy += rep.energy;
        gpus.release(*run.gpu);
        run.gpu.reset();
    }
    dispatcher_.give(run.worker, job.cores, job.memory);
    run.live = false;
    if (drones_)
        drones_->job_ended(run.worker, job.cores, now, false);
    ++done_;
    if (drones_ && done_ == order_.size())
        drones_->stop(now);
    if (observers_.job_finished)
        observers_.job_finished(run.record);
    if (observers_.progress)
        observers_.progress(done_, order_.size(), now);
    runs_.release(r);
    schedule(now);
}

} // namespace hepkit::sim
