#pragma once
// The objects the writer tests write: histograms with fixed and variable binning and trees with
// every basic type, fixed-size arrays and NanoAOD-like jagged arrays. The values follow closed
// formulas (no randomness), spanning each type's range where a reader could get it wrong (sign
// bits, values above 2^31 and 2^32, NaN-free floats with fractions).

#include "hepkit/io/Column.hpp"
#include "hepkit/io/RootWriter.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

namespace hepkit::test {

using io::Column;
using io::ColumnType;

inline io::Hist1D sample_hist1d() {
    io::Hist1D h("h_fixed", "a fixed-bin TH1D;x title", io::HistAxis::fixed(20, -5, 5, "m_{#mu#mu} [GeV]"));
    h.y_title = "events / 0.5 GeV";
    for (int i = 0; i < 1000; ++i)
        h.fill(std::sin(i * 0.7) * 6.0, 0.5 + (i % 7) * 0.25); // some under- and overflows
    return h;
}

inline io::Hist1D sample_hist1d_variable() {
    io::Hist1D h("h_var", "variable bins",
                 io::HistAxis::variable({0, 1, 2, 4, 8, 16, 32, 64}, "p_{T} [GeV]"));
    for (int i = 0; i < 500; ++i)
        h.fill(std::exp(i % 50 * 0.09), 1.0);
    return h;
}

inline io::Hist2D sample_hist2d() {
    io::Hist2D h("h_2d", "TH2D, variable bins", io::HistAxis::variable({-3, -1, 0, 0.5, 1, 3}, "#eta"),
                 io::HistAxis::variable({0, 10, 30, 100}, "p_{T}"));
    h.z_title = "weight";
    for (int i = 0; i < 800; ++i)
        h.fill(std::cos(i * 0.37) * 3.5, (i % 23) * 5.0 - 3.0, 1.0 + (i % 3) * 0.5);
    return h;
}

/// A flat tree of `n` entries: one column of every basic type and a fixed-size array.
inline std::vector<Column> sample_flat(std::size_t n) {
    auto b = Column::make("b", ColumnType::Bool);
    auto i8 = Column::make("i8", ColumnType::Int8);
    auto u8 = Column::make("u8", ColumnType::UInt8);
    auto i16 = Column::make("i16", ColumnType::Int16);
    auto u16 = Column::make("u16", ColumnType::UInt16);
    auto i32 = Column::make("i32", ColumnType::Int32);
    auto u32 = Column::make("u32", ColumnType::UInt32);
    auto i64 = Column::make("i64", ColumnType::Int64);
    auto u64 = Column::make("u64", ColumnType::UInt64);
    auto f32 = Column::make("f32", ColumnType::Float32);
    auto f64 = Column::make("f64", ColumnType::Float64);
    auto a3 = Column::make("a3", ColumnType::Float32);
    a3.width = 3;
    for (std::size_t e = 0; e < n; ++e) {
        const auto k = static_cast<std::int64_t>(e);
        b.mut<std::uint8_t>().push_back(static_cast<std::uint8_t>(e % 3 == 1));
        i8.mut<std::int8_t>().push_back(static_cast<std::int8_t>(k * 37 % 256 - 128));
        u8.mut<std::uint8_t>().push_back(static_cast<std::uint8_t>(k * 53 % 256));
        i16.mut<std::int16_t>().push_back(static_cast<std::int16_t>(k * 4099 % 65536 - 32768));
        u16.mut<std::uint16_t>().push_back(static_cast<std::uint16_t>(k * 7919 % 65536));
        i32.mut<std::int32_t>().push_back(
            static_cast<std::int32_t>(k * 16777259 % 4294967296LL - 2147483648LL));
        u32.mut<std::uint32_t>().push_back(static_cast<std::uint32_t>(k * 2654435761LL % 4294967296LL));
        // 64-bit values stay below 2^53, where JavaScript numbers are exact; negative ones above
        // −2^31, because jsroot 7.11 misreads a negative Long64_t whose low word is below 2^31
        // (its ntoi8 applies ~ to the unsigned low word); WriterTest checks the bytes of all of them.
        i64.mut<std::int64_t>().push_back(k % 2 == 0 ? k * 8589934583LL : -(k * 1000003 % 2147483648LL));
        u64.mut<std::uint64_t>().push_back(static_cast<std::uint64_t>(k) * 8589934609ULL);
        f32.mut<float>().push_back(static_cast<float>(std::sin(k * 0.1) * 1e3) + 0.125F);
        f64.mut<double>().push_back(std::cos(k * 0.01) * 1e-3 + static_cast<double>(k) * 1e6);
        for (int j = 0; j < 3; ++j)
            a3.mut<float>().push_back(static_cast<float>(k) * 0.5F + static_cast<float>(j));
    }
    std::vector<Column> out;
    for (auto* c : {&b, &i8, &u8, &i16, &u16, &i32, &u32, &i64, &u64, &f32, &f64, &a3})
        out.push_back(std::move(*c));
    return out;
}

/// A NanoAOD-like tree of `n` entries: run/event/MET_pt, muons (counter made by the writer) and
/// jets (with a counter column nJet given, as a NanoAOD reader returns it).
inline std::vector<Column> sample_jagged(std::size_t n) {
    auto run = Column::make("run", ColumnType::UInt32);
    auto event = Column::make("event", ColumnType::UInt64);
    auto met = Column::make("MET_pt", ColumnType::Float32);
    auto mu_pt = Column::make("Muon_pt", ColumnType::Float32);
    auto mu_eta = Column::make("Muon_eta", ColumnType::Float32);
    auto mu_q = Column::make("Muon_charge", ColumnType::Int32);
    auto mu_id = Column::make("Muon_tightId", ColumnType::Bool);
    auto njet = Column::make("nJet", ColumnType::UInt32);
    auto jet_pt = Column::make("Jet_pt", ColumnType::Float32);
    auto jet_flav = Column::make("Jet_hadronFlavour", ColumnType::Int16);
    for (auto* c : {&mu_pt, &mu_eta, &mu_q, &mu_id, &jet_pt, &jet_flav})
        c->offsets.push_back(0);
    for (std::size_t e = 0; e < n; ++e) {
        run.mut<std::uint32_t>().push_back(static_cast<std::uint32_t>(273158 + e / 100));
        event.mut<std::uint64_t>().push_back(4000000000ULL + e * 7);
        met.mut<float>().push_back(static_cast<float>(e % 97) * 1.5F + 0.25F);
        const std::size_t nmu = (e * 7) % 5 == 0 ? 0 : e % 4; // many empty events
        for (std::size_t m = 0; m < nmu; ++m) {
            mu_pt.mut<float>().push_back(static_cast<float>(5 + (e + m * 13) % 80) + 0.5F);
            mu_eta.mut<float>().push_back(static_cast<float>(std::sin(static_cast<double>(e + m)) * 2.4));
            mu_q.mut<std::int32_t>().push_back((e + m) % 2 == 0 ? 1 : -1);
            mu_id.mut<std::uint8_t>().push_back(static_cast<std::uint8_t>((e + m) % 3 != 0));
        }
        const std::size_t nj = e % 7;
        njet.mut<std::uint32_t>().push_back(static_cast<std::uint32_t>(nj));
        for (std::size_t j = 0; j < nj; ++j) {
            jet_pt.mut<float>().push_back(static_cast<float>(20 + (e * 3 + j * 11) % 200) + 0.75F);
            jet_flav.mut<std::int16_t>().push_back(static_cast<std::int16_t>(j % 3 == 0   ? 5
                                                                             : j % 3 == 1 ? 4
                                                                                          : 0));
        }
        for (auto* c : {&mu_pt, &mu_eta, &mu_q, &mu_id})
            c->offsets.push_back(static_cast<std::int64_t>(c->size()));
        for (auto* c : {&jet_pt, &jet_flav})
            c->offsets.push_back(static_cast<std::int64_t>(c->size()));
    }
    std::vector<Column> out;
    for (auto* c : {&run, &event, &met, &mu_pt, &mu_eta, &mu_q, &mu_id, &njet, &jet_pt, &jet_flav})
        out.push_back(std::move(*c));
    return out;
}

/// Entries [first, first+n) of `c` as a column of its own (offsets rebased to 0).
inline Column slice(const Column& c, std::size_t first, std::size_t n) {
    Column out = Column::make(c.name, c.type);
    out.width = c.width;
    std::size_t v0 = first * c.width, v1 = (first + n) * c.width;
    if (c.jagged()) {
        v0 = static_cast<std::size_t>(c.offsets[first]);
        v1 = static_cast<std::size_t>(c.offsets[first + n]);
        for (std::size_t e = first; e <= first + n; ++e)
            out.offsets.push_back(c.offsets[e] - static_cast<std::int64_t>(v0));
    }
    std::visit(
        [&](auto& dst) {
            std::visit(
                [&](const auto& src) {
                    if constexpr (std::is_same_v<std::decay_t<decltype(dst)>, std::decay_t<decltype(src)>>)
                        dst.assign(src.begin() + static_cast<std::ptrdiff_t>(v0),
                                   src.begin() + static_cast<std::ptrdiff_t>(v1));
                },
                c.values);
        },
        out.values);
    return out;
}

} // namespace hepkit::test
