// Spaces of scenarios: reading (every error names file, line and key) and drawing (reproducible
// per sample, inside the ranges).

#include "hepkit/surrogate/Space.hpp"
#include "hepkit/core/Error.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <set>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace hepkit;
using namespace hepkit::surrogate;

namespace {

fs::path write_space(const std::string& name, const std::string& text) {
    const fs::path dir = fs::temp_directory_path() / ("hepkit-space-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const fs::path p = dir / name;
    std::ofstream(p) << text;
    return p;
}

std::string error_of(const std::string& text) {
    try {
        read_space(write_space("bad.yaml", text).string());
    } catch (const InputError& e) {
        return e.what();
    }
    return "no error";
}

TEST(SurrogateSpace, ReadsRangesAndResolvesTheBase) {
    const auto p = write_space("space.yaml", "base: sub/base.yaml\nsamples: 7\nseed: 3\nthreads: 2\n"
                                             "parameters:\n  cores_factor: {min: 0.5, max: 2}\n"
                                             "  link_bandwidth_factor: {min: 0.25, max: 4, log: true}\n"
                                             "  removed_hosts: {min: 0, max: 2}\n  hitrate: 0.25\n");
    const Space s = read_space(p.string());
    EXPECT_EQ(s.bases, std::vector<std::string>{(p.parent_path() / "sub/base.yaml").string()});
    EXPECT_EQ(s.samples, 7U);
    EXPECT_EQ(s.seed, 3U);
    EXPECT_EQ(s.threads, 2U);
    ASSERT_EQ(s.parameters.size(), 4U);
    EXPECT_EQ(s.parameters[1].name, "link_bandwidth_factor");
    EXPECT_TRUE(s.parameters[1].log);
    EXPECT_EQ(s.parameters[3].min, 0.25);
    EXPECT_EQ(s.parameters[3].max, 0.25);
}

TEST(SurrogateSpace, SeveralBasesAreDrawnUniformly) {
    const auto p = write_space("bases.yaml", "base: [a.yaml, /abs/b.yaml, c.yaml]\nsamples: 900\n");
    const Space s = read_space(p.string());
    ASSERT_EQ(s.bases.size(), 3U);
    EXPECT_EQ(s.bases[1], "/abs/b.yaml");
    int count[3] = {0, 0, 0};
    for (std::size_t k = 0; k < s.samples; ++k)
        ++count[draw(s, k).base];
    for (const int c : count)
        EXPECT_NEAR(c, 300, 70);
    EXPECT_NE(error_of("base: []\nsamples: 2\n").find("non-empty list"), std::string::npos);
}

TEST(SurrogateSpace, RandomPlatformsAtTheAskedShare) {
    const Space s = read_space(write_space("random.yaml", "base: [a.yaml, b.yaml]\nsamples: 1000\n"
                                                          "random_platforms: 0.3\n")
                                   .string());
    EXPECT_DOUBLE_EQ(s.random_platforms, 0.3);
    std::set<std::uint64_t> seeds;
    int random = 0;
    for (std::size_t k = 0; k < s.samples; ++k) {
        const Sample d = draw(s, k);
        if (d.platform_seed != 0) {
            ++random;
            EXPECT_EQ(d.base, 0U); // the first base gives the workload
            seeds.insert(d.platform_seed);
        }
        EXPECT_EQ(draw(s, k).platform_seed, d.platform_seed); // reproducible
    }
    EXPECT_NEAR(random, 300, 60);
    EXPECT_EQ(seeds.size(), static_cast<std::size_t>(random)); // a platform of its own each
    // without the key nothing changes: no sample gets one
    const Space none = read_space(write_space("none.yaml", "base: a.yaml\nsamples: 5\n").string());
    for (std::size_t k = 0; k < none.samples; ++k)
        EXPECT_EQ(draw(none, k).platform_seed, 0U);
    EXPECT_NE(error_of("base: b.yaml\nsamples: 2\nrandom_platforms: 1.5\n").find("between 0 and 1"),
              std::string::npos);
}

TEST(SurrogateSpace, BadSpacesNameTheKeyAndWhatIsAllowed) {
    EXPECT_NE(
        error_of("base: b.yaml\nsamples: 3\nparameters:\n  cpu_factor: {min: 1, max: 2}\n")
            .find("bad.yaml:4: parameters.cpu_factor: unknown parameter 'cpu_factor'; allowed: cores_factor"),
        std::string::npos);
    EXPECT_NE(error_of("base: b.yaml\nsamples: 3\nparameters:\n  cores_factor: {min: 2, max: 1}\n")
                  .find("min 2 is above max 1"),
              std::string::npos);
    EXPECT_NE(error_of("base: b.yaml\nsamples: 3\nparameters:\n  hitrate: {min: 0, max: 1.5}\n")
                  .find("[0, 1.5] leaves the allowed range [0, 1]"),
              std::string::npos);
    EXPECT_NE(
        error_of("base: b.yaml\nsamples: 3\nparameters:\n  latency_factor: {min: 0, max: 2, log: true}\n")
            .find("a log range needs min > 0"),
        std::string::npos);
    EXPECT_NE(error_of("base: b.yaml\nsamples: 3\nparameters:\n  removed_hosts: {min: 0, max: 1.5}\n")
                  .find("must be integers"),
              std::string::npos);
    EXPECT_NE(error_of("base: b.yaml\nsamples: 0\n").find("samples: 0 samples: must be between 1"),
              std::string::npos);
    EXPECT_NE(error_of("base: b.yaml\nsamples: 2\ncolour: red\n").find("colour"), std::string::npos);
    EXPECT_NE(error_of("samples: 2\n").find("base"), std::string::npos);
}

TEST(SurrogateSpace, SamplesAreReproducibleAloneAndInsideTheirRanges) {
    Space s;
    s.seed = 11;
    s.samples = 1000;
    s.parameters = {{"cores_factor", 0.5, 2, false},
                    {"link_bandwidth_factor", 0.25, 4, true},
                    {"removed_hosts", 0, 2, false},
                    {"hitrate", 0.3, 0.3, false}};
    int removed[3] = {0, 0, 0};
    double log_below_one = 0;
    for (std::size_t k = 0; k < s.samples; ++k) {
        const Sample a = draw(s, k);
        const Sample b = draw(s, k); // alone, again: the same
        EXPECT_EQ(a.values, b.values);
        EXPECT_EQ(a.scenario_seed, b.scenario_seed);
        EXPECT_GE(a.values.at("cores_factor"), 0.5);
        EXPECT_LE(a.values.at("cores_factor"), 2);
        const double bw = a.values.at("link_bandwidth_factor");
        EXPECT_GE(bw, 0.25);
        EXPECT_LE(bw, 4);
        log_below_one += bw < 1 ? 1 : 0;
        const double r = a.values.at("removed_hosts");
        ASSERT_EQ(r, std::floor(r));
        ASSERT_GE(r, 0);
        ASSERT_LE(r, 2);
        ++removed[static_cast<int>(r)];
        EXPECT_EQ(a.values.at("hitrate"), 0.3);
    }
    // log-uniform on [1/4, 4]: half below 1 (binomial, 1000 draws: within 5 sigma = 80)
    EXPECT_NEAR(log_below_one, 500, 80);
    for (int c : removed) // each count a third of the time
        EXPECT_NEAR(c, 333, 75);
    EXPECT_NE(draw(s, 0).values, draw(s, 1).values);
    EXPECT_NE(draw(s, 0).scenario_seed, draw(s, 1).scenario_seed);
    Space other = s;
    other.seed = 12;
    EXPECT_NE(draw(s, 0).values, draw(other, 0).values);
}

} // namespace
