#pragma once
/// @file
/// TTrees (and TNtuple/TNtupleD) read into typed columns, without ROOT.
///
///     hepkit::io::RootFile file("nano.root");
///     hepkit::io::Tree events(file, "Events");
///     hepkit::ThreadPool pool(4);
///     hepkit::io::Column pt = events.read("Muon_pt", 0, events.entries(), &pool); // jagged float32
///     for (const auto& b : events.branches()) std::cout << b.name << ' ' << b.type_name << '\n';
///
/// What is read: branches of every basic type (Bool_t, (U)Char_t, (U)Short_t, (U)Int_t,
/// (U)Long64_t, Float_t, Double_t, Float16_t and Double32_t with their ranges), fixed-size arrays
/// (`x[3][2]`: a fixed column of width 6), variable-size C arrays with a counter branch
/// (`Muon_pt[nMuon]`: a jagged column), `std::vector<basic>` branches, strings (TLeafC and
/// std::string), TNtuple/TNtupleD. Nested sub-branches are listed under their full names. Other
/// branches (objects, TClonesArray members, multi-leaf branches) are listed with `readable` false
/// and a reason.
///
/// Reads are lazy: a Tree holds only the tree's metadata; read() fetches and decompresses only
/// the baskets of the asked branches that overlap the asked entries, a bounded number at a time
/// (on a ThreadPool when one is given), and assembles them into one contiguous column. A Tree
/// keeps a reference to its RootFile, which must outlive it; one Tree may be read from several
/// threads at once.
///
/// Bad files end in an InputError naming the file, the tree, the branch, the basket and the byte
/// offset; sizes are checked against the file and the record before anything is allocated.

#include "hepkit/io/Column.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hepkit {
class ThreadPool;
}

namespace hepkit::io {

class RootFile;

/// The range of a Float16_t / Double32_t leaf, from its title `[min,max]` or `[min,max,nbits]`
/// (ROOT's TStreamerElement::GetRange): values stored as nbits-bit integers over [min, max], or,
/// without a range, as floats truncated to nbits mantissa bits.
struct FloatRange {
    double min = 0;
    double max = 0;
    int nbits = 32;
};

/// What a branch holds and how it is stored.
struct BranchInfo {
    std::string name; ///< full name (sub-branches: parent/child, or ROOT's parent.child)
    std::string title;
    std::string class_name; ///< TBranch, TBranchElement
    std::string leaf_class; ///< TLeafF, TLeafElement, ... ("" without leaves)
    /// ROOT's element type: Float_t, Int_t, Float16_t, vector<float>, char* (TLeafC), ...
    std::string root_type;
    /// The column type (Float16_t → float32, Double32_t → float64).
    ColumnType type = ColumnType::Float64;
    /// Listed as `float32`, `float32[3]`, `float32[nMuon]`, `vector<float32>`, `string`.
    std::string type_name;
    bool readable = false;
    std::string unreadable_reason;   ///< why not, when !readable
    bool jagged = false;             ///< variable number of values per entry
    std::string counter;             ///< the counter branch of a C array `x[n]` ("" otherwise)
    std::vector<std::size_t> dims;   ///< fixed dimensions (`x[3][2]` → {3,2}; `x[n][2]` → {2})
    std::optional<FloatRange> range; ///< Float16_t / Double32_t only
    std::int64_t entries = 0;
    std::int64_t compressed_bytes = 0;   ///< fZipBytes: baskets on file, key headers included
    std::int64_t uncompressed_bytes = 0; ///< fTotBytes
    std::size_t baskets = 0;             ///< on file plus embedded in the TBranch record
    int depth = 0;                       ///< 0 for a top-level branch

    /// Values per entry of a flat or fixed column (product of dims; 1 for scalars).
    std::size_t width() const;
};

/// An entry range [begin, end).
struct EntryRange {
    std::int64_t begin = 0;
    std::int64_t end = 0;
};

class Tree {
  public:
    /// Opens the tree at `path` ("Events", "dir/tree;2") of `file`. Throws InputError when the key
    /// is missing, is not a TTree/TNtuple/TNtupleD, or its record is corrupt.
    Tree(const RootFile& file, std::string_view path);
    ~Tree();
    Tree(Tree&&) noexcept;
    Tree& operator=(Tree&&) noexcept;
    Tree(const Tree&) = delete;
    Tree& operator=(const Tree&) = delete;

    const RootFile& file() const;
    const std::string& name() const;
    const std::string& title() const;
    /// TTree, TNtuple or TNtupleD.
    const std::string& class_name() const;
    std::int64_t entries() const;
    /// fZipBytes / fTotBytes of the whole tree.
    std::int64_t compressed_bytes() const;
    std::int64_t uncompressed_bytes() const;

    /// The clusters (entry ranges whose baskets start together): from fClusterRangeEnd /
    /// fClusterSize and fAutoFlush when the tree has them, else the entries where every branch
    /// starts a basket. Covers [0, entries()).
    std::vector<EntryRange> clusters() const;

    /// All branches, parents before their sub-branches.
    const std::vector<BranchInfo>& branches() const;
    bool has_branch(std::string_view name) const;
    /// Throws InputError naming the tree and listing close names when there is no such branch.
    const BranchInfo& branch(std::string_view name) const;

    /// Entries [begin, end) of one branch as a column named after the branch. Throws UsageError
    /// for a range outside [0, entries()], InputError for an unreadable branch or a corrupt basket.
    Column read(std::string_view branch, std::int64_t begin, std::int64_t end,
                ThreadPool* pool = nullptr) const;
    /// Several branches over the same entries; baskets of all of them are decompressed together
    /// (at most a few per thread at a time).
    std::vector<Column> read(std::span<const std::string> branches, std::int64_t begin, std::int64_t end,
                             ThreadPool* pool = nullptr) const;
    /// The same into `columns`, made one per branch: a column that already has the branch's name,
    /// type and layout keeps its buffers (emptied, their capacity kept). A loop over clusters that
    /// reads into the same vector allocates nothing after its first cluster — with fresh columns,
    /// the allocator returns their memory to the system and faults it in again, which cost ~30 % of
    /// reading an LZ4 NanoAOD selection in such a loop (docs/performance.md). After an exception
    /// the columns' contents are unspecified.
    ///
    ///     std::vector<Column> columns;
    ///     for (const EntryRange& c : tree.clusters()) {
    ///         tree.read_into(names, c.begin, c.end, columns);
    ///         ... use columns ...
    ///     }
    void read_into(std::span<const std::string> branches, std::int64_t begin, std::int64_t end,
                   std::vector<Column>& columns, ThreadPool* pool = nullptr) const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Appends `more` to `into` (same name and type; for jagged columns the offsets are shifted).
/// Throws std::invalid_argument when their types or layouts differ.
void append_column(Column& into, Column&& more);

} // namespace hepkit::io
