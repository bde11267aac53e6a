// Runner::run (Runner.hpp): batches read and processed on a thread pool, each batch through the
// global part and every pipeline under the nominal and its shifts (sharing what the plan analysis
// says is unchanged), results merged in batch order so that outputs do not depend on the threads.
#include "RunnerImpl.hpp"
#include "RunnerRows.hpp"

#include "hepkit/core/ThreadPool.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <variant>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace hepkit::events {

namespace {

using detail::BatchSpec;
using detail::BatchWork;
using detail::CutCount;
using detail::Node;
using detail::NodeKind;
using detail::SeqRun;
using detail::Sequence;
using Clock = std::chrono::steady_clock;

// Steps and reading are timed with the monotonic clock (vDSO, ~25 ns a call): the thread's CPU
// clock (CLOCK_THREAD_CPUTIME_ID) is a system call, 0.6 µs on the build VMs, and two per step
// and batch cost ~2 ns per event on the Z→μμ benchmark (~8 % of its run). A worker runs one batch
// at a time, so a step's wall time is its CPU time but for the moments the OS preempts it; the
// report sums them over threads, as ARTUS reports its processors' times.
double thread_seconds() {
    return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
}

// Every batch allocates its columns anew (inputs, products, row masks: 64–300 KiB each) and frees
// them at its end. glibc's malloc hands blocks of ≥ 128 KiB out as fresh mmaps and returns free
// memory above 128 KiB at the top of a heap to the kernel (dynamic thresholds, which these sizes
// keep moving), so each batch faulted its pages in again, zeroed by the kernel: ~220 page faults
// per batch of 16 384 events, ~25 % of the in-memory Z→μμ run's CPU time (perf stat: 116 000
// faults a run against 49 000, of which the input's reading most, with fixed thresholds). A run
// therefore fixes the thresholds once per process: blocks up to 32 MiB come from the heap, and
// freed memory at a heap's top is kept up to 256 MiB (a thread's heap is at most 64 MiB: it keeps
// what it has) — what HEP frameworks get by preloading jemalloc or tcmalloc. A threshold the user
// set (GLIBC_TUNABLES' glibc.malloc.mmap_threshold / trim_threshold, or the older
// MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_) is left alone; HEPKIT_KEEP_HEAP=0 switches this
// off. (A host program's own mallopt() calls made before the first run are overridden.)
void keep_freed_memory() {
#if defined(__GLIBC__)
    static std::once_flag once;
    std::call_once(once, [] {
        const char* keep = std::getenv("HEPKIT_KEEP_HEAP");
        if (keep && std::strcmp(keep, "0") == 0)
            return;
        const char* tunables = std::getenv("GLIBC_TUNABLES");
        auto user_set = [&](const char* tunable, const char* old_variable) {
            return (tunables && std::strstr(tunables, tunable)) || std::getenv(old_variable) != nullptr;
        };
        if (!user_set("glibc.malloc.mmap_threshold", "MALLOC_MMAP_THRESHOLD_"))
            mallopt(M_MMAP_THRESHOLD, 32 << 20);
        if (!user_set("glibc.malloc.trim_threshold", "MALLOC_TRIM_THRESHOLD_"))
            mallopt(M_TRIM_THRESHOLD, 256 << 20);
    });
#endif
}

// Copies values [b, e) of `src` into `dst`, keeping the variant's index (Bool and UInt8 are both
// vectors of uint8_t, so the alternative is chosen by index, not by type).
template <std::size_t I = 0>
void copy_values(const io::ColumnValues& src, io::ColumnValues& dst, std::size_t b, std::size_t e) {
    if constexpr (I < std::variant_size_v<io::ColumnValues>) {
        if (src.index() == I) {
            const auto& v = std::get<I>(src);
            dst.emplace<I>(v.begin() + static_cast<std::ptrdiff_t>(b),
                           v.begin() + static_cast<std::ptrdiff_t>(e));
            return;
        }
        copy_values<I + 1>(src, dst, b, e);
    }
}

// Entries [begin, end) of a column in memory (flat, fixed or jagged).
io::Column slice(const io::Column& c, std::int64_t begin, std::int64_t end) {
    io::Column out;
    out.name = c.name;
    out.type = c.type;
    out.width = c.width;
    std::size_t vb = static_cast<std::size_t>(begin) * c.width, ve = static_cast<std::size_t>(end) * c.width;
    if (c.jagged()) {
        vb = static_cast<std::size_t>(c.offsets[static_cast<std::size_t>(begin)]);
        ve = static_cast<std::size_t>(c.offsets[static_cast<std::size_t>(end)]);
        // One pass: copied, rebased to start at 0 and checked (offsets_valid's rule, for this
        // slice only) before any value is copied. The check was a pass over every input column
        // in prepare(): serial, and ~3.5 ns per event of a run in memory (a seventh of it, and
        // why two threads scaled 1.65, not 1.85); here it costs nothing beside the copy.
        const std::int64_t base = c.offsets[static_cast<std::size_t>(begin)];
        std::vector<std::int64_t>& offsets = out.offsets.mut();
        offsets.resize(static_cast<std::size_t>(end - begin) + 1);
        const std::int64_t* in = c.offsets.data() + begin;
        std::uint64_t bits = static_cast<std::uint64_t>(base), steps = 0;
        offsets[0] = 0;
        for (std::size_t i = 1; i < offsets.size(); ++i) {
            const auto o = static_cast<std::uint64_t>(in[i]);
            bits |= o;
            steps |= o - static_cast<std::uint64_t>(in[i - 1]);
            // in unsigned arithmetic: a bad offset (INT64_MIN) must reach the check, not overflow
            offsets[i] = static_cast<std::int64_t>(o - static_cast<std::uint64_t>(base));
        }
        if ((bits >> 62) != 0 || (steps >> 63) != 0 || static_cast<std::uint64_t>(in[end - begin]) > c.size())
            throw std::invalid_argument("Runner: input column '" + c.name + "': its offsets of entries " +
                                        std::to_string(begin) + " to " + std::to_string(end) +
                                        " are negative, decrease or end beyond its " +
                                        std::to_string(c.size()) + " values");
    }
    copy_values(c.values, out.values, vb, ve);
    return out;
}

// Σw and Σw² of a flat column over rows (all rows when `rows` is null). Eight partial sums, element
// k in sum k mod 8, added up in a fixed order at the end: one sum in row order is a chain of
// dependent additions (~1 ns per event of a batch's 16 384 weights, the nominal's first cut-flow
// row), eight run in parallel; the result is the same whatever the threads (a batch is summed
// alone, batches merge in order), and no less accurate.
CutCount count(const io::Column* weight, const std::vector<std::uint32_t>* rows, std::size_t events) {
    CutCount c;
    c.events = static_cast<std::int64_t>(rows ? rows->size() : events);
    if (!weight) {
        c.sumw = c.sumw2 = static_cast<double>(c.events);
        return c;
    }
    std::visit(
        [&](const auto& v) {
            using T = typename std::decay_t<decltype(v)>::value_type;
            if constexpr (std::is_arithmetic_v<T>) {
                constexpr std::size_t kLanes = 8;
                double s[kLanes] = {}, s2[kLanes] = {};
                const std::size_t n = rows ? rows->size() : events;
                const std::uint32_t* r = rows ? rows->data() : nullptr;
                auto at = [&](std::size_t k) { return static_cast<double>(v[r ? r[k] : k]); };
                std::size_t k = 0;
                for (; k + kLanes <= n; k += kLanes)
                    for (std::size_t l = 0; l < kLanes; ++l) {
                        const double w = at(k + l);
                        s[l] += w;
                        s2[l] += w * w;
                    }
                for (std::size_t l = 0; k < n; ++k, ++l) {
                    const double w = at(k);
                    s[l] += w;
                    s2[l] += w * w;
                }
                // pairwise, in a fixed order
                for (std::size_t width = kLanes / 2; width > 0; width /= 2)
                    for (std::size_t l = 0; l < width; ++l) {
                        s[l] += s[l + width];
                        s2[l] += s2[l + width];
                    }
                c.sumw = s[0];
                c.sumw2 = s2[0];
            }
        },
        weight->values);
    return c;
}

} // namespace

std::vector<io::Column> Runner::Impl::read(const BatchSpec& spec) const {
    std::vector<io::Column> cols;
    if (memory) {
        for (const auto& r : reads) {
            const auto it = std::find_if(memory->begin(), memory->end(),
                                         [&](const io::Column& c) { return c.name == r.branch; });
            cols.push_back(slice(*it, spec.begin, spec.end));
        }
    } else {
        std::vector<std::string> names;
        for (const auto& r : reads)
            names.push_back(r.branch);
        // Serial within the batch: the threads work on different batches.
        cols = input->read(spec.file, names, spec.begin, spec.end);
    }
    for (std::size_t k = 0; k < reads.size(); ++k)
        if (reads[k].fixed)
            to_product_shape(cols[k]);
    return cols;
}

void Runner::Impl::process(const BatchSpec& spec, BatchWork& work) const {
    const std::size_t events = static_cast<std::size_t>(spec.end - spec.begin);
    work.results.resize(result_slots);
    work.cuts.assign(cut_slots, {});
    work.seconds.assign(time_slots, 0.0);
    work.calls.assign(time_slots, 0);
    work.events = static_cast<std::int64_t>(events);

    const double t_read = thread_seconds();
    Batch input(schema, spec.first_global, events);
    {
        auto cols = read(spec);
        for (std::size_t k = 0; k < reads.size(); ++k)
            input.put(reads[k].id, std::move(cols[k]));
        // Checked here, once: every variant's batch starts as a copy of `input` and inherits what
        // was found (checked in the nominal's copy, each shift checked them again). A slice of a
        // column in memory was checked as it was cut (slice).
        for (const auto& r : reads) {
            if (memory)
                input.offsets_known_valid(r.id);
            else
                input.check_offsets(r.id);
        }
    }
    work.read_seconds = thread_seconds() - t_read;
    // Steps keep values for the shifts' runs of this batch (Batch::memo) when a shift runs again.
    if (!memo_steps.empty())
        input.keep_memos(memo_steps);

    // Runs `seq` in variant v on run.batch; `nominal` is the same sequence's nominal run (null for
    // the nominal itself), whose products and rows are shared where the step does not run again.
    auto run_sequence = [&](const Sequence& seq, std::size_t v, SeqRun& run, const SeqRun* nominal) {
        run.own_rows.resize(seq.filters);
        run.rows_after.assign(seq.filters, nullptr);
        const auto& rerun = seq.rerun[v];
        const std::size_t tbase = seq.time_base[v];
        for (std::size_t i = 0; i < seq.nodes.size(); ++i) {
            const Node& node = seq.nodes[i];
            if (!rerun[i]) {
                if (!nominal)
                    continue;
                if (node.kind == NodeKind::producer)
                    for (const ProductId id : node.makes)
                        run.batch.share_from(nominal->batch, id, id);
                else if (node.kind == NodeKind::filter) {
                    run.batch.set_rows(*nominal->rows_after[node.index]);
                    run.rows_after[node.index] = nominal->rows_after[node.index];
                }
                continue;
            }
            const double t0 = thread_seconds();
            // Row-level sharing (RunnerRows.hpp): under a shift, a step that runs again computes
            // only the rows where what it reads differs from the nominal's.
            const SeqRun* by_rows = plan.row_sharing ? nominal : nullptr;
            switch (node.kind) {
            case NodeKind::producer:
                if (by_rows)
                    detail::produce_rows(node, run, *by_rows);
                else
                    node.producer->produce(run.batch);
                break;
            case NodeKind::replacement:
                node.producer->produce(run.batch);
                // From here on, the shift's steps read the replacement under the product's name.
                run.batch.share_from(run.batch, node.makes.front(), node.replaced);
                if (by_rows)
                    detail::mark_replacement(node, run, *by_rows);
                break;
            case NodeKind::filter: {
                if (by_rows) {
                    detail::select_rows(node, run, *by_rows);
                    break;
                }
                std::vector<std::uint8_t> pass(run.batch.rows().size(), 0);
                node.filter->select(run.batch, pass);
                run.batch.narrow(pass);
                auto& own = run.own_rows[node.index];
                own.assign(run.batch.rows().begin(), run.batch.rows().end());
                run.rows_after[node.index] = &own;
                break;
            }
            case NodeKind::consumer:
                work.results[seq.result_base + v * seq.consumers + node.index] =
                    node.consumer->consume(run.batch);
                break;
            }
            work.seconds[tbase + i] += thread_seconds() - t0;
            ++work.calls[tbase + i];
        }
    };

    // The global part: the nominal, then each shift that reaches it, each from the input's batch —
    // a copy, but for the last, which takes it (a batch's list of rows is 64 KiB at 16 384 events:
    // ~0.2 ns per event of a shift's run).
    const Sequence& global = sequences[0];
    std::size_t last = 0;
    for (std::size_t v = 1; v < global.rerun.size(); ++v)
        if (global.touched[v])
            last = v;
    auto start = [&](std::size_t v) {
        return std::make_unique<SeqRun>(SeqRun{v == last ? std::move(input) : input, {}, {}, {}, {}, {}, {}});
    };
    std::vector<std::unique_ptr<SeqRun>> gruns(global.rerun.size());
    gruns[0] = start(0);
    run_sequence(global, 0, *gruns[0], nullptr);
    for (std::size_t v = 1; v < global.rerun.size(); ++v)
        if (global.touched[v]) {
            gruns[v] = start(v);
            run_sequence(global, v, *gruns[v], gruns[0].get());
        }

    // The last use of each global variant's run by a pipeline's variant: that one takes the run's
    // batch and masks instead of copying them (a mask is a byte per event of the batch: copying a
    // shift's masks and batch cost ~0.3 ns per event of the Z→μμ benchmark's muon scale). The
    // filters' rows stay with the global run: the cut flows below point into them.
    std::vector<std::pair<std::size_t, std::size_t>> last_use(gruns.size(), {0, 0});
    for (std::size_t p = 1; p < sequences.size(); ++p)
        for (std::size_t v = 0; v < sequences[p].rerun.size(); ++v)
            last_use[sequences[p].global_variant[v]] = {p, v};
    for (std::size_t p = 1; p < sequences.size(); ++p) {
        const Sequence& seq = sequences[p];
        std::vector<std::unique_ptr<SeqRun>> pruns(seq.rerun.size());
        for (std::size_t v = 0; v < seq.rerun.size(); ++v) {
            SeqRun& from = *gruns[seq.global_variant[v]];
            // A shifted variant continues from where its global variant differs from the nominal.
            const bool take = last_use[seq.global_variant[v]] == std::pair<std::size_t, std::size_t>{p, v};
            auto pass = [take](auto& x) { return take ? std::move(x) : x; }; // moved or copied
            pruns[v] = std::make_unique<SeqRun>(SeqRun{pass(from.batch), {}, {}, {}, {}, {}, {}});
            if (v) {
                pruns[v]->diff = pass(from.diff);
                pruns[v]->computed = pass(from.computed);
                pruns[v]->dense = pass(from.dense);
                pruns[v]->stale = pass(from.stale);
            }
            run_sequence(seq, v, *pruns[v], v ? pruns[0].get() : nullptr);

            // Cut flow: all events, then after each filter of the global part and of the pipeline,
            // weighted with this variant's weight (a weight shift changes the sums, not the rows).
            // A shift that changes neither the weight column nor a filter's rows (both shared
            // with the nominal: the same objects) has the nominal's sums there — taken, not added
            // again (a whole batch's weights cost ~1 ns per event).
            const io::Column* w = seq.weight ? &pruns[v]->batch.get(*seq.weight) : nullptr;
            const io::Column* w0 = seq.weight ? &pruns[0]->batch.get(*seq.weight) : nullptr;
            const SeqRun& from0 = *gruns[seq.global_variant[0]];
            CutCount* out = &work.cuts[seq.cut_base + v * seq.cut_rows];
            const CutCount* nominal_out = &work.cuts[seq.cut_base];
            std::size_t k = 0; // the cut-flow row
            auto add = [&](const std::vector<std::uint32_t>* rows, const std::vector<std::uint32_t>* rows0) {
                out[k] = v && w == w0 && rows == rows0 ? nominal_out[k] : count(w, rows, events);
                ++k;
            };
            add(nullptr, nullptr);
            for (std::size_t f = 0; f < global.filters; ++f)
                add(from.rows_after[f], from0.rows_after[f]);
            for (std::size_t f = 0; f < seq.filters; ++f)
                add(pruns[v]->rows_after[f], pruns[0]->rows_after[f]);
        }
    }
}

void Runner::Impl::merge(BatchWork&& work) {
    for (std::size_t k = 0; k < result_slots; ++k) {
        if (!work.results[k])
            continue;
        if (!results[k])
            results[k] = std::move(work.results[k]);
        else
            results[k]->merge(std::move(*work.results[k]));
    }
    for (std::size_t k = 0; k < cut_slots; ++k) {
        cuts[k].events += work.cuts[k].events;
        cuts[k].sumw += work.cuts[k].sumw;
        cuts[k].sumw2 += work.cuts[k].sumw2;
    }
    for (std::size_t k = 0; k < time_slots; ++k) {
        step_seconds[k] += work.seconds[k];
        step_calls[k] += work.calls[k];
    }
    report.read_seconds += work.read_seconds;
    report.events += work.events;
    ++report.batches;
}

void Runner::Impl::finish(double wall_seconds) {
    report.wall_seconds = wall_seconds;
    // Consumers that saw no batch still write their (empty) outputs.
    for (std::size_t p = 1; p < sequences.size(); ++p) {
        const Sequence& seq = sequences[p];
        for (std::size_t v = 0; v < seq.rerun.size(); ++v)
            for (const Node& node : seq.nodes)
                if (node.kind == NodeKind::consumer && seq.rerun[v][&node - seq.nodes.data()]) {
                    auto& r = results[seq.result_base + v * seq.consumers + node.index];
                    if (!r)
                        r = node.consumer->empty();
                }
    }
    report.steps.clear();
    for (const Sequence& seq : sequences)
        for (std::size_t v = 0; v < seq.rerun.size(); ++v)
            for (std::size_t i = 0; i < seq.nodes.size(); ++i) {
                if (!seq.rerun[v][i])
                    continue;
                const std::size_t k = seq.time_base[v] + i;
                std::string label = seq.name.empty() ? "" : seq.name + ": ";
                label.append(seq.nodes[i].label);
                report.steps.push_back(
                    {std::move(label), shift_name(seq, v), step_seconds[k], step_calls[k]});
            }
    report.cutflows.clear();
    const Sequence& global = sequences[0];
    for (std::size_t p = 1; p < sequences.size(); ++p) {
        const Sequence& seq = sequences[p];
        for (std::size_t v = 0; v < seq.rerun.size(); ++v) {
            CutFlow flow;
            flow.pipeline = seq.name;
            flow.shift = shift_name(seq, v);
            const CutCount* c = &cuts[seq.cut_base + v * seq.cut_rows];
            flow.rows.push_back({"all", c->events, c->sumw, c->sumw2});
            ++c;
            for (const auto* s : {&global, &seq})
                for (const Node& node : s->nodes)
                    if (node.kind == NodeKind::filter) {
                        flow.rows.push_back({node.step->name(), c->events, c->sumw, c->sumw2});
                        ++c;
                    }
            report.cutflows.push_back(std::move(flow));
        }
    }
}

RunReport Runner::run(ThreadPool* pool, const ProgressFn& progress) {
    if (!impl_->prepared)
        prepare();
    Impl& m = *impl_;
    keep_freed_memory();
    m.results.clear();
    m.results.resize(m.result_slots);
    m.cuts.assign(m.cut_slots, {});
    m.step_seconds.assign(m.time_slots, 0.0);
    m.step_calls.assign(m.time_slots, 0);
    m.report = RunReport{};
    m.ran = false;
    const auto t0 = Clock::now();

    // Workers take batches in order; a finished batch waits in `pending` until every earlier one is
    // merged, then is merged by the thread that completes the prefix. At most `window` batches are
    // taken beyond the merged prefix: memory stays bounded whatever the files' size.
    const std::size_t n = m.batches.size();
    const std::size_t threads = std::max<std::size_t>(1, std::min(pool_size(pool), n));
    const std::size_t window = 4 * threads;
    std::vector<std::unique_ptr<BatchWork>> pending(n);
    std::mutex mutex;
    std::condition_variable cv;
    std::size_t next = 0, merged = 0;
    std::int64_t done = 0;
    bool failed = false;
    std::exception_ptr error;
    std::mutex progress_mutex;

    auto worker = [&](std::size_t) {
        for (;;) {
            std::size_t i;
            {
                std::unique_lock lock(mutex);
                cv.wait(lock, [&] { return failed || next >= n || next < merged + window; });
                if (failed || next >= n)
                    return;
                i = next++;
            }
            auto work = std::make_unique<BatchWork>();
            try {
                m.process(m.batches[i], *work);
            } catch (...) {
                std::lock_guard lock(mutex);
                if (!failed) {
                    failed = true;
                    error = std::current_exception();
                }
                cv.notify_all();
                return;
            }
            std::int64_t done_now;
            {
                std::lock_guard lock(mutex);
                pending[i] = std::move(work);
                try {
                    while (merged < n && pending[merged]) {
                        done += pending[merged]->events;
                        m.merge(std::move(*pending[merged]));
                        pending[merged].reset();
                        ++merged;
                    }
                } catch (...) {
                    failed = true;
                    error = std::current_exception();
                }
                done_now = done;
            }
            cv.notify_all();
            if (progress) {
                std::lock_guard lock(progress_mutex);
                progress(done_now, m.total_events);
            }
        }
    };
    parallel_for(threads > 1 ? pool : nullptr, threads, worker);
    if (error)
        std::rethrow_exception(error);
    m.finish(std::chrono::duration<double>(Clock::now() - t0).count());
    m.ran = true;
    return m.report;
}

const RunReport& Runner::report() const {
    if (!impl_->ran)
        throw std::logic_error("Runner::report: run() first");
    return impl_->report;
}

const Result& Runner::result(const std::string& pipeline, const std::string& consumer,
                             const std::string& shift) const {
    const Impl& m = *impl_;
    if (!m.ran)
        throw std::logic_error("Runner::result: run() first");
    for (std::size_t p = 1; p < m.sequences.size(); ++p) {
        const Sequence& seq = m.sequences[p];
        if (seq.name != pipeline)
            continue;
        std::size_t v = 0;
        if (!shift.empty()) {
            for (std::size_t k = 0; k < seq.shifts.size(); ++k)
                if (m.shift_name(seq.shifts[k]) == shift)
                    v = k + 1;
            if (v == 0)
                throw std::invalid_argument("Runner::result: pipeline '" + pipeline + "' has no shift '" +
                                            shift + "'");
        }
        for (std::size_t i = 0; i < seq.nodes.size(); ++i) {
            const Node& node = seq.nodes[i];
            if (node.kind != NodeKind::consumer || node.step->name() != consumer)
                continue;
            // A consumer that the shift does not reach shares the nominal's result.
            const std::size_t use = seq.rerun[v][i] ? v : 0;
            return *m.results[seq.result_base + use * seq.consumers + node.index];
        }
        throw std::invalid_argument("Runner::result: pipeline '" + pipeline + "' has no consumer '" +
                                    consumer + "'");
    }
    throw std::invalid_argument("Runner::result: no pipeline '" + pipeline + "'");
}

} // namespace hepkit::events
