// The TTree streamer (versions 16–20, as ROOT 5.26 … 6.x write them) and its TNtuple/TNtupleD
// wrappers. The member layout changes with the class version: members are read by version and
// every base class is skipped by its byte count, so that the reader never depends on a member it
// does not need.

#include "TreeModel.hpp"

#include <string>

namespace hepkit::io::detail {

namespace {

// fNClusterRange is bounded by what the record can hold (two 8-byte arrays), checked before the
// arrays are allocated.
std::vector<std::int64_t> read_long_array(Cursor& c, std::int32_t n, const char* what) {
    c.u8(); // ROOT's "array follows" byte before a basic-type pointer member
    if (n < 0 || static_cast<std::size_t>(n) > c.remaining() / 8)
        c.fail(std::string(what) + ": " + std::to_string(n) + " elements do not fit in the " +
               std::to_string(c.remaining()) + " bytes left");
    std::vector<std::int64_t> out(static_cast<std::size_t>(n));
    for (auto& v : out)
        v = c.i64();
    return out;
}

} // namespace

TreeModel read_tree_model(Cursor& c, const std::string& class_name) {
    TreeModel t;
    t.class_name = class_name;
    if (class_name == "TNtuple" || class_name == "TNtupleD") {
        // A TNtuple is a TTree base followed by fNvar; only the TTree part matters.
        c.frame(class_name);
    } else if (class_name != "TTree") {
        c.fail("'" + class_name + "' is not a tree (TTree, TNtuple or TNtupleD)");
    }
    const Cursor::Frame f = c.frame("TTree");
    t.version = f.version;
    if (t.version < 16 || t.version > 20)
        c.fail("TTree class version " + std::to_string(t.version) +
               " is not supported (versions 16–20: ROOT 5.26 and later)");
    auto [name, title] = c.tnamed();
    t.name = std::move(name);
    t.title = std::move(title);
    c.skip_object("TAttLine");
    c.skip_object("TAttFill");
    c.skip_object("TAttMarker");

    const int v = t.version;
    t.entries = c.i64();
    t.tot_bytes = c.i64();
    t.zip_bytes = c.i64();
    c.i64(); // fSavedBytes
    if (v >= 18)
        c.i64(); // fFlushedBytes
    c.f64();     // fWeight
    c.i32();     // fTimerInterval
    c.i32();     // fScanField
    c.i32();     // fUpdate
    if (v >= 17)
        c.i32(); // fDefaultEntryOffsetLen
    std::int32_t n_cluster_range = 0;
    if (v >= 19)
        n_cluster_range = c.i32();
    c.i64(); // fMaxEntries
    c.i64(); // fMaxEntryLoop
    c.i64(); // fMaxVirtualSize
    c.i64(); // fAutoSave
    if (v >= 18)
        t.auto_flush = c.i64();
    c.i64(); // fEstimate
    if (v >= 19) {
        t.cluster_range_end = read_long_array(c, n_cluster_range, "fClusterRangeEnd");
        t.cluster_size = read_long_array(c, n_cluster_range, "fClusterSize");
    }
    if (v >= 20)
        c.skip_object("TIOFeatures");
    if (t.entries < 0)
        c.fail("negative number of entries " + std::to_string(t.entries));
    read_branch_array(c, t.branches, 0, "");
    // fLeaves, fAliases, the index and the friends list follow; the branches hold all we read.
    return t;
}

} // namespace hepkit::io::detail
