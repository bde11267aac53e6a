// The library producers' speed (issue 15: 10^7 events/s/core for the global part), all ratios
// measured in the same run, thread CPU time, best of several alternating passes:
//
//  (a) select + mass: select_objects (pT > 20, |η| < 2.4, fields pt/eta/phi/mass) then
//      invariant_mass of the first two selected muons, over NanoAOD-like columns in memory, in
//      batches as the runner makes them;
//  (b) the same selection given as cut expressions (expr::evaluate_columns);
//  (c) a hand-written columnar loop doing the same (the floor: no framework, no output columns
//      but the mass);
//  (d) a naive per-event loop (an event struct of muon objects filled per event, a virtual call
//      per step) as ARTUS-like frameworks do, and ARTUS's published 1470 events/s;
//  (e) each other producer alone: leading, delta_r_match (jets to muons), delta_r_clean,
//      met_recompute, event_weight, four_vector_sum of all jets.
//
//   build/benchmarks/bench_events_library [--events N] [--batch B] [--passes P] [--only PREFIX]

#include "BenchOptions.hpp"
#include "hepkit/events/Library.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <memory>
#include <numbers>
#include <random>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

namespace ev = hepkit::events;
namespace io = hepkit::io;

namespace {

double thread_seconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// NanoAOD-like columns: muons (0–4 per event, pT falling exponentially above 3 GeV, |η| < 2.5),
// jets (0–9, pT above 15), MET, a generator weight. A fixed seed: the same events every run.
struct Data {
    std::size_t events = 0;
    std::vector<io::Column> columns;
};

io::Column jagged_f32(const std::string& name) {
    io::Column c = io::Column::make(name, io::ColumnType::Float32);
    c.offsets.push_back(0);
    return c;
}

Data make_data(std::size_t events) {
    std::mt19937_64 rng(12345);
    std::uniform_real_distribution<float> eta(-2.5f, 2.5f),
        phi(-std::numbers::pi_v<float>, std::numbers::pi_v<float>);
    std::exponential_distribution<float> mu_pt(1 / 25.0f), jet_pt(1 / 40.0f);
    std::discrete_distribution<int> n_mu({30, 30, 30, 7, 3}), n_jet({5, 10, 15, 20, 15, 12, 10, 6, 4, 3});
    std::uniform_int_distribution<int> charge(0, 1);
    io::Column mpt = jagged_f32("Muon_pt"), meta = jagged_f32("Muon_eta"), mphi = jagged_f32("Muon_phi"),
               mmass = jagged_f32("Muon_mass");
    io::Column mq = io::Column::make("Muon_charge", io::ColumnType::Int32);
    mq.offsets.push_back(0);
    io::Column jpt = jagged_f32("Jet_pt"), jeta = jagged_f32("Jet_eta"), jphi = jagged_f32("Jet_phi"),
               jmass = jagged_f32("Jet_mass"), jsf = jagged_f32("Jet_sf");
    io::Column met_pt = io::Column::make("MET_pt", io::ColumnType::Float32);
    io::Column met_phi = io::Column::make("MET_phi", io::ColumnType::Float32);
    io::Column gen = io::Column::make("genWeight", io::ColumnType::Float32);
    for (std::size_t e = 0; e < events; ++e) {
        const int nm = n_mu(rng), nj = n_jet(rng);
        for (int k = 0; k < nm; ++k) {
            mpt.mut<float>().push_back(3 + mu_pt(rng));
            meta.mut<float>().push_back(eta(rng));
            mphi.mut<float>().push_back(phi(rng));
            mmass.mut<float>().push_back(0.10566f);
            mq.mut<std::int32_t>().push_back(charge(rng) ? 1 : -1);
        }
        for (int k = 0; k < nj; ++k) {
            jpt.mut<float>().push_back(15 + jet_pt(rng));
            jeta.mut<float>().push_back(eta(rng));
            jphi.mut<float>().push_back(phi(rng));
            jmass.mut<float>().push_back(5);
            jsf.mut<float>().push_back(1.02f);
        }
        for (io::Column* c : {&mpt, &meta, &mphi, &mmass, &mq})
            c->offsets.push_back(c->offsets.back() + nm);
        for (io::Column* c : {&jpt, &jeta, &jphi, &jmass, &jsf})
            c->offsets.push_back(c->offsets.back() + nj);
        met_pt.mut<float>().push_back(20 + mu_pt(rng));
        met_phi.mut<float>().push_back(phi(rng));
        gen.mut<float>().push_back(charge(rng) ? 1.0f : -1.0f);
    }
    Data d;
    d.events = events;
    d.columns = {mpt, meta, mphi, mmass, mq, jpt, jeta, jphi, jmass, jsf, met_pt, met_phi, gen};
    return d;
}

// Events [first, first + n) of a column, as a column of its own (offsets rebased).
template <class T>
void slice_into(const io::Column& c, std::size_t first, std::size_t n, io::Column& s) {
    const auto v = c.as<T>();
    std::vector<T>& out = s.mut<T>();
    if (c.jagged()) {
        const auto b = c.offsets[first], e = c.offsets[first + n];
        out.assign(v.begin() + b, v.begin() + e);
        for (std::size_t i = 0; i <= n; ++i)
            s.offsets.push_back(c.offsets[first + i] - b);
    } else {
        out.assign(v.begin() + static_cast<std::ptrdiff_t>(first),
                   v.begin() + static_cast<std::ptrdiff_t>(first + n));
    }
}

io::Column slice(const io::Column& c, std::size_t first, std::size_t n) {
    io::Column s = io::Column::make(c.name, c.type);
    if (c.type == io::ColumnType::Float32)
        slice_into<float>(c, first, n, s);
    else if (c.type == io::ColumnType::Int32)
        slice_into<std::int32_t>(c, first, n, s);
    else
        throw std::logic_error("slice: the benchmark's columns are float32 or int32");
    return s;
}

// A schema of the inputs and the producers, and the input columns cut into batches.
// The input columns cut into batches once, shared by every setup.
struct Batches {
    std::vector<std::vector<std::shared_ptr<const io::Column>>> columns; // [batch][input]
    std::vector<std::size_t> sizes;

    Batches(const Data& d, std::size_t batch) {
        for (std::size_t first = 0; first < d.events; first += batch) {
            const std::size_t n = std::min(batch, d.events - first);
            std::vector<std::shared_ptr<const io::Column>> cols;
            for (const auto& c : d.columns)
                cols.push_back(std::make_shared<const io::Column>(slice(c, first, n)));
            columns.push_back(std::move(cols));
            sizes.push_back(n);
        }
    }
};

struct Setup {
    ev::Schema schema;
    std::vector<std::unique_ptr<ev::Producer>> producers;
    const Batches* in;
    std::size_t inputs = 0;

    Setup(const Data& d, const Batches& batches) : in(&batches) {
        for (const auto& c : d.columns)
            schema.add({c.name, c.type, c.jagged()}, "input");
        inputs = d.columns.size();
    }
    void add(std::unique_ptr<ev::Producer> p) {
        std::vector<ev::ProductId> ids;
        for (auto& info : p->declare(schema))
            ids.push_back(schema.add(std::move(info), p->name()));
        p->outputs_declared(ids);
        producers.push_back(std::move(p));
    }
    // One pass over all batches; returns the sum of product `check` (a checksum, and so that
    // nothing is optimised away).
    double pass(const std::string& check) const {
        const ev::ProductId id = *schema.find(check);
        double sum = 0;
        std::int64_t first = 0;
        for (std::size_t b = 0; b < in->sizes.size(); ++b) {
            ev::Batch batch(schema, first, in->sizes[b]);
            for (std::size_t i = 0; i < inputs; ++i)
                batch.put_shared(static_cast<ev::ProductId>(i), in->columns[b][i]);
            for (const auto& p : producers)
                p->produce(batch);
            std::visit(
                [&](const auto& v) {
                    if constexpr (std::is_arithmetic_v<typename std::decay_t<decltype(v)>::value_type>)
                        for (const auto x : v)
                            sum += static_cast<double>(x);
                },
                batch.get(id).values);
            first += static_cast<std::int64_t>(in->sizes[b]);
        }
        return sum;
    }
};

ev::StepPlace place(const std::string& name) {
    return {"producer", name, "", 0};
}

std::unique_ptr<ev::Producer> good_muons(bool expressions) {
    ev::SelectObjects::Config c;
    c.collection = "Muon";
    c.output = "GoodMuon";
    c.fields = {"pt", "eta", "phi", "mass"};
    if (expressions)
        c.expressions = {"Muon_pt > 20", "abs(Muon_eta) < 2.4"};
    else
        c.cuts = {{"pt", ev::FieldCut::Kind::min, 20}, {"eta", ev::FieldCut::Kind::max_abs, 2.4}};
    return std::make_unique<ev::SelectObjects>(place("good_muons"), c);
}

std::unique_ptr<ev::Producer> dimuon_mass() {
    ev::FourVectorSum::Config c;
    c.parts = {ev::SumPart{"GoodMuon", 2, std::nullopt}};
    c.output = "m_mumu";
    c.mass_only = true;
    return std::make_unique<ev::FourVectorSum>(place("m_mumu"), c);
}

// The baselines add four-vectors with the library's formula (one exp for sinh and cosh), so that
// the ratios measure the framework, not the maths.
inline void add_p4(double pt, double eta, double phi, double m, double& px, double& py, double& pz,
                   double& e) {
    const double x = std::exp(eta), ix = 1 / x, pabs = 0.5 * pt * (x + ix);
    px += pt * std::cos(phi);
    py += pt * std::sin(phi);
    pz += 0.5 * pt * (x - ix);
    e += std::sqrt(pabs * pabs + m * m);
}

// (c) the floor: the same selection and mass written directly over the columns.
double hand_written(const Data& d, std::vector<double>& mass) {
    const auto& pt = d.columns[0];
    const float* p = pt.as<float>().data();
    const float* et = d.columns[1].as<float>().data();
    const float* ph = d.columns[2].as<float>().data();
    const float* m = d.columns[3].as<float>().data();
    mass.assign(d.events, 0.0);
    double sum = 0;
    for (std::size_t e = 0; e < d.events; ++e) {
        double px = 0, py = 0, pz = 0, en = 0;
        int n = 0;
        for (std::int64_t k = pt.offsets[e]; k < pt.offsets[e + 1] && n < 2; ++k) {
            if (!(p[k] > 20 && std::abs(et[k]) < 2.4f))
                continue;
            add_p4(p[k], et[k], ph[k], m[k], px, py, pz, en);
            ++n;
        }
        if (n == 2) {
            const double pp = std::sqrt(px * px + py * py + pz * pz);
            mass[e] = std::sqrt(std::max((en - pp) * (en + pp), 0.0));
        }
        sum += mass[e];
    }
    return sum;
}

// (d) a per-event framework: the event as objects, a virtual call per step and event.
struct Muon {
    float pt, eta, phi, mass;
};
struct Event {
    std::vector<Muon> muons, good;
    double mass = 0;
};
struct NaiveStep {
    virtual ~NaiveStep() = default;
    virtual void process(Event& e) const = 0;
};
struct NaiveSelect final : NaiveStep {
    void process(Event& e) const override {
        e.good.clear();
        for (const Muon& m : e.muons)
            if (m.pt > 20 && std::abs(m.eta) < 2.4f)
                e.good.push_back(m);
    }
};
struct NaiveMass final : NaiveStep {
    void process(Event& e) const override {
        e.mass = 0;
        if (e.good.size() < 2)
            return;
        double px = 0, py = 0, pz = 0, en = 0;
        for (std::size_t k = 0; k < 2; ++k) {
            const Muon& m = e.good[k];
            add_p4(m.pt, m.eta, m.phi, m.mass, px, py, pz, en);
        }
        const double pp = std::sqrt(px * px + py * py + pz * pz);
        e.mass = std::sqrt(std::max((en - pp) * (en + pp), 0.0));
    }
};
double naive(const Data& d, const std::vector<std::unique_ptr<NaiveStep>>& steps) {
    const auto& pt = d.columns[0];
    const float* p = pt.as<float>().data();
    const float* et = d.columns[1].as<float>().data();
    const float* ph = d.columns[2].as<float>().data();
    const float* m = d.columns[3].as<float>().data();
    double sum = 0;
    for (std::size_t e = 0; e < d.events; ++e) {
        Event event; // per event, as an event loop that builds its objects does
        for (std::int64_t k = pt.offsets[e]; k < pt.offsets[e + 1]; ++k)
            event.muons.push_back({p[k], et[k], ph[k], m[k]});
        for (const auto& s : steps)
            s->process(event);
        sum += event.mass;
    }
    return sum;
}

struct Timing {
    std::string name;
    std::function<double()> run;
    double best = 1e300;
    double checksum = 0;
};

} // namespace

int main(int argc, char** argv) {
    std::size_t events = 1000000, batch = 16384; // the runner's in-memory batch size
    int passes = 5;
    std::string only; // run only the rows whose name starts with this (for profiling)
    hepkit::bench::parse_options(argc, argv,
                                 "bench_events_library [--events N] [--batch B] [--passes P] [--only PREFIX]",
                                 {{"--events", hepkit::bench::into(events)},
                                  {"--batch", hepkit::bench::into(batch)},
                                  {"--passes", hepkit::bench::into(passes)},
                                  {"--only", hepkit::bench::into(only)}});
    if (events == 0 || batch == 0 || passes < 1) {
        std::fprintf(stderr, "--events, --batch and --passes must be >= 1\n");
        return 64;
    }
    const Data d = make_data(events);
    const Batches batches(d, batch);

    Setup select_mass(d, batches);
    select_mass.add(good_muons(false));
    select_mass.add(dimuon_mass());
    Setup select_mass_expr(d, batches);
    select_mass_expr.add(good_muons(true));
    select_mass_expr.add(dimuon_mass());

    auto alone = [&](std::unique_ptr<ev::Producer> p) {
        auto s = std::make_unique<Setup>(d, batches);
        s->add(std::move(p));
        return s;
    };
    ev::Leading::Config lead{"Jet", "LeadJet", {"pt", "eta", "phi"}, 0, "", -1, ""};
    auto s_lead = alone(std::make_unique<ev::Leading>(place("lead"), lead));
    auto s_match = alone(std::make_unique<ev::DeltaRMatch>(
        place("match"), ev::DeltaRMatch::Config{"Jet", "Muon", 0.4, "Jet_mu"}));
    auto s_clean = alone(std::make_unique<ev::DeltaRClean>(
        place("clean"),
        ev::DeltaRClean::Config{"Jet", {"Muon"}, 0.4, "CleanJet", {"pt", "eta", "phi"}, false, ""}));
    ev::MetRecompute::Config met;
    met.collection = "Jet";
    met.factor = {1.02, ""};
    met.output = "MET_up";
    auto s_met = alone(std::make_unique<ev::MetRecompute>(place("met"), met));
    auto s_weight = alone(std::make_unique<ev::EventWeight>(
        place("weight"), ev::EventWeight::Config{{{0, "genWeight"}, {1.02, ""}, {0, "Jet_sf"}}, ""}));
    ev::FourVectorSum::Config all_jets;
    all_jets.parts = {ev::SumPart{"Jet", -1, std::nullopt}};
    all_jets.output = "AllJets";
    auto s_sum = alone(std::make_unique<ev::FourVectorSum>(place("sum"), all_jets));

    std::vector<double> hand_mass;
    std::vector<std::unique_ptr<NaiveStep>> steps;
    steps.push_back(std::make_unique<NaiveSelect>());
    steps.push_back(std::make_unique<NaiveMass>());

    std::vector<Timing> t{
        {"(a) select_objects + invariant_mass", [&] { return select_mass.pass("m_mumu"); }},
        {"(b) the same, cuts as expressions", [&] { return select_mass_expr.pass("m_mumu"); }},
        {"(c) hand-written columnar loop", [&] { return hand_written(d, hand_mass); }},
        {"(d) naive per-event loop", [&] { return naive(d, steps); }},
        {"(e) leading (3 fields of the jets)", [&] { return s_lead->pass("LeadJet_pt"); }},
        {"(e) delta_r_match jets to muons", [&] { return s_match->pass("Jet_mu_dr"); }},
        {"(e) delta_r_clean jets against muons", [&] { return s_clean->pass("CleanJet_pt"); }},
        {"(e) met_recompute (jets x 1.02)", [&] { return s_met->pass("MET_up_pt"); }},
        {"(e) event_weight (2 products, 1 number)", [&] { return s_weight->pass("weight"); }},
        {"(e) four_vector_sum of all jets", [&] { return s_sum->pass("AllJets_mass"); }},
    };
    if (!only.empty()) {
        for (int p = 0; p < passes; ++p)
            for (auto& x : t)
                if (x.name.rfind(only, 0) == 0)
                    x.checksum = x.run();
        return 0;
    }
    for (int p = 0; p < passes; ++p)
        for (auto& x : t) {
            const double t0 = thread_seconds();
            x.checksum = x.run();
            x.best = std::min(x.best, thread_seconds() - t0);
        }
    std::printf(
        "bench_events_library: %zu events (%.2f muons, %.2f jets per event), batches of %zu, best of %d "
        "passes, thread CPU time\n",
        events, static_cast<double>(d.columns[0].size()) / static_cast<double>(events),
        static_cast<double>(d.columns[5].size()) / static_cast<double>(events), batch, passes);
    const double base = t[0].best;
    for (const auto& x : t)
        std::printf("  %-42s %8.2f Mevents/s   time / (a) %6.2f   [checksum %.6g]\n", x.name.c_str(),
                    static_cast<double>(events) / x.best / 1e6, x.best / base, x.checksum);
    std::printf("  speed of (a) / speed of the naive per-event loop: %.2f; / ARTUS's 1470 events/s: %.0f\n",
                t[3].best / base, static_cast<double>(events) / base / 1470.0);
    std::printf("  time of (a) / time of the hand-written loop: %.2f\n", base / t[2].best);
    // (a)–(d) make the same masses: their sums agree (same events selected, same formula).
    for (std::size_t i = 1; i < 4; ++i)
        if (std::abs(t[i].checksum - t[0].checksum) > 1e-9 * std::abs(t[0].checksum)) {
            std::fprintf(stderr, "the sum of the masses of %s differs from (a): %.12g, %.12g\n",
                         t[i].name.c_str(), t[i].checksum, t[0].checksum);
            return 1;
        }
    return 0;
}
