// The plan analysis of Runner::prepare (Runner.hpp, Plan.hpp): which steps each shift runs again
// in each sequence, the flat slots of a batch's work, the branches to read, and the batches.
#include "RunnerImpl.hpp"

#include <algorithm>

namespace hepkit::events {

namespace {

using detail::Node;
using detail::NodeKind;
using detail::Sequence;

// Batches made of clusters are split above this many entries: a file written as one huge cluster
// must still spread over the threads and bound the memory of a batch.
constexpr std::int64_t kMaxClusterBatch = std::int64_t{1} << 20;
// Batches of a source in memory when Inputs::batch_entries is 0.
constexpr std::int64_t kMemoryBatch = std::int64_t{1} << 14;

} // namespace

void Runner::Impl::analyse() {
    // The re-run rule (Plan.hpp): under a shift, a step runs again when it reads a product the
    // shift changed — replaced, or made by a step that ran again — or follows a filter that ran
    // again (its rows may differ: rows are an implicit input of every later step). Everything
    // else is shared with the nominal by pointer.
    auto walk = [&](Sequence& seq, std::size_t v, std::size_t shift, std::vector<std::uint8_t> dirty,
                    bool rows_dirty) {
        auto& rerun = seq.rerun[v];
        rerun.assign(seq.nodes.size(), 0);
        for (std::size_t i = 0; i < seq.nodes.size(); ++i) {
            const Node& node = seq.nodes[i];
            bool runs;
            if (node.kind == NodeKind::replacement)
                runs = v > 0 && node.shift == shift;
            else if (v == 0)
                runs = true;
            else
                runs = rows_dirty || std::any_of(node.reads.begin(), node.reads.end(),
                                                 [&](ProductId id) { return dirty[id] != 0; });
            rerun[i] = runs;
            if (!runs || v == 0)
                continue;
            if (node.kind == NodeKind::replacement)
                dirty[node.replaced] = 1;
            for (const ProductId id : node.makes)
                dirty[id] = 1;
            if (node.kind == NodeKind::filter)
                rows_dirty = true;
        }
        seq.touched[v] = std::any_of(rerun.begin(), rerun.end(), [](std::uint8_t r) { return r != 0; });
        return std::make_pair(std::move(dirty), rows_dirty);
    };

    // The global part runs under every shift some pipeline runs under, in the order of Plan::shifts.
    Sequence& global = sequences[0];
    std::vector<std::uint8_t> used(plan.shifts.size(), 0);
    for (std::size_t p = 1; p < sequences.size(); ++p)
        for (const std::size_t s : sequences[p].shifts)
            used[s] = 1;
    global.shifts.clear();
    for (std::size_t s = 0; s < plan.shifts.size(); ++s)
        if (used[s])
            global.shifts.push_back(s);
    const std::size_t nv = global.shifts.size() + 1;
    global.rerun.resize(nv);
    global.touched.assign(nv, 0);
    global.dirty_after.resize(nv);
    global.rows_dirty_after.assign(nv, 0);
    for (std::size_t v = 0; v < nv; ++v) {
        auto [dirty, rows] =
            walk(global, v, v ? global.shifts[v - 1] : 0, std::vector<std::uint8_t>(schema.size(), 0), false);
        global.dirty_after[v] = std::move(dirty);
        global.rows_dirty_after[v] = rows;
    }
    for (std::size_t p = 1; p < sequences.size(); ++p) {
        Sequence& seq = sequences[p];
        const std::size_t pv = seq.shifts.size() + 1;
        seq.rerun.resize(pv);
        seq.touched.assign(pv, 0);
        seq.global_variant.assign(pv, 0);
        for (std::size_t v = 0; v < pv; ++v) {
            std::size_t gv = 0;
            if (v > 0) {
                const std::size_t s = seq.shifts[v - 1];
                gv = static_cast<std::size_t>(std::find(global.shifts.begin(), global.shifts.end(), s) -
                                              global.shifts.begin()) +
                     1;
            }
            // A shift that does not reach the global part continues from the nominal's batch.
            seq.global_variant[v] = global.touched[gv] ? gv : 0;
            walk(seq, v, v ? seq.shifts[v - 1] : 0, global.dirty_after[gv], global.rows_dirty_after[gv] != 0);
        }
    }

    // The steps a shift runs again keep values of the nominal's run for it (Batch::memo).
    memo_steps.clear();
    for (const auto& seq : sequences)
        for (std::size_t i = 0; i < seq.nodes.size(); ++i) {
            bool again = false;
            for (std::size_t v = 1; v < seq.rerun.size(); ++v)
                again = again || seq.rerun[v][i] != 0;
            if (again && seq.nodes[i].kind != NodeKind::replacement &&
                std::find(memo_steps.begin(), memo_steps.end(), seq.nodes[i].step) == memo_steps.end())
                memo_steps.push_back(seq.nodes[i].step);
        }

    // Flat slots of a batch's work.
    time_slots = result_slots = cut_slots = 0;
    for (auto& seq : sequences) {
        seq.time_base.clear();
        for (std::size_t v = 0; v < seq.rerun.size(); ++v) {
            seq.time_base.push_back(time_slots);
            time_slots += seq.nodes.size();
        }
        if (&seq == &sequences[0])
            continue;
        seq.result_base = result_slots;
        result_slots += seq.rerun.size() * seq.consumers;
        seq.cut_rows = 1 + sequences[0].filters + seq.filters;
        seq.cut_base = cut_slots;
        cut_slots += seq.rerun.size() * seq.cut_rows;
    }

    // Only branches that some step (or a weight) reads are read.
    std::vector<std::uint8_t> needed(input_products, 0);
    for (const auto& seq : sequences) {
        for (const auto& node : seq.nodes)
            for (const ProductId id : node.reads)
                if (id < input_products)
                    needed[id] = 1;
        if (seq.weight && *seq.weight < input_products)
            needed[*seq.weight] = 1;
    }
    reads.clear();
    for (ProductId id = 0; id < input_products; ++id)
        if (needed[id])
            reads.push_back({id, branch_of[id], width_of[id], width_of[id] > 1});
}

void Runner::Impl::plan_batches() {
    batches.clear();
    total_events = 0;
    const auto& in = plan.inputs;
    std::int64_t all = 0;
    std::vector<std::pair<std::int64_t, std::vector<io::EntryRange>>> files; // first global entry, clusters
    if (memory) {
        const std::int64_t n = memory->empty() ? 0 : static_cast<std::int64_t>(memory->front().entries());
        const std::int64_t step = in.batch_entries > 0 ? in.batch_entries : kMemoryBatch;
        std::vector<io::EntryRange> ranges;
        for (std::int64_t b = 0; b < n; b += step)
            ranges.push_back({b, std::min(n, b + step)});
        files.emplace_back(0, std::move(ranges));
        all = n;
    } else {
        for (std::size_t f = 0; f < input->files(); ++f)
            files.emplace_back(input->first_entry(f), input->clusters(f));
        all = input->entries();
    }
    const std::int64_t lo = std::min(in.first_entry, all);
    const std::int64_t hi = in.max_entries < 0 ? all : std::min(all, lo + in.max_entries);
    for (std::size_t f = 0; f < files.size(); ++f) {
        const std::int64_t base = files[f].first;
        // Clusters clipped to [lo, hi), then grouped: consecutive clusters join while the batch stays
        // within batch_entries, a cluster above it is cut into equal parts. Depends on the files
        // and the plan only, never on the threads.
        const std::int64_t target = in.batch_entries > 0 ? in.batch_entries : kMaxClusterBatch;
        std::int64_t open_begin = -1, open_end = -1;
        auto flush = [&] {
            if (open_begin >= 0)
                batches.push_back({f, open_begin, open_end, base + open_begin});
            open_begin = open_end = -1;
        };
        for (const auto& c : files[f].second) {
            const std::int64_t b = std::max(c.begin, lo - base), e = std::min(c.end, hi - base);
            if (b >= e)
                continue;
            const std::int64_t n = e - b;
            if (n > target) {
                flush();
                const std::int64_t parts = (n + target - 1) / target;
                for (std::int64_t k = 0; k < parts; ++k)
                    batches.push_back(
                        {f, b + n * k / parts, b + n * (k + 1) / parts, base + b + n * k / parts});
                continue;
            }
            // batch_entries 0: each cluster is a batch
            if (open_begin >= 0 && (in.batch_entries == 0 || open_end - open_begin + n > target))
                flush();
            if (open_begin < 0)
                open_begin = b;
            open_end = e;
        }
        flush();
    }
    for (const auto& b : batches)
        total_events += b.end - b.begin;
}

} // namespace hepkit::events
