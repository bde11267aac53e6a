// read_hdf5: HDF5 files of hepkit's column layout read back. Round trips write_hdf5 → read_hdf5
// for every element type and layout (flat, fixed, jagged, empty), compared value by value and bit
// for bit with what was written; files written independently by h5py (tests/io/h5_write_layout.py,
// skipped with a message without h5py) read back to the values the script wrote, given here by
// hand; and bad files (not HDF5, a jagged group without offsets, inconsistent offsets, columns of
// different lengths, ...) refused with an InputError naming the file and the dataset.

#include "ColumnMaker.hpp"
#include "Helpers.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/Process.hpp"
#include "hepkit/io/ColumnFile.hpp"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <gtest/gtest.h>
#include <limits>
#include <thread>
#include <unistd.h>

namespace io = hepkit::io;
namespace fs = std::filesystem;

using hepkit::io::test::column;

namespace {

// Every type, flat; plus fixed and jagged columns of several types (three entries each). Names
// not in sorted order, so that the test also sees the order of the columns kept.
std::vector<io::Column> read_sample_columns() {
    using T = io::ColumnType;
    std::vector<io::Column> c;
    c.push_back(column<std::uint8_t>("b", T::Bool, {1, 0, 1}));
    c.push_back(column<std::int8_t>("i8", T::Int8, {-128, 0, 127}));
    c.push_back(column<std::uint8_t>("u8", T::UInt8, {0, 255, 7}));
    c.push_back(column<std::int16_t>("i16", T::Int16, {-32768, -1, 32767}));
    c.push_back(column<std::uint16_t>("u16", T::UInt16, {0, 65535, 12}));
    c.push_back(column<std::int32_t>("i32", T::Int32, {-2147483647 - 1, 5, 2147483647}));
    c.push_back(column<std::uint32_t>("u32", T::UInt32, {0, 4294967295u, 3}));
    c.push_back(column<std::int64_t>(
        "i64", T::Int64,
        {std::numeric_limits<std::int64_t>::min(), -1, std::numeric_limits<std::int64_t>::max()}));
    c.push_back(column<std::uint64_t>("u64", T::UInt64,
                                      {0, 9007199254740993ull, std::numeric_limits<std::uint64_t>::max()}));
    c.push_back(column<float>("f32", T::Float32, {0.1f, -3.4028235e38f, 1.4e-45f}));
    c.push_back(column<double>("f64", T::Float64, {0.1, -0.0, 4.9406564584124654e-324}));
    c.push_back(column<double>("special", T::Float64,
                               {std::numeric_limits<double>::infinity(),
                                -std::numeric_limits<double>::infinity(), std::nan("0x7ff")}));
    c.push_back(column<std::string>("s", T::String, {"plain", "", "\xc3\xbcn\xc3\xaf, \"q\""}));
    c.push_back(column<float>("x", T::Float32, {1, 2, 3, 4.5f, 5, 6, 7, 8, 1.0f / 3.0f}, 3));
    c.push_back(column<std::int64_t>("ids", T::Int64, {1, -2, 3, -4, 5, -6}, 2));
    c.push_back(column<std::string>("pair", T::String, {"a", "b", "c", "d", "e", "f"}, 2));
    c.push_back(column<float>("jet_pt", T::Float32, {25.5f, 13.25f, 1e-3f, 2, 3}, 1, {0, 2, 2, 5}));
    c.push_back(column<std::uint8_t>("jet_tight", T::Bool, {1, 0, 0, 1, 1}, 1, {0, 2, 2, 5}));
    c.push_back(column<std::uint16_t>("hits", T::UInt16, {}, 1, {0, 0, 0, 0}));
    c.push_back(column<std::string>("tags", T::String, {"a", "b c", "d"}, 1, {0, 0, 2, 3}));
    c.push_back(column<double>("a_last", T::Float64, {3, 2, 1}));
    return c;
}

// Equal bit for bit: same name, type, layout and the same bytes of every value (NaN payloads and
// the sign of zero included).
void expect_same(const io::Column& got, const io::Column& want) {
    SCOPED_TRACE(want.name);
    EXPECT_EQ(got.name, want.name);
    ASSERT_EQ(got.type, want.type) << io::column_type_name(got.type);
    EXPECT_EQ(got.width, want.width);
    EXPECT_EQ(got.offsets, want.offsets);
    ASSERT_EQ(got.size(), want.size());
    std::visit(
        [&](const auto& w) {
            using T = typename std::decay_t<decltype(w)>::value_type;
            const auto g = got.as<T>();
            for (std::size_t k = 0; k < w.size(); ++k) {
                if constexpr (std::is_same_v<T, std::string>) {
                    EXPECT_EQ(g[k], w[k]) << "value " << k;
                } else {
                    EXPECT_EQ(std::memcmp(&g[k], &w[k], sizeof(T)), 0)
                        << "value " << k << ": " << +g[k] << " != " << +w[k];
                }
            }
        },
        want.values);
}

// The files of tests/io/h5_write_layout.py in `dir`, or false (with the reason in `why`).
bool write_with_h5py(const fs::path& dir, std::string& why) {
    fs::create_directories(dir);
    const auto r = hepkit::run_process(
        {"/usr/bin/python3", std::string(HEPKIT_SOURCE_DIR) + "/tests/io/h5_write_layout.py", dir.string()},
        true);
    if (r.exited && r.exit_code == 77) {
        why = r.errors;
        return false;
    }
    EXPECT_TRUE(r.exited && r.exit_code == 0) << r.errors;
    return r.exited && r.exit_code == 0;
}

// One directory of h5py-written files for all tests of this executable's process, removed at exit.
struct H5pyFiles {
    fs::path dir = hepkit::test::temp_path("colread", "h5py");
    std::string why;
    bool ok = write_with_h5py(dir, why);
    ~H5pyFiles() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
};
const fs::path& h5py_dir(std::string& why) {
    static const H5pyFiles files;
    static const fs::path none;
    why = files.why;
    return files.ok ? files.dir : none;
}

} // namespace

TEST(ColumnFileRead, RoundTripEveryTypeAndLayout) {
    const auto cols = read_sample_columns();
    const auto path = hepkit::test::temp_path("colread", "all.h5");
    io::write_hdf5(path.string(), cols);
    const auto back = io::read_hdf5(path.string());
    ASSERT_EQ(back.size(), cols.size());
    // the order written (creation order), not sorted by name ("a_last" written last)
    for (std::size_t k = 0; k < cols.size(); ++k)
        expect_same(back[k], cols[k]);
    // and written again from what was read: the same columns (a merge writes what it read)
    const auto again = hepkit::test::temp_path("colread", "again.h5");
    io::write_hdf5(again.string(), back);
    const auto back2 = io::read_hdf5(again.string());
    ASSERT_EQ(back2.size(), cols.size());
    for (std::size_t k = 0; k < cols.size(); ++k)
        expect_same(back2[k], cols[k]);
    fs::remove(path);
    fs::remove(again);
}

// Zero entries: a flat dataset of length 0, a 0 × 3 fixed one, a jagged group with offsets [0].
TEST(ColumnFileRead, EmptyColumns) {
    using T = io::ColumnType;
    std::vector<io::Column> cols;
    cols.push_back(column<double>("e", T::Float64, {}));
    cols.push_back(column<std::uint8_t>("flag", T::Bool, {}));
    cols.push_back(column<std::string>("s", T::String, {}));
    cols.push_back(column<float>("v3", T::Float32, {}, 3));
    cols.push_back(column<std::int32_t>("j", T::Int32, {}, 1, {0}));
    cols.push_back(column<std::string>("js", T::String, {}, 1, {0}));
    const auto path = hepkit::test::temp_path("colread", "empty.h5");
    io::write_hdf5(path.string(), cols);
    const auto back = io::read_hdf5(path.string());
    ASSERT_EQ(back.size(), cols.size());
    for (std::size_t k = 0; k < cols.size(); ++k) {
        expect_same(back[k], cols[k]);
        EXPECT_EQ(back[k].entries(), 0u);
    }
    fs::remove(path);
}

// Readers and writers in several threads at once: HDF5 is used by one at a time (a shared lock),
// each gets its own columns back.
TEST(ColumnFileRead, ConcurrentReadsAndWrites) {
    std::vector<std::thread> threads;
    std::vector<int> ok(4, 0);
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([t, &ok] {
            const auto path = hepkit::test::temp_path("colread", "thread" + std::to_string(t) + ".h5");
            bool good = true;
            for (int round = 0; round < 5; ++round) {
                auto c = column<std::int32_t>("t", io::ColumnType::Int32, {t, round, t * round});
                io::write_hdf5(path.string(), std::vector<io::Column>{c});
                const auto back = io::read_hdf5(path.string());
                good = good && back.size() == 1 && back[0].as<std::int32_t>()[2] == t * round;
            }
            fs::remove(path);
            ok[static_cast<std::size_t>(t)] = good ? 1 : 0;
        });
    for (auto& th : threads)
        th.join();
    EXPECT_EQ(ok, std::vector<int>(4, 1));
}

// A file written by h5py with track_order=True and hepkit's attributes: the columns in the order
// written, with the values the script wrote (tests/io/h5_write_layout.py).
TEST(ColumnFileRead, H5pyFileInHepkitLayout) {
    std::string why;
    const fs::path& dir = h5py_dir(why);
    if (dir.empty())
        GTEST_SKIP() << why;
    using T = io::ColumnType;
    std::vector<io::Column> want;
    want.push_back(column<double>("mass", T::Float64, {91.1875, -0.0, 1e-300}));
    want.push_back(column<std::int32_t>("n", T::Int32, {0, -7, 2147483647}));
    want.push_back(column<float>("Muon_pt", T::Float32, {30.5f, 25.25f, 1.0e-3f}, 1, {0, 2, 2, 3}));
    want.push_back(column<std::uint8_t>("ok", T::Bool, {1, 0, 1}));
    want.push_back(column<float>("p3", T::Float32, {1, 2, 3, 4, 5, 6, 7, 8, 0.1f}, 3));
    want.push_back(column<std::string>("name", T::String,
                                       {"a", "",
                                        "\xc3\xbc"
                                        "ber"}));
    want.push_back(column<std::string>("tags", T::String, {"x", "y,z", "w"}, 1, {0, 1, 1, 3}));
    want.push_back(column<std::int16_t>("id16", T::Int16, {-32768, 0, 32767}));
    want.push_back(
        column<std::uint64_t>("u64", T::UInt64, {0, 9223372036854775809ull, 18446744073709551615ull}));
    const auto got = io::read_hdf5((dir / "good_ordered.h5").string());
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t k = 0; k < want.size(); ++k)
        expect_same(got[k], want[k]);
}

// Plain h5py (no creation order, no attributes): columns sorted by name; a big-endian float, a
// gzip-compressed chunked dataset, fixed-length strings and int32 offsets converted to hepkit's types.
TEST(ColumnFileRead, H5pyPlainFile) {
    std::string why;
    const fs::path& dir = h5py_dir(why);
    if (dir.empty())
        GTEST_SKIP() << why;
    using T = io::ColumnType;
    std::vector<io::Column> want;
    want.push_back(column<double>("a", T::Float64, {0.5, 1.5}));
    want.push_back(column<std::int64_t>("c", T::Int64, {1, -2, 3, -4}, 2));
    want.push_back(column<std::uint8_t>("j", T::Bool, {1, 0, 1}, 1, {0, 3, 3}));
    want.push_back(column<std::string>("m", T::String, {"ab", "c"}));
    want.push_back(column<std::uint16_t>("z", T::UInt16, {1, 2}));
    const auto got = io::read_hdf5((dir / "good_plain.h5").string());
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t k = 0; k < want.size(); ++k)
        expect_same(got[k], want[k]);
}

TEST(ColumnFileRead, NotHdf5OrMissing) {
    const auto text = hepkit::test::temp_file("columnread", "text.h5", "mass\n1.0\n");
    auto e = hepkit::test::input_error([&] { io::read_hdf5(text.string()); });
    EXPECT_EQ(e.file(), text.string());
    EXPECT_NE(e.message().find("not an HDF5 file"), std::string::npos) << e.what();
    fs::remove(text);

    // a hepkit file cut short (a job killed while copying it): an error, never a crash
    const auto whole = hepkit::test::temp_path("colread", "whole.h5"),
               cut = hepkit::test::temp_path("colread", "cut.h5");
    io::write_hdf5(whole.string(), read_sample_columns());
    for (const std::uintmax_t keep :
         {std::uintmax_t{100}, fs::file_size(whole) / 2, fs::file_size(whole) - 1}) {
        fs::copy_file(whole, cut, fs::copy_options::overwrite_existing);
        fs::resize_file(cut, keep);
        e = hepkit::test::input_error([&] { io::read_hdf5(cut.string()); });
        EXPECT_EQ(e.file(), cut.string()) << keep;
    }
    fs::remove(whole);
    fs::remove(cut);

    e = hepkit::test::input_error(
        [&] { io::read_hdf5(hepkit::test::temp_path("colread", "absent.h5").string()); });
    EXPECT_NE(e.message().find("no such file"), std::string::npos) << e.what();
    e = hepkit::test::input_error([&] { io::read_hdf5(fs::temp_directory_path().string()); });
    EXPECT_NE(e.message().find("not a regular file"), std::string::npos) << e.what();
}

// One defect per file (tests/io/h5_write_layout.py): the error names the file, the dataset (key)
// and says what is wrong.
TEST(ColumnFileRead, BadFilesNameFileAndDataset) {
    std::string why;
    const fs::path& dir = h5py_dir(why);
    if (dir.empty())
        GTEST_SKIP() << why;
    struct Case {
        const char* file;
        const char* key;
        const char* message;
    };
    const Case cases[] = {
        {"missing_offsets", "jet_pt", "a group without the dataset 'offsets'"},
        {"offsets_decrease", "jet_pt/offsets", "decreases at entry 1 (1 after 2)"},
        {"offsets_end", "jet_pt/offsets", "ends at 2, but 'jet_pt/values' has 3 values"},
        {"offsets_start", "jet_pt/offsets", "starts at 1, must start at 0"},
        {"offsets_empty", "jet_pt/offsets", "empty: a jagged column of N entries has N+1 offsets"},
        {"offsets_float", "jet_pt/offsets", "element type float: offsets must be integers"},
        {"entries_differ", "b", "4 entries, but 'a' has 3"},
        {"scalar", "x", "a scalar, not a column"},
        {"rank3", "x", "rank 3"},
        {"compound", "x", "element type compound of 8 bytes is not a column type"},
        {"float16", "x", "element type float of 2 bytes is not a column type"},
        {"layout_attr", "x attribute layout", "'jagged' does not match the data, which is flat"},
        {"root_type_attr", "x attribute root_type", "'Float_t' does not match the element type float64"},
        {"entries_attr", "entries", "the file attribute says 5 entries, the columns have 2"},
        {"empty", "", "holds no dataset"},
        {"huge", "x", "declares 10000000000000 values of 8 bytes, more than a file of"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.file);
        const auto path = dir / (std::string("bad_") + c.file + ".h5");
        const auto e = hepkit::test::input_error([&] { io::read_hdf5(path.string()); });
        EXPECT_EQ(e.file(), path.string());
        EXPECT_EQ(e.key(), c.key) << e.what();
        EXPECT_NE(e.message().find(c.message), std::string::npos) << e.what();
    }
}
