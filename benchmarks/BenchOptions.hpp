#pragma once
// The benchmark programs' command lines: "--name value" pairs, each option a name and what sets it
// (`into(variable)` for a number, a string or a path). `--help` (or `-h`) prints the usage and
// exits 0; an unknown option, an option without its value or a bad value prints what was wrong and
// the usage, and exits 64 (a usage error, as `hepkit`'s own). Each program used to loop over pairs
// by itself, so a lone trailing word (`--help`, a forgotten value) was ignored and the benchmark
// ran with its defaults for minutes, and a bad number became 0.

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace hepkit::bench {

/// Sets an option's target from its value; throws on a bad value.
using Setter = std::function<void(const std::string&)>;

struct Option {
    const char* name; ///< with its dashes: "--events"
    Setter set;
};

/// A Setter that stores the value in `target`: the whole text as a number of T's kind (no sign for
/// an unsigned T), or as it is for a string or a path.
template <class T>
Setter into(T& target) {
    return [&target](const std::string& v) {
        if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::filesystem::path>) {
            target = v;
        } else {
            std::size_t used = 0;
            if constexpr (std::is_floating_point_v<T>)
                target = static_cast<T>(std::stod(v, &used));
            else if constexpr (std::is_signed_v<T>)
                target = static_cast<T>(std::stoll(v, &used));
            else if (v.find('-') == std::string::npos)
                target = static_cast<T>(std::stoull(v, &used));
            if (used == 0 || used != v.size())
                throw std::invalid_argument(v);
        }
    };
}

/// Applies every "--name value" pair of the command line, in order (see above).
inline void parse_options(int argc, char** argv, const char* usage, const std::vector<Option>& options) {
    for (int i = 1; i < argc; i += 2) {
        const std::string name = argv[i];
        if (name == "--help" || name == "-h") {
            std::printf("usage: %s\n", usage);
            std::exit(0);
        }
        std::string problem = "unknown option " + name;
        for (const auto& option : options) {
            if (name != option.name)
                continue;
            problem.clear();
            if (i + 1 >= argc) {
                problem = name + " needs a value";
            } else {
                try {
                    option.set(argv[i + 1]);
                } catch (const std::exception&) {
                    problem = "bad value '" + std::string(argv[i + 1]) + "' for " + name;
                }
            }
        }
        if (!problem.empty()) {
            std::fprintf(stderr, "%s\nusage: %s\n", problem.c_str(), usage);
            std::exit(64);
        }
    }
}

} // namespace hepkit::bench
