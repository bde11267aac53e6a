#pragma once
/// @file
/// `hepkit events merge OUTDIR... -o MERGED`: the output folders of several `hepkit events run`
/// jobs (a job array over parts of the input file list) made into the one folder a single run
/// over all files would have written (docs/events-outputs.md):
///
/// - histograms (NAME.json with its NAME.root): bins, sums of squared weights, entries and
///   statistics sums added — exactly the single run's numbers up to the order of floating-point
///   additions; different binnings are an error;
/// - cut flows (cutflow.json) and the run report (report.json): every number added, labels checked
///   (the report's other strings are taken from the first folder);
/// - ntuples (NAME.root trees, NAME.csv, NAME.h5): rows concatenated in the order of the folders given,
///   values copied bit for bit.
///
/// Every folder must hold the same files (a missing or extra one is an error naming it). The
/// result is written into a temporary folder next to MERGED and renamed onto it at the end: an
/// error leaves nothing behind, and MERGED must not exist yet.

#include <cstdint>
#include <filesystem>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace hepkit::events {

struct MergeSummary {
    int histograms = 0;
    int cutflows = 0;
    int ntuples = 0;
    int other_json = 0;             ///< report.json and other documents of numbers
    std::int64_t rows = 0;          ///< ntuple rows written (all ntuples)
    std::vector<std::string> files; ///< the relative paths written, sorted
};

/// Merges `inputs` (at least one folder) into `output` (created; must not exist). Throws
/// hepkit::InputError naming the folder and file for missing files, mismatching histograms,
/// cut flows or ntuple columns; hepkit::UsageError when `output` exists or an input is not a
/// folder; hepkit::OutputError when the result cannot be written.
MergeSummary merge_outputs(const std::vector<std::filesystem::path>& inputs,
                           const std::filesystem::path& output);

/// Adds two JSON documents of the same shape: numbers added, strings and booleans equal (or, when
/// `lenient`, the first kept), arrays element by element, objects key by key. Throws InputError
/// naming `file` and the key path (`nominal[2].label`) where they differ. The cut flow's merge.
nlohmann::json add_json(const nlohmann::json& a, const nlohmann::json& b, const std::string& file,
                        bool lenient);

/// Concatenates CSV files with the same header line (rows in the order given). InputError naming
/// the file whose header differs.
void concatenate_csv(const std::vector<std::filesystem::path>& inputs, const std::filesystem::path& output);

/// Concatenates the ROOT files' trees (every tree of the first file, every readable branch; the
/// same trees and branches in each file), one file at a time, into `output`. Returns the entries
/// written (all trees). InputError naming the file for a missing tree or branch, a branch of
/// another type, or a branch hepkit cannot read back exactly.
std::int64_t concatenate_trees(const std::vector<std::filesystem::path>& inputs,
                               const std::filesystem::path& output);

} // namespace hepkit::events
