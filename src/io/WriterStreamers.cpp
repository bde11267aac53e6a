#include "WriterStreamers.hpp"

#include "WBuffer.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>

namespace hepkit::io::detail {

namespace {

// ROOT's element type codes (TVirtualStreamerInfo::EReadWrite).
enum : int {
    kBase = 0,
    kChar = 1,
    kShort = 2,
    kInt = 3,
    kFloat = 5,
    kCounter = 6,
    kDouble = 8,
    kUChar = 11,
    kUShort = 12,
    kUInt = 13,
    kBits = 15,
    kLong64 = 16,
    kBool = 18,
    kOffsetP = 40,
    kObject = 61,
    kAny = 62,
    kObjectp = 63,
    kObjectP = 64,
    kTString = 65,
    kTObject = 66,
    kTNamed = 67
};

StreamerElement base(std::string name, std::string title, int version) {
    StreamerElement e;
    e.element_class = "TStreamerBase";
    e.type = name == "TObject" ? kTObject : name == "TNamed" ? kTNamed : kBase;
    e.name = std::move(name);
    e.title = std::move(title);
    e.type_name = "BASE";
    e.base_version = version;
    return e;
}

StreamerElement basic(std::string name, std::string title, int type, int size, std::string type_name) {
    StreamerElement e;
    e.element_class = "TStreamerBasicType";
    e.name = std::move(name);
    e.title = std::move(title);
    e.type = type;
    e.size = size;
    e.type_name = std::move(type_name);
    return e;
}

StreamerElement member(std::string element_class, std::string name, std::string title, int type, int size,
                       std::string type_name) {
    StreamerElement e = basic(std::move(name), std::move(title), type, size, std::move(type_name));
    e.element_class = std::move(element_class);
    return e;
}

StreamerElement tstring(std::string name, std::string title) {
    return member("TStreamerString", std::move(name), std::move(title), kTString, 24, "TString");
}

StreamerElement pointer_array(std::string name, std::string title, int type, int size, std::string type_name,
                              int count_version, std::string count_name, std::string count_class) {
    StreamerElement e =
        member("TStreamerBasicPointer", std::move(name), std::move(title), type, size, std::move(type_name));
    e.count_version = count_version;
    e.count_name = std::move(count_name);
    e.count_class = std::move(count_class);
    return e;
}

struct ClassInfo {
    int version;
    std::vector<StreamerElement> elements;
};

StreamerElement d(std::string name, std::string title) {
    return basic(std::move(name), std::move(title), kDouble, 8, "double");
}
StreamerElement i(std::string name, std::string title) {
    return basic(std::move(name), std::move(title), kInt, 4, "int");
}
StreamerElement s(std::string name, std::string title) {
    return basic(std::move(name), std::move(title), kShort, 2, "short");
}
StreamerElement f(std::string name, std::string title) {
    return basic(std::move(name), std::move(title), kFloat, 4, "float");
}
StreamerElement l(std::string name, std::string title) {
    return basic(std::move(name), std::move(title), kLong64, 8, "Long64_t");
}
StreamerElement leaf_range(std::string name, int type, int size, const std::string& type_name) {
    const std::string title = name == "fMinimum" ? "Minimum value if leaf range is specified"
                                                 : "Maximum value if leaf range is specified";
    return basic(std::move(name), title, type, size, type_name);
}

ClassInfo leaf_class(int type, int size, const std::string& type_name) {
    return {1,
            {base("TLeaf", "Leaf: description of a Branch data type", 2),
             leaf_range("fMinimum", type, size, type_name), leaf_range("fMaximum", type, size, type_name)}};
}

// The member lists of ROOT 6's classes as ROOT writes them (types normalised as ROOT 6 does:
// "int", "short", "Long64_t", ...; sizes those of a 64-bit build).
const std::map<std::string, ClassInfo, std::less<>>& table() {
    static const std::map<std::string, ClassInfo, std::less<>> t = [] {
        std::map<std::string, ClassInfo, std::less<>> m;
        m["TObject"] = {1,
                        {basic("fUniqueID", "object unique identifier", kUInt, 4, "unsigned int"),
                         basic("fBits", "bit field status word", kBits, 4, "unsigned int")}};
        m["TNamed"] = {1,
                       {base("TObject", "Basic ROOT object", 1), tstring("fName", "object identifier"),
                        tstring("fTitle", "object title")}};
        m["TAttLine"] = {
            2, {s("fLineColor", "Line color"), s("fLineStyle", "Line style"), s("fLineWidth", "Line width")}};
        m["TAttFill"] = {2, {s("fFillColor", "Fill area color"), s("fFillStyle", "Fill area style")}};
        m["TAttMarker"] = {2,
                           {s("fMarkerColor", "Marker color"), s("fMarkerStyle", "Marker style"),
                            f("fMarkerSize", "Marker size")}};
        m["TAttAxis"] = {4,
                         {i("fNdivisions", "Number of divisions(10000*n3 + 100*n2 + n1)"),
                          s("fAxisColor", "Color of the line axis"), s("fLabelColor", "Color of labels"),
                          s("fLabelFont", "Font for labels"), f("fLabelOffset", "Offset of labels"),
                          f("fLabelSize", "Size of labels"), f("fTickLength", "Length of tick marks"),
                          f("fTitleOffset", "Offset of axis title"), f("fTitleSize", "Size of axis title"),
                          s("fTitleColor", "Color of axis title"), s("fTitleFont", "Font for axis title")}};
        m["TAxis"] = {
            10,
            {base("TNamed", "The basis for a named object (name, title)", 1),
             base("TAttAxis", "Axis attributes", 4), i("fNbins", "Number of bins"),
             d("fXmin", "low edge of first bin"), d("fXmax", "upper edge of last bin"),
             member("TStreamerObjectAny", "fXbins", "Bin edges array in X", kAny, 24, "TArrayD"),
             i("fFirst", "first bin to display"), i("fLast", "last bin to display"),
             basic("fBits2", "second bit status word", kUShort, 2, "unsigned short"),
             basic("fTimeDisplay", "on/off displaying time values instead of numerics", kBool, 1, "bool"),
             tstring("fTimeFormat", "Date&time format, ex: 09/12/99 12:34:00"),
             member("TStreamerObjectPointer", "fLabels", "List of labels", kObjectP, 8, "THashList*"),
             member("TStreamerObjectPointer", "fModLabs", "List of modified labels", kObjectP, 8, "TList*")}};
        m["TH1"] = {
            8,
            {base("TNamed", "The basis for a named object (name, title)", 1),
             base("TAttLine", "Line attributes", 2),
             base("TAttFill", "Fill area attributes", 2),
             base("TAttMarker", "Marker attributes", 2),
             i("fNcells", "number of bins(1D), cells (2D) +U/Overflows"),
             member("TStreamerObject", "fXaxis", "X axis descriptor", kObject, 216, "TAxis"),
             member("TStreamerObject", "fYaxis", "Y axis descriptor", kObject, 216, "TAxis"),
             member("TStreamerObject", "fZaxis", "Z axis descriptor", kObject, 216, "TAxis"),
             s("fBarOffset", "(1000*offset) for bar charts or legos"),
             s("fBarWidth", "(1000*width) for bar charts or legos"),
             d("fEntries", "Number of entries"),
             d("fTsumw", "Total Sum of weights"),
             d("fTsumw2", "Total Sum of squares of weights"),
             d("fTsumwx", "Total Sum of weight*X"),
             d("fTsumwx2", "Total Sum of weight*X*X"),
             d("fMaximum", "Maximum value for plotting"),
             d("fMinimum", "Minimum value for plotting"),
             d("fNormFactor", "Normalization factor"),
             member("TStreamerObjectAny", "fContour", "Array to display contour levels", kAny, 24, "TArrayD"),
             member("TStreamerObjectAny", "fSumw2", "Array of sum of squares of weights", kAny, 24,
                    "TArrayD"),
             tstring("fOption", "histogram options"),
             member("TStreamerObjectPointer", "fFunctions", "->Pointer to list of functions (fits and user)",
                    kObjectp, 8, "TList*"),
             basic("fBufferSize", "fBuffer size", kCounter, 4, "int"),
             pointer_array("fBuffer", "[fBufferSize] entry buffer", kOffsetP + kDouble, 8, "double*", 8,
                           "fBufferSize", "TH1"),
             basic("fBinStatErrOpt", "Option for bin statistical errors", kInt, 4, "TH1::EBinErrorOpt"),
             basic("fStatOverflows", "Per object flag to use under/overflows in statistics", kInt, 4,
                   "TH1::EStatOverflows")}};
        m["TH1D"] = {3,
                     {base("TH1", "1-Dim histogram base class", 8), base("TArrayD", "Array of doubles", 1)}};
        m["TH2"] = {5,
                    {base("TH1", "1-Dim histogram base class", 8), d("fScalefactor", "Scale factor"),
                     d("fTsumwy", "Total Sum of weight*Y"), d("fTsumwy2", "Total Sum of weight*Y*Y"),
                     d("fTsumwxy", "Total Sum of weight*X*Y")}};
        m["TH2D"] = {4,
                     {base("TH2", "2-Dim histogram base class", 5), base("TArrayD", "Array of doubles", 1)}};
        m["TCollection"] = {3,
                            {base("TObject", "Basic ROOT object", 1),
                             tstring("fName", "name of the collection"),
                             i("fSize", "number of elements in collection")}};
        m["TSeqCollection"] = {0, {base("TCollection", "Collection abstract base class", 3)}};
        m["TList"] = {5, {base("TSeqCollection", "Sequenceable collection ABC", 0)}};
        m["TObjArray"] = {3,
                          {base("TSeqCollection", "Sequenceable collection ABC", 0),
                           i("fLowerBound", "Lower bound of the array"),
                           i("fLast", "Last element in array containing an object")}};
        m["ROOT::TIOFeatures"] = {1, {basic("fIOBits", "", kUChar, 1, "unsigned char")}};
        const auto obj = [](std::string name, std::string title, int type, int size, std::string tn) {
            const char* cls = type == kObject ? "TStreamerObject"
                              : type == kAny  ? "TStreamerObjectAny"
                                              : "TStreamerObjectPointer";
            return member(cls, std::move(name), std::move(title), type, size, std::move(tn));
        };
        m["TTree"] = {
            20,
            {base("TNamed", "The basis for a named object (name, title)", 1),
             base("TAttLine", "Line attributes", 2),
             base("TAttFill", "Fill area attributes", 2),
             base("TAttMarker", "Marker attributes", 2),
             l("fEntries", "Number of entries"),
             l("fTotBytes", "Total number of bytes in all branches before compression"),
             l("fZipBytes", "Total number of bytes in all branches after compression"),
             l("fSavedBytes", "Number of autosaved bytes"),
             l("fFlushedBytes", "Number of auto-flushed bytes"),
             d("fWeight", "Tree weight (see TTree::SetWeight)"),
             i("fTimerInterval", "Timer interval in milliseconds"),
             i("fScanField", "Number of runs before prompting in Scan"),
             i("fUpdate", "Update frequency for EntryLoop"),
             i("fDefaultEntryOffsetLen", "Initial Length of fEntryOffset table in the basket buffers"),
             basic("fNClusterRange", "Number of Cluster range in addition to the one defined by 'AutoFlush'",
                   kCounter, 4, "int"),
             l("fMaxEntries", "Maximum number of entries in case of circular buffers"),
             l("fMaxEntryLoop", "Maximum number of entries to process"),
             l("fMaxVirtualSize", "Maximum total size of buffers kept in memory"),
             l("fAutoSave",
               "Autosave tree when fAutoSave entries written or -fAutoSave (compressed) bytes produced"),
             l("fAutoFlush",
               "Auto-flush tree when fAutoFlush entries written or -fAutoFlush (compressed) bytes produced"),
             l("fEstimate", "Number of entries to estimate histogram limits"),
             pointer_array("fClusterRangeEnd", "[fNClusterRange] Last entry of a cluster range.",
                           kOffsetP + kLong64, 8, "Long64_t*", 20, "fNClusterRange", "TTree"),
             pointer_array("fClusterSize",
                           "[fNClusterRange] Number of entries in each cluster for a given range.",
                           kOffsetP + kLong64, 8, "Long64_t*", 20, "fNClusterRange", "TTree"),
             obj("fIOFeatures", "IO features to define for newly-written baskets and branches.", kAny, 1,
                 "ROOT::TIOFeatures"),
             obj("fBranches", "List of Branches", kObject, 64, "TObjArray"),
             obj("fLeaves", "Direct pointers to individual branch leaves", kObject, 64, "TObjArray"),
             obj("fAliases", "List of aliases for expressions based on the tree branches.", kObjectP, 8,
                 "TList*"),
             obj("fIndexValues", "Sorted index values", kAny, 24, "TArrayD"),
             obj("fIndex", "Index of sorted values", kAny, 24, "TArrayI"),
             obj("fTreeIndex", "Pointer to the tree Index (if any)", kObjectP, 8, "TVirtualIndex*"),
             obj("fFriends", "pointer to list of friend elements", kObjectP, 8, "TList*"),
             obj("fUserInfo", "pointer to a list of user objects associated to this Tree", kObjectP, 8,
                 "TList*"),
             obj("fBranchRef", "Branch supporting the TRefTable (if any)", kObjectP, 8, "TBranchRef*")}};
        m["TBranch"] = {
            13,
            {base("TNamed", "The basis for a named object (name, title)", 1),
             base("TAttFill", "Fill area attributes", 2),
             i("fCompress", "Compression level and algorithm"),
             i("fBasketSize", "Initial Size of  Basket Buffer"),
             i("fEntryOffsetLen", "Initial Length of fEntryOffset table in the basket buffers"),
             i("fWriteBasket", "Last basket number written"),
             l("fEntryNumber", "Current entry number (last one filled in this branch)"),
             obj("fIOFeatures", "IO features for newly-created baskets.", kAny, 1, "ROOT::TIOFeatures"),
             i("fOffset", "Offset of this branch"),
             basic("fMaxBaskets", "Maximum number of Baskets so far", kCounter, 4, "int"),
             i("fSplitLevel", "Branch split level"),
             l("fEntries", "Number of entries"),
             l("fFirstEntry", "Number of the first entry in this branch"),
             l("fTotBytes", "Total number of bytes in all leaves before compression"),
             l("fZipBytes", "Total number of bytes in all leaves after compression"),
             obj("fBranches", "-> List of Branches of this branch", kObject, 64, "TObjArray"),
             obj("fLeaves", "-> List of leaves of this branch", kObject, 64, "TObjArray"),
             obj("fBaskets", "-> List of baskets of this branch", kObject, 64, "TObjArray"),
             pointer_array("fBasketBytes", "[fMaxBaskets] Length of baskets on file", kOffsetP + kInt, 4,
                           "int*", 13, "fMaxBaskets", "TBranch"),
             pointer_array("fBasketEntry", "[fMaxBaskets] Table of first entry in each basket",
                           kOffsetP + kLong64, 8, "Long64_t*", 13, "fMaxBaskets", "TBranch"),
             pointer_array("fBasketSeek", "[fMaxBaskets] Addresses of baskets on file", kOffsetP + kLong64, 8,
                           "Long64_t*", 13, "fMaxBaskets", "TBranch"),
             tstring("fFileName",
                     "Name of file where buffers are stored (\"\" if in same file as Tree header)")}};
        m["TLeaf"] = {
            2,
            {base("TNamed", "The basis for a named object (name, title)", 1),
             i("fLen", "Number of fixed length elements"),
             i("fLenType", "Number of bytes for this data type"),
             i("fOffset", "Offset in ClonesArray object (if one)"),
             basic("fIsRange", "(=kTRUE if leaf has a range, kFALSE otherwise)", kBool, 1, "bool"),
             basic("fIsUnsigned", "(=kTRUE if unsigned, kFALSE otherwise)", kBool, 1, "bool"),
             obj("fLeafCount", "Pointer to Leaf count if variable length (we do not own the counter)",
                 kObjectP, 8, "TLeaf*")}};
        m["TLeafO"] = leaf_class(kBool, 1, "bool");
        m["TLeafB"] = leaf_class(kChar, 1, "char");
        m["TLeafS"] = leaf_class(kShort, 2, "short");
        m["TLeafI"] = leaf_class(kInt, 4, "int");
        m["TLeafL"] = leaf_class(kLong64, 8, "Long64_t");
        m["TLeafF"] = leaf_class(kFloat, 4, "float");
        m["TLeafD"] = leaf_class(kDouble, 8, "double");
        return m;
    }();
    return t;
}

const ClassInfo& info(std::string_view name) {
    const auto it = table().find(name);
    if (it == table().end())
        throw std::logic_error("hepkit writes no streamer info for class " + std::string(name));
    return it->second;
}

// Checksums of the TArray classes, which ROOT streams with hand-written code (no streamer info
// is written for them): computed like any class from their members (TArray::fN, fArray[fN]).
std::uint32_t array_checksum(std::string_view name, const char* element) {
    StreamerElement n = basic("fN", "Number of array elements", kInt, 4, "int");
    const std::uint32_t tarray = streamer_checksum("TArray", std::span<const StreamerElement>(&n, 1));
    StreamerElement b = base("TArray", "Abstract array base class", 1);
    b.base_checksum = tarray;
    std::string tn = std::string(element) + "*";
    StreamerElement a = basic("fArray", "[fN] Array of fN " + std::string(element) + "s", kOffsetP, 8, tn);
    const StreamerElement both[] = {b, a};
    return streamer_checksum(name, both);
}

bool is_basic_type_name(std::string_view t) {
    static const std::set<std::string_view> names = {
        "char",    "unsigned char", "short",    "unsigned short", "int",        "unsigned int",
        "long",    "unsigned long", "Long64_t", "ULong64_t",      "long long",  "unsigned long long",
        "float",   "double",        "bool",     "Float16_t",      "Double32_t", "Int_t",
        "UInt_t",  "Short_t",       "UShort_t", "Char_t",         "UChar_t",    "Long_t",
        "ULong_t", "Float_t",       "Double_t", "Bool_t"};
    return names.count(t) != 0;
}

// Classes of version 0 (never streamed member by member: TSeqCollection, THashList) have streamer
// infos that list only their bases, while the checksum ROOT stores (TClass::GetCheckSum) also
// counts their transient members. Found by recomputing the checksums of files ROOT wrote.
const std::map<std::string_view, std::vector<std::pair<std::string_view, std::string_view>>>&
hidden_members() {
    static const std::map<std::string_view, std::vector<std::pair<std::string_view, std::string_view>>> m = {
        {"TSeqCollection", {{"fSorted", "bool"}}}, {"THashList", {{"fTable", "THashTable*"}}}};
    return m;
}

// ROOT checksums typedefs resolved (Int_t as int), but some files store the typedef names.
std::string resolve_typedef(std::string_view type) {
    static const std::map<std::string_view, std::string_view> names = {
        {"Char_t", "char"},   {"UChar_t", "unsigned char"},
        {"Short_t", "short"}, {"UShort_t", "unsigned short"},
        {"Int_t", "int"},     {"UInt_t", "unsigned int"},
        {"Long_t", "long"},   {"ULong_t", "unsigned long"},
        {"Float_t", "float"}, {"Double_t", "double"},
        {"Bool_t", "bool"},   {"Option_t", "char"}};
    std::string_view base = type;
    std::string_view stars;
    if (const auto p = type.find('*'); p != std::string_view::npos) {
        base = type.substr(0, p);
        stars = type.substr(p);
    }
    const auto it = names.find(base);
    return it == names.end() ? std::string(type) : std::string(it->second) + std::string(stars);
}

} // namespace

std::uint32_t streamer_checksum(std::string_view class_name, std::span<const StreamerElement> elements) {
    std::uint32_t id = 0;
    const auto add = [&id](std::string_view text) {
        for (const char c : text)
            id = id * 3 + static_cast<std::uint32_t>(static_cast<int>(c));
    };
    add(class_name);
    for (const auto& e : elements) {
        if (!e.is_base())
            continue;
        add(e.name);
        id = id * 3 + e.base_checksum;
    }
    for (const auto& e : elements) {
        if (e.is_base())
            continue;
        // An int-typed member whose type is not a basic type is an enum.
        if (e.type == kInt && !is_basic_type_name(e.type_name))
            id = id * 3 + 1;
        add(e.name);
        add(resolve_typedef(e.type_name));
        for (int k = 0; k < e.array_dim && k < 5; ++k)
            id = id * 3 + static_cast<std::uint32_t>(e.max_index[k]);
        // An array counter counts when the comment starts with it: "[fN] ...".
        std::string_view title = e.title;
        std::size_t p = 0;
        while (p < title.size() &&
               (title[p] == '*' || std::isspace(static_cast<unsigned char>(title[p])) != 0))
            ++p;
        if (p < title.size() && title[p] == '[') {
            const auto close = title.find(']', p);
            if (close != std::string_view::npos)
                add(title.substr(p + 1, close - p - 1));
        }
    }
    if (const auto it = hidden_members().find(class_name); it != hidden_members().end())
        for (const auto& [member, type] : it->second) {
            add(member);
            add(type);
        }
    return id;
}

int class_version(std::string_view class_name) {
    return info(class_name).version;
}

std::vector<StreamerElement> class_elements(std::string_view class_name) {
    std::vector<StreamerElement> out = info(class_name).elements;
    for (auto& e : out) {
        if (!e.is_base())
            continue;
        if (e.name == "TArrayD")
            e.base_checksum = array_checksum("TArrayD", "double");
        else
            e.base_checksum = class_checksum(e.name);
        e.max_index[1] = static_cast<int>(e.base_checksum);
    }
    return out;
}

std::uint32_t class_checksum(std::string_view class_name) {
    const auto elements = class_elements(class_name);
    return streamer_checksum(class_name, elements);
}

namespace {

void write_element(WBuffer& b, const StreamerElement& e) {
    const int version = e.element_class == "TStreamerBase" ? 3 : 2;
    const auto obj = b.begin_object(e.element_class);
    const auto outer = b.begin_frame(static_cast<std::uint16_t>(version));
    const auto inner = b.begin_frame(4); // TStreamerElement
    b.tnamed(e.name, e.title);
    b.i32(e.type);
    b.i32(e.size);
    b.i32(0); // fArrayLength
    b.i32(e.array_dim);
    for (const int m : e.max_index)
        b.i32(m);
    b.tstring(e.type_name);
    b.end_frame(inner);
    if (e.is_base()) {
        b.i32(e.base_version);
    } else if (e.element_class == "TStreamerBasicPointer") {
        b.i32(e.count_version);
        b.tstring(e.count_name);
        b.tstring(e.count_class);
    }
    b.end_frame(outer);
    b.end_object(obj);
}

void add_with_dependencies(std::string_view name, std::vector<std::string>& order) {
    if (std::find(order.begin(), order.end(), name) != order.end())
        return;
    order.emplace_back(name);
    for (const auto& e : info(name).elements) {
        // Classes streamed member-wise that have a streamer info of their own.
        std::string dep = e.is_base() ? e.name : e.type_name;
        if (table().find(dep) != table().end())
            add_with_dependencies(dep, order);
    }
}

} // namespace

std::vector<std::uint8_t> streamer_record(std::span<const std::string> classes, std::int64_t origin) {
    std::vector<std::string> order;
    for (const auto& c : classes)
        add_with_dependencies(c, order);
    WBuffer b(origin);
    const auto list = b.begin_frame(5);
    b.tobject(0x02000000);
    b.tstring("");
    b.i32(static_cast<std::int32_t>(order.size()));
    for (const auto& name : order) {
        const auto elements = class_elements(name);
        const auto obj = b.begin_object("TStreamerInfo");
        const auto f = b.begin_frame(9);
        b.tnamed(name, "", 0x03010000);
        b.u32(streamer_checksum(name, elements));
        b.i32(info(name).version);
        const auto arr = b.begin_object("TObjArray");
        const auto af = b.begin_frame(3);
        b.tobject();
        b.tstring("");
        b.i32(static_cast<std::int32_t>(elements.size()));
        b.i32(0); // fLowerBound
        for (const auto& e : elements)
            write_element(b, e);
        b.end_frame(af);
        b.end_object(arr);
        b.end_frame(f);
        b.end_object(obj);
        b.u8(0); // the list entry's option string
    }
    b.end_frame(list);
    return b.take();
}

} // namespace hepkit::io::detail
