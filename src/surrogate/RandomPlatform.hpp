#pragma once
// Internal to hepkit::surrogate: random grid platforms for training spaces (RandomPlatform.cpp
// lists what is drawn and why).
#include <cstdint>
#include <string>

namespace hepkit::surrogate::detail {

/// A SimGrid XML platform drawn from `seed` (the same text for the same seed on every machine):
/// the Tier-1 storage and XCache hosts of the example grid (t1-se, t1-xcache), 0–6 Tier-1
/// workers and 1–3 worker clusters behind campus or WAN links.
std::string random_platform_xml(std::uint64_t seed);

} // namespace hepkit::surrogate::detail
