#include "hepkit/core/AtomicFile.hpp"

#include "hepkit/core/Error.hpp"

#include <fmt/format.h>
#include <system_error>
#include <unistd.h>

namespace hepkit {

AtomicFile::AtomicFile(std::filesystem::path path) : path_(std::move(path)) {
    tmp_ = path_;
    tmp_ += fmt::format(".tmp.{}", static_cast<long>(::getpid()));
    out_.open(tmp_, std::ios::out | std::ios::trunc | std::ios::binary);
    if (!out_)
        throw InputError(path_.string(), 0, "",
                         "cannot create output file (does the directory exist and is it writable?)");
}

AtomicFile::~AtomicFile() {
    if (!committed_) {
        out_.close();
        std::error_code ec;
        std::filesystem::remove(tmp_, ec);
    }
}

void AtomicFile::commit() {
    out_.flush();
    const bool ok = static_cast<bool>(out_);
    out_.close();
    if (!ok)
        throw InputError(path_.string(), 0, "", "write failed (disk full?)");
    std::error_code ec;
    std::filesystem::rename(tmp_, path_, ec);
    if (ec)
        throw InputError(path_.string(), 0, "", "cannot move output into place: " + ec.message());
    committed_ = true;
}

CsvWriter::CsvWriter(std::filesystem::path path, const std::string& header) : file_(std::move(path)) {
    file_.stream() << header << '\n';
}

void CsvWriter::line(const std::string& text) {
    file_.stream() << text << '\n';
}

std::string CsvWriter::field(const std::string& text) {
    if (text.find_first_of(",\"\n\r") == std::string::npos)
        return text;
    std::string out = "\"";
    for (char c : text) {
        if (c == '"')
            out += '"';
        out += c;
    }
    out += '"';
    return out;
}

std::string CsvWriter::number(double value) {
    return fmt::format("{}", value);
}

} // namespace hepkit
