#pragma once
/// @file
/// Files, their datasets and their replicas: the replica catalogue of a grid workload. Jobs name
/// their inputs by FileIndex (workload/Job.hpp); caches and the routers read sizes and replicas here.

#include "hepkit/sim/platform/Platform.hpp"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace hepkit::sim {

using FileIndex = std::uint32_t;

/// A file: 16 bytes, so that workloads of 10^7 files fit in memory. Its name is derived from
/// its dataset (DCSim's `infile_<dataset>_<n>`) unless it was given one (job lists).
struct FileSpec {
    double size = 0;           ///< bytes
    std::uint32_t dataset = 0; ///< index in FileCatalog::datasets
    std::uint32_t ordinal = 0; ///< position in its dataset
};

struct DatasetSpec {
    std::string name;                 ///< empty for the anonymous datasets that hold job-list files
    std::vector<HostIndex> locations; ///< storage hosts holding every file of the dataset
    std::vector<FileIndex> files;
};

/// Every file of a workload, the datasets they belong to and the storage hosts that hold each
/// dataset's initial replicas.
struct FileCatalog {
    std::vector<FileSpec> files;
    std::vector<DatasetSpec> datasets;

    /// Adds a file to dataset `dataset`.
    FileIndex add_dataset_file(std::uint32_t dataset, double size);
    /// Adds a named file held by `locations` (kept in an anonymous dataset per location set).
    FileIndex add_file(std::string name, double size, const std::vector<HostIndex>& locations);
    /// Storage hosts holding the file's initial replicas.
    const std::vector<HostIndex>& replicas(FileIndex f) const { return datasets[files[f].dataset].locations; }
    std::string file_name(FileIndex f) const;

  private:
    std::unordered_map<FileIndex, std::string> names_;
};

} // namespace hepkit::sim
