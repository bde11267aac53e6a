// Layouts the reference files do not have: the Run2012 RNTuple re-encoded by this test into three
// clusters (one of a single entry) of many small pages (some with checksums), with every column
// encoding of the format — plain, split, zigzag + split, delta + split (64 and 32 bit index
// columns), half floats, truncated and quantized floats. Pages are written uncompressed with a
// new page list, footer and (for other column types) header appended to a copy of the file.
// Reading any entry range, with or without threads, must give the values of the original file
// (lossy encodings: the value the encoding keeps), which RNTupleTest checks against jsroot.
#include "RNTupleTestFile.hpp"
#include "Reference.hpp"
#include "hepkit/core/ThreadPool.hpp"
#include "hepkit/io/RNTuple.hpp"
#include "hepkit/io/RootFile.hpp"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>

using hepkit::io::Column;
using hepkit::io::RNTuple;
using hepkit::io::RootFile;
using hepkit::test::NtupleBytes;

namespace {

const std::string kRun2012File = "root-files/Run2012BC_DoubleMuParked_Muons_1000evts_rntuple_v1-0-0-0.root";

// Column kinds (the format's numbers).
enum : std::uint16_t {
    Int16 = 0x05,
    Int32 = 0x07,
    Real16 = 0x0B,
    Real32 = 0x0C,
    Real64 = 0x0D,
    Index32 = 0x0E,
    Index64 = 0x0F,
    SplitInt16 = 0x11,
    SplitInt32 = 0x13,
    SplitReal32 = 0x18,
    SplitIndex32 = 0x1A,
    SplitIndex64 = 0x1B,
    Real32Trunc = 0x1C,
    Real32Quant = 0x1D,
};

struct ColumnSpec {
    std::uint16_t kind;
    std::uint16_t bits;
    double min = 0, max = 0; // Real32Quant
};

/// A little-endian envelope writer with frames.
struct Writer {
    std::vector<std::uint8_t> b;
    template <class T>
    void put(T v) {
        const auto* p = reinterpret_cast<const std::uint8_t*>(&v);
        b.insert(b.end(), p, p + sizeof(T));
    }
    std::size_t record() {
        const std::size_t at = b.size();
        put<std::int64_t>(0);
        return at;
    }
    std::size_t list(std::uint32_t items) {
        const std::size_t at = b.size();
        put<std::int64_t>(0);
        put<std::uint32_t>(items);
        return at;
    }
    void end_record(std::size_t at) { set<std::int64_t>(at, static_cast<std::int64_t>(b.size() - at)); }
    void end_list(std::size_t at) { set<std::int64_t>(at, -static_cast<std::int64_t>(b.size() - at)); }
    template <class T>
    void set(std::size_t at, T v) {
        std::memcpy(b.data() + at, &v, sizeof(T));
    }
    /// Envelope preamble now, length and checksum space at the end (NtupleBytes::append fills it).
    void begin_envelope(std::uint16_t type) {
        put<std::uint64_t>(type);
        type_ = type;
    }
    std::vector<std::uint8_t> finish_envelope() {
        put<std::uint64_t>(0);
        set<std::uint64_t>(0, type_ | (static_cast<std::uint64_t>(b.size()) << 16));
        return b;
    }
    std::uint16_t type_ = 0;
};

void split_bytes(const std::vector<std::uint8_t>& plain, std::size_t width, std::vector<std::uint8_t>& out) {
    const std::size_t n = plain.size() / width;
    for (std::size_t byte = 0; byte < width; ++byte)
        for (std::size_t i = 0; i < n; ++i)
            out.push_back(plain[i * width + byte]);
}

template <class T>
void append_le(std::vector<std::uint8_t>& out, T v) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(&v);
    out.insert(out.end(), p, p + sizeof(T));
}

/// Packs `bits`-bit integers from the least significant bit up.
std::vector<std::uint8_t> pack(const std::vector<std::uint32_t>& q, unsigned bits) {
    std::vector<std::uint8_t> out((q.size() * bits + 7) / 8, 0);
    for (std::size_t i = 0; i < q.size(); ++i)
        for (unsigned k = 0; k < bits; ++k)
            if ((q[i] >> k) & 1) {
                const std::size_t bit = i * bits + k;
                out[bit / 8] = static_cast<std::uint8_t>(out[bit / 8] | (1u << (bit % 8)));
            }
    return out;
}

std::uint16_t float_to_half(float f) { // normal, in-range values only (the masses here)
    std::uint32_t x;
    std::memcpy(&x, &f, 4);
    const std::uint32_t sign = (x >> 16) & 0x8000;
    const int exponent = static_cast<int>((x >> 23) & 0xFF) - 127 + 15;
    const std::uint32_t mantissa = (x >> 13) & 0x3FF; // truncated
    return static_cast<std::uint16_t>(sign | (static_cast<std::uint32_t>(exponent) << 10) | mantissa);
}

std::uint32_t quantize(double v, const ColumnSpec& s) {
    const double scale = (s.max - s.min) / static_cast<double>((std::uint64_t{1} << s.bits) - 1);
    return static_cast<std::uint32_t>(std::llround((v - s.min) / scale));
}

/// One page of a column: its uncompressed bytes.
std::vector<std::uint8_t> encode_index(const ColumnSpec& s, const std::vector<std::uint64_t>& v) {
    std::vector<std::uint8_t> plain, out;
    const bool delta = s.kind == SplitIndex32 || s.kind == SplitIndex64;
    for (std::size_t i = 0; i < v.size(); ++i) {
        const std::uint64_t x = delta && i > 0 ? v[i] - v[i - 1] : v[i];
        if (s.bits == 32)
            append_le<std::uint32_t>(plain, static_cast<std::uint32_t>(x));
        else
            append_le<std::uint64_t>(plain, x);
    }
    if (!delta)
        return plain;
    split_bytes(plain, s.bits / 8, out);
    return out;
}

std::vector<std::uint8_t> encode_int(const ColumnSpec& s, const std::vector<std::int32_t>& v) {
    std::vector<std::uint8_t> plain, out;
    const bool split = s.kind == SplitInt16 || s.kind == SplitInt32;
    for (const std::int32_t x : v) {
        const std::uint32_t zz = static_cast<std::uint32_t>((x << 1) ^ (x >> 31));
        if (s.bits == 16)
            append_le<std::uint16_t>(plain,
                                     split ? static_cast<std::uint16_t>(zz) : static_cast<std::uint16_t>(x));
        else
            append_le<std::uint32_t>(plain, split ? zz : static_cast<std::uint32_t>(x));
    }
    if (!split)
        return plain;
    split_bytes(plain, s.bits / 8, out);
    return out;
}

std::vector<std::uint8_t> encode_real(const ColumnSpec& s, const std::vector<float>& v) {
    std::vector<std::uint8_t> plain, out;
    std::vector<std::uint32_t> q;
    for (const float x : v) {
        std::uint32_t bits32;
        std::memcpy(&bits32, &x, 4);
        switch (s.kind) {
        case Real32:
        case SplitReal32:
            append_le<float>(plain, x);
            break;
        case Real64:
            append_le<double>(plain, x);
            break;
        case Real16:
            append_le<std::uint16_t>(plain, float_to_half(x));
            break;
        case Real32Trunc:
            q.push_back(bits32 >> (32 - s.bits));
            break;
        case Real32Quant:
            q.push_back(quantize(x, s));
            break;
        }
    }
    if (s.kind == Real32Trunc || s.kind == Real32Quant)
        return pack(q, s.bits);
    if (s.kind != SplitReal32)
        return plain;
    split_bytes(plain, 4, out);
    return out;
}

/// The value a lossy encoding keeps.
float kept(const ColumnSpec& s, float x) {
    if (s.kind == Real32Trunc) {
        std::uint32_t b;
        std::memcpy(&b, &x, 4);
        b &= ~((std::uint32_t{1} << (32 - s.bits)) - 1);
        std::memcpy(&x, &b, 4);
        return x;
    }
    if (s.kind == Real32Quant) {
        const double scale = (s.max - s.min) / static_cast<double>((std::uint64_t{1} << s.bits) - 1);
        return static_cast<float>(static_cast<double>(quantize(x, s)) * scale + s.min);
    }
    return x;
}

struct Original {
    std::vector<std::int64_t> offsets;     // global, entries + 1
    std::vector<std::vector<float>> reals; // pt, eta, phi, mass
    std::vector<std::int32_t> charge;
};

Original read_original(const std::string& path) {
    const RootFile file(path);
    const RNTuple nt(file, "Events");
    Original o;
    o.offsets = nt.read("Muon_pt").offsets;
    for (const char* name : {"Muon_pt", "Muon_eta", "Muon_phi", "Muon_mass"}) {
        const Column column = nt.read(name);
        const auto v = column.as<float>();
        o.reals.emplace_back(v.begin(), v.end());
    }
    const Column charge = nt.read("Muon_charge");
    const auto c = charge.as<std::int32_t>();
    o.charge.assign(c.begin(), c.end());
    return o;
}

/// Offsets of the six column records' type fields in the header envelope.
std::vector<std::size_t> column_records(const std::vector<std::uint8_t>& h) {
    std::size_t at = 16; // preamble, feature flags
    for (int i = 0; i < 3; ++i)
        at += 4 + NtupleBytes::le32(h, at);
    at += static_cast<std::size_t>(-static_cast<std::int64_t>(NtupleBytes::le64(h, at))); // field list
    const std::uint32_t n = NtupleBytes::le32(h, at + 8);
    std::vector<std::size_t> out;
    std::size_t rec = at + 12;
    for (std::uint32_t i = 0; i < n; ++i) {
        out.push_back(rec + 8);
        rec += static_cast<std::size_t>(NtupleBytes::le64(h, rec));
    }
    return out;
}

/// The re-encoded file: `specs` for columns 0 (the index) … 5 (charge), clusters starting at
/// `starts` (and ending at 1000), pages of at most `page` elements.
// Fields added by the footer's schema extension at entry 300 (their columns deferred): their
// values for an entry; entries before 300 read as zeros and empty collections.
std::string extra_label(std::uint64_t e) {
    return e % 13 == 0 ? std::string() : "ev" + std::to_string(e);
}
bool extra_flag(std::uint64_t e) {
    return e % 3 == 0;
}
float extra_pair(std::uint64_t e, int j) {
    return j == 0 ? static_cast<float>(e) * 0.5f : -static_cast<float>(e);
}
std::vector<std::int16_t> extra_counts(std::uint64_t e) {
    std::vector<std::int16_t> v;
    for (std::uint64_t k = 0; k < e % 4; ++k)
        v.push_back(
            static_cast<std::int16_t>(static_cast<std::int64_t>(e) - 500 + static_cast<std::int64_t>(k)));
    return v;
}
constexpr std::uint64_t kExtensionStart = 300;

std::string reencode(const std::string& tag, const std::vector<ColumnSpec>& specs,
                     const std::vector<std::uint64_t>& starts, std::size_t page, bool extension = false) {
    const std::string source = hepkit::test::reference(kRun2012File).string();
    const Original o = read_original(source);
    NtupleBytes f(source, "Events");

    // Header: the column types and bits (ranges cannot be added in place: Quant gets its range
    // from a record rewritten with the flag and the two doubles).
    auto header = f.header();
    const auto records = column_records(header);
    EXPECT_EQ(records.size(), 6u);
    std::vector<std::uint8_t> rebuilt(header.begin(),
                                      header.begin() + static_cast<std::ptrdiff_t>(records[0] - 8));
    for (std::size_t c = 0; c < records.size(); ++c) {
        const std::size_t rec = records[c] - 8;
        std::vector<std::uint8_t> r(header.begin() + static_cast<std::ptrdiff_t>(rec),
                                    header.begin() +
                                        static_cast<std::ptrdiff_t>(rec + NtupleBytes::le64(header, rec)));
        NtupleBytes::set_le32(r, 8, static_cast<std::uint32_t>(specs[c].kind | (specs[c].bits << 16)));
        if (specs[c].kind == Real32Quant) {
            r[16] |= 0x02; // flags: value range
            append_le<double>(r, specs[c].min);
            append_le<double>(r, specs[c].max);
            NtupleBytes::set_le64(r, 0, r.size());
        }
        rebuilt.insert(rebuilt.end(), r.begin(), r.end());
    }
    const std::size_t old_end = records.back() - 8 + NtupleBytes::le64(header, records.back() - 8);
    // the column list frame's size (negative) covers the records
    const std::size_t list_at = records[0] - 8 - 12;
    rebuilt.insert(rebuilt.end(), header.begin() + static_cast<std::ptrdiff_t>(old_end), header.end());
    // The column list frame grows by what the records grew.
    const std::int64_t grown =
        static_cast<std::int64_t>(rebuilt.size()) - static_cast<std::int64_t>(header.size());
    const std::int64_t old_list = -static_cast<std::int64_t>(NtupleBytes::le64(header, list_at));
    NtupleBytes::set_le64(rebuilt, list_at, static_cast<std::uint64_t>(-(old_list + grown)));
    NtupleBytes::set_le64(rebuilt, 0, 1 | (static_cast<std::uint64_t>(rebuilt.size()) << 16));
    f.replace_header(rebuilt);
    const auto h = f.header();
    const std::uint64_t header_checksum = XXH3_64bits(h.data(), h.size() - 8);

    // Pages, cluster by cluster.
    struct Page {
        std::int32_t elements;
        std::uint32_t size;
        std::uint64_t offset;
    };
    std::vector<std::uint64_t> bounds = starts;
    bounds.push_back(1000);
    const std::size_t nclusters = starts.size();
    const std::size_t ncolumns = extension ? 12 : 6;
    std::vector<std::vector<std::vector<Page>>> pages(nclusters, std::vector<std::vector<Page>>(ncolumns));
    std::vector<std::vector<std::int64_t>> first_element(nclusters, std::vector<std::int64_t>(ncolumns));
    std::uint64_t chars_before = 0, counts_before = 0;
    std::size_t page_count = 0;
    auto store = [&](std::size_t k, std::size_t c, const std::vector<std::uint8_t>& bytes, std::size_t n) {
        const bool checksum = (page_count++ % 2) == 0;
        Page p{checksum ? -static_cast<std::int32_t>(n) : static_cast<std::int32_t>(n),
               static_cast<std::uint32_t>(bytes.size()), f.bytes.size()};
        f.bytes.insert(f.bytes.end(), bytes.begin(), bytes.end());
        if (checksum) {
            const std::uint64_t x = XXH3_64bits(bytes.data(), bytes.size());
            append_le<std::uint64_t>(f.bytes, x);
        }
        pages[k][c].push_back(p);
    };
    for (std::size_t k = 0; k < nclusters; ++k) {
        const std::uint64_t e0 = bounds[k], e1 = bounds[k + 1];
        const auto v0 = static_cast<std::size_t>(o.offsets[e0]), v1 = static_cast<std::size_t>(o.offsets[e1]);
        first_element[k][0] = static_cast<std::int64_t>(e0);
        for (std::size_t c = 1; c < 6; ++c)
            first_element[k][c] = static_cast<std::int64_t>(v0);
        for (std::uint64_t e = e0; e < e1; e += page) { // the index: cluster-relative end offsets
            std::vector<std::uint64_t> idx;
            for (std::uint64_t i = e; i < std::min<std::uint64_t>(e1, e + page); ++i)
                idx.push_back(static_cast<std::uint64_t>(o.offsets[i + 1]) - v0);
            store(k, 0, encode_index(specs[0], idx), idx.size());
        }
        for (std::size_t v = v0; v < v1; v += page) {
            const std::size_t w = std::min(v1, v + page);
            for (std::size_t c = 1; c <= 4; ++c) {
                const std::vector<float> part(o.reals[c - 1].begin() + static_cast<std::ptrdiff_t>(v),
                                              o.reals[c - 1].begin() + static_cast<std::ptrdiff_t>(w));
                store(k, c, encode_real(specs[c], part), part.size());
            }
            const std::vector<std::int32_t> part(o.charge.begin() + static_cast<std::ptrdiff_t>(v),
                                                 o.charge.begin() + static_cast<std::ptrdiff_t>(w));
            store(k, 5, encode_int(specs[5], part), part.size());
        }
        if (!extension || e0 < kExtensionStart)
            continue;
        // The extension's columns: 6 label index, 7 label characters, 8 flag bits, 9 pair
        // floats, 10 counts index (Index32), 11 counts values (SplitInt16).
        std::vector<std::uint64_t> label_index, counts_index;
        std::vector<std::uint8_t> chars;
        std::vector<std::uint32_t> flags;
        std::vector<float> pairs;
        std::vector<std::int32_t> counts;
        for (std::uint64_t e = e0; e < e1; ++e) {
            const std::string l = extra_label(e);
            chars.insert(chars.end(), l.begin(), l.end());
            label_index.push_back(chars.size());
            flags.push_back(extra_flag(e) ? 1 : 0);
            pairs.push_back(extra_pair(e, 0));
            pairs.push_back(extra_pair(e, 1));
            for (const std::int16_t c : extra_counts(e))
                counts.push_back(c);
            counts_index.push_back(counts.size());
        }
        first_element[k][6] = static_cast<std::int64_t>(e0);
        first_element[k][7] = static_cast<std::int64_t>(chars_before);
        first_element[k][8] = static_cast<std::int64_t>(e0);
        first_element[k][9] = static_cast<std::int64_t>(2 * e0);
        first_element[k][10] = static_cast<std::int64_t>(e0);
        first_element[k][11] = static_cast<std::int64_t>(counts_before);
        chars_before += chars.size();
        counts_before += counts.size();
        store(k, 6, encode_index({SplitIndex64, 64}, label_index), label_index.size());
        store(k, 7, chars, chars.size());
        store(k, 8, pack(flags, 1), flags.size());
        store(k, 9, encode_real({Real32, 32}, pairs), pairs.size());
        store(k, 10, encode_index({Index32, 32}, counts_index), counts_index.size());
        store(k, 11, encode_int({SplitInt16, 16}, counts), counts.size());
    }

    Writer pl;
    pl.begin_envelope(3);
    pl.put<std::uint64_t>(header_checksum);
    const auto summaries = pl.list(static_cast<std::uint32_t>(nclusters));
    for (std::size_t k = 0; k < nclusters; ++k) {
        const auto r = pl.record();
        pl.put<std::uint64_t>(bounds[k]);
        pl.put<std::uint64_t>(bounds[k + 1] - bounds[k]);
        pl.end_record(r);
    }
    pl.end_list(summaries);
    const auto clusters = pl.list(static_cast<std::uint32_t>(nclusters));
    for (std::size_t k = 0; k < nclusters; ++k) {
        // Clusters written before the extension list only the header's columns.
        const std::size_t listed = extension && bounds[k] >= kExtensionStart ? ncolumns : 6;
        const auto cols = pl.list(static_cast<std::uint32_t>(listed));
        for (std::size_t c = 0; c < listed; ++c) {
            const auto ps = pl.list(static_cast<std::uint32_t>(pages[k][c].size()));
            for (const Page& p : pages[k][c]) {
                pl.put<std::int32_t>(p.elements);
                pl.put<std::uint32_t>(p.size);
                pl.put<std::uint64_t>(p.offset);
            }
            pl.put<std::int64_t>(first_element[k][c]);
            pl.put<std::uint32_t>(0); // uncompressed
            pl.end_list(ps);
        }
        pl.end_list(cols);
    }
    pl.end_list(clusters);
    const auto page_list = pl.finish_envelope();
    const std::uint64_t page_list_at = f.append(page_list);

    Writer ft;
    ft.begin_envelope(2);
    ft.put<std::uint64_t>(0); // feature flags
    ft.put<std::uint64_t>(header_checksum);
    const auto ext = ft.record(); // the schema extension
    if (extension) {
        auto str = [&](const std::string& text) {
            ft.put<std::uint32_t>(static_cast<std::uint32_t>(text.size()));
            ft.b.insert(ft.b.end(), text.begin(), text.end());
        };
        auto field = [&](std::uint32_t parent, std::uint16_t role, std::uint16_t flags,
                         const std::string& name, const std::string& type, std::uint64_t array_size) {
            const auto r = ft.record();
            ft.put<std::uint32_t>(0);
            ft.put<std::uint32_t>(0);
            ft.put<std::uint32_t>(parent);
            ft.put<std::uint16_t>(role);
            ft.put<std::uint16_t>(flags);
            str(name);
            str(type);
            str("");
            str("");
            if (flags & 0x01)
                ft.put<std::uint64_t>(array_size);
            ft.end_record(r);
        };
        // Header fields are 0 … 17; these are 18 … 23.
        const auto fields = ft.list(6);
        field(18, 0, 0, "label", "std::string", 0);
        field(19, 0, 0, "flag", "bool", 0);
        field(20, 0, 0x01, "pair", "std::array<float,2>", 2);
        field(20, 0, 0, "_0", "float", 0);
        field(22, 1, 0, "counts", "std::vector<std::int16_t>", 0);
        field(22, 0, 0, "_0", "std::int16_t", 0);
        ft.end_list(fields);
        const auto columns = ft.list(6);
        const std::uint16_t kinds[6][3] = {{SplitIndex64, 64, 18}, {0x02, 8, 18},     {0x00, 1, 19},
                                           {Real32, 32, 21},       {Index32, 32, 22}, {SplitInt16, 16, 23}};
        for (const auto& k : kinds) {
            const auto r = ft.record();
            ft.put<std::uint16_t>(k[0]);
            ft.put<std::uint16_t>(k[1]);
            ft.put<std::uint32_t>(k[2]);
            ft.put<std::uint16_t>(0x01); // deferred
            ft.put<std::uint16_t>(0);
            ft.put<std::int64_t>(1); // a first element past 0 (the reader needs only the flag)
            ft.end_record(r);
        }
        ft.end_list(columns);
        ft.end_list(ft.list(0)); // alias columns
        ft.end_list(ft.list(0)); // extra type information
    }
    ft.end_record(ext);
    const auto groups = ft.list(1);
    const auto g = ft.record();
    ft.put<std::uint64_t>(0);
    ft.put<std::uint64_t>(1000);
    ft.put<std::uint32_t>(static_cast<std::uint32_t>(nclusters));
    ft.put<std::uint64_t>(page_list.size());
    ft.put<std::uint32_t>(static_cast<std::uint32_t>(page_list.size()));
    ft.put<std::uint64_t>(page_list_at);
    ft.end_record(g);
    ft.end_list(groups);
    const auto footer = ft.finish_envelope();
    f.replace_footer(footer);
    return f.write(tag);
}

void check_variant(const std::string& tag, const std::vector<ColumnSpec>& specs, std::size_t page) {
    const std::string original = hepkit::test::reference(kRun2012File).string();
    const Original o = read_original(original);
    const std::string path = reencode(tag, specs, {0, 300, 301}, page);
    const RootFile file(path);
    const RNTuple nt(file, "Events");
    ASSERT_EQ(nt.entries(), 1000u);
    ASSERT_EQ(nt.clusters(), 3u);
    EXPECT_EQ(nt.cluster_range(1), (std::pair<std::uint64_t, std::uint64_t>{300, 1}));
    hepkit::ThreadPool pool(3);
    const char* names[] = {"Muon_pt", "Muon_eta", "Muon_phi", "Muon_mass"};
    for (const auto& [b, e] : std::vector<std::pair<std::uint64_t, std::uint64_t>>{{0, 1000},
                                                                                   {0, 0},
                                                                                   {299, 302},
                                                                                   {300, 301},
                                                                                   {301, 301},
                                                                                   {123, 777},
                                                                                   {999, 1000},
                                                                                   {0, 300},
                                                                                   {1, 299}}) {
        SCOPED_TRACE(tag + " entries " + std::to_string(b) + ":" + std::to_string(e));
        const auto base = o.offsets[b];
        std::vector<std::int64_t> offsets;
        for (std::uint64_t i = b; i <= e; ++i)
            offsets.push_back(o.offsets[i] - base);
        for (int c = 0; c < 4; ++c) {
            for (hepkit::ThreadPool* p : {static_cast<hepkit::ThreadPool*>(nullptr), &pool}) {
                const Column col = nt.read(names[c], b, e, p);
                ASSERT_EQ(col.offsets, offsets) << names[c];
                const auto got = col.as<float>();
                ASSERT_EQ(got.size(), static_cast<std::size_t>(offsets.back()));
                for (std::size_t i = 0; i < got.size(); ++i) {
                    const float want = kept(specs[c + 1], o.reals[c][static_cast<std::size_t>(base) + i]);
                    if (specs[c + 1].kind == Real16)
                        ASSERT_NEAR(got[i], want, std::abs(want) * 2e-3) << names[c] << " value " << i;
                    else
                        ASSERT_EQ(got[i], want) << names[c] << " value " << i;
                }
            }
        }
        const Column charge = nt.read("Muon_charge", b, e, &pool);
        ASSERT_EQ(charge.offsets, offsets);
        EXPECT_TRUE(
            std::ranges::equal(charge.as<std::int32_t>(),
                               std::span(o.charge).subspan(static_cast<std::size_t>(base),
                                                           static_cast<std::size_t>(offsets.back()))));
        const Column n = nt.read("nMuon", b, e);
        for (std::uint64_t i = b; i < e; ++i)
            ASSERT_EQ(n.as<std::uint32_t>()[i - b], o.offsets[i + 1] - o.offsets[i]) << "entry " << i;
    }
}

} // namespace

TEST(RNTupleLayout, SplitEncodingsInThreeClustersOfSmallPages) {
    HEPKIT_REQUIRE_REFERENCE(kRun2012File);
    check_variant("split",
                  {{SplitIndex64, 64},
                   {SplitReal32, 32},
                   {SplitReal32, 32},
                   {SplitReal32, 32},
                   {SplitReal32, 32},
                   {SplitInt32, 32}},
                  37);
}

TEST(RNTupleLayout, PlainEncodings) {
    HEPKIT_REQUIRE_REFERENCE(kRun2012File);
    check_variant("plain",
                  {{Index64, 64}, {Real32, 32}, {Real64, 64}, {Real32, 32}, {Real32, 32}, {Int32, 32}}, 50);
}

TEST(RNTupleLayout, NarrowAndLossyEncodings) {
    HEPKIT_REQUIRE_REFERENCE(kRun2012File);
    check_variant("lossy",
                  {{SplitIndex32, 32},
                   {Real32Trunc, 20},
                   {Real32Quant, 17, -2.5, 2.7},
                   {Real32Trunc, 13},
                   {Real16, 16},
                   {SplitInt16, 16}},
                  64);
    check_variant("narrow",
                  {{Index32, 32}, {Real32, 32}, {Real32, 32}, {Real32, 32}, {Real32, 32}, {Int16, 16}}, 1000);
}

TEST(RNTupleLayout, SchemaExtensionWithDeferredColumns) {
    // Strings, bits, a fixed-size array and a vector<int16_t>, added by the footer at entry 300:
    // earlier clusters do not list their columns and read as zeros and empty collections.
    HEPKIT_REQUIRE_REFERENCE(kRun2012File);
    const std::string path = reencode("extension",
                                      {{SplitIndex64, 64},
                                       {SplitReal32, 32},
                                       {SplitReal32, 32},
                                       {SplitReal32, 32},
                                       {SplitReal32, 32},
                                       {SplitInt32, 32}},
                                      {0, 300, 301}, 37, /*extension=*/true);
    const RootFile file(path);
    const RNTuple nt(file, "Events");
    const auto label = nt.field("label");
    EXPECT_TRUE(label.readable) << label.why_not;
    EXPECT_EQ(label.column_type, hepkit::io::ColumnType::String);
    EXPECT_EQ(nt.field("flag").column_type, hepkit::io::ColumnType::Bool);
    EXPECT_EQ(nt.field("pair").width, 2u);
    EXPECT_TRUE(nt.field("counts").jagged);
    EXPECT_EQ(nt.field("counts").column_types, (std::vector<std::string>{"Index32", "SplitInt16"}));
    EXPECT_EQ(nt.fields().size(), 11u);
    hepkit::ThreadPool pool(2);
    for (const auto& [b, e] : std::vector<std::pair<std::uint64_t, std::uint64_t>>{
             {0, 1000}, {0, 300}, {299, 302}, {300, 301}, {500, 733}, {999, 1000}}) {
        SCOPED_TRACE(std::to_string(b) + ":" + std::to_string(e));
        const Column l = nt.read("label", b, e, &pool);
        const Column fl = nt.read("flag", b, e);
        const Column pr = nt.read("pair", b, e, &pool);
        const Column ct = nt.read("counts", b, e);
        ASSERT_EQ(l.entries(), e - b);
        ASSERT_EQ(fl.entries(), e - b);
        ASSERT_EQ(pr.entries(), e - b);
        ASSERT_EQ(ct.entries(), e - b);
        std::int64_t at = 0;
        for (std::uint64_t i = b; i < e; ++i) {
            const bool there = i >= kExtensionStart;
            ASSERT_EQ(l.as<std::string>()[i - b], there ? extra_label(i) : "") << i;
            ASSERT_EQ(fl.as<std::uint8_t>()[i - b], there && extra_flag(i) ? 1 : 0) << i;
            ASSERT_EQ(pr.as<float>()[2 * (i - b)], there ? extra_pair(i, 0) : 0.0f) << i;
            ASSERT_EQ(pr.as<float>()[2 * (i - b) + 1], there ? extra_pair(i, 1) : 0.0f) << i;
            const auto want = there ? extra_counts(i) : std::vector<std::int16_t>{};
            ASSERT_EQ(ct.offsets[i - b], at);
            ASSERT_EQ(ct.offsets[i - b + 1] - at, static_cast<std::int64_t>(want.size())) << i;
            for (std::size_t k = 0; k < want.size(); ++k)
                ASSERT_EQ(ct.as<std::int16_t>()[static_cast<std::size_t>(at) + k], want[k]) << i;
            at += static_cast<std::int64_t>(want.size());
        }
    }
    EXPECT_EQ(nt.read("Muon_pt").size(), 2372u); // the header's fields are untouched
}
