// From a branch's streamer members to what its entries are: ROOT's leaf classes and EDataType
// codes mapped to column types, the dimensions and counter parsed from the leaf title
// (`Muon_pt[nMuon]`, `ai4[3]`), the range of Float16_t/Double32_t parsed as ROOT's
// TStreamerElement::GetRange does, std::vector<basic> recognised from the class name.

#include "TreeLayout.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string_view>

namespace hepkit::io::detail {

namespace {

struct Basic {
    ColumnType type;
    std::size_t size;
    const char* root_type;
};

std::optional<Basic> leaf_basic(const LeafModel& leaf) {
    const std::string& k = leaf.class_name;
    const bool u = leaf.is_unsigned;
    if (k == "TLeafO")
        return Basic{ColumnType::Bool, 1, "Bool_t"};
    if (k == "TLeafB")
        return u ? Basic{ColumnType::UInt8, 1, "UChar_t"} : Basic{ColumnType::Int8, 1, "Char_t"};
    if (k == "TLeafS")
        return u ? Basic{ColumnType::UInt16, 2, "UShort_t"} : Basic{ColumnType::Int16, 2, "Short_t"};
    if (k == "TLeafI")
        return u ? Basic{ColumnType::UInt32, 4, "UInt_t"} : Basic{ColumnType::Int32, 4, "Int_t"};
    if (k == "TLeafL")
        return u ? Basic{ColumnType::UInt64, 8, "ULong64_t"} : Basic{ColumnType::Int64, 8, "Long64_t"};
    if (k == "TLeafG")
        return u ? Basic{ColumnType::UInt64, 8, "ULong_t"} : Basic{ColumnType::Int64, 8, "Long_t"};
    if (k == "TLeafF")
        return Basic{ColumnType::Float32, 4, "Float_t"};
    if (k == "TLeafD")
        return Basic{ColumnType::Float64, 8, "Double_t"};
    if (k == "TLeafF16")
        return Basic{ColumnType::Float32, 4, "Float16_t"};
    if (k == "TLeafD32")
        return Basic{ColumnType::Float64, 8, "Double32_t"};
    return std::nullopt;
}

// ROOT's EDataType codes (TDataType.h), as TLeafElement::fType and fStreamerType carry them.
std::optional<Basic> data_type(int code) {
    switch (code) {
    case 1:
        return Basic{ColumnType::Int8, 1, "Char_t"};
    case 2:
        return Basic{ColumnType::Int16, 2, "Short_t"};
    case 3:
    case 6:
        return Basic{ColumnType::Int32, 4, "Int_t"};
    case 4:
    case 16:
        return Basic{ColumnType::Int64, 8, "Long64_t"};
    case 5:
        return Basic{ColumnType::Float32, 4, "Float_t"};
    case 8:
        return Basic{ColumnType::Float64, 8, "Double_t"};
    case 9:
        return Basic{ColumnType::Float64, 8, "Double32_t"};
    case 11:
        return Basic{ColumnType::UInt8, 1, "UChar_t"};
    case 12:
        return Basic{ColumnType::UInt16, 2, "UShort_t"};
    case 13:
    case 15:
        return Basic{ColumnType::UInt32, 4, "UInt_t"};
    case 14:
    case 17:
        return Basic{ColumnType::UInt64, 8, "ULong64_t"};
    case 18:
        return Basic{ColumnType::Bool, 1, "Bool_t"};
    case 19:
        return Basic{ColumnType::Float32, 4, "Float16_t"};
    default:
        return std::nullopt;
    }
}

// The element type of std::vector<T> by its C++ spelling.
std::optional<Basic> vector_element(std::string_view t) {
    while (!t.empty() && t.back() == ' ')
        t.remove_suffix(1);
    struct Name {
        std::string_view name;
        Basic basic;
    };
    static const Name names[] = {
        {"bool", {ColumnType::Bool, 1, "bool"}},
        {"char", {ColumnType::Int8, 1, "char"}},
        {"signed char", {ColumnType::Int8, 1, "signed char"}},
        {"unsigned char", {ColumnType::UInt8, 1, "unsigned char"}},
        {"short", {ColumnType::Int16, 2, "short"}},
        {"unsigned short", {ColumnType::UInt16, 2, "unsigned short"}},
        {"int", {ColumnType::Int32, 4, "int"}},
        {"unsigned int", {ColumnType::UInt32, 4, "unsigned int"}},
        {"long", {ColumnType::Int64, 8, "long"}},
        {"unsigned long", {ColumnType::UInt64, 8, "unsigned long"}},
        {"long long", {ColumnType::Int64, 8, "long long"}},
        {"unsigned long long", {ColumnType::UInt64, 8, "unsigned long long"}},
        {"Long64_t", {ColumnType::Int64, 8, "Long64_t"}},
        {"ULong64_t", {ColumnType::UInt64, 8, "ULong64_t"}},
        {"float", {ColumnType::Float32, 4, "float"}},
        {"double", {ColumnType::Float64, 8, "double"}},
        {"Int_t", {ColumnType::Int32, 4, "Int_t"}},
        {"UInt_t", {ColumnType::UInt32, 4, "UInt_t"}},
        {"Float_t", {ColumnType::Float32, 4, "Float_t"}},
        {"Double_t", {ColumnType::Float64, 8, "Double_t"}},
        {"Bool_t", {ColumnType::Bool, 1, "Bool_t"}},
        {"Short_t", {ColumnType::Int16, 2, "Short_t"}},
        {"UShort_t", {ColumnType::UInt16, 2, "UShort_t"}},
        {"Char_t", {ColumnType::Int8, 1, "Char_t"}},
        {"UChar_t", {ColumnType::UInt8, 1, "UChar_t"}},
    };
    for (const auto& n : names)
        if (n.name == t)
            return n.basic;
    return std::nullopt;
}

struct Dims {
    std::string counter;
    std::vector<std::size_t> fixed;
    bool ok = true;
};

// `name[n][3]`: bracket groups after the name, up to a '/' type suffix. A group holding a comma
// is a Float16/Double32 range, not a dimension.
Dims parse_dims(std::string_view title) {
    Dims d;
    if (const auto slash = title.find('/'); slash != std::string_view::npos)
        title = title.substr(0, slash);
    std::size_t pos = title.find('[');
    bool first = true;
    while (pos != std::string_view::npos) {
        const std::size_t close = title.find(']', pos);
        if (close == std::string_view::npos) {
            d.ok = false;
            return d;
        }
        const std::string_view inner = title.substr(pos + 1, close - pos - 1);
        if (inner.find(',') == std::string_view::npos) {
            const bool digits =
                !inner.empty() && inner.find_first_not_of("0123456789") == std::string_view::npos;
            if (digits) {
                d.fixed.push_back(
                    static_cast<std::size_t>(std::strtoull(std::string(inner).c_str(), nullptr, 10)));
            } else if (first && !inner.empty()) {
                d.counter = std::string(inner);
            } else {
                d.ok = false; // a variable dimension that is not the first
            }
        }
        first = false;
        pos = title.find('[', close);
    }
    return d;
}

std::optional<double> parse_number(std::string_view s) {
    const std::string text(s);
    const char* begin = text.c_str();
    while (*begin == ' ')
        ++begin;
    char* end = nullptr;
    const double v = std::strtod(begin, &end);
    if (end == begin)
        return std::nullopt;
    while (*end == ' ')
        ++end;
    if (*end != '\0')
        return std::nullopt;
    return v;
}

// TStreamerElement::GetRange: the first bracket group holding a comma (the first group may be a
// dimension), `[xmin, xmax]` or `[xmin, xmax, nbits]`.
struct RangeSpec {
    bool present = false;
    bool valid = true;
    double xmin = 0, xmax = 0;
    int nbits = 32;
};

RangeSpec parse_range(std::string_view title) {
    RangeSpec r;
    std::size_t pos = title.find('[');
    while (pos != std::string_view::npos) {
        const std::size_t close = title.find(']', pos);
        if (close == std::string_view::npos)
            return r;
        const std::string_view inner = title.substr(pos + 1, close - pos - 1);
        const std::size_t c1 = inner.find(',');
        if (c1 != std::string_view::npos) {
            r.present = true;
            const std::size_t c2 = inner.find(',', c1 + 1);
            const auto lo = parse_number(inner.substr(0, c1));
            const auto hi = parse_number(
                inner.substr(c1 + 1, c2 == std::string_view::npos ? std::string_view::npos : c2 - c1 - 1));
            if (!lo || !hi) {
                r.valid = false;
                return r;
            }
            r.xmin = *lo;
            r.xmax = *hi;
            if (c2 != std::string_view::npos) {
                const auto nb = parse_number(inner.substr(c2 + 1));
                if (!nb) {
                    r.valid = false;
                    return r;
                }
                r.nbits = static_cast<int>(*nb);
                if (r.nbits < 2 || r.nbits > 32)
                    r.nbits = 32; // as ROOT, which reports the error and uses 32
            }
            return r;
        }
        pos = title.find('[', close);
    }
    return r;
}

// Float16_t / Double32_t: the encoding ROOT's ReadFloat16 / ReadDouble32 pick for this range.
void set_float_encoding(Layout& l, bool is_float16, const RangeSpec& r, BranchInfo& info) {
    double factor = 0;
    double xmin = 0;
    if (r.present) {
        const double bigint = r.nbits < 32 ? static_cast<double>(1u << r.nbits) : 4294967295.0;
        xmin = r.xmin;
        if (r.xmin < r.xmax)
            factor = bigint / (r.xmax - r.xmin);
        else if (r.nbits < 15)
            xmin = r.nbits + 0.1; // ROOT's marker for "nbits only, no range"
        info.range = FloatRange{r.xmin, r.xmax, r.nbits};
    }
    if (factor != 0) {
        l.encoding = is_float16 ? Encoding::Float16Range : Encoding::Double32Range;
        l.stored_size = 4;
        l.factor = factor;
        l.xmin = xmin;
        return;
    }
    const int nbits = static_cast<int>(xmin);
    if (is_float16) {
        l.encoding = Encoding::Float16Bits;
        l.nbits = nbits == 0 ? 12 : nbits;
        l.stored_size = 3;
    } else if (nbits == 0) {
        l.encoding = Encoding::Double32Float;
        l.stored_size = 4;
    } else {
        l.encoding = Encoding::Double32Bits;
        l.nbits = nbits;
        l.stored_size = 3;
    }
}

std::string counter_branch(const TreeModel& tree, const BranchModel& self, const std::string& leaf) {
    // The branch holding a leaf of that name; a sibling under the same parent first.
    const BranchModel* found = nullptr;
    for (const auto& b : tree.branches) {
        for (const auto& l : b.leaves)
            if (l.name == leaf && &b != &self) {
                if (!found || b.depth == self.depth)
                    found = &b;
            }
    }
    return found ? found->name : leaf;
}

void unreadable(BranchInfo& info, std::string reason) {
    info.readable = false;
    info.unreadable_reason = std::move(reason);
    info.type_name = info.root_type.empty() ? "?" : info.root_type;
}

} // namespace

Layout make_branch_layout(const TreeModel& tree, const BranchModel& b, BranchInfo& info) {
    Layout l;
    info.name = b.name;
    info.title = b.title;
    info.class_name = b.class_name;
    info.entries = b.entries;
    info.compressed_bytes = b.zip_bytes;
    info.uncompressed_bytes = b.tot_bytes;
    info.baskets = static_cast<std::size_t>(std::max(b.write_basket, 0)) + b.embedded.size();
    info.depth = b.depth;
    info.readable = true;
    if (b.leaves.empty()) {
        unreadable(info, b.has_children ? "a parent branch (its sub-branches hold the data)" : "no leaves");
        return l;
    }
    const LeafModel& leaf = b.leaves.front();
    info.leaf_class = leaf.class_name;
    if (b.leaves.size() > 1) {
        info.root_type = "leaf list";
        unreadable(info, "a branch of " + std::to_string(b.leaves.size()) + " leaves (leaf list)");
        return l;
    }
    if (b.has_children) {
        info.root_type = b.element_class;
        unreadable(info, "a split object (its sub-branches hold the data)");
        return l;
    }

    // std::vector<basic> and std::string of a TBranchElement.
    if (b.class_name == "TBranchElement") {
        std::string_view cls = b.element_class;
        if (cls.rfind("std::", 0) == 0)
            cls.remove_prefix(5);
        const bool member_of_collection = b.element_type == 31 || b.element_type == 41;
        if (!member_of_collection && (cls == "string" || cls == "TString")) {
            info.root_type = cls == "string" ? "std::string" : "TString";
            info.type = l.type = ColumnType::String;
            info.type_name = "string";
            l.encoding = Encoding::StdString;
            l.variable = true;
            return l;
        }
        if (!member_of_collection && cls.rfind("vector<", 0) == 0 && cls.back() == '>') {
            std::string_view inner = cls.substr(7, cls.size() - 8);
            info.root_type = std::string(b.element_class);
            const auto el = vector_element(inner);
            if (!el) {
                unreadable(info, "std::vector of '" + std::string(inner) +
                                     "' (only vectors of basic types are read)");
                return l;
            }
            info.type = l.type = el->type;
            info.jagged = l.jagged = l.variable = true;
            l.encoding = Encoding::StdVector;
            l.stored_size = el->size;
            info.type_name = "vector<" + std::string(column_type_name(el->type)) + ">";
            return l;
        }
    }

    std::optional<Basic> basic;
    if (leaf.class_name == "TLeafElement") {
        // A basic data member of a split object; members of split collections (fType 31/41)
        // are stored member-wise per collection and are not read.
        if (b.element_type != 0 && b.element_type != -1) {
            info.root_type = b.element_class;
            unreadable(info, "a member of a split collection (TBranchElement type " +
                                 std::to_string(b.element_type) + ")");
            return l;
        }
        // The member's TStreamerInfo type code: a basic type, kOffsetL + type (a fixed array),
        // kOffsetP + type (an array behind a pointer, its length in another member), kTString,
        // kSTLstring.
        const int st = b.streamer_type >= 0 ? b.streamer_type : leaf.element_type;
        if (st == 65 || st == 365) {
            info.root_type = st == 65 ? "TString" : "std::string";
            info.type = l.type = ColumnType::String;
            info.type_name = "string";
            l.encoding = Encoding::StdString;
            l.variable = true;
            return l;
        }
        int code = st;
        if (st > 20 && st < 40)
            code = st - 20;
        else if (st > 40 && st < 60) {
            code = st - 40;
            l.entry_header = 1; // ROOT writes a 1-byte "array present" flag before the values
        }
        basic = data_type(code);
        if (!basic) {
            info.root_type = b.element_class;
            unreadable(info, "an object of class '" + b.element_class + "' (streamer type " +
                                 std::to_string(st) + ")");
            return l;
        }
    } else if (leaf.class_name == "TLeafC") {
        info.root_type = "char*";
        info.type = l.type = ColumnType::String;
        info.type_name = "string";
        l.encoding = Encoding::TString;
        l.variable = true;
        return l;
    } else {
        basic = leaf_basic(leaf);
        if (!basic) {
            info.root_type = leaf.class_name;
            unreadable(info, "leaf class " + leaf.class_name + " is not read");
            return l;
        }
    }
    info.root_type = basic->root_type;
    info.type = l.type = basic->type;
    l.stored_size = basic->size;
    // Dimensions are in the leaf title ("Jet_Px[NJet]"); a Float16_t/Double32_t leaf's title is
    // its type ("f[-2.71,10,10]"), and the dimensions are then in the branch title (the leaf list
    // "array_10[3]/f[-2.71,10,10]").
    Dims dims = parse_dims(leaf.title.empty() ? leaf.name : leaf.title);
    if (dims.ok && dims.fixed.empty() && dims.counter.empty())
        dims = parse_dims(b.title);
    if (!dims.ok) {
        unreadable(info, "cannot parse the dimensions of leaf title '" + leaf.title + "'");
        return l;
    }
    info.dims = dims.fixed;
    std::size_t width = 1;
    for (const auto d : dims.fixed) {
        if (d == 0 || width > (std::size_t{1} << 24) / d) {
            unreadable(info, "leaf title '" + leaf.title + "': fixed dimensions out of range");
            return l;
        }
        width *= d;
    }
    // (a TLeafElement's fLen is not kept consistently by ROOT: only plain leaves are checked)
    if (leaf.class_name != "TLeafElement" && width != static_cast<std::size_t>(std::max(leaf.len, 1))) {
        unreadable(info, "leaf title '" + leaf.title + "' gives " + std::to_string(width) +
                             " values per entry, fLen " + std::to_string(leaf.len));
        return l;
    }
    l.width = width;
    if (!dims.counter.empty() || leaf.has_count) {
        if (dims.counter.empty()) {
            unreadable(info, "a counted leaf whose title '" + leaf.title + "' names no counter");
            return l;
        }
        info.counter = counter_branch(tree, b, dims.counter);
        info.jagged = l.jagged = l.variable = true;
    }
    if (l.entry_header != 0 && !l.jagged) {
        unreadable(info, "a pointer array whose leaf title '" + leaf.title + "' names no counter");
        return l;
    }
    const std::string_view rt = info.root_type;
    if (rt == "Float16_t" || rt == "Double32_t") {
        RangeSpec r = parse_range(leaf.title);
        if (!r.present)
            r = parse_range(b.title);
        if (!r.valid) {
            unreadable(info, "cannot parse the range in title '" + leaf.title + "'");
            return l;
        }
        set_float_encoding(l, rt == "Float16_t", r, info);
    }
    std::string name(column_type_name(l.type));
    if (!dims.counter.empty())
        name += "[" + dims.counter + "]";
    for (const auto d : dims.fixed)
        name += "[" + std::to_string(d) + "]";
    info.type_name = name;
    return l;
}

Column make_column(const std::string& name, const Layout& layout) {
    Column c = Column::make(name, layout.type);
    if (layout.jagged)
        c.offsets.push_back(0);
    else
        c.width = layout.width;
    return c;
}

} // namespace hepkit::io::detail

namespace hepkit::io {

std::size_t BranchInfo::width() const {
    std::size_t w = 1;
    for (const auto d : dims)
        w *= d;
    return jagged ? 1 : w;
}

} // namespace hepkit::io
