#include "hepkit/sim/grid/Scan.hpp"

#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/Number.hpp"
#include "hepkit/core/Units.hpp"
#include "hepkit/sim/grid/GridScenario.hpp"
#include "hepkit/sim/grid/JobArray.hpp"
#include "hepkit/sim/grid/Parameters.hpp"
#include "hepkit/sim/grid/Run.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fmt/format.h>
#include <mutex>
#include <thread>
#include <yaml-cpp/yaml.h>

namespace hepkit::sim {
namespace {

// Scan parameters: every parameter path of the registry (grid/Parameters.hpp), the names
// older scan files use for some of them, and two that act on the scenario rather than on its
// options: `seed` (read before the workload is drawn) and `link_bandwidth_factor` (the platform).
struct Alias {
    const char* name;
    const char* path;
};
constexpr Alias aliases[] = {{"hitrate", "cache.hitrate"},
                             {"cache_size", "caches.*.size"}, // every cache host
                             {"dispatcher", "dispatcher.policy"},
                             {"xrd_blocksize", "streaming.block_size"}};

// The registry path a scan parameter sets; empty for seed and link_bandwidth_factor.
std::string path_of(const std::string& name) {
    for (const auto& a : aliases)
        if (name == a.name)
            return a.path;
    return name == "seed" || name == "link_bandwidth_factor" ? "" : name;
}

bool known(const std::string& name) {
    const std::string path = path_of(name);
    return path.empty() || find_parameter(path) != nullptr;
}

// The names a `*` in `path` stands for in scenario `s`: the cache hosts for `caches.*`, the
// opportunistic sites for `drones.sites.*`.
std::vector<std::string> expand(const GridScenario& s, const std::string& path) {
    const auto star = path.find(".*.");
    if (star == std::string::npos)
        return {path};
    const std::string head = path.substr(0, star), tail = path.substr(star + 2);
    std::vector<std::string> out;
    if (head == "caches") {
        for (HostIndex h = 0; h < s.platform->host_count(); ++h) {
            const auto& props = s.platform->host(h).props;
            auto it = props.find("type");
            if (it != props.end() && it->second.find("cache") != std::string::npos)
                out.push_back(head + "." + s.platform->host(h).id + tail);
        }
    } else if (head == "drones.sites") {
        for (const auto& site : s.options.drones.sites)
            out.push_back(head + "." + site.site + tail);
    } else {
        throw std::invalid_argument(fmt::format("give a name in place of '*' in {}", path));
    }
    return out;
}

// Applies one parameter to a loaded scenario (before the Simulation is built).
void apply(GridScenario& s, const ScanSpec& spec, const std::string& name, const std::string& value) {
    try {
        if (name == "link_bandwidth_factor") {
            const auto f = parse_finite(value);
            if (!f)
                throw std::invalid_argument(describe_bad_number(value));
            if (!(*f > 0))
                throw std::invalid_argument("must be > 0");
            for (LinkIndex l = 0; l < s.platform->link_count(); ++l)
                if (s.platform->link(l).id != "__loopback__" &&
                    s.platform->link(l).id.find(spec.link_match) != std::string::npos)
                    s.platform->set_link_bandwidth(l, s.platform->link(l).bandwidth * *f);
            return;
        }
        const std::string path = path_of(name);
        if (path.empty()) // seed: applied when the scenario is read
            return;
        for (const auto& p : expand(s, path))
            set_parameter(s.options, p, value, spec.origin);
    } catch (const InputError& e) {
        throw InputError(spec.origin, 0, "parameters." + name,
                         fmt::format("value '{}': {}", value, e.message()));
    } catch (const std::exception& e) {
        throw InputError(spec.origin, 0, "parameters." + name,
                         fmt::format("value '{}': {}", value, e.what()));
    }
}

} // namespace

std::size_t ScanSpec::points() const {
    // saturating: a product that overflows must not wrap to a small count and pass the bound
    std::size_t n = scenarios.size();
    for (const auto& p : parameters)
        n = p.values.empty() || n <= SIZE_MAX / p.values.size() ? n * p.values.size() : SIZE_MAX;
    return n;
}

std::pair<std::string, std::vector<std::string>> ScanSpec::point(std::size_t k) const {
    std::vector<std::string> values(parameters.size());
    for (std::size_t i = parameters.size(); i-- > 0;) {
        values[i] = parameters[i].values[k % parameters[i].values.size()];
        k /= parameters[i].values.size();
    }
    return {scenarios[k], values};
}

ScanSpec read_scan(const std::string& path) {
    const config::YamlView root(config::load_yaml_file(path), path);
    root.check_keys({"scenarios", "parameters", "link_match", "threads"});
    ScanSpec spec;
    spec.origin = path;
    const std::string base = std::filesystem::path(path).parent_path().string();
    const auto scenarios = root.at("scenarios");
    if (!scenarios.is_sequence() || scenarios.size() == 0)
        scenarios.fail("expected a non-empty list of grid scenario files");
    for (std::size_t i = 0; i < scenarios.size(); ++i) {
        const std::string p = scenarios.at(i).as_string();
        spec.scenarios.push_back(std::filesystem::path(p).is_absolute() || base.empty()
                                     ? p
                                     : (std::filesystem::path(base) / p).string());
    }
    if (root.has("parameters")) {
        const auto params = root.at("parameters");
        if (!params.is_map())
            params.fail("expected a map of parameter name to a list of values");
        for (const auto& kv : params.node()) {
            const std::string name = kv.first.Scalar();
            const config::YamlView values(kv.second, path, "parameters." + name);
            if (!known(name))
                values.fail("unknown parameter; allowed: any parameter path (hepkit sim --list-parameters, "
                            "docs/formats.md), seed, link_bandwidth_factor, and the older names hitrate, "
                            "cache_size, dispatcher, xrd_blocksize");
            if (!values.is_sequence() || values.size() == 0)
                values.fail("expected a non-empty list of values");
            ScanParameter p{name, {}};
            for (std::size_t i = 0; i < values.size(); ++i) {
                p.values.push_back(values.at(i).as_string());
                // checked here: at run time std::stoull's own exception named no file or key
                if (name == "seed" && values.at(i).as_int() < 0)
                    values.at(i).fail(fmt::format("seed {} must be >= 0", p.values.back()));
            }
            spec.parameters.push_back(std::move(p));
        }
    }
    if (root.has("link_match"))
        spec.link_match = root.at("link_match").as_string();
    if (root.has("threads")) {
        const long long t = root.at("threads").as_int();
        if (t < 0 || t > 1024)
            root.at("threads").fail("must be between 0 (all cores) and 1024");
        spec.threads = static_cast<unsigned>(t);
    }
    if (spec.points() > 100000)
        root.fail(
            fmt::format("{} points: more than 100000; split the scan or emit a batch array", spec.points()));
    return spec;
}

std::string scan_header(const ScanSpec& spec) {
    std::string h = "point,scenario";
    for (const auto& p : spec.parameters)
        h += fmt::format(",{}", p.name);
    return h + ",jobs_done,jobs_failed,makespan_s,cpu_efficiency,mean_wall_time_s,mean_input_transfer_time_s,"
               "cache_hit_rate,bytes_from_remote,events";
}

namespace {

// The `seed` parameter's value at a point, if the scan has one.
std::optional<std::uint64_t> seed_of(const ScanSpec& spec, const std::vector<std::string>& values) {
    std::optional<std::uint64_t> seed;
    for (std::size_t i = 0; i < values.size(); ++i)
        if (spec.parameters[i].name == "seed")
            seed = static_cast<std::uint64_t>(std::stoull(values[i]));
    return seed;
}

} // namespace

GridScenario scan_point_scenario(const ScanSpec& spec, std::size_t k, WorkloadDetail detail) {
    const auto [scenario_path, values] = spec.point(k);
    const config::YamlView root(config::load_yaml_file(scenario_path), scenario_path);
    GridScenario s = read_grid_scenario(root, std::filesystem::path(scenario_path).parent_path().string(),
                                        seed_of(spec, values), detail);
    for (std::size_t i = 0; i < values.size(); ++i)
        apply(s, spec, spec.parameters[i].name, values[i]);
    return s;
}

GridScenario ScanDescriber::scenario(std::size_t k) {
    const auto [scenario_path, values] = spec_.point(k);
    const std::pair<GridScenario, WorkloadSources>* file = nullptr;
    {
        const std::lock_guard lock(mutex_);
        if (const auto it = read_.find(scenario_path); it != read_.end())
            file = &it->second;
    }
    if (!file) { // read outside the lock: two threads may read the same file, with equal results
        const config::YamlView root(config::load_yaml_file(scenario_path), scenario_path);
        auto read = read_grid_settings(root, std::filesystem::path(scenario_path).parent_path().string());
        const std::lock_guard lock(mutex_);
        file = &read_.emplace(scenario_path, std::move(read)).first->second;
    }
    GridScenario s = file->first;
    // as read_grid_settings applies a seed given to it: the seed is the only thing it changes
    if (const std::optional<std::uint64_t> seed = seed_of(spec_, values))
        s.options.seed = *seed;
    const std::pair<std::string, std::uint64_t> key{scenario_path, s.options.seed};
    std::optional<WorkloadTotals> totals;
    {
        const std::lock_guard lock(mutex_);
        if (const auto it = totals_.find(key); it != totals_.end())
            totals = it->second;
    }
    if (!totals) {
        totals = build_workload(*s.platform, file->second, s.options.seed, WorkloadDetail::totals).totals;
        const std::lock_guard lock(mutex_);
        if (totals_.size() >= (std::size_t{1} << 18)) // ~50 MB: a scan over 10^5 seeds and more
            totals_.clear();
        if (totals_.emplace(key, *totals).second)
            ++drawn_;
    }
    s.workload.totals = totals;
    s.workload.totals_only = true;
    for (std::size_t i = 0; i < values.size(); ++i)
        apply(s, spec_, spec_.parameters[i].name, values[i]);
    return s;
}

std::size_t ScanDescriber::drawn() const {
    const std::lock_guard lock(mutex_);
    return drawn_;
}

std::string scan_point_fields(const ScanSpec& spec, std::size_t k) {
    const auto [scenario_path, values] = spec.point(k);
    std::string row = fmt::format("{},{}", k, CsvWriter::field(scenario_path));
    for (const auto& v : values)
        row.append(",").append(CsvWriter::field(v));
    return row;
}

std::vector<std::string> run_scan(const ScanSpec& spec, std::size_t first, std::size_t last,
                                  const std::function<void(std::size_t, std::size_t)>& progress) {
    last = std::min(last, spec.points());
    std::vector<std::string> rows(last > first ? last - first : 0);
    std::atomic<std::size_t> next{first};
    std::atomic<std::size_t> done{0};
    std::mutex error_mutex, progress_mutex;
    std::exception_ptr error;
    auto worker = [&] {
        for (;;) {
            const std::size_t k = next++;
            if (k >= last)
                return;
            try {
                const Summary summary = run(scan_point_scenario(spec, k));
                const JobTotals& o = summary.overall;
                std::string row = scan_point_fields(spec, k);
                row += fmt::format(",{},{},{},{},{},{},{},{},{}", o.done, o.failed,
                                   CsvWriter::number(summary.makespan), CsvWriter::number(o.cpu_efficiency()),
                                   CsvWriter::number(o.mean(o.wall)), CsvWriter::number(o.mean(o.infile)),
                                   CsvWriter::number(o.cache_hit_rate()), CsvWriter::number(o.bytes_remote),
                                   summary.events);
                rows[k - first] = std::move(row);
            } catch (...) {
                std::lock_guard lock(error_mutex);
                if (!error)
                    error = std::current_exception();
                next = last; // stop the other workers
                return;
            }
            const std::size_t d = ++done;
            if (progress) {
                std::lock_guard lock(progress_mutex);
                progress(d, last - first);
            }
        }
    };
    unsigned threads = spec.threads > 0 ? spec.threads : std::max(1u, std::thread::hardware_concurrency());
    threads = static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(1, rows.size())));
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t)
        pool.emplace_back(worker);
    worker();
    for (auto& t : pool)
        t.join();
    if (error)
        std::rethrow_exception(error);
    return rows;
}

void emit_batch_array(const ScanSpec& spec, const std::string& scan_file, const std::string& kind,
                      const std::string& dir, const std::string& hepkit_path) {
    const std::string scan_abs = std::filesystem::absolute(scan_file).string();
    const std::string dir_abs = std::filesystem::absolute(dir).string();
    const std::size_t n = spec.points();
    JobArray a;
    a.kind = kind;
    a.dir = dir;
    a.name = "scan";
    a.task_script = "run_point.sh";
    a.merge_script = "merge.sh";
    a.tasks = n;
    a.what = fmt::format("scan point $1 of {} ({} points) and writes out/point_$1.csv", scan_abs, n);
    a.task_command = fmt::format("{} -q sim --scan {} --point \"$1\" -o {}/point_\"$1\".csv",
                                 sh_quote(hepkit_path), sh_quote(scan_abs), sh_quote(dir_abs + "/out"));
    // merge.sh refuses to write a table with points missing (a failed or unfinished array job),
    // naming them, instead of silently merging fewer rows.
    a.merge_body = fmt::format(
        "# Merges the per-point tables into scan.csv (header once, points in order).\n"
        "cd {} || exit 1\nn={}\nmissing=0\ni=0\n"
        "while [ $i -lt $n ]; do\n"
        "  if [ ! -s out/point_$i.csv ]; then echo \"merge.sh: out/point_$i.csv is missing\" >&2; "
        "missing=$((missing + 1)); fi\n"
        "  i=$((i + 1))\ndone\n"
        "if [ $missing -gt 0 ]; then echo \"merge.sh: $missing of $n points missing; scan.csv not "
        "written\" >&2; exit 1; fi\n"
        "{{ head -n 1 out/point_0.csv; i=0; while [ $i -lt $n ]; do tail -n +2 out/point_$i.csv; "
        "i=$((i + 1)); done; }} > scan.csv.tmp && mv scan.csv.tmp scan.csv\n"
        "echo \"merge.sh: $n points in $(pwd)/scan.csv\"\n",
        sh_quote(dir_abs), n);
    write_job_array(a);
}

} // namespace hepkit::sim
