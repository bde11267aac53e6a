// A CSV file as columns (ColumnSource.hpp), in the layout io::write_csv writes (docs/root-io.md):
// a header row of names, one row per event; a fixed-size array `x` of width 3 as the columns
// `x[0],x[1],x[2]` (read back as one array column `x`, so that `x[1]` means what it means in the
// ROOT file); a jagged column as one cell per event holding its values joined by ';'.
//
// CSV has no types: a column whose values all read as integers is an int64 column, else float64.
// A column is jagged when some cell is empty or holds a ';' (a jagged column in which every event
// has exactly one value cannot be told from a scalar one and reads as one value per event).
#include "ColumnSource.hpp"

#include "hepkit/core/Csv.hpp"
#include "hepkit/core/Error.hpp"

#include <algorithm>
#include <charconv>
#include <string_view>

namespace hepkit::nn::detail {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

bool parse_int(std::string_view s, std::int64_t& v) {
    if (!s.empty() && s.front() == '+')
        s.remove_prefix(1);
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

bool parse_real(std::string_view s, double& v) {
    if (!s.empty() && s.front() == '+')
        s.remove_prefix(1);
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

// `x[3]` → ("x", 3); anything else → ("", -1).
std::pair<std::string, int> element_name(const std::string& h) {
    const auto open = h.rfind('[');
    if (open == std::string::npos || open == 0 || h.back() != ']')
        return {"", -1};
    std::int64_t i = 0;
    if (!parse_int(std::string_view(h).substr(open + 1, h.size() - open - 2), i) || i < 0)
        return {"", -1};
    return {h.substr(0, open), static_cast<int>(i)};
}

class CsvSource final : public ColumnSource {
  public:
    explicit CsvSource(const std::string& path) : path_(path), table_(read_csv(path)) {
        // Consecutive header cells x[0], x[1], ... x[w-1] are the fixed-size array x.
        const auto& h = table_.header;
        for (std::size_t k = 0; k < h.size();) {
            Group g{h[k], {k}, false};
            const auto [base, index] = element_name(h[k]);
            if (index == 0) {
                std::size_t j = k + 1;
                while (j < h.size() && element_name(h[j]) == std::pair<std::string, int>(base, int(j - k)))
                    ++j;
                g = Group{base, {}, true};
                for (std::size_t i = k; i < j; ++i)
                    g.cells.push_back(i);
            }
            k += g.cells.size();
            names_.push_back(g.name);
            groups_.push_back(std::move(g));
        }
    }
    const std::string& path() const override { return path_; }
    std::int64_t entries() const override { return static_cast<std::int64_t>(table_.rows.size()); }
    const std::vector<std::string>& names() const override { return names_; }
    std::int64_t chunk() const override { return std::max<std::int64_t>(entries(), 1); }
    std::vector<io::Column> read(std::span<const std::string> names, std::int64_t begin,
                                 std::int64_t end) const override {
        if (begin != 0 || end != entries())
            throw std::logic_error("nn: a CSV file is read whole");
        std::vector<io::Column> out;
        for (const auto& n : names) {
            const auto it =
                std::find_if(groups_.begin(), groups_.end(), [&](const Group& g) { return g.name == n; });
            if (it == groups_.end())
                throw std::logic_error("nn: CSV column " + n + " not listed");
            out.push_back(column(*it));
        }
        return out;
    }

  private:
    struct Group {
        std::string name;
        std::vector<std::size_t> cells; ///< header indices: one, or the elements of a fixed array
        bool fixed = false;
    };

    // The values of a group event by event (strings, not yet typed), and the offsets.
    io::Column column(const Group& g) const {
        std::vector<std::string_view> tokens;
        std::vector<int> lines; // of each token, for messages
        std::vector<std::int64_t> offsets{0};
        bool jagged = g.fixed;
        if (!g.fixed)
            for (const auto& r : table_.rows) {
                const std::string_view cell = trim(r.fields[g.cells[0]]);
                if (cell.empty() || cell.find(';') != std::string_view::npos)
                    jagged = true;
            }
        for (const auto& r : table_.rows) {
            for (const std::size_t k : g.cells) {
                std::string_view cell = trim(r.fields[k]);
                if (g.fixed && cell.empty())
                    throw InputError(path_, r.line, table_.header[k], "empty cell: a number is needed");
                while (!cell.empty()) {
                    const auto semi = cell.find(';');
                    tokens.push_back(trim(cell.substr(0, semi)));
                    lines.push_back(r.line);
                    if (semi == std::string_view::npos)
                        break;
                    cell.remove_prefix(semi + 1);
                    if (cell.empty()) // a trailing ';' leaves an empty value
                        tokens.push_back({}), lines.push_back(r.line);
                }
            }
            offsets.push_back(static_cast<std::int64_t>(tokens.size()));
        }
        io::Column c = io::Column::make(g.name, io::ColumnType::Int64);
        std::vector<std::int64_t> ints(tokens.size());
        bool all_ints = true;
        for (std::size_t k = 0; k < tokens.size() && all_ints; ++k)
            all_ints = parse_int(tokens[k], ints[k]);
        if (all_ints) {
            c.mut<std::int64_t>() = std::move(ints);
        } else {
            c = io::Column::make(g.name, io::ColumnType::Float64);
            auto& reals = c.mut<double>();
            reals.resize(tokens.size());
            for (std::size_t k = 0; k < tokens.size(); ++k)
                if (!parse_real(tokens[k], reals[k]))
                    throw InputError(path_, lines[k], g.name,
                                     "'" + std::string(tokens[k]) +
                                         "' is not a number (a column of an expression must be numeric; "
                                         "values of a jagged cell are joined by ';')");
        }
        if (jagged)
            c.offsets = std::move(offsets);
        return c;
    }

    std::string path_;
    CsvTable table_;
    std::vector<Group> groups_;
    std::vector<std::string> names_;
};

} // namespace

std::unique_ptr<ColumnSource> open_csv_columns(const std::string& path) {
    return std::make_unique<CsvSource>(path);
}

} // namespace hepkit::nn::detail
