// The jobs followed past the first burst (TimedPlacement.hpp): a list schedule with estimated
// durations on the simulator's own dispatcher, then each reader's crowd over its life.
#include "TimedPlacement.hpp"
#include "hepkit/sim/batch/QueueConfig.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <queue>

namespace hepkit::surrogate::detail {

namespace {

// Where each job starts and on which worker (index into ReadContext::workers; -1: never fits).
struct Schedule {
    std::vector<int> worker;
    std::vector<double> start;
};

// A job's compute on worker k: its flops at the worker's speed, on one core for streaming and
// copy jobs unless they compute on all their cores (as placed_jobs counts).
double compute_on(const sim::Platform& p, const ReadContext& c, const sim::JobGroup& g, std::size_t k) {
    const double speed =
        p.host((*c.workers)[k]).speed * (g.reads && !c.compute_on_all_cores ? 1 : std::max(1.0, g.cores));
    return speed > 0 ? g.flops / speed : 0;
}

// A job's time from its start on worker k to its output write, its input read taking t in all.
// A copy job reads, then computes: t + compute. A streaming job with prefetch computes block b
// while it reads block b + 1 (sim::GridSimulation::stream_step): of a file of n blocks only the
// first read and the last compute stand alone, so with u its bytes' mean of 1 / n
//   d = (1 − u) max(c', t) + u (c' + t),
// where c' is its compute with the XRootD overhead, f per second of its reads (`read-time`:
// c' = c + f t / speed). In `dcsim`'s model with prefetch a block's overhead is f times its step,
// from its read's start to its compute's start, so it feeds on the block before: followed block
// by block over one file of 1 / u equal blocks (at most 64) holding all of c and t (d is the same
// sum over files of equal shape). Against the study's simulated analysis jobs, with the simulated
// compute and read, the formula is within 3 % (log-sd 0.027); c + t, the rule before the
// sixteenth session, was 21 % too long (median; docs/surrogate.md). Approximations: the first
// read and the last compute are each taken as 1 / n of a file, where the simulator's first block
// is whole and its last the remainder; reads from the worker's own host take the remote rate f.
double duration_on(const sim::Platform& p, const ReadContext& c, const sim::JobGroup& g, const JobNeeds& need,
                   std::size_t k, double t) {
    const double compute = compute_on(p, c, g, k);
    if (!g.reads || !need.streaming)
        return compute + (g.reads ? t : 0.0);
    const double speed = compute > 0 ? g.flops / compute : 0;
    const double per_s = speed > 0 ? c.xrd_flops_per_time / speed : 0; // overhead s per s
    const double u = std::clamp(need.unoverlapped, 0.0, 1.0);
    if (!c.xrd_over_steps) {
        const double ci = compute + per_s * t;
        return (1 - u) * std::max(ci, t) + u * (ci + t);
    }
    const long n = u > 0 ? std::clamp(std::lround(1 / u), 1L, 64L) : 64L;
    const double cb = compute / static_cast<double>(n), tb = t / static_cast<double>(n);
    double last = cb + per_s * tb; // the first block's compute: its read alone before it
    double d = tb;
    for (long b = 1; b < n; ++b) {
        const double step = std::max(last, tb); // compute block b while reading block b + 1
        d += step;
        last = cb + per_s * step;
    }
    return d + last;
}

int cores_of(const sim::JobGroup& g) {
    return std::max(1, static_cast<int>(std::lround(g.cores)));
}

// The sites a reading job prefers under data-locality: those holding storage or cache hosts,
// the storages' (misses) before the caches' (the hit rate's share) where the misses weigh more
// — sim::Dispatcher::rank_by_locality ranks by each job's own bytes per site, which the
// workload's groups do not know.
std::vector<std::size_t> preferred_sites(const sim::Platform& p, const ReadContext& c,
                                         const sim::Dispatcher& d) {
    std::vector<std::pair<double, std::size_t>> weight; // (−bytes share, site)
    const double h = std::clamp(c.hitrate, 0.0, 1.0);
    const auto add = [&](const std::vector<sim::HostIndex>& hosts, double w) {
        for (const auto host : hosts) {
            const std::size_t s = d.site_of_zone(p.host_zone(host));
            if (s == sim::Dispatcher::npos || w <= 0)
                continue;
            auto it =
                std::find_if(weight.begin(), weight.end(), [&](const auto& x) { return x.second == s; });
            if (it == weight.end())
                weight.push_back({-w, s});
            else
                it->first -= w;
        }
    };
    add(*c.storages, 1 - h);
    add(*c.caches, h);
    std::stable_sort(weight.begin(), weight.end());
    std::vector<std::size_t> out;
    for (const auto& w : weight)
        out.push_back(w.second);
    return out;
}

// The queue run with the jobs' durations `transfer` (s, besides their compute on the worker each
// gets): sim::JobQueue's dispatch pass (in order, at most backfill_depth tried past the first job
// that cannot start) at every submission and every estimated end.
Schedule schedule(const sim::Platform& p, const std::vector<sim::JobGroup>& jobs,
                  const std::vector<JobNeeds>& needs, const ReadContext& c,
                  const std::vector<std::size_t>& order, const std::vector<double>& transfer) {
    const std::size_t n = jobs.size();
    Schedule out{std::vector<int>(n, -1), std::vector<double>(n, 0.0)};
    sim::Dispatcher d(p, *c.workers, c.policy);
    const std::vector<std::size_t> prefer = c.policy == sim::DispatchPolicy::data_locality
                                                ? preferred_sites(p, c, d)
                                                : std::vector<std::size_t>{};
    const std::size_t depth = c.backfill_depth;
    using End = std::pair<double, std::size_t>;
    std::priority_queue<End, std::vector<End>, std::greater<>> running;
    const std::vector<std::size_t> none;
    std::vector<int> cores(n);
    int least = std::numeric_limits<int>::max(); // the smallest job's cores: below, no pick can succeed
    for (std::size_t i = 0; i < n; ++i) {
        cores[i] = cores_of(jobs[i]);
        least = std::min(least, cores[i]);
    }
    // The queued jobs in order from `head`, those started marked `taken` (a pass starts jobs from
    // anywhere in its first part; copying 10^4 queued jobs at every event would cost O(n²)).
    constexpr std::size_t taken = std::numeric_limits<std::size_t>::max();
    std::vector<std::size_t> pending;
    std::size_t head = 0, holes = 0;
    std::vector<std::pair<int, double>> failed; // shapes that found no worker in this pass
    // a job no worker could ever hold is dropped at its submission (as the simulator drops it)
    const auto fits_somewhere = [&](std::size_t i) {
        return std::any_of(d.workers().begin(), d.workers().end(), [&](const sim::Dispatcher::Worker& w) {
            return w.cores_total >= cores[i] && w.memory_total >= needs[i].memory;
        });
    };
    const bool mixed = std::any_of(needs.begin(), needs.end(),
                                   [&](const JobNeeds& x) { return x.priority != needs.front().priority; });
    std::size_t next = 0;
    double t = n > 0 ? std::min(0.0, jobs[order[0]].submit) : 0.0; // from the first submission
    for (;;) {
        const std::size_t queued = pending.size();
        for (; next < n && jobs[order[next]].submit <= t; ++next)
            if (fits_somewhere(order[next]))
                pending.push_back(order[next]);
        if (mixed && pending.size() > queued) { // priorities: the queue's order again
            std::erase(pending, taken);
            head = holes = 0;
            std::stable_sort(pending.begin(), pending.end(), [&](std::size_t a, std::size_t b) {
                return needs[a].priority > needs[b].priority;
            });
        }
        for (; !running.empty() && running.top().first <= t; running.pop()) {
            const std::size_t i = running.top().second;
            d.give(static_cast<std::size_t>(out.worker[i]), cores[i], needs[i].memory);
        }
        // A pick fails only where no worker has the cores and memory (every policy falls back to
        // all workers), so within a pass, where cores are only taken, a job at least as large as
        // one that failed fails too: counted as a miss without asking.
        std::size_t misses = 0;
        failed.clear();
        for (std::size_t q = head; q < pending.size() && misses <= depth && d.idle_cores() >= least; ++q) {
            const std::size_t i = pending[q];
            if (i == taken)
                continue;
            const bool hopeless =
                d.idle_cores() < cores[i] || std::any_of(failed.begin(), failed.end(), [&](const auto& f) {
                    return cores[i] >= f.first && needs[i].memory >= f.second;
                });
            const auto k =
                hopeless ? std::nullopt : d.pick(cores[i], needs[i].memory, jobs[i].reads ? prefer : none);
            if (!k) {
                if (!hopeless && failed.size() < 8)
                    failed.push_back({cores[i], needs[i].memory});
                ++misses;
                continue;
            }
            d.take(*k, cores[i], needs[i].memory);
            out.worker[i] = static_cast<int>(*k);
            out.start[i] = t;
            running.push({t + duration_on(p, c, jobs[i], needs[i], *k, transfer[i]), i});
            pending[q] = taken;
            ++holes;
        }
        for (; head < pending.size() && pending[head] == taken; ++head)
            --holes;
        if (head + holes > 4096 && head + holes > pending.size() / 2) {
            std::erase(pending, taken);
            head = holes = 0;
        }
        double next_t = std::numeric_limits<double>::infinity();
        if (next < n)
            next_t = jobs[order[next]].submit;
        if (!running.empty())
            next_t = std::min(next_t, running.top().first);
        if (!std::isfinite(next_t))
            break; // what is still pending never fits
        t = std::max(t, next_t);
    }
    return out;
}

// A piecewise-constant load over time per resource (links, then the storage and cache disks),
// summed from intervals; its integral between two times.
class Loads {
  public:
    explicit Loads(std::size_t resources) : events_(resources) {}
    void add(std::size_t r, double begin, double end, double weight) {
        if (weight > 0 && end > begin) {
            events_[r].push_back({begin, weight});
            events_[r].push_back({end, -weight});
        }
    }
    void build() {
        times_.resize(events_.size());
        cum_.resize(events_.size());
        level_.resize(events_.size());
        for (std::size_t r = 0; r < events_.size(); ++r) {
            auto& e = events_[r];
            std::sort(e.begin(), e.end());
            double level = 0, cum = 0, last = 0;
            for (const auto& [time, dw] : e) {
                if (!times_[r].empty() && time == times_[r].back()) {
                    level += dw;
                    level_[r].back() = level;
                    continue;
                }
                cum += times_[r].empty() ? 0 : level * (time - last);
                level += dw;
                times_[r].push_back(time);
                cum_[r].push_back(cum);
                level_[r].push_back(level);
                last = time;
            }
        }
    }
    /// The mean load on r over [begin, end] (the load from begin on where end ≤ begin).
    double mean(std::size_t r, double begin, double end) const {
        if (end > begin)
            return (integral(r, end) - integral(r, begin)) / (end - begin);
        const auto& t = times_[r];
        const auto it = std::upper_bound(t.begin(), t.end(), begin);
        return it == t.begin() ? 0.0 : level_[r][static_cast<std::size_t>(it - t.begin()) - 1];
    }

  private:
    double integral(std::size_t r, double x) const {
        const auto& t = times_[r];
        const auto it = std::upper_bound(t.begin(), t.end(), x);
        if (it == t.begin())
            return 0;
        const auto i = static_cast<std::size_t>(it - t.begin()) - 1;
        return cum_[r][i] + level_[r][i] * (x - t[i]);
    }
    std::vector<std::vector<std::pair<double, double>>> events_;
    std::vector<std::vector<double>> times_, cum_, level_;
};

// Each placed reader's input transfer with its crowd over its life. Two views of the crowd, each
// the better one for its kind of job on the study's data (log-sd of estimate / simulated read,
// unseen one-site and random held-out platforms; docs/surrogate.md, twelfth session):
// - a streaming job (placed_jobs' rule, per job): its time alone plus its time with the crowd
//   weighted by the crowd's duty cycle, all / (c + all), where the crowd counts every reader whose
//   life (duration_on) overlaps its own, by the share of its life overlapped (0.47 / 0.60; 0.57 /
//   0.81 with the copy jobs' view);
// - a copy job reads first, at its crowd's share all the time: its time with the crowd, where a
//   streaming reader counts by the share of its life it reads, transfer / duration (before the
//   sixteenth session transfer / (compute + transfer)), and a copy job whole while it reads (0.36
//   / 0.80; 0.67 / 0.91 with the streaming view). A streaming reader's share of its life spent
//   reading is taken from its transfer with the copy jobs' view of the crowd (`duty_before`, the
//   last round's; returned in `duty_out`), not from its own estimate above: the latter counts
//   every overlapping reader as reading all the time and made the copy jobs' crowd too large
//   (reprocessing reads, median estimate / simulated 1.17 → 0.99, log-sd 0.36 / 0.81 → 0.31 /
//   0.80; thirteenth session).
// Every flow is bounded by its TCP window over the round trip, γ / (2 × route latency), and its
// rate is that or its share times the bandwidth factor, as in the simulator (sim::NetworkModel,
// sim::Engine). `duty_before` and `duty_out` must be distinct vectors of one value per job.
//
// Neither view fits every job: against the simulated reads of the study's unseen platform the
// streaming estimate is 1.9× too long where the read is ~0.4 of the compute and 0.6× where it is
// a fiftieth (docs/surrogate.md, fourteenth session) — the simulator's readers, started together
// and computing equal blocks, read partly in step. With `views`, each reader's read alone, with the
// counted crowd and with the duty-weighted one go out too (PlacedJob), for the per-job model to
// weigh.
struct Views {
    std::vector<double> alone, crowd, shared;
};
std::vector<double> transfers(const sim::Platform& p, const std::vector<sim::JobGroup>& jobs,
                              const std::vector<JobNeeds>& needs, const ReadContext& c, const Schedule& sched,
                              const std::vector<double>& before, const std::vector<double>& duty_before,
                              std::vector<double>& duty_out, Views* views = nullptr) {
    const std::size_t n = jobs.size(), links = p.link_count();
    const std::size_t storage_disk = links, cache_disk = links + 1;
    const double h = std::clamp(c.hitrate, 0.0, 1.0);
    std::vector<double> out = before, compute(n, 0.0);
    duty_out = duty_before;
    // the resources a reader on worker k uses and its share of each: misses on its routes to the
    // storage hosts, hits on those to the caches in its scope (each route an equal part), the disks
    const auto uses = [&](std::size_t k, auto&& use) {
        const double hit = (*c.cached)[k] ? h : 0.0;
        for (const auto* routes : {&(*c.storage_routes)[k], &(*c.cache_routes)[k]}) {
            const double share = routes == &(*c.storage_routes)[k] ? 1 - hit : hit;
            for (const auto& r : *routes)
                for (const auto l : r.links)
                    use(l, share / static_cast<double>(routes->size()));
        }
        use(storage_disk, 1 - hit);
        use(cache_disk, hit);
    };
    // a reader's life (start, end) and the share of it it reads, in the copy jobs' view
    std::vector<double> lasts(n, 0.0), lasts_duty(n, 0.0); // its duration with `before`, `duty_before`
    const auto life = [&](std::size_t i) {
        const double b = sched.start[i], t = duty_before[i], d = lasts_duty[i];
        return needs[i].streaming ? std::array<double, 3>{b, b + d, d > 0 ? std::min(1.0, t / d) : 1.0}
                                  : std::array<double, 3>{b, b + t, 1.0};
    };
    Loads counted(links + 2), reading(links + 2); // the streaming and the copy jobs' views
    for (std::size_t i = 0; i < n; ++i) {
        if (sched.worker[i] < 0 || !jobs[i].reads)
            continue;
        const auto k = static_cast<std::size_t>(sched.worker[i]);
        compute[i] = compute_on(p, c, jobs[i], k);
        lasts[i] = duration_on(p, c, jobs[i], needs[i], k, before[i]);
        lasts_duty[i] = duration_on(p, c, jobs[i], needs[i], k, duty_before[i]);
        const std::array<double, 3> lf = life(i); // (no structured binding: clang-14 cannot capture one)
        const double begin = lf[0], end = lf[1], duty = lf[2];
        const double whole = sched.start[i] + lasts[i];
        uses(k, [&](std::size_t r, double w) {
            counted.add(r, sched.start[i], whole, w);
            reading.add(r, begin, end, w * duty);
        });
    }
    counted.build();
    reading.build();
    std::vector<double> load(links + 2, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        if (sched.worker[i] < 0 || !jobs[i].reads)
            continue;
        const auto k = static_cast<std::size_t>(sched.worker[i]);
        // a route's bandwidth: the least over its links of bandwidth / load (alone: / 1), and at
        // most one flow's TCP window over the round trip, γ / (2 × latency) (the simulator's bound
        // of every flow, sim::NetworkModel: a 10 GB read over a 3.8 ms route takes 20 s alone, not
        // the 4.5 s its links allow); the routes' mean; at most the disks' bandwidth over their
        // readers (Placement.cpp's share)
        const auto bw = [&](const std::vector<sim::Route>& routes, double disk_bw, std::size_t disk,
                            bool alone) {
            double route = 0;
            for (const auto& r : routes) {
                double least = 0;
                for (const auto l : r.links) {
                    const double x = p.link(l).bandwidth / (alone ? 1.0 : std::max(1.0, load[l]));
                    least = least == 0 ? x : std::min(least, x);
                }
                if (least > 0 && r.latency > 0 && c.tcp_gamma > 0)
                    least = std::min(least, c.tcp_gamma / (2 * r.latency));
                // the network model's effective rate: its share or bound times the bandwidth factor
                route += least * c.bandwidth_factor / static_cast<double>(routes.size());
            }
            const double dk = disk_bw > 0 ? disk_bw / (alone ? 1.0 : std::max(1.0, load[disk])) : 0;
            return route > 0 && dk > 0 ? std::min(route, dk) : std::max(route, dk);
        };
        const double hit = (*c.cached)[k] ? h : 0.0, miss = 1 - hit;
        const auto seconds = [&](bool alone) {
            const double mb = bw((*c.storage_routes)[k], c.storage_bw, storage_disk, alone);
            const double hb = hit > 0 ? bw((*c.cache_routes)[k], c.cache_bw, cache_disk, alone) : 0;
            return jobs[i].input_bytes *
                   ((miss > 0 && mb > 0 ? miss / mb : 0) + (hit > 0 && hb > 0 ? hit / hb : 0));
        };
        if (needs[i].streaming)
            uses(k, [&](std::size_t r, double) {
                load[r] = counted.mean(r, sched.start[i], sched.start[i] + lasts[i]);
            });
        else
            uses(k, [&](std::size_t r, double) {
                load[r] = reading.mean(r, sched.start[i], sched.start[i] + before[i]);
            });
        const double alone = seconds(true), all = seconds(false), ci = compute[i];
        out[i] = needs[i].streaming ? alone + (ci + all > 0 ? all * all / (ci + all) : 0) : all;
        duty_out[i] = out[i];
        if (needs[i].streaming) {
            uses(k, [&](std::size_t r, double) {
                load[r] = reading.mean(r, sched.start[i], sched.start[i] + lasts_duty[i]);
            });
            duty_out[i] = seconds(false);
        }
        if (views) {
            views->alone[i] = alone;
            views->crowd[i] = all;
            views->shared[i] = duty_out[i];
            if (!needs[i].streaming) { // `all` was the duty-weighted view: the counted one too
                uses(k, [&](std::size_t r, double) {
                    load[r] = counted.mean(r, sched.start[i], sched.start[i] + before[i]);
                });
                views->crowd[i] = seconds(false);
            }
        }
    }
    return out;
}

} // namespace

std::vector<PlacedJob> timed_jobs(const sim::Platform& p, const std::vector<sim::JobGroup>& jobs,
                                  const std::vector<JobNeeds>& needs, const ReadContext& c,
                                  const std::vector<PlacedJob>& burst) {
    const std::size_t n = jobs.size();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return jobs[a].submit < jobs[b].submit; });
    std::vector<double> transfer(n);
    for (std::size_t i = 0; i < n; ++i)
        transfer[i] = burst[i].transfer_s;
    std::vector<double> duty = transfer, duty_next = transfer;
    Schedule sched;
    Views views{transfer, transfer, transfer}; // (every reader placed gets its own in the last round)
    constexpr int kRounds = 2;
    for (int round = 0; round < kRounds; ++round) {
        sched = schedule(p, jobs, needs, c, order, transfer);
        transfer = transfers(p, jobs, needs, c, sched, transfer, duty, duty_next,
                             round == kRounds - 1 ? &views : nullptr);
        duty.swap(duty_next);
    }
    std::vector<PlacedJob> out = burst;
    for (std::size_t i = 0; i < n; ++i) {
        if (sched.worker[i] < 0)
            continue;
        const auto k = static_cast<std::size_t>(sched.worker[i]);
        PlacedJob& q = out[i];
        q.worker = sched.worker[i];
        q.start_s = sched.start[i];
        q.placed = sched.start[i] <= jobs[i].submit ? 1.0 : 0.0;
        q.compute_s = compute_on(p, c, jobs[i], k);
        q.transfer_s = jobs[i].reads ? transfer[i] : 0.0;
        q.duration_s = duration_on(p, c, jobs[i], needs[i], k, q.transfer_s);
        q.transfer_alone_s = jobs[i].reads ? views.alone[i] : 0.0;
        q.transfer_crowd_s = jobs[i].reads ? views.crowd[i] : 0.0;
        q.transfer_shared_s = jobs[i].reads ? views.shared[i] : 0.0;
    }
    return out;
}

} // namespace hepkit::surrogate::detail
