#include "hepkit/sim/workload/DcsimInput.hpp"

#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Csv.hpp"
#include "hepkit/core/Distribution.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/Number.hpp"
#include "hepkit/core/Units.hpp"

#include <cmath>
#include <fmt/format.h>
#include <optional>
#include <sstream>
#include <unordered_map>

namespace hepkit::sim {

namespace {

constexpr long long max_count = 100000000; // 1e8 jobs or files per entry: beyond is a typo

long long count(const config::JsonView& v) {
    const long long n = v.as_int();
    if (n < 0 || n > max_count)
        v.fail(fmt::format("{} must be between 0 and {}", n, max_count));
    return n;
}

std::vector<std::string> names(const config::JsonView& v) {
    std::vector<std::string> out;
    if (v.node().is_string())
        out.push_back(v.as_string());
    else if (v.node().is_array()) {
        for (const auto& x : v.node()) {
            if (!x.is_string())
                v.fail(fmt::format("expected names, got {}", config::show(x)));
            out.push_back(x.get<std::string>());
        }
    } else
        v.fail("expected a name or a list of names");
    return out;
}

} // namespace

void add_dcsim_datasets(const nlohmann::json& doc, const std::string& origin, const Platform& platform,
                        std::mt19937_64& rng, WorkloadSet& set) {
    const config::JsonView root(doc, origin);
    if (!doc.is_object())
        root.fail("a dataset file is an object of datasets: {\"name\": {\"location\", \"num_files\", "
                  "\"filesize\"}}");
    for (const auto& [name, value] : doc.items()) {
        const config::JsonView ds(value, origin, name);
        for (const char* key : {"location", "num_files", "filesize"})
            if (!ds.has(key))
                ds.fail(fmt::format("missing required key '{}'", key));
        for (const auto& existing : set.datasets)
            if (existing.name == name)
                ds.fail("dataset defined twice (in this file or an earlier one)");
        DatasetSpec spec;
        spec.name = name;
        const std::vector<std::string> hosts = names(ds.at("location"));
        // Every file needs a replica to be read from: an empty list would leave jobs no source.
        if (hosts.empty())
            ds.at("location").fail("empty list: give at least one storage host, e.g. \"location\": [\"se\"]");
        for (const auto& host : hosts) {
            auto h = platform.find_host(host);
            if (!h)
                ds.at("location").fail(fmt::format("unknown host '{}'", host));
            if (!host_has_role(platform, *h, "storage"))
                ds.at("location")
                    .fail(fmt::format("host '{}' is not a storage host (its type property lacks 'storage')",
                                      host));
            spec.locations.push_back(*h);
        }
        const long long n = count(ds.at("num_files"));
        // The bound holds for all files together, not only per entry (memory: ~100 B per file).
        if (static_cast<long long>(set.files.size()) + n > max_count)
            ds.at("num_files")
                .fail(fmt::format("{} more files would exceed the total of {} files", n, max_count));
        const Distribution size = Distribution::from_json(ds.at("filesize"), false);
        for (long long f = 0; f < n; ++f)
            spec.files.push_back(set.add_file(fmt::format("infile_{}_{}", name, f),
                                              std::floor(size.sample(rng)), spec.locations));
        set.datasets.push_back(std::move(spec));
    }
}

void add_dcsim_workloads(const nlohmann::json& doc, const std::string& origin, const Platform& platform,
                         std::mt19937_64& rng, WorkloadSet& set, WorkloadTotals* totals) {
    const config::JsonView root(doc, origin);
    if (!doc.is_object())
        root.fail("a workload file is an object of workloads: {\"name\": {\"num_jobs\", \"flops\", ...}}");
    for (const auto& [name, value] : doc.items()) {
        const config::JsonView wl(value, origin, name);
        for (const char* key :
             {"num_jobs", "flops", "memory", "outfilesize", "workload_type", "submission_time"})
            if (!wl.has(key))
                wl.fail(fmt::format("missing required key '{}'", key));
        const long long n = count(wl.at("num_jobs"));
        const long long before = totals ? static_cast<long long>(totals->jobs) : 0;
        if (static_cast<long long>(set.jobs.size()) + before + n > max_count)
            wl.at("num_jobs")
                .fail(fmt::format("{} more jobs would exceed the total of {} jobs", n, max_count));
        std::string type_name = wl.at("workload_type").as_string();
        for (auto& c : type_name)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        JobType type{};
        try {
            type = job_types.parse(type_name);
        } catch (const std::invalid_argument& e) {
            wl.at("workload_type").fail(e.what());
        }
        const double submit = wl.at("submission_time").as_double();
        if (!(submit >= 0) || !(submit <= units::max_input_time))
            wl.at("submission_time")
                .fail(fmt::format("{} must be a time in seconds between 0 and {:g} (about 31 700 years)",
                                  submit, units::max_input_time));
        // DCSim reads `cores` unconditionally; a workload without it gets one core here.
        std::optional<Distribution> cores;
        if (wl.has("cores"))
            cores = Distribution::from_json(wl.at("cores"), true);
        const Distribution flops = Distribution::from_json(wl.at("flops"), false);
        const Distribution memory = Distribution::from_json(wl.at("memory"), false);
        const Distribution outsize = Distribution::from_json(wl.at("outfilesize"), false);
        // hepkit's GPU keys (DCSim ignores unknown keys): numbers or distributions.
        std::optional<Distribution> gpu_time, gpu_flops, gpu_memory;
        // a named reference: clang before 16 cannot capture a structured binding in a lambda
        const std::string& workload_name = name;
        auto dist = [&](const char* key, std::optional<Distribution>& out) {
            if (!wl.has(key))
                return;
            const config::JsonView v = wl.at(key);
            if (v.node().is_number() || v.node().is_string()) { // a string: as_double says why not
                nlohmann::json fixed = {{"type", "gaussian"}, {"average", v.as_double()}, {"sigma", 0}};
                out = Distribution::from_json(config::JsonView(fixed, origin, workload_name + "." + key),
                                              false);
            } else {
                out = Distribution::from_json(v, false);
            }
        };
        dist("gpu_time", gpu_time);
        dist("gpu_flops", gpu_flops);
        dist("gpu_memory", gpu_memory);
        GpuRequest gpu;
        if (wl.has("gpus"))
            gpu.gpus = wl.at("gpus").as_double();
        if (wl.has("gpu_intensity"))
            gpu.intensity = wl.at("gpu_intensity").as_double();
        if (wl.has("gpu_duty"))
            gpu.duty = wl.at("gpu_duty").as_double();
        if (wl.has("gpu_power"))
            gpu.power = wl.at("gpu_power").as_double();

        std::vector<FileIndex> pool;
        const bool legacy = !wl.has("infile_datasets") && !wl.has("infile_dataset") &&
                            wl.has("infiles_per_job") && wl.has("infilesize");
        if (type != JobType::calculation && legacy) {
            // older DCSim files: per-job input files, on every storage host
            const long long per_job = count(wl.at("infiles_per_job"));
            const Distribution size = Distribution::from_json(wl.at("infilesize"), false);
            std::vector<HostIndex> storages;
            for (HostIndex h = 0; h < platform.host_count(); ++h)
                if (host_has_role(platform, h, "storage"))
                    storages.push_back(h);
            if (storages.empty())
                wl.fail("jobs with input files need a storage host in the platform");
            if (per_job * n > max_count)
                wl.fail(fmt::format("{} jobs x {} files is more than {} files", n, per_job, max_count));
            for (long long f = 0; f < n * per_job; ++f)
                pool.push_back(set.add_file(fmt::format("infile_{}_{}", name, f),
                                            std::floor(size.sample(rng)), storages));
        } else if (type != JobType::calculation) {
            const char* key = wl.has("infile_datasets") ? "infile_datasets" : "infile_dataset";
            if (!wl.has(key))
                wl.fail("a streaming or copy workload needs 'infile_dataset(s)', or 'infiles_per_job' and "
                        "'infilesize'");
            for (const auto& ds_name : names(wl.at(key))) {
                const DatasetSpec* found = nullptr;
                for (const auto& ds : set.datasets)
                    if (ds.name == ds_name)
                        found = &ds;
                if (!found)
                    wl.at(key).fail(fmt::format("unknown dataset '{}' (give its dataset file with "
                                                "--dataset-configurations)",
                                                ds_name));
                pool.insert(pool.end(), found->files.begin(), found->files.end());
            }
        }
        const std::size_t first = set.jobs.size();
        // DCSim's assignment: k = floor(files / jobs) consecutive files per job (none where there
        // are fewer files than jobs).
        const std::size_t per_job = n > 0 ? pool.size() / static_cast<std::size_t>(n) : 0;
        for (long long j = 0; j < n; ++j) {
            JobSpec job;
            if (!totals) { // totals only: no id or name to make, the draws are the same
                job.id = fmt::format("job_{}_{}", name, j);
                job.workload = name;
            }
            job.type = type;
            job.submit = submit;
            job.cores = cores ? static_cast<int>(std::min<long long>(cores->sample_int(rng, 1), 1000000)) : 1;
            job.flops = flops.sample(rng);
            job.memory = std::floor(memory.sample(rng));
            job.output_size = std::floor(outsize.sample(rng));
            if (gpu.gpus > 0 || gpu_time || gpu_flops || gpu_memory) {
                job.gpu = gpu;
                if (gpu_time)
                    job.gpu.seconds = std::max(0.0, gpu_time->sample(rng));
                if (gpu_flops)
                    job.gpu.flops = std::max(0.0, gpu_flops->sample(rng));
                if (gpu_memory)
                    job.gpu.memory = std::max(0.0, std::floor(gpu_memory->sample(rng)));
                if (const std::string why = check_gpu_request(job.gpu); !why.empty())
                    wl.fail(fmt::format("job {}: {}", j, why));
            }
            if (totals)
                add_job(*totals, job, per_job > 0); // as sum_jobs adds it; its inputs below
            else
                set.jobs.push_back(std::move(job));
        }
        // For totals, the sizes of the first n·k files of the pool, in the order sum_jobs adds them.
        if (n > 0 && !pool.empty()) {
            const std::size_t k = per_job;
            if (totals)
                for (std::size_t i = 0; i < k * static_cast<std::size_t>(n); ++i)
                    add_input(*totals, set.files[pool[i]].size);
            else
                for (std::size_t j = 0; j < static_cast<std::size_t>(n); ++j) {
                    const std::size_t begin = j * k;
                    if (begin >= pool.size())
                        break;
                    const std::size_t end = std::min(pool.size(), begin + k);
                    set.jobs[first + j].inputs.assign(pool.begin() + static_cast<std::ptrdiff_t>(begin),
                                                      pool.begin() + static_cast<std::ptrdiff_t>(end));
                }
        }
    }
}

void add_job_list(const std::string& path, const Platform& platform, WorkloadSet& set) {
    const CsvTable table = read_csv(path);
    const char* required[] = {"id", "submit", "cores", "memory", "flops", "inputs", "output_size"};
    std::unordered_map<std::string, int> col;
    for (const char* r : required) {
        col[r] = table.column(r);
        if (col[r] < 0)
            throw InputError(path, 1, "header",
                             fmt::format("missing column '{}' (required: id,submit,cores,memory,flops,inputs,"
                                         "output_size; optional: type,user,priority,gpus,gpu_memory,gpu_time,"
                                         "gpu_flops,gpu_intensity,gpu_duty,gpu_power)",
                                         r));
    }
    static const char* const gpu_cols[] = {"gpus",          "gpu_memory", "gpu_time", "gpu_flops",
                                           "gpu_intensity", "gpu_duty",   "gpu_power"};
    for (const char* o : gpu_cols)
        col[o] = table.column(o);
    for (const char* o : {"type", "user", "priority"})
        col[o] = table.column(o);
    std::unordered_map<std::string, FileIndex> by_name;
    for (FileIndex f = 0; f < set.files.size(); ++f)
        by_name.emplace(set.file_name(f), f);
    std::unordered_map<std::string, bool> ids;
    for (const auto& job : set.jobs)
        ids[job.id] = true;

    for (const CsvRecord& rec : table.rows) {
        auto field = [&](const char* name) -> const std::string& {
            return rec.fields[static_cast<std::size_t>(col[name])];
        };
        auto quantity = [&](const char* name, units::Kind kind) {
            try {
                return units::parse(field(name), kind);
            } catch (const std::invalid_argument& e) {
                throw InputError(path, rec.line, name, e.what());
            }
        };
        JobSpec job;
        job.id = field("id");
        if (job.id.empty() || !ids.emplace(job.id, true).second)
            throw InputError(path, rec.line, "id", fmt::format("'{}' is empty or not unique", job.id));
        job.workload = "joblist";
        job.submit = quantity("submit", units::Kind::time);
        double cores = 0;
        try {
            std::size_t used = 0;
            cores = std::stod(field("cores"), &used);
            if (used != field("cores").size())
                cores = 0;
        } catch (const std::exception&) {
            cores = 0;
        }
        if (!(cores >= 1) || cores > 1e6 || cores != std::floor(cores))
            throw InputError(path, rec.line, "cores",
                             fmt::format("'{}' must be an integer >= 1", field("cores")));
        job.cores = static_cast<int>(cores);
        job.memory = quantity("memory", units::Kind::size);
        job.flops = quantity("flops", units::Kind::speed); // flop counts use the speed suffixes (f, Gf...)
        job.output_size = quantity("output_size", units::Kind::size);
        std::stringstream ss(field("inputs"));
        std::string item;
        while (std::getline(ss, item, ';')) {
            if (item.empty())
                continue;
            auto it = by_name.find(item);
            if (it != by_name.end()) {
                job.inputs.push_back(it->second);
                continue;
            }
            const auto colon = item.find(':');
            const auto at = item.find('@');
            if (colon == std::string::npos || at == std::string::npos || at < colon)
                throw InputError(
                    path, rec.line, "inputs",
                    fmt::format("'{}' is neither a known dataset file nor name:size@host", item));
            const std::string name = item.substr(0, colon);
            double size = 0;
            try {
                size = units::parse(item.substr(colon + 1, at - colon - 1), units::Kind::size);
            } catch (const std::invalid_argument& e) {
                throw InputError(path, rec.line, "inputs", e.what());
            }
            const std::string host = item.substr(at + 1);
            auto h = platform.find_host(host);
            if (!h || !host_has_role(platform, *h, "storage"))
                throw InputError(path, rec.line, "inputs", fmt::format("'{}' is not a storage host", host));
            const FileIndex f = set.add_file(name, size, {*h});
            by_name.emplace(name, f);
            job.inputs.push_back(f);
        }
        job.type = job.inputs.empty() ? JobType::calculation : JobType::streaming;
        if (col["type"] >= 0 && !field("type").empty()) {
            const std::string& t = field("type");
            if (t == "streaming")
                job.type = JobType::streaming;
            else if (t == "copy")
                job.type = JobType::copy;
            else if (t == "calculation")
                job.type = JobType::calculation;
            else
                throw InputError(
                    path, rec.line, "type",
                    fmt::format("'{}' is not a job type (allowed: streaming, copy, calculation)", t));
            if (job.type != JobType::calculation && job.inputs.empty())
                throw InputError(path, rec.line, "inputs", "a streaming or copy job needs input files");
        }
        if (col["user"] >= 0 && !field("user").empty())
            job.user = field("user");
        if (col["priority"] >= 0 && !field("priority").empty()) {
            try {
                job.priority = std::stoi(field("priority"));
            } catch (const std::exception&) {
                throw InputError(path, rec.line, "priority",
                                 fmt::format("'{}' is not an integer", field("priority")));
            }
        }
        auto optional = [&](const char* name, units::Kind kind, bool plain, double& out) {
            if (col[name] < 0 || field(name).empty())
                return;
            if (!plain) {
                out = quantity(name, kind);
                return;
            }
            const auto v = parse_finite(field(name));
            if (!v)
                throw InputError(path, rec.line, name, fmt::format("'{}' is not a number", field(name)));
            out = *v;
        };
        optional("gpus", units::Kind::size, true, job.gpu.gpus);
        optional("gpu_memory", units::Kind::size, false, job.gpu.memory);
        optional("gpu_time", units::Kind::time, false, job.gpu.seconds);
        optional("gpu_flops", units::Kind::speed, false, job.gpu.flops);
        optional("gpu_intensity", units::Kind::size, true, job.gpu.intensity);
        optional("gpu_duty", units::Kind::size, true, job.gpu.duty);
        optional("gpu_power", units::Kind::power, false, job.gpu.power);
        if (const std::string why = check_gpu_request(job.gpu); !why.empty()) {
            const std::string key = why.rfind("gpu_", 0) == 0 ? why.substr(0, why.find(' ')) : "gpus";
            throw InputError(path, rec.line, key, why);
        }
        set.jobs.push_back(std::move(job));
    }
}

} // namespace hepkit::sim
