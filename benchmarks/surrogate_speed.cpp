// The surrogates against hepkit sim, per scenario, in the same run on one core (issue 18's speed
// goals; docs/surrogate.md, "Speed"): the example base scenario scaled to N jobs (default 10^4),
// simulated with sim::run, and predicted by a summary model (features + the ensemble) and by a
// per-job platform-aware model (the job sequence + the network, in windows of 500). The models are
// trained here for a few seconds on a few samples: their speed does not depend on how well they
// are trained. The scenario is loaded once, outside the timings, for both sides (its time, reading
// the files and drawing the jobs, is printed too: a scan through the surrogate pays it per point).
//
//   build/benchmarks/bench_surrogate_speed [--jobs N] [--repeat R] [--work DIR]
//
// Prints the median times of R runs (default 3) and the ratios sim / surrogate. The summary model
// once right after the scenario is built (its weights not in the caches yet), and repeated as a
// scan predicts one point after another. Last, a scan's point whole: its scenario read and
// simulated, against read with only its jobs' totals (WorkloadDetail::totals) and predicted.

#include "BenchOptions.hpp"
#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/sim/grid/GridScenario.hpp"
#include "hepkit/sim/grid/Run.hpp"
#include "hepkit/sim/grid/Scan.hpp"
#include "hepkit/surrogate/Features.hpp"
#include "hepkit/surrogate/Generate.hpp"
#include "hepkit/surrogate/SequenceModel.hpp"
#include "hepkit/surrogate/SummaryModel.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>
#include <yaml-cpp/yaml.h>

namespace fs = std::filesystem;
namespace su = hepkit::surrogate;

namespace {

double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// The BLAS library libtorch's matrix products ran on (the per-job model's time depends on it six
// times over: Debian's reference libblas3 against OpenBLAS, docs/surrogate.md "Speed"): the file
// behind libblas.so.3 in this process's mappings, as the alternatives system resolved it.
std::string blas_in_use() {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line)) {
        const auto slash = line.find('/');
        if (slash == std::string::npos)
            continue;
        const std::string path = line.substr(slash);
        const std::string name = std::filesystem::path(path).filename().string();
        if (name.rfind("libblas", 0) == 0 || name.rfind("libopenblas", 0) == 0 ||
            name.rfind("libmkl", 0) == 0)
            return path;
    }
    return "unknown (no BLAS library mapped)";
}

} // namespace

int main(int argc, char** argv) {
    long jobs = 10000;
    int repeat = 3;
    fs::path work = fs::temp_directory_path() / "hepkit-bench-surrogate";
    hepkit::bench::parse_options(argc, argv, "bench_surrogate_speed [--jobs N] [--repeat R] [--work DIR]",
                                 {{"--jobs", hepkit::bench::into(jobs)},
                                  {"--repeat", hepkit::bench::into(repeat)},
                                  {"--work", hepkit::bench::into(work)}});
    repeat = std::max(1, repeat);
    try {
        const std::string base = std::string(HEPKIT_SOURCE_DIR) + "/examples/surrogate/base.yaml";
        fs::remove_all(work);
        // training data: a few samples; the models: trained briefly
        su::Space space;
        space.origin = "bench";
        space.bases = {base};
        space.samples = 12;
        space.parameters = {{"cores_factor", 0.5, 2, false}, {"jobs_factor", 0.5, 1, false}};
        su::GenerateOptions go;
        go.threads = 1;
        su::generate(space, (work / "data").string(), go);
        su::write_index(space, (work / "data").string());
        su::SummaryTrainConfig sc;
        sc.data = (work / "data").string();
        sc.output = (work / "summary").string();
        sc.epochs = 30;
        su::train_summary(sc);
        su::SequenceTrainConfig qc;
        qc.data = sc.data;
        qc.output = (work / "platform").string();
        qc.kind = su::SequenceKind::platform;
        qc.epochs = 1;
        su::train_sequence(qc);
        const su::SummaryModel summary = su::SummaryModel::load(sc.output);
        const su::SequenceModel perjob = su::SequenceModel::load(qc.output);

        // the scenario of N jobs: the base's workload scaled (120 jobs in the base)
        su::Space one = space;
        one.samples = 1;
        one.parameters = {
            {"jobs_factor", static_cast<double>(jobs) / 120.0, static_cast<double>(jobs) / 120.0, false}};
        const std::string file = su::write_variation(one, su::draw(one, 0), (work / "big").string());
        const auto load = [&](hepkit::sim::WorkloadDetail detail = hepkit::sim::WorkloadDetail::jobs) {
            return hepkit::sim::read_grid_scenario(
                hepkit::config::YamlView(hepkit::config::load_yaml_file(file), file), (work / "big").string(),
                std::nullopt, detail);
        };
        std::vector<double> t_sim, t_sum, t_job, t_feat, t_net, t_scan, t_load, t_point, t_shared, t_feat_rep,
            t_seq, t_feat_bare;
        // a scan over the cache hit rate: its points share the scenario and seed, so their jobs
        hepkit::sim::ScanSpec hitrates;
        hitrates.origin = "bench";
        hitrates.scenarios = {file};
        hitrates.parameters = {{"hitrate", {}}};
        for (int k = 0; k < 20; ++k)
            hitrates.parameters[0].values.push_back(std::to_string(0.02 * k));
        std::size_t n = 0;
        double makespan = 0, predicted = 0;
        for (int r = 0; r < repeat; ++r) {
            double t0 = now();
            hepkit::sim::GridScenario s = load();
            t_load.push_back(now() - t0);
            n = s.workload.jobs.size();
            t0 = now();
            const std::vector<double> f = su::scenario_features(s);
            t_feat.push_back(now() - t0);
            const su::SummaryPrediction p = summary.predict(f);
            t_sum.push_back(now() - t0);
            predicted = p.mean[0];
            // the networks alone (and the domain check), 200 times for a time above the clock's
            t0 = now();
            for (int k = 0; k < 200; ++k)
                predicted += 0 * summary.predict(f).mean[0];
            t_net.push_back((now() - t0) / 200);
            // features and networks one scenario after another, as a scan predicts its points
            // (caches warm: the first call above also paid for bringing the weights in)
            t0 = now();
            for (int k = 0; k < 200; ++k)
                predicted += 0 * summary.predict(su::scenario_features(s)).mean[0];
            t_scan.push_back((now() - t0) / 200);
            // the features alone, repeated, and without the placed reads (pack_*: the workload's
            // job groups dropped, so nothing is placed) — what the placement costs, same run
            double sink = 0;
            t0 = now();
            for (int k = 0; k < 200; ++k)
                sink += su::scenario_features(s).back();
            t_feat_rep.push_back((now() - t0) / 200);
            {
                hepkit::sim::GridScenario bare = s;
                if (bare.workload.totals)
                    bare.workload.totals->groups.clear();
                t0 = now();
                for (int k = 0; k < 200; ++k)
                    sink += su::scenario_features(bare).back();
                t_feat_bare.push_back((now() - t0) / 200);
            }
            predicted += 0 * sink;
            // a scan point through the surrogate, whole: its scenario read with the jobs' totals
            // only (what `hepkit sim --scan --surrogate` does; the features read no more) and
            // predicted — against reading it with its jobs and simulating, below
            t0 = now();
            for (int k = 0; k < 20; ++k)
                predicted +=
                    0 *
                    summary.predict(su::scenario_features(load(hepkit::sim::WorkloadDetail::totals))).mean[0];
            t_point.push_back((now() - t0) / 20);
            // ... and the points of a scan that share the scenario and seed (sim::ScanDescriber:
            // the jobs drawn for the first point only)
            hepkit::sim::ScanDescriber describer(hitrates);
            t0 = now();
            for (std::size_t k = 0; k < 20; ++k)
                predicted += 0 * summary.predict(su::scenario_features(describer.scenario(k))).mean[0];
            t_shared.push_back((now() - t0) / 20);
            t0 = now();
            const su::SequenceSample seq = su::sequence_of(s); // with every job placed (Placement.hpp)
            t_seq.push_back(now() - t0);
            const auto q = perjob.predict(seq);
            t_job.push_back(now() - t0);
            t0 = now();
            const auto sum = hepkit::sim::run(std::move(s));
            t_sim.push_back(now() - t0);
            makespan = sum.makespan;
            if (q.empty())
                return 1;
        }
        std::printf(
            "scenario: %zu jobs on the example base platform (10 workers, 384 cores); simulated makespan "
            "%.0f s (the briefly trained summary model says %.0f s)\n",
            n, makespan, predicted);
        std::printf("BLAS: %s\n", blas_in_use().c_str());
        std::printf("%-44s %12s %12s\n", "per scenario, median of runs", "seconds", "sim / this");
        std::printf("%-44s %12.4g %12s\n", "hepkit sim (sim::run)", median(t_sim), "1");
        std::printf("%-44s %12.4g %12.0f\n", "summary model (features + 5 networks)", median(t_sum),
                    median(t_sim) / median(t_sum));
        std::printf("%-44s %12.4g %12.0f\n", "  of which the features", median(t_feat),
                    median(t_sim) / median(t_feat));
        std::printf("%-44s %12.4g %12.0f\n", "  the networks alone (5 members)", median(t_net),
                    median(t_sim) / median(t_net));
        std::printf("%-44s %12.4g %12.0f\n", "summary model, repeated (as a scan's points)", median(t_scan),
                    median(t_sim) / median(t_scan));
        std::printf("%-44s %12.4g %12.0f\n", "  the features alone, repeated", median(t_feat_rep),
                    median(t_sim) / median(t_feat_rep));
        std::printf("%-44s %12.4g %12.0f\n", "    of which the placed reads (pack_*)",
                    median(t_feat_rep) - median(t_feat_bare),
                    median(t_sim) / (median(t_feat_rep) - median(t_feat_bare)));
        std::printf("%-44s %12.4g %12.1f\n", "per-job platform model (sequence + network)", median(t_job),
                    median(t_sim) / median(t_job));
        std::printf("%-44s %12.4g %12.0f\n", "  of which the job sequence, each job placed", median(t_seq),
                    median(t_sim) / median(t_seq));
        std::printf("%-44s %12.4g %12s\n", "building the scenario (outside both timings)", median(t_load),
                    "");
        // a scan's point, whole: read and simulated, or read (totals only) and predicted
        std::printf("%-44s %12.4g %12s\n", "scan point: read with its jobs + hepkit sim",
                    median(t_load) + median(t_sim), "1");
        std::printf("%-44s %12.4g %12.0f\n", "scan point: read for its totals + summary model",
                    median(t_point), (median(t_load) + median(t_sim)) / median(t_point));
        std::printf("%-44s %12.4g %12.0f\n", "  points sharing scenario and seed (of 20)", median(t_shared),
                    (median(t_load) + median(t_sim)) / median(t_shared));
        fs::remove_all(work);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_surrogate_speed: %s\n", e.what());
        return 1;
    }
    return 0;
}
