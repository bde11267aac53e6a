// Replays fuzz inputs through the harnesses without libFuzzer, so that the normal build's test
// suite (any compiler, with or without sanitizers) runs every kept regression input and seed:
//     hepkit-fuzz-replay HARNESS FILE...
// Exit status 0 when every input ends normally or in an InputError; an escaping exception,
// a crash or a sanitizer report fails the test.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#define HEPKIT_HARNESS(name) extern "C" int name##_one_input(const std::uint8_t*, std::size_t);
#include "Harnesses.def"
#undef HEPKIT_HARNESS

namespace {
struct Harness {
    const char* name;
    int (*run)(const std::uint8_t*, std::size_t);
};
constexpr Harness harnesses[] = {
#define HEPKIT_HARNESS(name) {#name, name##_one_input},
#include "Harnesses.def"
#undef HEPKIT_HARNESS
};
} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s HARNESS FILE...\n", argv[0]);
        return 2;
    }
    for (const Harness& h : harnesses) {
        if (std::strcmp(h.name, argv[1]) != 0)
            continue;
        for (int i = 2; i < argc; ++i) {
            std::ifstream in(argv[i], std::ios::binary);
            if (!in) {
                std::fprintf(stderr, "cannot read %s\n", argv[i]);
                return 2;
            }
            const std::vector<char> data((std::istreambuf_iterator<char>(in)),
                                         std::istreambuf_iterator<char>());
            std::fprintf(stderr, "%s: %s (%zu bytes)\n", h.name, argv[i], data.size());
            h.run(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
        }
        return 0;
    }
    std::fprintf(stderr, "unknown harness '%s'\n", argv[1]);
    return 2;
}
