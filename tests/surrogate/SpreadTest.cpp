// The per-job ensemble's spread, its summaries and its calibration (SequenceSpread.hpp), by hand.

#include "SequenceSpread.hpp"
#include "hepkit/surrogate/SequenceModel.hpp"

#include <cmath>
#include <gtest/gtest.h>

using namespace hepkit::surrogate;

namespace {

// jobs × job_target_names() (start, wall, compute, input, output) from rows
std::vector<double> jobs_of(const std::vector<std::vector<double>>& rows) {
    std::vector<double> v;
    for (const auto& r : rows)
        v.insert(v.end(), r.begin(), r.end());
    return v;
}

} // namespace

TEST(SurrogateSpread, SummariesOfJobsByHand) {
    ASSERT_EQ(job_target_names().size(), 5U);
    const auto v = jobs_of({{0, 10, 6, 2, 1}, {5, 20, 12, 4, 3}, {1, 2, 1, 0.5, 0.5}});
    const std::vector<double> f = sequence_summaries(v);
    ASSERT_EQ(f.size(), sequence_summary_names().size());
    EXPECT_EQ(f[0], 25); // the last end: 5 + 20
    EXPECT_NEAR(f[1], 32.0 / 3, 1e-12);
    EXPECT_NEAR(f[2], 19.0 / 3, 1e-12);
    EXPECT_NEAR(f[3], 6.5 / 3, 1e-12);
    EXPECT_NEAR(f[4], 4.5 / 3, 1e-12);
    EXPECT_EQ(sequence_spread_names().back(), "end");
}

TEST(SurrogateSpread, MembersStandardDeviationByHand) {
    // two jobs, three members; the mean first, as predict_members gives it
    const std::vector<std::vector<double>> m1{{0, 10, 6, 2, 1}, {4, 8, 5, 1, 1}},
        m2{{2, 12, 6, 4, 1}, {4, 10, 5, 1, 2}}, m3{{1, 11, 9, 3, 4}, {4, 12, 5, 4, 3}};
    std::vector<std::vector<double>> members{{}, jobs_of(m1), jobs_of(m2), jobs_of(m3)};
    members[0].assign(members[1].size(), 0.0);
    for (std::size_t i = 0; i < members[0].size(); ++i)
        members[0][i] = (members[1][i] + members[2][i] + members[3][i]) / 3;
    const SequenceSpread s = hepkit::surrogate::detail::raw_spread(members);
    const std::size_t ns = sequence_spread_names().size();
    ASSERT_EQ(s.jobs.size(), 2 * ns);
    const auto sd = [](double a, double b, double c) {
        const double mean = (a + b + c) / 3;
        return std::sqrt(((a - mean) * (a - mean) + (b - mean) * (b - mean) + (c - mean) * (c - mean)) / 3);
    };
    EXPECT_NEAR(s.jobs[0], sd(0, 2, 1), 1e-12);         // job 0 start
    EXPECT_NEAR(s.jobs[2], sd(6, 6, 9), 1e-12);         // job 0 compute
    EXPECT_NEAR(s.jobs[5], sd(10, 14, 12), 1e-12);      // job 0 end
    EXPECT_EQ(s.jobs[ns + 0], 0.0);                     // job 1 start: all 4
    EXPECT_NEAR(s.jobs[ns + 5], sd(12, 14, 16), 1e-12); // job 1 end
    // the summaries: each member's, then mean and spread (makespans 12, 14, 16)
    EXPECT_NEAR(s.summary[0], 14, 1e-12);
    EXPECT_NEAR(s.summary_spread[0], sd(12, 14, 16), 1e-12);
    EXPECT_NEAR(s.summary[1], (9 + 11 + 11.5) / 3, 1e-12); // mean walls 9, 11, 11.5
    // one network: its summaries, no spread
    const SequenceSpread one = hepkit::surrogate::detail::raw_spread({members[1], members[1]});
    EXPECT_EQ(one.summary, sequence_summaries(members[1]));
    EXPECT_EQ(one.summary_spread, std::vector<double>(sequence_summary_names().size(), 0.0));
    EXPECT_EQ(one.jobs, std::vector<double>(2 * ns, 0.0));
}
