#pragma once
/// @file
/// The simulated infrastructure: hosts (cores, speed, disks), links, routers and the routing
/// between them, organised in zones as in SimGrid.
///
/// Routing follows SimGrid's hierarchical model (NetZoneImpl::get_global_route): a route between
/// two hosts is found in their lowest common zone, between the child zones that contain them,
/// and completed recursively through the gateways of the zone route. Within a zone the routing
/// is `Full` (every route declared), `Floyd` (shortest paths, in number of links, over the
/// declared routes) or `Star` (what SimGrid builds for `<cluster>` and `routing="Cluster"`: each
/// member has links up to and down from a centre). A split-duplex link is two links,
/// `ID_UP` and `ID_DOWN`; a route traversed backwards uses the other direction.

#include "hepkit/sim/platform/Gpu.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace hepkit::sim {

using HostIndex = std::uint32_t;
using LinkIndex = std::uint32_t;
using ZoneIndex = std::uint32_t;
using PointIndex = std::uint32_t; ///< a netpoint: host, router or zone

enum class LinkSharing { shared, fatpipe };
enum class Routing { full, floyd, star };

struct LinkSpec {
    std::string id;
    double bandwidth = 0; ///< B/s, > 0
    double latency = 0;   ///< s, >= 0
    LinkSharing sharing = LinkSharing::shared;
};

struct DiskSpec {
    std::string id;
    double read_bw = 0;  ///< B/s, > 0
    double write_bw = 0; ///< B/s, > 0
    double size = 0;     ///< B; 0 = not given
    std::string mount;
    std::map<std::string, std::string> props;
};

struct HostSpec {
    std::string id;
    double speed = 0; ///< flop/s per core, > 0
    int cores = 1;    ///< > 0
    std::map<std::string, std::string> props;
    std::vector<DiskSpec> disks;
    std::vector<GpuSpec> gpus; ///< from `gpus:` (YAML) or the gpu_* properties (Gpu.hpp)
    double power_idle = 0;     ///< W with no load; 0 = no power model given
    double power_max = 0;      ///< W with every core busy (linear in between)
};

/// A link as it appears in a declared route, before direction is resolved.
struct LinkRef {
    std::string id;
    enum class Direction { none, up, down } direction = Direction::none;
};

/// The links between two hosts and the sum of their latencies.
struct Route {
    std::vector<LinkIndex> links;
    double latency = 0;
};

/// Network-model settings carried by a platform (SimGrid's `<config>` properties).
struct PlatformConfig {
    double loopback_bandwidth = 10e9;         ///< B/s, network/loopback-bw (SimGrid default 10 GBps)
    double loopback_latency = 0;              ///< s, network/loopback-lat
    std::map<std::string, std::string> extra; ///< other accepted `network/...` settings, by name
};

/// The value of a numeric `network/...` setting (bandwidth-factor, latency-factor, weight-S,
/// TCP-gamma), checked: finite and within its documented range (bandwidth-factor 1e-6..1e6,
/// latency-factor 0..1e6, weight-S and TCP-gamma 0..1e15). Throws std::invalid_argument saying
/// why not. Readers call it when they read the setting, so that the error names file and line.
double check_network_setting(const std::string& key, const std::string& value);

class Platform {
  public:
    static constexpr std::uint32_t none = ~std::uint32_t{0};

    // --- building (used by the importers; names must be unique per kind) --------------------
    /// @param parent `none` for the root zone (exactly one).
    ZoneIndex add_zone(const std::string& id, Routing routing, ZoneIndex parent);
    HostIndex add_host(ZoneIndex zone, HostSpec spec);
    PointIndex add_router(ZoneIndex zone, const std::string& id);
    LinkIndex add_link(LinkSpec spec);
    /// Adds `ID_UP` and `ID_DOWN`; returns the index of the UP link (DOWN is the next one).
    LinkIndex add_split_duplex_link(LinkSpec spec);
    /// Declares a route in a Full or Floyd zone between two of its netpoints (hosts, routers,
    /// or child zones with gateways). Throws std::invalid_argument with a reason.
    void add_route(ZoneIndex zone, PointIndex src, PointIndex dst, std::optional<PointIndex> gw_src,
                   std::optional<PointIndex> gw_dst, const std::vector<LinkRef>& links, bool symmetrical);
    /// Declares the up/down links of a member of a star zone (a cluster node or its router).
    void set_star_links(ZoneIndex zone, PointIndex member, std::vector<LinkIndex> up,
                        std::vector<LinkIndex> down, std::optional<LinkIndex> loopback = std::nullopt);
    /// Finishes the platform: creates the loopback link and computes Floyd tables.
    void seal();

    PlatformConfig& config() { return config_; }
    const PlatformConfig& config() const { return config_; }

    // --- queries ------------------------------------------------------------------------------
    std::size_t host_count() const { return hosts_.size(); }
    std::size_t link_count() const { return links_.size(); }
    std::size_t zone_count() const { return zones_.size(); }
    const HostSpec& host(HostIndex h) const { return hosts_[h].spec; }
    const LinkSpec& link(LinkIndex l) const { return links_[l]; }
    /// Changes a link's bandwidth (> 0) before a Simulation is built on the platform (scans).
    void set_link_bandwidth(LinkIndex l, double bandwidth);
    /// Changes a host's core speed (> 0) before a Simulation is built (virtualisation overhead).
    void set_host_speed(HostIndex h, double speed);
    std::optional<HostIndex> find_host(const std::string& id) const;
    std::optional<LinkIndex> find_link(const std::string& id) const;
    std::optional<PointIndex> find_point(const std::string& id) const;
    std::optional<ZoneIndex> find_zone(const std::string& id) const;
    const std::string& zone_name(ZoneIndex z) const { return zones_[z].id; }
    /// The zone that directly contains host `h`.
    ZoneIndex host_zone(HostIndex h) const { return points_[hosts_[h].point].zone; }
    /// Parent zone, `none` for the root.
    ZoneIndex zone_parent(ZoneIndex z) const { return zones_[z].parent; }

    /// Route from host `src` to host `dst` (src == dst gives the loopback route). Throws
    /// std::invalid_argument naming both hosts if the platform has no such route.
    Route route(HostIndex src, HostIndex dst) const;

  private:
    enum class PointKind { host, router, zone };
    struct Point {
        std::string id;
        PointKind kind;
        ZoneIndex zone;      ///< englobing zone (for a zone: its parent)
        std::uint32_t local; ///< index among the englobing zone's netpoints
        std::uint32_t ref;   ///< host index, or zone index for a zone netpoint
    };
    struct LocalRoute {
        std::vector<LinkIndex> links;
        PointIndex gw_src = none;
        PointIndex gw_dst = none;
    };
    struct StarEntry {
        std::vector<LinkIndex> up, down;
        std::optional<LinkIndex> loopback;
        bool set = false;
    };
    struct Zone {
        std::string id;
        Routing routing;
        ZoneIndex parent;
        PointIndex point = none;        ///< this zone's netpoint in its parent (none for the root)
        std::vector<PointIndex> points; ///< netpoints directly inside, in declaration order
        bool recursive = false;         ///< contains child zones
        std::unordered_map<std::uint64_t, LocalRoute> table; ///< (src local, dst local) -> route
        std::vector<std::uint32_t> pred;                     ///< Floyd predecessor matrix
        std::vector<StarEntry> star;
    };
    struct HostEntry {
        HostSpec spec;
        PointIndex point;
    };

    PointIndex add_point(ZoneIndex zone, std::string id, PointKind kind, std::uint32_t ref);
    std::vector<LinkIndex> resolve_links(const std::vector<LinkRef>& refs, bool reverse) const;
    LinkIndex reverse_link(LinkIndex l) const;
    /// Key of the route table: independent of the zone's size, which grows while it is built.
    static std::uint64_t key(const Zone&, std::uint32_t a, std::uint32_t b) {
        return (static_cast<std::uint64_t>(a) << 32) | b;
    }
    /// Appends the route within zone `z` to `links`; sets the gateways of a route between zones.
    void local_route(ZoneIndex z, PointIndex src, PointIndex dst, std::vector<LinkIndex>& links,
                     PointIndex& gw_src, PointIndex& gw_dst) const;
    void global_route(PointIndex src, PointIndex dst, std::vector<LinkIndex>& links) const;
    void floyd(Zone& z);

    PlatformConfig config_;
    std::vector<Zone> zones_;
    std::vector<Point> points_;
    std::vector<HostEntry> hosts_;
    std::vector<LinkSpec> links_;
    std::vector<std::uint8_t> split_; ///< 1 = UP half, 2 = DOWN half of a split-duplex link
    std::unordered_map<std::string, PointIndex> point_by_name_;
    std::unordered_map<std::string, LinkIndex> link_by_name_;
    std::unordered_map<std::string, ZoneIndex> zone_by_name_;
    LinkIndex loopback_ = none;
    bool sealed_ = false;
};

/// Whether host `h` has `role` among the comma-separated roles of its `type` property, as DCSim
/// reads them (`worker`, `cache`, `storage`, ...).
bool host_has_role(const Platform& platform, HostIndex h, const std::string& role);

} // namespace hepkit::sim
