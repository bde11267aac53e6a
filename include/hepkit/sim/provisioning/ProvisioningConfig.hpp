#pragma once
/// @file
/// Opportunistic resources of a grid run: the sites drones run on and their controller.

#include "hepkit/core/ParameterRegistry.hpp"
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

/// Registers the controller's settings as `controller.*` and those of each opportunistic site
/// as `sites.SITE.*` (the site must be one of `sites`).
void register_parameters(ParameterRegistry<ProvisioningConfig>& r);
/// Registers the controller's settings (`type`, `interval`, ...).
void register_parameters(ParameterRegistry<ControllerSpec>& r);
/// Registers the scalar settings of one opportunistic site (`max_drones`, ...); its name, its
/// queue and boot time distributions, its overhead and its background profile are read by the
/// scenario reader (GridScenario.cpp), which checks them against the platform.
void register_parameters(ParameterRegistry<OpportunisticSite>& r);

} // namespace hepkit::sim
