#pragma once
// Where a training writes its model: a staging folder inside the output directory, whose files
// replace the model's when the training ends. Why: a retraining into the directory of an older
// model left that model's extra files behind (member_4.pt of a five-network ensemble beside a
// new two-network one, a per-job model's networks beside a summary model's), and a training that
// failed or was stopped left a half-written model, or none, where the old one was.

#include <filesystem>
#include <string>

namespace hepkit::surrogate::detail {

class ModelOutput {
  public:
    /// Creates OUTPUT and its staging folder `OUTPUT/.training-PID` (OutputError where it cannot).
    /// A training stopped by a signal leaves that folder behind (beside the old model, which stays
    /// whole and loads): remove it.
    explicit ModelOutput(const std::string& output);
    /// Removes the staging folder unless committed (a failed commit keeps it: it holds the model).
    ~ModelOutput();
    ModelOutput(const ModelOutput&) = delete;
    ModelOutput& operator=(const ModelOutput&) = delete;

    /// Where the training writes its files.
    const std::filesystem::path& dir() const { return staging_; }
    /// Puts the staged files in place: the output directory's model files (surrogate.json,
    /// member_*.pt, network_*.pt) are removed first; other files there stay. Renames within one
    /// directory: no copy across file systems.
    void commit();

  private:
    std::filesystem::path output_, staging_;
    bool keep_ = false;
};

} // namespace hepkit::surrogate::detail
