// `hepkit events merge` of HDF5 ntuples (Merge.cpp, io::read_hdf5): the jobs' rows concatenated in
// the order of the folders, every column type and layout copied bit for bit — checked against the
// concatenation written out by hand here, and against h5py reading the merged file
// (tests/io/h5_to_json.py; that part skipped with a message without h5py) — and the errors for
// ntuples with other columns or a damaged file, naming both files; nothing left behind.

#include "Helpers.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/Process.hpp"
#include "hepkit/events/Consumers.hpp"
#include "hepkit/events/Merge.hpp"
#include "hepkit/io/ColumnFile.hpp"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace fs = std::filesystem;
namespace io = hepkit::io;
using namespace hepkit::events;

namespace {

template <class T>
io::Column column(const std::string& name, io::ColumnType type, std::vector<T> values,
                  std::vector<std::int64_t> offsets = {}, std::size_t width = 1) {
    io::Column c = io::Column::make(name, type);
    c.mut<T>() = std::move(values);
    c.offsets = std::move(offsets);
    c.width = width;
    return c;
}

using T = io::ColumnType;

// One job's ntuple of every layout: mass (float64), nMuon (int32), Muon_pt (jagged float32),
// pass (bool), dataset (string), p3 (fixed float32[3]).
std::vector<io::Column> ntuple(std::vector<double> mass, std::vector<std::int32_t> n, std::vector<float> pt,
                               std::vector<std::int64_t> off, std::vector<std::uint8_t> pass,
                               std::vector<std::string> ds, std::vector<float> p3) {
    return {column<double>("mass", T::Float64, std::move(mass)),
            column<std::int32_t>("nMuon", T::Int32, std::move(n)),
            column<float>("Muon_pt", T::Float32, std::move(pt), std::move(off)),
            column<std::uint8_t>("pass", T::Bool, std::move(pass)),
            column<std::string>("dataset", T::String, std::move(ds)),
            column<float>("p3", T::Float32, std::move(p3), {}, 3)};
}

void write_h5_job(const fs::path& dir, std::vector<io::Column> columns) {
    fs::create_directories(dir / "main");
    NtupleResult(std::move(columns), NtupleFormat::Hdf5, "Events").write(dir / "main" / "sel");
}

void expect_same(const io::Column& got, const io::Column& want) {
    SCOPED_TRACE(want.name);
    EXPECT_EQ(got.name, want.name);
    ASSERT_EQ(got.type, want.type);
    EXPECT_EQ(got.width, want.width);
    EXPECT_EQ(got.offsets, want.offsets);
    ASSERT_EQ(got.size(), want.size());
    std::visit(
        [&](const auto& w) {
            using V = typename std::decay_t<decltype(w)>::value_type;
            const auto g = got.as<V>();
            for (std::size_t k = 0; k < w.size(); ++k) {
                if constexpr (std::is_same_v<V, std::string>)
                    EXPECT_EQ(g[k], w[k]) << k;
                else
                    EXPECT_EQ(std::memcmp(&g[k], &w[k], sizeof(V)), 0) << k;
            }
        },
        want.values);
}

} // namespace

// Three jobs (2 rows, 0 rows, 1 row) merged: the rows in folder order, values bit for bit; the
// merged file has hepkit's layout as h5py sees it (entries, layout and root_type attributes).
TEST(EventsMergeHdf5, ThreeJobsConcatenatedExactly) {
    const auto d = hepkit::test::fresh_dir("mergeh5", "ok");
    write_h5_job(d / "job-0", ntuple({91.1875, 0.1}, {2, 1}, {30.5f, 25.25f, 1e-3f}, {0, 2, 3}, {1, 0},
                                     {"DYJets", "DYJets"}, {1, 2, 3, 4, 5, 6}));
    write_h5_job(d / "job-1", ntuple({}, {}, {}, {0}, {}, {}, {}));
    write_h5_job(d / "job-2", ntuple({-0.0}, {0}, {}, {0, 0}, {1}, {"\xc3\xbc, \"q\""}, {7, 8, 1.0f / 3.0f}));
    // (the jobs' ntuples are HDF5 files: they start with HDF5's signature)
    std::string head(8, '\0');
    std::ifstream(d / "job-0" / "main" / "sel.h5", std::ios::binary).read(head.data(), 8);
    EXPECT_EQ(head, std::string("\x89HDF\r\n\x1a\n", 8));
    const auto s = merge_outputs({d / "job-0", d / "job-1", d / "job-2"}, d / "merged");
    EXPECT_EQ(s.ntuples, 1);
    EXPECT_EQ(s.rows, 3);
    EXPECT_EQ(s.files, std::vector<std::string>{"main/sel.h5"});

    // the concatenation, by hand (Muon_pt's offsets of job-2 shifted by job-0's 3 values)
    const auto want = ntuple({91.1875, 0.1, -0.0}, {2, 1, 0}, {30.5f, 25.25f, 1e-3f}, {0, 2, 3, 3}, {1, 0, 1},
                             {"DYJets", "DYJets", "\xc3\xbc, \"q\""}, {1, 2, 3, 4, 5, 6, 7, 8, 1.0f / 3.0f});
    const auto merged = d / "merged" / "main" / "sel.h5";
    const auto got = io::read_hdf5(merged.string());
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t k = 0; k < want.size(); ++k)
        expect_same(got[k], want[k]);

    // h5py's view of the merged file
    const fs::path json = d / "merged.json";
    const auto r =
        hepkit::run_process({"/usr/bin/python3", std::string(HEPKIT_SOURCE_DIR) + "/tests/io/h5_to_json.py",
                             merged.string(), json.string()},
                            true);
    if (r.exited && r.exit_code == 77) {
        fs::remove_all(d);
        GTEST_SKIP() << "h5py part: " << r.errors;
    }
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.errors;
    std::ifstream in(json);
    const auto doc = nlohmann::json::parse(in);
    EXPECT_EQ(doc["attrs"]["entries"], 3);
    EXPECT_EQ(doc["attrs"]["creator"], "hepkit");
    const auto& items = doc["items"];
    EXPECT_EQ(items["mass"]["values"], nlohmann::json::parse("[91.1875, 0.1, -0.0]"));
    EXPECT_EQ(items["mass"]["attrs"]["layout"], "flat");
    EXPECT_EQ(items["nMuon"]["dtype"], "<i4");
    EXPECT_EQ(items["nMuon"]["values"], nlohmann::json::parse("[2, 1, 0]"));
    EXPECT_EQ(items["pass"]["dtype"], "bool");
    EXPECT_EQ(items["pass"]["values"], nlohmann::json::parse("[true, false, true]"));
    EXPECT_EQ(items["dataset"]["values"][2], "\xc3\xbc, \"q\"");
    EXPECT_EQ(items["p3"]["shape"], nlohmann::json::parse("[3, 3]"));
    EXPECT_EQ(items["p3"]["attrs"]["layout"], "fixed");
    const auto& pt = items["Muon_pt"];
    EXPECT_EQ(pt["attrs"]["layout"], "jagged");
    EXPECT_EQ(pt["attrs"]["root_type"], "Float_t");
    EXPECT_EQ(pt["group"]["offsets"]["values"], nlohmann::json::parse("[0, 2, 3, 3]"));
    EXPECT_EQ(pt["group"]["values"]["dtype"], "<f4");
    EXPECT_EQ(pt["group"]["values"]["values"][0], 30.5);
    fs::remove_all(d);
}

// Ntuples of other columns (a name, or a type) cannot be concatenated: the error names the file
// that differs, the column and the first file; no merged folder is left.
TEST(EventsMergeHdf5, OtherColumnsNameBothFiles) {
    const auto d = hepkit::test::fresh_dir("mergeh5", "differ");
    write_h5_job(d / "a",
                 {column<double>("mass", T::Float64, {1.0}), column<std::int32_t>("n", T::Int32, {1})});
    write_h5_job(d / "b",
                 {column<double>("mass", T::Float64, {2.0}), column<std::int32_t>("nj", T::Int32, {1})});
    write_h5_job(d / "c",
                 {column<float>("mass", T::Float32, {2.0f}), column<std::int32_t>("n", T::Int32, {1})});
    write_h5_job(d / "e", {column<double>("mass", T::Float64, {2.0}),
                           column<std::int32_t>("n", T::Int32, {1, 2}, std::vector<std::int64_t>{0, 2})});
    const std::string first = (d / "a" / "main" / "sel.h5").string();
    try {
        merge_outputs({d / "a", d / "b"}, d / "out");
        FAIL();
    } catch (const hepkit::InputError& e) {
        EXPECT_EQ(e.file(), (d / "b" / "main" / "sel.h5").string());
        EXPECT_EQ(e.message(), "columns [mass, nj] differ from [mass, n] in " + first +
                                   ": the ntuples have other columns");
    }
    try {
        merge_outputs({d / "a", d / "c"}, d / "out");
        FAIL();
    } catch (const hepkit::InputError& e) {
        EXPECT_EQ(e.file(), (d / "c" / "main" / "sel.h5").string());
        EXPECT_EQ(e.key(), "mass");
        EXPECT_EQ(e.message(), "column of type float32 here, float64 in " + first);
    }
    try {
        merge_outputs({d / "a", d / "e"}, d / "out");
        FAIL();
    } catch (const hepkit::InputError& e) {
        EXPECT_EQ(e.key(), "n");
        EXPECT_EQ(e.message(), "column of type int32 jagged here, int32 in " + first);
    }
    EXPECT_FALSE(fs::exists(d / "out"));
    fs::remove_all(d);
}

// A job's ntuple that is not HDF5 (a truncated copy): the error names that file, nothing is left.
TEST(EventsMergeHdf5, DamagedFileNamed) {
    const auto d = hepkit::test::fresh_dir("mergeh5", "damaged");
    write_h5_job(d / "a", {column<double>("mass", T::Float64, {1.0, 2.0})});
    write_h5_job(d / "b", {column<double>("mass", T::Float64, {3.0})});
    const auto bad = d / "b" / "main" / "sel.h5";
    fs::resize_file(bad, 64);
    try {
        merge_outputs({d / "a", d / "b"}, d / "out");
        FAIL();
    } catch (const hepkit::InputError& e) {
        EXPECT_EQ(e.file(), bad.string());
        EXPECT_NE(e.message().find("cannot be opened as HDF5"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(d / "out"));
    for (const auto& entry : fs::directory_iterator(d))
        EXPECT_EQ(entry.path().filename().string().find("out.tmp"), std::string::npos) << entry.path();
    fs::remove_all(d);
}
