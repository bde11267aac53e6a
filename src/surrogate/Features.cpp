// Scenario features for summary-level surrogates: sums and means over the platform's worker,
// storage and cache hosts, its routes from workers to storage, and the drawn workload.

#include "hepkit/surrogate/Features.hpp"

#include "PlatformFacts.hpp"

#include <algorithm>
#include <cmath>

namespace hepkit::surrogate {

using detail::has_role;

namespace {

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
                                                "cache_route_latency_mean"};
    return names;
}

std::vector<double> scenario_features(const sim::GridScenario& s) {
    const sim::Platform& p = *s.platform;
    // The workload's totals as build_workload kept them (no walk over 10^4 jobs per prediction).
    const sim::WorkloadTotals t = sim::totals_of(s.workload);
    const double cores = t.cores, flops = t.flops, in = t.input_bytes, out = t.output_bytes,
                 first = t.first_submit, last = t.last_submit;
    const double n = static_cast<double>(t.jobs);
    std::vector<sim::HostIndex> workers, storages, caches;
    double worker_cores = 0, rate = 0, storage_bw = 0, cache_bw = 0, cache_disk = 0;
    std::vector<sim::ZoneIndex> sites;
    for (sim::HostIndex h = 0; h < p.host_count(); ++h) {
        const auto& spec = p.host(h);
        if (has_role(spec, "worker")) {
            workers.push_back(h);
            worker_cores += spec.cores;
            rate += spec.cores * spec.speed;
            if (std::find(sites.begin(), sites.end(), p.host_zone(h)) == sites.end())
                sites.push_back(p.host_zone(h));
        }
        if (has_role(spec, "storage")) {
            storages.push_back(h);
            for (const auto& d : spec.disks)
                storage_bw += d.read_bw;
        }
        if (has_role(spec, "cache")) {
            caches.push_back(h);
            for (const auto& d : spec.disks) {
                cache_bw += d.read_bw;
                cache_disk += d.size;
            }
        }
    }
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
    std::vector<std::vector<sim::Route>> routes(workers.size());
    for (std::size_t k = 0; k < workers.size(); ++k)
        routes[k] = detail::routes_from(p, workers[k], storages);
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
    weighted([&](std::size_t k) { return detail::facts_of(p, routes[k]); }, route_bw, route_lat);
    weighted([&](std::size_t k) { return detail::route_to_storage(p, workers[k], caches); }, cache_bw_route,
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
        const double c = p.host(workers[k]).cores;
        share_sum += c * share;
        share_cores += c;
        share_min = first_worker ? share : std::min(share_min, share);
        first_worker = false;
    }
    std::vector<double> bws, lats;
    for (sim::LinkIndex l = 0; l < p.link_count(); ++l) {
        if (p.link(l).id == "__loopback__")
            continue;
        bws.push_back(p.link(l).bandwidth);
        lats.push_back(p.link(l).latency);
    }
    return {n,
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
}

} // namespace hepkit::surrogate
