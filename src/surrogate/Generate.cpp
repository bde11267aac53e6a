// hepkit surrogate generate: hepkit sim over the samples of a space, one directory per sample,
// resumable (a sample with observables.json is done), in parallel threads.

#include "hepkit/surrogate/Generate.hpp"

#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/ThreadPool.hpp"
#include "hepkit/sim/grid/GridScenario.hpp"
#include "hepkit/sim/grid/JobArray.hpp"
#include "hepkit/sim/grid/Run.hpp"
#include "hepkit/surrogate/Features.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <yaml-cpp/yaml.h>

namespace hepkit::surrogate {

namespace fs = std::filesystem;

namespace {

// The fractions of the jobs by whose end the throughput curve is sampled: the curve of
// finished jobs against time, as five times (t10 ... t90), comparable between scenarios.
constexpr double kQuantiles[] = {0.10, 0.25, 0.50, 0.75, 0.90};

fs::path sample_dir(const std::string& out_dir, std::size_t k) {
    return fs::path(out_dir) / "scenarios" / fmt::format("{:06d}", k);
}

// The platform as numbers: what a platform-aware model reads (hosts with their roles, cores,
// speed and disks; links with bandwidth and latency).
nlohmann::json platform_json(const sim::Platform& p) {
    nlohmann::json hosts = nlohmann::json::array(), links = nlohmann::json::array();
    for (sim::HostIndex h = 0; h < p.host_count(); ++h) {
        const auto& spec = p.host(h);
        const auto type = spec.props.find("type");
        double read = 0, write = 0, size = 0;
        for (const auto& d : spec.disks) {
            read += d.read_bw;
            write += d.write_bw;
            size += d.size;
        }
        hosts.push_back({{"id", spec.id},
                         {"zone", p.zone_name(p.host_zone(h))},
                         {"type", type == spec.props.end() ? "" : type->second},
                         {"cores", spec.cores},
                         {"speed", spec.speed},
                         {"disk_read_bw", read},
                         {"disk_write_bw", write},
                         {"disk_size", size}});
    }
    for (sim::LinkIndex l = 0; l < p.link_count(); ++l) {
        const auto& link = p.link(l);
        if (link.id == "__loopback__")
            continue;
        links.push_back({{"id", link.id}, {"bandwidth", link.bandwidth}, {"latency", link.latency}});
    }
    return {{"hosts", hosts}, {"links", links}};
}

struct JobTimes {
    double end, wall, compute, infile, outfile;
};

nlohmann::json named(const std::vector<std::string>& names, const std::vector<double>& values) {
    nlohmann::json j = nlohmann::json::object();
    for (std::size_t i = 0; i < values.size(); ++i)
        j[names[i]] = values[i];
    return j;
}

nlohmann::json observables(const Sample& s, const sim::Summary& summary, std::vector<JobTimes> jobs,
                           double wall_seconds) {
    nlohmann::json o;
    o["sample"] = s.index;
    o["seed"] = s.scenario_seed >> 1;
    o["base"] = s.base;
    o["values"] = s.values;
    const auto& t = summary.overall;
    o["jobs"] = summary.jobs_total;
    o["done"] = t.done;
    o["failed"] = t.failed;
    o["makespan_s"] = summary.makespan;
    o["mean_wall_time_s"] = t.mean(t.wall);
    o["mean_compute_time_s"] = t.mean(t.compute);
    o["mean_input_transfer_time_s"] = t.mean(t.infile);
    o["mean_output_transfer_time_s"] = t.mean(t.outfile);
    o["cpu_efficiency"] = t.cpu_efficiency();
    std::sort(jobs.begin(), jobs.end(), [](const JobTimes& a, const JobTimes& b) { return a.end < b.end; });
    for (const double q : kQuantiles) {
        double at = 0;
        if (!jobs.empty()) {
            const auto i = static_cast<std::size_t>(std::ceil(q * static_cast<double>(jobs.size()))) - 1;
            at = jobs[std::min(i, jobs.size() - 1)].end;
        }
        o[fmt::format("t{:02d}_s", static_cast<int>(std::lround(q * 100)))] = at;
    }
    nlohmann::json util = nlohmann::json::object();
    for (const auto& [site, cores] : summary.site_cores)
        util[site] = summary.utilisation(site);
    o["utilisation"] = util;
    o["sim_wall_s"] = wall_seconds;
    o["engine_events"] = summary.events;
    return o;
}

// The throughput over time: the jobs done by each of 100 evenly spaced times up to the makespan
// (what a surrogate's throughput curve is compared with; t10 … t90 in observables.json are
// five points of it).
void write_throughput(const std::string& path, const std::vector<JobTimes>& jobs, double makespan) {
    std::vector<double> ends;
    for (const auto& j : jobs)
        ends.push_back(j.end);
    std::sort(ends.begin(), ends.end());
    CsvWriter out(path, "time_s,jobs_done");
    constexpr int kPoints = 100;
    for (int i = 0; i <= kPoints; ++i) {
        const double t = makespan * i / kPoints;
        const auto done = std::upper_bound(ends.begin(), ends.end(), t) - ends.begin();
        out.line(fmt::format("{},{}", CsvWriter::number(t), done));
    }
    out.commit();
}

void run_sample(const Space& space, std::size_t k, const std::string& out_dir, GenerateReport& report,
                std::mutex& report_mutex) {
    const fs::path dir = sample_dir(out_dir, k);
    if (fs::exists(dir / "observables.json")) {
        const std::lock_guard l(report_mutex);
        ++report.skipped;
        return;
    }
    Sample s = draw(space, k);
    // A value the platform allowed less of (removed_hosts beyond its workers) is recorded as
    // applied, so that value.NAME in the index says what the sample simulated; the draw as
    // drawn.NAME in observables.json.
    std::map<std::string, double> applied;
    const std::string scenario_file = write_variation(space, s, dir.string(), &applied);
    nlohmann::json drawn = nlohmann::json::object();
    for (const auto& [name, value] : applied) {
        drawn[name] = s.values.at(name);
        s.values[name] = value;
    }
    sim::GridScenario scenario = sim::read_grid_scenario(
        config::YamlView(config::load_yaml_file(scenario_file), scenario_file), dir.string());
    write_json_file(dir / "platform.json", platform_json(*scenario.platform), 2);
    const std::vector<double> features = scenario_features(scenario);
    const std::vector<double> settings = scenario_settings(scenario);
    std::vector<JobTimes> jobs;
    sim::RunOptions options;
    options.trace = (dir / "trace.csv").string();
    options.job_finished = [&](const sim::JobRecord& r) {
        if (r.status == "done")
            jobs.push_back({r.end, r.end - r.start, r.compute_time, r.infile_time, r.outfile_time});
    };
    std::size_t warnings = 0;
    options.warning = [&](const std::string&) { ++warnings; };
    const auto t0 = std::chrono::steady_clock::now();
    const sim::Summary summary = sim::run(std::move(scenario), options);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    write_json_file(dir / "summary.json", summary.to_json(), 2);
    write_throughput((dir / "throughput.csv").string(), jobs, summary.makespan);
    nlohmann::json o = observables(s, summary, std::move(jobs), wall);
    o["warnings"] = warnings;
    if (!drawn.empty())
        o["drawn"] = drawn;
    o["features"] = named(feature_names(), features);
    o["settings"] = named(setting_names(), settings);
    write_json_file(dir / "observables.json", o, 2); // last: the sample is done
    const std::lock_guard l(report_mutex);
    ++report.run;
    report.sim_seconds += wall;
    report.jobs += summary.jobs_total;
}

// What decides a space's samples (Space.hpp: draw): its bases, seed, parameters and share of
// random platforms — not the sample count (a space extended by more samples keeps the first
// ones) nor the threads.
nlohmann::json space_identity(const Space& space) {
    nlohmann::json j;
    j["seed"] = space.seed;
    // relative to the space file's folder: a project moved or mounted elsewhere (a batch node)
    // is the same space
    const fs::path home = fs::weakly_canonical(fs::absolute(space.origin).parent_path());
    nlohmann::json bases = nlohmann::json::array();
    for (const auto& b : space.bases)
        bases.push_back(fs::weakly_canonical(fs::absolute(b)).lexically_relative(home).generic_string());
    j["bases"] = bases;
    nlohmann::json params = nlohmann::json::array();
    for (const auto& p : space.parameters)
        params.push_back({{"name", p.name}, {"min", p.min}, {"max", p.max}, {"log", p.log}});
    j["parameters"] = params;
    j["random_platforms"] = space.random_platforms;
    return j;
}

// DATA/space.json: the identity of the space whose samples DATA holds, written by the first
// generation and compared by every later one, so that resuming with another space (another
// seed, range or base) is refused rather than mixing two spaces' samples in one index.
void check_space(const Space& space, const std::string& out_dir) {
    const fs::path path = fs::path(out_dir) / "space.json";
    const nlohmann::json now = space_identity(space);
    const auto read = [&] {
        try {
            std::ifstream in(path);
            return nlohmann::json::parse(in);
        } catch (const nlohmann::json::exception& e) {
            throw InputError(path.string(), 0, "", fmt::format("not valid JSON ({}): remove it", e.what()));
        }
    };
    if (!fs::exists(path)) {
        std::error_code ec;
        fs::create_directories(out_dir, ec);
        try {
            write_json_file(path, now, 2);
            return;
        } catch (const OutputError&) {
            // a job array's tasks write the same file at once: another's copy is as good
            if (!fs::exists(path) || read() != now)
                throw;
            return;
        }
    }
    const nlohmann::json before = read();
    for (const auto& [key, value] : now.items())
        if (!before.contains(key) || before[key] != value)
            throw InputError(path.string(), 0, key,
                             fmt::format("{} holds the samples of another space ({} {} there, {} in {}): "
                                         "generate into another directory, or remove it",
                                         out_dir, key, before.contains(key) ? before[key].dump() : "none",
                                         value.dump(), space.origin));
}

// Throws OutputError naming the samples of `space` not done in `out_dir` (the first 10).
void require_done(const Space& space, const std::string& out_dir) {
    std::vector<std::size_t> missing;
    for (std::size_t k = 0; k < space.samples; ++k)
        if (!fs::exists(sample_dir(out_dir, k) / "observables.json"))
            missing.push_back(k);
    if (missing.empty())
        return;
    std::string list;
    for (std::size_t i = 0; i < std::min<std::size_t>(missing.size(), 10); ++i)
        list += fmt::format("{}{}", i ? ", " : "", missing[i]);
    throw OutputError((fs::path(out_dir) / "index.csv").string(), 0, "",
                      fmt::format("{} of {} samples are not done (samples {}{}): run them first",
                                  missing.size(), space.samples, list, missing.size() > 10 ? ", ..." : ""));
}

// A sample's observables.json (InputError naming it when it is not valid JSON).
nlohmann::json read_observables(const fs::path& path) {
    std::ifstream in(path);
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw InputError(path.string(), 0, "",
                         fmt::format("not valid JSON ({}): run the sample again", e.what()));
    }
}

} // namespace

const std::vector<std::string>& observable_names() {
    static const std::vector<std::string> names{"jobs",
                                                "done",
                                                "failed",
                                                "makespan_s",
                                                "mean_wall_time_s",
                                                "mean_compute_time_s",
                                                "mean_input_transfer_time_s",
                                                "mean_output_transfer_time_s",
                                                "cpu_efficiency",
                                                "t10_s",
                                                "t25_s",
                                                "t50_s",
                                                "t75_s",
                                                "t90_s"};
    return names;
}

GenerateReport generate(const Space& space, const std::string& out_dir, const GenerateOptions& options) {
    const std::size_t first = std::min(options.first, space.samples);
    const std::size_t last = std::min(options.last, space.samples);
    GenerateReport report;
    if (first >= last)
        return report;
    check_space(space, out_dir);
    unsigned threads = options.threads > 0 ? options.threads : space.threads;
    if (threads == 0)
        threads = std::max(1u, std::thread::hardware_concurrency());
    ThreadPool pool(std::min<std::size_t>(threads, last - first));
    // After a failing sample the later ones are skipped and the error of the first failing
    // sample is raised, whatever the threads' timing: a sample before a failing one still runs
    // (it might fail too, and then it is the one reported), so the report is the same every run.
    std::atomic<std::size_t> failed_at{SIZE_MAX};
    std::exception_ptr error;
    std::atomic<std::size_t> done{0};
    std::mutex report_mutex, progress_mutex, error_mutex;
    pool.parallel_for(last - first, [&](std::size_t i) {
        const std::size_t k = first + i;
        if (k > failed_at)
            return;
        try {
            try {
                run_sample(space, k, out_dir, report, report_mutex);
            } catch (const InputError& e) {
                throw InputError(e.file(), e.line(), e.key(),
                                 fmt::format("{} (sample {} of {})", e.message(), k, space.origin));
            }
        } catch (...) {
            const std::lock_guard l(error_mutex);
            if (k < failed_at) {
                failed_at = k;
                error = std::current_exception();
            }
            return;
        }
        const std::size_t d = ++done;
        if (options.progress) {
            const std::lock_guard l(progress_mutex);
            options.progress(d, last - first);
        }
    });
    if (error)
        std::rethrow_exception(error);
    // The index covers the whole space: written once every sample is done (a job array's task
    // runs one sample and leaves it to merge.sh, `--index-only`).
    if (first == 0 && last == space.samples)
        write_index(space, out_dir);
    return report;
}

std::size_t write_index(const Space& space, const std::string& out_dir) {
    check_space(space, out_dir);
    require_done(space, out_dir);
    // Every column named once (a CSV reader keyed by name takes one of two equal names): the
    // space's drawn values as value.NAME (the feature `hitrate` is the scenario's hit rate, drawn
    // or not), the observable `jobs` as jobs_run (what the simulation ran: duplications count).
    std::string header = "sample,seed,base";
    for (const auto& p : space.parameters)
        header.append(",value.").append(p.name);
    for (const auto& f : feature_names())
        header.append(",").append(f);
    for (const auto& o : observable_names())
        header.append(",").append(o == "jobs" ? "jobs_run" : o);
    // The settings (setting.NAME) where the samples have them: samples made before they were
    // recorded have none, and a model trained on such an index checks none; some with and some
    // without (a space resumed by a newer hepkit) is refused rather than silently dropping them.
    // (A first pass over the samples, read again below: the index streams, 10^6 samples too.)
    std::size_t with_settings = 0;
    for (std::size_t k = 0; k < space.samples; ++k)
        with_settings +=
            read_observables(sample_dir(out_dir, k) / "observables.json").contains("settings") ? 1 : 0;
    if (with_settings != 0 && with_settings != space.samples)
        throw InputError((fs::path(out_dir) / "index.csv").string(), 0, "settings",
                         fmt::format("{} of the {} samples record their settings, the others were made by an "
                                     "earlier hepkit: `--refresh-features` records them for all",
                                     with_settings, space.samples));
    const bool settings = with_settings > 0;
    if (settings)
        for (const auto& name : setting_names())
            header.append(",setting.").append(name);
    CsvWriter out((fs::path(out_dir) / "index.csv").string(), header);
    for (std::size_t k = 0; k < space.samples; ++k) {
        const fs::path path = sample_dir(out_dir, k) / "observables.json";
        nlohmann::json o = read_observables(path); // not const: a const json's [] of a missing key is UB
        std::string row =
            fmt::format("{},{},{}", k, o.value("seed", std::uint64_t{0}), o.value("base", std::size_t{0}));
        for (const auto& p : space.parameters) {
            if (!o["values"].contains(p.name))
                throw InputError(path.string(), 0, fmt::format("values.{}", p.name),
                                 "missing: the sample was made with another space file; run it again");
            row.append(",").append(CsvWriter::number(o["values"][p.name].get<double>()));
        }
        for (const auto& name : feature_names()) {
            if (!o["features"].contains(name))
                throw InputError(path.string(), 0, fmt::format("features.{}", name),
                                 "missing: the sample was made by another hepkit version; run it again");
            row.append(",").append(CsvWriter::number(o["features"][name].get<double>()));
        }
        for (const auto& name : observable_names())
            row.append(",").append(CsvWriter::number(o.at(name).get<double>()));
        for (const auto& name : settings ? setting_names() : std::vector<std::string>()) {
            if (!o["settings"].contains(name))
                throw InputError(
                    path.string(), 0, fmt::format("settings.{}", name),
                    "missing: the sample was made by another hepkit version; `--refresh-features`");
            row.append(",").append(CsvWriter::number(o["settings"][name].get<double>()));
        }
        out.line(row);
    }
    out.commit();
    return space.samples;
}

std::size_t refresh_features(const Space& space, const std::string& out_dir,
                             const std::function<void(std::size_t done, std::size_t total)>& progress) {
    // The space must be the data's and every sample done: the index written at the end covers them
    // all (checked first, so that nothing is rewritten for another space or an incomplete one).
    check_space(space, out_dir);
    require_done(space, out_dir);
    for (std::size_t k = 0; k < space.samples; ++k) {
        const fs::path dir = sample_dir(out_dir, k);
        const fs::path path = dir / "observables.json", scenario_file = dir / "scenario.yaml";
        nlohmann::json o = read_observables(path);
        if (!o.is_object() || !o.contains("jobs") || !o["jobs"].is_number())
            throw InputError(path.string(), 0, "jobs",
                             "missing: not a sample's observables; run the sample again");
        if (!fs::exists(scenario_file))
            throw InputError(scenario_file.string(), 0, "",
                             "missing: the sample's scenario was not kept; run the sample again");
        std::vector<double> features, settings;
        try {
            // the jobs' totals only: the features read no more (sim::WorkloadDetail::totals)
            const sim::GridScenario scenario = sim::read_grid_scenario(
                config::YamlView(config::load_yaml_file(scenario_file.string()), scenario_file.string()),
                dir.string(), std::nullopt, sim::WorkloadDetail::totals);
            features = scenario_features(scenario);
            settings = scenario_settings(scenario);
            // The workload drawn now must be the one simulated then: a hepkit that draws
            // differently would describe jobs that never ran.
            // (the simulation counts every job as often as `duplications` runs it)
            const double simulated = o["jobs"].get<double>();
            const double now =
                static_cast<double>(scenario.workload.totals->jobs) *
                static_cast<double>(std::max<std::size_t>(1, scenario.options.jobs.duplications));
            if (now != simulated)
                throw InputError(scenario_file.string(), 0, "",
                                 fmt::format("its workload has {} jobs now, {} when it was simulated: this "
                                             "hepkit draws another workload; run the sample again",
                                             now, simulated));
        } catch (const InputError& e) {
            throw InputError(e.file(), e.line(), e.key(),
                             fmt::format("{} (sample {} of {})", e.message(), k, space.origin));
        }
        o["features"] = named(feature_names(), features);
        o["settings"] = named(setting_names(), settings);
        write_json_file(path, o, 2);
        if (progress)
            progress(k + 1, space.samples);
    }
    return write_index(space, out_dir);
}

void emit_generate_array(const Space& space, const std::string& space_file, const std::string& out_dir,
                         const std::string& kind, const std::string& dir, const std::string& hepkit_path) {
    const std::string space_abs = fs::absolute(space_file).string(), out_abs = fs::absolute(out_dir).string();
    sim::JobArray a;
    a.kind = kind;
    a.dir = dir;
    a.name = "surrogate";
    a.task_script = "run_sample.sh";
    a.merge_script = "merge.sh";
    a.tasks = space.samples;
    a.what = fmt::format("sample $1 of {} ({} samples) into {}", space_abs, space.samples, out_abs);
    a.task_command =
        fmt::format("{} -q surrogate generate {} -o {} --samples \"$1\":\"$(($1 + 1))\" -j 1",
                    sim::sh_quote(hepkit_path), sim::sh_quote(space_abs), sim::sh_quote(out_abs));
    a.merge_body = fmt::format("# Writes the index of the samples (fails naming those not done).\n"
                               "exec {} surrogate generate {} -o {} --index-only\n",
                               sim::sh_quote(hepkit_path), sim::sh_quote(space_abs), sim::sh_quote(out_abs));
    sim::write_job_array(a);
}

} // namespace hepkit::surrogate
