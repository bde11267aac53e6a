// met_recompute (Library.hpp): MET after shifting object momenta. The missing transverse momentum
// is minus the vector sum of the visible objects, so raising an object's pT from pT to pT' (along
// its own φ) lowers MET⃗ by the difference — the propagation of jet energy corrections into MET
// ("type-1" MET, CMS JME-17-001):
//   MET⃗' = MET⃗ − Σ (pT' − pT) (cos φ, sin φ).
#include "LibrarySupport.hpp"

#include <cmath>

namespace hepkit::events {

MetRecompute::MetRecompute(StepPlace place, Config config)
    : Producer(std::move(place)), config_(std::move(config)) {
    if (config_.met.empty())
        lib::fail(this->place(), "met", "needs the MET prefix (reads <met>_pt and <met>_phi), e.g. MET");
    if (config_.collection.empty())
        lib::fail(this->place(), "collection", "needs the collection whose momenta are shifted (e.g. Jet)");
    if (!config_.shifted_pt.empty() && config_.factor.is_product())
        lib::fail(this->place(), "factor", "give either `shifted_pt` or `factor`, not both");
    if (!config_.factor.is_product() && !std::isfinite(config_.factor.number))
        lib::fail(this->place(), "factor", "the factor must be a finite number");
    if (config_.min_pt && !std::isfinite(*config_.min_pt))
        lib::fail(this->place(), "min_pt", "min_pt must be a finite number (GeV)");
    config_.output = lib::output_or_name(this->place(), config_.output);
}

MetRecompute::Config MetRecompute::parse(const StepConfig& config) {
    lib::check_keys(config, {"met", "collection", "shifted_pt", "factor", "min_pt", "output"});
    const config::YamlView& y = config.yaml;
    Config c;
    c.met = lib::read_string(y, "met", c.met);
    c.collection = y.at("collection").as_string();
    c.shifted_pt = lib::read_string(y, "shifted_pt");
    if (y.has("factor")) {
        if (!c.shifted_pt.empty())
            y.at("factor").fail("give either `shifted_pt` or `factor`, not both");
        c.factor = lib::read_number_or_product(y.at("factor"));
    } else if (c.shifted_pt.empty()) {
        y.fail(lib::where(config.place)
                   .append(": needs `shifted_pt` (the shifted pT product) or `factor` (pT' = "
                           "factor · pT: a number or a product)"));
    }
    if (y.has("min_pt"))
        c.min_pt = y.at("min_pt").as_double();
    c.output = lib::read_string(y, "output");
    return c;
}

std::vector<std::string> MetRecompute::inputs() const {
    std::vector<std::string> names{lib::join(config_.met, "pt"), lib::join(config_.met, "phi"),
                                   lib::join(config_.collection, "pt"), lib::join(config_.collection, "phi")};
    if (!config_.shifted_pt.empty())
        names.push_back(config_.shifted_pt);
    else if (config_.factor.is_product())
        names.push_back(config_.factor.product);
    return names;
}

std::vector<ProductInfo> MetRecompute::declare(const Schema& schema) {
    met_pt_ = lib::need(schema, place(), lib::join(config_.met, "pt"), lib::Shape::scalar);
    met_phi_ = lib::need(schema, place(), lib::join(config_.met, "phi"), lib::Shape::scalar);
    pt_ = lib::need(schema, place(), lib::join(config_.collection, "pt"), lib::Shape::jagged);
    phi_ = lib::need(schema, place(), lib::join(config_.collection, "phi"), lib::Shape::jagged);
    shifted_.reset();
    factor_jagged_ = false;
    if (!config_.shifted_pt.empty()) {
        shifted_ = lib::need(schema, place(), config_.shifted_pt, lib::Shape::jagged);
    } else if (config_.factor.is_product()) {
        shifted_ = lib::need(schema, place(), config_.factor.product, lib::Shape::either);
        factor_jagged_ = schema.info(*shifted_).jagged;
    }
    return {
        lib::make_output(schema, place(), lib::join(config_.output, "pt"), io::ColumnType::Float64, false),
        lib::make_output(schema, place(), lib::join(config_.output, "phi"), io::ColumnType::Float64, false)};
}

void MetRecompute::outputs_declared(std::span<const ProductId> ids) {
    out_ids_.assign(ids.begin(), ids.end());
}

void MetRecompute::produce(Batch& batch) const {
    lib::check_counts(batch, place(), pt_, phi_);
    // How pT' is found: a shifted pT per object, a factor per object, per event, or a number.
    enum class Mode { shifted, factor_object, factor_event, factor_number };
    const Mode mode = !config_.shifted_pt.empty() ? Mode::shifted
                      : !shifted_                 ? Mode::factor_number
                      : factor_jagged_            ? Mode::factor_object
                                                  : Mode::factor_event;
    if (mode == Mode::shifted || mode == Mode::factor_object)
        lib::check_counts(batch, place(), pt_, *shifted_);
    const bool cut = config_.min_pt.has_value();
    const double min_pt = config_.min_pt.value_or(0.0);
    const double number = config_.factor.number;

    io::Column out_pt = lib::new_column(batch, out_ids_[0]);
    io::Column out_phi = lib::new_column(batch, out_ids_[1]);
    auto& mpt = out_pt.mut<double>();
    auto& mphi = out_phi.mut<double>();
    mpt.assign(batch.size(), 0.0);
    mphi.assign(batch.size(), 0.0);

    const std::array<const io::Column*, 2> met{&batch.get(met_pt_), &batch.get(met_phi_)};
    const std::array<const io::Column*, 3> obj{&batch.get(pt_), &batch.get(phi_),
                                               shifted_ ? &batch.get(*shifted_) : nullptr};
    lib::with_reals(met, [&](const auto& m) {
        lib::with_reals(obj, [&](const auto& v) {
            for (const std::uint32_t r : batch.rows()) {
                const auto pt = v[0] + obj[0]->offsets[r];
                const auto phi = v[1] + obj[1]->offsets[r];
                const std::int64_t n = obj[0]->offsets[r + 1] - obj[0]->offsets[r];
                const auto x =
                    (mode == Mode::shifted || mode == Mode::factor_object) ? v[2] + obj[2]->offsets[r] : v[2];
                const double event_factor =
                    mode == Mode::factor_event ? static_cast<double>(v[2][r]) : number;
                double dx = 0, dy = 0;
                for (std::int64_t j = 0; j < n; ++j) {
                    const double p = pt[j];
                    const double shifted = mode == Mode::shifted         ? static_cast<double>(x[j])
                                           : mode == Mode::factor_object ? static_cast<double>(x[j]) * p
                                                                         : event_factor * p;
                    if (cut && !(shifted > min_pt))
                        continue;
                    const double d = shifted - p;
                    dx += d * std::cos(static_cast<double>(phi[j]));
                    dy += d * std::sin(static_cast<double>(phi[j]));
                }
                const double met_pt = m[0][r], met_phi = m[1][r];
                const double mx = met_pt * std::cos(met_phi) - dx;
                const double my = met_pt * std::sin(met_phi) - dy;
                mpt[r] = std::sqrt(mx * mx + my * my); // not hypot: no overflow here, and faster
                mphi[r] = std::atan2(my, mx);
            }
        });
    });
    batch.put(out_ids_[0], std::move(out_pt));
    batch.put(out_ids_[1], std::move(out_phi));
}

} // namespace hepkit::events
