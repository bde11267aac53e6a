#pragma once
// The per-job model tests' data and training (SequenceTest.cpp, SequenceOutputTest.cpp): eight
// small samples made once per test binary, and a brief training on them.

#include "Helpers.hpp"
#include "hepkit/surrogate/Generate.hpp"
#include "hepkit/surrogate/SequenceModel.hpp"

#include <filesystem>
#include <string>

namespace hepkit::surrogate::sequence_test {

inline const std::string& base_scenario() {
    static const std::string base = std::string(HEPKIT_SOURCE_DIR) + "/examples/surrogate/base.yaml";
    return base;
}

// Eight small samples of two bases, made once.
inline const std::filesystem::path& sequence_data() {
    static const std::filesystem::path dir = [] {
        const std::filesystem::path d = hepkit::test::temp_dir("sequence", "data");
        Space s;
        s.origin = "test";
        s.bases = {base_scenario(),
                   std::string(HEPKIT_SOURCE_DIR) + "/examples/surrogate/base-three-sites.yaml"};
        s.samples = 8;
        s.seed = 2;
        s.parameters = {{"cores_factor", 0.5, 2, false}, {"jobs_factor", 0.4, 0.8, false}};
        GenerateOptions o;
        o.threads = 2;
        generate(s, d.string(), o);
        return d;
    }();
    return dir;
}

// A brief training of `kind` into `out`: 6 epochs, no early stopping.
inline SequenceTrainConfig brief(SequenceKind kind, const std::filesystem::path& out, std::uint64_t seed) {
    SequenceTrainConfig c;
    c.data = sequence_data().string();
    c.output = out.string();
    c.kind = kind;
    c.epochs = 6;
    c.patience = 0;
    c.learning_rate = 3e-3;
    c.seed = seed;
    return c;
}

} // namespace hepkit::surrogate::sequence_test
