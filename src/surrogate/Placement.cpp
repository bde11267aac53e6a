// The `pack_*` features (Placement.hpp). Why: the older transfer estimate shared each link among
// every worker core behind it, read or not, and spread the jobs over a site's workers in
// proportion to their cores; the dispatcher fills a site's workers one after another (first fit,
// sim/batch/Dispatcher.cpp), so 46 one-core readers may share one worker's link while the next
// workers run none — on the unseen one-site platform that estimate was 8× the simulated mean
// input transfer time with a spread of a factor 2 (docs/surrogate.md, "Placed reads").
#include "Placement.hpp"
#include "PlatformFacts.hpp"
#include "hepkit/sim/data/InputRouter.hpp"
#include "hepkit/sim/network/NetworkModel.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

namespace hepkit::surrogate::detail {

namespace {

struct Site {
    sim::ZoneIndex zone{};
    std::vector<std::size_t> workers; ///< indices into the worker list, in its order
    double cores = 0, busy = 0, jobs = 0;
};

class Packer {
  public:
    Packer(const sim::Platform& p, const ReadContext& c) : p_(p), c_(c) {
        const auto& workers = *c.workers;
        free_.resize(workers.size());
        jobs_.assign(workers.size(), 0.0);
        readers_.assign(workers.size(), 0.0);
        bytes_.assign(workers.size(), 0.0);
        reader_compute_.assign(workers.size(), 0.0);
        for (std::size_t k = 0; k < workers.size(); ++k) {
            const auto& h = p.host(workers[k]);
            free_[k] = h.cores;
            const sim::ZoneIndex z = p.host_zone(workers[k]);
            auto it = std::find_if(sites_.begin(), sites_.end(), [&](const Site& s) { return s.zone == z; });
            if (it == sites_.end()) {
                sites_.push_back(Site{z, {}, 0, 0, 0});
                it = sites_.end() - 1;
            }
            it->workers.push_back(k);
            it->cores += h.cores;
            site_of_.push_back(static_cast<std::size_t>(it - sites_.begin()));
        }
        if (c.policy == sim::DispatchPolicy::dcsim) { // the only policy that reads the names
            by_name_.resize(workers.size());
            std::iota(by_name_.begin(), by_name_.end(), std::size_t{0});
            std::stable_sort(by_name_.begin(), by_name_.end(), [&](std::size_t a, std::size_t b) {
                return p.host(workers[a]).id < p.host(workers[b]).id;
            });
        }
    }

    /// Keeps, per placed item (a group, or a job placed as a group of one), where it went.
    void record(std::size_t items) { puts_.assign(items, {}); }

    void place(const sim::JobGroup& g, std::size_t item) {
        item_ = item;
        if (g.jobs == 0)
            return;
        const double n = static_cast<double>(g.jobs);
        const double cores = std::max(1.0, g.cores / n);
        const double in = g.reads ? g.input_bytes / n : 0;
        const double flops = g.flops / n;
        double left = n;
        const auto fill = [&](const std::vector<std::size_t>& order, double want) {
            for (const std::size_t k : order) {
                if (want <= 0)
                    break;
                const double take = std::min(want, std::floor(free_[k] / cores + 1e-9));
                if (take <= 0)
                    continue;
                put(k, take, cores, in, flops, g);
                want -= take;
                left -= take;
            }
        };
        if (c_.policy == sim::DispatchPolicy::dcsim) {
            fill(by_name_, left);
            return;
        }
        if (g.jobs == 1) { // one job: whole, on the site the dispatcher picks (no levelling of parts)
            place_one(cores, in, flops, g);
            return;
        }
        if (c_.policy == sim::DispatchPolicy::data_locality && g.reads)
            for (const Site& s : sites_)
                if (holds_data(s))
                    fill(s.workers, left);
        // Least-loaded: the level L of busy cores over cores that the sites reach together with
        // the jobs left, each site taking (L·cores − busy)/job cores, at most what fits in it.
        // Round-robin: the same with the sites' job counts instead of their shares of busy cores.
        const bool counts = c_.policy == sim::DispatchPolicy::round_robin;
        std::vector<double> fits(sites_.size(), 0.0);
        double can = 0;
        for (std::size_t s = 0; s < sites_.size(); ++s) {
            for (const std::size_t k : sites_[s].workers)
                fits[s] += std::floor(free_[k] / cores + 1e-9);
            can += fits[s];
        }
        const double want = std::min(left, can);
        if (want <= 0)
            return;
        const auto taken = [&](double level, std::size_t s) {
            const double room =
                counts ? level - sites_[s].jobs : (level * sites_[s].cores - sites_[s].busy) / cores;
            return std::clamp(room, 0.0, fits[s]);
        };
        double lo = 0, hi = 1;
        if (counts) // a level of job counts reached by every site's jobs and what fits
            for (std::size_t s = 0; s < sites_.size(); ++s)
                hi = std::max(hi, sites_[s].jobs + fits[s]);
        for (int it = 0; it < 60; ++it) { // bisection: a relative 1e-18 of the level
            const double mid = 0.5 * (lo + hi);
            double sum = 0;
            for (std::size_t s = 0; s < sites_.size(); ++s)
                sum += taken(mid, s);
            (sum < want ? lo : hi) = mid;
        }
        for (std::size_t s = 0; s < sites_.size(); ++s) {
            // first fit within the site, the last worker taking the fraction of a job left
            double share = taken(hi, s);
            for (const std::size_t k : sites_[s].workers) {
                if (share <= 0)
                    break;
                const double take = std::min(share, std::floor(free_[k] / cores + 1e-9));
                if (take > 0)
                    put(k, take, cores, in, flops, g);
                share -= take;
            }
        }
    }

    PackedReads reads() {
        const auto& workers = *c_.workers;
        const double h = std::clamp(c_.hitrate, 0.0, 1.0);
        // a worker's share of hits: the hit rate where a cache is in its scope (InputRouter reads
        // only those), none elsewhere
        const auto hit_of = [&](std::size_t k) { return (*c_.cached)[k] ? h : 0.0; };
        // readers per link: each worker's readers split evenly over its routes, misses to the
        // storage hosts and hits to the caches in its scope
        std::vector<double> load(p_.link_count(), 0.0);
        const auto add = [&](const std::vector<sim::Route>& routes, double readers) {
            for (const auto& r : routes)
                for (const auto l : r.links)
                    load[l] += readers / static_cast<double>(routes.size());
        };
        double total = 0, missing = 0, hitting = 0; // readers, of them from storage, from caches
        for (std::size_t k = 0; k < workers.size(); ++k) {
            total += readers_[k];
            missing += readers_[k] * (1 - hit_of(k));
            hitting += readers_[k] * hit_of(k);
            add((*c_.storage_routes)[k], readers_[k] * (1 - hit_of(k)));
            add((*c_.cache_routes)[k], readers_[k] * hit_of(k));
        }
        PackedReads out;
        out.readers = total;
        per_byte_.assign(workers.size(), 0.0); // a placed reader's seconds per input byte
        if (total <= 0)
            return finish(out);
        // The bandwidth of a reader's routes and disk: shared by `readers` on each link (load) and
        // the disk, or alone (its route's bottleneck, the whole disk).
        const auto share = [&](const std::vector<sim::Route>& routes, double disk_bw, double disk_readers,
                               bool alone) {
            double route = 0;
            for (const auto& r : routes) {
                double least = 0;
                for (const auto l : r.links)
                    if (load[l] > 0) {
                        const double x = p_.link(l).bandwidth / (alone ? 1.0 : load[l]);
                        least = least == 0 ? x : std::min(least, x);
                    }
                route += least / static_cast<double>(routes.size());
            }
            const double disk = disk_readers > 0 ? disk_bw / (alone ? 1.0 : disk_readers) : 0;
            return route > 0 && disk > 0 ? std::min(route, disk) : std::max(route, disk);
        };
        const auto seconds = [&](std::size_t k, double bytes, bool alone) {
            const double hit = hit_of(k), miss = 1 - hit;
            const double miss_bw = share((*c_.storage_routes)[k], c_.storage_bw, missing, alone);
            const double hit_bw = hit > 0 ? share((*c_.cache_routes)[k], c_.cache_bw, hitting, alone) : 0;
            return bytes * ((miss > 0 && miss_bw > 0 ? miss / miss_bw : 0) +
                            (hit > 0 && hit_bw > 0 ? hit / hit_bw : 0));
        };
        double crowd = 0, alone = 0, compute = 0, mean = 0;
        for (std::size_t k = 0; k < workers.size(); ++k) {
            if (readers_[k] <= 0)
                continue;
            const double per_reader = bytes_[k] / readers_[k];
            const double all = seconds(k, per_reader, false), one = seconds(k, per_reader, true);
            const double c = reader_compute_[k] / readers_[k];
            // A streaming job reads its next block while it computes the last one, so the others
            // read only part of the time: its reads take their time alone plus the time with all
            // at once weighted by the share of time the others read, all / (c + all) — the reads'
            // duty cycle were every read as slow as with all at once. On the study's data this
            // follows the simulated mean input transfer time within a factor 1.5 (log-sd 0.40) on
            // random and one-site platforms alike, where all at once is off by 0.6 and alone by
            // 0.8 (docs/surrogate.md, "Placed reads").
            const double t = one + (c + all > 0 ? all * all / (c + all) : 0);
            crowd += readers_[k] * all;
            alone += readers_[k] * one;
            compute += reader_compute_[k];
            mean += readers_[k] * t;
            out.transfer_max_s = std::max(out.transfer_max_s, t);
            per_byte_[k] = per_reader > 0 ? t / per_reader : 0;
        }
        out.transfer_crowd_s = crowd / total;
        out.transfer_alone_s = alone / total;
        out.reader_compute_s = compute / total;
        out.transfer_mean_s = mean / total;
        return finish(out);
    }

  private:
    void put(std::size_t k, double jobs, double cores, double in, double flops, const sim::JobGroup& g) {
        const bool reads = g.reads;
        free_[k] -= jobs * cores;
        sites_[site_of_[k]].busy += jobs * cores;
        sites_[site_of_[k]].jobs += jobs;
        jobs_[k] += jobs;
        // streaming and copy jobs compute on one core, calculations on all theirs (DCSim)
        const double speed =
            p_.host((*c_.workers)[k]).speed * (reads && !c_.compute_on_all_cores ? 1 : cores);
        const double seconds = speed > 0 ? jobs * flops / speed : 0;
        compute_ += seconds;
        if (!puts_.empty())
            puts_[item_].push_back(Put{k, jobs, seconds});
        compute_end_max_ = std::max(compute_end_max_, g.submit + (speed > 0 ? g.flops_max / speed : 0));
        if (reads) {
            readers_[k] += jobs;
            bytes_[k] += jobs * in;
            reader_compute_[k] += seconds;
        }
    }

    // One job as sim::Dispatcher::pick places it: data-locality first fit over the sites holding
    // data, then (as least-loaded) the site of the lowest share of busy cores with room, ties to
    // the first; round-robin the next site with room from a cursor; first fit within the site.
    void place_one(double cores, double in, double flops, const sim::JobGroup& g) {
        const auto first_fit = [&](const Site& s) -> std::optional<std::size_t> {
            for (const std::size_t k : s.workers)
                if (free_[k] + 1e-9 >= cores)
                    return k;
            return std::nullopt;
        };
        if (c_.policy == sim::DispatchPolicy::round_robin) {
            for (std::size_t i = 0; i < sites_.size(); ++i) {
                const std::size_t s = (cursor_ + i) % sites_.size();
                if (const auto k = first_fit(sites_[s])) {
                    cursor_ = (s + 1) % sites_.size();
                    put(*k, 1, cores, in, flops, g);
                    return;
                }
            }
            return;
        }
        if (c_.policy == sim::DispatchPolicy::data_locality && g.reads)
            for (const Site& s : sites_)
                if (holds_data(s))
                    if (const auto k = first_fit(s)) {
                        put(*k, 1, cores, in, flops, g);
                        return;
                    }
        std::optional<std::size_t> best;
        double best_load = 2;
        for (const Site& s : sites_) {
            const double load = s.busy / std::max(1.0, s.cores);
            if (load >= best_load)
                continue;
            if (const auto k = first_fit(s)) {
                best = k;
                best_load = load;
            }
        }
        if (best)
            put(*best, 1, cores, in, flops, g);
    }

    bool holds_data(const Site& s) const {
        for (const auto* hosts : {c_.storages, c_.caches})
            for (const auto h : *hosts)
                if (p_.host_zone(h) == s.zone)
                    return true;
        return false;
    }

    PackedReads finish(PackedReads out) const {
        const double placed = std::accumulate(jobs_.begin(), jobs_.end(), 0.0);
        out.compute_mean_s = placed > 0 ? compute_ / placed : 0;
        // Where every job runs at once, the makespan is the end of the slowest one — a maximum
        // over the drawn jobs, which means do not carry (docs/surrogate.md, ninth session).
        out.compute_end_max_s = compute_end_max_;
        return out;
    }

    struct Put {
        std::size_t worker = 0;
        double jobs = 0, seconds = 0;
    };

  public:
    /// After reads(): what placed_jobs reports of item i (a job placed as a group of one).
    PlacedJob job(std::size_t i, const sim::JobGroup& g) const {
        const auto& workers = *c_.workers;
        PlacedJob out;
        out.start_s = g.submit;
        double per_byte = 0;
        for (const Put& u : puts_[i]) {
            out.placed += u.jobs;
            out.compute_s += u.seconds;
            per_byte += u.jobs * per_byte_[u.worker];
        }
        if (out.placed > 0) {
            if (puts_[i].size() == 1 && g.jobs == 1 && out.placed == 1)
                out.worker = static_cast<int>(puts_[i].front().worker);
            out.compute_s /= out.placed;
            per_byte /= out.placed;
        } else { // waits: the workers' mean speed, the placed readers' mean rate
            double cores = 0, rate = 0, readers = 0;
            for (std::size_t k = 0; k < workers.size(); ++k) {
                const auto& h = p_.host(workers[k]);
                cores += h.cores;
                rate += h.cores * h.speed;
                readers += readers_[k];
                per_byte += readers_[k] * per_byte_[k];
            }
            per_byte = readers > 0 ? per_byte / readers : 0;
            const double speed = (cores > 0 ? rate / cores : 0) *
                                 (g.reads && !c_.compute_on_all_cores ? 1 : std::max(1.0, g.cores));
            out.compute_s = speed > 0 ? g.flops / speed : 0;
        }
        out.transfer_s = g.reads ? g.input_bytes * per_byte : 0;
        out.transfer_alone_s = out.transfer_crowd_s = out.transfer_shared_s = out.transfer_s;
        out.duration_s = out.compute_s + out.transfer_s;
        return out;
    }

  private:
    const sim::Platform& p_;
    const ReadContext& c_;
    double compute_end_max_ = 0;
    std::size_t cursor_ = 0;             ///< round-robin's next site, for jobs placed one by one
    std::vector<std::vector<Put>> puts_; ///< per item, where record() asked for it
    std::size_t item_ = 0;
    std::vector<double> per_byte_; ///< per worker, after reads()
    std::vector<Site> sites_;
    std::vector<std::size_t> site_of_, by_name_;
    std::vector<double> free_, jobs_, readers_, bytes_, reader_compute_;
    double compute_ = 0;
};

} // namespace

namespace {

void place_all(Packer& packer, const std::vector<sim::JobGroup>& groups) {
    std::vector<std::size_t> order(groups.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return groups[a].submit < groups[b].submit; });
    for (const std::size_t g : order)
        packer.place(groups[g], g);
}

} // namespace

PackedReads packed_reads(const sim::Platform& p, const std::vector<sim::JobGroup>& groups,
                         const ReadContext& c) {
    Packer packer(p, c);
    place_all(packer, groups);
    return packer.reads();
}

std::vector<PlacedJob> placed_jobs(const sim::Platform& p, const std::vector<sim::JobGroup>& jobs,
                                   const ReadContext& c) {
    Packer packer(p, c);
    packer.record(jobs.size());
    place_all(packer, jobs);
    packer.reads();
    std::vector<PlacedJob> out(jobs.size());
    for (std::size_t i = 0; i < jobs.size(); ++i)
        out[i] = packer.job(i, jobs[i]);
    return out;
}

ReadContext context_over(const std::vector<sim::HostIndex>& workers,
                         const std::vector<sim::HostIndex>& storages,
                         const std::vector<sim::HostIndex>& caches,
                         const std::vector<std::vector<sim::Route>>& storage_routes,
                         const std::vector<std::vector<sim::Route>>& cache_routes,
                         const std::vector<char>& cached) {
    ReadContext c;
    c.workers = &workers;
    c.storages = &storages;
    c.caches = &caches;
    c.storage_routes = &storage_routes;
    c.cache_routes = &cache_routes;
    c.cached = &cached;
    return c;
}

ReadSetup::ReadSetup(const sim::GridScenario& s, bool outputs) {
    const sim::Platform& p = *s.platform;
    double storage_bw = 0, cache_bw = 0;
    for (sim::HostIndex h = 0; h < p.host_count(); ++h) {
        const auto& spec = p.host(h);
        if (has_role(spec, "worker"))
            workers.push_back(h);
        if (has_role(spec, "storage")) {
            storages.push_back(h);
            for (const auto& d : spec.disks)
                storage_bw += d.read_bw;
        }
        if (has_role(spec, "cache")) {
            caches.push_back(h);
            for (const auto& d : spec.disks)
                cache_bw += d.read_bw;
        }
    }
    storage_routes.resize(workers.size());
    cache_routes.resize(workers.size());
    cached.assign(workers.size(), 0);
    for (std::size_t k = 0; k < workers.size(); ++k) {
        storage_routes[k] = routes_from(p, workers[k], storages);
        // the caches this worker reads hits from (the simulator's rule, sim::in_cache_scope)
        std::vector<sim::HostIndex> in_scope;
        for (const auto c : caches)
            if (sim::in_cache_scope(p, s.options.cache.scope, workers[k], c))
                in_scope.push_back(c);
        cached[k] = in_scope.empty() ? 0 : 1;
        cache_routes[k] = routes_from(p, workers[k], in_scope);
    }
    context = context_over(workers, storages, caches, storage_routes, cache_routes, cached);
    context.compute_on_all_cores = s.options.jobs.compute_on_all_cores;
    context.storage_bw = storage_bw;
    context.cache_bw = cache_bw;
    context.hitrate = s.options.cache.hitrate;
    context.policy = s.options.dispatcher.policy;
    context.backfill_depth = s.options.queue.backfill_depth;
    context.xrd_flops_per_time = s.options.streaming.xrd_flops_per_time;
    context.xrd_over_steps =
        s.options.streaming.xrd_overhead == sim::XrdOverhead::dcsim && s.options.streaming.prefetch;
    if (!outputs)
        return;
    storage_routes_in.resize(workers.size());
    cache_routes_in.resize(workers.size());
    storage_sources_in.resize(workers.size());
    cache_sources_in.resize(workers.size());
    for (std::size_t k = 0; k < workers.size(); ++k) {
        for (const auto h : storages)
            for (auto& r : routes_from(p, h, {workers[k]})) {
                storage_routes_in[k].push_back(std::move(r));
                storage_sources_in[k].push_back(h);
            }
        for (const auto h : caches)
            if (sim::in_cache_scope(p, s.options.cache.scope, workers[k], h))
                for (auto& r : routes_from(p, h, {workers[k]})) {
                    cache_routes_in[k].push_back(std::move(r));
                    cache_sources_in[k].push_back(h);
                }
    }
    // Where each worker's outputs go: sim::OutputRouter's rule (the configured output host, else
    // the first storage host; with to_site_storage a storage host in the worker's zone first).
    int output_host = -1;
    if (!s.options.output_storage.host.empty()) {
        if (const auto h = p.find_host(s.options.output_storage.host))
            output_host = static_cast<int>(*h);
    } else if (!storages.empty()) {
        output_host = static_cast<int>(storages.front());
    }
    output_routes.resize(workers.size());
    output_routes_back.resize(workers.size());
    output_hosts.assign(workers.size(), -1);
    output_write_bw.assign(workers.size(), 0.0);
    for (std::size_t k = 0; k < workers.size(); ++k) {
        int target = output_host;
        if (s.options.output_storage.to_site_storage)
            for (const auto h : storages)
                if (p.host_zone(h) == p.host_zone(workers[k])) {
                    target = static_cast<int>(h);
                    break;
                }
        if (target < 0)
            continue;
        const auto t = static_cast<sim::HostIndex>(target);
        output_hosts[k] = target;
        if (auto routes = routes_from(p, workers[k], {t}); !routes.empty())
            output_routes[k] = std::move(routes.front());
        if (auto back = routes_from(p, t, {workers[k]}); !back.empty())
            output_routes_back[k] = std::move(back.front());
        if (!p.host(t).disks.empty())
            output_write_bw[k] = p.host(t).disks.front().write_bw;
    }
    context.storage_routes_in = &storage_routes_in;
    context.cache_routes_in = &cache_routes_in;
    context.storage_sources_in = &storage_sources_in;
    context.cache_sources_in = &cache_sources_in;
    context.output_routes = &output_routes;
    context.output_hosts = &output_hosts;
    context.output_write_bw = &output_write_bw;
    sim::NetworkModel::Config network;
    network.apply(p.config());
    context.latency_factor = network.latency_factor;
    context.tcp_gamma = network.tcp_gamma;
    if (network.crosstraffic)
        context.output_routes_back = &output_routes_back;
    context.bandwidth_factor = network.bandwidth_factor;
}

} // namespace hepkit::surrogate::detail
