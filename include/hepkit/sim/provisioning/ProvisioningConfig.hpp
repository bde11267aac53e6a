#pragma once
/// @file
/// Opportunistic resources of a grid run: the sites drones run on and their controller.

#include "hepkit/sim/provisioning/DronePool.hpp"

#include <vector>

namespace hepkit::sim {

/// Parameter paths `drones.controller.*` and `drones.sites.SITE.*` (docs/formats.md).
struct ProvisioningConfig {
    /// Opportunistic sites (the scenario's `opportunistic.sites`); empty: no drones.
    std::vector<OpportunisticSite> sites;
    /// The controller that provisions drones on every opportunistic site.
    ControllerSpec controller;
};

} // namespace hepkit::sim
