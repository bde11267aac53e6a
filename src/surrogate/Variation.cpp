// A sample of a Space written as a scenario directory: the base scenario's SimGrid XML platform,
// DCSim workload and dataset files changed as the sample's values say (docs/surrogate.md lists
// what each parameter changes), and a scenario.yaml naming them.

#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/Units.hpp"
#include "hepkit/surrogate/Generate.hpp"

#include "RandomPlatform.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <random>
#include <sstream>
#include <yaml-cpp/yaml.h>

namespace hepkit::surrogate {

namespace fs = std::filesystem;

namespace {

double value_of(const Sample& s, const char* name, double otherwise) {
    const auto it = s.values.find(name);
    return it == s.values.end() ? otherwise : it->second;
}

// ---- the platform (pugixml) ----------------------------------------------------------------

// The roles of a <host> or <cluster> (`<prop id="type" value="worker,cache"/>`).
std::vector<std::string> roles_of(const pugi::xml_node& element) {
    std::vector<std::string> out;
    for (const auto& prop : element.children("prop"))
        if (std::string_view(prop.attribute("id").value()) == "type") {
            std::stringstream roles(prop.attribute("value").value());
            for (std::string role; std::getline(roles, role, ',');)
                out.push_back(role);
        }
    return out;
}

bool has_role(const pugi::xml_node& element, const char* role) {
    const auto roles = roles_of(element);
    return std::find(roles.begin(), roles.end(), role) != roles.end();
}

bool has_worker_role(const pugi::xml_node& element) {
    return has_role(element, "worker");
}

void set_roles(pugi::xml_node element, const std::vector<std::string>& roles) {
    std::string value;
    for (const auto& r : roles)
        value.append(value.empty() ? "" : ",").append(r);
    for (auto prop : element.children("prop"))
        if (std::string_view(prop.attribute("id").value()) == "type") {
            prop.attribute("value").set_value(value.c_str());
            return;
        }
    auto prop = element.prepend_child("prop");
    prop.append_attribute("id").set_value("type");
    prop.append_attribute("value").set_value(value.c_str());
}

// The paper's "cache moved" (arXiv:2502.12741 §4): each cache host's cache role and disks go to a
// worker <host> drawn with the sample's seed — one of another zone (site) where there is one,
// else one of its own site; cluster nodes cannot hold a disk in SimGrid's <cluster>, so they are
// not candidates, and a platform without worker <host>s keeps its caches. The old host keeps its
// other roles (none: an idle host). Returns old id → new id, for the scenario's `caches:`.
std::map<std::string, std::string> move_caches(pugi::xml_document& doc,
                                               const std::vector<pugi::xml_node>& hosts, std::uint64_t seed) {
    std::map<std::string, std::string> moved;
    std::mt19937_64 rng(seed ^ 0x6361'6368'6521ULL);
    std::vector<pugi::xml_node> caches;
    for (const auto& x : doc.select_nodes("//host"))
        if (has_role(x.node(), "cache") && !has_worker_role(x.node()))
            caches.push_back(x.node());
    std::vector<pugi::xml_node> taken;
    for (auto& cache : caches) {
        // a worker that is a cache already (`worker,cache`) takes no second one: its disks and
        // its key in `caches:` would be the two caches'
        std::vector<pugi::xml_node> other_site, same_site;
        for (const auto& h : hosts)
            if (std::find(taken.begin(), taken.end(), h) == taken.end() && !has_role(h, "cache"))
                (h.parent() != cache.parent() ? other_site : same_site).push_back(h);
        const auto& pool = other_site.empty() ? same_site : other_site;
        if (pool.empty())
            continue;
        pugi::xml_node to = pool[rng() % pool.size()];
        taken.push_back(to);
        auto roles = roles_of(cache);
        roles.erase(std::remove(roles.begin(), roles.end(), "cache"), roles.end());
        set_roles(cache, roles.empty() ? std::vector<std::string>{"none"} : roles);
        auto to_roles = roles_of(to);
        to_roles.push_back("cache");
        set_roles(to, to_roles);
        // The cache's disks go first: a cache host's first disk is its cache (the simulator reads
        // disks[0]); the worker's own disks follow.
        const pugi::xml_node first_own = to.child("disk");
        for (pugi::xml_node disk = cache.child("disk"); disk;) {
            const pugi::xml_node next = disk.next_sibling("disk");
            if (first_own)
                to.insert_copy_before(disk, first_own);
            else
                to.append_copy(disk);
            cache.remove_child(disk);
            disk = next;
        }
        moved[cache.attribute("id").value()] = to.attribute("id").value();
    }
    return moved;
}

// Multiplies a quantity attribute, written back in the base unit (B/s, s, flop/s).
void scale_attribute(pugi::xml_node element, const char* name, units::Kind kind, double factor,
                     const char* unit, const std::string& file) {
    pugi::xml_attribute a = element.attribute(name);
    if (!a || factor == 1)
        return;
    double v = 0;
    try {
        v = units::parse(a.value(), kind);
    } catch (const std::invalid_argument& e) {
        throw InputError(
            file, 0, fmt::format("<{} id=\"{}\"> {}", element.name(), element.attribute("id").value(), name),
            e.what());
    }
    a.set_value(fmt::format("{:.17g}{}", v * factor, unit).c_str());
}

// A cluster's nodes `radical="a-b"`: its first and last number.
std::pair<long, long> radical_range(const pugi::xml_node& cluster, const std::string& file) {
    const std::string r = cluster.attribute("radical").value();
    long a = 0, b = 0;
    char dash = 0;
    std::istringstream in(r);
    if (!(in >> a >> dash >> b) || dash != '-' || b < a || !in.eof())
        throw InputError(
            file, 0, fmt::format("<cluster id=\"{}\"> radical", cluster.attribute("id").value()),
            fmt::format("'{}': the surrogate's variations handle a radical of one range 'a-b'", r));
    return {a, b};
}

void set_cluster_size(pugi::xml_node cluster, long first, long n) {
    cluster.attribute("radical").set_value(fmt::format("{}-{}", first, first + n - 1).c_str());
}

// Removes a host element and what names it in its zone: routes that start or end at it, and its
// <host_link> (the up/down links of a host in a Cluster-routed zone).
void remove_host(pugi::xml_node host) {
    const std::string id = host.attribute("id").value();
    pugi::xml_node zone = host.parent();
    std::vector<pugi::xml_node> gone;
    for (const auto& r : zone.children("route"))
        if (id == r.attribute("src").value() || id == r.attribute("dst").value())
            gone.push_back(r);
    for (const auto& l : zone.children("host_link"))
        if (id == l.attribute("id").value())
            gone.push_back(l);
    for (auto& r : gone)
        zone.remove_child(r);
    zone.remove_child(host);
}

// `removed`: the hosts and cluster nodes removed_hosts took away (fewer than drawn where one
// worker would not stay).
std::map<std::string, std::string> vary_platform(pugi::xml_document& doc, const Sample& s,
                                                 const std::string& file, long& removed) {
    const double cores = value_of(s, "cores_factor", 1), speed = value_of(s, "speed_factor", 1);
    const double kept = value_of(s, "workers_fraction", 1);
    std::vector<pugi::xml_node> hosts, clusters;
    for (const auto& x : doc.select_nodes("//host"))
        if (has_worker_role(x.node()))
            hosts.push_back(x.node());
    for (const auto& x : doc.select_nodes("//cluster"))
        if (has_worker_role(x.node()))
            clusters.push_back(x.node());
    if (hosts.empty() && clusters.empty())
        throw InputError(file, 0, "platform",
                         "no worker host (a <host> or <cluster> with <prop id=\"type\" "
                         "value=\"worker\"/>): nothing for the variations to act on");
    for (auto& e : hosts) {
        if (cores != 1) {
            const long c = e.attribute("core") ? e.attribute("core").as_int() : 1;
            const long n = std::max(1L, std::lround(static_cast<double>(c) * cores));
            if (!e.attribute("core"))
                e.append_attribute("core");
            e.attribute("core").set_value(fmt::format("{}", n).c_str());
        }
        scale_attribute(e, "speed", units::Kind::speed, speed, "f", file);
    }
    for (auto& e : clusters) {
        if (cores != 1) {
            const long c = e.attribute("core") ? e.attribute("core").as_int() : 1;
            if (!e.attribute("core"))
                e.append_attribute("core");
            e.attribute("core").set_value(
                fmt::format("{}", std::max(1L, std::lround(static_cast<double>(c) * cores))).c_str());
        }
        scale_attribute(e, "speed", units::Kind::speed, speed, "f", file);
        if (kept != 1) {
            const auto [a, b] = radical_range(e, file);
            set_cluster_size(e, a, std::max(1L, std::lround(static_cast<double>(b - a + 1) * kept)));
        }
    }
    if (kept != 1) {
        // per zone: its first worker hosts kept, at least one
        std::map<pugi::xml_node, std::vector<pugi::xml_node>> by_zone;
        for (const auto& h : hosts)
            by_zone[h.parent()].push_back(h);
        std::vector<pugi::xml_node> left;
        for (auto& [zone, members] : by_zone) {
            const auto keep = static_cast<std::size_t>(
                std::max(1L, std::lround(static_cast<double>(members.size()) * kept)));
            for (std::size_t i = 0; i < members.size(); ++i)
                if (i < keep)
                    left.push_back(members[i]);
                else
                    remove_host(members[i]);
        }
        hosts = left;
    }
    const auto to_remove = static_cast<long>(value_of(s, "removed_hosts", 0));
    removed = 0;
    if (to_remove > 0) {
        // Units that can go: each host, each cluster node but a cluster's last. One worker stays.
        std::mt19937_64 rng(s.scenario_seed ^ 0x7265'6d6f'7665ULL);
        for (long r = 0; r < to_remove; ++r) {
            long cluster_units = 0, workers = static_cast<long>(hosts.size());
            for (const auto& c : clusters) {
                const auto [a, b] = radical_range(c, file);
                cluster_units += b - a; // every node but the last
                workers += b - a + 1;
            }
            const long units_left = static_cast<long>(hosts.size()) + cluster_units;
            if (units_left == 0 || workers <= 1)
                break;
            auto pick = static_cast<long>(rng() % static_cast<std::uint64_t>(units_left));
            ++removed;
            if (pick < static_cast<long>(hosts.size())) {
                remove_host(hosts[static_cast<std::size_t>(pick)]);
                hosts.erase(hosts.begin() + pick);
                continue;
            }
            pick -= static_cast<long>(hosts.size());
            for (auto& c : clusters) {
                const auto [a, b] = radical_range(c, file);
                if (pick < b - a) {
                    set_cluster_size(c, a, b - a); // one node fewer
                    break;
                }
                pick -= b - a;
            }
        }
    }
    const double disk = value_of(s, "disk_bandwidth_factor", 1);
    for (const auto& x : doc.select_nodes("//disk")) {
        scale_attribute(x.node(), "read_bw", units::Kind::bandwidth, disk, "Bps", file);
        scale_attribute(x.node(), "write_bw", units::Kind::bandwidth, disk, "Bps", file);
    }
    const double bw = value_of(s, "link_bandwidth_factor", 1), lat = value_of(s, "latency_factor", 1);
    for (const char* path : {"//link", "//backbone"})
        for (const auto& x : doc.select_nodes(path)) {
            scale_attribute(x.node(), "bandwidth", units::Kind::bandwidth, bw, "Bps", file);
            scale_attribute(x.node(), "latency", units::Kind::time, lat, "s", file);
        }
    for (const auto& x : doc.select_nodes("//cluster")) {
        scale_attribute(x.node(), "bw", units::Kind::bandwidth, bw, "Bps", file);
        scale_attribute(x.node(), "bb_bw", units::Kind::bandwidth, bw, "Bps", file);
        scale_attribute(x.node(), "lat", units::Kind::time, lat, "s", file);
        scale_attribute(x.node(), "bb_lat", units::Kind::time, lat, "s", file);
    }
    if (value_of(s, "cache_moved", 0) >= 1)
        return move_caches(doc, hosts, s.scenario_seed);
    return {};
}

// ---- workloads and datasets (DCSim JSON) ----------------------------------------------------

// A distribution's values multiplied: gaussian average and sigma, histogram bins, poisson mu.
void scale_distribution(nlohmann::json& d, double factor) {
    if (!d.is_object() || factor == 1)
        return;
    for (const char* key : {"average", "sigma", "mu"})
        if (d.contains(key) && d[key].is_number())
            d[key] = d[key].get<double>() * factor;
    if (d.contains("bins") && d["bins"].is_array())
        for (auto& b : d["bins"])
            if (b.is_number())
                b = b.get<double>() * factor;
}

nlohmann::json read_json(const std::string& path, const std::string& origin, const std::string& key) {
    std::ifstream in(path);
    if (!in)
        throw InputError(origin, 0, key, fmt::format("cannot read '{}'", path));
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw InputError(path, 0, "", fmt::format("not valid JSON: {}", e.what()));
    }
}

void write_text(const fs::path& path, const std::string& text) {
    AtomicFile f(path);
    f.stream() << text;
    f.commit();
}

std::vector<std::string> paths_of(const YAML::Node& node) {
    std::vector<std::string> out;
    if (node.IsSequence())
        for (const auto& n : node)
            out.push_back(n.as<std::string>());
    else if (node.IsScalar())
        out.push_back(node.as<std::string>());
    return out;
}

std::string resolved(const fs::path& base_dir, const std::string& p) {
    return fs::path(p).is_absolute() ? p : fs::absolute(base_dir / p).lexically_normal().string();
}

} // namespace

std::string write_variation(const Space& space, const Sample& s, const std::string& dir_text,
                            std::map<std::string, double>* applied) {
    const std::string& base = space.bases.at(s.base);
    const fs::path dir(dir_text), base_dir = fs::path(base).parent_path();
    const config::YamlView view(config::load_yaml_file(base), base);
    YAML::Node root = YAML::Clone(view.node());
    if (!root.IsMap() || !root["platform"])
        view.fail("a base scenario for the surrogate needs a `platform:` (a SimGrid XML file)");
    const config::YamlView plat = view.at("platform");
    if (plat.is_map() || fs::path(plat.as_string()).extension() != ".xml")
        plat.fail("the surrogate's variations act on a SimGrid XML platform file (*.xml); give one");
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw OutputError(dir.string(), 0, "", fmt::format("cannot create directory: {}", ec.message()));

    std::string platform_file = resolved(base_dir, plat.as_string());
    pugi::xml_document doc;
    if (s.platform_seed != 0) {
        platform_file = fmt::format("random platform {}", s.platform_seed);
        const std::string xml = detail::random_platform_xml(s.platform_seed);
        if (const auto r = doc.load_string(xml.c_str(), pugi::parse_default | pugi::parse_doctype); !r)
            throw std::logic_error(
                fmt::format("random platform {} is not XML: {}", s.platform_seed, r.description()));
    } else if (const auto r = doc.load_file(platform_file.c_str(), pugi::parse_default | pugi::parse_doctype);
               !r) {
        throw InputError(platform_file, 0, "",
                         fmt::format("XML error: {} (at byte {})", r.description(), r.offset));
    }
    long removed = 0;
    const std::map<std::string, std::string> moved = vary_platform(doc, s, platform_file, removed);
    if (const auto it = s.values.find("removed_hosts");
        applied && it != s.values.end() && static_cast<double>(removed) < it->second)
        (*applied)["removed_hosts"] = static_cast<double>(removed);
    {
        std::ostringstream out;
        doc.save(out, "  ");
        write_text(dir / "platform.xml", out.str());
    }
    root["platform"] = "platform.xml";
    if (!moved.empty() && root["caches"] && root["caches"].IsMap()) {
        // the scenario's caches follow their hosts (a cache named by a moved host's id)
        YAML::Node caches(YAML::NodeType::Map);
        for (const auto& kv : root["caches"]) {
            const std::string id = kv.first.as<std::string>();
            const auto it = moved.find(id);
            caches[it == moved.end() ? id : it->second] = kv.second;
        }
        root["caches"] = caches;
    }

    const auto vary_documents = [&](const char* key, const char* stem, const auto& change) {
        if (!root[key])
            return;
        YAML::Node list(YAML::NodeType::Sequence);
        const auto files = paths_of(root[key]);
        for (std::size_t i = 0; i < files.size(); ++i) {
            const std::string path = resolved(base_dir, files[i]);
            nlohmann::json doc_json = read_json(path, base, key);
            change(doc_json);
            const std::string name = fmt::format("{}_{}.json", stem, i);
            write_text(dir / name, doc_json.dump(2) + "\n");
            list.push_back(name);
        }
        root[key] = list;
    };
    const double jobs = value_of(s, "jobs_factor", 1), flops = value_of(s, "flops_factor", 1);
    const double out_size = value_of(s, "output_size_factor", 1),
                 in_size = value_of(s, "file_size_factor", 1);
    vary_documents("workloads", "workloads", [&](nlohmann::json& d) {
        for (auto& [name, w] : d.items()) {
            if (!w.is_object())
                continue;
            if (w.contains("num_jobs") && w["num_jobs"].is_number() && jobs != 1)
                w["num_jobs"] = std::max<long long>(1, std::llround(w["num_jobs"].get<double>() * jobs));
            if (w.contains("flops"))
                scale_distribution(w["flops"], flops);
            if (w.contains("outfilesize"))
                scale_distribution(w["outfilesize"], out_size);
        }
    });
    vary_documents("datasets", "datasets", [&](nlohmann::json& d) {
        for (auto& [name, ds] : d.items())
            if (ds.is_object() && ds.contains("filesize"))
                scale_distribution(ds["filesize"], in_size);
    });
    if (root["jobs"]) {
        // Replayed job lists are referred to where they are (a copy per sample would repeat a
        // list of 10^4 jobs thousands of times), relative to the sample's folder: a data folder
        // moved or copied together with its bases still finds them, as space.json's bases are
        // relative to the space file (a data folder copied without its bases does not: then
        // give the base's lists by absolute paths, which stay absolute). Both paths canonical,
        // symbolic links resolved before any `..` (not lexically_normal's textual `..`), so
        // that `..` means what the kernel makes of it when hepkit sim opens the list.
        const fs::path from = fs::weakly_canonical(fs::absolute(dir));
        YAML::Node list(YAML::NodeType::Sequence);
        for (const auto& p : paths_of(root["jobs"])) {
            if (fs::path(p).is_absolute()) {
                list.push_back(p);
                continue;
            }
            const fs::path target = fs::weakly_canonical(fs::absolute(base_dir / p));
            const fs::path rel = target.lexically_relative(from);
            list.push_back(rel.empty() ? target.string() : rel.generic_string());
        }
        root["jobs"] = list;
    }
    if (const double f = value_of(s, "cache_size_factor", 1); f != 1 && root["caches"]) {
        const config::YamlView caches = view.at("caches");
        if (!caches.is_map())
            caches.fail("expected a map of cache host to size");
        for (const auto& kv : caches.node()) {
            const config::YamlView v(kv.second, base, fmt::format("caches.{}", kv.first.Scalar()));
            // under the cache's host now (cache_moved renamed it above)
            const auto it = moved.find(kv.first.Scalar());
            root["caches"][it == moved.end() ? kv.first.Scalar() : it->second] =
                fmt::format("{:.17g}B", v.as_quantity(units::Kind::size) * f);
        }
    }
    if (const auto it = s.values.find("hitrate"); it != s.values.end())
        root["options"]["hitrate"] = it->second;
    // The sample's own workload draw; scenario seeds are read as signed 64-bit integers.
    root["seed"] = static_cast<long long>(s.scenario_seed >> 1);
    root["name"] =
        fmt::format("{}-{:06d}", root["name"] ? root["name"].as<std::string>() : "sample", s.index);
    root.remove("outputs"); // the generator names the outputs
    YAML::Emitter out;
    out << root;
    const fs::path scenario = dir / "scenario.yaml";
    write_text(scenario, fmt::format("# sample {} of {} (hepkit surrogate generate)\n{}\n", s.index,
                                     space.origin, out.c_str()));
    return scenario.string();
}

} // namespace hepkit::surrogate
