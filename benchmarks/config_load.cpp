// Reading configuration and workload files (hepkit::config::load_json_file / load_yaml_file)
// against the parsers alone on the same text, ratios measured in the same run: what hepkit's
// checks add (the file's size bound, JSON nesting, keys written twice; src/core/UniqueKeys.cpp).
// A DCSim workload file of a WLCG day holds ~10^5 objects side by side; a check that grew with the
// square of a container's entries (nlohmann's callback parser did: 42 s instead of 0.65 for a 32
// MB file) shows here as a ratio of tens. The program fails (exit 1) when a ratio exceeds
// --max-ratio (default 3), so the smoke test in ctest catches a change of that kind.
//
//   build/benchmarks/bench_config_load [--entries N] [--repeat R] [--max-ratio X]

#include "BenchOptions.hpp"
#include "hepkit/core/ConfigReader.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <system_error>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

namespace fs = std::filesystem;

namespace {

double seconds_of(const std::function<void()>& f, int repeat) {
    double best = 1e300;
    for (int r = 0; r < repeat; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        f();
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return best;
}

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

int run(int argc, char** argv) {
    long entries = 60000;
    int repeat = 3;
    double max_ratio = 3;
    hepkit::bench::parse_options(argc, argv, "bench_config_load [--entries N] [--repeat R] [--max-ratio X]",
                                 {{"--entries", hepkit::bench::into(entries)},
                                  {"--repeat", hepkit::bench::into(repeat)},
                                  {"--max-ratio", hepkit::bench::into(max_ratio)}});
    const fs::path dir = fs::temp_directory_path() / fmt::format("hepkit-bench-config-{}", ::getpid());
    fs::create_directories(dir);
    struct RemoveAtExit { // also when a reader throws (run() is called within a try)
        fs::path dir;
        ~RemoveAtExit() {
            std::error_code ec;
            fs::remove_all(dir, ec);
        }
    } remove_at_exit{dir};
    // A DCSim-like workload file: one object per workload, each with distributions (nested objects).
    {
        std::ofstream out(dir / "workloads.json");
        out << "{\n";
        for (long i = 0; i < entries; ++i)
            out << fmt::format(
                R"(  "wl_{}": {{"num_jobs": {}, "cores": {{"type": "histogram", "bins": [1, 2, 4], )"
                R"("counts": [1, 3]}}, "flops": {{"type": "gaussian", "average": 1.5e12, "sigma": )"
                R"(2e11}}, "workload_type": "analysis", "infiles": ["ds_{}"]}}{})",
                i, 10 + i % 90, i % 100, i + 1 < entries ? ",\n" : "\n");
        out << "}\n";
        std::ofstream yaml(dir / "jobs.yaml");
        yaml << "jobs:\n";
        for (long i = 0; i < entries / 4; ++i)
            yaml << fmt::format("  - {{name: j{}, cores: {}, site: KIT, flops: {{mean: 1e12, sd: 2e11}}}}\n",
                                i, 1 + i % 8);
    }
    const std::string json_text = read(dir / "workloads.json"), yaml_text = read(dir / "jobs.yaml");
    const std::string json_path = (dir / "workloads.json").string(), yaml_path = (dir / "jobs.yaml").string();
    std::size_t sink = 0;
    const double json_plain = seconds_of([&] { sink += nlohmann::json::parse(json_text).size(); }, repeat);
    const double json_hepkit =
        seconds_of([&] { sink += hepkit::config::load_json_file(json_path).size(); }, repeat);
    const double yaml_plain = seconds_of([&] { sink += YAML::Load(yaml_text).size(); }, repeat);
    const double yaml_hepkit =
        seconds_of([&] { sink += hepkit::config::load_yaml_file(yaml_path).size(); }, repeat);
    std::printf("%-52s %10s %10s %8s\n", fmt::format("file (best of {} runs)", repeat).c_str(), "parser s",
                "hepkit s", "ratio");
    const double rj = json_hepkit / json_plain, ry = yaml_hepkit / yaml_plain;
    std::printf(
        "%-52s %10.4f %10.4f %8.2f\n",
        fmt::format("JSON, {} workloads ({:.1f} MB)", entries, static_cast<double>(json_text.size()) / 1e6)
            .c_str(),
        json_plain, json_hepkit, rj);
    std::printf(
        "%-52s %10.4f %10.4f %8.2f\n",
        fmt::format("YAML, {} jobs ({:.1f} MB)", entries / 4, static_cast<double>(yaml_text.size()) / 1e6)
            .c_str(),
        yaml_plain, yaml_hepkit, ry);
    std::printf("(values read: %zu)\n", sink);
    if (rj > max_ratio || ry > max_ratio) {
        std::printf("FAIL: a ratio above %.1f: hepkit's checks cost more than the parsing itself\n",
                    max_ratio);
        return 1;
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::printf("FAIL: %s\n", e.what());
        return 1;
    }
}
