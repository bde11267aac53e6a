#pragma once
/// @file
/// The streamer-info record of a ROOT file: for every class whose objects the file holds, the
/// layout ROOT wrote them in (class name, class version, checksum, and the members in order with
/// their type codes). `hepkit root ls --streamers` prints it; the histogram reader follows it to
/// read TH1/TH2/TH3/TProfile objects of any class version, and error messages quote it.
///
///     hepkit::io::RootFile file("hsimple.root");
///     hepkit::io::StreamerInfos infos = hepkit::io::read_streamer_infos(file);
///     if (const auto* th1 = infos.find("TH1", 8))
///         for (const auto& e : th1->elements) std::cout << e.name << ' ' << e.type_name << '\n';
///
/// Format: a TList of TStreamerInfo objects, each a TNamed (the class name), fCheckSum,
/// fClassVersion and a TObjArray of TStreamerElement subclasses (docs/root-io.md).

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hepkit::io {

class RootFile;

/// ROOT's member type codes (TStreamerInfo::EReadWrite / TVirtualStreamerInfo).
namespace streamer_type {
inline constexpr int kBase = 0;
inline constexpr int kChar = 1, kShort = 2, kInt = 3, kLong = 4, kFloat = 5, kCounter = 6, kCharStar = 7;
inline constexpr int kDouble = 8, kDouble32 = 9, kLegacyChar = 10, kUChar = 11, kUShort = 12, kUInt = 13;
inline constexpr int kULong = 14, kBits = 15, kLong64 = 16, kULong64 = 17, kBool = 18, kFloat16 = 19;
inline constexpr int kOffsetL = 20; ///< + basic code: fixed-size array member (`Int_t f[3]`)
inline constexpr int kOffsetP = 40; ///< + basic code: pointer to an array with a counter member
inline constexpr int kObject = 61, kAny = 62, kObjectp = 63, kObjectP = 64, kTString = 65;
inline constexpr int kTObject = 66, kTNamed = 67, kAnyp = 68, kAnyP = 69, kSTL = 300, kSTLstring = 365;
inline constexpr int kStreamer = 500, kStreamLoop = 501;
} // namespace streamer_type

/// One member (or base class) of a class as the file describes it.
struct StreamerElement {
    std::string kind;     ///< the element's class: TStreamerBase, TStreamerBasicType, TStreamerObject, ...
    std::string name;     ///< member name (for a base class: the base's class name)
    std::string title;    ///< the member's comment (Double32_t ranges live here)
    int type = 0;         ///< streamer_type code
    int size = 0;         ///< bytes in memory
    int array_length = 0; ///< total elements of a fixed-size array (0: not an array)
    int array_dim = 0;    ///< number of array dimensions
    std::array<int, 5> max_index{}; ///< the array's dimensions
    std::string type_name;          ///< `Int_t`, `TAxis`, `TList*`, `Double_t*`, ...
    int base_version = -1;          ///< TStreamerBase: the base class's version
    std::string count_name;         ///< TStreamerBasicPointer/Loop: the member holding the array length
    int stl_type = 0;               ///< TStreamerSTL: ROOT's container code
};

/// The layout of one class version.
struct StreamerInfo {
    std::string class_name;
    std::string title;
    int version = 0;
    std::uint32_t checksum = 0;
    std::vector<StreamerElement> elements;
};

/// All the streamer infos of a file.
class StreamerInfos {
  public:
    StreamerInfos() = default;
    explicit StreamerInfos(std::vector<StreamerInfo> infos) : infos_(std::move(infos)) {}

    const std::vector<StreamerInfo>& all() const { return infos_; }
    /// The info of `class_name` at `version`, or nullptr.
    const StreamerInfo* find(std::string_view class_name, int version) const;
    /// The versions of `class_name` the file describes ("TH1 version 8", "no streamer info for TH1").
    std::string describe(std::string_view class_name) const;

  private:
    std::vector<StreamerInfo> infos_;
};

/// Parses the file's streamer-info record (empty when the file has none). Throws InputError
/// naming the file, "streamer info" and the byte offset when the record is malformed.
StreamerInfos read_streamer_infos(const RootFile& file);

/// Parses a streamer-info record already in memory (`origin`: the record key's length, for
/// ROOT's object references; `file`, `file_offset`: for errors).
StreamerInfos parse_streamer_infos(std::vector<std::uint8_t> const& record, const std::string& file,
                                   std::uint64_t file_offset, std::int64_t origin);

/// `Int_t[3]`-style description of an element's type for listings: the type name, array dims.
std::string describe_element_type(const StreamerElement& element);

} // namespace hepkit::io
