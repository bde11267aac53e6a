#pragma once
/// @file
/// The library of common producers (issue 15): object selection by cuts, leading-object picks,
/// four-vector sums and invariant masses, ΔR matching and cleaning, MET recomputation, event
/// weights. Each is a Producer with a nested Config (made in code, or read from a step's YAML by
/// `parse`), registered by register_library() under the type names below. docs/events-library.md
/// lists every configuration key.
///
/// Conventions shared by all of them:
/// - A *collection* `Muon` is the jagged products `Muon_<field>` (NanoAOD's naming); kinematics
///   are `<collection>_pt`, `_eta`, `_phi` and `_mass` (or a constant mass).
/// - Outputs are named from `output` (default: the step's name): one product `output` for a single
///   quantity, `<output>_<field>` and `n<output>` for a collection.
/// - Columnar: each producer loops over the batch's selected rows and the objects' offsets; the
///   rows that did not pass earlier filters hold 0 (scalars) or no objects (jagged), as Products.hpp
///   requires. No per-event allocation; scratch buffers are per batch.
/// - Computed kinematics are float64; copied fields keep their input type; indices and counts
///   are int32 (what expressions read: the expression language has no unsigned types).
/// - Objects of one collection must have the same number of elements in every product read
///   (`Muon_pt` and `Muon_eta`); a mismatch is an InputError naming the entry.

#include "hepkit/events/Registry.hpp"
#include "hepkit/events/Step.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hepkit::expr {
class Expression;
}

namespace hepkit::events {

/// A number, or the name of a product that gives one per event (or per object).
struct NumberOrProduct {
    double number = 0;
    std::string product; ///< "" → `number`
    bool is_product() const { return !product.empty(); }
};

/// One built-in cut on a field of a collection. Comparisons are strict, as analyses write them
/// (`pt > 20`, `abs(eta) < 2.4`); a NaN value fails every cut.
struct FieldCut {
    enum class Kind : unsigned char {
        min,     ///< value > threshold
        max,     ///< value < threshold
        min_abs, ///< |value| > threshold
        max_abs, ///< |value| < threshold
        equal,   ///< value == threshold (IDs, flags)
    };
    std::string field; ///< without the collection prefix: `pt`
    Kind kind = Kind::min;
    double threshold = 0; ///< in the field's unit (GeV for pt)
};

/// `select_objects`: the objects of a collection that pass cuts, as a new collection (order kept).
class SelectObjects final : public Producer {
  public:
    struct Config {
        std::string collection;          ///< input prefix: reads `<collection>_<field>`
        std::string output;              ///< output prefix; "" → the step's name
        std::vector<std::string> fields; ///< fields copied to `<output>_<field>` (≥ 1, no repeats)
        std::vector<FieldCut> cuts;      ///< all must pass
        /// Cut expressions over the collection's products (`abs(Muon_eta) < 2.4`), each one truth
        /// value per object (per-event products broadcast). All must pass, and `cuts` too. A list
        /// because the expression language has no elementwise `and` (`and` of arrays is an
        /// error there); `(a > 1) * (b < 2)` also works.
        std::vector<std::string> expressions;
        bool index = false; ///< also `<output>_index`: int32 index of the object in `collection`
        std::string count;  ///< count product name; "" → `n<output>` (int32)
        /// A field to order the selected objects by, decreasing (ties keep the stored order, NaN
        /// last): re-sorts a collection whose pT a shift changed. "" keeps the stored order.
        std::string sort_by;
    };
    SelectObjects(StepPlace place, Config config);
    ~SelectObjects() override;
    /// Keys: collection, output, fields, cut (an expression or a list of them), min, max, min_abs,
    /// max_abs, equal (maps field → number), index, count, sort_by.
    static Config parse(const StepConfig& config);
    const Config& config() const { return config_; }

    std::vector<std::string> inputs() const override;
    std::vector<ProductInfo> declare(const Schema& schema) override;
    void outputs_declared(std::span<const ProductId> ids) override;
    void produce(Batch& batch) const override;

  private:
    Config config_;
    std::vector<ProductId> field_ids_, cut_ids_;
    std::optional<ProductId> sort_id_;
    struct CutExpression {
        std::unique_ptr<expr::Expression> expression;
        std::vector<ProductId> ids; ///< by binding slot
    };
    std::vector<CutExpression> expressions_;
    std::vector<ProductId> out_ids_; ///< fields…, count, [index]
};

/// `leading`: the fields of the k-th object of a collection (stored order, or the k-th largest of
/// a field) as per-event scalars, `default` where the event has fewer objects.
class Leading final : public Producer {
  public:
    struct Config {
        std::string collection;
        std::string output; ///< prefix: `<output>_<field>`; "" → the step's name
        std::vector<std::string> fields;
        int rank = 0;        ///< k (0 = leading)
        std::string sort_by; ///< a field: the k-th largest of it (ties: stored order); "" → stored order
        double fallback = 0; ///< value of events with fewer than k+1 objects (converted to each field's type)
        std::string valid;   ///< optional bool product: whether the event has the object
    };
    Leading(StepPlace place, Config config);
    /// Keys: collection, output, fields, rank, sort_by, default, valid.
    static Config parse(const StepConfig& config);
    const Config& config() const { return config_; }

    std::vector<std::string> inputs() const override;
    std::vector<ProductInfo> declare(const Schema& schema) override;
    void outputs_declared(std::span<const ProductId> ids) override;
    void produce(Batch& batch) const override;

  private:
    Config config_;
    std::vector<ProductId> field_ids_;
    std::optional<ProductId> sort_id_;
    std::vector<ProductId> out_ids_;
};

/// The objects a four-vector sum takes from one collection.
struct SumPart {
    std::string collection;
    int count = -1;             ///< the first `count` objects; −1: all of them
    std::optional<double> mass; ///< a constant mass (GeV); none → the product `<collection>_mass`
};

/// `four_vector_sum` and `invariant_mass`: the sum of the first N objects of one or more
/// collections, from (pt, eta, phi, mass): px = pt cos φ, py = pt sin φ, pz = pt sinh η,
/// E = sqrt(p² + m²) (massless: the dimuon mass equals sqrt(2 pt1 pt2 (cosh Δη − cos Δφ))).
class FourVectorSum final : public Producer {
  public:
    struct Config {
        std::vector<SumPart> parts; ///< ≥ 1
        std::string output;         ///< mass only: the product; else the prefix of _pt/_eta/_phi/_mass
        bool mass_only = false;     ///< `invariant_mass`: one product, the mass
        bool components = false;    ///< also `<output>_px`, `_py`, `_pz`, `_e`
        /// Events with fewer objects than a part's count: the sum of those there are (true) or
        /// `fallback` (false).
        bool partial = false;
        double fallback = 0;
    };
    FourVectorSum(StepPlace place, Config config);
    /// Keys: collection + count + mass, or parts: [{collection, count, mass}, …]; output,
    /// components, partial, default. `mass_only` comes from the type name.
    static Config parse(const StepConfig& config, bool mass_only);
    const Config& config() const { return config_; }

    std::vector<std::string> inputs() const override;
    std::vector<ProductInfo> declare(const Schema& schema) override;
    void outputs_declared(std::span<const ProductId> ids) override;
    void produce(Batch& batch) const override;

  private:
    struct PartIds {
        ProductId pt, eta, phi;
        std::optional<ProductId> mass;
    };
    Config config_;
    std::vector<PartIds> part_ids_;
    std::vector<ProductId> out_ids_;
};

/// `delta_r_match`: for each object of `collection`, the index of the closest object of `to`
/// with ΔR < max_dr (−1: none) and that ΔR (−1: none). ΔR = sqrt(Δη² + Δφ²), Δφ wrapped into
/// [−π, π]. Each object is matched on its own (two may match the same object of `to`).
class DeltaRMatch final : public Producer {
  public:
    struct Config {
        std::string collection; ///< A
        std::string to;         ///< B
        double max_dr = 0.4;    ///< ΔR (dimensionless), > 0
        std::string output; ///< prefix: `<output>_index` (array of int32), `<output>_dr` (array of float64)
    };
    DeltaRMatch(StepPlace place, Config config);
    /// Keys: collection, to, max_dr, output.
    static Config parse(const StepConfig& config);
    const Config& config() const { return config_; }

    std::vector<std::string> inputs() const override;
    std::vector<ProductInfo> declare(const Schema& schema) override;
    void outputs_declared(std::span<const ProductId> ids) override;
    void produce(Batch& batch) const override;

  private:
    Config config_;
    ProductId a_eta_ = 0, a_phi_ = 0, b_eta_ = 0, b_phi_ = 0;
    std::vector<ProductId> out_ids_;
};

/// `delta_r_clean`: the objects of `collection` farther than max_dr (ΔR ≥ max_dr) from every
/// object of every collection in `against` (jet–lepton cleaning), as a new collection like
/// select_objects makes.
class DeltaRClean final : public Producer {
  public:
    struct Config {
        std::string collection;
        std::vector<std::string> against; ///< ≥ 1 collections
        double max_dr = 0.4;              ///< ΔR (dimensionless), > 0
        std::string output;               ///< prefix; "" → the step's name
        std::vector<std::string> fields;
        bool index = false;
        std::string count; ///< "" → `n<output>`
    };
    DeltaRClean(StepPlace place, Config config);
    /// Keys: collection, against (a name or a list), max_dr, output, fields, index, count.
    static Config parse(const StepConfig& config);
    const Config& config() const { return config_; }

    std::vector<std::string> inputs() const override;
    std::vector<ProductInfo> declare(const Schema& schema) override;
    void outputs_declared(std::span<const ProductId> ids) override;
    void produce(Batch& batch) const override;

  private:
    Config config_;
    ProductId eta_ = 0, phi_ = 0;
    std::vector<ProductId> field_ids_;
    std::vector<std::pair<ProductId, ProductId>> against_ids_; ///< (eta, phi)
    std::vector<ProductId> out_ids_;
};

/// `met_recompute`: MET after shifting object momenta, MET⃗' = MET⃗ − Σ (pT' − pT)(cos φ, sin φ)
/// over the objects (pT' > min_pt when set), as `<output>_pt` and `<output>_phi` (float64).
class MetRecompute final : public Producer {
  public:
    struct Config {
        std::string met = "MET"; ///< reads `<met>_pt`, `<met>_phi`
        std::string collection;  ///< reads `<collection>_pt`, `<collection>_phi`
        /// The shifted pT: a jagged product of the collection's shape, or "" to use `factor`.
        std::string shifted_pt;
        /// pT' = factor · pT: a number, a per-event product or a per-object product.
        NumberOrProduct factor{1.0, ""};
        std::optional<double> min_pt; ///< only objects with pT' > min_pt (GeV)
        std::string output;           ///< prefix; "" → the step's name
    };
    MetRecompute(StepPlace place, Config config);
    /// Keys: met, collection, shifted_pt or factor, min_pt, output.
    static Config parse(const StepConfig& config);
    const Config& config() const { return config_; }

    std::vector<std::string> inputs() const override;
    std::vector<ProductInfo> declare(const Schema& schema) override;
    void outputs_declared(std::span<const ProductId> ids) override;
    void produce(Batch& batch) const override;

  private:
    Config config_;
    ProductId met_pt_ = 0, met_phi_ = 0, pt_ = 0, phi_ = 0;
    std::optional<ProductId> shifted_;
    bool factor_jagged_ = false;
    std::vector<ProductId> out_ids_;
};

/// `event_weight`: the product of numbers and products (float64). A per-event product is one
/// factor; a per-object product gives the product over the event's objects (per-object scale
/// factors: 1 for an event without objects).
class EventWeight final : public Producer {
  public:
    struct Config {
        std::vector<NumberOrProduct> factors; ///< ≥ 1
        std::string output;                   ///< "" → the step's name
    };
    EventWeight(StepPlace place, Config config);
    /// Keys: factors (a list of numbers and product names), output.
    static Config parse(const StepConfig& config);
    const Config& config() const { return config_; }

    std::vector<std::string> inputs() const override;
    std::vector<ProductInfo> declare(const Schema& schema) override;
    void outputs_declared(std::span<const ProductId> ids) override;
    void produce(Batch& batch) const override;

  private:
    Config config_;
    std::vector<ProductId> ids_; ///< of the product factors, in order
    double constant_ = 1;        ///< the product of the numbers
    std::optional<ProductId> out_id_;
};

} // namespace hepkit::events
