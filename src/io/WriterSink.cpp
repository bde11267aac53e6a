#include "WriterSink.hpp"

#include "hepkit/core/Error.hpp"

#include <filesystem>
#include <limits>

namespace hepkit::io::detail {

namespace {
// TBasket's own header after the key fields: version, buffer size, nevbufsize, nevbuf, last, flag.
constexpr std::int32_t kBasketHeader = 2 + 4 + 4 + 4 + 4 + 1;
constexpr std::int64_t kMax32 = std::numeric_limits<std::int32_t>::max();

std::int32_t tstring_size(std::string_view s) {
    return static_cast<std::int32_t>(s.size() + (s.size() < 255 ? 1 : 5));
}

std::int32_t checked_size(std::size_t n, std::string_view what) {
    // A key's sizes are 32-bit; ROOT splits larger data itself (more baskets, smaller objects).
    if (n > static_cast<std::size_t>(kMax32))
        throw std::length_error(std::string(what) + " of " + std::to_string(n) +
                                " bytes is more than a ROOT key can hold (2 GiB)");
    return static_cast<std::int32_t>(n);
}
} // namespace

Sink::Sink(std::string path, CompressionSetting compression, std::uint32_t datime)
    : path_(std::move(path)), file_name_(std::filesystem::path(path_).filename().string()),
      compression_(compression), datime_(datime), file_(path_) {}

std::int32_t Sink::key_length(std::string_view class_name, std::string_view name, std::string_view title,
                              bool big) {
    return 18 + (big ? 16 : 8) + tstring_size(class_name) + tstring_size(name) + tstring_size(title);
}

void Sink::key_header(WBuffer& b, const Key& k) {
    b.i32(k.nbytes);
    b.u16(k.version);
    b.i32(k.obj_len);
    b.u32(k.datime);
    b.i16(k.key_len);
    b.i16(k.cycle);
    if (k.version > 1000) {
        b.i64(k.seek_key);
        b.i64(k.seek_pdir);
    } else {
        b.i32(static_cast<std::int32_t>(k.seek_key));
        b.i32(static_cast<std::int32_t>(k.seek_pdir));
    }
    b.tstring(k.class_name);
    b.tstring(k.name);
    b.tstring(k.title);
}

void Sink::append(std::span<const std::uint8_t> bytes) {
    write_at(end_, bytes);
    end_ += static_cast<std::int64_t>(bytes.size());
}

void Sink::write_at(std::int64_t offset, std::span<const std::uint8_t> bytes) {
    auto& out = file_.stream();
    // A seek flushes the stream's buffer: seek only when not writing at the current position.
    if (offset != stream_pos_)
        out.seekp(offset);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out)
        throw OutputError(path_, 0, "",
                          "cannot write " + std::to_string(bytes.size()) + " bytes at offset " +
                              std::to_string(offset) + " (disk full?)");
    stream_pos_ = offset + static_cast<std::int64_t>(bytes.size());
}

std::int64_t Sink::reserve(std::int64_t n) {
    const std::int64_t at = end_;
    append(std::vector<std::uint8_t>(static_cast<std::size_t>(n), 0));
    return at;
}

bool Sink::has_key(std::string_view name) const {
    for (const auto& k : keys_)
        if (k.name == name)
            return true;
    return false;
}

Key Sink::write_object(std::string_view class_name, std::string_view name, std::string_view title,
                       const std::function<void(WBuffer&)>& body, bool in_directory, bool compress_it) {
    Key k;
    k.class_name = class_name;
    k.name = name;
    k.title = title;
    k.cycle = 1;
    k.seek_key = end_;
    k.seek_pdir = 100;
    k.datime = datime_;
    // 32-bit seeks while the key lies below 2 GB, as ROOT does.
    const bool big = end_ > kMax32;
    k.version = big ? 1004 : 4;
    k.key_len = static_cast<std::int16_t>(key_length(class_name, name, title, big));
    WBuffer payload(k.key_len);
    body(payload);
    const auto stored = compress_it ? io::compress(payload.data(), compression_) : payload.data();
    k.obj_len = checked_size(payload.pos(), std::string(name));
    k.nbytes = checked_size(stored.size() + static_cast<std::size_t>(k.key_len), std::string(name));
    WBuffer header;
    key_header(header, k);
    append(header.data());
    append(stored);
    if (in_directory)
        keys_.push_back(k);
    return k;
}

BasketPlace Sink::write_basket(std::string_view branch, std::string_view tree, const BasketData& data,
                               std::int32_t buffer_size) {
    Key k;
    k.class_name = "TBasket";
    k.name = branch;
    k.title = tree;
    k.cycle = 1;
    k.seek_key = end_;
    k.seek_pdir = 100;
    k.datime = datime_;
    // ROOT writes every basket key with 64-bit seeks.
    k.version = 1004;
    const std::int32_t key_len = key_length(k.class_name, branch, tree, true) + kBasketHeader;
    k.key_len = static_cast<std::int16_t>(key_len);
    const auto stored = io::compress(data.bytes, compression_);
    k.obj_len = checked_size(data.bytes.size(), "basket of " + std::string(branch));
    k.nbytes =
        checked_size(stored.size() + static_cast<std::size_t>(key_len), "basket of " + std::string(branch));
    WBuffer header;
    key_header(header, k);
    header.i16(3); // TBasket version
    header.i32(std::max(buffer_size, key_len + k.obj_len));
    header.i32(data.nev_buf_size);
    header.i32(data.nev_buf);
    header.i32(key_len + data.data_size); // fLast
    header.u8(0);                         // flag: a basket written whole, not embedded
    append(header.data());
    append(stored);
    return {k.seek_key, k.nbytes, key_len, k.obj_len};
}

void Sink::commit() {
    file_.commit();
}

} // namespace hepkit::io::detail
