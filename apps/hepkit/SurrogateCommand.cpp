// `hepkit surrogate`: learned emulators of hepkit sim (docs/surrogate.md). `generate` runs the
// simulator over a space of scenarios and stores what a surrogate learns from.

#include "CliChecks.hpp"
#include "Commands.hpp"
#include "Progress.hpp"
#include "SurrogateCommands.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/surrogate/Generate.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <memory>

namespace hepkit::app {

namespace {

struct GenerateArgs {
    std::string space, out, samples, emit, emit_dir = "hepkit-surrogate";
    unsigned threads = 0;
    bool index_only = false;
    bool refresh_features = false;
};

// "A:B" (samples A to B-1), "A:" or ":B"; bounds within the space.
std::pair<std::size_t, std::size_t> sample_range(const std::string& text, std::size_t samples) {
    const auto colon = text.find(':');
    const auto number = [&](const std::string& part, std::size_t otherwise) -> std::size_t {
        if (part.empty())
            return otherwise;
        std::size_t used = 0;
        long long v = -1;
        try {
            v = std::stoll(part, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != part.size() || v < 0)
            throw UsageError("--samples", fmt::format("'{}': expected A:B with sample numbers A < B", text));
        return static_cast<std::size_t>(v);
    };
    if (colon == std::string::npos)
        throw UsageError("--samples", fmt::format("'{}': expected A:B (samples A to B-1)", text));
    const std::size_t a = number(text.substr(0, colon), 0), b = number(text.substr(colon + 1), samples);
    if (a >= b || b > samples)
        throw UsageError("--samples",
                         fmt::format("'{}': needs A < B <= {} (the space's samples)", text, samples));
    return {a, b};
}

int run_generate(const GenerateArgs& o, const GlobalOptions& g) {
    const surrogate::Space space = surrogate::read_space(o.space);
    if (!o.emit.empty()) {
        surrogate::emit_generate_array(space, o.space, o.out, o.emit, o.emit_dir,
                                       std::filesystem::canonical("/proc/self/exe").string());
        if (!g.quiet)
            fmt::print("hepkit surrogate generate: {} samples as a {} job array in {} (submit {}, then run "
                       "merge.sh)\n",
                       space.samples, o.emit, o.emit_dir,
                       o.emit == "condor" ? "surrogate.sub" : "surrogate.sbatch");
        return 0;
    }
    if (o.refresh_features) {
        ProgressLine line(g.quiet);
        const std::size_t rows =
            surrogate::refresh_features(space, o.out, [&](std::size_t done, std::size_t total) {
                if (line.due())
                    line.show(
                        fmt::format("{} / {} samples' features ({:.0f} s)", done, total, line.elapsed()));
            });
        line.finish();
        if (!g.quiet)
            fmt::print(
                "hepkit surrogate generate: features of {} samples computed again (nothing simulated); "
                "index in {}/index.csv\n",
                rows, o.out);
        return 0;
    }
    if (o.index_only) {
        const std::size_t rows = surrogate::write_index(space, o.out);
        if (!g.quiet)
            fmt::print("hepkit surrogate generate: {} samples in {}/index.csv\n", rows, o.out);
        return 0;
    }
    surrogate::GenerateOptions options;
    options.last = space.samples;
    if (!o.samples.empty())
        std::tie(options.first, options.last) = sample_range(o.samples, space.samples);
    options.threads = o.threads;
    ProgressLine line(g.quiet);
    options.progress = [&](std::size_t done, std::size_t total) {
        if (line.due())
            line.show(fmt::format("{} / {} samples done ({:.0f} s)", done, total, line.elapsed()));
    };
    const surrogate::GenerateReport r = surrogate::generate(space, o.out, options);
    line.finish();
    // generate() wrote the index where it ran the whole space
    const bool whole = options.first == 0 && options.last == space.samples;
    if (!g.quiet)
        fmt::print("hepkit surrogate generate: {} samples simulated ({} jobs, {:.2f} s of simulation), {} "
                   "already done{}\n",
                   r.run, r.jobs, r.sim_seconds, r.skipped,
                   whole ? fmt::format("; index in {}/index.csv", o.out) : std::string());
    return 0;
}

} // namespace

std::function<int()> add_surrogate_command(CLI::App& app, const GlobalOptions& globals) {
    auto o = std::make_shared<GenerateArgs>();
    CLI::App* cmd = app.add_subcommand(
        "surrogate",
        "Learned emulators of hepkit sim: generate their training data, train, predict, evaluate\n"
        "(docs/surrogate.md).");
    cmd->require_subcommand(1);
    CLI::App* gen = cmd->add_subcommand(
        "generate",
        "Run hepkit sim over the samples of a space of scenarios: a base grid scenario (SimGrid XML\n"
        "platform, DCSim workloads) varied in its worker hosts' cores, speed and number, disk and link\n"
        "bandwidths, latencies, cache sizes, job count, flops, file sizes and hit rate, as the space\n"
        "file says. Each sample is stored in OUT/scenarios/NNNNNN/ (its scenario files, platform.json,\n"
        "trace.csv, summary.json, observables.json); OUT/index.csv has one row per sample. Samples\n"
        "already done are skipped, so an interrupted run resumes. Example:\n"
        "  hepkit surrogate generate examples/surrogate/space.yaml -o surrogate-data");
    gen->add_option("SPACE", o->space, "space file (YAML: base, samples, seed, parameters)")
        ->required()
        ->check(CLI::ExistingFile);
    gen->add_option("-o,--output-dir", o->out, "directory for the samples and index.csv (created)")
        ->required();
    gen->add_option("--samples", o->samples, "only samples A to B-1 (A:B; job arrays run one each)");
    gen->add_option("-j,--threads", o->threads,
                    "simulations at a time (default: the space's, else all cores)")
        ->check(integer_in(1, 1024));
    gen->add_option("--emit", o->emit, "write a condor or slurm job array (one sample per task) instead")
        ->check(CLI::IsMember({"condor", "slurm"}));
    gen->add_option("--emit-dir", o->emit_dir, "directory for --emit (default hepkit-surrogate)");
    gen->add_flag("--index-only", o->index_only,
                  "only write OUT/index.csv from the samples done (a job array's merge step)");
    gen->add_flag("--refresh-features", o->refresh_features,
                  "compute every done sample's features again from its stored scenario, without\n"
                  "simulating, and write the index: data made by an earlier hepkit for this one's features")
        ->excludes("--index-only")
        ->excludes("--emit")
        ->excludes("--samples");
    std::vector<SubcommandRunner> models;
#if HEPKIT_WITH_TORCH
    models = add_surrogate_model_commands(cmd, globals);
#endif
    return [o, gen, models, &globals]() {
        if (gen->parsed())
            return run_generate(*o, globals);
        for (const auto& run : models)
            if (const auto code = run())
                return *code;
        return 0;
    };
}

} // namespace hepkit::app
