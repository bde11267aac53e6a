#include "hepkit/sim/workload/ActivityList.hpp"

#include "hepkit/core/Csv.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/Number.hpp"
#include "hepkit/core/Units.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <unordered_map>

namespace hepkit::sim {
namespace {

double number(const std::string& text, const std::string& path, int line, const char* key, bool positive_only,
              double max) {
    const auto v = parse_finite(text);
    if (!v)
        throw InputError(path, line, key, describe_bad_number(text));
    if (*v < 0 || (positive_only && *v <= 0) || *v > max)
        throw InputError(path, line, key,
                         fmt::format("'{}' must be a number {} 0 and <= {:g}", shorten(text),
                                     positive_only ? ">" : ">=", max));
    return *v;
}

} // namespace

void check_dependencies(const std::vector<ActivityRow>& rows, const std::string& origin) {
    // Iterative colouring walk along `after` chains: every row has at most one dependency, so
    // a cycle is found by following the chain until a finished row or a row seen in this walk.
    std::vector<std::uint8_t> state(rows.size(), 0); // 0 new, 1 on current chain, 2 done
    for (std::size_t i = 0; i < rows.size(); ++i) {
        std::size_t j = i;
        while (state[j] == 0) {
            state[j] = 1;
            if (rows[j].after < 0)
                break;
            j = static_cast<std::size_t>(rows[j].after);
            if (state[j] == 1)
                throw InputError(origin, 0, fmt::format("activity '{}'", rows[j].id),
                                 "cyclic 'after' dependencies: the chain comes back to this activity");
        }
        for (std::size_t k = i; state[k] == 1;) {
            state[k] = 2;
            if (rows[k].after < 0)
                break;
            k = static_cast<std::size_t>(rows[k].after);
        }
    }
}

std::vector<ActivityRow> read_activities(const std::string& path, const Platform& platform) {
    const CsvTable table = read_csv(path);
    const char* required[] = {"id", "type", "source", "destination", "amount", "start"};
    int col[6];
    for (int i = 0; i < 6; ++i) {
        col[i] = table.column(required[i]);
        if (col[i] < 0)
            throw InputError(
                path, 1, "header",
                fmt::format("missing column '{}' (expected id,type,source,destination,amount,start"
                            "[,after])",
                            required[i]));
    }
    const int after_col = table.column("after");
    for (const auto& h : table.header)
        if (h != "after" && std::find(std::begin(required), std::end(required), h) == std::end(required))
            throw InputError(path, 1, "header", fmt::format("unknown column '{}'", h));

    std::vector<ActivityRow> rows;
    rows.reserve(table.rows.size());
    std::unordered_map<std::string, std::size_t> by_id;
    std::vector<std::pair<std::string, int>> after_names;
    for (const CsvRecord& rec : table.rows) {
        const auto& f = rec.fields;
        ActivityRow row;
        row.id = f[col[0]];
        if (row.id.empty())
            throw InputError(path, rec.line, "id", "empty id");
        if (!by_id.emplace(row.id, rows.size()).second)
            throw InputError(path, rec.line, "id", fmt::format("duplicate id '{}'", row.id));
        const std::string& type = f[col[1]];
        if (type == "transfer")
            row.type = ActivityRow::Type::transfer;
        else if (type == "compute")
            row.type = ActivityRow::Type::compute;
        else if (type == "read")
            row.type = ActivityRow::Type::read;
        else if (type == "write")
            row.type = ActivityRow::Type::write;
        else
            throw InputError(
                path, rec.line, "type",
                fmt::format("'{}' is not an activity type (allowed: transfer, compute, read, write)", type));
        auto host = [&](const std::string& name, const char* key) {
            auto h = platform.find_host(name);
            if (!h)
                throw InputError(path, rec.line, key, fmt::format("unknown host '{}'", name));
            return *h;
        };
        row.source = host(f[col[2]], "source");
        const std::string& dst = f[col[3]];
        switch (row.type) {
        case ActivityRow::Type::transfer:
            row.destination = host(dst, "destination");
            break;
        case ActivityRow::Type::compute:
            if (!dst.empty())
                throw InputError(path, rec.line, "destination", "must be empty for a compute activity");
            break;
        case ActivityRow::Type::read:
        case ActivityRow::Type::write: {
            const auto& disks = platform.host(row.source).disks;
            if (disks.empty())
                throw InputError(path, rec.line, "source",
                                 fmt::format("host '{}' has no disk", platform.host(row.source).id));
            if (!dst.empty()) {
                bool found = false;
                for (std::size_t d = 0; d < disks.size(); ++d)
                    if (disks[d].id == dst) {
                        row.disk = d;
                        found = true;
                    }
                if (!found)
                    throw InputError(
                        path, rec.line, "destination",
                        fmt::format("host '{}' has no disk '{}'", platform.host(row.source).id, dst));
            }
            break;
        }
        }
        // amounts (bytes or flop) up to 1e30; start times within the input time range
        row.amount = number(f[col[4]], path, rec.line, "amount", false, 1e30);
        row.start = number(f[col[5]], path, rec.line, "start", false, units::max_input_time);
        after_names.emplace_back(after_col >= 0 ? f[after_col] : std::string(), rec.line);
        rows.push_back(std::move(row));
    }
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& [name, line] = after_names[i];
        if (name.empty())
            continue;
        auto it = by_id.find(name);
        if (it == by_id.end())
            throw InputError(path, line, "after", fmt::format("unknown activity id '{}'", name));
        if (it->second == i)
            throw InputError(path, line, "after", fmt::format("activity '{}' cannot wait for itself", name));
        rows[i].after = static_cast<std::int64_t>(it->second);
    }
    check_dependencies(rows, path);
    return rows;
}

} // namespace hepkit::sim
