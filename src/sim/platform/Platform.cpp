#include "hepkit/sim/platform/Platform.hpp"

#include "hepkit/core/Number.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <sstream>
#include <stdexcept>

namespace hepkit::sim {

PointIndex Platform::add_point(ZoneIndex zone, std::string id, PointKind kind, std::uint32_t ref) {
    if (sealed_)
        throw std::logic_error("Platform is sealed");
    if (point_by_name_.count(id))
        throw std::invalid_argument(
            fmt::format("name '{}' is already used by another host, router or zone", id));
    const auto p = static_cast<PointIndex>(points_.size());
    const std::uint32_t local = zone == none ? 0 : static_cast<std::uint32_t>(zones_[zone].points.size());
    points_.push_back(Point{id, kind, zone, local, ref});
    if (zone != none)
        zones_[zone].points.push_back(p);
    point_by_name_.emplace(std::move(id), p);
    return p;
}

ZoneIndex Platform::add_zone(const std::string& id, Routing routing, ZoneIndex parent) {
    if (parent == none && !zones_.empty())
        throw std::invalid_argument(fmt::format("zone '{}': a platform has exactly one root zone", id));
    if (zone_by_name_.count(id))
        throw std::invalid_argument(fmt::format("zone '{}' is declared twice", id));
    const auto z = static_cast<ZoneIndex>(zones_.size());
    Zone zone;
    zone.id = id;
    zone.routing = routing;
    zone.parent = parent;
    zones_.push_back(std::move(zone));
    zone_by_name_.emplace(id, z);
    if (parent != none) {
        if (zones_[parent].routing == Routing::star)
            throw std::invalid_argument(fmt::format("zone '{}': a cluster zone cannot contain zones", id));
        zones_[parent].recursive = true;
        // SimGrid gives zones and hosts one namespace of netpoints; keep that (names must differ).
        zones_[z].point = add_point(parent, id, PointKind::zone, z);
    }
    return z;
}

HostIndex Platform::add_host(ZoneIndex zone, HostSpec spec) {
    if (spec.gpus.empty()) {
        try {
            spec.gpus = gpus_from_props(spec.props, spec.power_idle, spec.power_max);
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(fmt::format("host '{}': {}", spec.id, e.what()));
        }
    }
    for (const auto& g : spec.gpus)
        try {
            check_gpu_spec(g);
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(fmt::format("host '{}': {}", spec.id, e.what()));
        }
    if (!(spec.power_idle >= 0 && spec.power_max >= spec.power_idle))
        throw std::invalid_argument(fmt::format("host '{}': power idle {} W, max {} W: need 0 <= idle <= max",
                                                spec.id, spec.power_idle, spec.power_max));
    if (!(spec.speed > 0))
        throw std::invalid_argument(fmt::format("host '{}': speed must be > 0", spec.id));
    if (spec.cores <= 0)
        throw std::invalid_argument(fmt::format("host '{}': core count {} must be > 0", spec.id, spec.cores));
    const auto h = static_cast<HostIndex>(hosts_.size());
    const PointIndex p = add_point(zone, spec.id, PointKind::host, h);
    hosts_.push_back(HostEntry{std::move(spec), p});
    return h;
}

PointIndex Platform::add_router(ZoneIndex zone, const std::string& id) {
    return add_point(zone, id, PointKind::router, none);
}

LinkIndex Platform::add_link(LinkSpec spec) {
    if (sealed_)
        throw std::logic_error("Platform is sealed");
    if (!(spec.bandwidth > 0))
        throw std::invalid_argument(fmt::format("link '{}': bandwidth must be > 0", spec.id));
    if (!(spec.latency >= 0))
        throw std::invalid_argument(fmt::format("link '{}': latency must be >= 0", spec.id));
    if (link_by_name_.count(spec.id))
        throw std::invalid_argument(fmt::format("link '{}' is declared twice", spec.id));
    const auto l = static_cast<LinkIndex>(links_.size());
    link_by_name_.emplace(spec.id, l);
    links_.push_back(std::move(spec));
    split_.push_back(0);
    return l;
}

LinkIndex Platform::add_split_duplex_link(LinkSpec spec) {
    if (link_by_name_.count(spec.id))
        throw std::invalid_argument(fmt::format("link '{}' is declared twice", spec.id));
    LinkSpec up = spec;
    up.id = spec.id + "_UP";
    LinkSpec down = spec;
    down.id = spec.id + "_DOWN";
    const LinkIndex u = add_link(std::move(up));
    add_link(std::move(down));
    split_[u] = 1;
    split_[u + 1] = 2;
    // The bare name refers to the pair, for link_ctn with a direction.
    link_by_name_.emplace(spec.id, u);
    return u;
}

void Platform::set_link_bandwidth(LinkIndex l, double bandwidth) {
    if (!(bandwidth > 0) || !std::isfinite(bandwidth))
        throw std::invalid_argument(fmt::format("link '{}': bandwidth must be > 0", links_[l].id));
    links_[l].bandwidth = bandwidth;
}

void Platform::set_host_speed(HostIndex h, double speed) {
    if (!(speed > 0) || !std::isfinite(speed))
        throw std::invalid_argument(fmt::format("host '{}': speed must be > 0", hosts_[h].spec.id));
    hosts_[h].spec.speed = speed;
}

LinkIndex Platform::reverse_link(LinkIndex l) const {
    if (split_[l] == 1)
        return l + 1;
    if (split_[l] == 2)
        return l - 1;
    return l;
}

std::vector<LinkIndex> Platform::resolve_links(const std::vector<LinkRef>& refs, bool reverse) const {
    std::vector<LinkIndex> out;
    out.reserve(refs.size());
    for (const LinkRef& ref : refs) {
        auto it = link_by_name_.find(ref.id);
        if (it == link_by_name_.end())
            throw std::invalid_argument(fmt::format("unknown link '{}'", ref.id));
        LinkIndex l = it->second;
        const bool pair = split_[l] == 1 && links_[l].id != ref.id;
        if (pair) {
            if (ref.direction == LinkRef::Direction::none)
                throw std::invalid_argument(fmt::format(
                    "link '{}' is SPLITDUPLEX: its use in a route needs direction=\"UP\" or \"DOWN\"",
                    ref.id));
            if (ref.direction == LinkRef::Direction::down)
                l += 1;
        } else if (ref.direction != LinkRef::Direction::none && split_[l] == 0) {
            // SimGrid ignores a direction on a plain link; so do we.
        }
        out.push_back(reverse ? reverse_link(l) : l);
    }
    if (reverse)
        std::reverse(out.begin(), out.end());
    return out;
}

void Platform::add_route(ZoneIndex zone, PointIndex src, PointIndex dst, std::optional<PointIndex> gw_src,
                         std::optional<PointIndex> gw_dst, const std::vector<LinkRef>& refs,
                         bool symmetrical) {
    Zone& z = zones_[zone];
    if (z.routing == Routing::star)
        throw std::invalid_argument("routes cannot be declared inside a cluster zone");
    if (points_[src].zone != zone || points_[dst].zone != zone)
        throw std::invalid_argument(
            fmt::format("route from '{}' to '{}': both ends must be directly in zone '{}'", points_[src].id,
                        points_[dst].id, z.id));
    const bool zone_route = points_[src].kind == PointKind::zone || points_[dst].kind == PointKind::zone;
    if (zone_route && (!gw_src || !gw_dst))
        throw std::invalid_argument(
            fmt::format("route from '{}' to '{}' joins zones: gw_src and gw_dst are required",
                        points_[src].id, points_[dst].id));
    LocalRoute fwd;
    fwd.links = resolve_links(refs, false);
    fwd.gw_src = gw_src.value_or(none);
    fwd.gw_dst = gw_dst.value_or(none);
    const auto k = key(z, points_[src].local, points_[dst].local);
    if (z.table.count(k))
        throw std::invalid_argument(
            fmt::format("the route from '{}' to '{}' already exists (routes are symmetrical by default)",
                        points_[src].id, points_[dst].id));
    z.table.emplace(k, std::move(fwd));
    if (symmetrical && src != dst) {
        LocalRoute back;
        back.links = resolve_links(refs, true);
        back.gw_src = gw_dst.value_or(none);
        back.gw_dst = gw_src.value_or(none);
        const auto kb = key(z, points_[dst].local, points_[src].local);
        if (z.table.count(kb))
            throw std::invalid_argument(
                fmt::format("the route from '{}' to '{}' already exists; do not declare "
                            "the reverse of a symmetrical route",
                            points_[dst].id, points_[src].id));
        z.table.emplace(kb, std::move(back));
    }
}

void Platform::set_star_links(ZoneIndex zone, PointIndex member, std::vector<LinkIndex> up,
                              std::vector<LinkIndex> down, std::optional<LinkIndex> loopback) {
    Zone& z = zones_[zone];
    if (z.routing != Routing::star)
        throw std::logic_error("set_star_links on a zone that is not a star");
    const std::uint32_t local = points_[member].local;
    if (z.star.size() <= local)
        z.star.resize(local + 1);
    z.star[local] = StarEntry{std::move(up), std::move(down), loopback, true};
}

void Platform::floyd(Zone& z) {
    // All-pairs shortest paths in number of links, iterated in the same order as SimGrid's
    // FloydZone::do_seal so that ties between equally short paths resolve the same way.
    const std::size_t n = z.points.size();
    constexpr std::uint64_t inf = ~std::uint64_t{0};
    std::vector<std::uint64_t> cost(n * n, inf);
    z.pred.assign(n * n, none);
    for (const auto& [k, r] : z.table) {
        const auto src = static_cast<std::uint32_t>(k >> 32);
        const auto dst = static_cast<std::uint32_t>(k & 0xffffffffu);
        cost[src * n + dst] = r.links.size();
        z.pred[src * n + dst] = src;
    }
    for (std::size_t c = 0; c < n; ++c)
        for (std::size_t a = 0; a < n; ++a) {
            if (cost[a * n + c] == inf)
                continue;
            for (std::size_t b = 0; b < n; ++b) {
                if (cost[c * n + b] == inf)
                    continue;
                const std::uint64_t through = cost[a * n + c] + cost[c * n + b];
                if (cost[a * n + b] == inf || through < cost[a * n + b]) {
                    cost[a * n + b] = through;
                    z.pred[a * n + b] = z.pred[c * n + b];
                }
            }
        }
}

void Platform::seal() {
    if (sealed_)
        return;
    if (zones_.empty())
        throw std::invalid_argument("the platform has no zone");
    LinkSpec lo;
    lo.id = "__loopback__";
    lo.bandwidth = config_.loopback_bandwidth;
    lo.latency = config_.loopback_latency;
    lo.sharing = LinkSharing::fatpipe;
    loopback_ = add_link(std::move(lo));
    for (Zone& z : zones_) {
        // SimGrid adds the model's loopback to every netpoint of a zone without child zones.
        if (z.routing != Routing::star && !z.recursive)
            for (std::uint32_t i = 0; i < z.points.size(); ++i) {
                const auto k = key(z, i, i);
                if (!z.table.count(k))
                    z.table.emplace(k, LocalRoute{{loopback_}, none, none});
            }
        if (z.routing == Routing::floyd)
            floyd(z);
    }
    sealed_ = true;
}

std::optional<HostIndex> Platform::find_host(const std::string& id) const {
    auto it = point_by_name_.find(id);
    if (it == point_by_name_.end() || points_[it->second].kind != PointKind::host)
        return std::nullopt;
    return points_[it->second].ref;
}

std::optional<LinkIndex> Platform::find_link(const std::string& id) const {
    auto it = link_by_name_.find(id);
    return it == link_by_name_.end() ? std::nullopt : std::optional<LinkIndex>(it->second);
}

std::optional<PointIndex> Platform::find_point(const std::string& id) const {
    auto it = point_by_name_.find(id);
    return it == point_by_name_.end() ? std::nullopt : std::optional<PointIndex>(it->second);
}

std::optional<ZoneIndex> Platform::find_zone(const std::string& id) const {
    auto it = zone_by_name_.find(id);
    return it == zone_by_name_.end() ? std::nullopt : std::optional<ZoneIndex>(it->second);
}

void Platform::local_route(ZoneIndex zi, PointIndex src, PointIndex dst, std::vector<LinkIndex>& links,
                           PointIndex& gw_src, PointIndex& gw_dst) const {
    const Zone& z = zones_[zi];
    const std::uint32_t s = points_[src].local;
    const std::uint32_t d = points_[dst].local;
    auto no_route = [&]() {
        return std::invalid_argument(
            fmt::format("no route from '{}' to '{}' in zone '{}'", points_[src].id, points_[dst].id, z.id));
    };
    switch (z.routing) {
    case Routing::full: {
        auto it = z.table.find(key(z, s, d));
        if (it == z.table.end())
            throw no_route();
        links.insert(links.end(), it->second.links.begin(), it->second.links.end());
        gw_src = it->second.gw_src;
        gw_dst = it->second.gw_dst;
        return;
    }
    case Routing::floyd: {
        const std::size_t n = z.points.size();
        std::vector<const LocalRoute*> stack;
        std::uint32_t cur = d;
        do {
            const std::uint32_t p = z.pred[s * n + cur];
            if (p == none)
                throw no_route();
            stack.push_back(&z.table.at(key(z, p, cur)));
            cur = p;
        } while (cur != s);
        if (z.recursive) {
            gw_src = stack.back()->gw_src;
            gw_dst = stack.front()->gw_dst;
        }
        PointIndex prev_gw = none;
        while (!stack.empty()) {
            const LocalRoute* hop = stack.back();
            stack.pop_back();
            if (z.recursive && prev_gw != none && prev_gw != hop->gw_src)
                global_route(prev_gw, hop->gw_src, links);
            links.insert(links.end(), hop->links.begin(), hop->links.end());
            prev_gw = hop->gw_dst;
        }
        return;
    }
    case Routing::star: {
        const StarEntry* se = s < z.star.size() && z.star[s].set ? &z.star[s] : nullptr;
        const StarEntry* de = d < z.star.size() && z.star[d].set ? &z.star[d] : nullptr;
        if (!se || !de)
            throw no_route();
        if (src == dst && se->loopback) {
            links.push_back(*se->loopback);
            return;
        }
        // A link shared by the way up and the way down (a backbone) is counted once.
        const std::size_t first = links.size();
        auto add = [&](const std::vector<LinkIndex>& ls) {
            for (LinkIndex l : ls)
                if (std::find(links.begin() + static_cast<std::ptrdiff_t>(first), links.end(), l) ==
                    links.end())
                    links.push_back(l);
        };
        add(se->up);
        add(de->down);
        return;
    }
    }
}

void Platform::global_route(PointIndex src, PointIndex dst, std::vector<LinkIndex>& links) const {
    // Lowest common zone of the two netpoints, and the children of it that contain each — found
    // by depth, without lists of the zones above each (the features of a surrogate compute
    // routes for every worker and storage: allocations were most of their time). Both move up to
    // the shallower one's depth; equal there, that zone is where both lie (or one lies inside a
    // child zone of the other's: an error below); else up together until their parents agree.
    const auto depth = [&](ZoneIndex z) {
        std::size_t d = 0;
        for (; zones_[z].parent != none; z = zones_[z].parent)
            ++d;
        return d;
    };
    ZoneIndex src_anc = points_[src].zone, dst_anc = points_[dst].zone;
    std::size_t ds = depth(src_anc), dd = depth(dst_anc);
    for (; ds > dd; --ds)
        src_anc = zones_[src_anc].parent;
    for (; dd > ds; --dd)
        dst_anc = zones_[dst_anc].parent;
    if (src_anc == dst_anc) {
        if (points_[src].zone != src_anc || points_[dst].zone != src_anc)
            throw std::invalid_argument(
                fmt::format("no route from '{}' to '{}': one is inside a child zone of the other's zone '{}'",
                            points_[src].id, points_[dst].id, zones_[src_anc].id));
        PointIndex gw_src = none, gw_dst = none;
        local_route(src_anc, src, dst, links, gw_src, gw_dst);
        return;
    }
    while (zones_[src_anc].parent != zones_[dst_anc].parent) {
        src_anc = zones_[src_anc].parent;
        dst_anc = zones_[dst_anc].parent;
    }
    const ZoneIndex common = zones_[src_anc].parent;
    if (common == none)
        throw std::invalid_argument(fmt::format("no route from '{}' to '{}': their zones have no common zone",
                                                points_[src].id, points_[dst].id));
    // The zone route's links are appended first and the source side's, computed after them
    // (from the zone route's gateway), rotated in front: one vector, no temporary route.
    const std::size_t at = links.size();
    PointIndex gw_src = none, gw_dst = none;
    local_route(common, zones_[src_anc].point, zones_[dst_anc].point, links, gw_src, gw_dst);
    if (gw_src == none || gw_dst == none)
        throw std::invalid_argument(fmt::format("route from zone '{}' to zone '{}' has no gateways",
                                                zones_[src_anc].id, zones_[dst_anc].id));
    // A gateway outside its side's zone would send the route back to the same zone route without
    // end (the fuzzer's stack overflow: gw_dst inside the source zone): each side's route must stay
    // inside that side's zone, which is also what SimGrid requires of a zoneRoute's gateways.
    const auto inside = [&](PointIndex p, ZoneIndex zone) {
        for (ZoneIndex z = points_[p].zone; z != none; z = zones_[z].parent)
            if (z == zone)
                return true;
        return false;
    };
    if (!inside(gw_src, src_anc) || !inside(gw_dst, dst_anc))
        throw std::invalid_argument(fmt::format("route from zone '{}' to zone '{}': gateway '{}' must lie in "
                                                "zone '{}' and gateway '{}' in zone '{}'",
                                                zones_[src_anc].id, zones_[dst_anc].id, points_[gw_src].id,
                                                zones_[src_anc].id, points_[gw_dst].id, zones_[dst_anc].id));
    if (src != gw_src) {
        const std::size_t zone_links = links.size() - at;
        global_route(src, gw_src, links);
        std::rotate(links.begin() + static_cast<std::ptrdiff_t>(at),
                    links.begin() + static_cast<std::ptrdiff_t>(at + zone_links), links.end());
    }
    if (gw_dst != dst)
        global_route(gw_dst, dst, links);
}

Route Platform::route(HostIndex src, HostIndex dst) const {
    if (!sealed_)
        throw std::logic_error("Platform::route before seal()");
    Route out;
    out.links.reserve(8);
    global_route(hosts_[src].point, hosts_[dst].point, out.links);
    for (LinkIndex l : out.links)
        out.latency += links_[l].latency;
    return out;
}

namespace {

// Documented ranges (docs/formats.md): wide enough for any calibration, narrow enough that a
// transfer's duration stays a finite, representable time (a bandwidth factor of 1e-300 would
// turn a byte into 1e300 s).
struct Range {
    const char* key;
    double min, max;
};
constexpr Range ranges[] = {{"network/bandwidth-factor", 1e-6, 1e6},
                            {"network/latency-factor", 0, 1e6},
                            {"network/weight-S", 0, 1e15},
                            {"network/TCP-gamma", 0, 1e15}};

} // namespace

double check_network_setting(const std::string& key, const std::string& value) {
    for (const Range& r : ranges)
        if (key == r.key) {
            const auto v = parse_finite(value);
            if (!v)
                throw std::invalid_argument(describe_bad_number(value));
            if (!(*v >= r.min && *v <= r.max))
                throw std::invalid_argument(
                    fmt::format("{:g} is out of range: allowed {:g} to {:g}", *v, r.min, r.max));
            return *v;
        }
    throw std::invalid_argument(fmt::format("'{}' is not a numeric network setting", shorten(key)));
}

bool host_has_role(const Platform& platform, HostIndex h, const std::string& role) {
    const auto& props = platform.host(h).props;
    auto it = props.find("type");
    if (it == props.end())
        return false;
    std::stringstream ss(it->second);
    std::string part;
    while (std::getline(ss, part, ','))
        if (part == role)
            return true;
    return false;
}

} // namespace hepkit::sim
