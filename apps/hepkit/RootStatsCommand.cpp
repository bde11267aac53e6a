// `hepkit root stats FILE --tree NAME --json OUT`: for every numeric branch the number of values
// (all elements of jagged branches), their sum, minimum and maximum — the schema of the jsroot-made
// expectations in the reference data: {"file", "tree", "entries", "branches": {NAME: {"n", "sum",
// "min", "max"}}}, integer branches written as JSON integers, strings left out. The tree is read
// cluster by cluster, all chosen branches at once, so memory stays one cluster of them.

#include "CliChecks.hpp"
#include "RootCommands.hpp"
#include "RootTreeOptions.hpp"
#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/core/ThreadPool.hpp"
#include "hepkit/io/ColumnStats.hpp"
#include "hepkit/io/RootFile.hpp"

#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <memory>
#include <nlohmann/json.hpp>

namespace hepkit::app {

namespace {

bool is_unsigned(io::ColumnType t) {
    return t == io::ColumnType::UInt8 || t == io::ColumnType::UInt16 || t == io::ColumnType::UInt32 ||
           t == io::ColumnType::UInt64 || t == io::ColumnType::Bool;
}

// A number as JSON: integers of integer branches as JSON integers, non-finite values as null
// (JSON has no NaN or infinity).
nlohmann::json number(double v, bool integral, bool unsigned_type) {
    if (!std::isfinite(v))
        return nullptr;
    if (integral) {
        if (unsigned_type && v >= 0)
            return static_cast<std::uint64_t>(v);
        return static_cast<std::int64_t>(v);
    }
    return v;
}

nlohmann::json stats_json(const io::ColumnStats& s, io::ColumnType type) {
    nlohmann::json j;
    j["n"] = s.n;
    const bool u = is_unsigned(type);
    if (s.integer_sum)
        j["sum"] = *s.integer_sum;
    else if (s.unsigned_sum)
        j["sum"] = *s.unsigned_sum;
    else
        j["sum"] = number(s.sum, false, false);
    if (s.n == 0) {
        j["min"] = nullptr;
        j["max"] = nullptr;
    } else {
        j["min"] = number(s.min, s.integral, u);
        j["max"] = number(s.max, s.integral, u);
    }
    return j;
}

} // namespace

std::function<int()> add_root_stats(CLI::App& root, const GlobalOptions& globals) {
    struct Options {
        std::string file;
        std::string tree;
        std::string ntuple;
        std::string branches;
        int threads = 0;
        std::string json;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = root.add_subcommand(
        "stats",
        "Statistics of every numeric branch of a tree: n (the number of values; all elements of a\n"
        "jagged branch), sum, min and max, booleans as 0/1, written as JSON\n"
        "{\"file\", \"tree\", \"entries\", \"branches\": {NAME: {\"n\", \"sum\", \"min\", \"max\"}}}.\n"
        "Strings and branches that cannot be read are left out (listed by 'hepkit root ls').\n"
        "With --ntuple instead of --tree the same for the fields of an RNTuple (key \"ntuple\").\n"
        "Example: hepkit root stats nano.root --tree Events --branches 'Muon_*,nMuon' --json stats.json");
    cmd->add_option("file", o->file, "the ROOT file")->required()->check(CLI::ExistingFile);
    auto* tree_opt = cmd->add_option("--tree", o->tree, "the tree (TTree, TNtuple): \"Events\", \"dir/t;2\"");
    auto* ntuple_opt = cmd->add_option("--ntuple", o->ntuple, "an RNTuple instead of a tree: \"Events\"");
    tree_opt->excludes(ntuple_opt);
    ntuple_opt->excludes(tree_opt);
    cmd->add_option("--branches", o->branches,
                    "comma-separated glob patterns of branch names (default: all)");
    cmd->add_option("--threads", o->threads, "decompression threads (default: HEPKIT_THREADS or all cores)")
        ->check(integer_in(1, 1024));
    cmd->add_option("--json", o->json, "output JSON file")->required();
    return [o, &globals]() {
        const int threads = o->threads > 0 ? o->threads : static_cast<int>(ThreadPool::default_size());
        if (!o->ntuple.empty()) {
            const int rc = root_ntuple_stats(o->file, o->ntuple, o->branches, o->json, threads);
            if (!globals.quiet)
                fmt::print("RNTuple '{}' -> {}\n", o->ntuple, o->json);
            return rc;
        }
        if (o->tree.empty())
            throw UsageError("--tree", "give the tree (--tree NAME) or an RNTuple (--ntuple NAME)");
        const io::RootFile file(o->file);
        const io::Tree tree(file, o->tree);
        const auto names = select_branches(tree, o->branches, [](const io::BranchInfo& b) {
            return b.readable && b.type != io::ColumnType::String;
        });
        ThreadPool pool(static_cast<std::size_t>(threads));
        std::vector<io::ColumnStats> stats(names.size());
        std::vector<io::Column> columns; // reused cluster after cluster (Tree::read_into)
        for (const auto& cluster : tree.clusters()) {
            tree.read_into(names, cluster.begin, cluster.end, columns, &pool);
            for (std::size_t k = 0; k < names.size(); ++k)
                if (const auto s = io::column_stats(columns[k]))
                    io::merge_stats(stats[k], *s);
        }
        nlohmann::json doc;
        doc["file"] = std::filesystem::path(o->file).filename().string();
        doc["tree"] = tree.name();
        doc["entries"] = tree.entries();
        nlohmann::json branches = nlohmann::json::object();
        for (std::size_t k = 0; k < names.size(); ++k) {
            io::ColumnStats s = stats[k];
            const io::ColumnType type = tree.branch(names[k]).type;
            s.integral = type != io::ColumnType::Float32 && type != io::ColumnType::Float64;
            if (s.n == 0 && s.integral)
                s.integer_sum = 0;
            branches[names[k]] = stats_json(s, type);
        }
        doc["branches"] = std::move(branches);
        write_json_file(o->json, doc, -1);
        if (!globals.quiet)
            fmt::print("{} branches of tree '{}' ({} entries) -> {}\n", names.size(), tree.name(),
                       tree.entries(), o->json);
        return 0;
    };
}

} // namespace hepkit::app
