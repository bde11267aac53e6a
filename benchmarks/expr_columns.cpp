// Columnar expression evaluation (evaluate_columns) against the per-event evaluator
// (Expression::evaluate on Bindings, row by row: evaluate_columns_per_event) on the same
// NanoAOD-like columns, in the same run, one thread: events/s of each and their ratio. A
// hand-written C++ loop over the same columns is the bound for two of the cuts. Times are the
// thread's CPU time (events/s per core).
//
//     build/benchmarks/bench_expr_columns [--events N] [--batch B] [--repeat R] [--case K]
//
// Columns as hepkit::io reads NanoAOD: float32 kinematics, int32 charges, bool ids, uint32
// counts, jagged collections with int64 offsets; evaluated in batches of B events (the batch
// size of `hepkit events`), all rows or the 40 % that passed an earlier filter.

#include "BenchOptions.hpp"
#include "hepkit/expr/Columns.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <string>
#include <vector>

using namespace hepkit::expr;

namespace {

// CPU seconds of this thread: events/s per core, and steady on a machine shared with builds
// (wall time there measures the scheduler as much as the code).
double cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

struct Collection {
    std::vector<std::int64_t> offsets{0};
};

struct Nano {
    std::size_t events = 0;
    Collection mu, jet;
    std::vector<float> mu_pt, mu_eta, mu_phi, jet_pt, jet_eta, jet_btag, met_pt;
    std::vector<std::int32_t> mu_charge;
    std::vector<std::uint8_t> mu_tight;
    std::vector<std::uint32_t> n_mu, n_jet;
};

Nano make_nano(std::size_t events) {
    Nano n;
    n.events = events;
    std::mt19937_64 rng(7);
    std::poisson_distribution<int> n_muons(1.3), n_jets(4.5);
    std::exponential_distribution<double> pt(1.0 / 25.0);
    std::uniform_real_distribution<double> eta(-2.5, 2.5), phi(-M_PI, M_PI), u(0, 1);
    for (std::size_t i = 0; i < events; ++i) {
        const int m = n_muons(rng), j = n_jets(rng);
        std::vector<float> pts;
        for (int k = 0; k < m; ++k)
            pts.push_back(static_cast<float>(3 + pt(rng)));
        std::sort(pts.rbegin(), pts.rend()); // NanoAOD orders by pT
        for (int k = 0; k < m; ++k) {
            n.mu_pt.push_back(pts[static_cast<std::size_t>(k)]);
            n.mu_eta.push_back(static_cast<float>(eta(rng)));
            n.mu_phi.push_back(static_cast<float>(phi(rng)));
            n.mu_charge.push_back(u(rng) < 0.5 ? -1 : 1);
            n.mu_tight.push_back(u(rng) < 0.7);
        }
        for (int k = 0; k < j; ++k) {
            n.jet_pt.push_back(static_cast<float>(15 + 2 * pt(rng)));
            n.jet_eta.push_back(static_cast<float>(1.9 * eta(rng)));
            n.jet_btag.push_back(static_cast<float>(u(rng)));
        }
        n.mu.offsets.push_back(n.mu.offsets.back() + m);
        n.jet.offsets.push_back(n.jet.offsets.back() + j);
        n.n_mu.push_back(static_cast<std::uint32_t>(m));
        n.n_jet.push_back(static_cast<std::uint32_t>(j));
        n.met_pt.push_back(static_cast<float>(pt(rng) * 2));
    }
    return n;
}

// The columns of events [begin, begin + count), by binding slot.
struct Batch {
    Bindings schema;
    std::vector<ColumnView> cols;
};

Batch batch_of(const Nano& n, std::size_t begin, std::size_t count) {
    Batch b;
    auto flat = [&](const char* name, ArrayView v) {
        b.schema.declare(name, v.element_type());
        b.cols.push_back({v.slice(begin, count), {}});
    };
    auto jagged = [&](const char* name, ArrayView v, const Collection& c) {
        b.schema.declare(name, array_of(v.element_type()));
        b.cols.push_back({v, std::span<const std::int64_t>(c.offsets).subspan(begin, count + 1)});
    };
    flat("nMuon", ArrayView(n.n_mu));
    flat("nJet", ArrayView(n.n_jet));
    flat("MET_pt", ArrayView(n.met_pt));
    jagged("Muon_pt", ArrayView(n.mu_pt), n.mu);
    jagged("Muon_eta", ArrayView(n.mu_eta), n.mu);
    jagged("Muon_phi", ArrayView(n.mu_phi), n.mu);
    jagged("Muon_charge", ArrayView(n.mu_charge), n.mu);
    jagged("Muon_tightId", ArrayView::booleans(n.mu_tight), n.mu);
    jagged("Jet_pt", ArrayView(n.jet_pt), n.jet);
    jagged("Jet_eta", ArrayView(n.jet_eta), n.jet);
    jagged("Jet_btagDeepFlavB", ArrayView(n.jet_btag), n.jet);
    return b;
}

// A checksum of a result, so that nothing is optimised away and both paths can be compared.
double checksum(const ColumnResult& r) {
    double s = static_cast<double>(r.offsets.empty() ? 0 : r.offsets.back());
    for (auto v : r.bools)
        s += v;
    for (auto v : r.ints)
        s += static_cast<double>(v);
    for (auto v : r.reals)
        s += std::isfinite(v) ? v : 0.0;
    return s;
}

using Evaluate = ColumnResult (*)(const Expression&, std::span<const ColumnView>, std::size_t,
                                  std::span<const std::uint32_t>, std::int64_t);

// Seconds to evaluate over the first `events` events in batches; `fraction` < 1: only the rows
// that pass a fixed pseudo-random filter.
double run(const Nano& n, const std::string& text, Evaluate f, std::size_t events, std::size_t batch_size,
           double fraction, double& sum) {
    sum = 0;
    double seconds = 0;
    for (std::size_t begin = 0; begin < events; begin += batch_size) {
        const std::size_t count = std::min(batch_size, events - begin);
        const Batch b = batch_of(n, begin, count);
        const Expression e = Expression::parse(text, b.schema);
        std::vector<std::uint32_t> rows;
        for (std::uint32_t i = 0; i < count; ++i)
            if (fraction >= 1 || ((begin + i) * 2654435761u % 1000) < fraction * 1000)
                rows.push_back(i);
        const double t0 = cpu_seconds();
        const ColumnResult r = f(e, b.cols, count, rows, static_cast<std::int64_t>(begin));
        seconds += cpu_seconds() - t0;
        sum += checksum(r);
    }
    return seconds;
}

// Hand-written loops over the same columns: what a per-expression compiled cut would cost.
double hand_dimuon_cut(const Nano& n, std::size_t events, double& sum) {
    const double t0 = cpu_seconds();
    std::vector<std::uint8_t> pass(events);
    for (std::size_t i = 0; i < events; ++i) {
        const std::int64_t b = n.mu.offsets[i], len = n.mu.offsets[i + 1] - b;
        pass[i] = len >= 2 && n.mu_pt[static_cast<std::size_t>(b)] > 20 &&
                  n.mu_charge[static_cast<std::size_t>(b)] * n.mu_charge[static_cast<std::size_t>(b) + 1] < 0;
    }
    const double s = cpu_seconds() - t0;
    sum = 0;
    for (auto p : pass)
        sum += p;
    return s;
}

double hand_btag_cut(const Nano& n, std::size_t events, double& sum) {
    const double t0 = cpu_seconds();
    std::vector<std::uint8_t> pass(events);
    for (std::size_t i = 0; i < events; ++i) {
        const auto b = static_cast<std::size_t>(n.jet.offsets[i]),
                   e = static_cast<std::size_t>(n.jet.offsets[i + 1]);
        std::int64_t tagged = 0;
        for (std::size_t k = b; k < e; ++k)
            tagged += n.jet_btag[k] > 0.5;
        pass[i] = e - b >= 4 && tagged >= 1;
    }
    const double s = cpu_seconds() - t0;
    sum = 0;
    for (auto p : pass)
        sum += p;
    return s;
}

} // namespace

int main(int argc, char** argv) {
    std::size_t events = 1000000, batch = 100000, repeat = 5, only = 0;
    hepkit::bench::parse_options(argc, argv,
                                 "bench_expr_columns [--events N] [--batch B] [--repeat R] [--case K]",
                                 {{"--events", hepkit::bench::into(events)},
                                  {"--batch", hepkit::bench::into(batch)},
                                  {"--repeat", hepkit::bench::into(repeat)},
                                  {"--case", hepkit::bench::into(only)}});
    if (events == 0 || batch == 0 || repeat == 0) {
        std::fprintf(stderr, "--events, --batch and --repeat must be > 0\n");
        return 64;
    }
    const Nano n = make_nano(events);
    // the per-event path is ~100x slower: it runs on a tenth of the events (at least one batch)
    const std::size_t slow_events = std::min(events, std::max(batch, events / 10));

    struct Case {
        const char* label;
        std::string text;
        double fraction;
        double (*hand)(const Nano&, std::size_t, double&);
    };
    const std::vector<Case> cases{
        {"scale a jagged column", "Muon_pt * 1.01", 1, nullptr},
        {"jagged mask", "abs(Jet_eta) < 2.4", 1, nullptr},
        {"dimuon cut", "len(Muon_pt) >= 2 and Muon_pt[0] > 20 and Muon_charge[0] * Muon_charge[1] < 0", 1,
         hand_dimuon_cut},
        {"b-tag count cut", "len(Jet_pt) >= 4 and sum(Jet_btagDeepFlavB > 0.5) >= 1", 1, hand_btag_cut},
        {"dimuon mass",
         "where(len(Muon_pt) >= 2, sqrt(2*Muon_pt[0]*Muon_pt[1]*(cosh(Muon_eta[0]-Muon_eta[1])"
         "-cos(Muon_phi[0]-Muon_phi[1]))), -1.0)",
         1, nullptr},
        {"HT of central jets", "sum(where(abs(Jet_eta) < 2.4, Jet_pt, 0.0))", 1, nullptr},
        {"MET cut", "MET_pt > 50", 1, nullptr},
        {"dimuon cut, 40% rows",
         "len(Muon_pt) >= 2 and Muon_pt[0] > 20 and Muon_charge[0] * Muon_charge[1] < 0", 0.4, nullptr},
    };
    std::printf("%zu NanoAOD-like events, batches of %zu, best of %zu; per-event on %zu events\n", events,
                batch, repeat, slow_events);
    std::printf("%-22s %14s %14s %9s %14s %9s\n", "case", "columnar ev/s", "per-event ev/s", "ratio",
                "hand loop ev/s", "col/hand t");
    int status = 0;
    for (const Case& c : cases) {
        if (only && &c != &cases[std::min(only, cases.size()) - 1])
            continue;
        double best = 1e300, best_slow = 1e300, best_hand = 1e300, sum = 0, slow_sum = 0, check = 0,
               hand_sum = 0;
        for (std::size_t r = 0; r < repeat; ++r) { // alternate, so that both see the same machine
            best = std::min(best, run(n, c.text, evaluate_columns, events, batch, c.fraction, sum));
            if (r < 2)
                best_slow = std::min(best_slow, run(n, c.text, evaluate_columns_per_event, slow_events, batch,
                                                    c.fraction, slow_sum));
            if (c.hand)
                best_hand = std::min(best_hand, c.hand(n, events, hand_sum));
        }
        // both paths must agree on the events both evaluated
        run(n, c.text, evaluate_columns, slow_events, batch, c.fraction, check);
        if (check != slow_sum) {
            std::fprintf(stderr, "%s: columnar checksum %.17g, per-event %.17g\n", c.label, check, slow_sum);
            status = 1;
        }
        if (c.hand && hand_sum != sum) {
            std::fprintf(stderr, "%s: columnar passes %.17g events, the hand loop %.17g\n", c.label, sum,
                         hand_sum);
            status = 1;
        }
        const double col = static_cast<double>(events) / best;
        const double slow = static_cast<double>(slow_events) / best_slow;
        std::printf("%-22s %14.3e %14.3e %8.1fx", c.label, col, slow, col / slow);
        if (c.hand)
            std::printf(" %14.3e %8.2fx", static_cast<double>(events) / best_hand, best / best_hand);
        std::printf("\n");
    }
    return status;
}
