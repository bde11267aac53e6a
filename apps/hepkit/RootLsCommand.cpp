// `hepkit root ls FILE [PATH]`: what a ROOT file holds — keys with their classes and cycles,
// subdirectories recursively, trees with their entries, clusters and branches (types, counters,
// compressed and uncompressed sizes), RNTuples likewise with their fields (C++ type, column
// types, sizes).

#include "RootCommands.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/io/RNTuple.hpp"
#include "hepkit/io/RootFile.hpp"
#include "hepkit/io/Tree.hpp"

#include <fmt/format.h>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace hepkit::app {

namespace {

// Directories nested deeper than this are not listed (a key pointing back at an ancestor would
// otherwise recurse without end; RootFile also refuses such chains).
constexpr int kMaxDepth = 32;

bool is_tree_class(const std::string& c) {
    return c == "TTree" || c == "TNtuple" || c == "TNtupleD";
}

bool is_rntuple_class(const std::string& c) {
    return c == "ROOT::RNTuple" || c == "ROOT::Experimental::RNTuple";
}

std::string bytes_text(std::int64_t n) {
    if (n < 10'000)
        return fmt::format("{} B", n);
    if (n < 10'000'000)
        return fmt::format("{:.1f} kB", static_cast<double>(n) / 1e3);
    return fmt::format("{:.1f} MB", static_cast<double>(n) / 1e6);
}

void print_tree(const io::RootFile& file, const std::string& path, const std::string& indent, bool branches) {
    const io::Tree tree(file, path);
    const auto clusters = tree.clusters();
    fmt::print("{}  {} entries, {} branches, {} clusters, {} compressed / {} uncompressed\n", indent,
               tree.entries(), tree.branches().size(), clusters.size(), bytes_text(tree.compressed_bytes()),
               bytes_text(tree.uncompressed_bytes()));
    if (!branches)
        return;
    std::size_t width = 0, type_width = 0;
    // Columns as wide as the longest name and type, up to a limit (NanoAOD's trigger names reach
    // 80 characters; longer ones just push their line's sizes to the right).
    for (const auto& b : tree.branches()) {
        width =
            std::min<std::size_t>(std::max(width, b.name.size() + 2 * static_cast<std::size_t>(b.depth)), 36);
        type_width = std::min<std::size_t>(std::max(type_width, b.type_name.size()), 24);
    }
    for (const auto& b : tree.branches()) {
        const std::string name = std::string(2 * static_cast<std::size_t>(b.depth), ' ') + b.name;
        std::string extra;
        if (!b.readable)
            extra = " (not read: " + b.unreadable_reason + ")";
        else if (b.range)
            extra = fmt::format(" (range [{}, {}], {} bits)", b.range->min, b.range->max, b.range->nbits);
        fmt::print("{}    {:<{}}  {:<{}}  {:<10}  {:>9} / {:>9}{}\n", indent, name, width, b.type_name,
                   type_width, b.root_type, bytes_text(b.compressed_bytes), bytes_text(b.uncompressed_bytes),
                   extra);
    }
}

std::string join(const std::vector<std::string>& parts) {
    std::string s;
    for (const auto& p : parts) {
        if (!s.empty())
            s.append(",");
        s.append(p);
    }
    return s;
}

// An RNTuple as a tree: entries, clusters, sizes, then every top-level field with its C++ type,
// the column types backing it and its pages' stored / decompressed bytes.
void print_rntuple(const io::RootFile& file, const std::string& path, const std::string& indent,
                   bool fields) {
    const io::RNTuple nt(file, path);
    const auto all = nt.fields();
    std::uint64_t compressed = 0, uncompressed = 0;
    for (const auto& f : all) {
        if (f.projected) // its pages are another field's, counted there
            continue;
        compressed += f.compressed_bytes;
        uncompressed += f.uncompressed_bytes;
    }
    fmt::print("{}  {} entries, {} fields, {} clusters, {} compressed / {} uncompressed (RNTuple {}, {})\n",
               indent, nt.entries(), all.size(), nt.clusters(),
               bytes_text(static_cast<std::int64_t>(compressed)),
               bytes_text(static_cast<std::int64_t>(uncompressed)), nt.format_version(), nt.writer());
    if (!fields)
        return;
    std::size_t width = 0, type_width = 0, column_width = 0;
    for (const auto& f : all) {
        width = std::min<std::size_t>(std::max(width, f.name.size()), 36);
        type_width = std::min<std::size_t>(std::max(type_width, f.type_name.size()), 32);
        column_width = std::min<std::size_t>(std::max(column_width, join(f.column_types).size()), 28);
    }
    for (const auto& f : all) {
        std::string extra;
        if (f.projected)
            extra = " (projected)";
        if (!f.readable)
            extra.append(fmt::format(" (not read: {})", f.why_not));
        fmt::print("{}    {:<{}}  {:<{}}  {:<{}}  {:>9} / {:>9}{}\n", indent, f.name, width, f.type_name,
                   type_width, join(f.column_types), column_width,
                   bytes_text(static_cast<std::int64_t>(f.compressed_bytes)),
                   bytes_text(static_cast<std::int64_t>(f.uncompressed_bytes)), extra);
    }
}

void list_directory(const io::RootFile& file, const std::string& dir, int depth, bool branches) {
    if (depth > kMaxDepth)
        throw InputError(file.path(), 0, dir,
                         fmt::format("directories nested deeper than {} levels", kMaxDepth));
    const std::string indent(2 * static_cast<std::size_t>(depth), ' ');
    for (const auto& key : file.keys(dir)) {
        const std::string path = dir.empty() ? key.name : dir + "/" + key.name;
        fmt::print("{}{};{}  {}  \"{}\"\n", indent, key.name, key.cycle, key.class_name, key.title);
        if (io::is_directory(key))
            list_directory(file, path, depth + 1, branches);
        else if (is_tree_class(key.class_name))
            print_tree(file, path + ";" + std::to_string(key.cycle), indent, branches);
        else if (is_rntuple_class(key.class_name))
            print_rntuple(file, path + ";" + std::to_string(key.cycle), indent, branches);
    }
}

} // namespace

std::function<int()> add_root_ls(CLI::App& root, const GlobalOptions& /*globals*/) {
    struct Options {
        std::string file;
        std::string path;
        bool no_branches = false;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = root.add_subcommand(
        "ls", "List a ROOT file: keys (name;cycle, class, title), subdirectories recursively, trees with\n"
              "their entries, clusters and sizes, and each branch with its type (float32, int32[3],\n"
              "float32[nMuon], vector<float32>, string), ROOT type and compressed / uncompressed bytes;\n"
              "RNTuples likewise, each field with its C++ type, column types and sizes.\n"
              "With PATH, only that directory, tree or RNTuple.\n"
              "Example: hepkit root ls nano.root Events");
    cmd->add_option("file", o->file, "the ROOT file")->required()->check(CLI::ExistingFile);
    cmd->add_option("path", o->path, "a directory or tree in the file (\"dir/sub\", \"Events\", \"t;2\")");
    cmd->add_flag("--no-branches", o->no_branches,
                  "list trees and RNTuples without their branches and fields");
    return [o]() {
        const io::RootFile file(o->file);
        if (o->path.empty()) {
            list_directory(file, "", 0, !o->no_branches);
            return 0;
        }
        const io::Key key = file.key(o->path);
        fmt::print("{};{}  {}  \"{}\"\n", key.name, key.cycle, key.class_name, key.title);
        if (io::is_directory(key))
            list_directory(file, o->path, 1, !o->no_branches);
        else if (is_tree_class(key.class_name))
            print_tree(file, o->path, "", !o->no_branches);
        else if (is_rntuple_class(key.class_name))
            print_rntuple(file, o->path, "", !o->no_branches);
        return 0;
    };
}

} // namespace hepkit::app
