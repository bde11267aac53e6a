// Each job's output write time in the first burst (PlacedOutputs.hpp): a sweep over the placed
// jobs' reading lives and writes in time order.
#include "PlacedOutputs.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace hepkit::surrogate::detail {

namespace {

// A flow's load on one resource: a link, or (past the links) an output disk's write bandwidth.
struct Use {
    std::size_t resource;
    double weight;
};

struct Interval {
    double begin = 0, end = 0;
    std::vector<Use> uses;
};

// The uses of a reader on worker k reading `share` of its input over `routes` for `duty` of its
// time: each route an equal part.
void add_reads(std::vector<Use>& uses, const std::vector<sim::Route>& routes, double share, double duty) {
    if (routes.empty() || share <= 0 || duty <= 0)
        return;
    const double w = share * duty / static_cast<double>(routes.size());
    for (const auto& r : routes)
        for (const auto l : r.links)
            uses.push_back({l, w});
}

// A write's rate along route r: the least of each link's bandwidth over the flows on it
// (flows(l), at least 1), the TCP window γ / 2L and the disk's write bandwidth over its writers
// (disk_flows), times the bandwidth factor (sim::NetworkModel); 0 where nothing bounds it.
template <class Flows>
double write_rate(const sim::Platform& p, const ReadContext& c, const sim::Route& r, double write_bw,
                  Flows flows, double disk_flows) {
    double rate = 0; // 0: no bound yet
    const auto bound = [&](double x) { rate = rate > 0 ? std::min(rate, x) : x; };
    for (const auto l : r.links)
        bound(p.link(l).bandwidth / std::max(1.0, flows(l)));
    if (!r.links.empty() && r.latency > 0 && c.tcp_gamma > 0)
        bound(c.tcp_gamma / (2 * r.latency));
    if (write_bw > 0)
        bound(write_bw / std::max(1.0, disk_flows));
    return rate * c.bandwidth_factor;
}

} // namespace

std::vector<double> placed_outputs(const sim::Platform& p, const ReadContext& c,
                                   const std::vector<sim::JobGroup>& jobs,
                                   const std::vector<PlacedJob>& placed,
                                   const std::vector<double>& output_bytes) {
    const std::size_t n = jobs.size();
    std::vector<double> out(n, 0.0);
    if (!c.output_routes || !c.output_hosts || !c.output_write_bw || !c.storage_routes_in ||
        !c.cache_routes_in)
        return out;
    const std::size_t links = p.link_count();
    const std::size_t workers = c.workers->size();
    const auto& output_routes = *c.output_routes;
    const auto& output_hosts = *c.output_hosts;
    const auto& output_write_bw = *c.output_write_bw;
    // Per worker: its write's delay and its rate alone (the route's bottleneck, the TCP window,
    // the disk), the resource of its output disk.
    std::vector<double> delay(workers, 0.0), alone(workers, 0.0);
    std::vector<std::size_t> disk(workers, 0);
    for (std::size_t k = 0; k < workers; ++k) {
        const sim::Route& r = output_routes[k];
        alone[k] = write_rate(
            p, c, r, output_write_bw[k], [](std::size_t) { return 1.0; }, 1.0);
        delay[k] = r.latency * c.latency_factor;
        disk[k] = links + static_cast<std::size_t>(std::max(0, output_hosts[k]));
    }
    const double h = std::clamp(c.hitrate, 0.0, 1.0);

    // The placed jobs' reading lives and writes (the writes at their time alone).
    std::vector<Interval> intervals;
    std::vector<std::size_t> write_of(n, SIZE_MAX); // the job's write interval
    for (std::size_t i = 0; i < n; ++i) {
        const PlacedJob& q = placed[i];
        if (q.worker < 0)
            continue;
        const auto k = static_cast<std::size_t>(q.worker);
        const double begin = q.start_s, end = begin + q.compute_s + q.transfer_s;
        if (jobs[i].reads && q.transfer_s > 0) {
            // (Tried: reading all the time while reading at all, or only at the start, or for
            // max(compute, transfer), and the flows' shares weighted by 1 / their sharing penalty
            // (RTT unfairness): each spread the estimates of the study's writes more.)
            Interval life{begin, end, {}};
            const double duty = q.transfer_s / (q.compute_s + q.transfer_s);
            const double hit = (*c.cached)[k] ? h : 0.0;
            add_reads(life.uses, (*c.storage_routes_in)[k], 1 - hit, duty);
            add_reads(life.uses, (*c.cache_routes_in)[k], hit, duty);
            if (!life.uses.empty())
                intervals.push_back(std::move(life));
        }
        if (output_bytes[i] > 0 && output_hosts[k] >= 0 && alone[k] > 0) {
            Interval write{end, end + delay[k] + output_bytes[i] / alone[k], {}};
            for (const auto l : output_routes[k].links)
                write.uses.push_back({l, 1.0});
            if (output_write_bw[k] > 0)
                write.uses.push_back({disk[k], 1.0});
            write_of[i] = intervals.size();
            intervals.push_back(std::move(write));
        }
    }

    // Sweep: at each time, every interval that begins or ends then is applied, then the writes
    // beginning then are looked at (so that writes of the same instant see each other).
    struct Event {
        double t;
        std::size_t interval;
        bool begins;
    };
    std::vector<Event> events;
    events.reserve(2 * intervals.size());
    for (std::size_t k = 0; k < intervals.size(); ++k) {
        events.push_back({intervals[k].begin, k, true});
        events.push_back({intervals[k].end, k, false});
    }
    std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.t < b.t; });
    std::vector<std::size_t> writers; // jobs with a write, by its time
    for (std::size_t i = 0; i < n; ++i)
        if (write_of[i] != SIZE_MAX)
            writers.push_back(i);
    std::sort(writers.begin(), writers.end(), [&](std::size_t a, std::size_t b) {
        return intervals[write_of[a]].begin < intervals[write_of[b]].begin;
    });
    std::vector<double> active(links + p.host_count(), 0.0);
    std::size_t e = 0, w = 0;
    while (w < writers.size()) {
        const double t = intervals[write_of[writers[w]]].begin;
        for (; e < events.size() && events[e].t <= t; ++e)
            for (const Use& u : intervals[events[e].interval].uses)
                active[u.resource] += events[e].begins ? u.weight : -u.weight;
        for (; w < writers.size() && intervals[write_of[writers[w]]].begin <= t; ++w) {
            const std::size_t i = writers[w];
            const auto k = static_cast<std::size_t>(placed[i].worker);
            // its own write is counted in `active`
            const double rate = write_rate(
                p, c, output_routes[k], output_write_bw[k], [&](std::size_t l) { return active[l]; },
                active[disk[k]]);
            out[i] = rate > 0 ? delay[k] + output_bytes[i] / rate : 0.0;
        }
    }

    // Jobs that wait start after the first burst, when its readers are mostly done: their write
    // alone, at the workers' mean delay and time per byte (measured: the placed writers' mean
    // time per byte overestimated their writes 4–6×, the alone rate 0.8–1.3×).
    double d = 0, per_byte = 0;
    std::size_t m = 0;
    for (std::size_t k = 0; k < workers; ++k)
        if (output_hosts[k] >= 0 && alone[k] > 0) {
            d += delay[k];
            per_byte += 1 / alone[k];
            ++m;
        }
    if (m > 0)
        for (std::size_t i = 0; i < n; ++i)
            if (placed[i].worker < 0 && output_bytes[i] > 0)
                out[i] = (d + per_byte * output_bytes[i]) / static_cast<double>(m);
    return out;
}

} // namespace hepkit::surrogate::detail
