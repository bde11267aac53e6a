#include "hepkit/sim/data/FileCatalog.hpp"

#include <fmt/format.h>

namespace hepkit::sim {

FileIndex FileCatalog::add_dataset_file(std::uint32_t dataset, double size) {
    DatasetSpec& ds = datasets[dataset];
    const auto f = static_cast<FileIndex>(files.size());
    files.push_back(FileSpec{size, dataset, static_cast<std::uint32_t>(ds.files.size())});
    ds.files.push_back(f);
    return f;
}

FileIndex FileCatalog::add_file(std::string name, double size, const std::vector<HostIndex>& locations) {
    std::uint32_t ds = 0;
    for (; ds < datasets.size(); ++ds)
        if (datasets[ds].name.empty() && datasets[ds].locations == locations)
            break;
    if (ds == datasets.size())
        datasets.push_back(DatasetSpec{"", locations, {}});
    const FileIndex f = add_dataset_file(ds, size);
    names_.emplace(f, std::move(name));
    return f;
}

std::string FileCatalog::file_name(FileIndex f) const {
    auto it = names_.find(f);
    if (it != names_.end())
        return it->second;
    return fmt::format("infile_{}_{}", datasets[files[f].dataset].name, files[f].ordinal);
}

} // namespace hepkit::sim
