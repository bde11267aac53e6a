#include "hepkit/sim/gpu/GpuPolicy.hpp"

#include "hepkit/core/EnumTable.hpp"
#include "hepkit/core/Number.hpp"
#include "hepkit/core/Units.hpp"

#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

namespace hepkit::sim {
namespace {

// The policy names of the text form; each sets the slots and the execution of a policy.
enum class PolicyKind { exclusive, repeat, divide, time_slicing, mps, mig };
constexpr auto policy_kinds =
    make_enum_table<PolicyKind>("GPU sharing policy", {{"exclusive", PolicyKind::exclusive},
                                                       {"repeat", PolicyKind::repeat},
                                                       {"divide", PolicyKind::divide},
                                                       {"time-slicing", PolicyKind::time_slicing},
                                                       {"mps", PolicyKind::mps},
                                                       {"mig", PolicyKind::mig}});

bool parse_bool(const std::string& key, const std::string& v) {
    if (v == "true" || v == "1" || v == "yes")
        return true;
    if (v == "false" || v == "0" || v == "no")
        return false;
    throw std::invalid_argument(fmt::format("GPU policy key '{}' = '{}' must be true or false", key, v));
}

double parse_number(const std::string& key, const std::string& v) {
    if (const auto x = parse_finite(v))
        return *x;
    throw std::invalid_argument(fmt::format("GPU policy key '{}' = '{}' is not a number", key, v));
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    for (;;) {
        const auto next = s.find(sep, pos);
        out.push_back(s.substr(pos, next - pos));
        if (next == std::string::npos)
            return out;
        pos = next + 1;
    }
}

} // namespace

void set_gpu_policy_key(GpuPolicy& p, const std::string& key, const std::string& value) {
    if (key == "slots") {
        const double n = parse_number(key, value);
        if (n < 1 || n > 1024 || n != std::floor(n))
            throw std::invalid_argument(
                fmt::format("GPU policy '{}': slots = {} must be an integer from 1 to 1024", p.name, value));
        if (p.slots == GpuPolicy::Slots::exclusive && n != 1)
            throw std::invalid_argument("GPU policy 'exclusive' has one slot per device");
        p.count = static_cast<int>(n);
    } else if (key == "mps") {
        if (p.slots != GpuPolicy::Slots::repeat && p.slots != GpuPolicy::Slots::divide)
            throw std::invalid_argument(
                fmt::format("GPU policy '{}': key 'mps' is only for repeat and divide", p.name));
        p.execution = parse_bool(key, value) ? GpuPolicy::Execution::mps : GpuPolicy::Execution::time_slicing;
    } else if (key == "thread_percentage") {
        p.thread_percentage = parse_number(key, value);
        if (!(p.thread_percentage > 0 && p.thread_percentage <= 100))
            throw std::invalid_argument(
                fmt::format("GPU policy '{}': thread_percentage = {} must be in (0, 100]", p.name, value));
    } else if (key == "memory_limit") {
        try {
            p.memory_limit = units::parse(value, units::Kind::size);
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(fmt::format("GPU policy '{}': memory_limit: {}", p.name, e.what()));
        }
        if (!(p.memory_limit > 0))
            throw std::invalid_argument(fmt::format("GPU policy '{}': memory_limit must be > 0", p.name));
    } else if (key == "multi_user") {
        p.multi_user = parse_bool(key, value);
    } else if (key == "profiles") {
        if (p.slots != GpuPolicy::Slots::mig)
            throw std::invalid_argument(
                fmt::format("GPU policy '{}': key 'profiles' is only for mig", p.name));
        p.profiles = split(value, '+');
    } else {
        throw std::invalid_argument(fmt::format("GPU policy '{}': unknown key '{}' (allowed: slots, mps, "
                                                "thread_percentage, memory_limit, multi_user, profiles)",
                                                p.name, key));
    }
    const bool mps_keys = key == "thread_percentage" || key == "memory_limit" || key == "multi_user";
    if (mps_keys && p.execution != GpuPolicy::Execution::mps)
        throw std::invalid_argument(fmt::format(
            "GPU policy '{}': key '{}' needs MPS (policy mps, or repeat/divide with mps=true first)", p.name,
            key));
}

GpuPolicy parse_gpu_policy(std::string_view text) {
    const std::string s(text);
    const auto parts = split(s, ',');
    std::string head = parts[0];
    std::string arg;
    if (const auto colon = head.find(':'); colon != std::string::npos) {
        arg = head.substr(colon + 1);
        head = head.substr(0, colon);
    }
    GpuPolicy p;
    p.name = head;
    switch (policy_kinds.parse(head)) {
    case PolicyKind::exclusive:
        p.slots = GpuPolicy::Slots::exclusive;
        break;
    case PolicyKind::repeat:
    case PolicyKind::time_slicing:
        p.slots = GpuPolicy::Slots::repeat;
        break;
    case PolicyKind::divide:
        p.slots = GpuPolicy::Slots::divide;
        break;
    case PolicyKind::mps:
        p.slots = GpuPolicy::Slots::repeat;
        p.execution = GpuPolicy::Execution::mps;
        break;
    case PolicyKind::mig:
        p.slots = GpuPolicy::Slots::mig;
        break;
    }
    if (!arg.empty())
        set_gpu_policy_key(p, p.slots == GpuPolicy::Slots::mig ? "profiles" : "slots", arg);
    for (std::size_t i = 1; i < parts.size(); ++i) {
        const auto eq = parts[i].find('=');
        if (eq == std::string::npos)
            throw std::invalid_argument(fmt::format("GPU policy '{}': '{}' is not key=value", s, parts[i]));
        set_gpu_policy_key(p, parts[i].substr(0, eq), parts[i].substr(eq + 1));
    }
    const bool counted = !arg.empty() || s.find("slots=") != std::string::npos;
    if (!counted && p.slots != GpuPolicy::Slots::exclusive && p.slots != GpuPolicy::Slots::mig)
        throw std::invalid_argument(
            fmt::format("GPU policy '{}' needs its jobs per device, e.g. {}:4", head, head));
    if (p.slots == GpuPolicy::Slots::mig && p.profiles.empty())
        throw std::invalid_argument(
            "GPU policy 'mig' needs its partitions, e.g. mig:3g.40gb+2g.20gb+2g.20gb");
    return p;
}

std::string GpuPolicy::describe() const {
    std::string out = name;
    if (slots == Slots::mig) {
        out += ":";
        for (std::size_t i = 0; i < profiles.size(); ++i)
            out += (i ? "+" : "") + profiles[i];
        return out;
    }
    if (slots != Slots::exclusive)
        out += fmt::format(":{}", count);
    if (execution == Execution::mps && name != "mps")
        out += ",mps=true";
    if (execution == Execution::mps) {
        if (thread_percentage < 100)
            out += fmt::format(",thread_percentage={:g}", thread_percentage);
        if (memory_limit > 0)
            out += fmt::format(",memory_limit={:g}GB", memory_limit / units::GB);
        if (multi_user)
            out += ",multi_user=true";
    }
    return out;
}

void check_gpu_policy(const GpuPolicy& p, const GpuSpec& gpu, int mps_max_clients) {
    if (p.execution == GpuPolicy::Execution::mps && p.count > mps_max_clients)
        throw std::invalid_argument(fmt::format("GPU policy '{}' on {}: {} slots, but MPS serves at most {} "
                                                "clients per device",
                                                p.describe(), gpu.model, p.count, mps_max_clients));
    if (p.memory_limit > gpu.memory)
        throw std::invalid_argument(
            fmt::format("GPU policy '{}': memory_limit {:g} GB is above the {:g} GB of "
                        "device memory of {}",
                        p.describe(), p.memory_limit / units::GB, gpu.memory / units::GB, gpu.model));
    if (p.slots == GpuPolicy::Slots::mig) {
        int slices = 0;
        double memory = 0;
        for (const auto& prof : p.profiles) {
            const MigProfile m = parse_mig_profile(prof, gpu);
            slices += m.slices;
            memory += m.memory;
        }
        if (slices > 7 || memory > gpu.memory * 1.001)
            throw std::invalid_argument(
                fmt::format("GPU policy '{}' on {}: the partitions use {} compute slices "
                            "and {:g} GB; a device has 7 slices and {:g} GB",
                            p.describe(), gpu.model, slices, memory / units::GB, gpu.memory / units::GB));
    }
}

} // namespace hepkit::sim
