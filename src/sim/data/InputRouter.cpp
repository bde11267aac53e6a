#include "hepkit/sim/data/InputRouter.hpp"

#include "hepkit/core/Random.hpp"

#include <fmt/format.h>
#include <stdexcept>

namespace hepkit::sim {

bool in_cache_scope(const Platform& p, CacheScope scope, HostIndex worker, HostIndex cache) {
    const ZoneIndex wz = p.host_zone(worker), cz = p.host_zone(cache);
    switch (scope) {
    case CacheScope::local:
        return cache == worker;
    case CacheScope::network:
        return cz == wz;
    case CacheScope::sibling_network:
        return cz == wz || p.zone_parent(cz) == p.zone_parent(wz);
    }
    return false;
}

InputRouter::InputRouter(const Platform& p, const FileCatalog& files, const std::vector<HostIndex>& workers,
                         const Config& config, std::uint64_t seed)
    : files_(files), caching_(config.caching), hitrate_(config.hitrate),
      rng_(RandomStreams(seed).stream("cache-placement")) {
    for (const auto& [name, size] : config.sizes) {
        auto h = p.find_host(name);
        if (!h || !host_has_role(p, *h, "cache"))
            throw std::invalid_argument(
                fmt::format("cache size given for '{}', which is not a cache host", name));
        if (p.host(*h).disks.empty() || (p.host(*h).disks[0].size > 0 && size > p.host(*h).disks[0].size))
            throw std::invalid_argument(
                fmt::format("cache '{}' of {:.4g} B is larger than its disk ({:.4g} B)", name, size,
                            p.host(*h).disks.empty() ? 0.0 : p.host(*h).disks[0].size));
    }
    for (HostIndex h = 0; h < p.host_count(); ++h) {
        if (!host_has_role(p, h, "cache"))
            continue;
        const auto& disks = p.host(h).disks;
        if (disks.empty())
            throw std::invalid_argument(fmt::format("cache host '{}' has no disk", p.host(h).id));
        double size = disks[0].size > 0 ? disks[0].size : 1e18;
        if (auto it = config.sizes.find(p.host(h).id); it != config.sizes.end())
            size = it->second;
        caches_.emplace_back(h, 0, size, config.eviction);
    }
    for (HostIndex w : workers) {
        std::vector<std::size_t> scope;
        for (std::size_t c = 0; c < caches_.size(); ++c)
            if (in_cache_scope(p, config.scope, w, caches_[c].host()))
                scope.push_back(c);
        in_scope_.push_back(std::move(scope));
    }
}

void InputRouter::stage(std::span<const FileIndex> inputs) {
    if (!(hitrate_ > 0) || caches_.empty())
        return;
    double total = 0, cached = 0;
    for (FileIndex f : inputs)
        total += files_.files[f].size;
    for (FileIndex f : inputs) {
        if (!(cached < hitrate_ * total))
            break;
        for (auto& c : caches_)
            c.insert(f, files_.files[f].size);
        cached += files_.files[f].size;
    }
}

void InputRouter::choose_sources(std::span<const FileIndex> inputs, std::size_t worker,
                                 std::vector<InputSource>& sources, double& bytes_from_cache,
                                 double& bytes_from_remote) {
    const auto& scope = in_scope_[worker];
    for (FileIndex f : inputs) {
        const double size = files_.files[f].size;
        bool hit = false;
        for (std::size_t c : scope)
            if (caches_[c].has(f)) {
                caches_[c].touch(f);
                sources.push_back(InputSource{caches_[c].host(), caches_[c].disk(), true});
                bytes_from_cache += size;
                hit = true;
                break;
            }
        if (hit)
            continue;
        sources.push_back(InputSource{files_.replicas(f).front(), 0, false});
        bytes_from_remote += size;
        // A miss is stored in a cache in scope; as in DCSim the copy costs no transfer time.
        if (caching_ && !scope.empty())
            caches_[scope[rng_() % scope.size()]].insert(f, size);
    }
}

void InputRouter::copies(std::span<const FileIndex> files,
                         std::vector<std::pair<HostIndex, double>>& out) const {
    for (FileIndex f : files) {
        const double size = files_.files[f].size;
        for (HostIndex h : files_.replicas(f))
            out.emplace_back(h, size);
        for (const auto& c : caches_)
            if (c.has(f))
                out.emplace_back(c.host(), size);
    }
}

} // namespace hepkit::sim
