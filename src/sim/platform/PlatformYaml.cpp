#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/sim/platform/PlatformLoader.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace hepkit::sim {
namespace {

using config::YamlView;

class YamlPlatformReader {
  public:
    Platform read(const YamlView& root) {
        if (!root.is_map())
            root.fail("a platform file is a map with keys such as hosts, links and routes");
        root.check_keys(
            {"id", "routing", "config", "hosts", "routers", "links", "routes", "zones", "zone_routes"});
        if (root.has("config")) {
            const YamlView c = root.at("config");
            c.check_keys({"loopback_bandwidth", "loopback_latency"});
            if (c.has("loopback_bandwidth"))
                platform_.config().loopback_bandwidth =
                    positive(c.at("loopback_bandwidth"), units::Kind::bandwidth);
            if (c.has("loopback_latency"))
                platform_.config().loopback_latency = c.at("loopback_latency").as_quantity(units::Kind::time);
        }
        zone(root, Platform::none);
        platform_.seal();
        return std::move(platform_);
    }

  private:
    static double positive(const YamlView& v, units::Kind kind) {
        const double x = v.as_quantity(kind);
        if (!(x > 0))
            v.fail(fmt::format("'{}' must be > 0", v.as_string()));
        return x;
    }

    template <typename F>
    auto guarded(const YamlView& v, F&& f) {
        try {
            return f();
        } catch (const std::invalid_argument& e) {
            v.fail(e.what());
        }
    }

    void zone(const YamlView& z, ZoneIndex parent) {
        if (parent != Platform::none)
            z.check_keys({"id", "routing", "hosts", "routers", "links", "routes", "zones", "zone_routes"});
        const std::string id = z.has("id") ? z.at("id").as_string() : std::string("platform");
        Routing routing = Routing::floyd;
        if (z.has("routing")) {
            const std::string r = z.at("routing").as_string();
            if (r == "Full")
                routing = Routing::full;
            else if (r == "Floyd")
                routing = Routing::floyd;
            else
                z.at("routing").fail(fmt::format("'{}' is not a routing (allowed: Full, Floyd)", r));
        }
        const ZoneIndex zi = guarded(z, [&] { return platform_.add_zone(id, routing, parent); });
        if (z.has("links")) {
            const YamlView links = z.at("links");
            for (std::size_t i = 0; i < links.size(); ++i)
                link(links.at(i));
        }
        if (z.has("hosts")) {
            const YamlView hosts = z.at("hosts");
            for (std::size_t i = 0; i < hosts.size(); ++i)
                host(hosts.at(i), zi);
        }
        if (z.has("routers")) {
            const YamlView routers = z.at("routers");
            for (std::size_t i = 0; i < routers.size(); ++i) {
                const YamlView r = routers.at(i);
                guarded(r, [&] { return platform_.add_router(zi, r.as_string()); });
            }
        }
        if (z.has("zones")) {
            const YamlView zones = z.at("zones");
            for (std::size_t i = 0; i < zones.size(); ++i)
                zone(zones.at(i), zi);
        }
        if (z.has("routes")) {
            const YamlView routes = z.at("routes");
            for (std::size_t i = 0; i < routes.size(); ++i)
                route(routes.at(i), zi, false);
        }
        if (z.has("zone_routes")) {
            const YamlView routes = z.at("zone_routes");
            for (std::size_t i = 0; i < routes.size(); ++i)
                route(routes.at(i), zi, true);
        }
    }

    void link(const YamlView& l) {
        l.check_keys({"id", "bandwidth", "latency", "sharing"});
        LinkSpec spec;
        spec.id = l.at("id").as_string();
        spec.bandwidth = positive(l.at("bandwidth"), units::Kind::bandwidth);
        spec.latency = l.has("latency") ? l.at("latency").as_quantity(units::Kind::time) : 0.0;
        bool split = false;
        if (l.has("sharing")) {
            const std::string s = l.at("sharing").as_string();
            if (s == "shared")
                spec.sharing = LinkSharing::shared;
            else if (s == "fatpipe")
                spec.sharing = LinkSharing::fatpipe;
            else if (s == "splitduplex")
                split = true;
            else
                l.at("sharing").fail(
                    fmt::format("'{}' is not a sharing policy (allowed: shared, fatpipe, splitduplex)", s));
        }
        guarded(l, [&] { return split ? platform_.add_split_duplex_link(spec) : platform_.add_link(spec); });
    }

    void host(const YamlView& h, ZoneIndex zi) {
        h.check_keys({"id", "speed", "cores", "props", "disks", "gpus", "power"});
        HostSpec spec;
        spec.id = h.at("id").as_string();
        spec.speed = positive(h.at("speed"), units::Kind::speed);
        if (h.has("cores")) {
            const long long c = h.at("cores").as_int();
            if (c <= 0 || c > 100000000)
                h.at("cores").fail(fmt::format("{} must be between 1 and 1e8", c));
            spec.cores = static_cast<int>(c);
        }
        if (h.has("props")) {
            const YamlView p = h.at("props");
            if (!p.is_map())
                p.fail("props must be a map of names to values");
            for (const auto& kv : p.node())
                spec.props[kv.first.Scalar()] = kv.second.Scalar();
        }
        if (h.has("disks")) {
            const YamlView disks = h.at("disks");
            for (std::size_t i = 0; i < disks.size(); ++i) {
                const YamlView d = disks.at(i);
                d.check_keys({"id", "read_bw", "write_bw", "size", "mount"});
                DiskSpec ds;
                ds.id = d.at("id").as_string();
                ds.read_bw = positive(d.at("read_bw"), units::Kind::bandwidth);
                ds.write_bw = positive(d.at("write_bw"), units::Kind::bandwidth);
                if (d.has("size"))
                    ds.size = d.at("size").as_quantity(units::Kind::size);
                if (d.has("mount"))
                    ds.mount = d.at("mount").as_string();
                spec.disks.push_back(std::move(ds));
            }
        }
        if (h.has("gpus")) {
            const YamlView g = h.at("gpus");
            if (g.is_sequence())
                for (std::size_t i = 0; i < g.size(); ++i)
                    gpus(g.at(i), spec);
            else
                gpus(g, spec);
        }
        if (h.has("power")) {
            const YamlView p = h.at("power");
            p.check_keys({"idle", "max"});
            spec.power_idle = p.at("idle").as_quantity(units::Kind::power);
            spec.power_max = p.at("max").as_quantity(units::Kind::power);
            if (!(spec.power_max >= spec.power_idle))
                p.at("max").fail(
                    fmt::format("{} W is below the idle power {} W", spec.power_max, spec.power_idle));
        }
        guarded(h, [&] { return platform_.add_host(zi, std::move(spec)); });
    }

    // `{model: H100, count: 4, memory: 80GB, ...}`: the same fields as the XML gpu_* properties.
    static void gpus(const YamlView& g, HostSpec& spec) {
        g.check_keys({"model", "count", "sms", "memory", "flops", "idle_power", "active_power", "max_power"});
        std::map<std::string, std::string> props;
        for (const auto& kv : g.node())
            props["gpu_" + kv.first.Scalar()] = kv.second.Scalar();
        double idle = 0, max = 0;
        try {
            for (auto& d : gpus_from_props(props, idle, max))
                spec.gpus.push_back(std::move(d));
        } catch (const std::invalid_argument& e) {
            g.fail(e.what());
        }
    }

    PointIndex point(const YamlView& v) {
        const std::string id = v.as_string();
        auto p = platform_.find_point(id);
        if (!p)
            v.fail(fmt::format("'{}' is not a declared host, router or zone", id));
        return *p;
    }

    void route(const YamlView& r, ZoneIndex zi, bool zone_route) {
        if (zone_route)
            r.check_keys({"src", "dst", "gw_src", "gw_dst", "links", "symmetrical"});
        else
            r.check_keys({"src", "dst", "links", "symmetrical"});
        const PointIndex src = point(r.at("src"));
        const PointIndex dst = point(r.at("dst"));
        std::optional<PointIndex> gs, gd;
        if (zone_route) {
            gs = point(r.at("gw_src"));
            gd = point(r.at("gw_dst"));
        }
        const bool symmetrical = r.has("symmetrical") ? r.at("symmetrical").as_bool() : true;
        std::vector<LinkRef> refs;
        const YamlView links = r.at("links");
        for (std::size_t i = 0; i < links.size(); ++i) {
            // "name" or "name:UP" / "name:DOWN" for split-duplex links
            const std::string text = links.at(i).as_string();
            LinkRef ref;
            const auto colon = text.rfind(':');
            ref.id = text.substr(0, colon);
            if (colon != std::string::npos) {
                const std::string dir = text.substr(colon + 1);
                if (dir == "UP")
                    ref.direction = LinkRef::Direction::up;
                else if (dir == "DOWN")
                    ref.direction = LinkRef::Direction::down;
                else
                    links.at(i).fail(fmt::format("'{}': direction must be UP or DOWN", text));
            }
            if (!platform_.find_link(ref.id))
                links.at(i).fail(fmt::format("link '{}' is not declared", ref.id));
            refs.push_back(std::move(ref));
        }
        guarded(r, [&] {
            platform_.add_route(zi, src, dst, gs, gd, refs, symmetrical);
            return 0;
        });
    }

    Platform platform_;
};

} // namespace

Platform platform_from_yaml(const config::YamlView& node) {
    return YamlPlatformReader().read(node);
}

Platform load_platform_yaml(const std::string& path) {
    return platform_from_yaml(YamlView(config::load_yaml_file(path), path));
}

} // namespace hepkit::sim
