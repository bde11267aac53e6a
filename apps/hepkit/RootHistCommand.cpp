// `hepkit root hist FILE NAME [--json OUT]`: one histogram of a ROOT file — its axes, contents,
// errors and statistics sums — printed as a table or written as JSON (schema: docs/root-io.md,
// "Histograms").

#include "RootCommands.hpp"
#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/io/Histogram.hpp"
#include "hepkit/io/RootFile.hpp"

#include <fmt/format.h>
#include <memory>
#include <nlohmann/json.hpp>

namespace hepkit::app {

namespace {

const char* error_mode_name(int mode) {
    static constexpr const char* names[] = {"", "s", "i", "g"};
    return names[mode];
}

nlohmann::json axis_json(const io::HistogramAxis& a) {
    nlohmann::json j;
    j["name"] = a.name;
    j["title"] = a.title;
    j["nbins"] = a.nbins;
    j["min"] = a.min;
    j["max"] = a.max;
    j["variable"] = !a.variable_edges.empty();
    j["edges"] = a.edges();
    j["labels"] = a.labels;
    return j;
}

nlohmann::json histogram_json(const std::string& file, const io::Histogram& h) {
    nlohmann::json j;
    j["file"] = file;
    j["name"] = h.name;
    j["class"] = h.class_name;
    j["title"] = h.title;
    j["dimension"] = h.dimension;
    j["profile"] = h.is_profile;
    j["axes"] = nlohmann::json::array();
    for (int d = 0; d < h.dimension; ++d)
        j["axes"].push_back(axis_json(h.axes[static_cast<std::size_t>(d)]));
    std::vector<double> values(h.ncells()), errors(h.ncells());
    for (std::size_t b = 0; b < h.ncells(); ++b) {
        values[b] = h.value(b);
        errors[b] = h.error(b);
    }
    j["contents"] = values;
    j["errors"] = errors;
    j["sumw2"] = h.is_profile || h.sumw2.empty() ? nlohmann::json(nullptr) : nlohmann::json(h.sumw2);
    j["entries"] = h.stats.entries;
    const auto& s = h.stats;
    nlohmann::json stats{
        {"tsumw", s.tsumw}, {"tsumw2", s.tsumw2}, {"tsumwx", s.tsumwx}, {"tsumwx2", s.tsumwx2}};
    if (h.dimension >= 2) {
        stats["tsumwy"] = s.tsumwy;
        stats["tsumwy2"] = s.tsumwy2;
        stats["tsumwxy"] = s.tsumwxy;
    }
    if (h.dimension == 3) {
        stats["tsumwz"] = s.tsumwz;
        stats["tsumwz2"] = s.tsumwz2;
        stats["tsumwxz"] = s.tsumwxz;
        stats["tsumwyz"] = s.tsumwyz;
    }
    j["stats"] = stats;
    if (h.is_profile) {
        const auto& p = h.profile;
        j["profile_data"] = {
            {"sumwv", h.contents},
            {"sumwv2", h.sumw2},
            {"bin_entries", p.bin_entries},
            {"bin_sumw2", p.bin_sumw2.empty() ? nlohmann::json(nullptr) : nlohmann::json(p.bin_sumw2)},
            {"error_mode", error_mode_name(p.error_mode)},
            {"min", p.min},
            {"max", p.max},
            {"tsumwv", p.tsumwv},
            {"tsumwv2", p.tsumwv2}};
    }
    return j;
}

void print_histogram(const std::string& file, const io::Histogram& h) {
    fmt::print("{} {} in {}: \"{}\"\n", h.class_name, h.name, file, h.title);
    const char* names[] = {"x", "y", "z"};
    for (int d = 0; d < h.dimension; ++d) {
        const auto& a = h.axes[static_cast<std::size_t>(d)];
        fmt::print("  {} axis: {} {} bins in [{}, {}]{}\n", names[d], a.nbins,
                   a.variable_edges.empty() ? "uniform" : "variable", a.min, a.max,
                   a.title.empty() ? "" : fmt::format(" \"{}\"", a.title));
    }
    fmt::print("  entries {}, sum of weights {}, sum of weights² {}, sum of w·x {}, sum of w·x² {}\n",
               h.stats.entries, h.stats.tsumw, h.stats.tsumw2, h.stats.tsumwx, h.stats.tsumwx2);
    if (h.dimension != 1) {
        fmt::print("  {} cells (with under/overflows); use --json OUT for the contents\n", h.ncells());
        return;
    }
    const auto& x = h.axes[0];
    fmt::print("  {:>6} {:>14} {:>14} {:>16} {:>14}\n", "bin", "low", "high",
               h.is_profile ? "mean" : "content", "error");
    for (int b = 0; b <= x.nbins + 1; ++b) {
        const std::string lo = b == 0 ? "-inf" : fmt::format("{:.6g}", x.low_edge(b));
        const std::string hi = b == x.nbins + 1 ? "inf" : fmt::format("{:.6g}", x.low_edge(b + 1));
        const auto bin = static_cast<std::size_t>(b);
        fmt::print("  {:>6} {:>14} {:>14} {:>16.8g} {:>14.6g}\n",
                   b == 0             ? std::string("under")
                   : b == x.nbins + 1 ? std::string("over")
                                      : std::to_string(b),
                   lo, hi, h.value(bin), h.error(bin));
    }
}

} // namespace

std::function<int()> add_root_hist(CLI::App& root, const GlobalOptions& globals) {
    struct Options {
        std::string file, name, json;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = root.add_subcommand(
        "hist",
        "Read a histogram (TH1, TH2, TH3 with C/S/I/L/F/D contents, TProfile, TProfile2D, TProfile3D)\n"
        "and print its axes and bins, or write them as JSON: axes with bin edges, contents and errors\n"
        "in ROOT's flat bin order (under/overflow included), entries and the statistics sums.\n"
        "Schema: docs/root-io.md, \"Histograms\".\n\n"
        "Example:\n"
        "  hepkit root hist hsimple.root hpx\n"
        "  hepkit root hist hsimple.root 'dir/hprof;1' --json hprof.json");
    cmd->add_option("FILE", o->file, "the ROOT file")->required();
    cmd->add_option("NAME", o->name, "the histogram: name, dir/name, or name;cycle")->required();
    cmd->add_option("--json", o->json,
                    "write the histogram as JSON to this file instead of printing a table");
    return [o, cmd, &globals]() {
        if (!cmd->parsed())
            return 0;
        const io::RootFile file(o->file);
        const io::Histogram h = io::read_histogram(file, o->name);
        if (o->json.empty()) {
            print_histogram(o->file, h);
            return 0;
        }
        // One line: the bin arrays would take one line per number when indented.
        write_json_file(o->json, histogram_json(o->file, h), -1);
        if (!globals.quiet)
            fmt::print("hepkit root hist: {} {} ({} cells) written to {}\n", h.class_name, o->name,
                       h.ncells(), o->json);
        return 0;
    };
}

} // namespace hepkit::app
