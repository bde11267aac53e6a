#include "hepkit/sim/data/OutputRouter.hpp"

#include <fmt/format.h>
#include <limits>
#include <stdexcept>

namespace hepkit::sim {

OutputRouter::OutputRouter(const Platform& p, const FileCatalog& files, const std::vector<HostIndex>& workers,
                           const Config& config, bool outputs) {
    // Storage capacity: every initial replica must fit on its storage host's disk.
    std::unordered_map<HostIndex, double> stored;
    for (FileIndex f = 0; f < files.files.size(); ++f)
        for (HostIndex h : files.replicas(f))
            stored[h] += files.files[f].size;
    for (const auto& [h, bytes] : stored) {
        const auto& disks = p.host(h).disks;
        if (disks.empty())
            throw std::invalid_argument(
                fmt::format("storage host '{}' has no disk to hold its datasets", p.host(h).id));
        if (disks[0].size > 0 && bytes > disks[0].size)
            throw std::invalid_argument(
                fmt::format("the datasets on '{}' need {:.4g} B but its disk '{}' holds {:.4g} B",
                            p.host(h).id, bytes, disks[0].id, disks[0].size));
    }

    std::vector<HostIndex> storages;
    for (HostIndex h = 0; h < p.host_count(); ++h)
        if (host_has_role(p, h, "storage"))
            storages.push_back(h);
    HostIndex output_host = 0;
    if (!config.host.empty()) {
        auto h = p.find_host(config.host);
        if (!h || !host_has_role(p, *h, "storage"))
            throw std::invalid_argument(
                fmt::format("output storage '{}' is not a storage host", config.host));
        output_host = *h;
    } else if (!storages.empty()) {
        output_host = storages.front();
    }
    if (storages.empty() && outputs)
        throw std::invalid_argument("jobs write outputs but the platform has no storage host");
    for (HostIndex h : storages) {
        const auto& disks = p.host(h).disks;
        if (disks.empty())
            throw std::invalid_argument(fmt::format("storage host '{}' has no disk", p.host(h).id));
        const double size = disks[0].size > 0 ? disks[0].size : std::numeric_limits<double>::infinity();
        free_[h] = size - stored[h];
    }
    for (HostIndex w : workers) {
        HostIndex target = output_host;
        if (config.to_site_storage)
            for (HostIndex h : storages)
                if (p.host_zone(h) == p.host_zone(w)) {
                    target = h;
                    break;
                }
        host_of_worker_.push_back(target);
    }
}

std::optional<OutputRouter::Target> OutputRouter::reserve(std::size_t worker, double bytes) {
    const HostIndex target = host_of_worker_[worker];
    double& left = free_[target];
    if (bytes > left)
        return std::nullopt;
    left -= bytes;
    return Target{target, disk_};
}

double OutputRouter::free(HostIndex host) const {
    auto it = free_.find(host);
    return it == free_.end() ? 0.0 : it->second;
}

} // namespace hepkit::sim
