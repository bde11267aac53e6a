#pragma once
// Shared by the benchmarks that compare hepkit with a Python baseline in the same run
// (nn_train, nn_inference_aware, infer_fit): running the baseline script and summarising repeats.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace hepkit::bench {

/// The standard output of `command` (run through the shell), or "" when it cannot start or fails.
inline std::string run_capture(const std::string& command) {
    std::string out;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe)
        return out;
    char buffer[4096];
    while (std::fgets(buffer, sizeof buffer, pipe))
        out += buffer;
    return ::pclose(pipe) == 0 ? out : "";
}

/// The median of `v` (NaN when empty).
inline double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n == 0 ? NAN : n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

} // namespace hepkit::bench
