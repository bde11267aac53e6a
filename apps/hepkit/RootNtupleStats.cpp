// `hepkit root stats --ntuple`: the statistics of an RNTuple's fields as JSON.
#include "RootNtupleStats.hpp"

#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/ThreadPool.hpp"
#include "hepkit/io/RNTupleStats.hpp"
#include "hepkit/io/RootFile.hpp"

#include <cmath>
#include <filesystem>
#include <fnmatch.h>
#include <iostream>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>

namespace hepkit::app {

namespace {

std::vector<std::string> split_patterns(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = text.find(',', start);
        const std::string part =
            text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!part.empty())
            out.push_back(part);
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    return out;
}

// A value of an integer column: exact in JSON (no fractional part, no rounding of 64-bit values).
nlohmann::json integer(double v) {
    if (v >= 0 && v > static_cast<double>(std::numeric_limits<std::int64_t>::max()))
        return static_cast<std::uint64_t>(v);
    return static_cast<std::int64_t>(v);
}

// The schema of expected/*.tree-stats.json: no values → sum 0 and null extremes; a NaN among
// the values → null sum, min and max (JSON has no NaN).
nlohmann::json stats_json(const io::ColumnStats& s) {
    nlohmann::json j;
    j["n"] = s.n;
    if (s.n == 0) {
        j["sum"] = 0;
        j["min"] = nullptr;
        j["max"] = nullptr;
    } else if (std::isnan(s.sum)) {
        j["sum"] = nullptr;
        j["min"] = nullptr;
        j["max"] = nullptr;
    } else if (s.integral) {
        if (s.integer_sum)
            j["sum"] = *s.integer_sum;
        else if (s.unsigned_sum)
            j["sum"] = *s.unsigned_sum;
        else
            j["sum"] = s.sum; // beyond 64 bits: the double is the best there is
        j["min"] = integer(s.min);
        j["max"] = integer(s.max);
    } else {
        j["sum"] = s.sum;
        j["min"] = s.min;
        j["max"] = s.max;
    }
    return j;
}

} // namespace

int root_ntuple_stats(const std::string& file, const std::string& ntuple, const std::string& branch_pattern,
                      const std::string& json_out, int threads) {
    if (threads < 1)
        throw UsageError("--threads", "must be at least 1, got " + std::to_string(threads));
    const io::RootFile root(file);
    const io::RNTuple reader(root, ntuple);
    const std::vector<std::string> patterns = split_patterns(branch_pattern);
    auto select = [&](std::string_view name) {
        const std::string n(name);
        for (const auto& p : patterns)
            if (fnmatch(p.c_str(), n.c_str(), 0) == 0)
                return true;
        return false;
    };
    std::unique_ptr<ThreadPool> pool;
    if (threads > 1)
        pool = std::make_unique<ThreadPool>(static_cast<std::size_t>(threads));
    const io::RNTupleStats stats = io::rntuple_stats(
        reader, patterns.empty() ? std::function<bool(std::string_view)>{} : select, pool.get());

    nlohmann::json doc;
    doc["file"] = std::filesystem::path(file).filename().string();
    doc["ntuple"] = reader.name();
    doc["entries"] = stats.entries;
    doc["branches"] = nlohmann::json::object();
    for (const auto& f : stats.fields)
        doc["branches"][f.name] = stats_json(f.stats);
    doc["unreadable"] = stats.unreadable;
    if (json_out.empty() || json_out == "-")
        std::cout << doc.dump() << '\n';
    else
        write_json_file(json_out, doc, -1);
    return 0;
}

} // namespace hepkit::app
