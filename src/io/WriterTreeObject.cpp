// The TTree object of a written tree: TTree v20 with its TBranch v13 and TLeaf objects, the
// basket tables and the cluster layout (fAutoFlush and cluster ranges).

#include "WriterTreeImpl.hpp"

#include <stdexcept>

namespace hepkit::io {

namespace {

const char* leaf_class(ColumnType t) {
    switch (t) {
    case ColumnType::Bool:
        return "TLeafO";
    case ColumnType::Int8:
    case ColumnType::UInt8:
        return "TLeafB";
    case ColumnType::Int16:
    case ColumnType::UInt16:
        return "TLeafS";
    case ColumnType::Int32:
    case ColumnType::UInt32:
        return "TLeafI";
    case ColumnType::Int64:
    case ColumnType::UInt64:
        return "TLeafL";
    case ColumnType::Float32:
        return "TLeafF";
    case ColumnType::Float64:
        return "TLeafD";
    case ColumnType::String:
        break;
    }
    throw std::logic_error("no ROOT leaf for string columns");
}

char leaf_code(ColumnType t) {
    static const char codes[] = {'O', 'B', 'b', 'S', 's', 'I', 'i', 'L', 'l', 'F', 'D'};
    return codes[static_cast<std::size_t>(t)];
}

bool is_unsigned(ColumnType t) {
    return t == ColumnType::UInt8 || t == ColumnType::UInt16 || t == ColumnType::UInt32 ||
           t == ColumnType::UInt64;
}

// fMinimum / fMaximum in the leaf's own type.
void leaf_value(WBuffer& b, ColumnType t, std::int64_t v) {
    switch (column_type_size(t)) {
    case 1:
        b.u8(static_cast<std::uint8_t>(v));
        return;
    case 2:
        b.i16(static_cast<std::int16_t>(v));
        return;
    case 4:
        if (t == ColumnType::Float32)
            b.f32(static_cast<float>(v));
        else
            b.i32(static_cast<std::int32_t>(v));
        return;
    default:
        if (t == ColumnType::Float64)
            b.f64(static_cast<double>(v));
        else
            b.i64(v);
    }
}

void empty_objarray(WBuffer& b) {
    const auto f = b.begin_frame(3);
    b.tobject();
    b.tstring("");
    b.i32(0);
    b.i32(0);
    b.end_frame(f);
}

template <class T>
void pointer_array(WBuffer& b, const std::vector<T>& v) {
    if (v.empty()) {
        b.u8(0);
        return;
    }
    b.u8(1);
    for (const T x : v) {
        if constexpr (sizeof(T) == 4)
            b.i32(x);
        else
            b.i64(x);
    }
}

} // namespace

void TreeWriter::Impl::write_tree() {
    // Clusters: a run of equal clusters (the last one may be shorter) is described by fAutoFlush;
    // earlier runs of other sizes by cluster ranges (last entry of the range, cluster size).
    std::vector<std::int64_t> range_end, range_size;
    std::int64_t auto_flush = clusters.empty() ? 1 : clusters.front();
    {
        std::int64_t start = 0;
        std::size_t i = 0;
        while (i < clusters.size()) {
            const std::int64_t size = clusters[i];
            std::size_t j = i;
            std::int64_t end = start;
            while (j < clusters.size() && clusters[j] == size)
                end += clusters[j++];
            // A shorter last cluster belongs to the run before it.
            if (j + 1 == clusters.size() && clusters[j] < size)
                end += clusters[j++];
            if (j >= clusters.size()) {
                auto_flush = size;
            } else {
                range_end.push_back(end - 1);
                range_size.push_back(size);
            }
            start = end;
            i = j;
        }
    }
    std::int64_t tot = 0, zip = 0;
    for (const auto& b : branches) {
        tot += b.tot_bytes;
        zip += b.zip_bytes;
    }
    sink->use_class("TTree");
    sink->use_class("TBranch");
    for (const auto& b : branches)
        sink->use_class(leaf_class(b.type));

    const auto body = [&](WBuffer& w) {
        const auto tree = w.begin_frame(20);
        w.tnamed(name, options.title);
        const auto line = w.begin_frame(2);
        w.i16(602);
        w.i16(1);
        w.i16(1);
        w.end_frame(line);
        const auto fill = w.begin_frame(2);
        w.i16(0);
        w.i16(1001);
        w.end_frame(fill);
        const auto marker = w.begin_frame(2);
        w.i16(1);
        w.i16(1);
        w.f32(1.0F);
        w.end_frame(marker);
        w.i64(entries);
        w.i64(tot);
        w.i64(zip);
        w.i64(zip);  // fSavedBytes
        w.i64(zip);  // fFlushedBytes
        w.f64(1);    // fWeight
        w.i32(0);    // fTimerInterval
        w.i32(25);   // fScanField
        w.i32(0);    // fUpdate
        w.i32(1000); // fDefaultEntryOffsetLen
        w.i32(static_cast<std::int32_t>(range_end.size()));
        w.i64(1000000000000); // fMaxEntries
        w.i64(1000000000000); // fMaxEntryLoop
        w.i64(0);             // fMaxVirtualSize
        w.i64(-300000000);    // fAutoSave
        w.i64(auto_flush);
        w.i64(1000000); // fEstimate
        pointer_array(w, range_end);
        pointer_array(w, range_size);
        const auto io = w.begin_frame(1);
        w.u8(0);
        w.end_frame(io);
        // fBranches
        const auto arr = w.begin_frame(3);
        w.tobject();
        w.tstring("");
        w.i32(static_cast<std::int32_t>(branches.size()));
        w.i32(0);
        for (const auto& b : branches) {
            const auto obj = w.begin_object("TBranch", &b);
            const auto bf = w.begin_frame(13);
            std::string leaf_title = b.name;
            if (b.jagged)
                leaf_title.append("[").append(branches[static_cast<std::size_t>(b.counter)].name).append("]");
            else if (b.width > 1)
                leaf_title.append("[").append(std::to_string(b.width)).append("]");
            std::string title = leaf_title;
            title.append("/").push_back(leaf_code(b.type));
            w.tnamed(b.name, title);
            const auto bfill = w.begin_frame(2);
            w.i16(0);
            w.i16(1001);
            w.end_frame(bfill);
            const auto nbaskets = static_cast<std::int32_t>(b.basket_seek.size());
            w.i32(sink->compression().to_root());
            w.i32(static_cast<std::int32_t>(options.basket_size));
            w.i32(b.jagged ? 1000 : 0); // fEntryOffsetLen: entry offsets in the baskets
            w.i32(nbaskets);            // fWriteBasket
            w.i64(entries);             // fEntryNumber
            const auto bio = w.begin_frame(1);
            w.u8(0);
            w.end_frame(bio);
            w.i32(0);            // fOffset
            w.i32(nbaskets + 1); // fMaxBaskets
            w.i32(0);            // fSplitLevel
            w.i64(entries);
            w.i64(0); // fFirstEntry
            w.i64(b.tot_bytes);
            w.i64(b.zip_bytes);
            empty_objarray(w); // fBranches
            // fLeaves: the one leaf
            const auto leaves = w.begin_frame(3);
            w.tobject();
            w.tstring("");
            w.i32(1);
            w.i32(0);
            const auto lobj = w.begin_object(leaf_class(b.type), &b.leaf_identity);
            const auto lf = w.begin_frame(1);
            const auto tleaf = w.begin_frame(2);
            w.tnamed(b.name, leaf_title);
            w.i32(static_cast<std::int32_t>(b.width)); // fLen
            w.i32(static_cast<std::int32_t>(column_type_size(b.type)));
            w.i32(0);                   // fOffset
            w.u8(b.is_counter ? 1 : 0); // fIsRange: a counter knows its maximum
            w.u8(is_unsigned(b.type) ? 1 : 0);
            if (b.jagged) {
                if (!w.reference(&branches[static_cast<std::size_t>(b.counter)].leaf_identity))
                    throw std::logic_error("counter leaf of " + b.name + " not written before it");
            } else {
                w.null_pointer();
            }
            w.end_frame(tleaf);
            leaf_value(w, b.type, 0);
            leaf_value(w, b.type, b.is_counter ? b.max_count : 0);
            w.end_frame(lf);
            w.end_object(lobj);
            w.end_frame(leaves);
            empty_objarray(w); // fBaskets: all on disk
            std::vector<std::int32_t> bytes = b.basket_bytes;
            std::vector<std::int64_t> entry = b.basket_entry, seek = b.basket_seek;
            bytes.push_back(0);
            entry.push_back(entries);
            seek.push_back(0);
            pointer_array(w, bytes);
            pointer_array(w, entry);
            pointer_array(w, seek);
            w.tstring(""); // fFileName
            w.end_frame(bf);
            w.end_object(obj);
        }
        w.end_frame(arr);
        // fLeaves: references to the leaves written in the branches
        const auto all = w.begin_frame(3);
        w.tobject();
        w.tstring("");
        w.i32(static_cast<std::int32_t>(branches.size()));
        w.i32(0);
        for (const auto& b : branches)
            if (!w.reference(&b.leaf_identity))
                throw std::logic_error("leaf of " + b.name + " not written");
        w.end_frame(all);
        w.null_pointer(); // fAliases
        w.i32(0);         // fIndexValues (TArrayD)
        w.i32(0);         // fIndex (TArrayI)
        w.null_pointer(); // fTreeIndex
        w.null_pointer(); // fFriends
        w.null_pointer(); // fUserInfo
        w.null_pointer(); // fBranchRef
        w.end_frame(tree);
    };
    sink->write_object("TTree", name, options.title, body);
}

} // namespace hepkit::io
