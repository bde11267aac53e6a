#include "hepkit/sim/platform/Gpu.hpp"

#include "hepkit/core/Number.hpp"
#include "hepkit/core/Units.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fmt/format.h>
#include <stdexcept>

namespace hepkit::sim {
namespace {

// Data-sheet figures (SMs, memory, FP32 peak, board power limit). Idle and active power of the
// H100 are the measurements of ../shared/reference/gpu-sharing-h100 (70 W idle; 118.6 W with
// one small kernel running, extrapolated to zero SMs busy, docs/models.md §9); for the other
// models idle power is a typical figure and active power is scaled like the H100's:
// active = idle + 0.077 (max - idle). MIG SM counts are NVIDIA's MIG user guide's.
GpuSpec make(const char* model, int sms, double memory, double flops, double idle, double max,
             std::vector<int> mig, double active = 0) {
    GpuSpec g;
    g.model = model;
    g.sms = sms;
    g.memory = memory;
    g.flops = flops;
    g.idle_power = idle;
    g.max_power = max;
    g.active_power = active > 0 ? active : idle + 0.077 * (max - idle);
    g.mig_sms = std::move(mig);
    return g;
}

const std::vector<GpuSpec>& catalogue() {
    static const std::vector<GpuSpec> list = {
        make("H100", 132, 80e9, 67e12, 70, 700, {16, 32, 60, 64, 0, 0, 132}, 118.6),
        make("A100-40GB", 108, 40e9, 19.5e12, 50, 400, {14, 28, 42, 56, 0, 0, 98}),
        make("A100-80GB", 108, 80e9, 19.5e12, 60, 400, {14, 28, 42, 56, 0, 0, 98}),
        make("V100", 80, 32e9, 15.7e12, 40, 300, {}),
        make("L40S", 142, 48e9, 91.6e12, 35, 350, {}),
        make("T4", 40, 16e9, 8.1e12, 10, 70, {}),
    };
    return list;
}

double number(const std::string& key, const std::string& text) {
    if (const auto v = parse_finite(text))
        return *v;
    throw std::invalid_argument(fmt::format("property '{}' = '{}' is not a number", key, text));
}

double quantity(const std::string& key, const std::string& text, units::Kind kind) {
    try {
        return units::parse(text, kind);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(fmt::format("property '{}': {}", key, e.what()));
    }
}

} // namespace

std::optional<GpuSpec> gpu_catalogue(const std::string& model) {
    const std::string name = model == "H100-SXM-80GB" || model == "H100 80GB HBM3" ? "H100" : model;
    for (const auto& g : catalogue())
        if (g.model == name)
            return g;
    return std::nullopt;
}

std::string gpu_catalogue_names() {
    std::string out;
    for (const auto& g : catalogue())
        out += (out.empty() ? "" : ", ") + g.model;
    return out;
}

void check_gpu_spec(const GpuSpec& g) {
    auto positive = [&](const char* field, double v) {
        if (!(v > 0) || !std::isfinite(v))
            throw std::invalid_argument(
                fmt::format("GPU '{}': {} = {} must be a finite number > 0", g.model, field, v));
    };
    positive("sms", g.sms);
    positive("memory", g.memory);
    positive("flops", g.flops);
    positive("idle_power", g.idle_power);
    positive("max_power", g.max_power);
    if (!(g.active_power >= g.idle_power && g.active_power <= g.max_power))
        throw std::invalid_argument(fmt::format("GPU '{}': active_power = {} W must lie between idle_power "
                                                "({} W) and max_power ({} W)",
                                                g.model, g.active_power, g.idle_power, g.max_power));
}

MigProfile parse_mig_profile(const std::string& text, const GpuSpec& gpu) {
    // <g>g.<m>gb: g compute slices of 7, m GB of memory in slices of memory/8 (MIG user guide)
    MigProfile p;
    p.name = text;
    int g = 0;
    double m = 0;
    char tail[4] = {0};
    const auto bad = [&](const std::string& why) {
        return std::invalid_argument(fmt::format("MIG profile '{}' on {}: {}", text, gpu.model, why));
    };
    if (std::sscanf(text.c_str(), "%dg.%lfg%2s", &g, &m, tail) != 3 || std::string(tail) != "b")
        throw bad("expected <slices>g.<memory>gb, e.g. 1g.10gb or 3g.40gb");
    if (gpu.mig_sms.empty())
        throw bad("this GPU model has no MIG (models with MIG: H100, A100-40GB, A100-80GB)");
    if (g < 1 || g > 7 || gpu.mig_sms[static_cast<std::size_t>(g - 1)] == 0)
        throw bad("compute slices must be 1, 2, 3, 4 or 7");
    p.slices = g;
    p.memory = m * units::GB;
    const double slice = gpu.memory / 8;
    if (!(p.memory >= slice * 0.999) || p.memory > gpu.memory * 1.001 ||
        std::fabs(p.memory / slice - std::round(p.memory / slice)) > 1e-6)
        throw bad(fmt::format("memory must be a multiple of {} GB up to {} GB", slice / units::GB,
                              gpu.memory / units::GB));
    p.sms = gpu.mig_sms[static_cast<std::size_t>(g - 1)];
    return p;
}

std::vector<GpuSpec> gpus_from_props(const std::map<std::string, std::string>& props, double& power_idle,
                                     double& power_max) {
    if (auto it = props.find("wattage_per_state"); it != props.end()) {
        // SimGrid's energy plugin: "idle:one-core:all-cores" (older files: "idle:all-cores");
        // with DVFS several such triples separated by commas: the first one is used.
        const std::string first = it->second.substr(0, it->second.find(','));
        std::vector<double> w;
        std::size_t pos = 0;
        while (pos <= first.size()) {
            const auto colon = first.find(':', pos);
            w.push_back(number("wattage_per_state", first.substr(pos, colon - pos)));
            if (colon == std::string::npos)
                break;
            pos = colon + 1;
        }
        if (w.size() < 2 || !(w.front() >= 0) || !(w.back() >= w.front()))
            throw std::invalid_argument(fmt::format(
                "property 'wattage_per_state' = '{}': expected idle:one-core:all-cores in W, non-decreasing",
                it->second));
        power_idle = w.front();
        power_max = w.back();
    }
    const bool any = std::any_of(props.begin(), props.end(),
                                 [](const auto& kv) { return kv.first.rfind("gpu_", 0) == 0; });
    if (!any)
        return {};
    const auto model_it = props.find("gpu_model");
    GpuSpec g;
    if (model_it != props.end()) {
        if (auto known = gpu_catalogue(model_it->second))
            g = *known;
        else
            g.model = model_it->second;
    }
    int count = 1;
    for (const auto& [key, value] : props) {
        if (key.rfind("gpu_", 0) != 0 || key == "gpu_model")
            continue;
        if (key == "gpu_count") {
            const double c = number(key, value);
            if (c < 1 || c > 1024 || c != std::floor(c))
                throw std::invalid_argument(
                    fmt::format("property 'gpu_count' = '{}' must be an integer from 1 to 1024", value));
            count = static_cast<int>(c);
        } else if (key == "gpu_sms") {
            g.sms = static_cast<int>(number(key, value));
        } else if (key == "gpu_memory") {
            g.memory = quantity(key, value, units::Kind::size);
        } else if (key == "gpu_flops") {
            g.flops = quantity(key, value, units::Kind::speed);
        } else if (key == "gpu_idle_power") {
            g.idle_power = quantity(key, value, units::Kind::power);
        } else if (key == "gpu_active_power") {
            g.active_power = quantity(key, value, units::Kind::power);
        } else if (key == "gpu_max_power") {
            g.max_power = quantity(key, value, units::Kind::power);
        } else {
            throw std::invalid_argument(fmt::format(
                "unknown GPU property '{}' (allowed: gpu_model, gpu_count, gpu_sms, gpu_memory, gpu_flops, "
                "gpu_idle_power, gpu_active_power, gpu_max_power)",
                key));
        }
    }
    if (model_it == props.end() && g.model.empty())
        g.model = "gpu";
    if (g.model != "gpu" && !gpu_catalogue(g.model) && (g.sms == 0 || g.memory == 0))
        throw std::invalid_argument(fmt::format("GPU model '{}' is not in the catalogue ({}); give gpu_sms, "
                                                "gpu_memory, gpu_flops and the powers",
                                                g.model, gpu_catalogue_names()));
    if (g.active_power == 0 && g.max_power > 0)
        g.active_power = g.idle_power + 0.077 * (g.max_power - g.idle_power);
    check_gpu_spec(g);
    return std::vector<GpuSpec>(static_cast<std::size_t>(count), g);
}

} // namespace hepkit::sim
