#pragma once
// The streamer-info record of files hepkit writes (internal to hepkit::io): the TList of
// TStreamerInfo that tells ROOT, uproot and jsroot how the classes hepkit writes are laid out.
// The member lists are those of ROOT 6's classes (TH1 v8, TTree v20, TBranch v13, ...), as they
// appear in files ROOT writes; the checksums follow ROOT's TStreamerInfo::GetCheckSum (latest
// variant: base classes with their own checksums, enums marked, array counters from the comment).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hepkit::io::detail {

/// One member (or base class) of a streamer info, as TStreamerElement stores it.
struct StreamerElement {
    std::string element_class; ///< TStreamerBase, TStreamerBasicType, ...
    std::string name;
    std::string title;
    int type = 0;
    int size = 0;
    std::string type_name;
    int array_dim = 0;
    int max_index[5] = {0, 0, 0, 0, 0};
    int base_version = 0;            ///< TStreamerBase
    std::uint32_t base_checksum = 0; ///< TStreamerBase (ROOT keeps it in fMaxIndex[1])
    int count_version = 0;           ///< TStreamerBasicPointer
    std::string count_name, count_class;
    bool is_base() const { return element_class == "TStreamerBase"; }
};

/// ROOT's checksum of a class (TStreamerInfo::GetCheckSum, kLatestCheckSum) from its elements.
std::uint32_t streamer_checksum(std::string_view class_name, std::span<const StreamerElement> elements);

/// The class's version and checksum as hepkit writes it (throws std::logic_error for a class
/// hepkit does not write).
int class_version(std::string_view class_name);
std::uint32_t class_checksum(std::string_view class_name);
/// The elements hepkit writes for `class_name` (base checksums filled in).
std::vector<StreamerElement> class_elements(std::string_view class_name);

/// The streamer record: a TList of the TStreamerInfo of `classes` and of every class they are
/// built from, each once. `origin` is the record's key length (ROOT's reference offsets).
std::vector<std::uint8_t> streamer_record(std::span<const std::string> classes, std::int64_t origin);

} // namespace hepkit::io::detail
