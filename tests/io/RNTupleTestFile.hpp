#pragma once
// A copy of an RNTuple file in memory that tests can damage: the anchor's fields (big-endian,
// xxhash3 after them), the envelopes (decompressed with io::decompress, appended back raw at the
// end of the file with their checksum recomputed or not), and the footer's link to the page list.
// Appending keeps every other byte of the ROOT file where it was, so the file still opens.

#include "hepkit/io/Compression.hpp"
#include "hepkit/io/RootFile.hpp"

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>
#include <xxhash.h>

namespace hepkit::test {

/// The damaged copies a test executable wrote, removed when it exits.
struct NtupleTempFiles {
    std::vector<std::filesystem::path> paths;
    ~NtupleTempFiles() {
        std::error_code ignored;
        for (const auto& p : paths)
            std::filesystem::remove(p, ignored);
    }
    static NtupleTempFiles& instance() {
        static NtupleTempFiles files;
        return files;
    }
};

class NtupleBytes {
  public:
    /// Anchor fields after the four 16-bit versions.
    enum Field { SeekHeader, NbytesHeader, LenHeader, SeekFooter, NbytesFooter, LenFooter, MaxKeySize };

    NtupleBytes(const std::string& path, const std::string& ntuple) {
        std::ifstream in(path, std::ios::binary);
        bytes = std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
        const io::RootFile file(path);
        const io::Key key = file.key(ntuple);
        if (key.stored_size() != key.obj_len)
            throw std::logic_error("compressed anchor: the test expects a raw one");
        // byte count (4) and class version (2), then the fields
        anchor_ = static_cast<std::size_t>(key.seek_key) + static_cast<std::size_t>(key.key_len) + 6;
    }

    std::uint64_t anchor(Field f) const { return be64(anchor_ + 8 + 8 * static_cast<std::size_t>(f)); }
    void set_anchor(Field f, std::uint64_t v, bool fix_checksum = true) {
        set_be64(anchor_ + 8 + 8 * static_cast<std::size_t>(f), v);
        if (fix_checksum)
            set_be64(anchor_ + 64, XXH3_64bits(bytes.data() + anchor_, 64));
    }
    /// Offset of the anchor's fields in the file.
    std::size_t anchor_offset() const { return anchor_; }

    /// An envelope, decompressed.
    std::vector<std::uint8_t> envelope(std::uint64_t seek, std::uint64_t nbytes, std::uint64_t len) const {
        std::vector<std::uint8_t> out(len);
        const std::span<const std::uint8_t> in(bytes.data() + seek, nbytes);
        io::decompress(in, out, io::RecordPlace{"test", "envelope", seek});
        return out;
    }
    std::vector<std::uint8_t> header() const {
        return envelope(anchor(SeekHeader), anchor(NbytesHeader), anchor(LenHeader));
    }
    std::vector<std::uint8_t> footer() const {
        return envelope(anchor(SeekFooter), anchor(NbytesFooter), anchor(LenFooter));
    }
    /// The footer's last cluster group link (u64 length, i32 size, u64 offset before the checksum).
    std::size_t page_list_link(const std::vector<std::uint8_t>& footer) const {
        return footer.size() - 8 - 20;
    }
    std::vector<std::uint8_t> page_list() const {
        const auto f = footer();
        const std::size_t link = page_list_link(f);
        return envelope(le64(f, link + 12), le32(f, link + 8), le64(f, link));
    }

    /// Appends `envelope` raw (stored size = length) at the end; returns its offset.
    std::uint64_t append(std::vector<std::uint8_t> envelope, bool fix_checksum = true) {
        if (fix_checksum) {
            const std::uint64_t h = XXH3_64bits(envelope.data(), envelope.size() - 8);
            std::memcpy(envelope.data() + envelope.size() - 8, &h, 8);
        }
        const std::uint64_t at = bytes.size();
        bytes.insert(bytes.end(), envelope.begin(), envelope.end());
        return at;
    }
    void replace_header(const std::vector<std::uint8_t>& header, bool fix_checksum = true) {
        set_anchor(SeekHeader, append(header, fix_checksum));
        set_anchor(NbytesHeader, header.size());
        set_anchor(LenHeader, header.size());
    }
    void replace_footer(const std::vector<std::uint8_t>& footer, bool fix_checksum = true) {
        set_anchor(SeekFooter, append(footer, fix_checksum));
        set_anchor(NbytesFooter, footer.size());
        set_anchor(LenFooter, footer.size());
    }
    /// Appends a new page list and a new footer pointing at it.
    void replace_page_list(const std::vector<std::uint8_t>& page_list, bool fix_checksum = true) {
        const std::uint64_t at = append(page_list, fix_checksum);
        auto f = footer();
        const std::size_t link = page_list_link(f);
        set_le32(f, link + 8, static_cast<std::uint32_t>(page_list.size()));
        set_le64(f, link + 12, at);
        replace_footer(f);
    }

    /// Writes the bytes to a temporary file and returns its path.
    std::string write(const std::string& tag) const {
        const auto p = std::filesystem::temp_directory_path() /
                       (std::to_string(::getpid()) + "-hepkit-rntuple-" + tag + ".root");
        std::ofstream(p, std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        NtupleTempFiles::instance().paths.push_back(p);
        return p.string();
    }

    static std::uint64_t le64(const std::vector<std::uint8_t>& b, std::size_t at) {
        std::uint64_t v;
        std::memcpy(&v, b.data() + at, 8);
        return v;
    }
    static std::uint32_t le32(const std::vector<std::uint8_t>& b, std::size_t at) {
        std::uint32_t v;
        std::memcpy(&v, b.data() + at, 4);
        return v;
    }
    static void set_le64(std::vector<std::uint8_t>& b, std::size_t at, std::uint64_t v) {
        std::memcpy(b.data() + at, &v, 8);
    }
    static void set_le32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
        std::memcpy(b.data() + at, &v, 4);
    }
    /// Position of the first occurrence of `pattern` in `b` (npos when absent).
    static std::size_t find(const std::vector<std::uint8_t>& b, const std::vector<std::uint8_t>& pattern) {
        for (std::size_t i = 0; i + pattern.size() <= b.size(); ++i)
            if (std::memcmp(b.data() + i, pattern.data(), pattern.size()) == 0)
                return i;
        return std::string::npos;
    }

    std::vector<std::uint8_t> bytes;

  private:
    std::uint64_t be64(std::size_t at) const {
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < 8; ++i)
            v = (v << 8) | bytes[at + i];
        return v;
    }
    void set_be64(std::size_t at, std::uint64_t v) {
        for (std::size_t i = 0; i < 8; ++i)
            bytes[at + i] = static_cast<std::uint8_t>(v >> (56 - 8 * i));
    }

    std::size_t anchor_ = 0;
};

} // namespace hepkit::test
