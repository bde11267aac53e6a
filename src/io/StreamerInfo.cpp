#include "hepkit/io/StreamerInfo.hpp"

#include "Cursor.hpp"
#include "hepkit/io/RootFile.hpp"

#include <fmt/format.h>

namespace hepkit::io {

namespace {

// A record of thousands of classes at most; a count beyond what the bytes left could hold is a
// lie (each object takes at least 4 bytes), refused before anything is allocated.
std::size_t checked_count(Cursor& c, std::int32_t n, std::string_view what) {
    if (n < 0 || static_cast<std::size_t>(n) > c.remaining() / 4)
        c.fail(fmt::format("{} says it holds {} objects, more than the {} bytes left can hold", what, n,
                           c.remaining()));
    return static_cast<std::size_t>(n);
}

// TStreamerElement (versions 1-4): TNamed, type, size, array length and dimensions, type name.
void read_element_base(Cursor& c, StreamerElement& e) {
    const auto f = c.frame("TStreamerElement");
    auto [name, title] = c.tnamed();
    e.name = std::move(name);
    e.title = std::move(title);
    e.type = c.i32();
    e.size = c.i32();
    e.array_length = c.i32();
    e.array_dim = c.i32();
    if (f.version == 1) {
        const std::int32_t n = c.i32();
        if (n < 0 || n > 5)
            c.fail(fmt::format("TStreamerElement {}: {} array dimensions (at most 5)", e.name, n));
        for (std::int32_t i = 0; i < n; ++i)
            e.max_index[static_cast<std::size_t>(i)] = c.i32();
    } else {
        for (auto& m : e.max_index)
            m = c.i32();
    }
    e.type_name = c.tstring();
    // Old files wrote bool members as unsigned char (ROOT's TStreamerElement::Streamer).
    if (e.type == streamer_type::kUChar && (e.type_name == "Bool_t" || e.type_name == "bool"))
        e.type = streamer_type::kBool;
    if (f.end != 0)
        c.skip_to_end(f, "TStreamerElement"); // version 3's range members, nothing needed here
}

StreamerElement read_element(Cursor& c, const std::string& kind, std::size_t end) {
    StreamerElement e;
    e.kind = kind;
    const auto f = c.frame(kind);
    read_element_base(c, e);
    if (kind == "TStreamerBase") {
        if (f.version > 2)
            e.base_version = c.i32();
    } else if (kind == "TStreamerBasicPointer" || kind == "TStreamerLoop") {
        c.i32(); // fCountVersion
        e.count_name = c.tstring();
        c.tstring(); // fCountClass
    } else if (kind == "TStreamerSTL" || kind == "TStreamerSTLstring") {
        e.stl_type = c.i32();
        c.i32(); // fCtype
    }
    if (f.end != 0)
        c.skip_to_end(f, kind);
    else if (end != 0)
        c.seek(end);
    return e;
}

StreamerInfo read_info(Cursor& c) {
    StreamerInfo info;
    const auto f = c.frame("TStreamerInfo");
    if (f.version < 2)
        c.fail(fmt::format("TStreamerInfo version {} (ROOT 2 and older) is not supported", f.version));
    auto [name, title] = c.tnamed();
    info.class_name = std::move(name);
    info.title = std::move(title);
    c.set_object("streamer info of " + info.class_name);
    info.checksum = c.u32();
    info.version = c.i32();
    const auto elements = c.any_object();
    if (elements.kind == Cursor::AnyObject::Kind::Object) {
        if (elements.class_name != "TObjArray")
            c.fail("the elements of a TStreamerInfo are a " + elements.class_name + ", not a TObjArray");
        const auto af = c.frame("TObjArray");
        if (af.version > 2)
            c.tobject();
        if (af.version > 1)
            c.tstring();
        const std::size_t n = checked_count(c, c.i32(), "the TObjArray of elements");
        c.i32(); // fLowerBound
        info.elements.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            const auto head = c.any_object();
            if (head.kind != Cursor::AnyObject::Kind::Object)
                c.fail(fmt::format("element {} of {} is {}", i, info.class_name,
                                   head.kind == Cursor::AnyObject::Kind::Null ? "null" : "a back-reference"));
            info.elements.push_back(read_element(c, head.class_name, head.end));
        }
        if (af.end != 0)
            c.skip_to_end(af, "TObjArray");
    }
    if (f.end != 0)
        c.skip_to_end(f, "TStreamerInfo");
    return info;
}

} // namespace

const StreamerInfo* StreamerInfos::find(std::string_view class_name, int version) const {
    for (const auto& info : infos_)
        if (info.class_name == class_name && info.version == version)
            return &info;
    return nullptr;
}

std::string StreamerInfos::describe(std::string_view class_name) const {
    std::string versions;
    for (const auto& info : infos_)
        if (info.class_name == class_name)
            versions.append(versions.empty() ? "" : ", ").append(std::to_string(info.version));
    if (versions.empty())
        return fmt::format("the file's streamer info has no entry for {}", class_name);
    return fmt::format("the file's streamer info describes {} version {}", class_name, versions);
}

StreamerInfos parse_streamer_infos(std::vector<std::uint8_t> const& record, const std::string& file,
                                   std::uint64_t file_offset, std::int64_t origin) {
    std::vector<StreamerInfo> infos;
    if (record.empty())
        return StreamerInfos{};
    Cursor c(record, file, "streamer info", file_offset, origin);
    const auto f = c.frame("TList");
    if (f.version <= 3)
        c.fail(fmt::format("TList version {} (ROOT 3 and older) is not supported", f.version));
    c.tobject();
    c.tstring(); // name
    const std::size_t n = checked_count(c, c.i32(), "the streamer-info list");
    for (std::size_t i = 0; i < n; ++i) {
        c.set_object("streamer info");
        const auto head = c.any_object();
        if (head.kind == Cursor::AnyObject::Kind::Object) {
            if (head.class_name == "TStreamerInfo") {
                infos.push_back(read_info(c));
            } else if (head.end != 0) {
                c.seek(head.end); // the schema-evolution rules (a TList of TObjString): not needed
            } else {
                c.fail("a " + head.class_name + " without byte count in the streamer-info list");
            }
            if (head.end != 0)
                c.seek(head.end);
        }
        // The entry's option string: one length byte (255: a 4-byte length follows).
        std::uint32_t nch = c.u8();
        if (f.version > 4 && nch == 255)
            nch = c.u32();
        c.skip(nch);
    }
    return StreamerInfos(std::move(infos));
}

StreamerInfos read_streamer_infos(const RootFile& file) {
    if (file.seek_info() <= 0)
        return StreamerInfos{};
    const Key key = file.read_key(file.seek_info(), "streamer info");
    return parse_streamer_infos(file.read_streamer_record(), file.path(),
                                static_cast<std::uint64_t>(file.seek_info()), key.key_len);
}

std::string describe_element_type(const StreamerElement& e) {
    std::string s = e.type_name;
    for (int d = 0; d < e.array_dim && d < 5; ++d)
        s.append(fmt::format("[{}]", e.max_index[static_cast<std::size_t>(d)]));
    if (!e.count_name.empty())
        s.append(fmt::format(" [{}]", e.count_name));
    return s;
}

} // namespace hepkit::io
