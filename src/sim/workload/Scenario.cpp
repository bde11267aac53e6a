#include "hepkit/sim/workload/Scenario.hpp"

#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/Random.hpp"
#include "hepkit/sim/platform/PlatformLoader.hpp"

#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace hepkit::sim {
namespace {

using config::YamlView;

CampaignSpec read_campaign(const YamlView& c) {
    c.check_keys({"transfers", "sources", "destinations", "size", "start", "compute_per_byte"});
    CampaignSpec spec;
    const long long n = c.at("transfers").as_int();
    if (n < 0 || n > 100000000)
        c.at("transfers").fail(fmt::format("{} must be between 0 and 1e8", n));
    spec.transfers = static_cast<std::size_t>(n);
    auto names = [](const YamlView& list) {
        std::vector<std::string> out;
        if (!list.is_sequence() || list.size() == 0)
            list.fail("expected a non-empty list of host names");
        for (std::size_t i = 0; i < list.size(); ++i)
            out.push_back(list.at(i).as_string());
        return out;
    };
    spec.sources = names(c.at("sources"));
    spec.destinations = names(c.at("destinations"));
    auto range = [](const YamlView& r, units::Kind kind, double& lo, double& hi) {
        r.check_keys({"min", "max"});
        lo = r.at("min").as_quantity(kind);
        hi = r.at("max").as_quantity(kind);
        if (hi < lo)
            r.fail(fmt::format("max ({}) is smaller than min ({})", hi, lo));
    };
    if (c.has("size"))
        range(c.at("size"), units::Kind::size, spec.size_min, spec.size_max);
    if (c.has("start"))
        range(c.at("start"), units::Kind::time, spec.start_min, spec.start_max);
    if (c.has("compute_per_byte")) {
        spec.compute_per_byte = c.at("compute_per_byte").as_double();
        if (spec.compute_per_byte < 0)
            c.at("compute_per_byte").fail("must be >= 0");
    }
    return spec;
}

Scenario read_scenario(const YamlView& root, const std::string& base_dir) {
    if (!root.is_map())
        root.fail("a scenario is a map with keys platform, activities, campaign, seed, output");
    root.check_keys({"name", "platform", "activities", "campaign", "seed", "output"});
    Scenario s;
    s.origin = root.file();
    s.name =
        root.has("name") ? root.at("name").as_string() : std::filesystem::path(root.file()).stem().string();
    auto resolve = [&](const std::string& p) {
        const std::filesystem::path path(p);
        return path.is_absolute() || base_dir.empty() ? p : (std::filesystem::path(base_dir) / path).string();
    };
    const YamlView plat = root.at("platform");
    if (plat.is_map())
        s.platform.emplace(platform_from_yaml(plat));
    else
        s.platform.emplace(load_platform(resolve(plat.as_string())));
    if (root.has("seed")) {
        const long long seed = root.at("seed").as_int();
        if (seed < 0)
            root.at("seed").fail("seed must be >= 0");
        s.seed = static_cast<std::uint64_t>(seed);
    }
    if (root.has("output")) // relative to the working directory, like -o (docs/formats.md)
        s.output = root.at("output").as_string();
    if (root.has("activities"))
        s.activities = read_activities(resolve(root.at("activities").as_string()), *s.platform);
    if (root.has("campaign")) {
        const YamlView c = root.at("campaign");
        const CampaignSpec spec = read_campaign(c);
        try {
            generate_campaign(spec, *s.platform, s.seed, s.activities, root.file());
        } catch (const std::invalid_argument& e) {
            c.fail(e.what());
        }
    }
    if (s.activities.empty())
        root.fail("the scenario has no workload: give 'activities' or a 'campaign'");
    return s;
}

} // namespace

void generate_campaign(const CampaignSpec& spec, const Platform& platform, std::uint64_t seed,
                       std::vector<ActivityRow>& rows, const std::string& origin) {
    auto hosts = [&](const std::vector<std::string>& names) {
        std::vector<HostIndex> out;
        for (const auto& n : names) {
            auto h = platform.find_host(n);
            if (!h)
                throw std::invalid_argument(fmt::format("unknown host '{}'", n));
            out.push_back(*h);
        }
        return out;
    };
    const auto sources = hosts(spec.sources);
    const auto destinations = hosts(spec.destinations);
    auto rng = RandomStreams(seed).stream("campaign");
    auto uniform = [&](double lo, double hi) { return lo + (hi - lo) * uniform01(rng); };
    rows.reserve(rows.size() + spec.transfers * (spec.compute_per_byte > 0 ? 2 : 1));
    for (std::size_t i = 0; i < spec.transfers; ++i) {
        ActivityRow t;
        t.id = fmt::format("transfer-{}", i);
        t.type = ActivityRow::Type::transfer;
        t.source = sources[rng() % sources.size()];
        t.destination = destinations[rng() % destinations.size()];
        t.amount = std::round(uniform(spec.size_min, spec.size_max));
        t.start = uniform(spec.start_min, spec.start_max);
        rows.push_back(t);
        if (spec.compute_per_byte > 0) {
            ActivityRow c;
            c.id = fmt::format("process-{}", i);
            c.type = ActivityRow::Type::compute;
            c.source = t.destination;
            c.amount = t.amount * spec.compute_per_byte;
            c.start = 0;
            c.after = static_cast<std::int64_t>(rows.size() - 1);
            rows.push_back(c);
        }
    }
    check_dependencies(rows, origin);
}

Scenario load_scenario(const std::string& path) {
    const YamlView root(config::load_yaml_file(path), path);
    return read_scenario(root, std::filesystem::path(path).parent_path().string());
}

} // namespace hepkit::sim
