// `hepkit events hist FILE... --tree T --expr EXPR [--cut C] [--weight W] --bins N,LO,HI --json OUT`:
// a quick weighted histogram of an expression over a chain of trees, like ROOT's TTree::Draw
// (issue 15; docs/events-outputs.md). It is the histogram consumer of `hepkit events run`
// (events::HistogramConsumer) driven over the chain's clusters: only the branches the expressions
// name are read, cluster by cluster, on -j threads; the clusters' histograms are added in entry
// order, so the output does not depend on the thread count. `--tree` names a TTree or an RNTuple
// (the class of the key in the first file decides, as for `hepkit events run`; docs/events-config.md,
// "RNTuple inputs"): an RNTuple's readable top-level fields are the products.

#include "CliChecks.hpp"
#include "EventsCommands.hpp"
#include "Progress.hpp"
#include "RootTreeOptions.hpp"
#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/ThreadPool.hpp"
#include "hepkit/events/Consumers.hpp"
#include "hepkit/events/Input.hpp"
#include "hepkit/io/RootFile.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

namespace hepkit::app {

namespace {

// `--bins N,LO,HI` or `--edges E0,E1,...` (exactly one): an axis, or a usage error naming the option.
events::Axis axis_of(const std::string& bins, const std::string& edges_text, const char* bins_opt,
                     const char* edges_opt) {
    if (bins.empty() == edges_text.empty())
        throw UsageError(bins_opt, bins.empty()
                                       ? fmt::format("give {} N,LO,HI or {} E0,E1,...", bins_opt, edges_opt)
                                       : fmt::format("give {} or {}, not both", bins_opt, edges_opt));
    if (!bins.empty()) {
        try {
            return events::parse_bins(bins, "", 0, bins_opt);
        } catch (const InputError& e) { // a command-line value: a usage error (exit 64)
            throw UsageError(bins_opt, e.message());
        }
    }
    std::vector<double> edges;
    std::size_t start = 0;
    for (;;) {
        const auto comma = edges_text.find(',', start);
        const std::string s = edges_text.substr(start, comma == std::string::npos ? comma : comma - start);
        std::size_t used = 0;
        double v = 0;
        try {
            v = std::stod(s, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == 0 || s.find_first_not_of(" \t", used) != std::string::npos)
            throw UsageError(edges_opt, fmt::format("'{}' in '{}' is not a number", s, edges_text));
        edges.push_back(v);
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    try {
        return events::Axis::variable(std::move(edges));
    } catch (const std::invalid_argument& e) {
        throw UsageError(edges_opt, fmt::format("'{}': {}", edges_text, e.what()));
    }
}

// A cluster of the input inside the asked entries: global entries [begin, end) of one file.
struct Range {
    std::size_t file;
    std::int64_t begin, end;
};

} // namespace

std::function<int()> add_events_hist(CLI::App& events, const GlobalOptions& globals) {
    struct Options {
        std::vector<std::string> files;
        std::string tree = "Events";
        std::string expr, cut, weight, bins, edges, entries, json, root, title;
        std::string y, y_bins, y_edges;
        int threads = 0;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = events.add_subcommand(
        "hist",
        "A weighted histogram of an expression over the entries of a TTree or RNTuple in one or more ROOT "
        "files\n"
        "(like TTree::Draw), written as JSON ({\"edges\", \"counts\", \"sumw2\", \"underflow\",\n"
        "\"overflow\", \"entries\"}) that hepkit fit reads as a histogram dataset (file: OUT.json);\n"
        "with --y, a 2D histogram (docs/events-outputs.md).\n"
        "A jagged expression (Muon_pt) fills once per element; a jagged cut selects elements\n"
        "(abs(Jet_eta) < 2.4 with Jet_pt), a per-event cut selects events; a per-event weight applies to\n"
        "each element of its event. Bins are [low, high): values equal to the upper edge and NaN go\n"
        "to the overflow (boost-histogram's rules). Expressions: docs/expressions.md.\n"
        "Example: hepkit events hist nano.root --expr Muon_pt --cut 'abs(Muon_eta) < 2.4' "
        "--bins 50,0,100 --json pt.json");
    cmd->add_option("files", o->files, "ROOT files, read as one chain")->required()->check(CLI::ExistingFile);
    cmd->add_option("--tree", o->tree, "the TTree or RNTuple (default: Events)");
    cmd->add_option("--expr", o->expr, "the expression to fill (a branch, or e.g. 'Muon_pt[0] * 1.01')")
        ->required();
    cmd->add_option("--cut", o->cut, "selects events (one value per event) or elements (jagged)");
    cmd->add_option("--weight", o->weight, "weight per event (broadcast over elements) or per element");
    cmd->add_option("--bins", o->bins, "N,LO,HI: N equal bins on [LO, HI)");
    cmd->add_option("--edges", o->edges,
                    "variable bins: increasing edges, comma-separated (instead of --bins)");
    cmd->add_option("--y", o->y, "2D: the expression of y (jagged or per event, broadcast as with a weight)");
    cmd->add_option("--y-bins", o->y_bins, "2D: N,LO,HI of y");
    cmd->add_option("--y-edges", o->y_edges, "2D: variable bins of y");
    cmd->add_option("--entries", o->entries,
                    "entry range A:B of the chain (A included, B excluded; default: all)");
    cmd->add_option("-j,--threads", o->threads, "threads (default: HEPKIT_THREADS or all cores)")
        ->check(integer_in(1, 1024));
    cmd->add_option("--json", o->json, "output JSON file")->required();
    cmd->add_option("--root", o->root, "also write the histogram as a TH1D (TH2D) into this ROOT file");
    cmd->add_option("--title", o->title, "histogram title (default: the expression)");
    return [o, &globals]() {
        events::HistogramConsumer::Config config;
        config.x = o->expr;
        config.cut = o->cut;
        config.weight = o->weight;
        config.title = o->title.empty() ? (o->y.empty() ? o->expr : o->y + " vs " + o->expr) : o->title;
        config.x_axis = axis_of(o->bins, o->edges, "--bins", "--edges");
        if (!o->y.empty()) {
            config.y = o->y;
            config.y_axis = axis_of(o->y_bins, o->y_edges, "--y-bins", "--y-edges");
            config.y_axis->set_title(o->y);
        } else if (!o->y_bins.empty() || !o->y_edges.empty()) {
            throw UsageError(o->y_bins.empty() ? "--y-edges" : "--y-bins", "y binning without --y");
        }
        config.x_axis.set_title(o->expr);
        const std::string name = std::filesystem::path(o->json).stem().string();

        // a chain of TTrees or of RNTuples (the runner's inputs, hepkit/events/Input.hpp)
        const std::unique_ptr<events::InputSource> input = events::open_input(o->files, o->tree, "--tree");
        // every readable numeric branch (field) is a product the expressions may name; only those
        // they do name are read
        events::Schema schema;
        for (const auto& p : input->products()) {
            if (schema.find(p.name))
                continue;
            schema.add({p.name, p.type, p.jagged || p.width > 1}, "branch of the input");
        }
        events::HistogramConsumer consumer({"histogram", name, "", 0}, config);
        consumer.declare(schema);
        std::vector<std::string> branches = consumer.inputs();
        std::vector<events::ProductId> ids;
        for (const auto& b : branches)
            ids.push_back(*schema.find(b));

        const auto [begin, end] = o->entries.empty()
                                      ? std::pair<std::int64_t, std::int64_t>{0, input->entries()}
                                      : parse_entry_range(o->entries, input->entries());
        // the chain's clusters inside [begin, end): the unit of reading and of a thread's work
        std::vector<Range> ranges;
        for (std::size_t f = 0; f < input->files(); ++f)
            for (const auto& c : input->clusters(f)) {
                const std::int64_t first = input->first_entry(f);
                const std::int64_t a = std::max(begin, first + c.begin), b = std::min(end, first + c.end);
                if (a < b)
                    ranges.push_back({f, a, b});
            }
        ThreadPool pool(o->threads > 0 ? static_cast<std::size_t>(o->threads) : ThreadPool::default_size());
        events::Hist total = consumer.make_hist();
        // rounds of a few clusters per thread: memory stays bounded by the clusters in flight
        const std::size_t round = 4 * pool.size();
        ProgressLine progress(globals.quiet);
        const auto started = std::chrono::steady_clock::now();
        for (std::size_t r0 = 0; r0 < ranges.size(); r0 += round) {
            const std::size_t n = std::min(round, ranges.size() - r0);
            std::vector<events::Hist> parts(n, consumer.make_hist()); // empty: added to total below
            pool.parallel_for(n, [&](std::size_t k) {
                const auto& range = ranges[r0 + k];
                const std::int64_t first = input->first_entry(range.file);
                auto columns = input->read(range.file, branches, range.begin - first, range.end - first);
                events::Batch batch(schema, range.begin, static_cast<std::size_t>(range.end - range.begin));
                for (std::size_t c = 0; c < columns.size(); ++c) {
                    events::to_product_shape(columns[c]);
                    batch.put(ids[c], std::move(columns[c]));
                }
                consumer.fill(batch, parts[k]);
            });
            for (const auto& p : parts)
                total.add(p);
            if (progress.due()) {
                const std::int64_t done = ranges[r0 + n - 1].end - begin, all = end - begin;
                const double s =
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
                progress.show(
                    fmt::format("{} / {} events, {:.3g} events/s", done, all, s > 0 ? done / s : 0.0));
            }
        }
        progress.finish();

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
            std::string flows;
            if (total.rank() == 1)
                flows = fmt::format(", underflow {:g}, overflow {:g}", total.at(-1).sumw,
                                    total.at(total.x().size()).sumw);
            fmt::print("{}: {} entries from {} events of {} file(s); sum of weights {:g} in range{} -> {}\n",
                       name, total.entries(), end - begin, o->files.size(), total.sum(false), flows, o->json);
        }
        return 0;
    };
}

} // namespace hepkit::app
