#include "hepkit/core/Csv.hpp"

#include "hepkit/core/Error.hpp"

#include <fmt/format.h>
#include <fstream>

namespace hepkit {

int CsvTable::column(const std::string& name) const {
    for (std::size_t i = 0; i < header.size(); ++i)
        if (header[i] == name)
            return static_cast<int>(i);
    return -1;
}

namespace {
// Bounds on what one CSV may hold, so that a wrong or hostile file ends in an error rather than
// in memory exhaustion (each record costs ~100 B plus its text): 1e7 records, 16 MiB per record.
constexpr std::size_t max_records = 10000000;
constexpr std::size_t max_record_bytes = 16u << 20;
} // namespace

CsvTable read_csv(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw InputError(path, 0, "", "cannot open CSV file");
    check_input_size(path, 1024);
    CsvTable table;
    std::string line;
    int line_no = 0;
    bool have_header = false;
    while (std::getline(in, line)) {
        ++line_no;
        const int record_line = line_no;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.empty() || line[0] == '#')
            continue;
        if (line.size() > max_record_bytes)
            throw InputError(path, record_line, "",
                             fmt::format("record longer than {} MiB", max_record_bytes >> 20));
        if (table.rows.size() >= max_records)
            throw InputError(path, record_line, "",
                             fmt::format("more than {} records; split the file", max_records));
        std::vector<std::string> fields;
        std::string field;
        bool quoted = false;
        std::size_t i = 0;
        for (;;) {
            if (i == line.size()) {
                if (!quoted)
                    break;
                // a quoted field continues on the next line
                std::string next;
                if (!std::getline(in, next))
                    throw InputError(path, record_line, "", "unterminated quoted field");
                ++line_no;
                if (!next.empty() && next.back() == '\r')
                    next.pop_back();
                if (field.size() + next.size() > max_record_bytes)
                    throw InputError(path, record_line, "",
                                     fmt::format("record longer than {} MiB", max_record_bytes >> 20));
                field += '\n';
                line = next;
                i = 0;
                continue;
            }
            const char c = line[i++];
            if (quoted) {
                if (c == '"') {
                    if (i < line.size() && line[i] == '"') {
                        field += '"';
                        ++i;
                    } else {
                        quoted = false;
                    }
                } else {
                    field += c;
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                fields.push_back(std::move(field));
                field.clear();
            } else {
                field += c;
            }
        }
        fields.push_back(std::move(field));
        for (auto& f : fields) {
            while (!f.empty() && (f.back() == ' ' || f.back() == '\t'))
                f.pop_back();
            std::size_t b = 0;
            while (b < f.size() && (f[b] == ' ' || f[b] == '\t'))
                ++b;
            f.erase(0, b);
        }
        if (!have_header) {
            table.header = std::move(fields);
            have_header = true;
            continue;
        }
        if (fields.size() != table.header.size())
            throw InputError(
                path, record_line, "",
                fmt::format("{} fields, but the header has {}", fields.size(), table.header.size()));
        table.rows.push_back(CsvRecord{record_line, std::move(fields)});
    }
    if (!have_header)
        throw InputError(path, 0, "", "empty CSV file: a header line is required");
    return table;
}

} // namespace hepkit
