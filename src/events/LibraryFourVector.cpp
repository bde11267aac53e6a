// four_vector_sum and invariant_mass (Library.hpp): the sum of the first N objects of one or
// more collections.
//
// Each object's four-vector from (pT, η, φ, m) (the collider coordinates of the PDG Review of
// Particle Physics, section "Kinematics"):
//   px = pT cos φ,  py = pT sin φ,  pz = pT sinh η,  E = sqrt(pT² + pz² + m²);
// the sum's mass m = sqrt(E² − |p|²) (computed as (E − |p|)(E + |p|), 0 when rounding makes it
// negative), pT = sqrt(px² + py²), φ = atan2(py, px), η = asinh(pz / pT). For two massless objects
// m² = 2 pT1 pT2 (cosh Δη − cos Δφ), which the tests check against this sum.
#include "LibrarySupport.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <yaml-cpp/yaml.h>

namespace hepkit::events {

namespace {

SumPart parse_part(const config::YamlView& y) {
    SumPart p;
    p.collection = y.at("collection").as_string();
    if (p.collection.empty())
        y.at("collection").fail("expected a collection name, got an empty string");
    if (y.has("count")) {
        const long long n = y.at("count").as_int();
        if (n < 1 || n > 1000000)
            y.at("count").fail(std::string("count ")
                                   .append(std::to_string(n))
                                   .append(" must be in [1, 1000000] (leave it out to sum all objects)"));
        p.count = static_cast<int>(n);
    }
    if (y.has("mass")) {
        const double m = y.at("mass").as_double();
        if (m < 0)
            y.at("mass").fail(std::string("mass ").append(std::to_string(m)).append(" must be >= 0 (GeV)"));
        p.mass = m;
    }
    return p;
}

struct Sums {
    std::vector<double> px, py, pz, e;
    std::vector<std::uint8_t> ok;
};

// Adds the first `count` objects (all: −1) of one collection to the sums of the selected rows.
// `mismatch(c, r)` throws for column c (1 η, 2 φ, 3 mass) whose count in row r differs from pT's:
// counts are checked only in the rows whose objects are read (most events of a dimuon mass have
// fewer than two muons), instead of comparing whole offset arrays.
template <class T, class Mismatch>
void add_part(const Batch& batch, const SumPart& part, bool partial,
              const std::array<const io::Column*, 4>& cols, const std::array<const T*, 4>& v, Sums& s,
              Mismatch mismatch) {
    const auto rows = batch.rows();
    const auto& opt = cols[0]->offsets;
    const auto& oeta = cols[1]->offsets;
    const auto& ophi = cols[2]->offsets;
    const io::Offsets* omass = cols[3] ? &cols[3]->offsets : nullptr;
    const double mass_const = part.mass.value_or(0.0);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const std::uint32_t r = rows[i];
        if (!s.ok[i])
            continue; // an earlier part had too few objects: the event gets the default
        const std::int64_t n = opt[r + 1] - opt[r];
        std::int64_t m = n;
        if (part.count >= 0) {
            if (n < part.count && !partial) {
                s.ok[i] = 0;
                continue;
            }
            m = std::min<std::int64_t>(n, part.count);
        }
        if (oeta[r + 1] - oeta[r] != n)
            mismatch(1, r);
        if (ophi[r + 1] - ophi[r] != n)
            mismatch(2, r);
        if (omass && (*omass)[r + 1] - (*omass)[r] != n)
            mismatch(3, r);
        const T* pt = v[0] + opt[r];
        const T* eta = v[1] + oeta[r];
        const T* phi = v[2] + ophi[r];
        const T* mass = omass ? v[3] + (*omass)[r] : nullptr;
        double px = 0, py = 0, pz = 0, e = 0;
        for (std::int64_t j = 0; j < m; ++j) {
            const double p_t = pt[j], ph = phi[j];
            // sinh and cosh from one exp (glibc's sinh costs an expm1 and more, the largest part
            // of this loop): pz = pT (eᶯ − e⁻ᶯ)/2, |p| = pT (eᶯ + e⁻ᶯ)/2. The difference loses
            // relative precision for |η| ≲ 1e-3, where pz is ≲ 1e-3 pT: its absolute error stays
            // ~1e-16 pT.
            const double x = std::exp(static_cast<double>(eta[j]));
            const double ix = 1 / x;
            const double z = 0.5 * p_t * (x - ix);
            const double pabs = 0.5 * p_t * (x + ix);
            const double mj = mass ? static_cast<double>(mass[j]) : mass_const;
            px += p_t * std::cos(ph);
            py += p_t * std::sin(ph);
            pz += z;
            e += std::sqrt(pabs * pabs + mj * mj);
        }
        s.px[i] += px;
        s.py[i] += py;
        s.pz[i] += pz;
        s.e[i] += e;
    }
}

} // namespace

FourVectorSum::FourVectorSum(StepPlace place, Config config)
    : Producer(std::move(place)), config_(std::move(config)) {
    if (config_.parts.empty())
        lib::fail(this->place(), "collection", "needs at least one collection to sum");
    for (const SumPart& p : config_.parts) {
        if (p.collection.empty())
            lib::fail(this->place(), "collection", "a part needs a collection name");
        if (p.count == 0 || p.count < -1)
            lib::fail(this->place(), "count",
                      std::string("count ")
                          .append(std::to_string(p.count))
                          .append(" must be >= 1 (−1: all objects)"));
        if (p.mass && !(*p.mass >= 0 && std::isfinite(*p.mass)))
            lib::fail(this->place(), "mass", "the mass must be a finite number >= 0 (GeV)");
    }
    config_.output = lib::output_or_name(this->place(), config_.output);
    if (std::isnan(config_.fallback))
        lib::fail(this->place(), "default", "the default must be a number");
}

FourVectorSum::Config FourVectorSum::parse(const StepConfig& config, bool mass_only) {
    lib::check_keys(config,
                    {"collection", "count", "mass", "parts", "output", "components", "partial", "default"});
    const config::YamlView& y = config.yaml;
    Config c;
    c.mass_only = mass_only;
    if (y.has("parts")) {
        for (const char* key : {"collection", "count", "mass"})
            if (y.has(key))
                y.at(key).fail(
                    std::string("give `").append(key).append("` inside each of `parts`, not next to it"));
        const config::YamlView parts = y.at("parts");
        if (!parts.is_sequence() || parts.size() == 0)
            parts.fail("expected a list of {collection, count, mass} maps");
        for (std::size_t i = 0; i < parts.size(); ++i) {
            const config::YamlView p = parts.at(i);
            if (!p.is_map())
                p.fail("expected a map with keys collection, count, mass");
            p.check_keys({"collection", "count", "mass"});
            c.parts.push_back(parse_part(p));
        }
    } else {
        c.parts.push_back(parse_part(y));
    }
    c.output = lib::read_string(y, "output");
    if (y.has("components")) {
        if (mass_only)
            y.at("components")
                .fail("invariant_mass makes the mass only; use four_vector_sum for the components");
        c.components = y.at("components").as_bool();
    }
    if (y.has("partial"))
        c.partial = y.at("partial").as_bool();
    if (y.has("default"))
        c.fallback = y.at("default").as_double();
    return c;
}

std::vector<std::string> FourVectorSum::inputs() const {
    std::vector<std::string> names;
    for (const SumPart& p : config_.parts)
        for (const char* f : {"pt", "eta", "phi", "mass"}) {
            if (std::string_view(f) == "mass" && p.mass)
                continue;
            std::string n = lib::join(p.collection, f);
            if (std::find(names.begin(), names.end(), n) == names.end())
                names.push_back(std::move(n));
        }
    return names;
}

std::vector<ProductInfo> FourVectorSum::declare(const Schema& schema) {
    part_ids_.clear();
    for (const SumPart& p : config_.parts) {
        PartIds ids{lib::need(schema, place(), lib::join(p.collection, "pt"), lib::Shape::jagged),
                    lib::need(schema, place(), lib::join(p.collection, "eta"), lib::Shape::jagged),
                    lib::need(schema, place(), lib::join(p.collection, "phi"), lib::Shape::jagged),
                    std::nullopt};
        if (!p.mass)
            ids.mass = lib::need(schema, place(), lib::join(p.collection, "mass"), lib::Shape::jagged);
        part_ids_.push_back(ids);
    }
    std::vector<ProductInfo> out;
    const auto f64 = io::ColumnType::Float64;
    if (config_.mass_only) {
        out.push_back(lib::make_output(schema, place(), config_.output, f64, false));
        return out;
    }
    for (const char* q : {"pt", "eta", "phi", "mass"})
        out.push_back(lib::make_output(schema, place(), lib::join(config_.output, q), f64, false));
    if (config_.components)
        for (const char* q : {"px", "py", "pz", "e"})
            out.push_back(lib::make_output(schema, place(), lib::join(config_.output, q), f64, false));
    return out;
}

void FourVectorSum::outputs_declared(std::span<const ProductId> ids) {
    out_ids_.assign(ids.begin(), ids.end());
}

void FourVectorSum::produce(Batch& batch) const {
    const auto rows = batch.rows();
    Sums s;
    s.px.assign(rows.size(), 0);
    s.py.assign(rows.size(), 0);
    s.pz.assign(rows.size(), 0);
    s.e.assign(rows.size(), 0);
    s.ok.assign(rows.size(), 1);
    for (std::size_t k = 0; k < config_.parts.size(); ++k) {
        const PartIds& ids = part_ids_[k];
        const std::array<const io::Column*, 4> cols{&batch.get(ids.pt), &batch.get(ids.eta),
                                                    &batch.get(ids.phi),
                                                    ids.mass ? &batch.get(*ids.mass) : nullptr};
        const auto mismatch = [&](int c, std::uint32_t r) {
            lib::count_mismatch(batch, place(), ids.pt, c == 1 ? ids.eta : c == 2 ? ids.phi : *ids.mass, r);
        };
        lib::with_reals(cols, [&](const auto& v) {
            add_part(batch, config_.parts[k], config_.partial, cols, v, s, mismatch);
        });
    }
    const std::size_t outputs = out_ids_.size();
    std::vector<io::Column> out;
    std::vector<double*> dst;
    for (const ProductId id : out_ids_) {
        out.push_back(lib::new_column(batch, id));
        auto& v = out.back().mut<double>();
        v.assign(batch.size(), 0.0);
        dst.push_back(v.data());
    }
    const double fallback = config_.fallback;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const std::uint32_t r = rows[i];
        if (!s.ok[i]) {
            for (std::size_t q = 0; q < outputs; ++q)
                dst[q][r] = fallback;
            continue;
        }
        const double px = s.px[i], py = s.py[i], pz = s.pz[i], e = s.e[i];
        // sqrt, not hypot: momenta are far from overflow, and hypot costs several times more.
        const double pt2 = px * px + py * py;
        const double pt = std::sqrt(pt2);
        const double p = std::sqrt(pt2 + pz * pz);
        const double m2 = (e - p) * (e + p);
        const double mass = m2 > 0 ? std::sqrt(m2) : 0.0;
        if (config_.mass_only) {
            dst[0][r] = mass;
            continue;
        }
        dst[0][r] = pt;
        // η of a vector along the beam (pT = 0) is ±∞; of the null vector, 0.
        dst[1][r] = pt > 0    ? std::asinh(pz / pt)
                    : pz == 0 ? 0.0
                              : std::copysign(std::numeric_limits<double>::infinity(), pz);
        dst[2][r] = std::atan2(py, px);
        dst[3][r] = mass;
        if (config_.components) {
            dst[4][r] = px;
            dst[5][r] = py;
            dst[6][r] = pz;
            dst[7][r] = e;
        }
    }
    for (std::size_t q = 0; q < outputs; ++q)
        batch.put(out_ids_[q], std::move(out[q]));
}

} // namespace hepkit::events
