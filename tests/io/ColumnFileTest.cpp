// CSV and HDF5 output of columns: every element type and the three layouts (flat, fixed, jagged)
// written by hepkit and read back by independent readers — h5py for HDF5 (skipped with a message
// where it is absent), core's RFC 4180 reader and the C library's strtof/strtod for CSV — compared
// value by value, bit for bit for floating point. Plus the refusals (mismatched entries, repeated
// names, unknown extensions, unwritable paths) and that no temporary file is left behind.

#include "hepkit/io/ColumnFile.hpp"
#include "ColumnMaker.hpp"
#include "Helpers.hpp"
#include "hepkit/core/Csv.hpp"
#include "hepkit/core/Process.hpp"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <limits>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace io = hepkit::io;
namespace fs = std::filesystem;

using hepkit::io::test::column;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Three entries of every type and layout; floats chosen to need all their digits.
std::vector<io::Column> sample_columns() {
    std::vector<io::Column> c;
    c.push_back(column<std::uint8_t>("b", io::ColumnType::Bool, {1, 0, 1}));
    c.push_back(column<std::int8_t>("i8", io::ColumnType::Int8, {-128, 0, 127}));
    c.push_back(column<std::uint8_t>("u8", io::ColumnType::UInt8, {0, 255, 7}));
    c.push_back(column<std::int16_t>("i16", io::ColumnType::Int16, {-32768, -1, 32767}));
    c.push_back(column<std::uint16_t>("u16", io::ColumnType::UInt16, {0, 65535, 12}));
    c.push_back(column<std::int32_t>("i32", io::ColumnType::Int32, {-2147483647 - 1, 5, 2147483647}));
    c.push_back(column<std::uint32_t>("u32", io::ColumnType::UInt32, {0, 4294967295u, 3}));
    c.push_back(column<std::int64_t>(
        "i64", io::ColumnType::Int64,
        {std::numeric_limits<std::int64_t>::min(), -1, std::numeric_limits<std::int64_t>::max()}));
    c.push_back(column<std::uint64_t>("u64", io::ColumnType::UInt64,
                                      {0, 9007199254740993ull, std::numeric_limits<std::uint64_t>::max()}));
    c.push_back(column<float>("f32", io::ColumnType::Float32, {0.1f, -3.4028235e38f, 1.4e-45f}));
    c.push_back(column<double>("f64", io::ColumnType::Float64, {0.1, -1.0 / 3.0, 4.9406564584124654e-324}));
    c.push_back(column<double>("special", io::ColumnType::Float64, {kInf, -kInf, std::nan("")}));
    c.push_back(column<float>("x", io::ColumnType::Float32, {1, 2, 3, 4.5f, 5, 6, 7, 8, 1.0f / 3.0f}, 3));
    c.push_back(
        column<float>("jet_pt", io::ColumnType::Float32, {25.5f, 13.25f, 1e-3f, 2, 3}, 1, {0, 2, 2, 5}));
    c.push_back(column<std::int32_t>("jet_id", io::ColumnType::Int32, {7, -8, 9, 10, 11}, 1, {0, 2, 2, 5}));
    c.push_back(
        column<std::string>("s", io::ColumnType::String, {"plain", "comma, \"quote\"", "\xc3\xbcn\xc3\xaf"}));
    c.push_back(column<std::string>("tags", io::ColumnType::String, {"a", "b c", "d"}, 1, {0, 0, 2, 3}));
    return c;
}

// Expected JSON value of value k of a column, as h5_to_json.py writes it.
nlohmann::json expected_value(const io::Column& c, std::size_t k) {
    return std::visit(
        [&](const auto& v) -> nlohmann::json {
            using T = typename std::decay_t<decltype(v)>::value_type;
            if constexpr (std::is_same_v<T, std::string>) {
                return v[k];
            } else if constexpr (std::is_floating_point_v<T>) {
                const double d = v[k];
                if (std::isnan(d))
                    return "nan";
                if (std::isinf(d))
                    return d > 0 ? "inf" : "-inf";
                return d;
            } else {
                if (c.type == io::ColumnType::Bool)
                    return v[k] != 0;
                return v[k];
            }
        },
        c.values);
}

const char* expected_dtype(io::ColumnType t) {
    switch (t) {
    case io::ColumnType::Bool:
        return "bool";
    case io::ColumnType::Int8:
        return "|i1";
    case io::ColumnType::UInt8:
        return "|u1";
    case io::ColumnType::Int16:
        return "<i2";
    case io::ColumnType::UInt16:
        return "<u2";
    case io::ColumnType::Int32:
        return "<i4";
    case io::ColumnType::UInt32:
        return "<u4";
    case io::ColumnType::Int64:
        return "<i8";
    case io::ColumnType::UInt64:
        return "<u8";
    case io::ColumnType::Float32:
        return "<f4";
    case io::ColumnType::Float64:
        return "<f8";
    case io::ColumnType::String:
        return "str";
    }
    return "";
}

// h5py's view of `h5`, or nullopt (with the reason in `why`) when h5py is missing.
std::optional<nlohmann::json> read_with_h5py(const fs::path& h5, std::string& why) {
    const fs::path json = h5.string() + ".json";
    const auto r =
        hepkit::run_process({"/usr/bin/python3", std::string(HEPKIT_SOURCE_DIR) + "/tests/io/h5_to_json.py",
                             h5.string(), json.string()},
                            true);
    if (r.exited && r.exit_code == 77) {
        why = r.errors;
        return std::nullopt;
    }
    EXPECT_TRUE(r.exited && r.exit_code == 0) << r.errors;
    std::ifstream in(json);
    auto doc = nlohmann::json::parse(in);
    fs::remove(json);
    return doc;
}

} // namespace

TEST(ColumnFile, FormatByExtension) {
    EXPECT_EQ(io::column_file_format("a/out.csv"), io::ColumnFileFormat::Csv);
    EXPECT_EQ(io::column_file_format("OUT.CSV"), io::ColumnFileFormat::Csv);
    EXPECT_EQ(io::column_file_format("x.h5"), io::ColumnFileFormat::Hdf5);
    EXPECT_EQ(io::column_file_format("x.hdf5"), io::ColumnFileFormat::Hdf5);
    for (const char* bad : {"out.root", "out", "dir.csv/out"}) {
        try {
            io::column_file_format(bad);
            ADD_FAILURE() << bad << " accepted";
        } catch (const hepkit::UsageError& e) {
            EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find(".csv"), std::string::npos) << e.what();
        }
    }
}

TEST(ColumnFile, Hdf5ReadBackWithH5py) {
    const auto columns = sample_columns();
    const fs::path h5 = hepkit::test::temp_path("columnfile", "all.h5");
    io::write_columns(h5.string(), columns);
    std::string why;
    const auto doc = read_with_h5py(h5, why);
    fs::remove(h5);
    if (!doc)
        GTEST_SKIP() << "h5py missing, HDF5 output not read back: " << why;
    EXPECT_EQ(doc->at("attrs").at("entries"), 3);
    EXPECT_EQ(doc->at("attrs").at("creator"), "hepkit");
    ASSERT_EQ(doc->at("items").size(), columns.size());
    for (const auto& c : columns) {
        SCOPED_TRACE(c.name);
        const auto& item = doc->at("items").at(c.name);
        const nlohmann::json* values = &item;
        if (c.jagged()) {
            EXPECT_EQ(item.at("attrs").at("layout"), "jagged");
            EXPECT_EQ(item.at("attrs").at("root_type"), std::string(io::root_type_name(c.type)));
            const auto& offsets = item.at("group").at("offsets");
            EXPECT_EQ(offsets.at("dtype"), "<i8");
            EXPECT_EQ(offsets.at("values"), nlohmann::json(c.offsets));
            values = &item.at("group").at("values");
            EXPECT_EQ(values->at("shape"), nlohmann::json::array({c.size()}));
        } else {
            EXPECT_EQ(item.at("attrs").at("layout"), c.width > 1 ? "fixed" : "flat");
            EXPECT_EQ(item.at("attrs").at("root_type"), std::string(io::root_type_name(c.type)));
            const auto shape = c.width > 1 ? nlohmann::json::array({3, c.width}) : nlohmann::json::array({3});
            EXPECT_EQ(item.at("shape"), shape);
        }
        EXPECT_EQ(values->at("dtype"), expected_dtype(c.type));
        ASSERT_EQ(values->at("values").size(), c.size());
        for (std::size_t k = 0; k < c.size(); ++k)
            EXPECT_EQ(values->at("values")[k], expected_value(c, k)) << "value " << k;
    }
}

TEST(ColumnFile, Hdf5EmptyColumns) {
    std::vector<io::Column> c;
    c.push_back(column<double>("e", io::ColumnType::Float64, {}));
    c.push_back(column<float>("j", io::ColumnType::Float32, {}, 1, {0}));
    const fs::path h5 = hepkit::test::temp_path("columnfile", "empty.h5");
    io::write_hdf5(h5.string(), c);
    std::string why;
    const auto doc = read_with_h5py(h5, why);
    fs::remove(h5);
    if (!doc)
        GTEST_SKIP() << "h5py missing: " << why;
    EXPECT_EQ(doc->at("attrs").at("entries"), 0);
    EXPECT_EQ(doc->at("items").at("e").at("shape"), nlohmann::json::array({0}));
    EXPECT_EQ(doc->at("items").at("j").at("group").at("offsets").at("values"), nlohmann::json::array({0}));
}

namespace {
template <class T>
T parse_as(const std::string& text) {
    if constexpr (std::is_same_v<T, float>)
        return std::strtof(text.c_str(), nullptr);
    else if constexpr (std::is_same_v<T, double>)
        return std::strtod(text.c_str(), nullptr);
    else if constexpr (std::is_signed_v<T>)
        return static_cast<T>(std::stoll(text));
    else
        return static_cast<T>(std::stoull(text));
}

template <class T>
bool same(T a, T b) {
    if constexpr (std::is_floating_point_v<T>)
        return std::memcmp(&a, &b, sizeof(T)) == 0 || (std::isnan(a) && std::isnan(b));
    else
        return a == b;
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    if (s.empty())
        return out;
    std::size_t b = 0;
    for (std::size_t e; (e = s.find(sep, b)) != std::string::npos; b = e + 1)
        out.push_back(s.substr(b, e - b));
    out.push_back(s.substr(b));
    return out;
}
} // namespace

TEST(ColumnFile, CsvParsedBack) {
    const auto columns = sample_columns();
    const fs::path csv = hepkit::test::temp_path("columnfile", "all.csv");
    io::write_columns(csv.string(), columns);
    const auto table = hepkit::read_csv(csv.string());
    fs::remove(csv);
    ASSERT_EQ(table.rows.size(), 3u);
    for (const auto& c : columns) {
        SCOPED_TRACE(c.name);
        std::visit(
            [&](const auto& v) {
                using T = typename std::decay_t<decltype(v)>::value_type;
                for (std::size_t row = 0; row < 3; ++row) {
                    if (c.jagged()) {
                        const int col = table.column(c.name);
                        ASSERT_GE(col, 0);
                        const auto cells = split(table.rows[row].fields[static_cast<std::size_t>(col)], ';');
                        const auto b = static_cast<std::size_t>(c.offsets[row]);
                        ASSERT_EQ(cells.size(), static_cast<std::size_t>(c.offsets[row + 1]) - b);
                        for (std::size_t k = 0; k < cells.size(); ++k) {
                            if constexpr (std::is_same_v<T, std::string>)
                                EXPECT_EQ(cells[k], v[b + k]);
                            else
                                EXPECT_TRUE(same(parse_as<T>(cells[k]), v[b + k])) << cells[k];
                        }
                        continue;
                    }
                    for (std::size_t j = 0; j < c.width; ++j) {
                        const std::string name =
                            c.width > 1 ? c.name + "[" + std::to_string(j) + "]" : c.name;
                        const int col = table.column(name);
                        ASSERT_GE(col, 0) << name;
                        const std::string& text = table.rows[row].fields[static_cast<std::size_t>(col)];
                        if constexpr (std::is_same_v<T, std::string>)
                            EXPECT_EQ(text, v[row]);
                        else
                            EXPECT_TRUE(same(parse_as<T>(text), v[row * c.width + j]))
                                << name << " = " << text;
                    }
                }
            },
            c.values);
    }
    // Floats are written in their own shortest form, not widened to double's digits.
    const auto& header = table.header;
    const auto f32 = static_cast<std::size_t>(table.column("f32"));
    EXPECT_EQ(table.rows[0].fields[f32], "0.1");
    EXPECT_EQ(header.size(), columns.size() + 2); // x → x[0], x[1], x[2]
}

TEST(ColumnFile, CsvSingleJaggedColumnKeepsEmptyRows) {
    // A one-column file whose entry has no values must not produce a blank line (which CSV
    // readers, pandas' included, skip): the empty cell is written as "".
    std::vector<io::Column> c;
    c.push_back(column<float>("j", io::ColumnType::Float32, {1, 2}, 1, {0, 1, 1, 2}));
    const fs::path csv = hepkit::test::temp_path("columnfile", "single.csv");
    io::write_csv(csv.string(), c);
    const auto table = hepkit::read_csv(csv.string());
    fs::remove(csv);
    ASSERT_EQ(table.rows.size(), 3u);
    EXPECT_EQ(table.rows[1].fields.at(0), "");
}

TEST(ColumnFile, RefusesInconsistentColumns) {
    const fs::path out = hepkit::test::temp_path("columnfile", "bad.csv");
    const auto expect_refused = [&](std::vector<io::Column> cols, const std::string& fragment,
                                    const fs::path& path) {
        for (const bool hdf5 : {false, true}) {
            const std::string p = hdf5 ? path.string() + ".h5" : path.string();
            const auto e =
                hepkit::test::input_error([&] { hdf5 ? io::write_hdf5(p, cols) : io::write_csv(p, cols); });
            EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
            EXPECT_FALSE(fs::exists(p));
        }
    };
    {
        std::vector<io::Column> c;
        c.push_back(column<double>("a", io::ColumnType::Float64, {1, 2, 3}));
        c.push_back(column<double>("b", io::ColumnType::Float64, {1, 2}));
        expect_refused(c, "same number", out);
    }
    {
        std::vector<io::Column> c;
        c.push_back(column<double>("a", io::ColumnType::Float64, {1}));
        c.push_back(column<double>("a", io::ColumnType::Float64, {1}));
        expect_refused(c, "two columns have this name", out);
    }
    {
        std::vector<io::Column> c;
        c.push_back(column<double>("a", io::ColumnType::Float64, {1, 2}, 1, {0, 3}));
        expect_refused(c, "offsets end at 3", out);
    }
    expect_refused({}, "no columns", out);
    {
        std::vector<io::Column> c;
        c.push_back(column<double>("a/b", io::ColumnType::Float64, {1}));
        const auto e = hepkit::test::input_error([&] { io::write_hdf5(out.string() + ".h5", c); });
        EXPECT_NE(std::string(e.what()).find("'/'"), std::string::npos) << e.what();
    }
    {
        std::vector<io::Column> c;
        c.push_back(column<std::string>("t", io::ColumnType::String, {"a;b"}, 1, {0, 1}));
        const auto e = hepkit::test::input_error([&] { io::write_csv(out.string(), c); });
        EXPECT_NE(std::string(e.what()).find("HDF5"), std::string::npos) << e.what();
        EXPECT_FALSE(fs::exists(out));
    }
}

TEST(ColumnFile, UnwritablePathNamesFileAndLeavesNothing) {
    std::vector<io::Column> c;
    c.push_back(column<double>("a", io::ColumnType::Float64, {1}));
    const fs::path dir = hepkit::test::temp_path("columnfile", "no-such-dir");
    for (const char* name : {"out.csv", "out.h5"}) {
        const std::string p = (dir / name).string();
        try {
            io::write_columns(p, c);
            ADD_FAILURE() << "wrote " << p;
        } catch (const hepkit::OutputError& e) {
            EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
        }
    }
    EXPECT_FALSE(fs::exists(dir));
}

TEST(ColumnFile, ReplacesAnExistingFileWhole) {
    const fs::path h5 = hepkit::test::temp_path("columnfile", "replace.h5");
    std::ofstream(h5) << "old content";
    std::vector<io::Column> c;
    c.push_back(column<double>("a", io::ColumnType::Float64, {1, 2}));
    io::write_hdf5(h5.string(), c);
    std::ifstream in(h5, std::ios::binary);
    char magic[8] = {};
    in.read(magic, 8);
    EXPECT_EQ(std::string(magic, 8), std::string("\x89HDF\r\n\x1a\n", 8));
    for (const auto& entry : fs::directory_iterator(h5.parent_path()))
        EXPECT_EQ(entry.path().string().find(h5.string() + ".tmp"), std::string::npos) << entry.path();
    fs::remove(h5);
}
