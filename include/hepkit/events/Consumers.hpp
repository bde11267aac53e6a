#pragma once
/// @file
/// The built-in consumers of `hepkit events` (issue 15): weighted histograms of expressions and
/// ntuples of chosen products (docs/events-outputs.md). Both are registered by
/// register_consumers() as the types `histogram` and `ntuple`:
///
///     - type: histogram          # 1D; 2D with `y` and `y_bins`/`y_edges`
///       name: mu_pt
///       x: Muon_pt               # an expression; a jagged one fills once per element
///       bins: 40, 0, 200         # N, LO, HI (or [40, 0, 200]); or edges: [0, 10, 20, 50, 200]
///       cut: abs(Muon_eta) < 2.4 # optional: jagged selects elements, per-event selects events
///       weight: genWeight        # optional: per event (broadcast over elements) or per element
///     - type: ntuple
///       name: selected
///       products: [nMuon, Muon_pt, mass]
///       format: root             # root (tree `Events`), hdf5 or csv
///
/// Outputs (Result::write, stem = OUTDIR/pipeline/name[__shift]): a histogram writes stem.json (the
/// schema of Histogram.hpp) and stem.root (a TH1D or TH2D named after the stem's file name, e.g.
/// `mu_pt__muon_scale_up`); an ntuple writes stem.root (tree `Events`), stem.h5 or stem.csv with
/// one row per selected event, in input order.

#include "hepkit/events/Histogram.hpp"
#include "hepkit/events/Registry.hpp"
#include "hepkit/events/Step.hpp"
#include "hepkit/expr/Columns.hpp"
#include "hepkit/expr/Expression.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hepkit::events {

namespace detail {
/// An expression over a batch's products: parsed against the products it names (found in the
/// schema at bind time), evaluated with expr::evaluate_columns over the batch's selected rows.
class ProductExpression {
  public:
    ProductExpression() = default;
    explicit ProductExpression(std::string text) : text_(std::move(text)) {}
    const std::string& text() const { return text_; }
    bool empty() const { return text_.empty(); }
    /// The names in the text that may be products (names not called as functions, not keywords,
    /// not constants): what the step reads.
    std::vector<std::string> names() const;
    /// Parses against the schema's products; InputError (from the parser, naming `file`, `line`
    /// and the expression) for unknown names or bad types.
    void bind(const Schema& schema, const std::string& file, int line, const std::string& who);
    const expr::Expression& expression() const { return *expr_; }
    /// Evaluates over batch.rows() (one entry per event of the batch, 0 / empty for the others).
    expr::ColumnResult evaluate(const Batch& batch) const;

  private:
    std::string text_;
    std::optional<expr::Expression> expr_;
    std::vector<ProductId> products_; ///< by binding slot
};
} // namespace detail

/// A weighted 1D or 2D histogram of expressions over the selected events.
class HistogramConsumer : public Consumer {
  public:
    struct Config {
        std::string x; ///< expression of the filled value (required)
        std::string y; ///< 2D: expression of y; "" for 1D
        Axis x_axis = Axis::regular(1, 0, 1);
        std::optional<Axis> y_axis; ///< set exactly when y is
        std::string weight;         ///< expression of the weight; "" weight 1
        std::string cut;            ///< expression selecting events or elements; "" all
        std::string title;          ///< histogram title ("" : the expressions)
    };

    /// Throws hepkit::InputError naming the place when x is empty or y and y_axis disagree.
    HistogramConsumer(StepPlace place, Config config);
    /// From YAML (keys: x, y, bins | edges, y_bins | y_edges, weight, cut, title); bad keys and
    /// values name file, line and key.
    static std::unique_ptr<HistogramConsumer> from_config(const StepConfig& config);

    const Config& config() const { return config_; }
    std::vector<std::string> inputs() const override;
    /// Parses the expressions against the schema and checks their shapes: a jagged cut or
    /// weight needs a jagged x (elements), a 2D histogram's x and y are both per event or both
    /// jagged (or one per event, broadcast over the other's elements). InputError naming place().
    void declare(const Schema& schema) override;
    std::unique_ptr<Result> consume(const Batch& batch) const override;
    std::unique_ptr<Result> empty() const override;

    /// Fills `hist` from the batch's selected rows (what consume() does; `hepkit events hist`
    /// fills one histogram per cluster with it). Throws InputError naming the entry when a jagged
    /// cut or weight has another length than x in some event.
    void fill(const Batch& batch, Hist& hist) const;
    /// An empty histogram with this consumer's axes, named name().
    Hist make_hist() const;

  private:
    Config config_;
    detail::ProductExpression x_, y_, weight_, cut_;
};

class HistogramResult : public Result {
  public:
    explicit HistogramResult(Hist hist) : hist_(std::move(hist)) {}
    const Hist& hist() const { return hist_; }
    Hist& hist() { return hist_; }
    void merge(Result&& later) override;
    /// stem.json and stem.root; the histogram is named stem.filename() in both.
    void write(const std::filesystem::path& stem) const override;

  private:
    Hist hist_;
};

enum class NtupleFormat { Root, Hdf5, Csv };

/// The chosen products of the selected events, one row per event in input order.
class NtupleConsumer : public Consumer {
  public:
    struct Config {
        std::vector<std::string> products; ///< at least one; no repeats
        NtupleFormat format = NtupleFormat::Root;
        std::string tree = "Events"; ///< ROOT format: the tree's name
    };
    NtupleConsumer(StepPlace place, Config config);
    /// From YAML (keys: products, format, tree).
    static std::unique_ptr<NtupleConsumer> from_config(const StepConfig& config);

    const Config& config() const { return config_; }
    std::vector<std::string> inputs() const override { return config_.products; }
    void declare(const Schema& schema) override;
    std::unique_ptr<Result> consume(const Batch& batch) const override;
    std::unique_ptr<Result> empty() const override;

  private:
    Config config_;
    std::vector<ProductId> ids_;
    std::vector<ProductInfo> infos_;
};

class NtupleResult : public Result {
  public:
    NtupleResult(std::vector<io::Column> columns, NtupleFormat format, std::string tree)
        : columns_(std::move(columns)), format_(format), tree_(std::move(tree)) {}
    const std::vector<io::Column>& columns() const { return columns_; }
    /// Appends the later batches' rows.
    void merge(Result&& later) override;
    /// stem.root (tree), stem.h5 or stem.csv.
    void write(const std::filesystem::path& stem) const override;

  private:
    std::vector<io::Column> columns_;
    NtupleFormat format_;
    std::string tree_;
};

/// Parses "N,LO,HI" (`--bins`, YAML `bins: 40, 0, 200`) into a regular axis; InputError naming
/// `file`, `line` and `key` otherwise.
Axis parse_bins(const std::string& text, const std::string& file, int line, const std::string& key);

/// The rows `rows` of a column (flat, fixed or jagged) as a new column: an ntuple's selected events.
io::Column take_rows(const io::Column& column, std::span<const std::uint32_t> rows);

} // namespace hepkit::events
