#pragma once
/// @file
/// Settings of the caches of a grid run (XCache-like hosts with the `cache` role).

#include "hepkit/core/EnumTable.hpp"
#include "hepkit/core/ParameterRegistry.hpp"
#include "hepkit/sim/data/Cache.hpp"

#include <string>
#include <unordered_map>

namespace hepkit::sim {

/// Which caches a worker reads from (DCSim's --cache-scope).
enum class CacheScope {
    local,          ///< caches on the worker's own host
    network,        ///< caches in the worker's zone
    sibling_network ///< caches in the worker's zone and its sibling zones
};
inline constexpr auto cache_scopes =
    make_enum_table<CacheScope>("cache scope", {{"local", CacheScope::local},
                                                {"network", CacheScope::network},
                                                {"siblingnetwork", CacheScope::sibling_network}});

/// Parameter paths `cache.*` and `caches.HOST.size` (docs/formats.md, "Parameter paths").
struct CacheConfig {
    /// Fraction of each job's input bytes staged on the caches before the run, [0, 1] (-H).
    double hitrate = 0;
    /// Store missed input files in a cache (--no-caching turns it off).
    bool caching = true;
    /// Caches a worker reads from (--cache-scope).
    CacheScope scope = CacheScope::local;
    /// Eviction policy of every cache (--eviction).
    Eviction eviction = Eviction::lru;
    /// B per cache host; a cache host not listed uses its first disk's size.
    std::unordered_map<std::string, double> sizes;
};

/// Registers the settings of every cache (`hitrate`, `caching`, `scope`, `eviction`; a grid run
/// composes them as `cache.*`, scenario keys in `options:`).
void register_parameters(ParameterRegistry<CacheConfig>& r);
/// Registers the settings of one cache host, the `*` of the composed path (`size`: a grid run's
/// `caches.HOST.size`, scenario key `caches: {HOST: SIZE}`).
void register_host_parameters(ParameterRegistry<CacheConfig>& r);

} // namespace hepkit::sim
