// Scenarios as job sequences with a host set: the inputs and targets of the per-job surrogates.

#include "hepkit/surrogate/SequenceData.hpp"

#include "PlacedOutputs.hpp"
#include "Placement.hpp"
#include "PlatformFacts.hpp"
#include "TimedPlacement.hpp"

#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/surrogate/Features.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <numeric>
#include <sstream>
#include <string_view>
#include <unordered_map>
#include <yaml-cpp/yaml.h>

namespace hepkit::surrogate {

namespace fs = std::filesystem;

using detail::has_role;

namespace {

std::string trimmed(const std::string& f) {
    const auto a = f.find_first_not_of(' ');
    return a == std::string::npos ? std::string() : f.substr(a, f.find_last_not_of(' ') - a + 1);
}

// Job ids end in a number (job_analysis_88): ordered by their prefix, then that number, so that
// job_x_10 follows job_x_9. Each id's key is made once (splitting in every comparison made the
// sort most of a 10^4-job sequence's time).
struct IdKey {
    std::string_view prefix;
    long long number = -1;
};
IdKey id_key(const std::string& s) {
    std::size_t i = s.size();
    while (i > 0 && std::isdigit(static_cast<unsigned char>(s[i - 1])))
        --i;
    return {std::string_view(s).substr(0, i),
            i < s.size() && s.size() - i < 18 ? std::stoll(s.substr(i)) : -1LL};
}

} // namespace

const std::vector<std::string>& job_input_names() {
    static const std::vector<std::string> n{"submit",
                                            "cores",
                                            "memory",
                                            "flops",
                                            "input_bytes",
                                            "output_bytes",
                                            "input_files",
                                            "staged_bytes",
                                            "placed",
                                            "placed_compute_s",
                                            "placed_transfer_s",
                                            "placed_output_s",
                                            "placed_start_s",
                                            "placed_output_maxmin_s",
                                            "placed_transfer_alone_s",
                                            "placed_transfer_crowd_s",
                                            "placed_transfer_shared_s"};
    return n;
}
const std::vector<std::string>& host_input_names() {
    static const std::vector<std::string> n{"cores",         "speed",    "worker",
                                            "storage",       "cache",    "disk_read_bw",
                                            "disk_write_bw", "route_bw", "route_latency"};
    return n;
}
const std::vector<std::string>& job_target_names() {
    static const std::vector<std::string> n{"start", "wall", "compute", "input_transfer", "output_transfer"};
    return n;
}

std::size_t SequenceSample::host_count() const {
    return host_x.size() / host_input_names().size();
}

bool SequenceSample::worker(std::size_t h) const {
    return host_x[h * host_input_names().size() + 2] > 0; // host_input_names()[2]: "worker"
}

SequenceSample sequence_of(const sim::GridScenario& s) {
    SequenceSample out;
    const auto& jobs = s.workload.jobs;
    const sim::Platform& p = *s.platform;
    bool any_cache = false;
    for (sim::HostIndex h = 0; h < p.host_count(); ++h)
        any_cache = any_cache || has_role(p.host(h), "cache");
    const double hitrate = any_cache ? s.options.cache.hitrate : 0.0;
    std::vector<std::size_t> order(jobs.size());
    // each job as a group of one, in the workload's order: the queue's order among jobs submitted
    // together, which decides who fits in the first burst (not the sequence's id order)
    std::vector<sim::JobGroup> alone(jobs.size());
    std::iota(order.begin(), order.end(), 0);
    std::vector<IdKey> keys(jobs.size());
    for (std::size_t i = 0; i < jobs.size(); ++i)
        keys[i] = id_key(jobs[i].id);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        if (jobs[a].submit != jobs[b].submit)
            return jobs[a].submit < jobs[b].submit;
        if (keys[a].prefix != keys[b].prefix)
            return keys[a].prefix < keys[b].prefix;
        if (keys[a].number != keys[b].number)
            return keys[a].number < keys[b].number;
        return jobs[a].id < jobs[b].id;
    });
    for (const auto i : order) {
        const auto& j = jobs[i];
        double in = 0;
        for (const auto f : j.inputs)
            in += s.workload.files[f].size;
        // The bytes staged on the caches before the run: a job's first input files up to the hit
        // rate's share of its input bytes (sim::InputRouter::stage's rule) — known before the run,
        // and what decides how much a job reads from a cache rather than from remote storage.
        double staged = 0;
        if (hitrate > 0)
            for (const auto f : j.inputs) {
                if (!(staged < hitrate * in))
                    break;
                staged += s.workload.files[f].size;
            }
        out.jobs.push_back(j.id);
        out.job_x.insert(out.job_x.end(), {j.submit, static_cast<double>(j.cores), j.memory, j.flops, in,
                                           j.output_size, static_cast<double>(j.inputs.size()), staged});
        out.job_x.resize(out.job_x.size() + job_input_names().size() - kPlacedInputs, 0.0); // set below
        alone[i] = sim::JobGroup{j.submit, j.type != sim::JobType::calculation && !j.inputs.empty(),
                                 1,        static_cast<double>(j.cores),
                                 j.flops,  in};
        alone[i].flops_max = j.flops;
    }
    // Where each job would run in the first burst and what its compute and reads would take there
    // (Placement.hpp): the platform-aware model's per-job view of the platform.
    const detail::ReadSetup setup(s, true);
    // Then followed past the first burst (TimedPlacement.hpp): where and when each job starts.
    std::vector<double> output_bytes(jobs.size());
    std::vector<detail::JobNeeds> needs(jobs.size());
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        output_bytes[i] = jobs[i].output_size;
        needs[i] = {jobs[i].memory, jobs[i].priority, jobs[i].type == sim::JobType::streaming};
        // of each file of n blocks, the first read and the last compute do not overlap (its bytes'
        // mean of 1 / n; TimedPlacement.hpp): all without prefetch
        const auto& streaming = s.options.streaming;
        double u = 0;
        for (const auto f : jobs[i].inputs) {
            const double size = s.workload.files[f].size;
            u += size / std::max(1.0, std::ceil(size / streaming.block_size));
        }
        const double in = alone[i].input_bytes; // the job's input bytes, summed above
        needs[i].unoverlapped = streaming.prefetch && in > 0 ? u / in : 1.0;
    }
    const std::vector<detail::PlacedJob> placed =
        detail::timed_jobs(p, alone, needs, setup.context, detail::placed_jobs(p, alone, setup.context));
    std::vector<std::uint8_t> reads_first(jobs.size());
    std::vector<double> final_s(jobs.size(), 0.0); // a streaming job's last block computed alone
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        reads_first[i] = !needs[i].streaming;
        if (needs[i].streaming && !jobs[i].inputs.empty() && alone[i].input_bytes > 0) {
            const double last = detail::last_block_bytes(s.workload.files[jobs[i].inputs.back()].size,
                                                         s.options.streaming.block_size);
            final_s[i] = placed[i].compute_s * last / alone[i].input_bytes; // its flops go by bytes
        }
    }
    const detail::PlacedWrites writes =
        detail::placed_outputs(p, setup.context, alone, placed, output_bytes, reads_first, final_s);
    const std::size_t ni = job_input_names().size();
    for (std::size_t r = 0; r < order.size(); ++r) {
        const detail::PlacedJob& q = placed[order[r]];
        double* row = &out.job_x[r * ni + kPlacedInputs];
        row[0] = q.placed;
        row[1] = q.compute_s;
        row[2] = q.transfer_s;
        row[3] = writes.equal[order[r]];
        row[4] = q.start_s;
        row[5] = writes.max_min[order[r]];
        row[6] = q.transfer_alone_s;
        row[7] = q.transfer_crowd_s;
        row[8] = q.transfer_shared_s;
    }
    const std::vector<sim::HostIndex>& storages = setup.storages; // the storage hosts, in host order
    for (sim::HostIndex h = 0; h < p.host_count(); ++h) {
        const auto& spec = p.host(h);
        double read = 0, write = 0;
        for (const auto& d : spec.disks) {
            read += d.read_bw;
            write += d.write_bw;
        }
        const detail::RouteFacts route = detail::route_to_storage(p, h, storages);
        out.host_x.insert(out.host_x.end(),
                          {static_cast<double>(spec.cores), spec.speed, has_role(spec, "worker") ? 1.0 : 0.0,
                           has_role(spec, "storage") ? 1.0 : 0.0, has_role(spec, "cache") ? 1.0 : 0.0, read,
                           write, route.bandwidth, route.latency});
        out.host_names.push_back(spec.id);
        out.host_sites.push_back(p.zone_name(p.host_zone(h)));
    }
    out.scenario_x = scenario_features(s);
    out.settings = scenario_settings(s);
    return out;
}

namespace {

// The samples that DATA/index.csv lists (its `sample` column), each of which must be done: the
// index is written when every sample of the space is, so without it — a generation stopped, or
// part of a space run with --samples — or with a sample gone, the data is incomplete, and a model
// trained or evaluated on it would say so nowhere.
std::vector<fs::path> indexed_samples(const std::string& data_dir) {
    const fs::path index = fs::path(data_dir) / "index.csv";
    std::ifstream in(index);
    if (!in)
        throw InputError(index.string(), 0, "",
                         "missing: the generation has not finished (`hepkit surrogate generate SPACE -o " +
                             data_dir +
                             "` runs the samples not done and writes it; after a job array, "
                             "`--index-only`)");
    std::string line;
    std::getline(in, line);
    if (line.rfind("sample,", 0) != 0)
        throw InputError(index.string(), 1, "sample", "not an index of `hepkit surrogate generate`");
    std::vector<fs::path> dirs, missing;
    int row = 1;
    while (std::getline(in, line)) {
        ++row;
        if (line.empty())
            continue;
        std::size_t k = 0;
        const std::string field = line.substr(0, line.find(','));
        const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), k);
        if (ec != std::errc() || end != field.data() + field.size())
            throw InputError(index.string(), row, "sample", "'" + field + "' is no sample number");
        const fs::path dir = fs::path(data_dir) / "scenarios" / fmt::format("{:06d}", k);
        (fs::exists(dir / "observables.json") ? dirs : missing).push_back(dir);
    }
    if (!missing.empty())
        throw InputError(missing.front().string(), 0, "",
                         fmt::format("{} of the {} samples of {} are missing: run the generation again",
                                     missing.size(), dirs.size() + missing.size(), index.string()));
    return dirs;
}

} // namespace

std::vector<SequenceSample> load_sequences(const std::string& data_dir, std::size_t max_samples) {
    std::vector<SequenceSample> out;
    const fs::path root = fs::path(data_dir) / "scenarios";
    if (!fs::is_directory(root))
        throw InputError(root.string(), 0, "",
                         "no samples: run `hepkit surrogate generate SPACE -o " + data_dir + "` first");
    std::vector<fs::path> dirs = indexed_samples(data_dir);
    if (max_samples > 0 && dirs.size() > max_samples)
        dirs.resize(max_samples);
    for (const auto& dir : dirs) {
        const std::string scenario_file = (dir / "scenario.yaml").string();
        const sim::GridScenario s = sim::read_grid_scenario(
            config::YamlView(config::load_yaml_file(scenario_file), scenario_file), dir.string());
        SequenceSample q = sequence_of(s);
        // the trace: by job id, the targets
        const std::string trace = (dir / "trace.csv").string();
        std::ifstream in(trace);
        if (!in)
            throw InputError(trace, 0, "", "cannot read the sample's trace");
        std::string line;
        std::getline(in, line);
        std::vector<std::string> header;
        std::stringstream h(line);
        for (std::string f; std::getline(h, f, ',');)
            header.push_back(trimmed(f));
        const auto col = [&](const char* name) {
            const auto it = std::find(header.begin(), header.end(), name);
            if (it == header.end())
                throw InputError(trace, 1, name, "no such column in the trace");
            return static_cast<std::size_t>(it - header.begin());
        };
        const std::size_t c_tag = col("job.tag"), c_start = col("job.start"), c_end = col("job.end"),
                          c_comp = col("job.computetime"), c_in = col("infiles.transfertime"),
                          c_out = col("outfiles.transfertime"), c_status = col("status"),
                          c_machine = col("machine.name");
        std::unordered_map<std::string, int> host_index;
        for (std::size_t h = 0; h < q.host_names.size(); ++h)
            host_index[q.host_names[h]] = static_cast<int>(h);
        std::unordered_map<std::string, std::array<double, 5>> by_id;
        std::unordered_map<std::string, int> machine_of;
        int n = 1;
        while (std::getline(in, line)) {
            ++n;
            std::vector<std::string> f;
            std::stringstream r(line);
            for (std::string x; std::getline(r, x, ',');)
                f.push_back(trimmed(x));
            if (f.size() != header.size())
                throw InputError(trace, n, "",
                                 fmt::format("{} fields for {} columns", f.size(), header.size()));
            if (f[c_status] != "done")
                continue;
            const double start = std::stod(f[c_start]), end = std::stod(f[c_end]);
            by_id[f[c_tag]] = {start, end - start, std::stod(f[c_comp]), std::stod(f[c_in]),
                               std::stod(f[c_out])};
            const auto host = host_index.find(f[c_machine]);
            if (host == host_index.end())
                throw InputError(trace, n, "machine.name",
                                 fmt::format("'{}' is no host of the sample's platform: the trace is not "
                                             "this scenario's; generate the sample again",
                                             f[c_machine]));
            if (!q.worker(static_cast<std::size_t>(host->second)))
                throw InputError(
                    trace, n, "machine.name",
                    fmt::format("'{}' ran a job but has no worker role in the sample's platform: "
                                "the trace is not this scenario's; generate the sample again",
                                f[c_machine]));
            machine_of[f[c_tag]] = host->second;
        }
        // keep the jobs that ran, in order
        SequenceSample kept;
        kept.host_x = std::move(q.host_x);
        kept.scenario_x = std::move(q.scenario_x);
        kept.settings = std::move(q.settings);
        kept.host_names = std::move(q.host_names);
        kept.host_sites = std::move(q.host_sites);
        const std::size_t ni = job_input_names().size();
        for (std::size_t j = 0; j < q.jobs.size(); ++j) {
            const auto it = by_id.find(q.jobs[j]);
            if (it == by_id.end())
                continue;
            kept.jobs.push_back(q.jobs[j]);
            kept.job_x.insert(kept.job_x.end(), q.job_x.begin() + static_cast<std::ptrdiff_t>(j * ni),
                              q.job_x.begin() + static_cast<std::ptrdiff_t>((j + 1) * ni));
            kept.targets.insert(kept.targets.end(), it->second.begin(), it->second.end());
            kept.machines.push_back(machine_of[q.jobs[j]]);
        }
        if (kept.jobs.size() != by_id.size())
            throw InputError(trace, 0, "",
                             fmt::format("{} jobs done in the trace, {} of them in the scenario: the "
                                         "trace is not this scenario's; generate the sample again",
                                         by_id.size(), kept.jobs.size()));
        out.push_back(std::move(kept));
    }
    return out;
}

} // namespace hepkit::surrogate
