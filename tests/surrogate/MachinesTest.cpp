// The machine target of the platform-aware per-job model (src/surrogate/Machines.hpp): classes of
// identical hosts, the class-level loss against its closed form, the assignment of jobs to hosts
// and the scores against hand-counted values.

#include "Machines.hpp"
#include "SeqNet.hpp"
#include "hepkit/surrogate/Features.hpp"

#include <cmath>
#include <fmt/format.h>
#include <gtest/gtest.h>

using namespace hepkit::surrogate;
using namespace hepkit::surrogate::detail;

namespace {

// A host row of host_input_names(): cores, speed, worker, storage, cache, disks, route.
std::vector<double> host(double cores, double speed, bool worker, double route_bw = 1e9) {
    return {cores, speed, worker ? 1.0 : 0.0, worker ? 0.0 : 1.0, 0, 1e8, 1e8, route_bw, 1e-3};
}

SequenceSample platform_of(const std::vector<std::vector<double>>& hosts,
                           const std::vector<std::string>& sites) {
    SequenceSample s;
    for (std::size_t h = 0; h < hosts.size(); ++h) {
        s.host_x.insert(s.host_x.end(), hosts[h].begin(), hosts[h].end());
        s.host_names.push_back(fmt::format("h{}", h));
        s.host_sites.push_back(sites[h]);
    }
    return s;
}

TEST(SurrogateMachines, IdenticalHostsFormAClass) {
    const auto a = host(8, 1e10, true), b = host(16, 1e10, true), c = host(8, 1e10, true, 5e8),
               st = host(4, 1e10, false);
    const SequenceSample s = platform_of({a, b, a, c, b, st}, {"x", "x", "x", "y", "y", "x"});
    EXPECT_EQ(host_classes(s), (std::vector<std::int64_t>{0, 1, 0, 2, 1, 3}));
}

TEST(SurrogateMachines, LossIsTheTrueClassesNegativeLogProbability) {
    // hosts 0 and 1 one class, host 2 another; two windows of two steps; one step without truth
    const torch::Tensor host_class = torch::tensor({0, 0, 1}, torch::kInt64);
    const torch::Tensor scores =
        torch::tensor({0.5, -1.0, 2.0, 1.0, 1.0, 1.0, -3.0, 0.0, 0.25, 0.0, 0.0, 0.0}).view({2, 2, 3});
    const torch::Tensor truth = torch::tensor({1, 2, 0, -1}, torch::kInt64).view({2, 2});
    const auto [sum, count] = machine_nll(scores, truth, host_class);
    EXPECT_EQ(count, 3);
    const auto nll = [](double s0, double s1, double s2, bool first_class) {
        const double z = std::exp(s0) + std::exp(s1) + std::exp(s2);
        return -std::log((first_class ? std::exp(s0) + std::exp(s1) : std::exp(s2)) / z);
    };
    const double expected = nll(0.5, -1.0, 2.0, true) + nll(1, 1, 1, false) + nll(-3, 0, 0.25, true);
    EXPECT_NEAR(sum.item<double>(), expected, 1e-5);
    // a host masked out (−1e9, not a worker) takes no probability
    const torch::Tensor masked = torch::tensor({0.0, 0.0, -1e9}).view({1, 1, 3});
    const auto [m, n] = machine_nll(masked, torch::tensor({0}, torch::kInt64).view({1, 1}), host_class);
    EXPECT_EQ(n, 1);
    EXPECT_NEAR(m.item<double>(), 0.0, 1e-6);
}

TEST(SurrogateMachines, JobsGoToTheLikeliestClassItsMembersInTurn) {
    const std::vector<std::int64_t> cls{0, 1, 0, 1, 2};
    // job 0: class 0 has 0.5 (no host more than 0.3), class 1 0.4; job 1: class 2; jobs 2, 3: class 0
    const std::vector<double> p{0.25, 0.2, 0.25, 0.2, 0.1, //
                                0.0,  0.1, 0.0,  0.1, 0.8, //
                                0.3,  0.1, 0.3,  0.1, 0.2, //
                                0.4,  0.0, 0.4,  0.0, 0.2};
    EXPECT_EQ(assign_machines(p, 5, cls), (std::vector<int>{0, 4, 2, 0}));
    // the chosen class's probability: the sum over its members
    std::vector<double> mass{7.0};
    EXPECT_EQ(assign_machines(p, 5, cls, &mass), (std::vector<int>{0, 4, 2, 0}));
    ASSERT_EQ(mass.size(), 4U);
    const std::vector<double> expected{0.5, 0.8, 0.6, 0.8};
    for (std::size_t j = 0; j < 4; ++j)
        EXPECT_NEAR(mass[j], expected[j], 1e-12) << j;
}

TEST(SurrogateMachines, ScoresCountClassSiteAndShares) {
    // site A: two 8-core workers (one class); site B: one 16-core worker; a storage host in A
    const auto small = host(8, 1e10, true), big = host(16, 1e10, true, 2e9), st = host(4, 1e10, false);
    SequenceSample s = platform_of({small, small, big, st}, {"A", "A", "B", "A"});
    s.machines = {0, 1, 2, 2, -1};
    const MachineScore m = score_machines(s, {1, 2, 2, 0, 0});
    EXPECT_EQ(m.jobs, 4U);
    EXPECT_EQ(m.class_hits, 2U); // job 0 (host 1, same class as 0) and job 2
    EXPECT_EQ(m.site_hits, 2U);
    // the classes' worker cores: 16 (class 0) and 16 (class 1): the first is the largest
    EXPECT_EQ(m.largest_class_hits, 2U);
    // simulated shares A 2/4, B 2/4; predicted A 2/4, B 2/4; by cores A 16/32, B 16/32
    EXPECT_NEAR(m.site_share_error, 0.0, 1e-12);
    EXPECT_NEAR(m.site_share_error_by_cores, 0.0, 1e-12);
    const MachineScore all_a = score_machines(s, {0, 1, 0, 1, 0});
    EXPECT_NEAR(all_a.site_share_error, 0.5, 1e-12); // ½ (|1 − ½| + |0 − ½|)
    EXPECT_EQ(all_a.class_hits, 2U);
}

TEST(SurrogateMachines, TheTimesReadThePlacementAndTrainThePointer) {
    // A platform network with a machine head: its times change when only the hosts' scores do
    // (the placement joins the time head's input), and a loss on the times alone reaches the
    // pointer's query and key weights.
    torch::manual_seed(3);
    const std::int64_t job_in = static_cast<std::int64_t>(job_input_names().size() + 1),
                       host_in = static_cast<std::int64_t>(host_input_names().size()),
                       features = static_cast<std::int64_t>(feature_names().size()),
                       targets = static_cast<std::int64_t>(job_target_names().size());
    SeqNet net(SequenceKind::platform, 8, job_in, host_in, features, targets, true);
    ASSERT_TRUE(net->has_machine_head());
    const torch::Tensor x = torch::randn({6, 1, job_in}), hosts = torch::randn({3, host_in}),
                        scenario = torch::randn({features});
    const torch::Tensor workers = torch::tensor({1, 1, 0}, torch::kUInt8).to(torch::kBool);
    const auto [times, scores] = net->heads(net->trunk(x, hosts, scenario), hosts, workers);
    ASSERT_EQ(times.sizes(), (std::vector<std::int64_t>{6, 1, targets}));
    ASSERT_EQ(scores.sizes(), (std::vector<std::int64_t>{6, 1, 3}));
    EXPECT_LT(scores.index({0, 0, 2}).item<double>(), -1e8); // not a worker
    times.pow(2).sum().backward();
    EXPECT_GT(net->machine_query->weight.grad().abs().sum().item<double>(), 0);
    EXPECT_GT(net->machine_key->weight.grad().abs().sum().item<double>(), 0);
    // without a head: no pointer, a time head of the trunk's width
    SeqNet plain(SequenceKind::platform, 8, job_in, host_in, features, targets, false);
    EXPECT_FALSE(plain->has_machine_head());
    EXPECT_EQ(plain->head->weight.size(1), 16);
    EXPECT_EQ(net->head->weight.size(1), 16 + kContext);
}

} // namespace
