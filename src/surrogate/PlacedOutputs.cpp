// Each job's output write time (PlacedOutputs.hpp): a sweep over the placed jobs' reading lives
// and writes in time order, each write at its equal share of the flows at its start; then the
// writes as max-min flows (MaxMin.hpp) in time, their rates solved again at every change.
#include "PlacedOutputs.hpp"
#include "MaxMin.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>

namespace hepkit::surrogate::detail {

namespace {

// A class's flows present from begin to end, `weight` of them.
struct Interval {
    double begin = 0, end = 0;
    std::size_t cls = 0;
    double weight = 0;
    bool write = false; ///< a write at its time alone (the equal shares' sweep); else a read
};

} // namespace

PlacedWrites placed_outputs(const sim::Platform& p, const ReadContext& c,
                            const std::vector<sim::JobGroup>& jobs, const std::vector<PlacedJob>& placed,
                            const std::vector<double>& output_bytes,
                            std::span<const std::uint8_t> reads_first, std::span<const double> final_s) {
    const std::size_t n = jobs.size();
    if (!reads_first.empty() && reads_first.size() != n)
        throw std::logic_error("placed_outputs: reads_first needs one flag per job");
    if (!final_s.empty() && final_s.size() != n)
        throw std::logic_error("placed_outputs: final_s needs one value per job");
    PlacedWrites out{std::vector<double>(n, 0.0), std::vector<double>(n, 0.0)};
    if (!c.output_routes || !c.output_hosts || !c.output_write_bw || !c.storage_routes_in ||
        !c.cache_routes_in)
        return out;
    const std::size_t links = p.link_count();
    const std::size_t workers = c.workers->size();
    const auto& output_routes = *c.output_routes;
    const auto& output_hosts = *c.output_hosts;
    const auto& output_write_bw = *c.output_write_bw;
    // The flow classes: per worker, one per route its input takes (from each storage host, and
    // from each cache in its scope) over that route's links, and its write over its output route's
    // links and its output host's disk, capped by the TCP window γ / 2L (sim::NetworkModel).
    // Past the links, per host: its first disk's write bandwidth, then the disk's resource that
    // its reads and writes share (sim::DiskModel: max(read, write) bandwidth), then its read
    // bandwidth — a write to a storage host that its site's readers stream from gets a share of
    // the shared one too. (The simulator reads and writes disk 0 of a host: its first here.)
    FlowClasses flows;
    const std::size_t hosts = p.host_count();
    flows.capacity.assign(links + 3 * hosts, 0.0);
    for (std::size_t l = 0; l < links; ++l)
        flows.capacity[l] = p.link(static_cast<sim::LinkIndex>(l)).bandwidth;
    const bool shared_disks = c.storage_sources_in && c.cache_sources_in;
    if (shared_disks) {
        const auto parallel = [&](const auto& sources, const auto& routes) {
            if (sources.size() != workers)
                return false;
            for (std::size_t k = 0; k < workers; ++k) {
                if (sources[k].size() != routes[k].size())
                    return false;
                for (const auto h : sources[k])
                    if (h >= hosts)
                        return false;
            }
            return true;
        };
        if (!parallel(*c.storage_sources_in, *c.storage_routes_in) ||
            !parallel(*c.cache_sources_in, *c.cache_routes_in))
            throw std::logic_error(
                "placed_outputs: the inbound routes' source hosts do not match the routes");
    }
    if (c.output_routes_back && c.output_routes_back->size() != workers)
        throw std::logic_error("placed_outputs: a route back per worker expected");
    // the disk resources a read from (or a write to) host h takes besides its links
    const auto disk_of = [&](sim::HostIndex h, bool read, std::vector<std::size_t>& u) {
        const auto& disks = p.host(h).disks;
        if (!shared_disks || disks.empty())
            return;
        const double r = disks.front().read_bw, w = disks.front().write_bw;
        if (std::max(r, w) > 0) {
            flows.capacity[links + hosts + h] = std::max(r, w);
            u.push_back(links + hosts + h);
        }
        if (read && r > 0) {
            flows.capacity[links + 2 * hosts + h] = r;
            u.push_back(links + 2 * hosts + h);
        }
    };
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<std::size_t> first_read(workers), write_class(workers);
    std::vector<double> delay(workers, 0.0), alone(workers, 0.0);
    for (std::size_t k = 0; k < workers; ++k) {
        first_read[k] = flows.uses.size();
        for (const bool cache : {false, true}) {
            const auto& routes = cache ? (*c.cache_routes_in)[k] : (*c.storage_routes_in)[k];
            for (std::size_t j = 0; j < routes.size(); ++j) {
                flows.uses.emplace_back(routes[j].links.begin(), routes[j].links.end());
                flows.cap.push_back(inf);
                if (shared_disks)
                    disk_of((cache ? *c.cache_sources_in : *c.storage_sources_in)[k][j], true,
                            flows.uses.back());
            }
        }
        write_class[k] = flows.uses.size();
        const sim::Route& r = output_routes[k];
        std::vector<std::size_t> u(r.links.begin(), r.links.end());
        if (output_hosts[k] >= 0 && output_write_bw[k] > 0) {
            const std::size_t disk = links + static_cast<std::size_t>(output_hosts[k]);
            flows.capacity[disk] = output_write_bw[k];
            u.push_back(disk);
            disk_of(static_cast<sim::HostIndex>(output_hosts[k]), false, u);
        }
        // cross-traffic: the links of the way back too (once: on a shared link it is the same)
        if (c.output_routes_back)
            for (const auto l : (*c.output_routes_back)[k].links)
                if (std::find(u.begin(), u.end(), static_cast<std::size_t>(l)) == u.end())
                    u.push_back(l);
        flows.uses.push_back(std::move(u));
        flows.cap.push_back(
            !r.links.empty() && r.latency > 0 && c.tcp_gamma > 0 ? c.tcp_gamma / (2 * r.latency) : inf);
        delay[k] = r.latency * c.latency_factor;
    }
    // each worker's write alone: its delay, then its bytes at its route's, window's and disk's least
    std::vector<double> m(flows.uses.size(), 0.0);
    for (std::size_t k = 0; k < workers; ++k) {
        m[write_class[k]] = 1;
        alone[k] = flows.max_min(m)[write_class[k]] * c.bandwidth_factor;
        m[write_class[k]] = 0;
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
        const double begin = q.start_s, end = begin + q.duration_s;
        if (jobs[i].reads && q.transfer_s > 0) {
            // A streaming reader reads for the share of its life it reads, each route an equal part
            // of its misses or hits. (Tried for every reader: reading all the time while reading at
            // all, or only at the start, or for max(compute, transfer), and the flows' shares
            // weighted by 1 / their sharing penalty (RTT unfairness): each spread the estimates of
            // the study's writes more.) A copy job (`reads_first`) reads whole before it computes,
            // so it holds its routes at its full share while it reads and not after: taken as a
            // streaming reader, copy jobs still held the way back of the writes at their ends
            // (since the fourteenth session's cross-traffic), and the reprocessing writes of the
            // unseen platform were estimated 2.3–2.8× too long in the samples with busy node links
            // (fifteenth session: max-min log-sd of their writes 0.32 → 0.11).
            // A streaming reader computes its last block alone at the end of its life: the writes
            // of the jobs that end beside it do not meet its read then (twenty-fourth session: on
            // the unseen platform the analysis writes' max-min estimate, given the simulated
            // schedule, 0.28 → 0.18 relative MAE).
            const bool first = !reads_first.empty() && reads_first[i];
            const double last = first || final_s.empty()
                                    ? 0.0
                                    : std::clamp(final_s[i], 0.0, std::max(0.0, q.duration_s - q.transfer_s));
            const double reading = q.duration_s - last;
            const double duty = first || !(reading > q.transfer_s) ? 1.0 : q.transfer_s / reading;
            const double read_end = first ? begin + q.transfer_s : end - last;
            const double hit = (*c.cached)[k] ? h : 0.0;
            const std::size_t ns = (*c.storage_routes_in)[k].size(), nh = (*c.cache_routes_in)[k].size();
            for (std::size_t j = 0; j < ns + nh; ++j) {
                const double share =
                    j < ns ? (1 - hit) / static_cast<double>(ns) : hit / static_cast<double>(nh);
                if (share > 0)
                    intervals.push_back({begin, read_end, first_read[k] + j, share * duty});
            }
        }
        if (output_bytes[i] > 0 && output_hosts[k] >= 0 && alone[k] > 0) {
            write_of[i] = intervals.size();
            intervals.push_back(
                {end, end + delay[k] + output_bytes[i] / alone[k], write_class[k], 1.0, true});
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
    // (at one time, beginnings first: an interval of no length cancels itself)
    std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
        return a.t < b.t || (a.t == b.t && a.begins && !b.begins);
    });
    std::vector<std::size_t> writers; // jobs with a write, by its time
    for (std::size_t i = 0; i < n; ++i)
        if (write_of[i] != SIZE_MAX)
            writers.push_back(i);
    std::sort(writers.begin(), writers.end(), [&](std::size_t a, std::size_t b) {
        return intervals[write_of[a]].begin < intervals[write_of[b]].begin;
    });
    // Equal shares: the least, over the write's resources, of the capacity over the flows on it
    // (at least 1: itself), and its cap.
    std::vector<std::vector<std::size_t>> users(flows.capacity.size()); // per resource, its classes
    for (std::size_t cls = 0; cls < flows.uses.size(); ++cls)
        for (const std::size_t r : flows.uses[cls])
            users[r].push_back(cls);
    const auto equal_share = [&](std::size_t k) {
        double x = flows.cap[write_class[k]];
        for (const std::size_t r : flows.uses[write_class[k]]) {
            double on = 0;
            for (const std::size_t cls : users[r])
                on += m[cls];
            x = std::min(x, flows.capacity[r] / std::max(1.0, on));
        }
        return std::isfinite(x) ? x : 0.0;
    };
    std::size_t e = 0, w = 0;
    while (w < writers.size()) {
        const double t = intervals[write_of[writers[w]]].begin;
        for (; e < events.size() && events[e].t <= t; ++e) {
            const Interval& iv = intervals[events[e].interval];
            m[iv.cls] = std::max(0.0, m[iv.cls] + (events[e].begins ? iv.weight : -iv.weight));
        }
        // its own write is counted in m
        for (; w < writers.size() && intervals[write_of[writers[w]]].begin <= t; ++w) {
            const std::size_t i = writers[w];
            const auto k = static_cast<std::size_t>(placed[i].worker);
            const double x = equal_share(k);
            out.equal[i] = x > 0 ? delay[k] + output_bytes[i] / (x * c.bandwidth_factor) : 0.0;
        }
    }

    // Max-min: the writes as flows in time (twenty-fourth session), the reads as above. At every
    // read that begins or ends, every write that begins and every write whose bytes are through,
    // the rates are solved again, and each write moves on at its class's rate until the next. (Its
    // rate at its start alone missed the writes of the unseen platform's reprocessing jobs that
    // outlast a read: their log-sd 0.102, as flows 0.093.) A write whose class gets no rate (no
    // resource and no cap) is not estimated (0), as before.
    std::vector<double> mf(flows.uses.size(), 0.0), left(n, 0.0), rate;
    std::vector<std::size_t> active; // jobs writing now
    bool solve = true;
    double now = -std::numeric_limits<double>::infinity();
    e = 0;
    w = 0;
    const auto per_s = [&](std::size_t i) { // B/s of job i's write now
        return rate[write_class[static_cast<std::size_t>(placed[i].worker)]] * c.bandwidth_factor;
    };
    for (;;) {
        while (e < events.size() && intervals[events[e].interval].write)
            ++e;
        double next = std::numeric_limits<double>::infinity();
        if (e < events.size())
            next = events[e].t;
        if (w < writers.size())
            next = std::min(next, intervals[write_of[writers[w]]].begin);
        if (solve && !active.empty()) {
            rate = flows.max_min(mf);
            solve = false;
        }
        for (const std::size_t i : active)
            if (per_s(i) > 0)
                next = std::min(next, now + left[i] / per_s(i));
        if (!std::isfinite(next))
            break; // nothing left to happen (a write without a rate stays unestimated)
        // move the writes on to `next`; those whose bytes are through there end
        std::erase_if(active, [&](std::size_t i) {
            const double x = per_s(i);
            if (!(x > 0))
                return false;
            if (now + left[i] / x <= next || left[i] <= x * (next - now) * (1 + 1e-12)) {
                const auto k = static_cast<std::size_t>(placed[i].worker);
                out.max_min[i] = delay[k] + next - intervals[write_of[i]].begin;
                mf[write_class[k]] = std::max(0.0, mf[write_class[k]] - 1);
                solve = true;
                return true;
            }
            left[i] -= x * (next - now);
            return false;
        });
        now = next;
        for (; e < events.size() && events[e].t <= now; ++e) {
            const Interval& iv = intervals[events[e].interval];
            if (iv.write)
                continue;
            mf[iv.cls] = std::max(0.0, mf[iv.cls] + (events[e].begins ? iv.weight : -iv.weight));
            solve = true;
        }
        for (; w < writers.size() && intervals[write_of[writers[w]]].begin <= now; ++w) {
            const std::size_t i = writers[w];
            mf[write_class[static_cast<std::size_t>(placed[i].worker)]] += 1;
            left[i] = output_bytes[i];
            active.push_back(i);
            solve = true;
        }
    }

    // Jobs that wait start after the first burst, when its readers are mostly done: their write
    // alone, at the workers' mean delay and time per byte (measured: the placed writers' mean
    // time per byte overestimated their writes 4–6×, the alone rate 0.8–1.3×).
    double d = 0, per_byte = 0;
    std::size_t count = 0;
    for (std::size_t k = 0; k < workers; ++k)
        if (output_hosts[k] >= 0 && alone[k] > 0) {
            d += delay[k];
            per_byte += 1 / alone[k];
            ++count;
        }
    if (count > 0)
        for (std::size_t i = 0; i < n; ++i)
            if (placed[i].worker < 0 && output_bytes[i] > 0)
                out.equal[i] = out.max_min[i] = (d + per_byte * output_bytes[i]) / static_cast<double>(count);
    return out;
}

} // namespace hepkit::surrogate::detail
