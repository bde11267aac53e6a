#include "hepkit/sim/storage/DiskModel.hpp"

#include <algorithm>
#include <stdexcept>

namespace hepkit::sim {

DiskModel::DiskModel(const Platform& platform, Engine& engine) : platform_(platform), engine_(engine) {
    disks_.resize(platform.host_count());
    for (HostIndex h = 0; h < platform.host_count(); ++h)
        for (const DiskSpec& d : platform.host(h).disks) {
            const ResourceId read = engine.add_resource(d.read_bw, MaxMinSolver::Sharing::shared);
            const ResourceId write = engine.add_resource(d.write_bw, MaxMinSolver::Sharing::shared);
            const ResourceId both =
                engine.add_resource(std::max(d.read_bw, d.write_bw), MaxMinSolver::Sharing::shared);
            SharingSpec r, w;
            r.elements = {{both, 1.0}, {read, 1.0}};
            w.elements = {{both, 1.0}, {write, 1.0}};
            disks_[h].push_back(DiskResources{engine.intern(r), engine.intern(w)});
        }
}

std::optional<std::size_t> DiskModel::find_disk(HostIndex host, const std::string& id) const {
    const auto& disks = platform_.host(host).disks;
    for (std::size_t i = 0; i < disks.size(); ++i)
        if (disks[i].id == id)
            return i;
    return std::nullopt;
}

const SharingSpec& DiskModel::io_sharing(HostIndex host, std::size_t disk, Op op) const {
    if (host >= disks_.size() || disk >= disks_[host].size())
        throw std::invalid_argument("DiskModel::io_sharing: no such disk");
    return engine_.spec(op == Op::read ? disks_[host][disk].read : disks_[host][disk].write);
}

ActivityId DiskModel::io(HostIndex host, std::size_t disk, double bytes, Op op) {
    if (host >= disks_.size() || disk >= disks_[host].size())
        throw std::invalid_argument("DiskModel::io: no such disk");
    const DiskResources& r = disks_[host][disk];
    return engine_.start(bytes, op == Op::read ? r.read : r.write);
}

} // namespace hepkit::sim
