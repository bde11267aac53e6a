// Tree: the TTree record read once (streamers in TreeStreamer/BranchStreamer/LeafStreamer.cpp),
// branches interpreted (BranchLayout.cpp), and reads that fetch only the baskets overlapping the
// asked entries, decompress a bounded window of them at a time on the thread pool and append them
// in order to contiguous columns.

#include "hepkit/io/Tree.hpp"

#include "Basket.hpp"
#include "Cursor.hpp"
#include "TreeLayout.hpp"
#include "TreeModel.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/ThreadPool.hpp"
#include "hepkit/io/RootFile.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>

namespace hepkit::io {

namespace {

// Baskets decoded per thread between two joins. A round ends when its slowest basket does, so it
// must hold many baskets for two threads to stay busy past uneven basket sizes (NanoAOD's jagged
// baskets are several times its scalar ones; a cluster of a 20-branch selection is 20 baskets).
// Memory does not grow with it: each thread decompresses into its own reused scratch buffers, and
// a round's decoded values are the asked columns' own values, moved or appended into them.
constexpr std::size_t kBasketsPerThread = 16;
// Columns per thread from which a read is spread over the threads column by column (each decoded
// in order into its own storage, no copies) rather than basket by basket.
constexpr std::size_t kColumnsPerThread = 4;

// Scratch buffers above this are freed after their basket instead of kept for the next one.
constexpr std::size_t kMaxKeptScratch = std::size_t{64} << 20;

// A cluster list longer than this (tiny fAutoFlush over many entries) is not built; the basket
// boundaries are used instead.
constexpr std::int64_t kMaxClusters = 10'000'000;

// `column` emptied for a new read of branch `name`: its buffers kept where it already holds that
// branch's type and layout (Tree::read_into), else a new column.
void reuse_or_make(Column& column, const std::string& name, const detail::Layout& layout) {
    if (column.name == name && column.type == layout.type && column.jagged() == layout.jagged &&
        (layout.jagged || column.width == layout.width)) {
        std::visit([](auto& v) { v.clear(); }, column.values);
        if (layout.jagged)
            column.offsets.assign(1, 0);
        return;
    }
    column = detail::make_column(name, layout);
}

} // namespace

struct Tree::Impl {
    const RootFile* file = nullptr;
    std::string path;
    detail::TreeModel model;
    std::vector<BranchInfo> infos;
    std::vector<detail::Layout> layouts;
    std::unordered_map<std::string, std::size_t> index;
    // What decoding one entry of each branch cost on its last read (ns, 0: not read yet), so that
    // a read spread over threads column by column starts the costliest columns first. The cost
    // per byte varies fourfold between branches of the same size (an LZ4 basket of barely
    // compressible floats against one stored raw: NanoAOD's Jet_eta against Jet_pt), which no
    // size-based guess sees. Relaxed atomics: concurrent reads of one tree only share hints.
    std::unique_ptr<std::atomic<float>[]> cost_per_entry;

    // How errors name branch b, made once: a read would otherwise build it for every basket.
    std::vector<std::string> objects;
    const std::string& object(std::size_t b) const { return objects[b]; }

    // Each branch's basket list, checked once on its first read (not at open: a damaged basket
    // table fails the read of that branch only) and kept: a loop over clusters would otherwise
    // walk every basket of every branch at each cluster, a quadratic cost in the file's size.
    // A check that throws leaves the flag unset, so every read of that branch throws it again.
    mutable std::vector<std::vector<detail::BasketRef>> refs;
    std::unique_ptr<std::once_flag[]> refs_once;
    const std::vector<detail::BasketRef>& basket_refs(std::size_t b) const {
        std::call_once(refs_once[b],
                       [&] { refs[b] = detail::basket_refs(*file, model.branches[b], object(b)); });
        return refs[b];
    }

    // A branch whose baskets were never flushed (a file not closed, or copied as such) has
    // fZipBytes/fTotBytes 0: the totals are then summed from the basket table, the baskets' key
    // headers (a few bytes read per basket) and the embedded baskets.
    void sizes_from_baskets(std::size_t i) {
        const auto& b = model.branches[i];
        std::int64_t zipped = 0, unzipped = 0;
        try {
            for (std::int32_t k = 0; k < b.write_basket; ++k) {
                const auto kk = static_cast<std::size_t>(k);
                const auto head =
                    file->read_raw(b.basket_seek[kk], 18, object(i) + " basket " + std::to_string(k));
                const auto be = [&](std::size_t at, std::size_t n) {
                    std::int64_t v = 0;
                    for (std::size_t j = 0; j < n; ++j)
                        v = (v << 8) | head[at + j];
                    return v;
                };
                zipped += b.basket_bytes[kk];
                unzipped += be(6, 4) + be(14, 2); // fObjlen + fKeylen
            }
        } catch (const InputError&) {
            return; // a bad basket is reported when it is read
        }
        for (const auto& e : b.embedded) {
            // Stored inside the TBranch record, uncompressed: data and entry offsets.
            const auto n = static_cast<std::int64_t>(e.data.size() + 4 * e.offsets.size());
            zipped += n;
            unzipped += n;
        }
        infos[i].compressed_bytes = zipped;
        infos[i].uncompressed_bytes = unzipped;
    }

    std::vector<EntryRange> basket_clusters() const {
        // Entries where every readable branch starts a basket.
        std::map<std::int64_t, std::size_t> starts;
        std::size_t counted = 0;
        for (const auto& b : model.branches) {
            if (b.write_basket <= 0 && b.embedded.empty())
                continue;
            ++counted;
            std::set<std::int64_t> own;
            for (std::int32_t i = 0;
                 i < b.write_basket && static_cast<std::size_t>(i) < b.basket_entry.size(); ++i)
                own.insert(b.basket_entry[static_cast<std::size_t>(i)]);
            for (const auto s : own)
                ++starts[s];
        }
        std::vector<EntryRange> out;
        std::int64_t at = 0;
        for (const auto& [entry, n] : starts) {
            if (n != counted || entry <= at || entry >= model.entries)
                continue;
            out.push_back({at, entry});
            at = entry;
        }
        if (at < model.entries || out.empty())
            out.push_back({at, model.entries});
        return out;
    }
};

Tree::Tree(const RootFile& file, std::string_view path) : impl_(std::make_unique<Impl>()) {
    impl_->file = &file;
    impl_->path = std::string(path);
    const Key key = file.key(path);
    if (key.class_name != "TTree" && key.class_name != "TNtuple" && key.class_name != "TNtupleD")
        throw InputError(file.path(), 0, std::string(path),
                         "is a " + key.class_name + ", not a tree (TTree, TNtuple or TNtupleD)");
    const std::vector<std::uint8_t> payload = file.read_payload(key);
    Cursor c(payload, file.path(), "tree '" + impl_->path + "'", static_cast<std::uint64_t>(key.seek_key),
             key.key_len);
    impl_->model = detail::read_tree_model(c, key.class_name);
    const auto& branches = impl_->model.branches;
    impl_->infos.resize(branches.size());
    impl_->cost_per_entry = std::make_unique<std::atomic<float>[]>(branches.size());
    impl_->refs.resize(branches.size());
    impl_->refs_once = std::make_unique<std::once_flag[]>(branches.size());
    impl_->layouts.reserve(branches.size());
    for (std::size_t i = 0; i < branches.size(); ++i) {
        impl_->layouts.push_back(detail::make_branch_layout(impl_->model, branches[i], impl_->infos[i]));
        impl_->index.emplace(impl_->infos[i].name, i);
        impl_->objects.push_back("tree '" + impl_->path + "' branch '" + impl_->infos[i].name + "'");
        if (branches[i].zip_bytes == 0 && branches[i].tot_bytes == 0)
            impl_->sizes_from_baskets(i);
    }
}

Tree::~Tree() = default;
Tree::Tree(Tree&&) noexcept = default;
Tree& Tree::operator=(Tree&&) noexcept = default;

const RootFile& Tree::file() const {
    return *impl_->file;
}
const std::string& Tree::name() const {
    return impl_->model.name;
}
const std::string& Tree::title() const {
    return impl_->model.title;
}
const std::string& Tree::class_name() const {
    return impl_->model.class_name;
}
std::int64_t Tree::entries() const {
    return impl_->model.entries;
}
std::int64_t Tree::compressed_bytes() const {
    return impl_->model.zip_bytes;
}
std::int64_t Tree::uncompressed_bytes() const {
    return impl_->model.tot_bytes;
}
const std::vector<BranchInfo>& Tree::branches() const {
    return impl_->infos;
}

bool Tree::has_branch(std::string_view name) const {
    return impl_->index.count(std::string(name)) != 0;
}

const BranchInfo& Tree::branch(std::string_view name) const {
    const auto it = impl_->index.find(std::string(name));
    if (it != impl_->index.end())
        return impl_->infos[it->second];
    std::string known;
    std::size_t shown = 0;
    for (const auto& b : impl_->infos) {
        if (shown == 12)
            break;
        if (b.name.find(name) != std::string::npos || name.find(b.name) != std::string_view::npos ||
            impl_->infos.size() <= 12) {
            known += (shown++ ? ", " : "") + b.name;
        }
    }
    throw InputError(impl_->file->path(), 0, "tree '" + impl_->path + "'",
                     "has no branch '" + std::string(name) + "' (" + std::to_string(impl_->infos.size()) +
                         " branches" + (known.empty() ? "" : "; close names: " + known) + ")");
}

std::vector<EntryRange> Tree::clusters() const {
    const auto& m = impl_->model;
    std::vector<EntryRange> out;
    if (m.entries == 0)
        return out;
    std::int64_t at = 0;
    bool fallback = false;
    auto add_range = [&](std::int64_t size, std::int64_t end) {
        if (size <= 0 || (end - at) / size > kMaxClusters) {
            fallback = true;
            return;
        }
        while (at < end && !fallback) {
            const std::int64_t stop = std::min(at + size, end);
            out.push_back({at, stop});
            at = stop;
        }
    };
    for (std::size_t r = 0; r < m.cluster_range_end.size() && !fallback; ++r)
        add_range(m.cluster_size[r], std::min(m.cluster_range_end[r] + 1, m.entries));
    if (!fallback && at < m.entries)
        add_range(m.auto_flush, m.entries);
    if (fallback || out.empty())
        return impl_->basket_clusters();
    return out;
}

Column Tree::read(std::string_view branch, std::int64_t begin, std::int64_t end, ThreadPool* pool) const {
    const std::string name(branch);
    return std::move(read(std::span<const std::string>(&name, 1), begin, end, pool).front());
}

std::vector<Column> Tree::read(std::span<const std::string> names, std::int64_t begin, std::int64_t end,
                               ThreadPool* pool) const {
    std::vector<Column> columns;
    read_into(names, begin, end, columns, pool);
    return columns;
}

void Tree::read_into(std::span<const std::string> names, std::int64_t begin, std::int64_t end,
                     std::vector<Column>& columns, ThreadPool* pool) const {
    const Impl& im = *impl_;
    if (begin < 0 || end < begin || end > im.model.entries)
        throw UsageError("entries", "range " + std::to_string(begin) + ":" + std::to_string(end) +
                                        " is outside tree '" + im.path +
                                        "' (0:" + std::to_string(im.model.entries) + ")");
    struct Task {
        std::size_t column;
        std::size_t branch;
        detail::BasketRef ref;
        std::int32_t first, last;
    };
    columns.resize(names.size());
    std::vector<Task> tasks;
    std::vector<std::size_t> branch_of(names.size());
    for (std::size_t k = 0; k < names.size(); ++k) {
        const BranchInfo& info = branch(names[k]);
        const std::size_t b = im.index.at(info.name);
        branch_of[k] = b;
        if (!info.readable)
            throw InputError(im.file->path(), 0, im.object(b), "cannot be read: " + info.unreadable_reason);
        reuse_or_make(columns[k], info.name, im.layouts[b]);
        // The column's final size is known for flat and fixed-size branches (and the offsets of
        // jagged ones): reserved once, the baskets' parts are appended without regrowing (each
        // regrowth copied everything read so far).
        Column& col = columns[k];
        const auto rows = static_cast<std::size_t>(end - begin);
        if (col.jagged()) {
            col.offsets.reserve(rows + 1);
            // The values: estimated from the branch's uncompressed bytes (fTotBytes, which also
            // counts entry offsets and key headers: a slight over-estimate), capped (8× the file, 2 GB) so
            // that a lying fTotBytes cannot make us reserve much: it is only a hint.
            const std::size_t element = column_type_size(col.type);
            if (element > 0 && im.model.entries > 0 && info.uncompressed_bytes > 0) {
                const double share = static_cast<double>(rows) / static_cast<double>(im.model.entries);
                const double bytes = std::min({static_cast<double>(info.uncompressed_bytes) * share,
                                               8.0 * static_cast<double>(im.file->size()) + 1e6, 2e9});
                std::visit([&](auto& v) { v.reserve(static_cast<std::size_t>(bytes) / element); },
                           col.values);
            }
        } else {
            std::visit([&](auto& v) { v.reserve(rows * col.width); }, col.values);
        }
        const auto& model = im.model.branches[b];
        if (end > model.entries)
            throw InputError(im.file->path(), 0, im.object(b),
                             "has " + std::to_string(model.entries) + " entries, fewer than the tree's " +
                                 std::to_string(im.model.entries));
        // Baskets in entry order: the first that ends after `begin` found by bisection.
        const auto& refs = im.basket_refs(b);
        for (auto it = std::partition_point(refs.begin(), refs.end(),
                                            [&](const detail::BasketRef& r) { return r.end <= begin; });
             it != refs.end() && it->begin < end; ++it) {
            const detail::BasketRef& ref = *it;
            if (ref.end == ref.begin)
                continue;
            tasks.push_back({k, b, ref, static_cast<std::int32_t>(std::max(begin, ref.begin) - ref.begin),
                             static_cast<std::int32_t>(std::min(end, ref.end) - ref.begin)});
        }
    }
    // One basket: loaded into this thread's scratch, decoded (appended) into `into`.
    const auto decode = [&](const Task& t, Column& into) {
        const std::string& object = im.object(t.branch);
        const auto& model = im.model.branches[t.branch];
        thread_local detail::BasketScratch scratch;
        const detail::LoadedBasket basket = detail::load_basket(*im.file, model, t.ref, object, scratch);
        const detail::BasketPlace place{&im.file->path(), &object, t.ref.index, basket.offset};
        detail::decode_entries(im.layouts[t.branch], basket.view(), t.first, t.last, into, place);
        // A rare huge basket (multi-block records reach hundreds of MiB) is not kept alive in
        // every thread that once read one.
        if (scratch.buffer.size() + scratch.raw.size() > kMaxKeptScratch)
            scratch = detail::BasketScratch{};
    };
    const std::size_t threads = pool_size(pool);
    if (threads == 1 || columns.size() >= kColumnsPerThread * threads) {
        // By column: each column's baskets decoded in order straight into it (reserved above), so
        // no basket is decoded into a part that is then copied; the threads take whole columns,
        // the largest first. Memory: the columns themselves and one scratch per thread.
        std::vector<std::size_t> first_task(columns.size() + 1, tasks.size());
        for (std::size_t k = tasks.size(); k-- > 0;)
            first_task[tasks[k].column] = k;
        for (std::size_t c = columns.size(); c-- > 0;)
            first_task[c] = std::min(first_task[c], first_task[c + 1]);
        // The order in which the threads take columns: the costliest first (so the cheap ones
        // fill the gaps at the end), by each branch's measured cost per entry where every column
        // has one, else by a guess (baskets, four for jagged columns: several values an entry).
        std::vector<std::size_t> order(columns.size());
        std::vector<double> weight(columns.size());
        bool measured = true;
        for (std::size_t c = 0; c < columns.size(); ++c) {
            order[c] = c;
            measured = measured && im.cost_per_entry[branch_of[c]].load(std::memory_order_relaxed) > 0;
        }
        for (std::size_t c = 0; c < columns.size(); ++c)
            weight[c] = measured ? im.cost_per_entry[branch_of[c]].load(std::memory_order_relaxed)
                                 : (columns[c].jagged() ? 4.0 : 1.0) *
                                       static_cast<double>(first_task[c + 1] - first_task[c]);
        std::stable_sort(order.begin(), order.end(),
                         [&](std::size_t a, std::size_t b) { return weight[a] > weight[b]; });
        const double entries = static_cast<double>(std::max<std::int64_t>(end - begin, 1));
        const auto work = [&](std::size_t i) {
            const std::size_t c = order[i];
            const auto t0 = std::chrono::steady_clock::now();
            for (std::size_t k = first_task[c]; k < first_task[c + 1]; ++k)
                decode(tasks[k], columns[c]);
            const std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - t0;
            im.cost_per_entry[branch_of[c]].store(static_cast<float>(std::max(took.count(), 1.0) / entries),
                                                  std::memory_order_relaxed);
        };
        if (threads == 1)
            for (std::size_t i = 0; i < columns.size(); ++i)
                work(i);
        else
            parallel_for(pool, columns.size(), work);
        return;
    }
    // Few columns for the threads: baskets are spread over them in windows (a few per thread, so
    // memory stays bounded), each decoded into a part, the parts appended in order.
    const std::size_t window = std::max<std::size_t>(kBasketsPerThread * threads, 1);
    std::vector<Column> parts(std::min(window, tasks.size()));
    for (std::size_t w = 0; w < tasks.size(); w += window) {
        const std::size_t n = std::min(window, tasks.size() - w);
        parallel_for(pool, n, [&](std::size_t k) {
            const Task& t = tasks[w + k];
            parts[k] = detail::make_column(columns[t.column].name, im.layouts[t.branch]);
            decode(t, parts[k]);
        });
        for (std::size_t k = 0; k < n; ++k) {
            append_column(columns[tasks[w + k].column], std::move(parts[k]));
            parts[k] = Column{};
        }
    }
}

} // namespace hepkit::io
