#pragma once
// The Runner's state (Runner.hpp): the steps flattened into sequences (the global part, then one
// per pipeline), the plan analysis (which steps each shift runs again) and the merged results.
// RunnerPrepare.cpp declares the steps, PlanAnalysis.cpp analyses the plan and cuts the batches,
// Runner.cpp runs batches, RunnerOutput.cpp writes and prints.

#include "hepkit/events/Input.hpp"
#include "hepkit/events/Runner.hpp"
#include "hepkit/io/Column.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hepkit::events::detail {

enum class NodeKind : std::uint8_t { producer, filter, consumer, replacement };

/// One step of a sequence, its names resolved.
struct Node {
    NodeKind kind = NodeKind::producer;
    std::shared_ptr<Producer> producer; ///< producer or replacement
    std::shared_ptr<Filter> filter;
    std::shared_ptr<Consumer> consumer;
    const Step* step = nullptr;
    std::string label;            ///< StepPlace::label(), for messages, the graph and the timing
    std::vector<ProductId> reads; ///< resolved inputs()
    /// Producers and filters: per product of `reads`, Step::thresholds (empty for other kinds).
    std::vector<std::optional<std::vector<expr::Threshold>>> thresholds;
    std::vector<ProductId> makes; ///< producer: its products; replacement: {its internal product}
    std::size_t shift = 0;        ///< replacement: index into Plan::shifts
    ProductId replaced = 0;       ///< replacement: the product it stands in for under its shift
    std::size_t index = 0;        ///< filter: position in the sequence's cut flow; consumer: slot
};

/// The global part (sequence 0) or one pipeline (sequence p+1), with its variants: variant 0 is the
/// nominal, variant v ≥ 1 runs under shift `shifts[v-1]` (an index into Plan::shifts).
struct Sequence {
    std::string name; ///< pipeline name; "" for the global part
    std::vector<Node> nodes;
    std::size_t filters = 0;
    std::size_t consumers = 0;
    std::vector<std::size_t> shifts;
    /// [variant][node]: whether the node runs in that variant (the plan analysis). Variant 0 runs
    /// every node but the replacements; a shift runs its replacements and what they reach.
    std::vector<std::vector<std::uint8_t>> rerun;
    /// [variant]: whether any node runs (global part: whether the variant needs its own batch).
    std::vector<std::uint8_t> touched;
    /// Global part: [variant] the products a shift changed and whether its rows may differ, where
    /// the pipelines take over.
    std::vector<std::vector<std::uint8_t>> dirty_after;
    std::vector<std::uint8_t> rows_dirty_after;
    /// Pipelines: for variant v, the global part's variant it continues (0: the nominal's batch).
    std::vector<std::size_t> global_variant;
    std::optional<ProductId> weight; ///< pipelines: the cut flow's weight
    /// Flat indexes into a batch's work: timing slots (time_base[v] + node), result slots
    /// (result_base + v·consumers + slot), cut-flow counts (cut_base + v·cut_rows + row).
    std::vector<std::size_t> time_base;
    std::size_t result_base = 0;
    std::size_t cut_base = 0;
    std::size_t cut_rows = 0; ///< 1 ("all") + the global part's filters + its own
};

/// One input branch that some step reads: product `id` from branch `branch` (a fixed-size array
/// of `width` values per entry becomes a jagged product).
struct InputColumn {
    ProductId id = 0;
    std::string branch;
    std::size_t width = 1;
    bool fixed = false;
};

/// A block of consecutive entries of one file.
struct BatchSpec {
    std::size_t file = 0;
    std::int64_t begin = 0; ///< entries of the file
    std::int64_t end = 0;
    std::int64_t first_global = 0; ///< global (chain) entry of `begin`
};

/// Counts of one cut-flow row for one batch.
struct CutCount {
    std::int64_t events = 0;
    double sumw = 0;
    double sumw2 = 0;
};

/// What one batch produced: consumers' results, cut-flow counts, timing.
struct BatchWork {
    std::vector<std::unique_ptr<Result>> results;
    std::vector<CutCount> cuts;
    std::vector<double> seconds;
    std::vector<std::int64_t> calls;
    double read_seconds = 0;
    std::int64_t events = 0;
};

} // namespace hepkit::events::detail

namespace hepkit::events {

struct Runner::Impl {
    Plan plan;
    bool prepared = false;
    bool ran = false;
    // Inputs: a chain of ROOT files (TTrees or RNTuples, Input.hpp), or columns in memory.
    std::unique_ptr<InputSource> input;
    std::shared_ptr<const std::vector<io::Column>> memory;
    std::int64_t memory_batch = 0;
    Schema schema;
    std::size_t input_products = 0;         ///< ids [0, input_products) are the input's branches
    std::vector<std::string> branch_of;     ///< input product id → branch name
    std::vector<std::size_t> width_of;      ///< input product id → values per entry (fixed arrays)
    std::vector<detail::InputColumn> reads; ///< input branches that some step reads
    std::vector<detail::Sequence> sequences;
    std::vector<detail::BatchSpec> batches;
    std::int64_t total_events = 0;
    std::size_t time_slots = 0, result_slots = 0, cut_slots = 0;
    /// The steps some shift runs again (analyse()): each batch keeps memos for them (Batch::memo).
    std::vector<const void*> memo_steps;

    // After run(): merged in batch order.
    std::vector<std::unique_ptr<Result>> results;
    std::vector<detail::CutCount> cuts;
    std::vector<double> step_seconds;
    std::vector<std::int64_t> step_calls;
    RunReport report;

    void declare_inputs();
    void declare_steps();
    void analyse();
    void plan_batches();
    void process(const detail::BatchSpec& spec, detail::BatchWork& work) const;
    std::vector<io::Column> read(const detail::BatchSpec& spec) const;
    void merge(detail::BatchWork&& work);
    void finish(double wall_seconds);
    /// Shift name of sequence `seq`'s variant v ("" nominal).
    const std::string& shift_name(const detail::Sequence& seq, std::size_t v) const;
    const std::string& shift_name(std::size_t shift) const { return plan.shifts[shift].name; }
};

} // namespace hepkit::events
