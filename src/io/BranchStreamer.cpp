// The streamers of TBranch (class versions 10–13), TBranchElement (8–10) and of the baskets a
// TBranch record may carry inside it (fBaskets: the last baskets of a tree whose file was not
// closed). Sub-branches are flattened depth-first into one list, each under its full name.

#include "TreeModel.hpp"

#include <string>

namespace hepkit::io::detail {

namespace {

// Nested branches deeper than this are treated as corrupt (ROOT's split levels reach ~99 only in
// theory; real classes nest a handful of levels) instead of recursing without end.
constexpr int kMaxBranchDepth = 64;

// A pointer member whose object is not needed: a null, a reference, or an object skipped by its
// byte count.
void skip_pointer(Cursor& c, const char* what) {
    const Cursor::AnyObject o = c.any_object();
    if (o.kind != Cursor::AnyObject::Kind::Object)
        return;
    if (o.end == 0)
        c.fail(std::string(what) + ": object of class " + o.class_name + " written without a byte count");
    c.seek(o.end);
}

template <class T, class Read>
std::vector<T> read_array(Cursor& c, std::int32_t n, std::size_t size, const char* what, Read read) {
    if (n < 0 || static_cast<std::size_t>(n) > c.remaining() / size)
        c.fail(std::string(what) + ": " + std::to_string(n) + " elements of " + std::to_string(size) +
               " bytes do not fit in the " + std::to_string(c.remaining()) + " bytes left");
    std::vector<T> out(static_cast<std::size_t>(n));
    for (auto& v : out)
        v = read(c);
    return out;
}

// One TBasket inside the TBranch record (TBasket::Streamer): its key header, the basket fields,
// the entry offsets when the entries have variable size, then the buffer (key header + data).
EmbeddedBasket read_embedded_basket(Cursor& c, std::size_t end) {
    const std::size_t start = c.pos();
    c.i32(); // fNbytes
    const std::uint16_t key_version = c.u16();
    c.i32(); // fObjlen
    c.u32(); // fDatime
    const std::int16_t key_len = c.i16();
    c.i16(); // fCycle
    if (key_len < 0 || start + static_cast<std::size_t>(key_len) > end || key_len < 19)
        c.fail("embedded basket: key length " + std::to_string(key_len) + " does not fit the object");
    (void)key_version;
    // The basket's own fields close the key header (its last 19 bytes).
    c.seek(start + static_cast<std::size_t>(key_len) - 19);
    c.u16(); // fVersion
    c.i32(); // fBufferSize
    c.i32(); // fNevBufSize
    const std::int32_t nev = c.i32();
    const std::int32_t last = c.i32();
    std::uint8_t flag = c.u8();
    EmbeddedBasket b;
    if (nev < 0 || last < key_len)
        c.fail("embedded basket: " + std::to_string(nev) + " entries and buffer end " + std::to_string(last) +
               " are inconsistent with key length " + std::to_string(key_len));
    b.entries = nev;
    if (flag >= 80)
        c.fail("embedded basket: entry offsets to be regenerated (flag " + std::to_string(flag) +
               ") are not supported");
    const std::int32_t border = last - key_len;
    if (flag != 0 && flag % 10 != 2 && nev > 0) {
        const std::int32_t count = c.i32();
        if (count < nev)
            c.fail("embedded basket: " + std::to_string(count) + " entry offsets for " + std::to_string(nev) +
                   " entries");
        auto raw = read_array<std::int32_t>(c, count, 4, "embedded basket offsets",
                                            [](Cursor& cc) { return cc.i32(); });
        b.offsets.resize(static_cast<std::size_t>(nev) + 1);
        for (std::int32_t i = 0; i < nev; ++i)
            b.offsets[static_cast<std::size_t>(i)] = raw[static_cast<std::size_t>(i)] - key_len;
        b.offsets.back() = border;
        if (flag > 40)
            c.fail("embedded basket: displacement tables (flag " + std::to_string(flag) +
                   ") are not supported");
    }
    if (flag == 1 || flag > 10) {
        const auto buffer = c.bytes(static_cast<std::size_t>(last));
        b.data.assign(buffer.begin() + key_len, buffer.end());
    } else {
        c.fail("embedded basket without its buffer (flag " + std::to_string(flag) + ")");
    }
    return b;
}

void read_basket_array(Cursor& c, BranchModel& br) {
    const auto [f, n] = c.object_array("fBaskets", "slots");
    for (std::int32_t i = 0; i < n; ++i) {
        const Cursor::AnyObject o = c.any_object();
        if (o.kind != Cursor::AnyObject::Kind::Object)
            continue;
        if (o.class_name != "TBasket" || o.end == 0)
            c.fail("fBaskets slot " + std::to_string(i) + ": unexpected object of class " + o.class_name);
        EmbeddedBasket b = read_embedded_basket(c, o.end);
        c.seek(o.end);
        // Only baskets that are not also on file (seek 0 or past the baskets written) are kept.
        const auto slot = static_cast<std::size_t>(i);
        if (i >= br.write_basket || slot >= br.basket_seek.size() || br.basket_seek[slot] == 0)
            br.embedded.push_back(std::move(b));
    }
    if (f.end != 0)
        c.skip_to_end(f, "fBaskets");
}

void read_tbranch(Cursor& c, BranchModel& br, int depth, const std::string& parent,
                  std::vector<BranchModel>& out, std::size_t& self_index) {
    const Cursor::Frame f = c.frame("TBranch");
    br.version = f.version;
    if (f.version < 10 || f.version > 13)
        c.fail("TBranch class version " + std::to_string(f.version) + " is not supported (versions 10–13)");
    auto [name, title] = c.tnamed();
    // ROOT writes a split member's full path into fName ("evt.x"); otherwise prefix the parent.
    br.name = depth > 0 && name.rfind(parent + ".", 0) != 0 ? parent + "/" + name : std::move(name);
    br.title = std::move(title);
    c.set_object(c.object() + " branch '" + br.name + "'");
    c.skip_object("TAttFill");
    br.compress = c.i32();
    c.i32(); // fBasketSize
    br.entry_offset_len = c.i32();
    br.write_basket = c.i32();
    c.i64(); // fEntryNumber
    if (f.version >= 13)
        c.skip_object("TIOFeatures");
    c.i32(); // fOffset
    const std::int32_t max_baskets = c.i32();
    c.i32(); // fSplitLevel
    br.entries = c.i64();
    if (f.version >= 11)
        br.first_entry = c.i64();
    br.tot_bytes = c.i64();
    br.zip_bytes = c.i64();
    // Children are stored before this branch's baskets; the branch takes its place in `out` first
    // so that parents precede children.
    out.push_back(BranchModel{});
    self_index = out.size() - 1;
    const std::size_t before = out.size();
    read_branch_array(c, out, depth + 1, br.name);
    br.has_children = out.size() > before;
    br.leaves = read_leaf_array(c);
    // fBaskets comes before the basket tables but the embedded baskets are kept by comparing
    // with them: remember where it is and read it after the tables.
    const std::size_t baskets_at = c.pos();
    {
        const Cursor::Frame bf = c.frame("fBaskets");
        c.skip_to_end(bf, "fBaskets");
    }
    if (br.write_basket < 0 || br.write_basket > max_baskets)
        c.fail("fWriteBasket " + std::to_string(br.write_basket) + " outside 0 … fMaxBaskets " +
               std::to_string(max_baskets));
    c.u8();
    br.basket_bytes =
        read_array<std::int32_t>(c, max_baskets, 4, "fBasketBytes", [](Cursor& cc) { return cc.i32(); });
    c.u8();
    br.basket_entry =
        read_array<std::int64_t>(c, max_baskets, 8, "fBasketEntry", [](Cursor& cc) { return cc.i64(); });
    // The byte before fBasketSeek is 1 or 2 (ROOT's "big file" mark); the seeks are 64-bit either way.
    c.u8();
    br.basket_seek =
        read_array<std::int64_t>(c, max_baskets, 8, "fBasketSeek", [](Cursor& cc) { return cc.i64(); });
    const std::size_t tables_end = c.pos();
    c.seek(baskets_at);
    read_basket_array(c, br);
    c.seek(tables_end);
    c.tstring(); // fFileName
    c.skip_to_end(f, "TBranch");
}

void read_branch_element(Cursor& c, BranchModel& br, int depth, const std::string& parent,
                         std::vector<BranchModel>& out, std::size_t& self_index) {
    const Cursor::Frame f = c.frame("TBranchElement");
    if (f.version < 8 || f.version > 10)
        c.fail("TBranchElement class version " + std::to_string(f.version) +
               " is not supported (versions 8–10)");
    read_tbranch(c, br, depth, parent, out, self_index);
    br.element_class = c.tstring();
    c.tstring(); // fParentName
    c.tstring(); // fClonesName
    c.u32();     // fCheckSum
    if (f.version >= 10)
        c.i16(); // fClassVersion
    else
        c.i32();
    c.i32(); // fID
    br.element_type = c.i32();
    br.streamer_type = c.i32();
    c.i32(); // fMaximum
    skip_pointer(c, "fBranchCount");
    skip_pointer(c, "fBranchCount2");
    c.skip_to_end(f, "TBranchElement");
}

} // namespace

void read_branch_array(Cursor& c, std::vector<BranchModel>& out, int depth, const std::string& parent) {
    if (depth > kMaxBranchDepth)
        c.fail("branches nested deeper than " + std::to_string(kMaxBranchDepth) +
               " levels (corrupt or cyclic)");
    const auto [f, n] = c.object_array("fBranches", "branches");
    const std::string object = c.object();
    for (std::int32_t i = 0; i < n; ++i) {
        const Cursor::AnyObject o = c.any_object();
        if (o.kind != Cursor::AnyObject::Kind::Object)
            continue;
        if (o.class_name != "TBranch" && o.class_name != "TBranchElement") {
            // TBranchObject, TBranchRef, TBranchSTL: objects this reader does not turn into columns.
            if (o.end == 0)
                c.fail("branch of class " + o.class_name + " written without a byte count");
            c.seek(o.end);
            continue;
        }
        BranchModel br;
        br.class_name = o.class_name;
        br.depth = depth;
        std::size_t self = 0;
        if (o.class_name == "TBranch")
            read_tbranch(c, br, depth, parent, out, self);
        else
            read_branch_element(c, br, depth, parent, out, self);
        c.set_object(object);
        if (o.end != 0 && c.pos() != o.end)
            c.fail("branch '" + br.name + "' ends at byte " + std::to_string(c.pos()) +
                   " of the record, its byte count says " + std::to_string(o.end));
        out[self] = std::move(br);
    }
    if (f.end != 0)
        c.skip_to_end(f, "fBranches");
}

} // namespace hepkit::io::detail
