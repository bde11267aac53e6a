#pragma once
// The benchmark programs' command lines: "--name value" pairs. `--help` (or `-h`) prints the usage
// and exits 0; an unknown option, an option without its value or a value the program refuses
// prints what was wrong and the usage, and exits 64 (a usage error, as `hepkit`'s own). Each
// program used to loop over pairs by itself, so a lone trailing word (`--help`, a forgotten value)
// was ignored and the benchmark ran with its defaults for minutes.

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <string>

namespace hepkit::bench {

/// Calls set(name, value) for every "--name value" pair of the command line, in order; set returns
/// false for a name it does not know and may throw (std::stol and the like) on a bad value.
inline void parse_options(int argc, char** argv, const char* usage,
                          const std::function<bool(const std::string&, const std::string&)>& set) {
    for (int i = 1; i < argc; i += 2) {
        const std::string name = argv[i];
        if (name == "--help" || name == "-h") {
            std::printf("usage: %s\n", usage);
            std::exit(0);
        }
        std::string problem;
        if (i + 1 >= argc) {
            problem = name + " needs a value";
        } else {
            try {
                if (!set(name, argv[i + 1]))
                    problem = "unknown option " + name;
            } catch (const std::exception&) {
                problem = "bad value '" + std::string(argv[i + 1]) + "' for " + name;
            }
        }
        if (!problem.empty()) {
            std::fprintf(stderr, "%s\nusage: %s\n", problem.c_str(), usage);
            std::exit(64);
        }
    }
}

} // namespace hepkit::bench
