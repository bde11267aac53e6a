// Each job's output write time (PlacedOutputs.hpp): a sweep over the placed jobs' reading lives
// and writes in time order, each write at its equal or max-min share (MaxMin.hpp) of the flows
// then.
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
};

// A streaming reader's reads in time, from its start, as the simulator streams its files one
// after another (sim::GridSimulation::stream_step; it does not prefetch across files): with
// prefetch, of each file the first block read alone, then block b + 1 read while block b computes,
// then the last block's compute alone; without, each block read, then computed. A block's read is
// the job's transfer t by its share of the bytes, its compute the job's compute c by that share
// plus the XRootD overhead, `per_s` seconds per second of its read (read-time model) or of its
// step from its read's start to its compute's start (`over_steps`: `dcsim` with prefetch) — the
// steps of duration_on (TimedPlacement.cpp), so the schedule's length is the job's duration up to
// its blocks (duration_on takes 1 / u equal blocks in one file); it is stretched to `duration`.
// Approximations: equal blocks (the simulator reads whole blocks and a remainder last, or a
// whole last block with `dcsim_block_sizes`), and each block from every route the job reads by
// the hit rate's share, where the simulator reads the staged first files from the cache. At most
// 64 blocks per job: beyond 64 files consecutive files are taken together as one block, and a file
// of more than 64 / files blocks is followed as that many (the pattern's period grows; the
// sweep's cost stays bounded at 10^4 jobs). Touching reads are merged. Empty where the
// files are not known or not valid (StreamedFiles): the reader's duty then.
std::vector<std::pair<double, double>> reads_in_time(const StreamedFiles& s, double t, double c, double per_s,
                                                     bool over_steps, double duration) {
    std::vector<StreamedFiles::File> files;
    const std::size_t per_group = (s.files.size() + 63) / 64; // files taken together
    for (std::size_t i = 0; i < s.files.size(); ++i) {
        const auto& f = s.files[i];
        if (!(std::isfinite(f.share) && f.share >= 0 && std::isfinite(f.blocks) && f.blocks >= 1))
            return {};
        if (i % per_group == 0)
            files.push_back({0, 0});
        files.back().share += f.share;
        files.back().blocks = std::round(f.blocks); // (capped below: 1 where files go together)
    }
    const double most = std::floor(64 / static_cast<double>(std::max<std::size_t>(1, files.size())));
    for (auto& f : files)
        f.blocks = std::min(f.blocks, most);
    std::vector<std::pair<double, double>> reads;
    double tau = 0;
    const auto read = [&](double tb) {
        if (!reads.empty() && !(tau > reads.back().second))
            reads.back().second = tau + tb;
        else
            reads.push_back({tau, tau + tb});
    };
    for (const auto& f : files) {
        const double tb = t * f.share / f.blocks, cb = c * f.share / f.blocks;
        const auto blocks = static_cast<long>(f.blocks);
        const auto compute = [&](double step) { return cb + per_s * (over_steps ? step : tb); };
        if (!s.prefetch) {
            for (long b = 0; b < blocks; ++b) {
                read(tb);
                tau += tb + compute(tb);
            }
            continue;
        }
        read(tb);
        tau += tb;
        double last = compute(tb);
        for (long b = 1; b < blocks; ++b) { // compute block b − 1 while reading block b
            read(tb);
            const double step = std::max(last, tb);
            tau += step;
            last = compute(step);
        }
        tau += last;
    }
    if (!(tau > 0) || !std::isfinite(tau))
        return {};
    const double scale = duration / tau;
    for (auto& [a, b] : reads) {
        a *= scale;
        b *= scale;
    }
    return reads;
}

} // namespace

PlacedWrites placed_outputs(const sim::Platform& p, const ReadContext& c,
                            const std::vector<sim::JobGroup>& jobs, const std::vector<PlacedJob>& placed,
                            const std::vector<double>& output_bytes,
                            std::span<const std::uint8_t> reads_first,
                            std::span<const StreamedFiles> streams) {
    const std::size_t n = jobs.size();
    if (!reads_first.empty() && reads_first.size() != n)
        throw std::logic_error("placed_outputs: reads_first needs one flag per job");
    if (!streams.empty() && streams.size() != n)
        throw std::logic_error("placed_outputs: streams needs one entry per job");
    PlacedWrites out{std::vector<double>(n, 0.0), std::vector<double>(n, 0.0), std::vector<double>(n, 0.0)};
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

    // The placed jobs' reading lives and writes (the writes at their time alone); `waves`: each
    // streaming reader's reads in time where its files are known (reads_in_time), not its duty.
    std::vector<Interval> intervals;
    std::vector<std::size_t> write_of(n, SIZE_MAX); // the job's write interval
    const auto lives = [&](bool waves) {
        intervals.clear();
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
                const bool first = !reads_first.empty() && reads_first[i];
                const double duty =
                    first || !(q.duration_s > q.transfer_s) ? 1.0 : q.transfer_s / q.duration_s;
                const double read_end = first ? begin + q.transfer_s : end;
                const double hit = (*c.cached)[k] ? h : 0.0;
                const std::size_t ns = (*c.storage_routes_in)[k].size(), nh = (*c.cache_routes_in)[k].size();
                std::vector<std::pair<double, double>> reads;
                if (waves && !first && !streams.empty() && !streams[i].files.empty()) {
                    const double speed = q.compute_s > 0 ? jobs[i].flops / q.compute_s : 0;
                    const double per_s = speed > 0 ? c.xrd_flops_per_time / speed : 0;
                    reads = reads_in_time(streams[i], q.transfer_s, q.compute_s, per_s, c.xrd_over_steps,
                                          q.duration_s);
                }
                for (std::size_t j = 0; j < ns + nh; ++j) {
                    const double share =
                        j < ns ? (1 - hit) / static_cast<double>(ns) : hit / static_cast<double>(nh);
                    if (!(share > 0))
                        continue;
                    if (reads.empty())
                        intervals.push_back({begin, read_end, first_read[k] + j, share * duty});
                    for (const auto& [from, to] : reads)
                        intervals.push_back({begin + from, begin + to, first_read[k] + j, share});
                }
            }
            if (output_bytes[i] > 0 && output_hosts[k] >= 0 && alone[k] > 0) {
                write_of[i] = intervals.size();
                intervals.push_back({end, end + delay[k] + output_bytes[i] / alone[k], write_class[k], 1.0});
            }
        }
    };

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
    const auto seconds = [&](std::size_t i, double x) {
        const auto k = static_cast<std::size_t>(placed[i].worker);
        return x > 0 ? delay[k] + output_bytes[i] / (x * c.bandwidth_factor) : 0.0;
    };
    // Sweep: at each time, every interval that begins or ends then is applied, then the writes
    // beginning then are looked at (so that writes of the same instant see each other).
    struct Event {
        double t;
        std::size_t interval;
        bool begins;
    };
    const auto sweep = [&](bool waves) {
        lives(waves);
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
        std::fill(m.begin(), m.end(), 0.0);
        std::size_t e = 0, w = 0;
        while (w < writers.size()) {
            const double t = intervals[write_of[writers[w]]].begin;
            for (; e < events.size() && events[e].t <= t; ++e) {
                const Interval& iv = intervals[events[e].interval];
                m[iv.cls] = std::max(0.0, m[iv.cls] + (events[e].begins ? iv.weight : -iv.weight));
            }
            // its own write is counted in m
            const std::vector<double> rate = flows.max_min(m);
            for (; w < writers.size() && intervals[write_of[writers[w]]].begin <= t; ++w) {
                const std::size_t i = writers[w];
                const auto k = static_cast<std::size_t>(placed[i].worker);
                if (waves) {
                    out.waves[i] = seconds(i, rate[write_class[k]]);
                    continue;
                }
                out.equal[i] = seconds(i, equal_share(k));
                out.max_min[i] = seconds(i, rate[write_class[k]]);
            }
        }
    };
    sweep(false);
    // Without a streaming reader whose files are known the second sweep would repeat the first.
    if (std::any_of(streams.begin(), streams.end(), [](const StreamedFiles& f) { return !f.files.empty(); }))
        sweep(true);
    else
        out.waves = out.max_min;

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
                out.equal[i] = out.max_min[i] = out.waves[i] =
                    (d + per_byte * output_bytes[i]) / static_cast<double>(count);
    return out;
}

} // namespace hepkit::surrogate::detail
