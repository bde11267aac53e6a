// `hepkit nn taylor MODEL.pt DATA... --json OUT`: what a network learned, ranked by its Taylor
// coefficients ⟨|t_i|⟩, ⟨|t_ij|⟩, ⟨|t_ijk|⟩ over a data set (Wunsch, Friese, Wolf, Quast,
// arXiv:1803.08782; hepkit/nn/Taylor.hpp; docs/nn-taylor.md). The data is read as for training
// (hepkit::nn::read_table: ROOT, CSV or HDF5, features as columns or expressions, a cut and a
// weight); the features default to the model's input names. The ranked table goes to stdout, the
// JSON (written whole or not at all) to --json, and with --plot a bar chart drawn by
// hepkit_taylor_plot.py (next to the executable) through Debian's /usr/bin/python3.

#include "CliChecks.hpp"
#include "NnCommands.hpp"
#include "ProgramDir.hpp"
#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/Process.hpp"
#include "hepkit/nn/Dataset.hpp"
#include "hepkit/nn/Model.hpp"
#include "hepkit/nn/Taylor.hpp"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <unistd.h>

namespace hepkit::app {

namespace {

/// `a,b,max(c, d)`: split at the commas outside parentheses and brackets (a feature may be an
/// expression with a comma of its own).
std::vector<std::string> split_features(const std::string& text) {
    std::vector<std::string> out;
    std::string current;
    int depth = 0;
    for (char c : text) {
        if (c == '(' || c == '[')
            ++depth;
        else if (c == ')' || c == ']')
            --depth;
        if (c == ',' && depth == 0) {
            out.push_back(current);
            current.clear();
        } else {
            current += c;
        }
    }
    out.push_back(current);
    for (auto& f : out) {
        const auto b = f.find_first_not_of(" \t"), e = f.find_last_not_of(" \t");
        f = b == std::string::npos ? "" : f.substr(b, e - b + 1);
        if (f.empty())
            throw UsageError("--features", fmt::format("'{}' has an empty feature; give a,b,... ", text));
    }
    return out;
}

std::string plot_extension_problem(const std::string& path) {
    const auto ext = std::filesystem::path(path).extension().string();
    if (ext == ".png" || ext == ".pdf" || ext == ".svg")
        return "";
    return fmt::format("'{}': the plot's extension must be .png, .pdf or .svg", path);
}

/// Draws the ranked ⟨|t|⟩ of `json` into `plot` (through a temporary file beside it, renamed
/// when the script succeeded: no half-written plot).
void draw(const std::filesystem::path& program, const std::string& json, const std::string& plot, int top) {
    namespace fs = std::filesystem;
    std::string searched;
    const fs::path script = find_program_file(program, "hepkit_taylor_plot.py", searched);
    if (script.empty())
        throw OutputError(
            plot, 0, "--plot",
            fmt::format("the plot script hepkit_taylor_plot.py is missing: searched {}", searched));
    const fs::path target(plot);
    const fs::path tmp =
        target.parent_path() / fmt::format(".{}.tmp.{}{}", target.stem().string(),
                                           static_cast<long>(::getpid()), target.extension().string());
    ProcessResult run;
    try {
        run =
            run_process({"/usr/bin/python3", script.string(), json, tmp.string(), std::to_string(top)}, true);
    } catch (const std::runtime_error& e) {
        throw OutputError(plot, 0, "--plot",
                          fmt::format("{} (Debian: apt install python3-matplotlib)", e.what()));
    }
    std::error_code ec;
    if (!run.exited || run.exit_code != 0) {
        fs::remove(tmp, ec);
        const std::string why =
            run.exited && run.exit_code == 4
                ? "matplotlib is missing for /usr/bin/python3 (Debian: apt install "
                  "python3-matplotlib)"
                : fmt::format("the plot script {} failed: {}", script.string(), run.errors);
        throw OutputError(plot, 0, "--plot", why);
    }
    fs::rename(tmp, target, ec);
    if (ec) {
        fs::remove(tmp, ec);
        throw OutputError(plot, 0, "--plot", fmt::format("cannot write the plot: {}", ec.message()));
    }
}

} // namespace

std::function<int()> add_nn_taylor(CLI::App& nn, const GlobalOptions& globals) {
    struct Options {
        std::string model;
        std::vector<std::string> data;
        std::string tree, features, weight, cut, json, plot, convention = "derivative";
        std::size_t max_events = 0, output_node = 0, batch = 8192;
        int order = 2, threads = 0, top = 20;
        bool raw_inputs = false;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = nn.add_subcommand(
        "taylor",
        "Rank what a network learned by its Taylor coefficients (arXiv:1803.08782): the derivatives\n"
        "t_i, t_ij, t_ijk of an output with respect to the inputs, per event, averaged as <|t|> over the\n"
        "data (weighted with --weight) and ranked. Any TorchScript model taking (events, features) loads.\n"
        "Example: hepkit nn taylor model.pt test.root --tree Events --order 2 --json taylor.json "
        "--plot taylor.png");
    cmd->add_option("model", o->model, "the TorchScript model (model.pt of hepkit nn train, or any)")
        ->required();
    cmd->add_option("data", o->data, "ROOT, CSV or HDF5 files with the events, read as one chain")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("--tree", o->tree, "the TTree or RNTuple of ROOT files (default: the file's only one)");
    cmd->add_option("--features", o->features,
                    "the model's inputs in order, columns or expressions, comma-separated\n"
                    "(default: the input names recorded in the model)");
    cmd->add_option("--weight", o->weight, "weight per event (an expression; default 1)");
    cmd->add_option("--cut", o->cut, "events to use (an expression)");
    cmd->add_option("--max-events", o->max_events, "stop after this many events passing the cut (0: all)");
    cmd->add_option("--order", o->order, "highest order: 1, 2 or 3 (default 2)");
    cmd->add_option("--convention", o->convention,
                    "derivative: bare derivatives (the paper; default); taylor: divided by the factorials\n"
                    "of repeated indices (t_yy/2!, t_yyy/3!), as the group's PyTorch package reports them");
    cmd->add_option("--output-node", o->output_node, "the output column analysed (default 0)");
    cmd->add_flag("--raw-inputs", o->raw_inputs,
                  "for a model with hepkit's standardisation: derivatives with respect to the raw features\n"
                  "(default: the standardised inputs the network sees, comparable across features)");
    cmd->add_option("--batch", o->batch, "events per autograd batch (default 8192)")
        ->check(integer_in(1, 1 << 24));
    cmd->add_option("-j,--threads", o->threads, "libtorch threads (default: libtorch's choice)")
        ->check(integer_in(1, 1024));
    cmd->add_option("--json", o->json, "output JSON file (docs/nn-taylor.md)")->required();
    cmd->add_option("--plot", o->plot, "also draw the ranking as a bar chart: .png, .pdf or .svg");
    cmd->add_option("--top", o->top, "coefficients printed and drawn (default 20)")
        ->check(integer_in(1, 1000000));
    return [o, &globals]() {
        const auto program = program_dir(); // before anything could change the working directory
        if (o->order < 1 || o->order > 3)
            throw UsageError("--order",
                             fmt::format("{} is not an order this analysis has: 1, 2 or 3", o->order));
        nn::TaylorOptions options;
        options.order = o->order;
        options.convention = nn::parse_taylor_convention(o->convention);
        options.output_node = o->output_node;
        options.batch_size = o->batch;
        options.standardized = !o->raw_inputs;
        options.threads = o->threads;
        if (!o->plot.empty())
            if (const auto problem = plot_extension_problem(o->plot); !problem.empty())
                throw UsageError("--plot", problem);

        const auto model = nn::Model::load(o->model);
        nn::TableSource source;
        source.files = o->data;
        source.tree = o->tree;
        source.weight = o->weight;
        source.cut = o->cut;
        source.max_events = o->max_events;
        if (!o->features.empty()) {
            source.features = split_features(o->features);
        } else if (!model.input_names().empty()) {
            source.features = model.input_names();
        } else {
            throw UsageError("--features", fmt::format("the model {} records no input names: give its inputs "
                                                       "in order with --features a,b,...",
                                                       o->model));
        }
        const auto table = nn::read_table(source);
        const auto result = nn::taylor_coefficients(model, table, options);
        write_file_atomically(o->json, nn::to_json(result));

        if (!globals.quiet) {
            fmt::print("Taylor coefficients of output {} of {} over {} events ({}, order <= {})\n",
                       o->output_node, o->model, table.rows, nn::to_string(result.convention), result.order);
            fmt::print("{:>5}  {:<40} {:>14} {:>14}\n", "rank", "coefficient", "<|t|>", "<t>");
            const auto n =
                std::min<std::size_t>(static_cast<std::size_t>(o->top), result.coefficients.size());
            for (std::size_t r = 0; r < n; ++r) {
                const auto& c = result.coefficients[r];
                fmt::print("{:>5}  {:<40} {:>14.6g} {:>14.6g}\n", r + 1,
                           fmt::format("t({})", fmt::join(c.names, ", ")), c.mean_abs, c.mean);
            }
            fmt::print("  json                {}\n", o->json);
        }
        if (!o->plot.empty()) {
            draw(program, o->json, o->plot, o->top);
            if (!globals.quiet)
                fmt::print("  plot                {}\n", o->plot);
        }
        return 0;
    };
}

} // namespace hepkit::app
