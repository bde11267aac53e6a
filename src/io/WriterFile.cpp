// RootWriter: the file around the objects — header, top directory, streamer info, keys list and
// free segments (ROOT's TFile layout, docs/root-io.md), written through a temporary file that is
// renamed into place at close.

#include "WriterNames.hpp"
#include "WriterStreamers.hpp"
#include "WriterTreeImpl.hpp"

#include "hepkit/core/Error.hpp"

#include <cstdlib>
#include <ctime>
#include <functional>
#include <limits>
#include <stdexcept>

namespace hepkit::io {

namespace {

constexpr std::int64_t kBegin = 100;
// The top directory's record: version, two dates, two sizes, three seeks, UUID; sized for 64-bit
// seeks so that a file passing 2 GB needs no move (ROOT reserves the same).
constexpr std::int32_t kDirectoryRecord = 2 + 4 + 4 + 4 + 4 + 3 * 8 + 2 + 16;
constexpr std::int64_t kStartBigFile = 2000000000;
constexpr int kRootVersion = 63206; // the ROOT release whose layout the file follows (6.32/06)

std::uint32_t datime(std::int64_t unix_seconds) {
    const std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    // TDatime: year since 1995 (6 bits), month, day, hour, minute, second.
    return static_cast<std::uint32_t>(tm.tm_year + 1900 - 1995) << 26 |
           static_cast<std::uint32_t>(tm.tm_mon + 1) << 22 | static_cast<std::uint32_t>(tm.tm_mday) << 17 |
           static_cast<std::uint32_t>(tm.tm_hour) << 12 | static_cast<std::uint32_t>(tm.tm_min) << 6 |
           static_cast<std::uint32_t>(tm.tm_sec);
}

std::int32_t tstring_size(std::string_view s) {
    return static_cast<std::int32_t>(s.size() + (s.size() < 255 ? 1 : 5));
}

} // namespace

struct RootWriter::Impl {
    WriterOptions options;
    std::unique_ptr<detail::Sink> sink;
    std::vector<std::unique_ptr<TreeWriter>> trees;
    std::int32_t nbytes_name = 0;
    std::int32_t top_key_len = 0;
    std::uint8_t uuid[16] = {};
    bool closed = false;

    void check_open() const {
        if (closed)
            throw std::logic_error("RootWriter " + sink->path() + ": already closed");
    }
    void check_new_name(const std::string& name, std::string_view what) const {
        detail::check_key_name(name, what);
        bool taken = sink->has_key(name);
        for (const auto& t : trees)
            taken = taken || t->impl_->name == name;
        if (taken)
            throw std::invalid_argument(std::string(what) + " " + name +
                                        ": the file already holds an object of " +
                                        "that name (hepkit writes one cycle per name)");
    }
    void write_top(std::int64_t seek_keys, std::int32_t nbytes_keys, bool big);
    void write_header(std::int64_t end, std::int64_t seek_free, std::int32_t nbytes_free,
                      std::int64_t seek_info, std::int32_t nbytes_info, bool big);
};

RootWriter::RootWriter(std::string path, WriterOptions options) : impl_(std::make_unique<Impl>()) {
    impl_->options = std::move(options);
    if (impl_->options.compression.codec == Codec::OldRoot)
        throw std::invalid_argument("RootWriter " + path +
                                    ": ROOT's old compression algorithm is read, not written");
    if (impl_->options.compression.level < 0 || impl_->options.compression.level > 9)
        throw std::invalid_argument("RootWriter " + path + ": compression level " +
                                    std::to_string(impl_->options.compression.level) + " not in 0..9");
    // No time given: SOURCE_DATE_EPOCH when set (the reproducible-builds convention: same inputs,
    // same bytes, e.g. outputs compared between runs), else now.
    std::int64_t now = impl_->options.timestamp;
    if (now == 0) {
        const char* epoch = std::getenv("SOURCE_DATE_EPOCH");
        now = epoch != nullptr && *epoch != '\0' ? std::strtoll(epoch, nullptr, 10) : 0;
    }
    if (now == 0)
        now = std::time(nullptr);
    impl_->sink = std::make_unique<detail::Sink>(std::move(path), impl_->options.compression, datime(now));
    // A UUID (version 4 layout) drawn from the file name and the time: unique enough to tell
    // files apart, and reproducible for a given timestamp.
    std::uint64_t h = std::hash<std::string>{}(impl_->sink->file_name()) ^ static_cast<std::uint64_t>(now);
    for (auto& byte : impl_->uuid) {
        h = h * 6364136223846793005ULL + 1442695040888963407ULL;
        byte = static_cast<std::uint8_t>(h >> 56);
    }
    impl_->uuid[6] = static_cast<std::uint8_t>((impl_->uuid[6] & 0x0f) | 0x40);
    impl_->uuid[8] = static_cast<std::uint8_t>((impl_->uuid[8] & 0x3f) | 0x80);
    // Header and top directory are written at close; reserve their place.
    const auto& fname = impl_->sink->file_name();
    impl_->top_key_len = detail::Sink::key_length("TFile", fname, impl_->options.title, false);
    impl_->nbytes_name = impl_->top_key_len + tstring_size(fname) + tstring_size(impl_->options.title);
    impl_->sink->reserve(kBegin + impl_->nbytes_name + kDirectoryRecord);
}

RootWriter::~RootWriter() = default;

const std::string& RootWriter::path() const {
    return impl_->sink->path();
}

void RootWriter::write(const Hist1D& hist) {
    impl_->check_open();
    impl_->check_new_name(hist.name, "Hist1D");
    impl_->sink->use_class("TH1D");
    impl_->sink->use_class("TList");
    impl_->sink->write_object("TH1D", hist.name, hist.title,
                              [&](WBuffer& b) { detail::serialize_th1d(b, hist); });
}

void RootWriter::write(const Hist2D& hist) {
    impl_->check_open();
    impl_->check_new_name(hist.name, "Hist2D");
    impl_->sink->use_class("TH2D");
    impl_->sink->use_class("TList");
    impl_->sink->write_object("TH2D", hist.name, hist.title,
                              [&](WBuffer& b) { detail::serialize_th2d(b, hist); });
}

TreeWriter& RootWriter::tree(std::string name, TreeOptions options) {
    impl_->check_open();
    impl_->check_new_name(name, "tree");
    if (options.basket_size < 1 || options.basket_size > (1U << 30))
        throw std::invalid_argument("tree " + name + ": basket_size " + std::to_string(options.basket_size) +
                                    " not in 1 .. 2^30 bytes");
    auto impl = std::make_unique<TreeWriter::Impl>();
    impl->sink = impl_->sink.get();
    impl->name = std::move(name);
    impl->options = std::move(options);
    impl_->trees.push_back(std::unique_ptr<TreeWriter>(new TreeWriter(std::move(impl))));
    return *impl_->trees.back();
}

void RootWriter::write_tree(std::string name, std::span<const Column> columns, TreeOptions options) {
    tree(std::move(name), std::move(options)).append(columns);
}

void RootWriter::Impl::write_top(std::int64_t seek_keys, std::int32_t nbytes_keys, bool big) {
    const auto& fname = sink->file_name();
    Key k;
    k.class_name = "TFile";
    k.name = fname;
    k.title = options.title;
    k.version = 4;
    k.key_len = static_cast<std::int16_t>(top_key_len);
    k.nbytes = nbytes_name + kDirectoryRecord;
    k.obj_len = k.nbytes - k.key_len;
    k.datime = sink->datime();
    k.cycle = 1;
    k.seek_key = kBegin;
    k.seek_pdir = 0;
    WBuffer b;
    detail::Sink::key_header(b, k);
    b.tstring(fname);
    b.tstring(options.title);
    b.i16(big ? 1005 : 5);
    b.u32(sink->datime()); // created
    b.u32(sink->datime()); // modified
    b.i32(nbytes_keys);
    b.i32(nbytes_name);
    if (big) {
        b.i64(kBegin); // fSeekDir
        b.i64(0);      // fSeekParent
        b.i64(seek_keys);
    } else {
        b.i32(static_cast<std::int32_t>(kBegin));
        b.i32(0);
        b.i32(static_cast<std::int32_t>(seek_keys));
    }
    b.u16(1); // UUID version
    b.bytes(uuid);
    while (b.pos() < static_cast<std::size_t>(k.nbytes))
        b.u8(0);
    sink->write_at(kBegin, b.data());
}

void RootWriter::Impl::write_header(std::int64_t end, std::int64_t seek_free, std::int32_t nbytes_free,
                                    std::int64_t seek_info, std::int32_t nbytes_info, bool big) {
    WBuffer b;
    for (const char c : std::string_view("root"))
        b.u8(static_cast<std::uint8_t>(c));
    b.i32(big ? kRootVersion + 1000000 : kRootVersion);
    b.i32(static_cast<std::int32_t>(kBegin));
    if (big) {
        b.i64(end);
        b.i64(seek_free);
    } else {
        b.i32(static_cast<std::int32_t>(end));
        b.i32(static_cast<std::int32_t>(seek_free));
    }
    b.i32(nbytes_free);
    b.i32(1); // nfree
    b.i32(nbytes_name);
    b.u8(big ? 8 : 4); // fUnits
    b.i32(options.compression.to_root());
    if (big)
        b.i64(seek_info);
    else
        b.i32(static_cast<std::int32_t>(seek_info));
    b.i32(nbytes_info);
    b.u16(1); // UUID version
    b.bytes(uuid);
    while (b.pos() < static_cast<std::size_t>(kBegin))
        b.u8(0);
    sink->write_at(0, b.data());
}

void RootWriter::close() {
    impl_->check_open();
    impl_->closed = true;
    auto& sink = *impl_->sink;
    for (auto& t : impl_->trees) {
        if (!t->impl_->has_schema)
            throw std::invalid_argument("tree " + t->impl_->name +
                                        ": no entries were appended (a tree needs its " +
                                        "columns at least once)");
        t->impl_->write_tree();
        t->impl_->sink = nullptr;
    }
    // Streamer info: a TList named like ROOT's, not listed among the directory's keys.
    const std::vector<std::string> classes(sink.classes().begin(), sink.classes().end());
    const Key info = sink.write_object(
        "TList", "StreamerInfo", "Doubly linked list",
        [&](WBuffer& b) { b.bytes(detail::streamer_record(classes, b.origin())); }, false);
    // Keys list: every key header of the top directory, uncompressed.
    const auto& keys = sink.keys();
    const Key list = sink.write_object(
        "TFile", sink.file_name(), impl_->options.title,
        [&](WBuffer& b) {
            b.i32(static_cast<std::int32_t>(keys.size()));
            for (const auto& k : keys)
                detail::Sink::key_header(b, k);
        },
        false, false);
    // Free segments: one, from the end of the file to ROOT's big-file limit (or far beyond it).
    const std::int64_t seek_free = sink.end();
    const bool free_big = seek_free > std::numeric_limits<std::int32_t>::max();
    const std::int64_t free_len =
        detail::Sink::key_length("TFile", sink.file_name(), impl_->options.title, free_big) +
        (free_big ? 18 : 10);
    const std::int64_t end = seek_free + free_len;
    const bool big = end > kStartBigFile;
    const Key free = sink.write_object(
        "TFile", sink.file_name(), impl_->options.title,
        [&](WBuffer& b) {
            if (free_big) {
                b.i16(1001);
                b.i64(end);
                b.i64(end + 1000000000000LL);
            } else {
                b.i16(1);
                b.i32(static_cast<std::int32_t>(end));
                b.i32(static_cast<std::int32_t>(kStartBigFile));
            }
        },
        false, false);
    if (sink.end() != end)
        throw std::logic_error("free segments record has an unexpected size");
    impl_->write_top(list.seek_key, list.nbytes, big);
    impl_->write_header(end, free.seek_key, free.nbytes, info.seek_key, info.nbytes, big);
    sink.commit();
}

} // namespace hepkit::io
