#pragma once
/// @file
/// Expression steps (issue 15): a producer whose product is an expression of other products, and
/// a filter that keeps the events where an expression is true — both in the language of
/// hepkit::expr (docs/expressions.md), evaluated over whole columns (expr::evaluate_columns), so
/// a batch costs a few array loops per operator, not an interpreter walk per event.
///
///     producers:
///       - {name: mu_pt_scaled, type: expr, expr: "Muon_pt * 1.01", dtype: float32}
///     filters:
///       - {name: two_muons, type: expr, expr: "nMuon >= 2"}
///
/// `dtype` (bool, int8 … uint64, float32, float64) is the element type of the product; without it
/// the expression's own type decides (bool → bool, int → int64, float → float64), except for a
/// shift's replacement, which takes the type of the product it replaces (`Muon_pt * 1.01` for a
/// float32 branch is float32). Only widening is allowed: a float is not stored as an int, an int
/// not as a bool. (The key is `dtype`, not `type`: `type` names the step's kind.)

#include "hepkit/events/Step.hpp"
#include "hepkit/expr/Bindings.hpp"
#include "hepkit/expr/Columns.hpp"
#include "hepkit/expr/Expression.hpp"

#include <optional>
#include <string>
#include <vector>

namespace hepkit::events {

class Registry;

/// expr::Expression::thresholds of the slot bound to product `id` (nullopt before declare).
std::optional<std::vector<expr::Threshold>> thresholds_in(const std::optional<expr::Expression>& e,
                                                          const std::vector<ProductId>& ids, ProductId id);

/// A product computed by an expression; its name is the step's name. Scalar expressions make one
/// value per event, array expressions (of jagged products) one array per event.
class ExprProducer : public Producer {
  public:
    /// Parses `expression` (syntax errors here, naming place's file and line); `dtype`: the
    /// product's element type (nullopt: from the expression). Names are resolved in declare().
    /// Throws hepkit::InputError; std::invalid_argument for a String dtype.
    ExprProducer(StepPlace place, std::string expression, std::optional<io::ColumnType> dtype = std::nullopt);

    std::vector<std::string> inputs() const override { return inputs_; }
    std::optional<std::vector<expr::Threshold>> thresholds(ProductId id) const override {
        return thresholds_in(expr_, ids_, id);
    }
    std::vector<ProductInfo> declare(const Schema& schema) override;
    /// Without a `dtype`, the product takes the replaced product's element type (a float
    /// expression replacing a float32 branch is stored as float32); an expression whose type the
    /// replaced one cannot hold without losing values (a float for an int) is an error.
    std::vector<ProductInfo> declare_replacement(const Schema& schema, const ProductInfo& replaced) override;
    void outputs_declared(std::span<const ProductId> ids) override;
    void produce(Batch& batch) const override;
    bool produce_rows(const Batch& batch, std::span<const std::uint32_t> rows,
                      std::vector<io::Column>& out) const override;

    const std::string& expression() const { return text_; }

  private:
    io::Column column_of(expr::ColumnResult&& r, std::size_t length) const;
    bool produce_scaled(Batch& batch) const;
    std::vector<ProductInfo> declare_as(const Schema& schema, std::optional<io::ColumnType> dtype,
                                        const ProductInfo* replaced);
    std::string text_;
    std::optional<io::ColumnType> dtype_;
    std::vector<std::string> inputs_; ///< names the expression reads, in order of first use
    std::vector<ProductId> ids_;      ///< binding slot k ↔ product ids_[k]
    std::optional<expr::Expression> expr_;
    std::optional<expr::ScaledInput> scaled_; ///< expr_ is one operation of an input and a constant
    ProductInfo out_;
    ProductId out_id_ = 0;
};

/// Keeps the events where an expression is true (Python's truth: nonzero, NaN too). The
/// expression must have one value per event: an array (one value per object) is an error at
/// declare() that suggests any(), all() or len().
class ExprFilter : public Filter {
  public:
    ExprFilter(StepPlace place, std::string expression);

    std::vector<std::string> inputs() const override { return inputs_; }
    std::optional<std::vector<expr::Threshold>> thresholds(ProductId id) const override {
        return thresholds_in(expr_, ids_, id);
    }
    void declare(const Schema& schema) override;
    void select(const Batch& batch, std::span<std::uint8_t> pass) const override;

    const std::string& expression() const { return text_; }

  private:
    std::string text_;
    std::vector<std::string> inputs_;
    std::vector<ProductId> ids_;
    std::optional<expr::Expression> expr_;
};

/// The names an expression of the selection language reads (its free names that are not
/// constants such as pi), in order of first use. Throws hepkit::InputError for a syntax error,
/// naming `file` and `line`.
std::vector<std::string> expression_names(const std::string& expression, const std::string& file = "",
                                          int line = 0);

/// "float32" → ColumnType::Float32 for the `dtype` key (bool, int32, int64, float32, float64);
/// nullopt for anything else.
std::optional<io::ColumnType> parse_dtype(const std::string& name);

} // namespace hepkit::events
