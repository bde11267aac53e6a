#include "StreamerInfoReader.hpp"

#include <fmt/format.h>

namespace hepkit::io {

namespace {

namespace st = streamer_type;

// Nesting of objects in a histogram is three deep (TH1F > TH1 > TAxis > TAttAxis); a hostile
// streamer info that makes a class contain itself ends here instead of in a stack overflow.
constexpr int kMaxDepth = 32;

const std::vector<double> kNoArray;

// Element size of the custom-streamed TArray classes (0: not one of them).
std::size_t tarray_element_size(const std::string& name) {
    if (name == "TArrayC")
        return 1;
    if (name == "TArrayS")
        return 2;
    if (name == "TArrayI" || name == "TArrayF")
        return 4;
    if (name == "TArrayL" || name == "TArrayL64" || name == "TArrayD")
        return 8;
    return 0;
}

} // namespace

double ObjectRecord::number(const std::string& key, double fallback) const {
    const auto it = numbers.find(key);
    return it == numbers.end() ? fallback : it->second;
}

const std::vector<double>& ObjectRecord::array(const std::string& key) const {
    const auto it = arrays.find(key);
    return it == arrays.end() ? kNoArray : it->second;
}

std::string ObjectRecord::string(const std::string& key) const {
    const auto it = strings.find(key);
    return it == strings.end() ? std::string() : it->second;
}

void StreamerInfoReader::read(const std::string& class_name, const std::string& prefix, ObjectRecord& out) {
    read_class(class_name, prefix, out, 0);
}

bool StreamerInfoReader::read_custom(const std::string& class_name, const std::string& key,
                                     ObjectRecord& out) {
    const std::size_t size = tarray_element_size(class_name);
    if (size == 0)
        return false;
    const std::int32_t n = c_.i32();
    // Checked against the bytes left before anything is allocated: a lying length ends here.
    if (n < 0 || static_cast<std::size_t>(n) > c_.remaining() / size)
        c_.fail(fmt::format("{} {} says it holds {} elements, the record has room for {}", class_name, key, n,
                            c_.remaining() / size));
    std::vector<double> values(static_cast<std::size_t>(n));
    for (auto& v : values) {
        switch (size) {
        case 1:
            v = c_.i8();
            break;
        case 2:
            v = c_.i16();
            break;
        case 4:
            v = class_name == "TArrayF" ? static_cast<double>(c_.f32()) : c_.i32();
            break;
        default:
            v = class_name == "TArrayD" ? c_.f64() : static_cast<double>(c_.i64());
            break;
        }
    }
    out.arrays[key] = std::move(values);
    return true;
}

void StreamerInfoReader::read_class(const std::string& class_name, const std::string& prefix,
                                    ObjectRecord& out, int depth) {
    if (depth > kMaxDepth)
        c_.fail(
            fmt::format("objects nested more than {} deep (class {}): a streamer info that contains itself?",
                        kMaxDepth, class_name));
    if (class_name == "TObject") {
        c_.tobject();
        return;
    }
    if (class_name == "TNamed") {
        auto [name, title] = c_.tnamed();
        out.strings[prefix + "fName"] = std::move(name);
        out.strings[prefix + "fTitle"] = std::move(title);
        return;
    }
    if (read_custom(class_name, prefix + "fArray", out))
        return;
    const auto frame = c_.frame(class_name);
    const StreamerInfo* info = infos_.find(class_name, frame.version);
    if (info == nullptr)
        c_.fail(fmt::format("class {} version {} cannot be read: {}", class_name, frame.version,
                            infos_.describe(class_name)));
    read_members(*info, prefix, out, depth);
    if (frame.end != 0 && c_.pos() != frame.end)
        c_.fail(fmt::format("{} version {}: its members took {} bytes, its byte count says {}", class_name,
                            frame.version, c_.pos() - frame.start, frame.end - frame.start));
}

void StreamerInfoReader::read_members(const StreamerInfo& info, const std::string& prefix, ObjectRecord& out,
                                      int depth) {
    for (const auto& e : info.elements)
        read_element(e, prefix, out, depth);
}

double StreamerInfoReader::read_basic(int type, const StreamerElement& e) {
    switch (type) {
    case st::kChar:
        return c_.i8();
    case st::kShort:
        return c_.i16();
    case st::kInt:
    case st::kCounter:
        return c_.i32();
    case st::kLong:
    case st::kLong64:
        return static_cast<double>(c_.i64());
    case st::kFloat:
        return c_.f32();
    case st::kDouble:
        return c_.f64();
    case st::kDouble32:
    case st::kFloat16:
        // Without a range in the member's comment both are written as a 4-byte float.
        if (e.title.find('[') != std::string::npos && e.title.find(']') != std::string::npos &&
            e.title.find('[') < e.title.find(','))
            c_.fail(fmt::format("member {} ({}) is written with a range ({}), which this reader does not "
                                "decode",
                                e.name, e.type_name, e.title));
        return c_.f32();
    case st::kUChar:
    case st::kBool:
        return c_.u8();
    case st::kUShort:
        return c_.u16();
    case st::kUInt:
    case st::kBits:
        return c_.u32();
    case st::kULong:
    case st::kULong64:
        return static_cast<double>(c_.u64());
    default:
        break;
    }
    c_.fail(fmt::format("member {} has the type code {} ({}), not a basic type", e.name, type, e.type_name));
}

void StreamerInfoReader::read_label_list(const std::string& key, ObjectRecord& out, std::size_t end) {
    // TList::Streamer (version > 3): TObject, name, count, then per entry the object and an option.
    const auto f = c_.frame("TList");
    if (f.version <= 3)
        c_.fail(fmt::format("{}: TList version {} is not supported", key, f.version));
    c_.tobject();
    c_.tstring();
    const std::int32_t n = c_.i32();
    if (n < 0 || static_cast<std::size_t>(n) > c_.remaining() / 4)
        c_.fail(fmt::format("{}: a list of {} labels in {} bytes", key, n, c_.remaining()));
    std::vector<std::string> labels;
    std::vector<double> bins;
    for (std::int32_t i = 0; i < n; ++i) {
        const auto head = c_.any_object();
        if (head.kind == Cursor::AnyObject::Kind::Object) {
            if (head.class_name == "TObjString") {
                const auto of = c_.frame("TObjString");
                // TAxis::SetBinLabel keeps the bin number in the label's fUniqueID: TObject's
                // header read here by hand (version, unique id, bits, process id if referenced).
                if ((c_.u16() & 0x8000) != 0)
                    c_.skip(2);
                bins.push_back(c_.u32());
                if ((c_.u32() & (1u << 4)) != 0)
                    c_.skip(2);
                labels.push_back(c_.tstring());
                if (of.end != 0)
                    c_.skip_to_end(of, "TObjString");
            } else if (head.end != 0) {
                c_.seek(head.end);
            } else {
                c_.fail(fmt::format("{}: a {} without byte count in a list of labels", key, head.class_name));
            }
        }
        std::uint32_t nch = c_.u8();
        if (f.version > 4 && nch == 255)
            nch = c_.u32();
        c_.skip(nch);
    }
    if (f.end != 0)
        c_.skip_to_end(f, "TList");
    if (end != 0)
        c_.seek(end);
    out.labels[key] = std::move(labels);
    out.arrays[key + ".bins"] = std::move(bins);
}

void StreamerInfoReader::read_element(const StreamerElement& e, const std::string& prefix, ObjectRecord& out,
                                      int depth) {
    const std::string key = prefix + e.name;
    const int type = e.type;

    if (type == st::kBase || type == st::kTObject || type == st::kTNamed) {
        // A base class: its members join the derived class's, without a prefix.
        read_class(e.name, prefix, out, depth + 1);
        return;
    }
    if (type > 0 && type < st::kOffsetL) {
        out.numbers[key] = read_basic(type, e);
        return;
    }
    if (type > st::kOffsetL && type < st::kOffsetP) {
        // A fixed-size array member (Int_t f[3]): array_length values, no header.
        const int basic = type - st::kOffsetL;
        if (e.array_length < 0 || static_cast<std::size_t>(e.array_length) > c_.remaining())
            c_.fail(fmt::format("member {}: a fixed array of {} elements in {} bytes", e.name, e.array_length,
                                c_.remaining()));
        std::vector<double> values(static_cast<std::size_t>(e.array_length));
        for (auto& v : values)
            v = read_basic(basic, e);
        out.arrays[key] = std::move(values);
        return;
    }
    if (type > st::kOffsetP && type < st::kOffsetP + st::kOffsetL) {
        // A pointer to an array whose length is another member (Double_t* fBuffer //[fBufferSize]):
        // one byte says whether the array follows.
        const int basic = type - st::kOffsetP;
        const auto count_it = out.numbers.find(prefix + e.count_name);
        if (count_it == out.numbers.end())
            c_.fail(
                fmt::format("member {}: its length member {} was not read before it", e.name, e.count_name));
        const double count = count_it->second;
        const std::uint8_t present = c_.u8();
        if (present == 0)
            return;
        if (count < 0 || count > static_cast<double>(c_.remaining()))
            c_.fail(fmt::format("member {}: {} = {} elements, the record has {} bytes left", e.name,
                                e.count_name, count, c_.remaining()));
        std::vector<double> values(static_cast<std::size_t>(count));
        for (auto& v : values)
            v = read_basic(basic, e);
        out.arrays[key] = std::move(values);
        return;
    }
    switch (type) {
    case st::kTString:
        out.strings[key] = c_.tstring();
        return;
    case st::kObject:
    case st::kAny: {
        std::string cls = e.type_name;
        if (read_custom(cls, key, out))
            return;
        read_class(cls, key + ".", out, depth + 1);
        return;
    }
    case st::kObjectp: {
        // A pointer marked "->" (never null): the object follows directly, without class tag.
        std::string cls = e.type_name;
        if (!cls.empty() && cls.back() == '*')
            cls.pop_back();
        if ((cls == "THashList" || cls == "TList") && e.name == "fLabels") {
            read_label_list(key, out, 0);
            return;
        }
        if (read_custom(cls, key, out))
            return;
        // Fitted functions and the like: not part of the histogram's data.
        const auto f = c_.frame(cls);
        c_.skip_to_end(f, cls);
        return;
    }
    case st::kObjectP: {
        // A pointer: null, a reference to an object read before, or the object with its class.
        const auto head = c_.any_object();
        if (head.kind != Cursor::AnyObject::Kind::Object)
            return;
        if ((head.class_name == "THashList" || head.class_name == "TList") && e.name == "fLabels") {
            read_label_list(key, out, head.end);
            return;
        }
        // Fitted functions, modified labels, ...: not part of the histogram's data.
        if (head.end == 0)
            c_.fail(fmt::format("member {}: a {} written without byte count cannot be skipped", e.name,
                                head.class_name));
        c_.seek(head.end);
        return;
    }
    case st::kCharStar: {
        const std::int32_t n = c_.i32();
        if (n < 0)
            c_.fail(fmt::format("member {}: a string of length {}", e.name, n));
        const auto b = c_.bytes(static_cast<std::size_t>(n));
        out.strings[key] = std::string(reinterpret_cast<const char*>(b.data()), b.size());
        return;
    }
    default:
        break;
    }
    c_.fail(fmt::format("member {} of type {} (code {}) is not supported by this reader", e.name, e.type_name,
                        type));
}

} // namespace hepkit::io
