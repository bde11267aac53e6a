#include "hepkit/sim/gpu/GpuBenchReport.hpp"

#include "hepkit/core/Error.hpp"
#include "hepkit/core/Number.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

namespace hepkit::sim {
namespace {

std::vector<std::string> lines_of(const std::string& path) {
    std::ifstream in(path);
    if (!in)
        throw InputError(path, 0, "", "cannot open the file");
    std::vector<std::string> out;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        out.push_back(line);
    }
    return out;
}

double number(const std::string& text, const std::string& path, std::size_t line, const std::string& key) {
    if (const auto v = parse_finite(text))
        return *v;
    throw InputError(path, line, key, fmt::format("'{}' is not a number", text));
}

// A whole number in [0, max] (k, B, R, n): checked before the integer cast, which is undefined
// beyond the type's range (k=1e300 was a fuzzing finding).
long long whole(const std::string& text, const std::string& path, std::size_t line, const std::string& key,
                double max) {
    const double v = number(text, path, line, key);
    if (!(v >= 0 && v <= max) || v != std::floor(v))
        throw InputError(path, line, key,
                         fmt::format("'{}' must be a whole number from 0 to {:g}", text, max));
    return static_cast<long long>(v);
}

// HH:MM:SS.fff (possibly preceded by a date) -> seconds since midnight
double clock_time(const std::string& text, const std::string& path, std::size_t line) {
    const std::string t = text.substr(text.rfind(' ') == std::string::npos ? 0 : text.rfind(' ') + 1);
    int h = 0, m = 0;
    double s = 0;
    if (std::sscanf(t.c_str(), "%d:%d:%lf", &h, &m, &s) != 3 || h < 0 || h > 23 || m < 0 || m > 59 || s < 0 ||
        s >= 61)
        throw InputError(path, line, "time", fmt::format("'{}' is not a time HH:MM:SS.fff", text));
    return h * 3600.0 + m * 60.0 + s;
}

std::string trim(std::string s) {
    const auto b = s.find_first_not_of(" \t");
    const auto e = s.find_last_not_of(" \t");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

} // namespace

GpuBenchRun read_gpu_bench(const std::string& res, const std::string& per, const std::string& pw) {
    GpuBenchRun run;
    const auto res_lines = lines_of(res);
    for (std::size_t i = 0; i < res_lines.size(); ++i) {
        const std::string& l = res_lines[i];
        const std::size_t ln = i + 1;
        if (l.empty() || l.rfind("name,", 0) == 0 || l.rfind("servers:", 0) == 0)
            continue;
        std::istringstream ss(l);
        std::string first;
        ss >> first;
        if (first.rfind("ATP=", 0) == 0) {
            GpuBenchRun::ThreadPercentage t{number(first.substr(4), res, ln, "ATP"), false, 0};
            std::string word;
            ss >> word;
            if (word == "small") {
                t.small = true;
                ss >> word;
            }
            t.seconds = number(word, res, ln, "ATP");
            run.thread_percentage.push_back(t);
            continue;
        }
        if (first == "alloc") {
            std::string mb;
            ss >> mb;
            if (mb.size() < 4 || mb.substr(mb.size() - 3) != "MB:")
                throw InputError(res, ln, "alloc",
                                 fmt::format("expected 'alloc <n>MB: <result>', got '{}'", l));
            std::string rest;
            std::getline(ss, rest);
            run.allocations.push_back({number(mb.substr(0, mb.size() - 3), res, ln, "alloc"), trim(rest)});
            continue;
        }
        if (l.find(" k=") != std::string::npos) {
            GpuBenchBatch b;
            b.mode = first;
            std::string item;
            bool have_wall = false;
            while (ss >> item) {
                const auto eq = item.find('=');
                if (eq == std::string::npos)
                    throw InputError(res, ln, item, "expected key=value");
                const std::string key = item.substr(0, eq), value = item.substr(eq + 1);
                if (key == "k")
                    b.k = static_cast<int>(whole(value, res, ln, key, 1e6));
                else if (key == "B")
                    b.blocks = static_cast<long>(whole(value, res, ln, key, 1e15));
                else if (key == "R")
                    b.repeats = static_cast<long>(whole(value, res, ln, key, 1e15));
                else if (key == "n")
                    b.launches = static_cast<long>(whole(value, res, ln, key, 1e15));
                else if (key == "start")
                    b.start = clock_time(value, res, ln);
                else if (key == "end")
                    b.end = clock_time(value, res, ln);
                else if (key == "wall") {
                    b.wall = number(value, res, ln, key);
                    have_wall = true;
                }
            }
            if (b.k < 1 || !have_wall || !(b.wall > 0))
                throw InputError(res, ln, "", fmt::format("a batch line needs k >= 1 and wall > 0: '{}'", l));
            if (b.end < b.start) // past midnight
                b.end += 86400;
            run.batches.push_back(std::move(b));
            continue;
        }
        // The nvidia-smi header's values: "NVIDIA H100 80GB HBM3, Default, 700.00 W"
        if (run.card.empty() && l.find(',') != std::string::npos) {
            std::vector<std::string> parts;
            std::stringstream cs(l);
            std::string p;
            while (std::getline(cs, p, ','))
                parts.push_back(trim(p));
            run.card = parts[0];
            if (parts.size() > 1)
                run.compute_mode = parts[1];
            if (parts.size() > 2)
                run.power_limit = std::atof(parts[2].c_str());
            continue;
        }
        throw InputError(res, ln, "", fmt::format("unrecognised line '{}'", l));
    }
    // Loop times: batch after batch, k per batch.
    std::vector<double> loops;
    const auto per_lines = lines_of(per);
    for (std::size_t i = 0; i < per_lines.size(); ++i)
        if (!trim(per_lines[i]).empty())
            loops.push_back(number(trim(per_lines[i]), per, i + 1, "loop"));
    std::size_t next = 0;
    for (auto& b : run.batches) {
        for (int j = 0; j < b.k && next < loops.size(); ++j)
            b.loops.push_back(loops[next++]);
    }
    // Power samples: "YYYY/MM/DD HH:MM:SS.mmm, 69.57 W, 0 %, 345 MHz"
    std::vector<std::pair<double, double>> samples;
    const auto pw_lines = lines_of(pw);
    double day_offset = 0, last = -1;
    for (std::size_t i = 0; i < pw_lines.size(); ++i) {
        const std::string& l = pw_lines[i];
        if (trim(l).empty() || l.rfind("timestamp", 0) == 0)
            continue;
        const auto c1 = l.find(',');
        if (c1 == std::string::npos)
            throw InputError(pw, i + 1, "", fmt::format("expected 'timestamp, power W, ...', got '{}'", l));
        double t = clock_time(trim(l.substr(0, c1)), pw, i + 1) + day_offset;
        if (t < last - 43200) { // crossed midnight
            day_offset += 86400;
            t += 86400;
        }
        last = t;
        std::string pw_text = trim(l.substr(c1 + 1, l.find(',', c1 + 1) - c1 - 1));
        if (pw_text.size() > 2 && pw_text.substr(pw_text.size() - 2) == " W")
            pw_text = pw_text.substr(0, pw_text.size() - 2);
        samples.emplace_back(t, number(pw_text, pw, i + 1, "power.draw"));
    }
    for (auto& b : run.batches) {
        double sum = 0;
        int n = 0;
        for (const auto& [t, p] : samples)
            if (t >= b.start && t <= b.end) {
                sum += p;
                ++n;
            }
        if (n > 0) {
            b.mean_power = sum / n;
            b.energy = b.mean_power * (b.end - b.start);
        }
    }
    if (!run.batches.empty()) {
        double sum = 0;
        int n = 0;
        for (const auto& [t, p] : samples)
            if (t < run.batches.front().start) {
                sum += p;
                ++n;
            }
        run.idle_power = n > 0 ? sum / n : 0;
    }
    return run;
}

GpuBenchRun read_gpu_bench_dir(const std::string& dir) {
    namespace fs = std::filesystem;
    if (!fs::is_directory(dir))
        throw InputError(dir, 0, "", "not a directory");
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir))
        names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    auto find = [&](const char* prefix, const char* ext) {
        for (const auto& n : names)
            if (n.rfind(prefix, 0) == 0 && n.size() > 4 && n.substr(n.size() - 4) == ext)
                return (fs::path(dir) / n).string();
        throw InputError(dir, 0, "", fmt::format("no {}*{} file in the directory", prefix, ext));
    };
    return read_gpu_bench(find("res", ".txt"), find("per", ".txt"), find("pw", ".csv"));
}

std::string gpu_bench_table_csv(const GpuBenchRun& run) {
    std::string out = "mode,blocks,k,wall_s,jobs_per_s,mean_power_W,joules_per_job,mean_loop_s\n";
    for (const auto& b : run.batches) {
        double loop = 0;
        for (double x : b.loops)
            loop += x;
        loop = b.loops.empty() ? 0 : loop / static_cast<double>(b.loops.size());
        out += fmt::format("{},{},{},{:.3f},{:.4f},{:.1f},{:.1f},{:.3f}\n", b.mode, b.blocks, b.k, b.wall,
                           b.jobs_per_second(), b.mean_power, b.joules_per_job(), loop);
    }
    return out;
}

} // namespace hepkit::sim
