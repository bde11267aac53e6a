#pragma once
/// @file
/// Seeded random streams: one independent stream per named consumer.
///
/// Each consumer (the workload generator, a cache's eviction tie-breaker, ...) asks for its own
/// stream by name. The stream's seed is a hash of the master seed and the name, so adding a
/// consumer or drawing more numbers in one stream never changes another stream's draws.

#include <cstdint>
#include <random>
#include <string_view>

namespace hepkit {

/// SplitMix64 finaliser (Steele, Lea, Flood 2014, "Fast splittable pseudorandom number
/// generators"): a bijective 64-bit mixer used to derive well-separated seeds.
constexpr std::uint64_t splitmix64(std::uint64_t x) noexcept {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/// FNV-1a hash of a name; stable across platforms and compilers (unlike std::hash).
constexpr std::uint64_t stable_hash(std::string_view name) noexcept {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (char c : name) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ULL;
    }
    return h;
}

/// Factory of independent named streams from one master seed.
class RandomStreams {
  public:
    using Engine = std::mt19937_64;
    explicit RandomStreams(std::uint64_t master_seed) : seed_(master_seed) {}

    /// The stream for consumer `name`: the same (seed, name) always gives the same sequence.
    Engine stream(std::string_view name) const {
        return Engine(splitmix64(seed_ ^ splitmix64(stable_hash(name))));
    }
    std::uint64_t seed() const noexcept { return seed_; }

  private:
    std::uint64_t seed_;
};

/// Uniform double in [0, 1) from a 64-bit engine, identical on every platform (the standard
/// distributions are not specified bit-for-bit, so outputs would differ between libraries).
inline double uniform01(std::mt19937_64& engine) {
    return static_cast<double>(engine() >> 11) * 0x1.0p-53;
}

} // namespace hepkit
