// `hepkit events hist FILE... --tree T --expr EXPR [--cut C] [--weight W] --bins N,LO,HI --json OUT`:
// a quick weighted histogram of an expression over a chain of trees, like ROOT's TTree::Draw
// (issue 15; docs/events-outputs.md). It is the histogram consumer of `hepkit events run`
// (events::HistogramConsumer) driven over the chain's clusters: only the branches the expressions
// name are read, cluster by cluster, on -j threads; the clusters' histograms are added in entry
// order, so the output does not depend on the thread count.

#include "CliChecks.hpp"
#include "EventsCommands.hpp"
#include "RootTreeOptions.hpp"
#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/ThreadPool.hpp"
#include "hepkit/events/Consumers.hpp"
#include "hepkit/io/TreeChain.hpp"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <memory>
#include <nlohmann/json.hpp>

namespace hepkit::app {

namespace {

// A fixed-size array branch (`x[3]`) as a jagged product of 3 values per event: the products of
// hepkit events are flat or jagged.
void fixed_to_jagged(io::Column& c) {
    if (c.jagged() || c.width <= 1)
        return;
    const std::size_t n = c.entries();
    c.offsets.resize(n + 1);
    for (std::size_t i = 0; i <= n; ++i)
        c.offsets[i] = static_cast<std::int64_t>(i * c.width);
    c.width = 1;
}

} // namespace

std::function<int()> add_events_hist(CLI::App& events, const GlobalOptions& globals) {
    struct Options {
        std::vector<std::string> files;
        std::string tree = "Events";
        std::string expr, cut, weight, bins, edges, entries, json, root, title;
        int threads = 0;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = events.add_subcommand(
        "hist",
        "A weighted histogram of an expression over the entries of a tree in one or more ROOT files\n"
        "(like TTree::Draw), written as JSON ({\"edges\", \"counts\", \"sumw2\", \"underflow\",\n"
        "\"overflow\", \"entries\"}) that hepkit fit reads as a histogram dataset (file: OUT.json).\n"
        "A jagged expression (Muon_pt) fills once per element; a jagged cut selects elements\n"
        "(abs(Jet_eta) < 2.4 with Jet_pt), a per-event cut selects events; a per-event weight applies to\n"
        "each element of its event. Bins are [low, high): values equal to the upper edge and NaN go\n"
        "to the overflow (boost-histogram's rules). Expressions: docs/expressions.md.\n"
        "Example: hepkit events hist nano.root --expr Muon_pt --cut 'abs(Muon_eta) < 2.4' "
        "--bins 50,0,100 --json pt.json");
    cmd->add_option("files", o->files, "ROOT files, read as one chain")->required()->check(CLI::ExistingFile);
    cmd->add_option("--tree", o->tree, "the tree (default: Events)");
    cmd->add_option("--expr", o->expr, "the expression to fill (a branch, or e.g. 'Muon_pt[0] * 1.01')")
        ->required();
    cmd->add_option("--cut", o->cut, "selects events (one value per event) or elements (jagged)");
    cmd->add_option("--weight", o->weight, "weight per event (broadcast over elements) or per element");
    cmd->add_option("--bins", o->bins, "N,LO,HI: N equal bins on [LO, HI)");
    cmd->add_option("--edges", o->edges,
                    "variable bins: increasing edges, comma-separated (instead of --bins)");
    cmd->add_option("--entries", o->entries,
                    "entry range A:B of the chain (A included, B excluded; default: all)");
    cmd->add_option("-j,--threads", o->threads, "threads (default: HEPKIT_THREADS or all cores)")
        ->check(integer_in(1, 1024));
    cmd->add_option("--json", o->json, "output JSON file")->required();
    cmd->add_option("--root", o->root, "also write the histogram as a TH1D into this ROOT file");
    cmd->add_option("--title", o->title, "histogram title (default: the expression)");
    return [o, &globals]() {
        if (o->bins.empty() == o->edges.empty())
            throw UsageError("--bins", o->bins.empty() ? "give --bins N,LO,HI or --edges E0,E1,..."
                                                       : "give --bins or --edges, not both");
        events::HistogramConsumer::Config config;
        config.x = o->expr;
        config.cut = o->cut;
        config.weight = o->weight;
        config.title = o->title.empty() ? o->expr : o->title;
        if (!o->bins.empty()) {
            config.x_axis = events::parse_bins(o->bins, "", 0, "--bins");
        } else {
            std::vector<double> edges;
            std::size_t start = 0;
            for (;;) {
                const auto comma = o->edges.find(',', start);
                const std::string s =
                    o->edges.substr(start, comma == std::string::npos ? comma : comma - start);
                std::size_t used = 0;
                double v = 0;
                try {
                    v = std::stod(s, &used);
                } catch (const std::exception&) {
                    used = 0;
                }
                if (used == 0 || s.find_first_not_of(" \t", used) != std::string::npos)
                    throw UsageError("--edges", fmt::format("'{}' in '{}' is not a number", s, o->edges));
                edges.push_back(v);
                if (comma == std::string::npos)
                    break;
                start = comma + 1;
            }
            try {
                config.x_axis = events::Axis::variable(std::move(edges));
            } catch (const std::invalid_argument& e) {
                throw UsageError("--edges", fmt::format("'{}': {}", o->edges, e.what()));
            }
        }
        config.x_axis.set_title(o->expr);
        const std::string name = std::filesystem::path(o->json).stem().string();

        const io::TreeChain chain(o->files, o->tree);
        // every readable numeric branch is a product the expressions may name; only those they do
        // name are read
        events::Schema schema;
        for (const auto& b : chain.branches()) {
            if (!b.readable || b.type == io::ColumnType::String || schema.find(b.name))
                continue;
            schema.add({b.name, b.type, b.jagged || b.width() > 1}, "branch of the input");
        }
        events::HistogramConsumer consumer({"histogram", name, "", 0}, config);
        consumer.declare(schema);
        std::vector<std::string> branches = consumer.inputs();
        std::vector<events::ProductId> ids;
        for (const auto& b : branches)
            ids.push_back(*schema.find(b));

        const auto [begin, end] = o->entries.empty()
                                      ? std::pair<std::int64_t, std::int64_t>{0, chain.entries()}
                                      : parse_entry_range(o->entries, chain.entries());
        // the chain's clusters inside [begin, end): the unit of reading and of a thread's work
        std::vector<io::EntryRange> ranges;
        for (std::size_t f = 0; f < chain.files(); ++f) {
            const std::int64_t first = chain.first_entry(f);
            for (const auto& c : chain.tree(f).clusters()) {
                const std::int64_t a = std::max(begin, first + c.begin), b = std::min(end, first + c.end);
                if (a < b)
                    ranges.push_back({a, b});
            }
        }
        ThreadPool pool(o->threads > 0 ? static_cast<std::size_t>(o->threads) : ThreadPool::default_size());
        events::Hist total = consumer.make_hist();
        // rounds of a few clusters per thread: memory stays bounded by the clusters in flight
        const std::size_t round = 4 * pool.size();
        for (std::size_t r0 = 0; r0 < ranges.size(); r0 += round) {
            const std::size_t n = std::min(round, ranges.size() - r0);
            std::vector<events::Hist> parts(n, total);
            pool.parallel_for(n, [&](std::size_t k) {
                const auto& range = ranges[r0 + k];
                auto columns = chain.read(branches, range.begin, range.end);
                events::Batch batch(schema, range.begin, static_cast<std::size_t>(range.end - range.begin));
                for (std::size_t c = 0; c < columns.size(); ++c) {
                    fixed_to_jagged(columns[c]);
                    batch.put(ids[c], std::move(columns[c]));
                }
                consumer.fill(batch, parts[k]);
            });
            for (const auto& p : parts)
                total.add(p);
        }

        nlohmann::json doc = total.to_json();
        // provenance: what was filled from what (readers of the histogram ignore these keys)
        doc["expr"] = o->expr;
        doc["cut"] = o->cut;
        doc["weight"] = o->weight;
        doc["tree"] = o->tree;
        doc["files"] = o->files;
        doc["entries_read"] = end - begin;
        if (!o->root.empty())
            total.write_root(o->root);
        write_json_file(o->json, doc, 1);
        if (!globals.quiet) {
            const int n = total.x().size();
            fmt::print(
                "{}: {} entries from {} events of {} file(s); sum of weights {:g} in range, underflow {:g}, "
                "overflow {:g} -> {}\n",
                name, total.entries(), end - begin, o->files.size(), total.sum(false), total.at(-1).sumw,
                total.at(n).sumw, o->json);
        }
        return 0;
    };
}

} // namespace hepkit::app
