#include "hepkit/io/RootFile.hpp"

#include "Cursor.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/io/Compression.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace hepkit::io {

namespace {

// A block holds at most 2^24−1 uncompressed bytes behind a 9-byte header and at least one
// compressed byte: an object's uncompressed length can be at most this many times its stored
// size. Checked before allocating, so that a lying key cannot ask for gigabytes.
constexpr std::int64_t kMaxBlockBytes = (std::int64_t{1} << 24) - 1;
constexpr std::int64_t kMinBlockStored = 10;

// The shortest key header: fixed fields with 32-bit seeks and three empty strings.
constexpr std::int32_t kMinKeyLen = 4 + 2 + 4 + 4 + 2 + 2 + 4 + 4 + 3;

// Views of the mapped file are counted in chunks of 2^16 bytes (the kernel maps a file's pages
// around a fault in 64 KiB by default, fault_around_bytes) to bound the pages the mapping holds.
constexpr unsigned kChunkBits = 16;

// Directories nested deeper than this are treated as a cycle (a directory key pointing at itself
// or at an ancestor) instead of recursing without end.
constexpr int kMaxDirectoryDepth = 64;

struct Directory {
    std::int64_t seek_keys = 0;
    std::int32_t nbytes_keys = 0;
};

// A file mapped read-only, and which chunks of it views have touched since its pages were last
// released (one bit per chunk).
struct Mapping {
    const std::uint8_t* data = nullptr;
    std::uint64_t size = 0;
    std::unique_ptr<std::atomic<std::uint64_t>[]> touched;
    std::size_t touched_words = 0;
    std::atomic<std::uint64_t> resident{0}; ///< bytes of the touched chunks

    // Drops the pages from the mapping (they stay in the page cache).
    void release() {
        resident.store(0, std::memory_order_relaxed);
        for (std::size_t w = 0; w < touched_words; ++w)
            touched[w].store(0, std::memory_order_relaxed);
        ::madvise(const_cast<std::uint8_t*>(data), size, MADV_DONTNEED);
    }
};

// The mapped files of the process and the bytes their views hold mapped, together: the bound is
// on the process's resident memory, which all open files share (a TreeChain keeps every file of
// a chain open, so a bound per file would grow with the chain). Only the mapping's accounting is
// shared; nothing a read returns depends on it.
struct MappedFiles {
    std::mutex mutex;
    std::vector<Mapping*> files;
    std::atomic<std::uint64_t> resident{0};
};
MappedFiles& mapped_files() {
    // Never destroyed, so that a RootFile that outlives static destruction still finds it.
    static MappedFiles* const m = new MappedFiles;
    return *m;
}

} // namespace

struct RootFile::Impl {
    std::string path;
    int fd = -1;
    std::uint64_t size = 0;
    Config config;
    // The whole file mapped read-only (data nullptr when Config::map_file is off or mmap failed).
    Mapping map;
    int version = 0;
    std::int64_t begin = 0;
    std::int64_t end = 0;
    int compress = 0;
    std::int64_t seek_info = 0;
    std::int32_t nbytes_info = 0;
    Directory top;

    ~Impl() {
        if (map.data != nullptr) {
            MappedFiles& m = mapped_files();
            const std::lock_guard lock(m.mutex);
            std::erase(m.files, &map);
            // Its pages leave the process with the mapping: no longer counted (saturating, as
            // the count is approximate under races).
            const std::uint64_t mine = map.resident.load(std::memory_order_relaxed);
            std::uint64_t total = m.resident.load(std::memory_order_relaxed);
            while (!m.resident.compare_exchange_weak(total, total > mine ? total - mine : 0,
                                                     std::memory_order_relaxed)) {
            }
            ::munmap(const_cast<std::uint8_t*>(map.data), map.size);
        }
        if (fd >= 0)
            ::close(fd);
    }

    [[noreturn]] void fail(std::int64_t offset, std::string_view what, const std::string& message) const {
        throw InputError(path, 0, std::string(what) + " at byte " + std::to_string(offset), message);
    }

    void read(std::int64_t offset, std::span<std::uint8_t> out, std::string_view what) const {
        if (offset < 0 || static_cast<std::uint64_t>(offset) > size ||
            out.size() > size - static_cast<std::uint64_t>(offset))
            fail(offset, what,
                 std::to_string(out.size()) + " bytes at offset " + std::to_string(offset) +
                     " lie outside the file (" + std::to_string(size) + " bytes; truncated or corrupt)");
        std::size_t done = 0;
        while (done < out.size()) {
            const ssize_t n =
                ::pread(fd, out.data() + done, out.size() - done, offset + static_cast<std::int64_t>(done));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                fail(offset, what,
                     std::string("read failed: ") + (n < 0 ? std::strerror(errno) : "end of file"));
            done += static_cast<std::size_t>(n);
        }
    }

    Key parse_key(Cursor& c, std::string_view what) const {
        Key k;
        k.nbytes = c.i32();
        k.version = c.u16();
        k.obj_len = c.i32();
        k.datime = c.u32();
        k.key_len = c.i16();
        k.cycle = c.i16();
        const bool big = k.version > 1000;
        k.seek_key = big ? c.i64() : c.i32();
        k.seek_pdir = big ? c.i64() : c.i32();
        k.class_name = c.tstring();
        k.name = c.tstring();
        k.title = c.tstring();
        check_key(k, what);
        return k;
    }

    void check_key(const Key& k, std::string_view what) const {
        const auto bad = [&](const std::string& m) {
            fail(k.seek_key, std::string(what) + " key '" + k.name + "'", m);
        };
        if (k.key_len < kMinKeyLen || k.nbytes < k.key_len)
            bad("key length " + std::to_string(k.key_len) + " and total length " + std::to_string(k.nbytes) +
                " do not fit (need " + std::to_string(kMinKeyLen) + " ≤ key length ≤ total length)");
        if (k.seek_key < 0 ||
            static_cast<std::uint64_t>(k.seek_key) + static_cast<std::uint64_t>(k.nbytes) > size)
            bad("the object (" + std::to_string(k.nbytes) + " bytes at offset " + std::to_string(k.seek_key) +
                ") runs past the end of the file (" + std::to_string(size) + " bytes)");
        if (k.obj_len < 0)
            bad("negative object length " + std::to_string(k.obj_len));
        const std::int64_t stored = k.stored_size();
        if (k.obj_len != stored && k.obj_len > (stored / kMinBlockStored + 1) * kMaxBlockBytes)
            bad("object length " + std::to_string(k.obj_len) + " is more than " + std::to_string(stored) +
                " compressed bytes can hold");
    }

    Key read_key(std::int64_t seek, std::string_view what) const {
        // A key header is short; read what is there up to 1 KiB (name and title included) and parse.
        const std::uint64_t avail = seek >= 0 && static_cast<std::uint64_t>(seek) < size ? size - seek : 0;
        std::vector<std::uint8_t> buf(static_cast<std::size_t>(std::min<std::uint64_t>(avail, 1024)));
        read(seek, buf, what);
        Cursor c(buf, path, std::string(what), static_cast<std::uint64_t>(seek));
        Key k = parse_key(c, what);
        if (k.seek_key != seek)
            fail(seek, what, "the key header says it lies at offset " + std::to_string(k.seek_key));
        return k;
    }

    std::vector<std::uint8_t> payload(const Key& k) const {
        const std::int64_t stored = k.stored_size();
        std::vector<std::uint8_t> raw(static_cast<std::size_t>(stored));
        read(k.seek_key + k.key_len, raw, k.name);
        if (stored == k.obj_len)
            return raw;
        // The vector form grows the output as blocks decode: a key whose object length lies
        // cannot make us allocate what its blocks do not hold.
        return decompress(raw, static_cast<std::size_t>(k.obj_len),
                          RecordPlace{path, k.name, static_cast<std::uint64_t>(k.seek_key + k.key_len)});
    }

    // The directory record (TDirectory::Streamer) of a directory whose record starts at `offset`.
    Directory parse_directory(std::span<const std::uint8_t> bytes, std::int64_t offset,
                              std::string_view what) const {
        Cursor c(bytes, path, std::string(what), static_cast<std::uint64_t>(offset));
        Directory d;
        const std::uint16_t version = c.u16();
        c.u32(); // fDatimeC
        c.u32(); // fDatimeM
        d.nbytes_keys = c.i32();
        c.i32(); // fNbytesName
        const bool big = version > 1000;
        c.skip(big ? 16 : 8); // fSeekDir, fSeekParent
        d.seek_keys = big ? c.i64() : c.i32();
        return d;
    }

    std::vector<Key> keys_of(const Directory& d, std::string_view what) const {
        if (d.seek_keys == 0)
            return {}; // an empty directory that was never written out
        const Key list = read_key(d.seek_keys, std::string(what) + " key list");
        std::vector<std::uint8_t> bytes = payload(list);
        Cursor c(bytes, path, std::string(what) + " key list",
                 static_cast<std::uint64_t>(list.seek_key + list.key_len));
        const std::int32_t n = c.i32();
        if (n < 0 || static_cast<std::size_t>(n) > c.remaining() / kMinKeyLen)
            c.fail("key count " + std::to_string(n) + " does not fit in the key list's " +
                   std::to_string(c.remaining()) + " bytes");
        std::vector<Key> keys;
        keys.reserve(static_cast<std::size_t>(n));
        for (std::int32_t i = 0; i < n; ++i)
            keys.push_back(parse_key(c, what));
        return keys;
    }

    Directory directory(std::string_view dir) const {
        Directory d = top;
        std::string walked;
        int depth = 0;
        std::size_t pos = 0;
        while (pos < dir.size()) {
            std::size_t slash = dir.find('/', pos);
            if (slash == std::string_view::npos)
                slash = dir.size();
            const std::string_view part = dir.substr(pos, slash - pos);
            pos = slash + 1;
            if (part.empty())
                continue;
            if (++depth > kMaxDirectoryDepth)
                throw InputError(path, 0, std::string(dir),
                                 "directories nested deeper than " + std::to_string(kMaxDirectoryDepth) +
                                     " (a cycle?)");
            const auto keys = keys_of(d, walked.empty() ? "top directory" : walked);
            const Key* found = nullptr;
            for (const auto& k : keys)
                if (k.name == part && is_directory(k) && (found == nullptr || k.cycle > found->cycle))
                    found = &k;
            if (found == nullptr) {
                std::string message = "no directory '";
                message.append(part).append("' in ");
                if (walked.empty())
                    message += "the top directory";
                else
                    message.append("'").append(walked).append("'");
                throw InputError(path, 0, std::string(dir), message);
            }
            if (!walked.empty())
                walked += '/';
            walked.append(part);
            const auto bytes = payload(*found);
            d = parse_directory(bytes, found->seek_key + found->key_len, walked);
        }
        return d;
    }
};

bool is_directory(const Key& key) {
    return key.class_name == "TDirectory" || key.class_name == "TDirectoryFile";
}

RootFile::RootFile(const std::string& path) : RootFile(path, Config{}) {}

RootFile::RootFile(const std::string& path, const Config& config) : impl_(std::make_unique<Impl>()) {
    Impl& f = *impl_;
    f.path = path;
    f.config = config;
    f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (f.fd < 0)
        throw InputError(path, 0, "", std::string("cannot open: ") + std::strerror(errno));
    struct stat st {};
    if (::fstat(f.fd, &st) != 0 || !S_ISREG(st.st_mode))
        throw InputError(path, 0, "", "not a regular file");
    f.size = static_cast<std::uint64_t>(st.st_size);
    if (config.map_file && f.size > 0) {
        // Read-only and shared: the pages are the page cache's own, nothing is copied. Where the
        // system refuses (no address space, a file system without mmap) reads use pread.
        void* m = ::mmap(nullptr, f.size, PROT_READ, MAP_SHARED, f.fd, 0);
        if (m != MAP_FAILED) {
            f.map.data = static_cast<const std::uint8_t*>(m);
            f.map.size = f.size;
            f.map.touched_words = static_cast<std::size_t>(((f.size >> kChunkBits) + 64) / 64);
            f.map.touched = std::make_unique<std::atomic<std::uint64_t>[]>(f.map.touched_words);
            MappedFiles& registry = mapped_files();
            const std::lock_guard lock(registry.mutex);
            registry.files.push_back(&f.map);
        }
    }

    std::vector<std::uint8_t> head(static_cast<std::size_t>(std::min<std::uint64_t>(f.size, 128)));
    f.read(0, head, "file header");
    Cursor c(head, path, "file header", 0);
    if (head.size() < 4 || std::memcmp(head.data(), "root", 4) != 0)
        throw InputError(path, 0, "", "not a ROOT file (it does not start with 'root')");
    c.skip(4);
    f.version = c.i32();
    f.begin = c.i32();
    const bool big = f.version >= 1000000;
    f.end = big ? c.i64() : c.i32();
    big ? c.i64() : c.i32(); // fSeekFree
    c.i32();                 // fNbytesFree
    c.i32();                 // nfree
    const std::int32_t nbytes_name = c.i32();
    c.u8(); // fUnits
    f.compress = c.i32();
    f.seek_info = big ? c.i64() : c.i32();
    f.nbytes_info = c.i32();
    if (f.begin <= 0 || static_cast<std::uint64_t>(f.begin) >= f.size)
        f.fail(8, "file header", "fBEGIN " + std::to_string(f.begin) + " lies outside the file");
    if (f.end > 0 && static_cast<std::uint64_t>(f.end) > f.size)
        f.fail(12, "file header",
               "fEND says the file has " + std::to_string(f.end) + " bytes, it has " +
                   std::to_string(f.size) + " (truncated: was it copied while being written?)");
    if (nbytes_name <= 0 || nbytes_name > 1 << 20)
        f.fail(0, "file header",
               "fNbytesName " + std::to_string(nbytes_name) + " is not a plausible name length");

    // The top directory's record follows the file's own key and name at fBEGIN + fNbytesName.
    const std::int64_t dir_offset = f.begin + nbytes_name;
    std::vector<std::uint8_t> dir(static_cast<std::size_t>(std::min<std::uint64_t>(
        64, dir_offset >= 0 && static_cast<std::uint64_t>(dir_offset) < f.size ? f.size - dir_offset : 0)));
    f.read(dir_offset, dir, "top directory");
    f.top = f.parse_directory(dir, dir_offset, "top directory");
}

RootFile::~RootFile() = default;
RootFile::RootFile(RootFile&&) noexcept = default;
RootFile& RootFile::operator=(RootFile&&) noexcept = default;

const std::string& RootFile::path() const {
    return impl_->path;
}
int RootFile::version() const {
    return impl_->version;
}
std::uint64_t RootFile::size() const {
    return impl_->size;
}
int RootFile::compression() const {
    return impl_->compress;
}
std::int64_t RootFile::seek_info() const {
    return impl_->seek_info;
}
std::int32_t RootFile::nbytes_info() const {
    return impl_->nbytes_info;
}

std::vector<Key> RootFile::keys(std::string_view directory) const {
    return impl_->keys_of(impl_->directory(directory), directory.empty() ? "top directory" : directory);
}

Key RootFile::key(std::string_view path) const {
    std::string_view name = path;
    int cycle = -1;
    if (const auto semi = path.rfind(';'); semi != std::string_view::npos) {
        name = path.substr(0, semi);
        const std::string c(path.substr(semi + 1));
        try {
            std::size_t used = 0;
            cycle = std::stoi(c, &used);
            if (used != c.size() || cycle < 0)
                throw std::invalid_argument(c);
        } catch (const std::exception&) {
            throw InputError(impl_->path, 0, std::string(path),
                             "cycle '" + c + "' is not a non-negative integer");
        }
    }
    std::string_view dir;
    if (const auto slash = name.rfind('/'); slash != std::string_view::npos) {
        dir = name.substr(0, slash);
        name = name.substr(slash + 1);
    }
    const auto all = keys(dir);
    const Key* best = nullptr;
    for (const auto& k : all)
        if (k.name == name && (cycle < 0 ? (best == nullptr || k.cycle > best->cycle) : k.cycle == cycle))
            best = &k;
    if (best != nullptr)
        return *best;
    std::string have;
    for (const auto& k : all)
        have += (have.empty() ? "" : ", ") + k.name + ";" + std::to_string(k.cycle);
    throw InputError(impl_->path, 0, std::string(path),
                     "no such object" +
                         (have.empty() ? std::string(" (the directory is empty)") : "; it holds: " + have));
}

bool RootFile::contains(std::string_view path) const {
    try {
        key(path);
        return true;
    } catch (const InputError&) {
        return false;
    }
}

Key RootFile::read_key(std::int64_t seek, std::string_view what) const {
    return impl_->read_key(seek, what);
}

std::vector<std::uint8_t> RootFile::read_payload(const Key& key) const {
    return impl_->payload(key);
}

void RootFile::read_raw(std::int64_t offset, std::span<std::uint8_t> out, std::string_view what) const {
    impl_->read(offset, out, what);
}

std::span<const std::uint8_t> RootFile::view_raw(std::int64_t offset, std::size_t n,
                                                 std::vector<std::uint8_t>& scratch,
                                                 std::string_view what) const {
    Impl& f = *impl_;
    if (f.map.data == nullptr) {
        if (scratch.size() < n) // grow-only: a reused scratch is not zero-filled again
            scratch.resize(n);
        const std::span<std::uint8_t> out(scratch.data(), n);
        f.read(offset, out, what);
        return out;
    }
    if (offset < 0 || static_cast<std::uint64_t>(offset) > f.size ||
        n > f.size - static_cast<std::uint64_t>(offset))
        f.fail(offset, what,
               std::to_string(n) + " bytes at offset " + std::to_string(offset) + " lie outside the file (" +
                   std::to_string(f.size) + " bytes; truncated or corrupt)");
    // The pages touched stay in this process's resident set until released. Views are counted
    // by the chunks they touch (kChunkBits), once each, so that reading the same bytes again
    // costs nothing; once the chunks touched in all mapped files of the process pass
    // Config::mapped_resident_limit bytes, every file's pages are dropped from its mapping
    // (MADV_DONTNEED on a shared read-only file mapping only unmaps them: the page cache keeps
    // them and the next touch maps them again with the same bytes, so views held by other
    // threads stay valid). Resident memory stays bounded whatever the file sizes and however
    // many files are open. The count is approximate when threads race on a release (it only
    // decides when to release).
    if (n > 0) {
        const auto first = static_cast<std::uint64_t>(offset) >> kChunkBits;
        const auto last = (static_cast<std::uint64_t>(offset) + n - 1) >> kChunkBits;
        std::uint64_t added = 0;
        for (std::uint64_t c = first; c <= last; ++c) {
            std::atomic<std::uint64_t>& word = f.map.touched[c / 64];
            const std::uint64_t bit = std::uint64_t{1} << (c % 64);
            if ((word.load(std::memory_order_relaxed) & bit) == 0 &&
                (word.fetch_or(bit, std::memory_order_relaxed) & bit) == 0)
                ++added;
        }
        const std::uint64_t bytes = added << kChunkBits;
        MappedFiles& m = mapped_files();
        if (added > 0)
            f.map.resident.fetch_add(bytes, std::memory_order_relaxed);
        if (added > 0 &&
            m.resident.fetch_add(bytes, std::memory_order_relaxed) + bytes > f.config.mapped_resident_limit) {
            const std::lock_guard lock(m.mutex);
            m.resident.store(0, std::memory_order_relaxed);
            for (Mapping* file : m.files)
                file->release();
        }
    }
    return {f.map.data + offset, n};
}

std::uint64_t RootFile::mapped_resident_bytes() {
    return mapped_files().resident.load(std::memory_order_relaxed);
}

std::vector<std::uint8_t> RootFile::read_raw(std::int64_t offset, std::size_t n,
                                             std::string_view what) const {
    if (n > impl_->size)
        impl_->fail(offset, what,
                    std::to_string(n) + " bytes asked for, the file has " + std::to_string(impl_->size));
    std::vector<std::uint8_t> out(n);
    impl_->read(offset, out, what);
    return out;
}

std::vector<std::uint8_t> RootFile::read_streamer_record() const {
    if (impl_->seek_info <= 0)
        return {};
    return impl_->payload(impl_->read_key(impl_->seek_info, "streamer info"));
}

} // namespace hepkit::io
