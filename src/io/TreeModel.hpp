#pragma once
// What the streamers of TTree, TBranch(Element) and TLeaf* yield, internal to hepkit::io: the
// members the column reader needs, as ROOT wrote them (no interpretation yet; Tree.cpp turns a
// BranchModel into a BranchInfo and a basket layout).

#include "Cursor.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace hepkit::io::detail {

/// A TLeaf (TLeafF, TLeafI, ..., TLeafElement).
struct LeafModel {
    std::string class_name;
    std::string name;
    std::string title;
    std::int32_t len = 1;      ///< product of the fixed dimensions
    std::int32_t len_type = 0; ///< bytes per element as ROOT counts them
    bool is_range = false;     ///< this leaf is a counter of another
    bool is_unsigned = false;
    bool has_count = false;         ///< fLeafCount was set (a variable-size array)
    std::int32_t element_type = -1; ///< TLeafElement::fType (ROOT's EDataType), else −1
};

/// A basket stored inside the TBranch record (a tree written by a process that did not close the
/// file): already uncompressed.
struct EmbeddedBasket {
    std::int32_t entries = 0;
    std::vector<std::uint8_t> data;    ///< the entries' bytes (key header removed)
    std::vector<std::int32_t> offsets; ///< entries+1 byte offsets into data, or empty (fixed size)
};

/// A TBranch or TBranchElement; nested branches are flattened into TreeModel::branches.
struct BranchModel {
    std::string class_name; ///< TBranch, TBranchElement, ...
    std::string name;       ///< full name: the branch's own fName (ROOT writes parent prefixes in it)
    std::string title;
    std::uint16_t version = 0;
    std::int32_t compress = 0;
    std::int32_t entry_offset_len = 0;
    std::int32_t write_basket = 0; ///< baskets on file (0 … write_basket−1)
    std::int64_t entries = 0;
    std::int64_t first_entry = 0;
    std::int64_t tot_bytes = 0;
    std::int64_t zip_bytes = 0;
    std::vector<std::int32_t> basket_bytes;
    std::vector<std::int64_t> basket_entry;
    std::vector<std::int64_t> basket_seek;
    std::vector<LeafModel> leaves;
    std::vector<EmbeddedBasket> embedded;
    int depth = 0;             ///< 0 for a top-level branch
    bool has_children = false; ///< fBranches was not empty
    // TBranchElement only
    std::string element_class;       ///< fClassName ("vector<float>", a struct name, ...)
    std::int32_t element_type = 0;   ///< fType (0: top level, 31/41: members of a collection, ...)
    std::int32_t streamer_type = -1; ///< fStreamerType (ROOT's TStreamerInfo type code), −1 none
};

struct TreeModel {
    std::string class_name; ///< TTree, TNtuple, TNtupleD
    std::string name;
    std::string title;
    std::uint16_t version = 0;
    std::int64_t entries = 0;
    std::int64_t tot_bytes = 0;
    std::int64_t zip_bytes = 0;
    std::int64_t auto_flush = 0;
    std::vector<std::int64_t> cluster_range_end;
    std::vector<std::int64_t> cluster_size;
    std::vector<BranchModel> branches; ///< depth-first, parents before their children
};

/// Reads a TTree (or TNtuple/TNtupleD) record; the cursor stands at the object's start.
TreeModel read_tree_model(Cursor& c, const std::string& class_name);

/// Reads a TObjArray of branches (fBranches) into `out`, recursing into sub-branches.
void read_branch_array(Cursor& c, std::vector<BranchModel>& out, int depth, const std::string& parent);

/// Reads a TObjArray of leaves (a branch's fLeaves).
std::vector<LeafModel> read_leaf_array(Cursor& c);

} // namespace hepkit::io::detail
