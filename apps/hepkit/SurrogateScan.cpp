// `hepkit sim --scan SCAN.yaml --surrogate MODEL`: the scan's points predicted by a summary
// surrogate instead of simulated (docs/surrogate.md, docs/scans.md). Each point's scenario is
// read and its parameters applied as for a simulation — its jobs drawn once per scenario file and
// seed, only their totals kept (the features read no more; sim::ScanDescriber) — its features
// computed on the threads of the scan and predicted in one batch. Points outside the model's training domain
// are flagged.

#include "CliChecks.hpp"
#include "Progress.hpp"
#include "SurrogateCommands.hpp"
#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/core/ThreadPool.hpp"
#include "hepkit/sim/grid/Scan.hpp"
#include "hepkit/surrogate/Features.hpp"
#include "hepkit/surrogate/SummaryModel.hpp"

#include <atomic>
#include <fmt/format.h>
#include <mutex>
#include <thread>

namespace hepkit::app {

int run_scan_surrogate(const sim::ScanSpec& spec, std::size_t first, std::size_t last,
                       const std::string& model_dir, const std::string& output, const GlobalOptions& g) {
    const surrogate::SummaryModel model = surrogate::SummaryModel::load(model_dir);
    const std::size_t n = last - first, nf = surrogate::feature_names().size();
    std::vector<double> x(n * nf);
    std::vector<std::vector<double>> settings(n); // those no feature describes (Domain.hpp)
    std::size_t threads = spec.threads > 0 ? spec.threads : std::max(1u, std::thread::hardware_concurrency());
    ThreadPool pool(std::max<std::size_t>(1, std::min(threads, n)));
    ProgressLine line(g.quiet);
    std::atomic<std::size_t> done{0};
    std::mutex progress;
    sim::ScanDescriber describer(spec);
    pool.parallel_for(n, [&](std::size_t i) {
        const sim::GridScenario& scenario = describer.scenario(first + i);
        const std::vector<double> f = surrogate::scenario_features(scenario);
        std::copy(f.begin(), f.end(), x.begin() + static_cast<std::ptrdiff_t>(i * nf));
        settings[i] = surrogate::scenario_settings(scenario);
        const std::size_t d = ++done;
        const std::lock_guard l(progress);
        if (line.due())
            line.show(fmt::format("{} / {} scan points read", d, n));
    });
    line.finish();
    auto predictions = model.predict_rows(x, n);
    for (std::size_t i = 0; i < n; ++i)
        for (auto& w : model.settings_outside(settings[i]))
            predictions[i].outside.push_back(std::move(w));
    std::string header = "point,scenario";
    for (const auto& p : spec.parameters)
        header.append(",").append(p.name);
    for (const auto& t : model.targets())
        header.append(",").append(t).append(",").append(t).append("_spread");
    header += ",outside_training_domain";
    std::vector<std::string> rows;
    std::size_t outside = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const auto& p = predictions[i];
        std::string row = sim::scan_point_fields(spec, first + i);
        for (std::size_t t = 0; t < p.mean.size(); ++t)
            row.append(",")
                .append(CsvWriter::number(p.mean[t]))
                .append(",")
                .append(CsvWriter::number(p.spread[t]));
        std::string why;
        for (const auto& w : p.outside)
            why.append(why.empty() ? "" : "; ").append(w.message());
        row.append(",").append(CsvWriter::field(why));
        outside += p.outside.empty() ? 0 : 1;
        rows.push_back(std::move(row));
    }
    if (!output.empty()) {
        CsvWriter out(output, header);
        for (const auto& r : rows)
            out.line(r);
        out.commit();
    } else if (!g.quiet) {
        fmt::print("{}\n", header);
        for (const auto& r : rows)
            fmt::print("{}\n", r);
    }
    if (outside > 0)
        fmt::print(
            stderr,
            "hepkit: warning: {} of {} scan points lie outside the surrogate's training domain (column "
            "outside_training_domain names the features and settings): simulate them, or train on a wider "
            "space\n",
            outside, n);
    return 0;
}

} // namespace hepkit::app
