// `hepkit events merge OUTDIR... -o MERGED`: the output folders of a job array of `hepkit events
// run` (one job per part of the input file list, `--emit condor|slurm`) merged into the folder one
// run over all files would have written (events::merge_outputs, Merge.hpp; docs/events-outputs.md).

#include "EventsCommands.hpp"
#include "hepkit/events/Merge.hpp"

#include <fmt/format.h>
#include <memory>

namespace hepkit::app {

std::function<int()> add_events_merge(CLI::App& events, const GlobalOptions& globals) {
    struct Options {
        std::vector<std::string> inputs;
        std::string output;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = events.add_subcommand(
        "merge",
        "Merge output folders of 'hepkit events run' (the jobs of a job array) into one: histograms\n"
        "(NAME.json and NAME.root) added bin by bin, cut flows (cutflow.json) and run reports added,\n"
        "ntuples (NAME.root trees, NAME.csv, NAME.h5) concatenated in the order of the folders given. Every\n"
        "folder must hold the same files; mismatching binnings or cut-flow labels are errors. MERGED\n"
        "must not exist; it appears whole or not at all.\n"
        "Example: hepkit events merge out/job-0 out/job-1 out/job-2 -o out/merged");
    cmd->add_option("outdirs", o->inputs, "output folders of 'hepkit events run'")->required();
    cmd->add_option("-o,--output", o->output, "the merged folder (must not exist)")->required();
    return [o, &globals]() {
        std::vector<std::filesystem::path> inputs(o->inputs.begin(), o->inputs.end());
        const auto s = events::merge_outputs(inputs, o->output);
        if (!globals.quiet)
            fmt::print("{} folders merged -> {}: {} histogram(s), {} cut flow(s), {} ntuple(s) ({} ROOT and "
                       "HDF5 rows), {} "
                       "other document(s)\n",
                       inputs.size(), o->output, s.histograms, s.cutflows, s.ntuples, s.rows, s.other_json);
        return 0;
    };
}

} // namespace hepkit::app
