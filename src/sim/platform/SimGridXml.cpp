#include "hepkit/core/Error.hpp"
#include "hepkit/core/Number.hpp"
#include "hepkit/core/Units.hpp"
#include "hepkit/sim/platform/PlatformLoader.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fstream>
#include <pugixml.hpp>
#include <sstream>

namespace hepkit::sim {
namespace {

/// Parsing state: the file, its line table and the platform being built.
class XmlReader {
  public:
    explicit XmlReader(std::string path) : path_(std::move(path)) {}
    Platform read();

  private:
    int line_of(const pugi::xml_node& n) const {
        const auto off = static_cast<std::size_t>(n.offset_debug());
        return static_cast<int>(std::upper_bound(newlines_.begin(), newlines_.end(), off) -
                                newlines_.begin()) +
               1;
    }
    [[noreturn]] void fail(const pugi::xml_node& n, const std::string& message) const {
        std::string key = fmt::format("<{}", n.name());
        if (auto id = n.attribute("id"))
            key += fmt::format(" id=\"{}\"", id.value());
        key += ">";
        throw InputError(path_, line_of(n), key, message);
    }
    std::string required(const pugi::xml_node& n, const char* attr) const {
        auto a = n.attribute(attr);
        if (!a)
            fail(n, fmt::format("missing required attribute '{}'", attr));
        return a.value();
    }
    double quantity(const pugi::xml_node& n, const char* attr, units::Kind kind,
                    const char* fallback = nullptr) const {
        auto a = n.attribute(attr);
        if (!a && !fallback)
            fail(n, fmt::format("missing required attribute '{}'", attr));
        const std::string text = a ? a.value() : fallback;
        try {
            return units::parse(text, kind);
        } catch (const std::invalid_argument& e) {
            fail(n, fmt::format("{}: {}", attr, e.what()));
        }
    }
    void check_attributes(const pugi::xml_node& n, std::initializer_list<const char*> allowed) const {
        for (auto a : n.attributes()) {
            bool ok = false;
            for (const char* name : allowed)
                ok = ok || std::string_view(a.name()) == name;
            if (!ok) {
                std::string list;
                for (const char* name : allowed)
                    list += (list.empty() ? "" : ", ") + std::string(name);
                fail(n, fmt::format("attribute '{}' is not supported here (supported: {})", a.name(), list));
            }
        }
    }
    LinkSharing sharing(const pugi::xml_node& n, const char* attr, const char* fallback, bool& split) const;
    template <typename F>
    auto guarded(const pugi::xml_node& n, F&& f) const {
        try {
            return f();
        } catch (const std::invalid_argument& e) {
            fail(n, e.what());
        }
    }

    std::map<std::string, std::string> props(const pugi::xml_node& n) const;
    void zone(const pugi::xml_node& n, ZoneIndex parent);
    void zone_children(const pugi::xml_node& n, ZoneIndex z, bool cluster_zone);
    void host(const pugi::xml_node& n, ZoneIndex z);
    void link(const pugi::xml_node& n);
    void route(const pugi::xml_node& n, ZoneIndex z, bool zone_route);
    void cluster(const pugi::xml_node& n, ZoneIndex parent);
    void config(const pugi::xml_node& n);
    PointIndex point(const pugi::xml_node& n, const char* attr) const;

    std::string path_;
    std::string text_;
    std::vector<std::size_t> newlines_;
    Platform platform_;
    // routing="Cluster" zones: host_link and backbone, turned into star links at zone end
    struct ClusterLinks {
        std::map<PointIndex, std::pair<LinkIndex, LinkIndex>> host_links;
        std::optional<LinkIndex> backbone;
    };
};

std::map<std::string, std::string> XmlReader::props(const pugi::xml_node& n) const {
    std::map<std::string, std::string> out;
    for (auto p : n.children("prop")) {
        check_attributes(p, {"id", "value"});
        out[required(p, "id")] = required(p, "value");
    }
    return out;
}

LinkSharing XmlReader::sharing(const pugi::xml_node& n, const char* attr, const char* fallback,
                               bool& split) const {
    const std::string v = n.attribute(attr) ? n.attribute(attr).value() : fallback;
    split = false;
    if (v == "SHARED")
        return LinkSharing::shared;
    if (v == "FATPIPE")
        return LinkSharing::fatpipe;
    if (v == "SPLITDUPLEX") {
        split = true;
        return LinkSharing::shared;
    }
    fail(n, fmt::format("{}=\"{}\" is not supported (allowed: SHARED, FATPIPE, SPLITDUPLEX)", attr, v));
}

void XmlReader::config(const pugi::xml_node& n) {
    check_attributes(n, {"id"});
    for (auto child : n.children()) {
        if (child.type() != pugi::node_element)
            continue;
        if (std::string_view(child.name()) != "prop")
            fail(child, "only <prop> is allowed inside <config>");
    }
    for (const auto& [key, value] : props(n)) {
        try {
            if (key == "network/loopback-bw") {
                platform_.config().loopback_bandwidth = units::parse(value, units::Kind::bandwidth);
                if (!(platform_.config().loopback_bandwidth > 0))
                    fail(n,
                         fmt::format("{} = '{}': the loopback bandwidth must be > 0", key, shorten(value)));
            } else if (key == "network/loopback-lat") {
                platform_.config().loopback_latency = units::parse(value, units::Kind::time);
            } else if (key == "network/TCP-gamma" || key == "network/bandwidth-factor" ||
                       key == "network/latency-factor" || key == "network/weight-S") {
                check_network_setting(key, value); // range errors with this file and line
                platform_.config().extra[key] = value;
            } else if (key == "network/crosstraffic")
                platform_.config().extra[key] = value;
            else
                fail(n, fmt::format("config property '{}' is not supported (supported: network/loopback-bw, "
                                    "network/loopback-lat, network/TCP-gamma, network/bandwidth-factor, "
                                    "network/latency-factor, network/weight-S, network/crosstraffic)",
                                    key));
        } catch (const std::invalid_argument& e) {
            fail(n, fmt::format("{}: {}", key, e.what()));
        }
    }
}

void XmlReader::host(const pugi::xml_node& n, ZoneIndex z) {
    check_attributes(n, {"id", "speed", "core", "pstate"});
    HostSpec h;
    h.id = required(n, "id");
    const std::string speed = required(n, "speed");
    if (speed.find(',') != std::string::npos)
        fail(n, "several speeds (pstates) are not supported: give one speed");
    h.speed = quantity(n, "speed", units::Kind::speed);
    if (auto c = n.attribute("core")) {
        const std::string text = c.value();
        char* end = nullptr;
        const long v = std::strtol(text.c_str(), &end, 10);
        if (end == text.c_str() || *end != '\0' || v <= 0 || v > 100000000)
            fail(n, fmt::format("core=\"{}\" must be an integer between 1 and 1e8", text));
        h.cores = static_cast<int>(v);
    }
    for (auto child : n.children()) {
        if (child.type() != pugi::node_element)
            continue;
        const std::string_view name = child.name();
        if (name == "prop")
            continue;
        if (name != "disk")
            fail(child, "only <prop> and <disk> are allowed inside <host>");
        check_attributes(child, {"id", "read_bw", "write_bw"});
        DiskSpec d;
        d.id = required(child, "id");
        d.read_bw = quantity(child, "read_bw", units::Kind::bandwidth);
        d.write_bw = quantity(child, "write_bw", units::Kind::bandwidth);
        if (!(d.read_bw > 0) || !(d.write_bw > 0))
            fail(child, "read_bw and write_bw must be > 0");
        d.props = props(child);
        if (auto it = d.props.find("size"); it != d.props.end()) {
            try {
                d.size = units::parse(it->second, units::Kind::size);
            } catch (const std::invalid_argument& e) {
                fail(child, fmt::format("size: {}", e.what()));
            }
        }
        if (auto it = d.props.find("mount"); it != d.props.end())
            d.mount = it->second;
        h.disks.push_back(std::move(d));
    }
    h.props = props(n);
    guarded(n, [&] { return platform_.add_host(z, std::move(h)); });
}

void XmlReader::link(const pugi::xml_node& n) {
    check_attributes(n, {"id", "bandwidth", "latency", "sharing_policy"});
    LinkSpec l;
    l.id = required(n, "id");
    l.bandwidth = quantity(n, "bandwidth", units::Kind::bandwidth);
    l.latency = quantity(n, "latency", units::Kind::time, "0s");
    if (!(l.bandwidth > 0))
        fail(n, "bandwidth must be > 0");
    bool split = false;
    l.sharing = sharing(n, "sharing_policy", "SHARED", split);
    for (auto child : n.children())
        if (child.type() == pugi::node_element && std::string_view(child.name()) != "prop")
            fail(child, "only <prop> is allowed inside <link>");
    guarded(n, [&] { return split ? platform_.add_split_duplex_link(l) : platform_.add_link(l); });
}

PointIndex XmlReader::point(const pugi::xml_node& n, const char* attr) const {
    const std::string id = required(n, attr);
    auto p = platform_.find_point(id);
    if (!p)
        fail(n, fmt::format("{}=\"{}\": no host, router or zone of that name is declared before", attr, id));
    return *p;
}

void XmlReader::route(const pugi::xml_node& n, ZoneIndex z, bool zone_route) {
    if (zone_route)
        check_attributes(n, {"src", "dst", "gw_src", "gw_dst", "symmetrical"});
    else
        check_attributes(n, {"src", "dst", "symmetrical"});
    const PointIndex src = point(n, "src");
    const PointIndex dst = point(n, "dst");
    std::optional<PointIndex> gw_src, gw_dst;
    if (zone_route) {
        gw_src = point(n, "gw_src");
        gw_dst = point(n, "gw_dst");
    }
    bool symmetrical = true;
    if (auto s = n.attribute("symmetrical")) {
        const std::string v = s.value();
        if (v == "YES" || v == "yes")
            symmetrical = true;
        else if (v == "NO" || v == "no")
            symmetrical = false;
        else
            fail(n, fmt::format("symmetrical=\"{}\" must be YES or NO", v));
    }
    std::vector<LinkRef> refs;
    for (auto child : n.children()) {
        if (child.type() != pugi::node_element)
            continue;
        if (std::string_view(child.name()) != "link_ctn")
            fail(child, "only <link_ctn> is allowed inside a route");
        check_attributes(child, {"id", "direction"});
        LinkRef ref;
        ref.id = required(child, "id");
        if (auto d = child.attribute("direction")) {
            const std::string v = d.value();
            if (v == "UP")
                ref.direction = LinkRef::Direction::up;
            else if (v == "DOWN")
                ref.direction = LinkRef::Direction::down;
            else if (v != "NONE")
                fail(child, fmt::format("direction=\"{}\" must be UP, DOWN or NONE", v));
        }
        if (!platform_.find_link(ref.id))
            fail(child,
                 fmt::format("link '{}' is not declared (declare <link> before the routes that use it)",
                             ref.id));
        refs.push_back(std::move(ref));
    }
    guarded(n, [&] {
        platform_.add_route(z, src, dst, gw_src, gw_dst, refs, symmetrical);
        return 0;
    });
}

// Hosts per <cluster> (documented in docs/formats.md): far above any site, small enough that a
// typo such as radical="0-999999999" ends in an error, not in gigabytes of hosts.
constexpr long long max_cluster_hosts = 1000000;

std::vector<int> parse_radical(const std::string& text) {
    // "0-99", "1,3,5-7": SimGrid's radical syntax.
    std::vector<int> out;
    std::stringstream ss(text);
    std::string part;
    while (std::getline(ss, part, ',')) {
        const auto dash = part.find('-');
        std::size_t used = 0;
        if (dash == std::string::npos) {
            const int v = std::stoi(part, &used);
            if (used != part.size())
                throw std::invalid_argument("bad number");
            out.push_back(v);
        } else {
            const int a = std::stoi(part.substr(0, dash), &used);
            const int b = std::stoi(part.substr(dash + 1));
            if (b < a || static_cast<long long>(b) - a >= max_cluster_hosts)
                throw std::invalid_argument("bad range");
            for (long long i = a; i <= b; ++i) // long long: ++i past INT_MAX would overflow
                out.push_back(static_cast<int>(i));
        }
        // Many ranges add up too: bound the total, not only each range (memory).
        if (out.size() > static_cast<std::size_t>(max_cluster_hosts))
            throw std::invalid_argument("too many hosts");
    }
    if (out.empty())
        throw std::invalid_argument("empty");
    return out;
}

void XmlReader::cluster(const pugi::xml_node& n, ZoneIndex parent) {
    check_attributes(n, {"id", "prefix", "suffix", "radical", "speed", "core", "bw", "lat", "sharing_policy",
                         "bb_bw", "bb_lat", "bb_sharing_policy", "router_id", "loopback_bw", "loopback_lat",
                         "limiter_link", "topology"});
    const std::string id = required(n, "id");
    if (auto t = n.attribute("topology"); t && std::string_view(t.value()) != "FLAT")
        fail(n, fmt::format("topology=\"{}\" is not supported (only FLAT)", t.value()));
    const std::string prefix = n.attribute("prefix").value();
    const std::string suffix = n.attribute("suffix").value();
    std::vector<int> radicals;
    try {
        radicals = parse_radical(required(n, "radical"));
    } catch (const std::exception&) {
        fail(n, fmt::format("radical=\"{}\" must be a list like 0-99 or 1,3,5-7, of at most {} hosts",
                            shorten(n.attribute("radical").value()), max_cluster_hosts));
    }
    const double speed = quantity(n, "speed", units::Kind::speed);
    int cores = 1;
    if (auto c = n.attribute("core")) {
        cores = c.as_int(0);
        if (cores <= 0)
            fail(n, fmt::format("core=\"{}\" must be an integer > 0", c.value()));
    }
    const double bw = quantity(n, "bw", units::Kind::bandwidth);
    const double lat = quantity(n, "lat", units::Kind::time, "0s");
    bool split = false;
    const LinkSharing policy = sharing(n, "sharing_policy", "SPLITDUPLEX", split);
    bool bb_split = false;
    const LinkSharing bb_policy = sharing(n, "bb_sharing_policy", "SHARED", bb_split);
    if (bb_split)
        fail(n, "bb_sharing_policy cannot be SPLITDUPLEX");
    const double bb_bw = n.attribute("bb_bw") ? quantity(n, "bb_bw", units::Kind::bandwidth) : 0;
    const double bb_lat = n.attribute("bb_lat") ? quantity(n, "bb_lat", units::Kind::time) : 0;
    const double lo_bw = n.attribute("loopback_bw") ? quantity(n, "loopback_bw", units::Kind::bandwidth) : 0;
    const double lo_lat = n.attribute("loopback_lat") ? quantity(n, "loopback_lat", units::Kind::time) : 0;
    const double limiter =
        n.attribute("limiter_link") ? quantity(n, "limiter_link", units::Kind::bandwidth) : 0;
    for (auto child : n.children())
        if (child.type() == pugi::node_element && std::string_view(child.name()) != "prop")
            fail(child, "only <prop> is allowed inside <cluster>");
    const auto host_props = props(n);

    guarded(n, [&] {
        const ZoneIndex z = platform_.add_zone(id, Routing::star, parent);
        std::optional<LinkIndex> backbone;
        if (bb_bw > 0 || bb_lat > 0)
            backbone = platform_.add_link(LinkSpec{id + "_backbone", bb_bw, bb_lat, bb_policy});
        for (int r : radicals) {
            HostSpec h;
            h.id = prefix + std::to_string(r) + suffix;
            h.speed = speed;
            h.cores = cores;
            h.props = host_props;
            const HostIndex hi = guarded(n, [&] { return platform_.add_host(z, std::move(h)); });
            const PointIndex p = *platform_.find_point(platform_.host(hi).id);
            const std::string link_id = id + "_link_" + std::to_string(r);
            std::optional<LinkIndex> loop;
            if (lo_bw > 0 || lo_lat > 0)
                loop =
                    platform_.add_link(LinkSpec{link_id + "_loopback", lo_bw, lo_lat, LinkSharing::fatpipe});
            std::optional<LinkIndex> lim;
            if (limiter > 0)
                lim = platform_.add_link(LinkSpec{link_id + "_limiter", limiter, 0, LinkSharing::shared});
            LinkIndex up, down;
            if (split) {
                up = platform_.add_split_duplex_link(LinkSpec{link_id, bw, lat, LinkSharing::shared});
                down = up + 1;
            } else {
                up = down = platform_.add_link(LinkSpec{link_id, bw, lat, policy});
            }
            std::vector<LinkIndex> ups, downs;
            if (lim)
                ups.push_back(*lim);
            ups.push_back(up);
            if (backbone)
                ups.push_back(*backbone);
            if (backbone)
                downs.push_back(*backbone);
            downs.push_back(down);
            if (lim)
                downs.push_back(*lim);
            platform_.set_star_links(z, p, ups, downs, loop);
        }
        const std::string router = n.attribute("router_id") ? std::string(n.attribute("router_id").value())
                                                            : prefix + id + "_router" + suffix;
        const PointIndex rp = platform_.add_router(z, router);
        platform_.set_star_links(z, rp, {}, {});
        return 0;
    });
}

void XmlReader::zone_children(const pugi::xml_node& n, ZoneIndex z, bool cluster_zone) {
    ClusterLinks cl;
    for (auto child : n.children()) {
        if (child.type() != pugi::node_element)
            continue;
        const std::string_view name = child.name();
        if (name == "host")
            host(child, z);
        else if (name == "link")
            link(child);
        else if (name == "router") {
            check_attributes(child, {"id", "coordinates"});
            guarded(child, [&] { return platform_.add_router(z, required(child, "id")); });
        } else if (name == "zone" || name == "AS")
            zone(child, z);
        else if (name == "cluster")
            cluster(child, z);
        else if (!cluster_zone && name == "route")
            route(child, z, false);
        else if (!cluster_zone && (name == "zoneRoute" || name == "ASroute"))
            route(child, z, true);
        else if (cluster_zone && name == "host_link") {
            check_attributes(child, {"id", "up", "down"});
            const PointIndex p = point(child, "id");
            auto up = platform_.find_link(required(child, "up"));
            auto down = platform_.find_link(required(child, "down"));
            if (!up || !down)
                fail(child, "up and down must name declared links");
            cl.host_links[p] = {*up, *down};
        } else if (cluster_zone && name == "backbone") {
            check_attributes(child, {"id", "bandwidth", "latency"});
            LinkSpec l{required(child, "id"), quantity(child, "bandwidth", units::Kind::bandwidth),
                       quantity(child, "latency", units::Kind::time, "0s"), LinkSharing::shared};
            cl.backbone = guarded(child, [&] { return platform_.add_link(l); });
        } else if (name == "prop")
            continue; // zone properties carry no routing meaning
        else
            fail(child, fmt::format("element <{}> is not supported inside <{}>", name, n.name()));
    }
    if (cluster_zone) {
        for (const auto& [p, links] : cl.host_links) {
            std::vector<LinkIndex> ups{links.first}, downs;
            if (cl.backbone) {
                ups.push_back(*cl.backbone);
                downs.push_back(*cl.backbone);
            }
            downs.push_back(links.second);
            platform_.set_star_links(z, p, ups, downs);
        }
    }
}

void XmlReader::zone(const pugi::xml_node& n, ZoneIndex parent) {
    check_attributes(n, {"id", "routing"});
    const std::string id = required(n, "id");
    const std::string routing = required(n, "routing");
    Routing r;
    if (routing == "Full")
        r = Routing::full;
    else if (routing == "Floyd")
        r = Routing::floyd;
    else if (routing == "Cluster")
        r = Routing::star;
    else
        fail(n, fmt::format("routing=\"{}\" is not supported (allowed: Full, Floyd, Cluster)", routing));
    const ZoneIndex z = guarded(n, [&] { return platform_.add_zone(id, r, parent); });
    zone_children(n, z, r == Routing::star);
}

Platform XmlReader::read() {
    std::ifstream in(path_, std::ios::binary);
    if (!in)
        throw InputError(path_, 0, "", "cannot open platform file");
    check_input_size(path_, 256);
    std::ostringstream ss;
    ss << in.rdbuf();
    text_ = ss.str();
    for (std::size_t i = 0; i < text_.size(); ++i)
        if (text_[i] == '\n')
            newlines_.push_back(i);
    pugi::xml_document doc;
    const auto result = doc.load_buffer(text_.data(), text_.size());
    if (!result) {
        const auto off = static_cast<std::size_t>(result.offset);
        const int line =
            static_cast<int>(std::upper_bound(newlines_.begin(), newlines_.end(), off) - newlines_.begin()) +
            1;
        throw InputError(path_, line, "", fmt::format("XML syntax error: {}", result.description()));
    }
    const auto root = doc.child("platform");
    if (!root)
        throw InputError(path_, 1, "", "not a SimGrid platform: the root element must be <platform>");
    if (auto v = root.attribute("version");
        v && std::string_view(v.value()) != "4.1" && std::string_view(v.value()) != "4")
        fail(root, fmt::format("version=\"{}\" is not supported (only 4.1)", v.value()));
    for (auto child : root.children()) {
        if (child.type() != pugi::node_element)
            continue;
        const std::string_view name = child.name();
        if (name == "config")
            config(child);
        else if (name == "zone" || name == "AS") {
            if (platform_.zone_count() > 0)
                fail(child, "a platform has exactly one top-level zone");
            zone(child, Platform::none);
        } else if (name == "cluster") {
            if (platform_.zone_count() > 0)
                fail(child, "a platform has exactly one top-level zone");
            cluster(child, Platform::none);
        } else
            fail(child, fmt::format(
                            "element <{}> is not supported at the top level (allowed: config, zone, cluster)",
                            name));
    }
    if (platform_.zone_count() == 0)
        throw InputError(path_, 0, "<platform>", "the platform declares no zone");
    platform_.seal();
    return std::move(platform_);
}

} // namespace

Platform load_simgrid_xml(const std::string& path) {
    return XmlReader(path).read();
}

Platform load_platform(const std::string& path) {
    auto ends = [&](std::string_view ext) {
        return path.size() >= ext.size() && path.compare(path.size() - ext.size(), ext.size(), ext) == 0;
    };
    if (ends(".xml"))
        return load_simgrid_xml(path);
    if (ends(".yaml") || ends(".yml"))
        return load_platform_yaml(path);
    throw InputError(path, 0, "",
                     "unknown platform format: the name must end in .xml (SimGrid) or .yaml/.yml (native)");
}

} // namespace hepkit::sim
