// delta_r_match and delta_r_clean (Library.hpp): ΔR = sqrt(Δη² + Δφ²) between the objects of two
// collections, Δφ wrapped into [−π, π] (the distance of CMS and ATLAS object matching and
// overlap removal, e.g. NanoAOD's Jet_muonIdx1/jetIdx and jet–lepton cleaning).
#include "LibrarySupport.hpp"

#include <algorithm>
#include <cmath>

namespace hepkit::events {

namespace {

void check_max_dr(const StepPlace& place, double max_dr) {
    if (!(max_dr > 0 && std::isfinite(max_dr)))
        lib::fail(
            place, "max_dr",
            std::string("max_dr ").append(std::to_string(max_dr)).append(" must be a finite number > 0"));
}

double read_max_dr(const config::YamlView& y, double fallback) {
    return y.has("max_dr") ? y.at("max_dr").as_double() : fallback;
}

} // namespace

// ---- delta_r_match ----------------------------------------------------------------------------

DeltaRMatch::DeltaRMatch(StepPlace place, Config config)
    : Producer(std::move(place)), config_(std::move(config)) {
    if (config_.collection.empty() || config_.to.empty())
        lib::fail(this->place(), config_.collection.empty() ? "collection" : "to",
                  "needs the two collections: `collection` (each of its objects is matched) and `to`");
    check_max_dr(this->place(), config_.max_dr);
    config_.output = lib::output_or_name(this->place(), config_.output);
}

DeltaRMatch::Config DeltaRMatch::parse(const StepConfig& config) {
    lib::check_keys(config, {"collection", "to", "max_dr", "output"});
    const config::YamlView& y = config.yaml;
    Config c;
    c.collection = y.at("collection").as_string();
    c.to = y.at("to").as_string();
    c.max_dr = read_max_dr(y, c.max_dr);
    c.output = lib::read_string(y, "output");
    return c;
}

std::vector<std::string> DeltaRMatch::inputs() const {
    return {lib::join(config_.collection, "eta"), lib::join(config_.collection, "phi"),
            lib::join(config_.to, "eta"), lib::join(config_.to, "phi")};
}

std::vector<ProductInfo> DeltaRMatch::declare(const Schema& schema) {
    a_eta_ = lib::need(schema, place(), lib::join(config_.collection, "eta"), lib::Shape::jagged);
    a_phi_ = lib::need(schema, place(), lib::join(config_.collection, "phi"), lib::Shape::jagged);
    b_eta_ = lib::need(schema, place(), lib::join(config_.to, "eta"), lib::Shape::jagged);
    b_phi_ = lib::need(schema, place(), lib::join(config_.to, "phi"), lib::Shape::jagged);
    return {
        lib::make_output(schema, place(), lib::join(config_.output, "index"), io::ColumnType::Int32, true),
        lib::make_output(schema, place(), lib::join(config_.output, "dr"), io::ColumnType::Float64, true)};
}

void DeltaRMatch::outputs_declared(std::span<const ProductId> ids) {
    out_ids_.assign(ids.begin(), ids.end());
}

void DeltaRMatch::produce(Batch& batch) const {
    lib::check_counts(batch, place(), a_eta_, a_phi_);
    lib::check_counts(batch, place(), b_eta_, b_phi_);
    const std::array<const io::Column*, 4> cols{&batch.get(a_eta_), &batch.get(a_phi_), &batch.get(b_eta_),
                                                &batch.get(b_phi_)};
    io::Column index = lib::new_column(batch, out_ids_[0]);
    io::Column dr = lib::new_column(batch, out_ids_[1]);
    index.offsets = lib::selected_offsets(batch, cols[0]->offsets);
    dr.offsets = index.offsets;
    auto& out_index = index.mut<std::int32_t>();
    auto& out_dr = dr.mut<double>();
    out_index.resize(static_cast<std::size_t>(index.offsets.back()));
    out_dr.resize(out_index.size());
    const double max2 = config_.max_dr * config_.max_dr;
    lib::with_reals(cols, [&](const auto& v) {
        for (const std::uint32_t r : batch.rows()) {
            const auto a_eta = v[0] + cols[0]->offsets[r];
            const auto a_phi = v[1] + cols[1]->offsets[r];
            const auto b_eta = v[2] + cols[2]->offsets[r];
            const auto b_phi = v[3] + cols[3]->offsets[r];
            const std::int64_t na = cols[0]->offsets[r + 1] - cols[0]->offsets[r];
            const std::int64_t nb = cols[2]->offsets[r + 1] - cols[2]->offsets[r];
            const auto o = static_cast<std::size_t>(index.offsets[r]);
            for (std::int64_t i = 0; i < na; ++i) {
                std::int32_t best = -1;
                double best2 = max2; // strict: a match has ΔR < max_dr
                for (std::int64_t j = 0; j < nb; ++j) {
                    const double d2 = lib::delta_r2(a_eta[i], a_phi[i], b_eta[j], b_phi[j]);
                    if (d2 < best2) {
                        best2 = d2;
                        best = static_cast<std::int32_t>(j);
                    }
                }
                out_index[o + static_cast<std::size_t>(i)] = best;
                out_dr[o + static_cast<std::size_t>(i)] = best >= 0 ? std::sqrt(best2) : -1.0;
            }
        }
    });
    batch.put(out_ids_[0], std::move(index));
    batch.put(out_ids_[1], std::move(dr));
}

// ---- delta_r_clean ----------------------------------------------------------------------------

DeltaRClean::DeltaRClean(StepPlace place, Config config)
    : Producer(std::move(place)), config_(std::move(config)) {
    if (config_.collection.empty())
        lib::fail(this->place(), "collection", "needs the collection to clean (e.g. Jet)");
    if (config_.against.empty())
        lib::fail(this->place(), "against", "needs at least one collection to clean against (e.g. GoodMuon)");
    for (const auto& a : config_.against)
        if (a.empty())
            lib::fail(this->place(), "against", "a collection name is empty");
    check_max_dr(this->place(), config_.max_dr);
    config_.output = lib::output_or_name(this->place(), config_.output);
    lib::check_fields(this->place(), "fields", config_.fields);
    if (config_.count.empty())
        config_.count = std::string("n").append(config_.output);
}

DeltaRClean::Config DeltaRClean::parse(const StepConfig& config) {
    lib::check_keys(config, {"collection", "against", "max_dr", "output", "fields", "index", "count"});
    const config::YamlView& y = config.yaml;
    Config c;
    c.collection = y.at("collection").as_string();
    c.against = lib::read_names(y, "against");
    c.max_dr = read_max_dr(y, c.max_dr);
    c.output = lib::read_string(y, "output");
    c.fields = lib::read_names(y, "fields");
    if (y.has("index"))
        c.index = y.at("index").as_bool();
    c.count = lib::read_string(y, "count");
    return c;
}

std::vector<std::string> DeltaRClean::inputs() const {
    std::vector<std::string> names;
    auto add = [&](std::string n) {
        if (std::find(names.begin(), names.end(), n) == names.end())
            names.push_back(std::move(n));
    };
    add(lib::join(config_.collection, "eta"));
    add(lib::join(config_.collection, "phi"));
    for (const auto& f : config_.fields)
        add(lib::join(config_.collection, f));
    for (const auto& a : config_.against) {
        add(lib::join(a, "eta"));
        add(lib::join(a, "phi"));
    }
    return names;
}

std::vector<ProductInfo> DeltaRClean::declare(const Schema& schema) {
    eta_ = lib::need(schema, place(), lib::join(config_.collection, "eta"), lib::Shape::jagged);
    phi_ = lib::need(schema, place(), lib::join(config_.collection, "phi"), lib::Shape::jagged);
    field_ids_.clear();
    for (const auto& f : config_.fields)
        field_ids_.push_back(
            lib::need(schema, place(), lib::join(config_.collection, f), lib::Shape::jagged));
    against_ids_.clear();
    for (const auto& a : config_.against)
        against_ids_.emplace_back(lib::need(schema, place(), lib::join(a, "eta"), lib::Shape::jagged),
                                  lib::need(schema, place(), lib::join(a, "phi"), lib::Shape::jagged));
    return lib::collection_outputs(schema, place(), config_.output, config_.fields, field_ids_, config_.count,
                                   config_.index);
}

void DeltaRClean::outputs_declared(std::span<const ProductId> ids) {
    out_ids_.assign(ids.begin(), ids.end());
}

void DeltaRClean::produce(Batch& batch) const {
    lib::Layouts layouts(batch, place(), eta_);
    layouts.check(phi_);
    std::vector<std::uint8_t> same_field(field_ids_.size());
    for (std::size_t i = 0; i < field_ids_.size(); ++i)
        same_field[i] = layouts.check(field_ids_[i]);
    const io::Column& eta = batch.get(eta_);
    std::vector<std::uint8_t> keep(eta.size(), 1);
    const double max2 = config_.max_dr * config_.max_dr;
    for (const auto& [b_eta_id, b_phi_id] : against_ids_) {
        lib::check_counts(batch, place(), b_eta_id, b_phi_id);
        const std::array<const io::Column*, 4> cols{&eta, &batch.get(phi_), &batch.get(b_eta_id),
                                                    &batch.get(b_phi_id)};
        lib::with_reals(cols, [&](const auto& v) {
            for (const std::uint32_t r : batch.rows()) {
                const auto a_eta = v[0] + cols[0]->offsets[r];
                const auto a_phi = v[1] + cols[1]->offsets[r];
                const auto b_eta = v[2] + cols[2]->offsets[r];
                const auto b_phi = v[3] + cols[3]->offsets[r];
                const std::int64_t na = cols[0]->offsets[r + 1] - cols[0]->offsets[r];
                const std::int64_t nb = cols[2]->offsets[r + 1] - cols[2]->offsets[r];
                std::uint8_t* k = keep.data() + cols[0]->offsets[r];
                for (std::int64_t i = 0; i < na; ++i)
                    for (std::int64_t j = 0; j < nb && k[i]; ++j)
                        if (lib::delta_r2(a_eta[i], a_phi[i], b_eta[j], b_phi[j]) < max2)
                            k[i] = 0;
            }
        });
    }
    lib::Picked picked = lib::pick(batch, eta.offsets, keep);
    lib::put_picked(batch, std::move(picked), field_ids_, same_field, out_ids_, config_.index);
}

} // namespace hepkit::events
