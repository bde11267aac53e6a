// hepkit::events on the Z→μμ selection of issue 15 (docs/events.md, "How a run works"; the
// issue's performance criteria), all ratios measured in the same run:
//
//  (a) events/s per core of the global part (good muons pT > 20 GeV and |η| < 2.4, exactly two of
//      opposite charge, their invariant mass, 60–120 GeV window) over columns already in memory
//      (a NanoAOD-like file written with hepkit's make_nano_file, read once before timing);
//  (b) the cost of one extra shift changing one product, as a ratio to the nominal run: a muon
//      momentum scale (Muon_pt × 1.01: reaches every muon step) and a weight shift (genWeight × 1.1:
//      reaches only the histogram);
//  (c) 1 → 2 threads, beside this machine's own scaling of memory copies (beyond and within the
//      caches), the ceiling of a run over columns in memory;
//  (d) baselines: a naive per-event loop written here (a struct per event, a virtual call per
//      step, a copy of the event per shift as ARTUS's pipelines do) and ARTUS's 1470 events/s
//      (arXiv:1511.00852, single-threaded, I/O included);
//  (e) for reference, the same run reading and decompressing the file (1 and 2 threads).
//
//   build/benchmarks/bench_events_pipeline [--events N] [--repeat R] [--cache DIR] [--batch N]
//
// The steps are expression producers and filters (hepkit::expr); the invariant mass is the mass
// of the sum of the two good muons' four-vectors. Times are wall times, the minimum of R runs;
// batches of --batch events (default 16384).

#include "BenchOptions.hpp"
#include "hepkit/core/ThreadPool.hpp"
#include "hepkit/events/Expressions.hpp"
#include "hepkit/events/Library.hpp"
#include "hepkit/events/Runner.hpp"
#include "hepkit/io/RootFile.hpp"
#include "hepkit/io/Tree.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <latch>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <unistd.h>
#include <vector>

namespace io = hepkit::io;
namespace ev = hepkit::events;
namespace fs = std::filesystem;

namespace {

constexpr double kArtusEventsPerSecond = 1470; // arXiv:1511.00852, single-threaded
constexpr int kBins = 60;
constexpr double kLo = 60, kHi = 120;

double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
// CPU time of the process: the 1-thread comparisons use it, so that other programs sharing the
// cores (a busy build machine) do not count; scaling uses wall time.
double cpu() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// This machine's scaling of memory traffic, 1 → 2 threads: each thread copies its own buffer of
// `bytes` again and again (4 GB in all per thread); the ratio of the total bytes/s. A run over
// columns in memory streams its input from memory, so its scaling cannot beat this one's for the
// buffers beyond the caches (on shared virtual machines, memory bandwidth often does not grow
// with a second core); a buffer within the core's own cache scales with the cores.
volatile char copy_sink = 0;

double copy_scaling(std::size_t bytes) {
    // Buffers allocated and touched before the clock starts (page faults are not the subject); the
    // copies' last bytes go into a sink the compiler cannot drop.
    auto timed = [bytes](int threads) {
        double best = 1e300;
        for (int k = 0; k < 3; ++k) {
            std::latch ready(threads + 1), go(1);
            std::vector<double> ends(static_cast<std::size_t>(threads));
            std::vector<std::thread> ts;
            for (int i = 0; i < threads; ++i)
                ts.emplace_back([&, i] {
                    std::vector<char> a(bytes, 1), b(bytes, 0);
                    const std::size_t reps = std::max<std::size_t>(1, std::size_t(4e9) / bytes);
                    ready.count_down();
                    go.wait();
                    for (std::size_t r = 0; r < reps; ++r) {
                        std::memcpy(b.data(), a.data(), bytes);
                        a[r % bytes] = static_cast<char>(b[(r * 7) % bytes] + 1); // each copy feeds the next
                    }
                    copy_sink = b[bytes - 1];
                    ends[static_cast<std::size_t>(i)] = now();
                });
            ready.arrive_and_wait();
            const double t0 = now();
            go.count_down();
            for (auto& t : ts)
                t.join();
            best = std::min(best, *std::max_element(ends.begin(), ends.end()) - t0);
        }
        return best;
    };
    const double one = timed(1), two = timed(2);
    return 2 * one / two;
}

// ---- hepkit side: a weighted mass histogram as the pipeline's consumer

struct HistResult : ev::Result {
    std::vector<double> sumw = std::vector<double>(kBins + 2, 0.0);
    std::int64_t entries = 0;
    void merge(ev::Result&& later) override {
        auto& o = dynamic_cast<HistResult&>(later);
        for (std::size_t k = 0; k < sumw.size(); ++k)
            sumw[k] += o.sumw[k];
        entries += o.entries;
    }
    void write(const fs::path&) const override {}
};

int bin_of(double x) {
    if (!(x >= kLo))
        return 0;
    if (x >= kHi)
        return kBins + 1;
    return 1 + static_cast<int>((x - kLo) / (kHi - kLo) * kBins);
}

class MassHist : public ev::Consumer {
  public:
    MassHist() : Consumer(ev::StepPlace{"consumer", "mass_hist", "", 0}) {}
    std::vector<std::string> inputs() const override { return {"dimuon_mass", "genWeight"}; }
    void declare(const ev::Schema& schema) override {
        mass_ = schema.require("dimuon_mass", place().label());
        weight_ = schema.require("genWeight", place().label());
    }
    std::unique_ptr<ev::Result> consume(const ev::Batch& batch) const override {
        auto r = std::make_unique<HistResult>();
        // values at the selected rows: a mass stored for the rows it was computed on (a compact
        // product) is read there, without a column of the batch's length
        thread_local std::vector<double> masses;
        thread_local std::vector<float> weights;
        const auto m = batch.at_rows(mass_, masses);
        const auto w = batch.at_rows(weight_, weights);
        for (std::size_t k = 0; k < m.size(); ++k) {
            r->sumw[static_cast<std::size_t>(bin_of(m[k]))] += w[k];
            ++r->entries;
        }
        return r;
    }
    std::unique_ptr<ev::Result> empty() const override { return std::make_unique<HistResult>(); }

  private:
    ev::ProductId mass_ = 0, weight_ = 0;
};

ev::StepPlace at(const char* kind, const char* name) {
    return {kind, name, "", 0};
}

// The Z→μμ global part; shifts: "" none, "mu" Muon_pt × 1.01, "w" genWeight × 1.1. `library`:
// the library's producers (select_objects, invariant_mass) instead of expressions for the muons.
// `factored`: the expressions with their shift-invariant parts (cos φ, sin φ, sinh η, cosh η) as
// producers of their own, which a muon scale shares with the nominal but for the events it adds.
ev::Plan zmumu(const std::string& shift, bool library = false, bool row_sharing = true,
               bool factored = false) {
    ev::Plan plan;
    plan.row_sharing = row_sharing;
    auto producer = [](const char* name, const char* e) {
        return std::make_shared<ev::ExprProducer>(at("producer", name), e);
    };
    auto filter = [](const char* name, const char* e) {
        return std::make_shared<ev::ExprFilter>(at("filter", name), e);
    };
    if (library) {
        ev::SelectObjects::Config good;
        good.collection = "Muon";
        good.output = "GoodMuon";
        good.fields = {"pt", "eta", "phi", "mass", "charge"};
        good.cuts = {{"pt", ev::FieldCut::Kind::min, 20}, {"eta", ev::FieldCut::Kind::max_abs, 2.4}};
        ev::FourVectorSum::Config mass;
        mass.parts = {{"GoodMuon", 2, std::nullopt}};
        mass.output = "dimuon_mass";
        mass.mass_only = true;
        plan.global = {
            std::make_shared<ev::SelectObjects>(at("producer", "good_muons"), good),
            filter("two_opposite", "nGoodMuon == 2 and GoodMuon_charge[0] != GoodMuon_charge[1]"),
            std::make_shared<ev::FourVectorSum>(at("producer", "dimuon_mass"), mass),
            filter("window", "60 < dimuon_mass < 120"),
        };
    } else if (factored)
        plan.global = {
            producer("good_mu", "where(Muon_pt > 20, abs(Muon_eta) < 2.4, False)"),
            filter("two_good", "sum(good_mu) == 2"),
            filter("opposite", "sum(where(good_mu, Muon_charge, 0)) == 0"),
            producer("mu_cos_phi", "cos(Muon_phi)"),
            producer("mu_sin_phi", "sin(Muon_phi)"),
            producer("mu_sinh_eta", "sinh(Muon_eta)"),
            producer("mu_cosh_eta", "cosh(Muon_eta)"),
            producer("mu_px", "sum(where(good_mu, Muon_pt * mu_cos_phi, 0.0))"),
            producer("mu_py", "sum(where(good_mu, Muon_pt * mu_sin_phi, 0.0))"),
            producer("mu_pz", "sum(where(good_mu, Muon_pt * mu_sinh_eta, 0.0))"),
            producer("mu_e", "sum(where(good_mu, sqrt((Muon_pt * mu_cosh_eta)**2 + Muon_mass**2), 0.0))"),
            producer("dimuon_m2", "mu_e**2 - mu_px**2 - mu_py**2 - mu_pz**2"),
            producer("dimuon_mass", "sqrt(where(dimuon_m2 > 0, dimuon_m2, 0.0))"),
            filter("window", "60 < dimuon_mass < 120"),
        };
    else
        plan.global = {
            producer("good_mu", "where(Muon_pt > 20, abs(Muon_eta) < 2.4, False)"),
            filter("two_good", "sum(good_mu) == 2"),
            filter("opposite", "sum(where(good_mu, Muon_charge, 0)) == 0"),
            producer("mu_px", "sum(where(good_mu, Muon_pt * cos(Muon_phi), 0.0))"),
            producer("mu_py", "sum(where(good_mu, Muon_pt * sin(Muon_phi), 0.0))"),
            producer("mu_pz", "sum(where(good_mu, Muon_pt * sinh(Muon_eta), 0.0))"),
            producer("mu_e", "sum(where(good_mu, sqrt((Muon_pt * cosh(Muon_eta))**2 + Muon_mass**2), 0.0))"),
            producer("dimuon_m2", "mu_e**2 - mu_px**2 - mu_py**2 - mu_pz**2"),
            producer("dimuon_mass", "sqrt(where(dimuon_m2 > 0, dimuon_m2, 0.0))"),
            filter("window", "60 < dimuon_mass < 120"),
        };
    ev::Pipeline p;
    p.name = "zmm";
    p.steps = {std::make_shared<MassHist>()};
    p.weight = "genWeight";
    if (shift == "mu") {
        plan.shifts.push_back(
            {"mu_scale_up",
             {{"Muon_pt", std::make_shared<ev::ExprProducer>(at("producer", "Muon_pt_up"), "Muon_pt * 1.01",
                                                             io::ColumnType::Float32)}}});
        p.shifts = {"mu_scale_up"};
    } else if (shift == "mu_end") {
        // A scale of the endcap muons only (|η| > 2.1): the events without one are the nominal's.
        plan.shifts.push_back({"mu_scale_up",
                               {{"Muon_pt", std::make_shared<ev::ExprProducer>(
                                                at("producer", "Muon_pt_up"),
                                                "where(abs(Muon_eta) > 2.1, Muon_pt * 1.01, Muon_pt)",
                                                io::ColumnType::Float32)}}});
        p.shifts = {"mu_scale_up"};
    } else if (shift == "w") {
        plan.shifts.push_back({"weight_up",
                               {{"genWeight", std::make_shared<ev::ExprProducer>(
                                                  at("producer", "genWeight_up"), "genWeight * 1.1",
                                                  io::ColumnType::Float32)}}});
        p.shifts = {"weight_up"};
    }
    plan.pipelines = {p};
    return plan;
}

struct Timing {
    double wall = 1e300;  ///< s, minimum over repetitions
    double cpu = 1e300;   ///< s, process CPU time, minimum over repetitions
    double steps = 1e300; ///< s, the global part's nominal steps (summed over threads)
    ev::RunReport report; ///< of the repetition with the least CPU time
    const HistResult* hist = nullptr;
    std::int64_t selected = 0;
};

// CPU seconds of a run outside reading and the steps (batches, cut flows, merging, prepare).
double unaccounted(const Timing& t) {
    double accounted = t.report.read_seconds;
    for (const auto& s : t.report.steps)
        accounted += s.seconds;
    return t.cpu - accounted;
}

// One configuration, R times; keeps the fastest.
Timing run_memory(const std::vector<io::Column>& columns, const std::string& shift, std::size_t threads,
                  int repeat, std::int64_t batch, std::unique_ptr<ev::Runner>& keep, bool library = false,
                  bool row_sharing = true, bool factored = false) {
    Timing t;
    hepkit::ThreadPool pool(threads);
    for (int r = 0; r < repeat; ++r) {
        ev::Plan plan = zmumu(shift, library, row_sharing, factored);
        plan.inputs.batch_entries = batch;
        auto runner = std::make_unique<ev::Runner>(std::move(plan), columns);
        const double w0 = now(), c0 = cpu();
        runner->prepare();
        const ev::RunReport report = runner->run(&pool);
        const double wall = now() - w0, used = cpu() - c0;
        double steps = 0;
        for (const auto& s : report.steps)
            if (s.shift.empty() && s.label.rfind("zmm:", 0) != 0)
                steps += s.seconds;
        if (used < t.cpu)
            t.report = report;
        t.wall = std::min(t.wall, wall);
        t.cpu = std::min(t.cpu, used);
        t.steps = std::min(t.steps, steps);
        t.selected = report.cutflows.front().rows.back().events;
        keep = std::move(runner);
    }
    t.hist = &dynamic_cast<const HistResult&>(keep->result("zmm", "mass_hist"));
    return t;
}

// ---- the naive baseline: a struct per event, a virtual call per step

struct Muon {
    float pt, eta, phi, mass;
    int charge;
};
struct Event {
    std::vector<Muon> muons;
    float weight = 1;
    std::vector<int> good;
    double mass = 0;
};
struct NaiveStep {
    virtual ~NaiveStep() = default;
    virtual bool process(Event& e) const = 0;
};
struct GoodMuons : NaiveStep {
    bool process(Event& e) const override {
        e.good.clear();
        for (std::size_t k = 0; k < e.muons.size(); ++k)
            if (e.muons[k].pt > 20 && std::abs(static_cast<double>(e.muons[k].eta)) < 2.4)
                e.good.push_back(static_cast<int>(k));
        return true;
    }
};
struct TwoOpposite : NaiveStep {
    bool process(Event& e) const override {
        return e.good.size() == 2 && e.muons[static_cast<std::size_t>(e.good[0])].charge +
                                             e.muons[static_cast<std::size_t>(e.good[1])].charge ==
                                         0;
    }
};
struct Mass : NaiveStep {
    bool process(Event& e) const override {
        double px = 0, py = 0, pz = 0, en = 0;
        for (const int k : e.good) {
            const Muon& m = e.muons[static_cast<std::size_t>(k)];
            const double pt = m.pt, eta = m.eta, phi = m.phi, mass = m.mass;
            px += pt * std::cos(phi);
            py += pt * std::sin(phi);
            pz += pt * std::sinh(eta);
            en += std::sqrt(std::pow(pt * std::cosh(eta), 2) + mass * mass);
        }
        const double m2 = en * en - px * px - py * py - pz * pz;
        e.mass = std::sqrt(m2 > 0 ? m2 : 0.0);
        return true;
    }
};
struct Window : NaiveStep {
    bool process(Event& e) const override { return 60 < e.mass && e.mass < 120; }
};

struct NaiveResult {
    std::vector<double> sumw = std::vector<double>(kBins + 2, 0.0);
    std::int64_t selected = 0;
};

// The columns the naive loop reads.
struct MuonColumns {
    std::span<const float> pt, eta, phi, mass, weight;
    std::span<const std::int32_t> charge;
    std::span<const std::int64_t> offsets;
};

// Every event through the steps; with a shift, a copy of the event through them again (ARTUS: a
// pipeline per shift on its own copy of the event). `fill`: the event struct is filled from the
// columns first, as an event loop over a file does (ROOT's SetBranchAddress then a copy into the
// analysis's event); otherwise the structs are made beforehand (the most favourable case).
NaiveResult naive_loop(std::vector<Event>& events, const MuonColumns* fill, bool with_shift) {
    const GoodMuons s1;
    const TwoOpposite s2;
    const Mass s3;
    const Window s4;
    const std::vector<const NaiveStep*> steps{&s1, &s2, &s3, &s4};
    NaiveResult r;
    auto run = [&](Event& e) {
        for (const NaiveStep* s : steps)
            if (!s->process(e))
                return;
        r.sumw[static_cast<std::size_t>(bin_of(e.mass))] += e.weight;
        ++r.selected;
    };
    Event shifted, filled;
    for (std::size_t i = 0; i < events.size(); ++i) {
        Event* e = &events[i];
        if (fill) {
            filled.muons.clear();
            filled.weight = fill->weight[i];
            for (auto k = static_cast<std::size_t>(fill->offsets[i]);
                 k < static_cast<std::size_t>(fill->offsets[i + 1]); ++k)
                filled.muons.push_back(
                    {fill->pt[k], fill->eta[k], fill->phi[k], fill->mass[k], fill->charge[k]});
            e = &filled;
        }
        run(*e);
        if (with_shift) {
            shifted = *e;
            for (auto& m : shifted.muons)
                m.pt *= 1.01f;
            run(shifted);
        }
    }
    return r;
}

std::vector<Event> make_events(const std::vector<io::Column>& cols) {
    auto find = [&](const char* name) -> const io::Column& {
        for (const auto& c : cols)
            if (c.name == name)
                return c;
        throw std::runtime_error(std::string("no column ") + name);
    };
    const auto& pt = find("Muon_pt");
    const auto& eta = find("Muon_eta");
    const auto& phi = find("Muon_phi");
    const auto& mass = find("Muon_mass");
    const auto& charge = find("Muon_charge");
    const auto& weight = find("genWeight");
    std::vector<Event> events(weight.entries());
    for (std::size_t i = 0; i < events.size(); ++i) {
        events[i].weight = weight.as<float>()[i];
        for (auto k = pt.offsets[i]; k < pt.offsets[i + 1]; ++k) {
            const auto j = static_cast<std::size_t>(k);
            events[i].muons.push_back({pt.as<float>()[j], eta.as<float>()[j], phi.as<float>()[j],
                                       mass.as<float>()[j], charge.as<std::int32_t>()[j]});
        }
    }
    return events;
}

fs::path make_file(const fs::path& dir, long events) {
    // v2: make_nano_file keeps NanoAOD's mantissa precisions (2026-12-03); older files are not reused.
    const fs::path want = dir / ("events-nano-v2-zstd-" + std::to_string(events) + ".root");
    if (fs::exists(want))
        return want;
    const fs::path tmp = dir / ("tmp-events-" + std::to_string(getpid()));
    fs::create_directories(tmp);
    const fs::path maker = fs::read_symlink("/proc/self/exe").parent_path() / "make_nano_file";
    const std::string cmd = maker.string() + " " + tmp.string() + " --events " + std::to_string(events) +
                            " --cluster 10000 --codecs zstd > /dev/null";
    if (std::system(cmd.c_str()) != 0)
        throw std::runtime_error("failed: " + cmd);
    fs::rename(tmp / "nano-zstd.root", want);
    fs::remove_all(tmp);
    return want;
}

} // namespace

int main(int argc, char** argv) {
    long events = 1000000;
    int repeat = 3;
    std::int64_t batch = 16384;
    std::string only; // one in-memory case (nominal, mu, lib, lib_mu; mu_all: without row-level sharing), for
                      // a profiler
    fs::path cache = fs::read_symlink("/proc/self/exe").parent_path() / "nano-cache";
    hepkit::bench::parse_options(
        argc, argv,
        "bench_events_pipeline [--events N] [--repeat R] [--cache DIR] [--batch N] [--only "
        "nominal|mu|mu_all|lib|lib_mu|lib_mu_all|fact|fact_mu|fact_mu_all|mu_end|mu_end_all]",
        {{"--events", hepkit::bench::into(events)},
         {"--repeat", hepkit::bench::into(repeat)},
         {"--cache", hepkit::bench::into(cache)},
         {"--batch", hepkit::bench::into(batch)},
         {"--only", hepkit::bench::into(only)}});
    try {
        fs::create_directories(cache);
        const fs::path path = make_file(cache, events);
        const std::vector<std::string> branches{"Muon_pt",     "Muon_eta",  "Muon_phi", "Muon_mass",
                                                "Muon_charge", "genWeight", "nMuon"};
        std::vector<io::Column> columns;
        {
            const io::RootFile file(path.string());
            const io::Tree tree(file, "Events");
            hepkit::ThreadPool pool(2);
            columns = tree.read(branches, 0, tree.entries(), &pool);
        }
        const std::size_t n = columns.front().entries();
        if (!only.empty()) {
            const bool library = only.rfind("lib", 0) == 0;
            const std::string shift = only.find("mu_end") != std::string::npos ? "mu_end"
                                      : only.find("mu") != std::string::npos   ? "mu"
                                                                               : "";
            const bool all_rows = only.find("_all") != std::string::npos;
            std::unique_ptr<ev::Runner> keep;
            const Timing t = run_memory(columns, shift, 1, repeat, batch, keep, library, !all_rows,
                                        only.rfind("fact", 0) == 0);
            std::printf("%s: %.3g events/s per core (CPU time)\n", only.c_str(),
                        static_cast<double>(n) / t.cpu);
            for (const auto& s : t.report.steps)
                std::printf("  %-40s %-12s %8.2f ns/event\n", s.label.c_str(), s.shift.c_str(),
                            1e9 * s.seconds / static_cast<double>(n));
            std::printf("  %-53s %8.2f ns/event\n", "reading (copying the batch's columns)",
                        1e9 * t.report.read_seconds / static_cast<double>(n));
            std::printf("  %-53s %8.2f ns/event\n", "rest (batches, cut flows, merging, prepare)",
                        1e9 * unaccounted(t) / static_cast<double>(n));
            for (const auto& flow : t.report.cutflows) {
                std::printf("  cut flow %s:", flow.shift.empty() ? "nominal" : flow.shift.c_str());
                for (const auto& row : flow.rows)
                    std::printf(" %s %lld", row.label.c_str(), static_cast<long long>(row.events));
                std::printf("\n");
            }
            return 0;
        }
        std::printf("Z->mumu global part on %zu NanoAOD-like events (%s), %u hardware threads\n", n,
                    path.filename().string().c_str(), std::thread::hardware_concurrency());

        // (d) the naive loop, structs made beforehand and filled per event (CPU time)
        std::vector<Event> structs = make_events(columns);
        auto column = [&](const char* name) -> const io::Column& {
            for (const auto& c : columns)
                if (c.name == name)
                    return c;
            throw std::runtime_error(std::string("no column ") + name);
        };
        const MuonColumns mc{column("Muon_pt").as<float>(),   column("Muon_eta").as<float>(),
                             column("Muon_phi").as<float>(),  column("Muon_mass").as<float>(),
                             column("genWeight").as<float>(), column("Muon_charge").as<std::int32_t>(),
                             column("Muon_pt").offsets};
        double naive = 1e300, naive_fill = 1e300, naive_shift = 1e300;
        NaiveResult nr;
        for (int r = 0; r < repeat; ++r) {
            double c0 = cpu();
            nr = naive_loop(structs, nullptr, false);
            naive = std::min(naive, cpu() - c0);
            c0 = cpu();
            naive_loop(structs, &mc, false);
            naive_fill = std::min(naive_fill, cpu() - c0);
            c0 = cpu();
            naive_loop(structs, &mc, true);
            naive_shift = std::min(naive_shift, cpu() - c0);
        }

        // (a)–(c) hepkit, columns in memory
        // Round robin over the cases, R rounds, the fastest of each kept: a machine whose load
        // changes during the run slows every case alike, so ratios between cases stay meaningful.
        // mu_all/lib_mu_all: the muon scale computing every selected row again (Plan::row_sharing
        // off), the cost before row-level sharing and a check that it changes no output.
        struct Case {
            const char* shift;
            std::size_t threads;
            bool library, sharing, factored;
            Timing t{};
            std::unique_ptr<ev::Runner> keep{};
        };
        std::vector<Case> cases;
        for (const auto& [shift, threads, library, sharing, factored] :
             {std::tuple<const char*, std::size_t, bool, bool, bool>{"", 1, false, true, false},
              {"mu", 1, false, true, false},
              {"w", 1, false, true, false},
              {"", 2, false, true, false},
              {"", 1, true, true, false},
              {"mu", 1, true, true, false},
              {"mu", 1, false, false, false},
              {"mu", 1, true, false, false},
              {"", 1, false, true, true},
              {"mu", 1, false, true, true},
              {"mu", 1, false, false, true},
              {"mu_end", 1, false, true, false},
              {"mu_end", 1, false, false, false}})
            cases.push_back(Case{shift, threads, library, sharing, factored});
        for (int r = 0; r < repeat; ++r)
            for (Case& c : cases) {
                const Timing one = run_memory(columns, c.shift, c.threads, 1, batch, c.keep, c.library,
                                              c.sharing, c.factored);
                if (one.cpu < c.t.cpu)
                    c.t.report = one.report;
                c.t.wall = std::min(c.t.wall, one.wall);
                c.t.cpu = std::min(c.t.cpu, one.cpu);
                c.t.steps = std::min(c.t.steps, one.steps);
                c.t.selected = one.selected;
                c.t.hist = one.hist;
            }
        const Timing &nom = cases[0].t, &mu = cases[1].t, &w = cases[2].t, &nom2 = cases[3].t;
        const Timing &lib = cases[4].t, &lib_mu = cases[5].t, &mu_all = cases[6].t, &lib_mu_all = cases[7].t;
        const Timing &fact = cases[8].t, &fact_mu = cases[9].t, &fact_mu_all = cases[10].t;
        const Timing &mu_end = cases[11].t, &mu_end_all = cases[12].t;
        const auto &keep_mu = cases[1].keep, &keep_lib_mu = cases[5].keep, &keep_mu_all = cases[6].keep,
                   &keep_lib_mu_all = cases[7].keep;
        auto shifted = [](const std::unique_ptr<ev::Runner>& r) {
            return &dynamic_cast<const HistResult&>(r->result("zmm", "mass_hist", "mu_scale_up"));
        };
        const bool same_shifted = shifted(keep_mu)->sumw == shifted(keep_mu_all)->sumw &&
                                  shifted(cases[9].keep)->sumw == shifted(keep_mu)->sumw &&
                                  shifted(cases[10].keep)->sumw == shifted(keep_mu)->sumw &&
                                  fact.hist->sumw == nom.hist->sumw &&
                                  shifted(cases[11].keep)->sumw == shifted(cases[12].keep)->sumw &&
                                  shifted(keep_lib_mu)->sumw == shifted(keep_lib_mu_all)->sumw &&
                                  shifted(keep_mu)->sumw == shifted(keep_lib_mu)->sumw;
        if (!same_shifted)
            std::printf("MISMATCH: the shifted histograms differ with and without row-level sharing\n");

        // the same selection both ways
        bool same = nom.selected == nr.selected && lib.selected == nr.selected;
        for (std::size_t k = 0; k < kBins + 2; ++k)
            same = same && std::abs(nom.hist->sumw[k] - nr.sumw[k]) < 1e-6 * (1 + std::abs(nr.sumw[k])) &&
                   std::abs(lib.hist->sumw[k] - nr.sumw[k]) < 1e-6 * (1 + std::abs(nr.sumw[k]));
        std::printf("selected: hepkit %lld (library steps: %lld), naive loop %lld events (%.2f %%) %s\n",
                    static_cast<long long>(nom.selected), static_cast<long long>(lib.selected),
                    static_cast<long long>(nr.selected),
                    100.0 * static_cast<double>(nr.selected) / static_cast<double>(n),
                    same ? "(histograms agree)" : "(MISMATCH)");

        // (e) reading the file: wall time for 1 and 2 threads; CPU time of the nominal and of the
        // muon scale shift on 1 thread (the shift's cost when the reading is part of the run)
        double file1 = 1e300, file2 = 1e300, file_cpu = 1e300, file_mu_cpu = 1e300;
        for (const std::size_t threads : {1u, 2u}) {
            hepkit::ThreadPool pool(threads);
            for (int r = 0; r < repeat; ++r)
                for (const char* shift : {"", "mu"}) {
                    if (threads == 2 && *shift)
                        continue;
                    ev::Plan plan = zmumu(shift);
                    plan.inputs.files = {path.string()};
                    ev::Runner runner(std::move(plan));
                    const double t0 = now(), c0 = cpu();
                    runner.prepare();
                    runner.run(&pool);
                    const double wall = now() - t0, used = cpu() - c0;
                    if (threads == 2)
                        file2 = std::min(file2, wall);
                    else if (*shift)
                        file_mu_cpu = std::min(file_mu_cpu, used);
                    else {
                        file1 = std::min(file1, wall);
                        file_cpu = std::min(file_cpu, used);
                    }
                }
        }

        const double N = static_cast<double>(n);
        std::printf("\n1 thread, CPU time%40s %14s %12s\n", "", "events/s", "vs naive");
        auto line = [&](const char* what, double seconds) {
            std::printf("  %-56s %14.3g %12.3g\n", what, N / seconds, naive / seconds);
        };
        line("naive per-event loop, structs made beforehand", naive);
        line("naive per-event loop, struct filled per event", naive_fill);
        std::printf("  %-56s %14.3g %12.3g\n", "ARTUS (paper, I/O included)", kArtusEventsPerSecond,
                    kArtusEventsPerSecond * naive / N);
        line("hepkit, whole run (copy batches, steps, cut flow, merge)", nom.cpu);
        line("hepkit, global part's steps only", nom.steps);
        line("hepkit with library steps, whole run", lib.cpu);
        line("hepkit with library steps, global part's steps only", lib.steps);
        line("hepkit reading the file (zstd), expression steps", file_cpu);
        std::printf("  %-56s %14s %12.3g\n", "hepkit whole run vs ARTUS", "",
                    N / nom.cpu / kArtusEventsPerSecond);
        std::printf("\nwall time%49s %14s %12s\n", "", "events/s", "scaling");
        std::printf("  %-56s %14.3g %12s\n", "hepkit in memory, 1 thread", N / nom.wall, "");
        std::printf("  %-56s %14.3g %12.3g\n", "hepkit in memory, 2 threads", N / nom2.wall,
                    nom.wall / nom2.wall);
        // Independent of what else runs on the machine: the CPU the 2-thread run spends in all,
        // against the 1-thread run's (1: no work added by running in parallel).
        std::printf("  %-56s %14s %12.3g\n", "  CPU of the 2-thread run / CPU of the 1-thread run", "",
                    nom2.cpu / nom.cpu);
        std::printf("  %-56s %14s %12.3g\n", "  this machine: copying 64 MiB per thread (beyond caches)", "",
                    copy_scaling(std::size_t(64) << 20));
        std::printf("  %-56s %14s %12.3g\n", "  this machine: copying 1 MiB per thread (in its cache)", "",
                    copy_scaling(std::size_t(1) << 20));
        std::printf("  %-56s %14.3g %12s\n", "hepkit reading the file (zstd), 1 thread", N / file1, "");
        std::printf("  %-56s %14.3g %12.3g\n", "hepkit reading the file (zstd), 2 threads", N / file2,
                    file1 / file2);
        std::printf("\nwhere the nominal run's CPU goes (1 thread, ns per input event):\n");
        std::printf("  %-56s %10.1f\n", "reading (here: copying the batch's columns)",
                    1e9 * nom.report.read_seconds / N);
        for (const auto& s : nom.report.steps)
            std::printf("  %-56s %10.1f\n", s.label.c_str(), 1e9 * s.seconds / N);
        std::printf("  %-56s %10.1f\n", "rest (batches, cut flows, merging, prepare)",
                    1e9 * unaccounted(nom) / N);
        std::printf("\nextra cost of one shift, fraction of the nominal run (CPU, 1 thread):\n");
        std::printf("  %-56s %10.3f\n", "hepkit: muon pT scale (reaches every muon step)",
                    (mu.cpu - nom.cpu) / nom.cpu);
        std::printf("  %-56s %10.3f\n", "hepkit: weight (reaches the cut flow and histogram)",
                    (w.cpu - nom.cpu) / nom.cpu);
        std::printf("  %-56s %10.3f\n", "hepkit, library steps: muon pT scale",
                    (lib_mu.cpu - lib.cpu) / lib.cpu);
        std::printf("  %-56s %10.3f\n", "  the same, every selected row computed again (before)",
                    (lib_mu_all.cpu - lib.cpu) / lib.cpu);
        std::printf("  %-56s %10.3f\n", "hepkit: muon pT scale, every selected row again (before)",
                    (mu_all.cpu - nom.cpu) / nom.cpu);
        std::printf("  %-56s %10.3f\n", "hepkit, cos/sin/sinh/cosh as producers: muon pT scale",
                    (fact_mu.cpu - fact.cpu) / fact.cpu);
        std::printf("  %-56s %10.3f\n", "  the same, every selected row computed again (before)",
                    (fact_mu_all.cpu - fact.cpu) / fact.cpu);
        std::printf("  %-56s %10.3g\n", "  (their nominal run, events/s per core)", N / fact.cpu);
        std::printf("  %-56s %10.3f\n", "hepkit: endcap muons' pT scale (|eta| > 2.1)",
                    (mu_end.cpu - nom.cpu) / nom.cpu);
        std::printf("  %-56s %10.3f\n", "  the same, every selected row computed again (before)",
                    (mu_end_all.cpu - nom.cpu) / nom.cpu);
        std::printf("  %-56s %10.3f\n", "hepkit reading the file: muon pT scale",
                    (file_mu_cpu - file_cpu) / file_cpu);
        std::printf("  %-56s %10.3f\n", "naive loop (filled structs): muon pT scale, event copied",
                    (naive_shift - naive_fill) / naive_fill);
        return same && same_shifted ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_events_pipeline: %s\n", e.what());
        return 1;
    }
}
