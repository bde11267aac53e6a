#include "hepkit/sim/data/CacheConfig.hpp"

namespace hepkit::sim {

void register_parameters(ParameterRegistry<CacheConfig>& r) {
    r.field("hitrate", "hitrate", "fraction",
            "input bytes of each job staged on the caches before the run (-H)", &CacheConfig::hitrate,
            Bounds::fraction());
    r.field("caching", "caching", "store missed input files in a cache (--no-caching)",
            &CacheConfig::caching);
    r.field("scope", "cache_scope", "caches a worker reads from (--cache-scope)", &CacheConfig::scope,
            cache_scopes);
    r.field("eviction", "eviction", "eviction policy of every cache (--eviction)", &CacheConfig::eviction,
            evictions);
}

void register_host_parameters(ParameterRegistry<CacheConfig>& r) {
    r.custom("size", "HOST", "B", "size of cache host HOST (default: its disk's size)", &CacheConfig::sizes,
             [](CacheConfig& c, const config::YamlView& v, const std::string& host) {
                 c.sizes[host] = v.as_quantity(units::Kind::size);
             });
}

} // namespace hepkit::sim
