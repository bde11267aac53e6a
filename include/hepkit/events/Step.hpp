#pragma once
/// @file
/// The processors of a pipeline (ARTUS, arXiv:1511.00852): producers add products, filters drop
/// events, consumers turn products into outputs (histograms, cut flows, ntuples). Built-in ones
/// are made from the YAML configuration through the Registry; users write their own in C++ and
/// load them from a shared library (Registry.hpp).
///
/// Life of a step: constructed from its configuration, then declare() once against the Schema
/// (resolving names to ids, checking types, declaring outputs — every error here, before any
/// event is read, naming the configuration place), then produce()/select()/consume() on many
/// batches, concurrently from several threads: these are const and must not keep per-call state
/// in the object.
///
/// A step's value for an event must depend on that event's products (and its entry number) only,
/// never on which other rows the batch selects: a producer after a filter computes the selected
/// rows only, and under a shift a step that runs again computes only the rows whose inputs differ
/// from the nominal's (row-level sharing, Plan::row_sharing), taking the nominal's values for the
/// others.

#include "hepkit/events/Products.hpp"
#include "hepkit/expr/Expression.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hepkit::events {

/// Where a step comes from, for messages: "producer good_muons (run.yaml:12)".
struct StepPlace {
    std::string kind; ///< "producer", "filter", "consumer"
    std::string name; ///< the step's name in the configuration
    std::string file; ///< configuration file ("" for steps made in code)
    int line = 0;
    std::string label() const;
};

class Step {
  public:
    explicit Step(StepPlace place) : place_(std::move(place)) {}
    virtual ~Step() = default;
    Step(const Step&) = delete;
    Step& operator=(const Step&) = delete;

    const StepPlace& place() const { return place_; }
    const std::string& name() const { return place_.name; }
    /// The names of the products it reads (known from the configuration alone, before declare):
    /// what the dependency analysis and the choice of branches to read use.
    virtual std::vector<std::string> inputs() const = 0;
    /// How the step reads product `id` when it reads it only through comparisons with constants
    /// (`Muon_pt > 20`, expr::Expression::thresholds: then its value for an event depends on the
    /// product only through the comparisons' outcomes and, for a collection, its length). Under a
    /// shift that changes the product, the runner computes the step again only for the events
    /// where an outcome changes (docs/events.md, "Cuts under a shift"). Default: std::nullopt —
    /// the product is read some other way (a plugin need not say).
    virtual std::optional<std::vector<expr::Threshold>> thresholds(ProductId id) const {
        (void)id;
        return std::nullopt;
    }

  private:
    StepPlace place_;
};

class Producer : public Step {
  public:
    using Step::Step;
    /// Resolves inputs in `schema`, checks their types and returns the products it makes
    /// (declared into the schema by the caller, in order). Throws hepkit::InputError naming place().
    virtual std::vector<ProductInfo> declare(const Schema& schema) = 0;
    /// declare() for a producer that stands in for product `replaced` under a shift (Plan.hpp);
    /// the runner then checks that it makes one product of the replaced one's type and shape. By
    /// default the same as declare(). A producer whose configuration leaves its output type open
    /// (an expression without `dtype`) takes the replaced product's type here, so that the
    /// shorthand `Muon_pt: "Muon_pt * 1.01"` replaces a float32 branch with a float32 product.
    virtual std::vector<ProductInfo> declare_replacement(const Schema& schema, const ProductInfo& replaced) {
        (void)replaced;
        return declare(schema);
    }
    /// The ids the schema gave to declare()'s products (called once, after declare).
    virtual void outputs_declared(std::span<const ProductId> ids) = 0;
    /// Computes its products for batch.rows() and put()s them (full-length columns: unselected
    /// rows 0 or empty). Throws hepkit::InputError for bad data (naming the entry).
    virtual void produce(Batch& batch) const = 0;
    /// Optional: its products for `rows` only (increasing, selected or not), compacted — one entry
    /// per element of `rows` (a jagged product: one array each, offsets from 0) — into `out`, in
    /// declare()'s order; returns false when it does not offer it (the default). Under a shift,
    /// a step computed again on a few rows uses it instead of produce() on the batch, whose
    /// columns of the batch's length would cost more than the rows (RunnerRows.hpp).
    virtual bool produce_rows(const Batch& batch, std::span<const std::uint32_t> rows,
                              std::vector<io::Column>& out) const {
        (void)batch;
        (void)rows;
        (void)out;
        return false;
    }
};

class Filter : public Step {
  public:
    using Step::Step;
    /// Resolves and checks inputs. Throws hepkit::InputError naming place().
    virtual void declare(const Schema& schema) = 0;
    /// pass[k] = 1 when row batch.rows()[k] passes (pass has rows().size() elements, zeroed).
    virtual void select(const Batch& batch, std::span<std::uint8_t> pass) const = 0;
};

/// What one consumer made from one or more batches: merged in batch order (so outputs do not
/// depend on the thread count), then written.
class Result {
  public:
    virtual ~Result() = default;
    /// Adds the result of the batches that follow this one's (same consumer, same pipeline).
    virtual void merge(Result&& later) = 0;
    /// Writes the output as `stem` + the consumer's extensions (stem: OUTDIR/pipeline/name or
    /// OUTDIR/pipeline/name__shift). Throws hepkit::OutputError; never leaves a half-written file.
    virtual void write(const std::filesystem::path& stem) const = 0;
};

class Consumer : public Step {
  public:
    using Step::Step;
    virtual void declare(const Schema& schema) = 0;
    /// A result for one batch (the selected rows).
    virtual std::unique_ptr<Result> consume(const Batch& batch) const = 0;
    /// An empty result (a pipeline that saw no batch still writes its outputs).
    virtual std::unique_ptr<Result> empty() const = 0;
};

} // namespace hepkit::events
