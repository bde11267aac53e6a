#pragma once
/// @file
/// What every libFuzzer harness shares: a private scratch directory with small, valid helper
/// files that fuzzed documents may name (a platform, datasets, workloads, a job list), writing
/// the fuzz input to a file for the readers that only take paths, and the rule that decides
/// what is a finding: hepkit::InputError is the documented outcome of bad input; any other
/// exception escapes the harness and libFuzzer reports it (as it reports crashes, sanitizer
/// errors, leaks, timeouts and out-of-memory).

#include "hepkit/core/Error.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>
#include <unistd.h>

namespace hepkit::fuzz {

// Small valid inputs that fuzzed documents can refer to by name (relative to scratch()).
inline constexpr const char* helper_platform_xml = R"(<?xml version='1.0'?>
<platform version="4.1">
  <zone id="site" routing="Full">
    <host id="se" speed="1Gf"><prop id="type" value="storage"/>
      <disk id="d" read_bw="1GBps" write_bw="1GBps"><prop id="size" value="1PB"/></disk></host>
    <host id="wn" speed="1Gf" core="4"><prop id="type" value="worker,cache"/>
      <disk id="c" read_bw="1GBps" write_bw="1GBps"><prop id="size" value="1TB"/></disk></host>
    <link id="l" bandwidth="1GBps"/>
    <route src="se" dst="wn"><link_ctn id="l"/></route>
  </zone>
</platform>
)";
inline constexpr const char* helper_platform_yaml = R"(links: [{id: l, bandwidth: 1Gbps, latency: 1ms}]
hosts: [{id: a, speed: 1Gf, disks: [{id: d, read_bw: 1GBps, write_bw: 1GBps, size: 1TB}]}, {id: b, speed: 1Gf}]
routes: [{src: a, dst: b, links: [l]}]
)";
inline constexpr const char* helper_datasets_json =
    R"({"ds": {"location": "se", "num_files": 4, "filesize": {"type": "gaussian", "average": 1e9, "sigma": 1e8}}})";
inline constexpr const char* helper_workloads_json =
    R"({"w": {"num_jobs": 2, "cores": {"type": "histogram", "counts": [0, 1]},
       "flops": {"type": "gaussian", "average": 1e10, "sigma": 0},
       "memory": {"type": "gaussian", "average": 1e9, "sigma": 0},
       "outfilesize": {"type": "gaussian", "average": 1e8, "sigma": 0},
       "workload_type": "streaming", "submission_time": 0, "infile_dataset": "ds"}})";
inline constexpr const char* helper_jobs_csv =
    "id,submit,cores,memory,flops,inputs,output_size\nj1,0,1,1GB,10Gf,,0\n";
inline constexpr const char* helper_activities_csv =
    "id,type,source,destination,amount,start\nt1,transfer,a,b,1GB,0\n";
inline constexpr const char* helper_scenario_yaml =
    "platform: platform.xml\ndatasets: [datasets.json]\nworkloads: [workloads.json]\n";

inline void write_file(const std::filesystem::path& path, std::string_view text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

/// The scratch directory of this process (created, with the helper files, on first use;
/// removed at exit).
inline const std::filesystem::path& scratch() {
    struct Dir {
        std::filesystem::path path;
        Dir() {
            path = std::filesystem::temp_directory_path() / ("hepkit-fuzz-" + std::to_string(::getpid()));
            std::filesystem::create_directories(path);
            write_file(path / "platform.xml", helper_platform_xml);
            write_file(path / "platform.yaml", helper_platform_yaml);
            write_file(path / "datasets.json", helper_datasets_json);
            write_file(path / "workloads.json", helper_workloads_json);
            write_file(path / "jobs.csv", helper_jobs_csv);
            write_file(path / "activities.csv", helper_activities_csv);
            write_file(path / "scenario.yaml", helper_scenario_yaml);
        }
        ~Dir() {
            std::error_code ec;
            std::filesystem::remove_all(path, ec);
        }
    };
    static const Dir dir;
    return dir.path;
}

/// Writes the fuzz input to scratch()/name and returns the path.
inline std::string write_input(const std::uint8_t* data, std::size_t size, const std::string& name) {
    const std::filesystem::path path = scratch() / name;
    write_file(path, std::string_view(reinterpret_cast<const char*>(data), size));
    return path.string();
}

/// Counts above which a harness skips an input. The readers accept up to 1e8 jobs, files or
/// transfers per entry and 1e7 cluster hosts (documented bounds; beyond them they throw), and
/// building that many costs time and memory in proportion, by design: a fuzzer would report such
/// legal inputs as timeouts or out-of-memory. The bounds themselves are tested by
/// tests/core/HostileInputTest.cpp.
inline constexpr double max_fuzzed_count = 1e4;

/// True if `text` asks for more than max_fuzzed_count generated items: a count key
/// (`num_jobs`, `num_files`, `infiles_per_job`, `transfers`) followed by a larger number, or a
/// cluster `radical` naming one.
inline bool asks_for_many(std::string_view text) {
    auto number_at = [&](std::size_t i, bool& big) {
        while (i < text.size() && std::string_view(" \t\"':=").find(text[i]) != std::string_view::npos)
            ++i;
        const std::string digits(text.substr(i, 40));
        char* end = nullptr;
        const double v = std::strtod(digits.c_str(), &end);
        big = big || (end != digits.c_str() && !(v <= max_fuzzed_count));
        return i + static_cast<std::size_t>(end - digits.c_str());
    };
    bool big = false;
    for (const char* key : {"num_jobs", "num_files", "infiles_per_job", "transfers"})
        for (std::size_t at = text.find(key); at != std::string_view::npos; at = text.find(key, at + 1))
            number_at(at + std::string_view(key).size(), big);
    for (std::size_t at = text.find("radical"); at != std::string_view::npos;
         at = text.find("radical", at + 1)) {
        std::size_t i = at + 7;
        for (int k = 0; k < 64 && i < text.size() && text[i] != '>' && text[i] != '\n'; ++k) {
            const std::size_t j = number_at(i, big);
            i = j > i ? j : i + 1;
        }
    }
    return big;
}

/// Runs `f`; InputError is the expected outcome of bad input, everything else escapes.
template <class F>
void expect_input_errors(F&& f) {
    try {
        f();
    } catch (const hepkit::InputError&) {
    }
}

} // namespace hepkit::fuzz
