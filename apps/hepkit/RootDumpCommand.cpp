// `hepkit root dump FILE --tree NAME -o OUT.csv|OUT.h5`: branches of a tree, over an entry range,
// written as CSV or HDF5 by hepkit::io::write_columns (layouts in docs/root-io.md).

#include "CliChecks.hpp"
#include "RootCommands.hpp"
#include "RootTreeOptions.hpp"
#include "hepkit/core/ThreadPool.hpp"
#include "hepkit/io/ColumnFile.hpp"
#include "hepkit/io/RootFile.hpp"

#include <fmt/format.h>
#include <memory>

namespace hepkit::app {

std::function<int()> add_root_dump(CLI::App& root, const GlobalOptions& globals) {
    struct Options {
        std::string file;
        std::string tree;
        std::string branches;
        std::string entries;
        int threads = 0;
        std::string output;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = root.add_subcommand(
        "dump",
        "Write branches of a tree to CSV or HDF5 (by the extension of -o: .csv, .h5, .hdf5). CSV: one\n"
        "row per entry, a fixed array x[3] as columns x[0],x[1],x[2], a jagged branch as one cell of\n"
        "';'-joined values; HDF5: one dataset per branch, jagged ones as NAME/values + NAME/offsets.\n"
        "Branches that cannot be read are left out unless named explicitly (then an error).\n"
        "Example: hepkit root dump nano.root --tree Events --branches 'nMuon,Muon_pt' --entries 0:1000 "
        "-o muons.csv");
    cmd->add_option("file", o->file, "the ROOT file")->required()->check(CLI::ExistingFile);
    cmd->add_option("--tree", o->tree, "the tree (TTree, TNtuple): \"Events\", \"dir/t;2\"")->required();
    cmd->add_option("--branches", o->branches,
                    "comma-separated glob patterns of branch names (default: all)");
    cmd->add_option("--entries", o->entries, "entry range A:B (A included, B excluded; default: all)");
    cmd->add_option("--threads", o->threads, "decompression threads (default: HEPKIT_THREADS or all cores)")
        ->check(integer_in(1, 1024));
    cmd->add_option("-o,--output", o->output, "output file, .csv or .h5")->required();
    return [o, &globals]() {
        io::column_file_format(o->output); // a wrong extension is a usage error before any reading
        const io::RootFile file(o->file);
        const io::Tree tree(file, o->tree);
        const auto names =
            select_branches(tree, o->branches, [](const io::BranchInfo& b) { return b.readable; });
        if (names.empty())
            throw UsageError("--branches", "no readable branch selected in tree '" + tree.name() + "'");
        const auto [begin, end] = o->entries.empty()
                                      ? std::pair<std::int64_t, std::int64_t>{0, tree.entries()}
                                      : parse_entry_range(o->entries, tree.entries());
        ThreadPool pool(o->threads > 0 ? static_cast<std::size_t>(o->threads) : ThreadPool::default_size());
        const auto columns = tree.read(names, begin, end, &pool);
        io::write_columns(o->output, columns);
        if (!globals.quiet)
            fmt::print("{} branches, entries {}:{} of tree '{}' -> {}\n", names.size(), begin, end,
                       tree.name(), o->output);
        return 0;
    };
}

} // namespace hepkit::app
