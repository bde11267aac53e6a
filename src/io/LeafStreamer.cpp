// The streamers of TLeaf and its typed subclasses (TLeafO/B/S/I/L/G/F/D/C, TLeafF16, TLeafD32,
// TLeafElement). Only TLeaf's members and TLeafElement's fType are kept; each subclass's
// fMinimum/fMaximum are skipped by the byte count.

#include "TreeModel.hpp"

#include <string>

namespace hepkit::io::detail {

namespace {

// A leaf's fLeafCount points at another leaf, which is written inline the first time it is met;
// a chain longer than this is corrupt.
constexpr int kMaxLeafDepth = 8;

LeafModel read_leaf(Cursor& c, const std::string& class_name, std::size_t end, int depth);

// fLeafCount: null, a reference to a leaf read before, or the counter leaf itself.
bool read_leaf_count(Cursor& c, int depth) {
    const Cursor::AnyObject o = c.any_object();
    if (o.kind == Cursor::AnyObject::Kind::Null)
        return false;
    if (o.kind == Cursor::AnyObject::Kind::Object) {
        if (depth >= kMaxLeafDepth)
            c.fail("leaf counters nested deeper than " + std::to_string(kMaxLeafDepth) +
                   " (corrupt or cyclic)");
        if (o.end == 0)
            c.fail("counter leaf of class " + o.class_name + " written without a byte count");
        read_leaf(c, o.class_name, o.end, depth + 1);
        c.seek(o.end);
    }
    return true;
}

LeafModel read_leaf(Cursor& c, const std::string& class_name, std::size_t end, int depth) {
    LeafModel leaf;
    leaf.class_name = class_name;
    if (class_name.rfind("TLeaf", 0) != 0)
        c.fail("a leaf of class '" + class_name + "' (expected TLeaf…)");
    const Cursor::Frame outer = c.frame(class_name);
    const Cursor::Frame base = c.frame("TLeaf");
    auto [name, title] = c.tnamed();
    leaf.name = std::move(name);
    leaf.title = std::move(title);
    leaf.len = c.i32();
    leaf.len_type = c.i32();
    c.i32(); // fOffset
    leaf.is_range = c.boolean();
    leaf.is_unsigned = c.boolean();
    leaf.has_count = read_leaf_count(c, depth);
    if (base.end != 0)
        c.skip_to_end(base, "TLeaf");
    if (class_name == "TLeafElement") {
        c.i32(); // fID
        leaf.element_type = c.i32();
    }
    if (outer.end != 0)
        c.skip_to_end(outer, class_name);
    else if (end != 0)
        c.seek(end);
    if (leaf.len < 0)
        c.fail("leaf '" + leaf.name + "': negative fLen " + std::to_string(leaf.len));
    return leaf;
}

} // namespace

std::vector<LeafModel> read_leaf_array(Cursor& c) {
    const auto [f, n] = c.object_array("fLeaves", "leaves");
    std::vector<LeafModel> leaves;
    for (std::int32_t i = 0; i < n; ++i) {
        const Cursor::AnyObject o = c.any_object();
        if (o.kind != Cursor::AnyObject::Kind::Object)
            continue;
        leaves.push_back(read_leaf(c, o.class_name, o.end, 0));
        if (o.end != 0)
            c.seek(o.end);
    }
    if (f.end != 0)
        c.skip_to_end(f, "fLeaves");
    return leaves;
}

} // namespace hepkit::io::detail
