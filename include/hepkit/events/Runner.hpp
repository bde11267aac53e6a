#pragma once
/// @file
/// Running a Plan over its inputs: batches of events read through hepkit::io (only the branches
/// some step reads), the global part, then every pipeline under the nominal and its shifts,
/// batches spread over a thread pool, results merged in batch order (outputs identical whatever
/// the thread count), cut flows recorded for every filter (weighted and unweighted).
///
///     hepkit::events::Runner runner(std::move(plan), registry_schema_from_inputs);
///     runner.prepare();                 // declares every step: configuration errors before any event
///                                       // (bad data — a corrupt file, bad offsets — is run()'s error)
///     RunReport r = runner.run(&pool, progress_callback);
///     runner.write("out/");             // OUTDIR/pipeline/name[__shift].ext, report.json

#include "hepkit/events/Plan.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

namespace hepkit {
class ThreadPool;
}

namespace hepkit::events {

/// One row of a cut flow: the events before any filter ("all"), then after each filter.
struct CutFlowRow {
    std::string label;
    std::int64_t events = 0;
    double sumw = 0;
    double sumw2 = 0;
};
struct CutFlow {
    std::string pipeline;
    std::string shift; ///< "" nominal
    std::vector<CutFlowRow> rows;
};

/// CPU time spent per step (the threads' CPU time, summed over threads and batches), as ARTUS
/// reports it.
struct StepTime {
    std::string label;
    std::string shift; ///< "" nominal
    double seconds = 0;
    std::int64_t calls = 0;
};

struct RunReport {
    std::int64_t events = 0;
    std::int64_t batches = 0;
    double wall_seconds = 0; ///< run() from start to end
    double read_seconds = 0; ///< CPU, summed over threads: reading and decompressing the inputs
    std::vector<StepTime> steps;
    std::vector<CutFlow> cutflows;
};

/// Progress: events done of the total, after each batch (from the thread that finished it).
using ProgressFn = std::function<void(std::int64_t done, std::int64_t total)>;

class Runner {
  public:
    explicit Runner(Plan plan);
    /// Runs on columns in memory instead of plan.inputs.files (all of the same length; String
    /// columns are skipped): tests, benchmarks and bindings that already hold the data. Batches
    /// cut at Inputs::batch_entries (0: 16384 entries).
    Runner(Plan plan, std::vector<io::Column> columns);
    ~Runner();
    Runner(const Runner&) = delete;
    Runner& operator=(const Runner&) = delete;
    Runner(Runner&&) noexcept;
    Runner& operator=(Runner&&) noexcept;

    /// Opens the inputs, declares their branches and every step's products, checks that every
    /// step finds what it reads (and every shift replaces a product of the same type) and works
    /// out which steps each shift re-runs. Throws hepkit::InputError naming file, line and key.
    void prepare();
    const Schema& schema() const;
    /// After prepare(): the names of the steps that run in `pipeline` ("" the global part) under
    /// `shift` ("" the nominal: every step but the replacements), in order; empty for a shift the
    /// pipeline does not run under. The plan analysis, for tests and tools.
    std::vector<std::string> rerun_steps(const std::string& pipeline, const std::string& shift) const;
    /// After prepare(): entries to process and the batches they are cut into.
    std::int64_t events() const;
    std::size_t batches() const;
    /// The dependency graph (products, steps, shifts and what they re-run) as text, or as
    /// Graphviz dot.
    void print_graph(std::ostream& out, bool dot = false) const;

    /// Processes every batch. Throws what a step throws (hepkit::InputError naming the entry).
    RunReport run(ThreadPool* pool = nullptr, const ProgressFn& progress = {});
    /// Writes every consumer's merged result under `outdir` and `report.json` (the RunReport):
    /// all of them, or — where one cannot be written (hepkit::OutputError) — none.
    void write(const std::filesystem::path& outdir) const;
    /// After run(): the merged result of a consumer of a pipeline under a shift ("" nominal); a
    /// shift that reaches no step of the consumer gives the nominal's result. std::invalid_argument
    /// for unknown names.
    const Result& result(const std::string& pipeline, const std::string& consumer,
                         const std::string& shift = "") const;
    /// After run(): the report run() returned.
    const RunReport& report() const;

  private:
    void write_into(const std::filesystem::path& outdir) const;
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace hepkit::events
