#include "hepkit/sim/output/GridReport.hpp"

#include "hepkit/core/Plural.hpp"
#include "hepkit/core/Units.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace hepkit::sim {

TraceWriter::TraceWriter(const std::string& path) : TraceWriter(path, Columns{true, true}) {}

TraceWriter::TraceWriter(const std::string& path, Columns columns) : file_(path), columns_(columns) {
    file_.stream() << "job.tag, machine.name, hitrate, job.start, job.end, job.computetime, job.flops, "
                      "infiles.transfertime, infiles.size, outfiles.transfertime, outfiles.size, "
                      "site, submit, queue_wait, cores, memory, bytes_from_cache, bytes_from_remote, status";
    if (columns_.gpu)
        file_.stream() << ", gpu_device, gpu_policy, gpu_time, gpu_memory";
    if (columns_.energy)
        file_.stream() << ", energy";
    file_.stream() << '\n';
}

void TraceWriter::add(const JobRecord& r) {
    // Numbers as DCSim prints them (std::to_string: 6 decimals); sizes as whole bytes.
    file_.stream() << fmt::format(
        "{}, {}, {}, {:.6f}, {:.6f}, {:.6f}, {:.6f}, {:.6f}, {:.0f}, {:.6f}, {:.0f}, "
        "{}, {:.6f}, {:.6f}, {}, {:.0f}, {:.0f}, {:.0f}, {}",
        r.tag, r.machine, r.hitrate, r.start, r.end, r.compute_time, r.flops, r.infile_time, r.infile_size,
        r.outfile_time, r.outfile_size, r.site, r.submit, r.queue_wait, r.cores, r.memory, r.bytes_from_cache,
        r.bytes_from_remote, r.status);
    if (columns_.gpu)
        file_.stream() << fmt::format(", {}, {}, {:.6f}, {:.0f}", r.gpu_devices, r.gpu_policy, r.gpu_time,
                                      r.gpu_memory);
    if (columns_.energy)
        file_.stream() << fmt::format(", {:.3f}", r.energy);
    file_.stream() << '\n';
}

void JobTotals::add(const JobRecord& r) {
    if (r.status != "done") {
        ++failed;
        return;
    }
    ++done;
    wall += r.end - r.start;
    compute += r.compute_time;
    gpu += r.gpu_time;
    infile += r.infile_time;
    outfile += r.outfile_time;
    queue += r.queue_wait;
    core_seconds += r.cores * (r.end - r.start);
    bytes_cache += r.bytes_from_cache;
    bytes_remote += r.bytes_from_remote;
    bytes_out += r.outfile_size;
}

nlohmann::json JobTotals::to_json() const {
    return {{"jobs_done", done},
            {"jobs_failed", failed},
            {"cpu_efficiency", cpu_efficiency()},
            {"compute_efficiency", efficiency()},
            {"mean_gpu_time_s", mean(gpu)},
            {"mean_wall_time_s", mean(wall)},
            {"mean_compute_time_s", mean(compute)},
            {"mean_input_transfer_time_s", mean(infile)},
            {"mean_output_transfer_time_s", mean(outfile)},
            {"mean_queue_wait_s", mean(queue)},
            {"bytes_from_cache", bytes_cache},
            {"bytes_from_remote", bytes_remote},
            {"bytes_written", bytes_out},
            {"cache_hit_rate", cache_hit_rate()}};
}

void Summary::add(const JobRecord& r) {
    overall.add(r);
    if (!r.site.empty())
        sites[r.site].add(r);
    ++status[r.status];
    makespan = std::max(makespan, r.end);
}

double Summary::utilisation(const std::string& site) const {
    const auto s = sites.find(site);
    const auto it = site_cores.find(site);
    const double cores = it == site_cores.end() ? 0.0 : it->second;
    return s != sites.end() && cores > 0 && makespan > 0 ? s->second.core_seconds / (cores * makespan) : 0.0;
}

std::string Summary::title() const {
    return fmt::format("{} ({} on {} in {}, dispatcher {})", scenario, plural(jobs_total, "job"),
                       plural(workers, "worker"), plural(site_count, "site"), dispatcher);
}

nlohmann::json Summary::to_json() const {
    nlohmann::json doc;
    doc["makespan_s"] = makespan;
    doc["overall"] = overall.to_json();
    for (const auto& [name, t] : sites) {
        auto j = t.to_json();
        const auto it = site_cores.find(name);
        const double cores = it == site_cores.end() ? 0.0 : it->second;
        j["cores"] = cores;
        j["utilisation"] = cores > 0 && makespan > 0 ? t.core_seconds / (cores * makespan) : 0.0;
        doc["sites"][name] = j;
    }
    for (const auto& [s, n] : status)
        doc["status"][s] = n;
    doc["transfer_classes"] = {{"remote_reads_bytes", overall.bytes_remote},
                               {"cache_reads_bytes", overall.bytes_cache},
                               {"output_writes_bytes", overall.bytes_out}};
    doc["run"] = {{"wall_time_s", wall_seconds}, {"events", events}};
    if (host_energy > 0)
        doc["host_energy_J"] = host_energy;
    for (const auto& d : drones) {
        const double lost = d.core_hours_boot + d.core_hours_drain_idle;
        const double total = d.core_hours_boot + d.core_hours_delivered;
        doc["opportunistic"][d.site] = {
            {"drones_started", d.drones_started},
            {"core_hours_delivered", d.core_hours_delivered},
            {"core_hours_used", d.core_hours_used},
            {"core_hours_boot", d.core_hours_boot},
            {"core_hours_drain_idle", d.core_hours_drain_idle},
            {"fraction_lost_to_boot", total > 0 ? d.core_hours_boot / total : 0.0},
            {"fraction_lost_to_drain", total > 0 ? d.core_hours_drain_idle / total : 0.0},
            {"fraction_lost", total > 0 ? lost / total : 0.0},
            {"jobs_run", d.jobs_run},
            {"jobs_killed", d.jobs_killed},
            {"cost", d.cost}};
    }
    for (const auto& g : gpu) {
        const double hours = g.gpu_hours();
        doc["gpu"][g.policy] = {
            {"devices", g.devices},
            {"jobs", g.jobs},
            {"out_of_memory", g.out_of_memory},
            {"window_s", g.window_end > g.window_start ? g.window_end - g.window_start : 0.0},
            {"gpu_hours", hours},
            {"jobs_per_gpu_hour", hours > 0 ? static_cast<double>(g.jobs) / hours : 0.0},
            {"energy_J", g.energy},
            {"joules_per_job", g.jobs > 0 ? g.energy / static_cast<double>(g.jobs) : 0.0},
            {"busy_fraction", hours > 0 ? g.busy_time / (hours * 3600) : 0.0}};
    }
    return doc;
}

std::string Summary::table(const std::string& title, std::size_t max_sites) const {
    std::string out = fmt::format("hepkit sim: {}\n", title);
    const JobTotals& all = overall;
    out += fmt::format("  makespan            {}\n", units::format_duration(makespan));
    out += fmt::format("  jobs                {} done, {} failed\n", all.done, all.failed);
    if (all.gpu > 0)
        out += fmt::format(
            "  efficiency          {:.3f} ((CPU compute + GPU time) / wall time; CPU alone {:.3f})\n",
            all.efficiency(), all.cpu_efficiency());
    else
        out += fmt::format("  CPU efficiency      {:.3f} (compute time / wall time)\n", all.cpu_efficiency());
    out += fmt::format(
        "  mean job wall time  {:.6g} s (compute {:.6g} s, input transfer {:.6g} s, queue {:.6g} s)\n",
        all.mean(all.wall), all.mean(all.compute), all.mean(all.infile), all.mean(all.queue));
    out += fmt::format("  data                {} from remote, {} from caches (hit rate {:.3f}), {} written\n",
                       units::format_bytes(all.bytes_remote), units::format_bytes(all.bytes_cache),
                       all.cache_hit_rate(), units::format_bytes(all.bytes_out));
    out += site_rows(max_sites);
    if (!gpu.empty()) {
        out += fmt::format("  {:<34} {:>4} {:>7} {:>5} {:>12} {:>10} {:>6}\n", "GPU policy", "GPUs", "jobs",
                           "OOM", "jobs/GPU-h", "J/job", "busy");
        for (const auto& g : gpu) {
            const double hours = g.gpu_hours();
            out +=
                fmt::format("  {:<34} {:>4} {:>7} {:>5} {:>12.4g} {:>10.4g} {:>6.3f}\n", g.policy, g.devices,
                            g.jobs, g.out_of_memory, hours > 0 ? static_cast<double>(g.jobs) / hours : 0.0,
                            g.jobs > 0 ? g.energy / static_cast<double>(g.jobs) : 0.0,
                            hours > 0 ? g.busy_time / (hours * 3600) : 0.0);
        }
    }
    if (host_energy > 0)
        out += fmt::format("  host energy         {:.4g} kWh\n", host_energy / 3.6e6);
    if (!drones.empty()) {
        // delivered, used, boot and drain are core-hours (cores x hours), not hours
        out += fmt::format("  {:<16} {:>7} {:>16} {:>8} {:>8} {:>8} {:>7} {:>7} {:>9}\n", "opportunistic",
                           "drones", "core-h delivered", "used", "boot", "drain", "jobs", "killed", "cost");
        for (const auto& d : drones)
            out += fmt::format("  {:<16} {:>7} {:>16.4g} {:>8.4g} {:>8.4g} {:>8.4g} {:>7} {:>7} {:>9.4g}\n",
                               d.site, d.drones_started, d.core_hours_delivered, d.core_hours_used,
                               d.core_hours_boot, d.core_hours_drain_idle, d.jobs_run, d.jobs_killed, d.cost);
    }
    out += fmt::format("  run                 {} events in {:.3g} s wall ({:.3g} events/s)\n", events,
                       wall_seconds, wall_seconds > 0 ? static_cast<double>(events) / wall_seconds : 0.0);
    return out;
}

std::string Summary::site_rows(std::size_t max_sites) const {
    // The sites with most jobs first (a 164-site run would otherwise print 164 rows), then the
    // number left out and the totals over all sites.
    std::vector<const std::pair<const std::string, JobTotals>*> order;
    for (const auto& kv : sites)
        order.push_back(&kv);
    std::stable_sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
        return a->second.done + a->second.failed > b->second.done + b->second.failed;
    });
    const bool gpus = overall.gpu > 0;
    std::string out = fmt::format("  {:<20} {:>6} {:>7} {:>9} {:>11}\n", "site", "cores", "jobs",
                                  gpus ? "eff." : "CPU eff.", "utilisation");
    double cores_total = 0, core_seconds = 0;
    for (const auto& [name, t] : sites) {
        const auto it = site_cores.find(name);
        cores_total += it == site_cores.end() ? 0.0 : it->second;
        core_seconds += t.core_seconds;
    }
    auto row = [&](const std::string& name, double cores, std::size_t jobs, double eff, double used) {
        return fmt::format("  {:<20} {:>6.0f} {:>7} {:>9.3f} {:>11.3f}\n", name, cores, jobs, eff,
                           cores > 0 && makespan > 0 ? used / (cores * makespan) : 0.0);
    };
    for (std::size_t i = 0; i < order.size() && i < max_sites; ++i) {
        const auto& [name, t] = *order[i];
        const auto it = site_cores.find(name);
        out += row(name, it == site_cores.end() ? 0.0 : it->second, t.done,
                   gpus ? t.efficiency() : (t.wall > 0 ? t.compute / t.wall : 0.0), t.core_seconds);
    }
    if (order.size() > max_sites)
        out += fmt::format("  ... {} more {} (--all-sites lists every site)\n", order.size() - max_sites,
                           order.size() - max_sites == 1 ? "site" : "sites");
    if (order.size() > 1)
        out += row(fmt::format("all {} sites", order.size()), cores_total, overall.done,
                   gpus ? overall.efficiency() : overall.cpu_efficiency(), core_seconds);
    return out;
}

TimeSeriesWriter::TimeSeriesWriter(const std::string& path) : file_(path, "time,kind,name,value") {}

void TimeSeriesWriter::add(double time, const char* kind, const std::string& name, double value) {
    file_.line(fmt::format("{},{},{},{}", CsvWriter::number(time), kind, CsvWriter::field(name),
                           CsvWriter::number(value)));
}

DroneTraceWriter::DroneTraceWriter(const std::string& path)
    : file_(path, "time,drone,site,state,running_jobs") {}

void DroneTraceWriter::add(const DroneEvent& e) {
    file_.line(fmt::format("{},{},{},{},{}", CsvWriter::number(e.time), CsvWriter::field(e.drone),
                           CsvWriter::field(e.site), drone_states.name(e.state), e.running_jobs));
}

} // namespace hepkit::sim
