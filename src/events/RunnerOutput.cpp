// Runner::write and Runner::print_graph (Runner.hpp): consumers' outputs per pipeline and shift,
// cut flows and the run report as JSON; the dependency graph as text or Graphviz dot.
#include "RunnerImpl.hpp"

#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/core/Error.hpp"

#include <nlohmann/json.hpp>

#include <ostream>
#include <set>
#include <stdexcept>
#include <system_error>
#include <unistd.h>
#include <vector>

namespace hepkit::events {

namespace {

using detail::Node;
using detail::NodeKind;
using detail::Sequence;

nlohmann::json rows_json(const std::vector<CutFlowRow>& rows) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : rows)
        out.push_back({{"label", r.label}, {"events", r.events}, {"sumw", r.sumw}, {"sumw2", r.sumw2}});
    return out;
}

std::string names_of(const Schema& schema, const std::vector<ProductId>& ids) {
    std::string s;
    for (const ProductId id : ids)
        s.append(s.empty() ? "" : ", ").append(schema.info(id).name);
    return s;
}

// Graphviz: a quoted string with its quotes and backslashes escaped.
std::string quoted(const std::string& text) {
    std::string s = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\')
            s.push_back('\\');
        s.push_back(c);
    }
    s.push_back('"');
    return s;
}

} // namespace

namespace {

namespace fs = std::filesystem;

// A folder that is removed with what it holds unless kept.
struct Staging {
    fs::path path;
    ~Staging() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

// Moves every file under `staged` to the same place under `outdir`, replacing what is there. The
// targets are checked first (a folder where a file goes, a file where a folder goes), so that a
// run's outputs are all replaced or none.
void move_outputs(const fs::path& staged, const fs::path& outdir) {
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(staged))
        if (e.is_regular_file())
            files.push_back(fs::relative(e.path(), staged));
    std::error_code ec;
    for (const auto& rel : files) {
        const fs::path target = outdir / rel;
        if (fs::is_directory(target, ec))
            throw OutputError(target.string(), 0, "", "is a folder, where the run writes a file: remove it");
        for (fs::path dir = target.parent_path(); dir != outdir && !dir.empty(); dir = dir.parent_path())
            if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
                throw OutputError(dir.string(), 0, "", "is a file, where the run writes a folder: remove it");
    }
    for (const auto& rel : files) {
        const fs::path target = outdir / rel;
        fs::create_directories(target.parent_path(), ec);
        if (ec)
            throw OutputError(target.parent_path().string(), 0, "",
                              "cannot create the output folder: " + ec.message());
        fs::rename(staged / rel, target, ec);
        if (ec)
            throw OutputError(target.string(), 0, "", "cannot move the output into place: " + ec.message());
    }
}

} // namespace

// The outputs are written into a staging folder inside `outdir` and moved into place only when
// every one was written: a run that fails to write one (a full disk, a folder in the way) leaves
// the folder as it was, not a part of the outputs beside an earlier run's.
void Runner::write(const std::filesystem::path& outdir) const {
    if (!impl_->ran)
        throw std::logic_error("Runner::write: run() first");
    std::error_code ec;
    fs::create_directories(outdir, ec);
    if (ec)
        throw OutputError(outdir.string(), 0, "", "cannot create the output folder: " + ec.message());
    // named with '.' first: no pipeline may be named so (Config.cpp)
    const Staging staging{outdir / (".hepkit-writing-" + std::to_string(::getpid()))};
    fs::remove_all(staging.path, ec);
    try {
        write_into(staging.path);
    } catch (const OutputError& e) {
        // the message names the file as the user will look for it
        std::string file = e.file();
        const std::string staged = staging.path.string();
        if (file.rfind(staged, 0) == 0)
            file = outdir.string() + file.substr(staged.size());
        throw OutputError(file, e.line(), e.key(), e.message());
    }
    move_outputs(staging.path, outdir);
}

void Runner::write_into(const std::filesystem::path& outdir) const {
    const Impl& m = *impl_;
    for (std::size_t p = 1; p < m.sequences.size(); ++p) {
        const Sequence& seq = m.sequences[p];
        const auto dir = outdir / seq.name;
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        if (ec)
            throw OutputError(dir.string(), 0, "", "cannot create the output folder: " + ec.message());
        for (std::size_t i = 0; i < seq.nodes.size(); ++i) {
            const Node& node = seq.nodes[i];
            if (node.kind != NodeKind::consumer)
                continue;
            for (std::size_t v = 0; v < seq.rerun.size(); ++v) {
                // Every shift writes every output, a shared one as the nominal's: a fit finds each
                // template under each shift's name.
                const std::size_t use = seq.rerun[v][i] ? v : 0;
                const Result& r = *m.results[seq.result_base + use * seq.consumers + node.index];
                std::string stem = node.step->name();
                if (v > 0)
                    stem.append("__").append(m.shift_name(seq, v));
                r.write(dir / stem);
            }
        }
        nlohmann::json flows = nlohmann::json::object();
        for (const auto& flow : m.report.cutflows)
            if (flow.pipeline == seq.name)
                flows[flow.shift.empty() ? "nominal" : flow.shift] = rows_json(flow.rows);
        write_json_file(dir / "cutflow.json", flows);
    }
    const RunReport& r = m.report;
    nlohmann::json doc;
    doc["events"] = r.events;
    doc["batches"] = r.batches;
    doc["wall_seconds"] = r.wall_seconds;
    doc["read_seconds"] = r.read_seconds;
    doc["events_per_second"] = r.wall_seconds > 0 ? static_cast<double>(r.events) / r.wall_seconds : 0.0;
    doc["steps"] = nlohmann::json::array();
    for (const auto& s : r.steps)
        doc["steps"].push_back(
            {{"label", s.label}, {"shift", s.shift}, {"seconds", s.seconds}, {"calls", s.calls}});
    doc["cutflows"] = nlohmann::json::array();
    for (const auto& f : r.cutflows)
        doc["cutflows"].push_back(
            {{"pipeline", f.pipeline}, {"shift", f.shift}, {"rows", rows_json(f.rows)}});
    std::error_code ec;
    std::filesystem::create_directories(outdir, ec);
    if (ec)
        throw OutputError(outdir.string(), 0, "", "cannot create the output folder: " + ec.message());
    write_json_file(outdir / "report.json", doc);
}

void Runner::print_graph(std::ostream& out, bool dot) const {
    const Impl& m = *impl_;
    if (!m.prepared)
        throw std::logic_error("Runner::print_graph: prepare() first");
    const Schema& schema = m.schema;

    // Who reads each product (step labels), and which products appear at all: input branches that
    // nothing reads are only counted (a NanoAOD file has ~1500).
    std::vector<std::vector<std::string>> readers(schema.size());
    std::vector<std::uint8_t> shown(schema.size(), 0);
    for (const auto& seq : m.sequences)
        for (const auto& node : seq.nodes) {
            for (const ProductId id : node.reads) {
                readers[id].push_back(node.label);
                shown[id] = 1;
            }
            for (const ProductId id : node.makes)
                shown[id] = 1;
        }
    for (const auto& seq : m.sequences)
        if (seq.weight) {
            readers[*seq.weight].push_back("the cut flow of pipeline " + seq.name);
            shown[*seq.weight] = 1;
        }
    // Per node: the shifts it runs again under.
    auto rerun_under = [&](const Sequence& seq, std::size_t i) {
        std::vector<std::string> shifts;
        for (std::size_t v = 1; v < seq.rerun.size(); ++v)
            if (seq.rerun[v][i] && seq.nodes[i].kind != NodeKind::replacement)
                shifts.push_back(m.shift_name(seq, v));
        return shifts;
    };
    auto title = [&](const Sequence& seq) {
        return seq.name.empty() ? std::string("global part") : "pipeline " + seq.name;
    };

    if (!dot) {
        std::size_t unread = 0;
        for (ProductId id = 0; id < m.input_products; ++id)
            unread += !shown[id];
        out << "products (" << m.reads.size() << " of " << m.input_products << " input branches read, "
            << unread << " not shown; " << schema.size() - m.input_products << " made):\n";
        for (ProductId id = 0; id < schema.size(); ++id) {
            if (!shown[id])
                continue;
            out << "  " << schema.info(id).name << "  [" << describe(schema.info(id)) << "]  from "
                << schema.origin(id) << '\n';
            if (!readers[id].empty()) {
                out << "      read by:";
                for (std::size_t k = 0; k < readers[id].size(); ++k)
                    out << (k ? ", " : " ") << readers[id][k];
                out << '\n';
            }
        }
        for (const auto& seq : m.sequences) {
            out << title(seq);
            if (!seq.shifts.empty()) {
                out << " (shifts:";
                for (std::size_t k = 0; k < seq.shifts.size(); ++k)
                    out << (k ? ", " : " ") << m.shift_name(seq.shifts[k]);
                out << ")";
            }
            if (seq.weight)
                out << " (cut-flow weight: " << schema.info(*seq.weight).name << ")";
            out << ":\n";
            for (std::size_t i = 0; i < seq.nodes.size(); ++i) {
                const Node& node = seq.nodes[i];
                out << "  " << node.label;
                if (!node.reads.empty())
                    out << "\n      reads " << names_of(schema, node.reads);
                // Products read only through cuts: under a shift of them, the step computes
                // again only where a cut flips (docs/events.md, "Cuts under a shift").
                for (std::size_t k = 0; k < node.thresholds.size(); ++k)
                    if (node.thresholds[k]) {
                        out << "\n      reads " << schema.info(node.reads[k]).name << " only through cuts (";
                        for (std::size_t c = 0; c < node.thresholds[k]->size(); ++c) {
                            const expr::Threshold& t = (*node.thresholds[k])[c];
                            out << (c ? ", " : "") << expr::op_text(t.op) << " " << t.value;
                        }
                        out << "): under a shift of it, computed again where one flips";
                    }
                if (node.kind == NodeKind::replacement)
                    out << "\n      stands in for " << schema.info(node.replaced).name << " under shift "
                        << m.shift_name(node.shift);
                else if (!node.makes.empty())
                    out << "\n      makes " << names_of(schema, node.makes);
                const auto shifts = rerun_under(seq, i);
                if (!shifts.empty()) {
                    out << "\n      runs again under";
                    for (std::size_t k = 0; k < shifts.size(); ++k)
                        out << (k ? ", " : " ") << shifts[k];
                }
                out << '\n';
            }
        }
        for (std::size_t s = 0; s < m.plan.shifts.size(); ++s) {
            out << "shift " << m.shift_name(s) << ":";
            for (const auto& r : m.plan.shifts[s].replaces)
                out << " " << r.product << " from " << r.producer->place().label() << ";";
            out << '\n';
            for (const auto& seq : m.sequences) {
                const auto it = std::find(seq.shifts.begin(), seq.shifts.end(), s);
                if (it == seq.shifts.end())
                    continue;
                const std::size_t v = static_cast<std::size_t>(it - seq.shifts.begin()) + 1;
                std::size_t runs = 0, shared = 0;
                std::string names;
                for (std::size_t i = 0; i < seq.nodes.size(); ++i) {
                    if (seq.nodes[i].kind == NodeKind::replacement)
                        continue;
                    if (seq.rerun[v][i]) {
                        ++runs;
                        names.append(names.empty() ? "" : ", ").append(seq.nodes[i].step->name());
                    } else {
                        ++shared;
                    }
                }
                out << "  " << title(seq) << ": runs again " << runs << " step" << (runs == 1 ? "" : "s")
                    << (names.empty() ? "" : " (" + names + ")") << ", shares " << shared << '\n';
            }
        }
        return;
    }

    out << "digraph hepkit_events {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n";
    for (ProductId id = 0; id < schema.size(); ++id)
        if (shown[id])
            out << "  p" << id << " [shape=ellipse, label="
                << quoted(schema.info(id).name + "\n" + describe(schema.info(id)))
                << (id < m.input_products ? ", style=filled, fillcolor=\"#e8eef8\"" : "") << "];\n";
    for (std::size_t k = 0; k < m.sequences.size(); ++k) {
        const Sequence& seq = m.sequences[k];
        out << "  subgraph cluster_" << k << " {\n    label=" << quoted(title(seq)) << ";\n";
        for (std::size_t i = 0; i < seq.nodes.size(); ++i) {
            const Node& node = seq.nodes[i];
            std::string label = node.label;
            const auto shifts = rerun_under(seq, i);
            if (!shifts.empty()) {
                label += "\nruns again under:";
                for (const auto& s : shifts)
                    label.append(" ").append(s);
            }
            const char* shape = node.kind == NodeKind::filter     ? "diamond"
                                : node.kind == NodeKind::consumer ? "box3d"
                                                                  : "box";
            out << "    s" << k << "_" << i << " [shape=" << shape << ", label=" << quoted(label)
                << (node.kind == NodeKind::replacement ? ", style=dashed" : "")
                << (!shifts.empty() ? ", color=\"#c03020\"" : "") << "];\n";
        }
        out << "  }\n";
        for (std::size_t i = 0; i < seq.nodes.size(); ++i) {
            const Node& node = seq.nodes[i];
            for (const ProductId id : node.reads)
                out << "  p" << id << " -> s" << k << "_" << i << ";\n";
            for (const ProductId id : node.makes)
                out << "  s" << k << "_" << i << " -> p" << id << ";\n";
            if (node.kind == NodeKind::replacement)
                out << "  s" << k << "_" << i << " -> p" << node.replaced
                    << " [style=dashed, label=" << quoted("replaces under " + m.shift_name(node.shift))
                    << "];\n";
        }
    }
    out << "}\n";
}

} // namespace hepkit::events
