#include "hepkit/sim/provisioning/ProvisioningConfig.hpp"

#include "hepkit/core/Number.hpp"

#include <fmt/format.h>

namespace hepkit::sim {
namespace {

// The opportunistic site `name`: the last one of that name, which is the one a scenario reader
// is reading.
OpportunisticSite& site_named(ProvisioningConfig& c, const config::YamlView& v, const std::string& name) {
    for (auto it = c.sites.rbegin(); it != c.sites.rend(); ++it)
        if (it->site == name)
            return *it;
    std::string list;
    for (const auto& s : c.sites)
        list += (list.empty() ? "" : ", ") + s.site;
    v.fail(fmt::format("'{}' is not an opportunistic site of the scenario (sites: {})", shorten(name),
                       list.empty() ? "none" : list));
}

} // namespace

void register_parameters(ParameterRegistry<ProvisioningConfig>& r) {
    r.add("controller.", "controller.", &ProvisioningConfig::controller, register_parameters);
    ParameterRegistry<OpportunisticSite> site;
    register_parameters(site);
    r.add_each("sites.*.", "sites[].", &ProvisioningConfig::sites, site_named, site);
}

void register_parameters(ParameterRegistry<ControllerSpec>& r) {
    using C = ControllerSpec;
    r.field("type", "type", "the controller that provisions drones", &C::kind, controller_kinds);
    r.field("interval", "interval", "s", "time between controller cycles", &C::interval, Bounds::above(0));
    r.field("max_boots_per_cycle", "max_boots_per_cycle", "count",
            "roced: drones booted per cycle at most, 1 to 1e6", &C::max_boots_per_cycle,
            Bounds::between(1, 1e6, "between 1 and 1e6"));
    r.field("release_delay", "release_delay", "s", "roced: time a drone stays idle before it is released",
            &C::release_delay, Bounds::at_least(0));
    r.field("low_utilisation", "low_utilisation", "fraction",
            "cobald: below this utilisation the demand falls", &C::low_utilisation, Bounds::fraction());
    r.field("high_allocation", "high_allocation", "fraction",
            "cobald: above this allocation the demand rises", &C::high_allocation, Bounds::fraction());
    r.field("rate", "rate", "cores/s", "cobald-linear: demand change rate", &C::rate, Bounds::above(0));
    r.field("low_scale", "low_scale", "factor", "cobald-relative: supply factor at low utilisation",
            &C::low_scale, Bounds::above(0));
    r.field("high_scale", "high_scale", "factor", "cobald-relative: supply factor at high allocation",
            &C::high_scale, Bounds::above(0));
}

void register_parameters(ParameterRegistry<OpportunisticSite>& r) {
    using S = OpportunisticSite;
    // drone counts: the message names the value (as the site reader always did)
    const Bounds count = Bounds::between(1, 1e8, "between 1 and 1e8").quoting_value();
    r.field("max_drones", "max_drones", "count", "quota of drones (default: one per node)", &S::max_drones,
            count);
    r.field("cores_per_drone", "cores_per_drone", "count", "cores of a drone (default: the node's)",
            &S::cores_per_drone, count);
    r.field("memory_per_drone", "memory_per_drone", "B", "memory of a drone (default: the node's ram)",
            &S::memory_per_drone);
    r.field("integration_delay", "integration_delay", "s", "time from boot until the pool sees the drone",
            &S::integration_delay, Bounds::at_least(0));
    r.field("walltime", "walltime", "s", "drone lifetime from its start (0: unlimited)", &S::walltime,
            Bounds::at_least(0));
    r.field("drain_before", "drain_before", "s", "stop taking jobs this long before the walltime",
            &S::drain_before, Bounds::at_least(0));
    r.field("heartbeat", "heartbeat", "s", "state changes are noticed at multiples of it (0: at once)",
            &S::heartbeat, Bounds::at_least(0));
    r.field("background_share", "background_share", "fraction",
            "share of the nodes the site's own users hold, [0, 1)", &S::background_share,
            Bounds::between(0, 1, "in [0, 1)").below_hi().quoting_value());
    r.field("cost_per_core_hour", "cost_per_core_hour", "cost", "price of a core-hour of drones",
            &S::cost_per_core_hour, Bounds::at_least(0));
}

} // namespace hepkit::sim
