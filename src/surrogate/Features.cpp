// Scenario features for summary-level surrogates: sums and means over the platform's worker,
// storage and cache hosts, its routes from workers to storage, and the drawn workload.

#include "hepkit/surrogate/Features.hpp"

#include "Placement.hpp"
#include "PlatformFacts.hpp"

#include <algorithm>
#include <cmath>

namespace hepkit::surrogate {

using detail::has_role;

namespace {

constexpr std::size_t kClusters = 4; // the largest clusters that get features of their own

double median(std::vector<double> v) {
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

} // namespace

const std::vector<std::string>& feature_names() {
    static const std::vector<std::string> names{"jobs",
                                                "job_cores_mean",
                                                "flops_total",
                                                "flops_per_job",
                                                "input_bytes_total",
                                                "output_bytes_total",
                                                "submit_span_s",
                                                "workers",
                                                "worker_cores",
                                                "flop_rate",
                                                "core_speed_mean",
                                                "sites",
                                                "storage_read_bw",
                                                "cache_read_bw",
                                                "cache_bytes",
                                                "route_bw_mean",
                                                "route_latency_mean",
                                                "link_bw_median",
                                                "link_bw_min",
                                                "latency_max",
                                                "hitrate",
                                                "route_bw_per_core_mean",
                                                "route_bw_per_core_min",
                                                "cache_route_bw_mean",
                                                "cache_route_latency_mean",
                                                "cluster1_cores",
                                                "cluster1_core_speed",
                                                "cluster1_bw_per_core",
                                                "cluster1_latency",
                                                "cluster2_cores",
                                                "cluster2_core_speed",
                                                "cluster2_bw_per_core",
                                                "cluster2_latency",
                                                "cluster3_cores",
                                                "cluster3_core_speed",
                                                "cluster3_bw_per_core",
                                                "cluster3_latency",
                                                "cluster4_cores",
                                                "cluster4_core_speed",
                                                "cluster4_bw_per_core",
                                                "cluster4_latency",
                                                "fill_cores",
                                                "fill_core_speed",
                                                "fill_bw_per_core",
                                                "fill_latency",
                                                "compute_estimate_s",
                                                "transfer_estimate_s",
                                                "work_estimate_s",
                                                "transfer_alone_s",
                                                "pack_readers",
                                                "pack_transfer_crowd_s",
                                                "pack_transfer_mean_s",
                                                "pack_transfer_max_s",
                                                "pack_transfer_alone_s",
                                                "pack_reader_compute_s",
                                                "pack_compute_mean_s",
                                                "pack_compute_end_max_s"};
    return names;
}

std::vector<double> scenario_features(const sim::GridScenario& s) {
    const sim::Platform& p = *s.platform;
    // The workload's totals as build_workload kept them (no walk over 10^4 jobs per prediction).
    const sim::WorkloadTotals t = sim::totals_of(s.workload);
    const double cores = t.cores, flops = t.flops, in = t.input_bytes, out = t.output_bytes,
                 first = t.first_submit, last = t.last_submit;
    const double n = static_cast<double>(t.jobs);
    // the hosts by role, the routes to storage and the disks, as the placement below reads them
    const detail::ReadSetup setup(s);
    const std::vector<sim::HostIndex>&workers = setup.workers, &storages = setup.storages,
          &caches = setup.caches;
    const double storage_bw = setup.context.storage_bw, cache_bw = setup.context.cache_bw;
    double worker_cores = 0, rate = 0, cache_disk = 0;
    std::vector<sim::ZoneIndex> sites;
    for (const auto h : workers) {
        const auto& spec = p.host(h);
        worker_cores += spec.cores;
        rate += spec.cores * spec.speed;
        if (std::find(sites.begin(), sites.end(), p.host_zone(h)) == sites.end())
            sites.push_back(p.host_zone(h));
    }
    for (const auto h : caches)
        for (const auto& d : p.host(h).disks)
            cache_disk += d.size;
    double cache_bytes = 0;
    for (const auto& [host, size] : s.options.cache.sizes)
        cache_bytes += size;
    if (cache_bytes == 0)
        cache_bytes = cache_disk;
    // Routes from each worker to each storage host (computed once: the share below reads them
    // too): the bottleneck bandwidth and the latency, averaged over the storages, then over the
    // workers weighted by their cores. The same to the cache hosts: where a cache sits
    // (`cache_moved`) changes how far its hits travel; a worker that is the cache reads it
    // locally and is left out.
    const std::vector<std::vector<sim::Route>>& routes = setup.storage_routes;
    std::vector<std::vector<sim::Route>> cache_routes(workers.size());
    for (std::size_t k = 0; k < workers.size(); ++k)
        cache_routes[k] = detail::routes_from(p, workers[k], caches);
    // Each worker's route facts, once: the means, the clusters and the placement below read them.
    std::vector<detail::RouteFacts> facts(workers.size());
    for (std::size_t k = 0; k < workers.size(); ++k)
        facts[k] = detail::facts_of(p, routes[k]);
    const auto weighted = [&](const auto& facts_of_worker, double& bw, double& lat) {
        double weight = 0;
        bw = lat = 0;
        for (std::size_t k = 0; k < workers.size(); ++k) {
            const detail::RouteFacts r = facts_of_worker(k);
            if (r.reached) {
                const double c = p.host(workers[k]).cores;
                bw += c * r.bandwidth;
                lat += c * r.latency;
                weight += c;
            }
        }
        if (weight > 0) {
            bw /= weight;
            lat /= weight;
        }
    };
    double route_bw = 0, route_lat = 0, cache_bw_route = 0, cache_lat_route = 0;
    weighted([&](std::size_t k) { return facts[k]; }, route_bw, route_lat);
    weighted([&](std::size_t k) { return detail::facts_of(p, cache_routes[k]); }, cache_bw_route,
             cache_lat_route);
    // The bandwidth a core gets when every core reads at once: each link's bandwidth over the
    // cores whose routes to storage cross it (a WAN link shared by a whole cluster, the storage's
    // NIC by all), a worker's share the least along its route. The bottleneck bandwidth alone
    // does not see sharing; on random platforms (1–3 clusters behind 1–100 Gbps links) transfer
    // times follow the share (docs/surrogate.md, "Random platforms").
    std::vector<double> cores_on(p.link_count(), 0.0);
    for (std::size_t k = 0; k < workers.size(); ++k) {
        const double c = p.host(workers[k]).cores;
        for (const auto& r : routes[k])
            for (const auto l : r.links)
                cores_on[l] += c / static_cast<double>(routes[k].size());
    }
    double share_sum = 0, share_cores = 0, share_min = 0;
    bool first_worker = true;
    std::vector<double> share_of(workers.size(), 0.0);
    for (std::size_t k = 0; k < workers.size(); ++k) {
        if (routes[k].empty())
            continue;
        double share = 0;
        for (const auto& r : routes[k]) {
            double least = 0;
            for (const auto l : r.links)
                if (cores_on[l] > 0) {
                    const double x = p.link(l).bandwidth / cores_on[l];
                    least = least == 0 ? x : std::min(least, x);
                }
            share += least;
        }
        share /= static_cast<double>(routes[k].size());
        share_of[k] = share;
        const double c = p.host(workers[k]).cores;
        share_sum += c * share;
        share_cores += c;
        share_min = first_worker ? share : std::min(share_min, share);
        first_worker = false;
    }
    // The worker clusters (the workers of one zone: a site's hosts, a SimGrid <cluster>), largest
    // first: totals and means hide how a dispatcher spreads jobs over clusters of very different
    // speeds and links (docs/surrogate.md, "Features per cluster"). Per cluster its cores, the
    // core-weighted mean core speed, bandwidth per core when all read (the shares above) and
    // latency to storage; the four largest, zeros where a platform has fewer.
    struct Cluster {
        sim::ZoneIndex zone{};
        double cores = 0, rate = 0, share = 0, latency = 0;
    };
    std::vector<Cluster> clusters;
    for (std::size_t k = 0; k < workers.size(); ++k) {
        const auto& spec = p.host(workers[k]);
        const sim::ZoneIndex z = p.host_zone(workers[k]);
        auto it =
            std::find_if(clusters.begin(), clusters.end(), [&](const Cluster& c) { return c.zone == z; });
        if (it == clusters.end()) {
            clusters.push_back({z});
            it = clusters.end() - 1;
        }
        const double c = spec.cores;
        it->cores += c;
        it->rate += c * spec.speed;
        it->share += c * share_of[k];
        it->latency += c * facts[k].latency;
    }
    std::stable_sort(clusters.begin(), clusters.end(), [](const Cluster& a, const Cluster& b) {
        return a.cores != b.cores ? a.cores > b.cores : a.rate > b.rate;
    });
    std::vector<double> per_cluster(4 * kClusters, 0.0);
    for (std::size_t i = 0; i < std::min(clusters.size(), kClusters); ++i) {
        const Cluster& c = clusters[i];
        per_cluster[4 * i] = c.cores;
        per_cluster[4 * i + 1] = c.cores > 0 ? c.rate / c.cores : 0;
        per_cluster[4 * i + 2] = c.cores > 0 ? c.share / c.cores : 0;
        per_cluster[4 * i + 3] = c.cores > 0 ? c.latency / c.cores : 0;
    }
    // Where the jobs run (the dispatcher's policy, docs/models.md §8): `dcsim` takes the first
    // worker in name order with free cores, so a burst of jobs fills the workers in name order;
    // `data-locality` tries the sites holding the input first — here the sites of the storage and
    // cache hosts — then the least-loaded site; the other policies spread the jobs over every
    // worker. The cores all the jobs at once would take (jobs × mean cores, at most every core):
    // filled in that order where the policy has one, the rest spread in proportion to the cores;
    // their number and core-weighted mean speed, bandwidth per core and latency to storage.
    const sim::DispatchPolicy policy = s.options.dispatcher.policy;
    std::vector<std::size_t> ordered, spread;
    for (std::size_t k = 0; k < workers.size(); ++k) {
        bool first = policy == sim::DispatchPolicy::dcsim;
        if (policy == sim::DispatchPolicy::data_locality)
            for (const auto& holders : {storages, caches})
                for (const auto h : holders)
                    first = first || p.host_zone(h) == p.host_zone(workers[k]);
        (first ? ordered : spread).push_back(k);
    }
    if (policy == sim::DispatchPolicy::dcsim)
        std::stable_sort(ordered.begin(), ordered.end(), [&](std::size_t a, std::size_t b) {
            return p.host(workers[a]).id < p.host(workers[b]).id;
        });
    double fill_cores = 0, fill_rate = 0, fill_share = 0, fill_lat = 0;
    const double demand = std::min(cores, worker_cores);
    const auto take = [&](std::size_t k, double c) {
        fill_cores += c;
        fill_rate += c * p.host(workers[k]).speed;
        fill_share += c * share_of[k];
        fill_lat += c * facts[k].latency;
    };
    for (const std::size_t k : ordered)
        take(k, std::max(0.0, std::min(static_cast<double>(p.host(workers[k]).cores), demand - fill_cores)));
    double spread_cores = 0;
    for (const std::size_t k : spread)
        spread_cores += p.host(workers[k]).cores;
    const double rest = std::max(0.0, demand - fill_cores);
    for (const std::size_t k : spread)
        if (spread_cores > 0)
            take(k, rest * p.host(workers[k]).cores / spread_cores);
    const std::vector<double> filled{fill_cores, fill_cores > 0 ? fill_rate / fill_cores : 0,
                                     fill_cores > 0 ? fill_share / fill_cores : 0,
                                     fill_cores > 0 ? fill_lat / fill_cores : 0};
    std::vector<double> bws, lats;
    for (sim::LinkIndex l = 0; l < p.link_count(); ++l) {
        if (p.link(l).id == "__loopback__")
            continue;
        bws.push_back(p.link(l).bandwidth);
        lats.push_back(p.link(l).latency);
    }
    std::vector<double> f{n,
                          n > 0 ? cores / n : 0,
                          flops,
                          n > 0 ? flops / n : 0,
                          in,
                          out,
                          last - first,
                          static_cast<double>(workers.size()),
                          worker_cores,
                          rate,
                          worker_cores > 0 ? rate / worker_cores : 0,
                          static_cast<double>(sites.size()),
                          storage_bw,
                          cache_bw,
                          cache_bytes,
                          route_bw,
                          route_lat,
                          median(bws),
                          bws.empty() ? 0 : *std::min_element(bws.begin(), bws.end()),
                          lats.empty() ? 0 : *std::max_element(lats.begin(), lats.end()),
                          s.options.cache.hitrate,
                          share_cores > 0 ? share_sum / share_cores : 0,
                          share_min,
                          cache_bw_route,
                          cache_lat_route};
    f.insert(f.end(), per_cluster.begin(), per_cluster.end());
    f.insert(f.end(), filled.begin(), filled.end());
    // Times in the targets' units from the numbers above, so that a target proportional to one of
    // them stays so outside the training range (the networks extrapolate linearly in the
    // logarithms): a job's work at the filled cores' speed; its input with every filled core
    // reading at once — misses from the storage, hits from the cache, each at the least of the
    // route's share per core and the disks' read bandwidth over the filled cores; all the work
    // spread over every core.
    const double per_job_in = n > 0 ? in / n : 0;
    const double h = std::clamp(s.options.cache.hitrate, 0.0, 1.0);
    const auto per_core = [&](double disk_bw) {
        const double disk = filled[0] > 0 ? disk_bw / filled[0] : 0;
        return filled[2] > 0 && disk > 0 ? std::min(filled[2], disk) : std::max(filled[2], disk);
    };
    const double miss_bw = per_core(storage_bw), hit_bw = caches.empty() ? miss_bw : per_core(cache_bw);
    const double read_s = (miss_bw > 0 ? (1 - h) / miss_bw : 0) + (hit_bw > 0 ? h / hit_bw : 0);
    f.push_back(filled[1] > 0 ? (n > 0 ? flops / n : 0) / filled[1] : 0);
    f.push_back(per_job_in * read_s);
    f.push_back(rate > 0 ? flops / rate : 0);
    // ... and its input read alone (the route's bottleneck and the disk, no other reader): a
    // streaming job that computes longer than it reads is not slowed by the others' reads.
    const auto alone = [](double route, double disk) {
        return route > 0 && disk > 0 ? std::min(route, disk) : std::max(route, disk);
    };
    const double miss_alone = alone(route_bw, storage_bw),
                 hit_alone = caches.empty() ? miss_alone : alone(cache_bw_route, cache_bw);
    f.push_back(per_job_in *
                ((miss_alone > 0 ? (1 - h) / miss_alone : 0) + (hit_alone > 0 ? h / hit_alone : 0)));
    // ... and the job groups placed as the dispatcher places them, each reader at its share of
    // the routes and disks that the placed readers cross (Placement.hpp).
    const detail::PackedReads packed = detail::packed_reads(p, t.groups, setup.context);
    f.insert(f.end(), {packed.readers, packed.transfer_crowd_s, packed.transfer_mean_s, packed.transfer_max_s,
                       packed.transfer_alone_s, packed.reader_compute_s, packed.compute_mean_s,
                       packed.compute_end_max_s});
    return f;
}

const std::vector<std::string>& setting_names() {
    static const std::vector<std::string> names{"jobs.duplications",
                                                "jobs.shuffle",
                                                "jobs.compute_on_all_cores",
                                                "streaming.block_size",
                                                "streaming.prefetch",
                                                "streaming.xrd_flops_per_time",
                                                "streaming.xrd_flops_per_time_local",
                                                "streaming.xrd_overhead",
                                                "streaming.dcsim_block_sizes",
                                                "cache.caching",
                                                "cache.scope",
                                                "cache.eviction",
                                                "dispatcher.policy",
                                                "queue.backfill_depth",
                                                "queue.max_pending",
                                                "output_storage.to_site_storage",
                                                "gpu.policies",
                                                "drones.sites"};
    return names;
}

std::vector<double> scenario_settings(const sim::GridScenario& s) {
    const sim::GridOptions& o = s.options;
    auto number = [](auto v) { return static_cast<double>(v); };
    return {number(std::max<std::size_t>(1, o.jobs.duplications)),
            number(o.jobs.shuffle),
            number(o.jobs.compute_on_all_cores),
            o.streaming.block_size,
            number(o.streaming.prefetch),
            o.streaming.xrd_flops_per_time,
            o.streaming.xrd_flops_per_time_local,
            number(static_cast<int>(o.streaming.xrd_overhead)),
            number(o.streaming.dcsim_block_sizes),
            number(o.cache.caching),
            number(static_cast<int>(o.cache.scope)),
            number(static_cast<int>(o.cache.eviction)),
            number(static_cast<int>(o.dispatcher.policy)),
            number(o.queue.backfill_depth),
            number(o.queue.max_pending),
            number(o.output_storage.to_site_storage),
            number(o.gpu.policies.size()),
            number(o.drones.sites.size())};
}

} // namespace hepkit::surrogate
