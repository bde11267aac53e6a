// Per-job surrogates: the sequences they read (inputs known before the run, in an order that
// does not depend on it; targets from the trace), and each model kind trained for a few epochs on
// generated samples: files, reproducibility, windows beyond 500 jobs, a falling validation loss.

#include "Helpers.hpp"
#include "Machines.hpp"
#include "PlacedOutputs.hpp"
#include "Placement.hpp"
#include "SequenceSpread.hpp"
#include "SequenceTestData.hpp"
#include "TimedPlacement.hpp"
#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/surrogate/Generate.hpp"
#include "hepkit/surrogate/SequenceData.hpp"
#include "hepkit/surrogate/SequenceModel.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <set>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

namespace fs = std::filesystem;
using namespace hepkit;
using namespace hepkit::surrogate;

namespace {

const std::string kBase = sequence_test::base_scenario();

const fs::path& data() {
    return sequence_test::sequence_data();
}
using sequence_test::brief;

TEST(SurrogateSequence, InputsInSubmissionOrderAndTargetsFromTheTrace) {
    const sim::GridScenario s = sim::read_grid_scenario(
        config::YamlView(config::load_yaml_file(kBase), kBase), fs::path(kBase).parent_path().string());
    const SequenceSample q = sequence_of(s);
    ASSERT_EQ(q.job_count(), s.workload.jobs.size());
    EXPECT_EQ(q.host_count(), s.platform->host_count());
    ASSERT_EQ(q.host_names.size(), q.host_count());
    ASSERT_EQ(q.host_sites.size(), q.host_count());
    for (std::size_t h = 0; h < q.host_count(); ++h) {
        EXPECT_EQ(q.host_names[h], s.platform->host(static_cast<sim::HostIndex>(h)).id);
        EXPECT_EQ(q.host_sites[h],
                  s.platform->zone_name(s.platform->host_zone(static_cast<sim::HostIndex>(h))));
    }
    EXPECT_TRUE(q.targets.empty());
    EXPECT_TRUE(q.machines.empty());
    const std::size_t ni = job_input_names().size();
    for (std::size_t j = 1; j < q.job_count(); ++j)
        EXPECT_LE(q.job_x[(j - 1) * ni], q.job_x[j * ni]); // submit times never decrease
    // each job's inputs are its JobSpec's
    std::size_t staged_jobs = 0;
    for (std::size_t j = 0; j < q.job_count(); ++j) {
        const auto it = std::find_if(s.workload.jobs.begin(), s.workload.jobs.end(),
                                     [&](const sim::JobSpec& js) { return js.id == q.jobs[j]; });
        ASSERT_NE(it, s.workload.jobs.end());
        EXPECT_EQ(q.job_x[j * ni + 3], it->flops);
        EXPECT_EQ(q.job_x[j * ni + 5], it->output_size);
        EXPECT_EQ(q.job_x[j * ni + 6], static_cast<double>(it->inputs.size()));
        // staged on the caches: the shortest prefix of the input files that reaches the hit rate's
        // share of the input bytes
        const double in = q.job_x[j * ni + 4], staged = q.job_x[j * ni + 7],
                     share = s.options.cache.hitrate * in;
        ASSERT_GT(s.options.cache.hitrate, 0);
        double prefix = 0, before = 0;
        for (const auto f : it->inputs) {
            if (prefix >= share)
                break;
            before = prefix;
            prefix += s.workload.files[f].size;
        }
        EXPECT_EQ(staged, prefix);
        EXPECT_GE(staged, share);
        if (share > 0) {
            EXPECT_LT(before, share);
        }
        staged_jobs += staged > 0;
        EXPECT_LE(staged, in);
    }
    EXPECT_GT(staged_jobs, 10U);
    // the placement's inputs: each job's own, placed in the workload's order (the queue's), written
    // at the job's row of the sequence
    {
        std::vector<sim::JobGroup> alone;
        for (const auto& js : s.workload.jobs) {
            double in = 0;
            for (const auto f : js.inputs)
                in += s.workload.files[f].size;
            alone.push_back(sim::JobGroup{js.submit,
                                          js.type != sim::JobType::calculation && !js.inputs.empty(), 1,
                                          static_cast<double>(js.cores), js.flops, in});
            alone.back().flops_max = js.flops;
        }
        const hepkit::surrogate::detail::ReadSetup setup(s, true);
        // the streaming overhead as the example sets it (xrd_flops_per_time: 1e9, the default
        // read-time model: over the reads, not the steps)
        EXPECT_DOUBLE_EQ(setup.context.xrd_flops_per_time, 1e9);
        EXPECT_FALSE(setup.context.xrd_over_steps);
        {
            sim::GridScenario dcsim = s;
            dcsim.options.streaming.xrd_overhead = sim::XrdOverhead::dcsim;
            EXPECT_TRUE(hepkit::surrogate::detail::ReadSetup(dcsim, true).context.xrd_over_steps);
            dcsim.options.streaming.prefetch = false; // without prefetch a step is its read
            EXPECT_FALSE(hepkit::surrogate::detail::ReadSetup(dcsim, true).context.xrd_over_steps);
        }
        std::vector<double> output_bytes;
        std::vector<hepkit::surrogate::detail::JobNeeds> needs;
        std::vector<std::uint8_t> copies; // jobs that read whole before they compute
        for (const auto& js : s.workload.jobs) {
            output_bytes.push_back(js.output_size);
            needs.push_back({js.memory, js.priority, js.type == sim::JobType::streaming});
            // prefetch: of each file only its first block's read and last block's compute stand
            // alone — the share 1 / blocks of its bytes
            double in = 0, alone_bytes = 0;
            for (const auto f : js.inputs) {
                const double size = s.workload.files[f].size;
                const double blocks = std::max(1.0, std::ceil(size / s.options.streaming.block_size));
                in += size;
                alone_bytes += size / blocks;
            }
            ASSERT_TRUE(s.options.streaming.prefetch);
            if (in > 0)
                needs.back().unoverlapped = alone_bytes / in;
            copies.push_back(js.type != sim::JobType::streaming);
        }
        const auto placed = hepkit::surrogate::detail::timed_jobs(
            *s.platform, alone, needs, setup.context,
            hepkit::surrogate::detail::placed_jobs(*s.platform, alone, setup.context));
        // a streaming job's last block (of its last file) is computed alone: its share of the
        // job's compute by bytes
        std::vector<double> last_compute(alone.size(), 0.0);
        for (std::size_t w = 0; w < alone.size(); ++w) {
            const auto& js = s.workload.jobs[w];
            if (copies[w] || js.inputs.empty())
                continue;
            const double tail = hepkit::surrogate::detail::last_block_bytes(
                s.workload.files[js.inputs.back()].size, s.options.streaming.block_size);
            last_compute[w] = placed[w].compute_s * tail / alone[w].input_bytes;
        }
        // the last block by hand: the rest after the full blocks, a whole one where they divide
        // the file, the file where it is smaller than a block, nothing for an empty file
        EXPECT_DOUBLE_EQ(hepkit::surrogate::detail::last_block_bytes(2.5e9, 1e9), 0.5e9);
        EXPECT_DOUBLE_EQ(hepkit::surrogate::detail::last_block_bytes(3e9, 1e9), 1e9);
        EXPECT_DOUBLE_EQ(hepkit::surrogate::detail::last_block_bytes(0.3e9, 1e9), 0.3e9);
        EXPECT_DOUBLE_EQ(hepkit::surrogate::detail::last_block_bytes(0, 1e9), 0);
        const auto writes = hepkit::surrogate::detail::placed_outputs(
            *s.platform, setup.context, alone, placed, output_bytes, copies, last_compute);
        // (the readers' last blocks change the max-min writes)
        EXPECT_NE(writes.max_min, hepkit::surrogate::detail::placed_outputs(*s.platform, setup.context, alone,
                                                                            placed, output_bytes, copies)
                                      .max_min);
        const auto& outputs = writes.equal;
        const auto& outputs_mm = writes.max_min;
        std::size_t waiting = 0;
        for (std::size_t j = 0; j < q.job_count(); ++j) {
            const auto w = static_cast<std::size_t>(
                std::find_if(s.workload.jobs.begin(), s.workload.jobs.end(),
                             [&](const sim::JobSpec& js) { return js.id == q.jobs[j]; }) -
                s.workload.jobs.begin());
            EXPECT_EQ(q.job_x[j * ni + kPlacedInputs], placed[w].placed) << q.jobs[j];
            EXPECT_EQ(q.job_x[j * ni + kPlacedInputs + 1], placed[w].compute_s) << q.jobs[j];
            EXPECT_EQ(q.job_x[j * ni + kPlacedInputs + 2], placed[w].transfer_s) << q.jobs[j];
            EXPECT_EQ(q.job_x[j * ni + kPlacedInputs + 3], outputs[w]) << q.jobs[j];
            EXPECT_EQ(q.job_x[j * ni + kPlacedInputs + 4], placed[w].start_s) << q.jobs[j];
            EXPECT_GE(placed[w].start_s, alone[w].submit) << q.jobs[j];
            EXPECT_EQ(q.job_x[j * ni + kPlacedInputs + 5], outputs_mm[w]) << q.jobs[j];
            EXPECT_GT(outputs_mm[w], 0) << q.jobs[j];
            EXPECT_EQ(q.job_x[j * ni + kPlacedInputs + 6], placed[w].transfer_alone_s) << q.jobs[j];
            EXPECT_EQ(q.job_x[j * ni + kPlacedInputs + 7], placed[w].transfer_crowd_s) << q.jobs[j];
            EXPECT_EQ(q.job_x[j * ni + kPlacedInputs + 8], placed[w].transfer_shared_s) << q.jobs[j];
            if (alone[w].reads && placed[w].worker >= 0) { // read alone: the fastest of the views
                EXPECT_GT(placed[w].transfer_alone_s, 0) << q.jobs[j];
                EXPECT_LE(placed[w].transfer_alone_s, placed[w].transfer_shared_s * (1 + 1e-12)) << q.jobs[j];
                EXPECT_LE(placed[w].transfer_alone_s, placed[w].transfer_crowd_s * (1 + 1e-12)) << q.jobs[j];
            }
            // every job of the example writes an output: a delay and its bytes at a rate
            EXPECT_GT(outputs[w], 0) << q.jobs[j];
            EXPECT_TRUE(placed[w].placed == 0 || placed[w].placed == 1) << placed[w].placed;
            EXPECT_GT(placed[w].compute_s, 0);
            EXPECT_EQ(placed[w].transfer_s > 0, alone[w].reads) << q.jobs[j];
            waiting += placed[w].placed == 0;
        }
        EXPECT_LT(waiting, q.job_count());
    }
    sim::GridScenario no_hits = s;
    no_hits.options.cache.hitrate = 0; // nothing staged
    const SequenceSample q0 = sequence_of(no_hits);
    for (std::size_t j = 0; j < q0.job_count(); ++j)
        ASSERT_EQ(q0.job_x[j * ni + 7], 0.0);
    // job ids with numbers: job_analysis_9 before job_analysis_10 at the same submit time
    const auto pos = [&](const std::string& id) {
        return std::find(q.jobs.begin(), q.jobs.end(), id) - q.jobs.begin();
    };
    EXPECT_LT(pos("job_analysis_9"), pos("job_analysis_10"));

    const auto samples = load_sequences(data().string());
    ASSERT_EQ(samples.size(), 8U);
    const std::size_t nt = job_target_names().size();
    for (const auto& sample : samples) {
        ASSERT_EQ(sample.targets.size(), sample.job_count() * nt);
        for (std::size_t j = 0; j < sample.job_count(); ++j) {
            const double* y = &sample.targets[j * nt];
            EXPECT_GE(y[0], 0);
            EXPECT_GT(y[1], 0);
            EXPECT_LE(y[2], y[1] * (1 + 1e-9) + 1e-6); // compute within the wall time
        }
        // each job's machine: a worker host (host_input_names()[2]) of the sample's platform
        ASSERT_EQ(sample.machines.size(), sample.job_count());
        for (const int h : sample.machines) {
            ASSERT_GE(h, 0);
            ASSERT_LT(static_cast<std::size_t>(h), sample.host_count());
            EXPECT_EQ(sample.host_x[static_cast<std::size_t>(h) * host_input_names().size() + 2], 1.0);
        }
    }
    // the three-site samples' jobs ran on more than one site
    std::size_t multi_site = 0;
    for (const auto& sample : samples) {
        std::vector<std::string> sites;
        for (const int h : sample.machines)
            sites.push_back(sample.host_sites[static_cast<std::size_t>(h)]);
        std::sort(sites.begin(), sites.end());
        multi_site += std::unique(sites.begin(), sites.end()) - sites.begin() > 1;
    }
    EXPECT_GT(multi_site, 0U);
    EXPECT_THROW(load_sequences(hepkit::test::temp_dir("sequence", "none").string()), InputError);
}

// `s`'s jobs repeated to 1300 or more (windows of 500), without targets.
SequenceSample beyond_one_window(const SequenceSample& s) {
    SequenceSample big = s;
    while (big.job_count() < 1300) {
        big.jobs.insert(big.jobs.end(), s.jobs.begin(), s.jobs.end());
        big.job_x.insert(big.job_x.end(), s.job_x.begin(), s.job_x.end());
    }
    big.targets.clear();
    return big;
}

class SurrogateSequenceKinds : public ::testing::TestWithParam<SequenceKind> {};

TEST_P(SurrogateSequenceKinds, TrainLoadPredictReproducibly) {
    const SequenceKind kind = GetParam();
    const auto out = hepkit::test::temp_dir("sequence", "model-" + to_string(kind)),
               again = hepkit::test::temp_dir("sequence", "again-" + to_string(kind));
    SequenceTrainConfig c = brief(kind, out, 4);
    std::vector<double> losses;
    c.ensemble = 2;
    const SequenceTrainReport r = train_sequence(c, [&](int member, int, double, double v) {
        if (member == 0)
            losses.push_back(v);
    });
    EXPECT_EQ(r.train_samples + r.validation_samples, 8U);
    EXPECT_EQ(losses.size(), 6U);
    EXPECT_LT(*std::min_element(losses.begin(), losses.end()), losses.front()); // it learns something
    EXPECT_TRUE(fs::exists(out / "network_0.pt"));
    EXPECT_TRUE(fs::exists(out / "network_1.pt"));
    ASSERT_EQ(r.best_epochs.size(), 2U);
    c.output = again.string();
    train_sequence(c);
    const SequenceModel a = SequenceModel::load(out.string()), b = SequenceModel::load(again.string());
    EXPECT_EQ(a.kind(), kind);
    const auto samples = load_sequences(data().string(), 2);
    const auto pa = a.predict(samples[0]), pb = b.predict(samples[0]);
    EXPECT_EQ(a.members(), 2U);
    // the mean is the members' mean, and the members differ (their own initialisations)
    const auto members = a.predict_members(samples[0]);
    ASSERT_EQ(members.size(), 3U);
    EXPECT_NE(members[1], members[2]);
    for (std::size_t i = 0; i < pa.size(); i += 7)
        EXPECT_NEAR(pa[i], 0.5 * (members[1][i] + members[2][i]), 1e-9 * std::max(1.0, std::abs(pa[i])));
    ASSERT_EQ(pa.size(), samples[0].job_count() * job_target_names().size());
    EXPECT_EQ(pa, pb); // same seed, same network
    for (const double v : pa)
        EXPECT_TRUE(std::isfinite(v) && v >= 0) << v;
    // A sequence beyond one window: 1300 jobs, the base's three times over, in windows of 500.
    const SequenceSample big = beyond_one_window(samples[1]);
    const auto pbig = a.predict(big);
    ASSERT_EQ(pbig.size(), big.job_count() * job_target_names().size());
    for (const double v : pbig)
        ASSERT_TRUE(std::isfinite(v));
    // the machines: the platform model's, each job's a worker host; the others predict none
    EXPECT_EQ(a.predicts_machines(), kind == SequenceKind::platform);
    const std::vector<int> machines = a.predict_machines(big);
    if (kind == SequenceKind::platform) {
        ASSERT_EQ(machines.size(), big.job_count());
        for (const int h : machines) {
            ASSERT_GE(h, 0);
            ASSERT_LT(static_cast<std::size_t>(h), big.host_count());
            ASSERT_EQ(big.host_x[static_cast<std::size_t>(h) * host_input_names().size() + 2], 1.0);
        }
        EXPECT_EQ(b.predict_machines(samples[0]), a.predict_machines(samples[0])); // reproducible
        // the ensemble's uncertainty: each member's own hosts, the chosen class's probability
        SequenceModel::Machines m;
        a.predict_members(big, &m);
        EXPECT_EQ(m.host, machines);
        ASSERT_EQ(m.probability.size(), big.job_count());
        ASSERT_EQ(m.members.size(), 2U);
        const std::vector<std::int64_t> cls = surrogate::detail::host_classes(big);
        std::size_t worker_classes = 0;
        {
            std::vector<std::uint8_t> seen(big.host_count(), 0);
            for (std::size_t h = 0; h < big.host_count(); ++h)
                if (big.worker(h) && !seen[static_cast<std::size_t>(cls[h])]++)
                    ++worker_classes;
        }
        for (std::size_t j = 0; j < big.job_count(); ++j) {
            // the likeliest class has at least an even share of the worker classes' probability
            EXPECT_GE(m.probability[j], 1.0 / static_cast<double>(worker_classes) - 1e-6);
            EXPECT_LE(m.probability[j], 1.0 + 1e-6);
            ASSERT_EQ(m.members[0].size(), big.job_count());
            ASSERT_TRUE(big.worker(static_cast<std::size_t>(m.members[1][j])));
            // where both members choose one class, the mean of their probabilities chooses it too
            const auto c0 = cls[static_cast<std::size_t>(m.members[0][j])];
            if (c0 == cls[static_cast<std::size_t>(m.members[1][j])]) {
                EXPECT_EQ(cls[static_cast<std::size_t>(m.host[j])], c0) << j;
            }
        }
        SequenceSample idle = samples[0]; // no worker: no machine to name
        for (std::size_t h = 0; h < idle.host_count(); ++h)
            idle.host_x[h * host_input_names().size() + 2] = 0;
        EXPECT_TRUE(a.predict_machines(idle).empty());
    } else {
        EXPECT_TRUE(machines.empty());
    }
    const SequenceEvaluation e = evaluate_sequence(a, data().string(), 3);
    EXPECT_EQ(e.samples, 3U);
    if (kind == SequenceKind::platform) {
        EXPECT_EQ(e.machine_jobs, e.jobs);
        for (const double f : {e.class_accuracy, e.site_accuracy, e.largest_class_accuracy})
            EXPECT_TRUE(f >= 0 && f <= 1) << f;
        EXPECT_GT(e.mean_class_probability, 0);
        EXPECT_LE(e.mean_class_probability, 1 + 1e-6);
    } else {
        EXPECT_EQ(e.machine_jobs, 0U);
    }
    EXPECT_GT(e.jobs, 0U);
    EXPECT_GT(e.rel_mae[2], 0);
    EXPECT_GT(e.throughput_rel_mae, 0);
    EXPECT_TRUE(std::isfinite(e.throughput_rel_mae));
    // the ensemble's relative spread by hand: the two members' standard deviation (half their
    // difference) times the calibration factor over the simulated value, averaged over the jobs
    // whose value is ≥ 1 s; the coverage: the share of those jobs whose error is within it
    const std::size_t nt = job_target_names().size();
    ASSERT_EQ(a.spread_scale().size(), sequence_spread_names().size() + sequence_summary_names().size());
    std::vector<double> spread(nt, 0.0), covered(nt, 0.0), counted(nt, 0.0);
    for (const SequenceSample& s : load_sequences(data().string(), 3)) {
        const auto m = a.predict_members(s);
        const SequenceSpread raw = surrogate::detail::raw_spread(m); // tested by hand in SpreadTest
        for (std::size_t i = 0; i < s.targets.size(); ++i)
            if (s.targets[i] >= 1.0) {
                const std::size_t j = i / nt, c = i % nt;
                EXPECT_NEAR(raw.jobs[j * sequence_spread_names().size() + c],
                            0.5 * std::abs(m[1][i] - m[2][i]), 1e-9 * std::max(1.0, s.targets[i]));
                const double sd = raw.jobs[j * sequence_spread_names().size() + c] * a.spread_scale()[c];
                spread[i % nt] += sd / s.targets[i];
                covered[i % nt] += std::abs(m[0][i] - s.targets[i]) <= sd ? 1 : 0;
                counted[i % nt] += 1;
            }
    }
    ASSERT_EQ(e.rel_spread.size(), nt);
    ASSERT_EQ(e.coverage.size(), nt);
    ASSERT_EQ(e.summary_coverage.size(), sequence_summary_names().size());
    {
        // the summaries' coverage by hand: each sample's members' mean summary within its spread
        std::vector<double> inside(sequence_summary_names().size(), 0.0);
        const auto three = load_sequences(data().string(), 3);
        for (const SequenceSample& s : three) {
            const SequenceSpread sp = a.spread(a.predict_members(s));
            const std::vector<double> truth = sequence_summaries(s.targets);
            for (std::size_t c = 0; c < truth.size(); ++c)
                inside[c] += std::abs(sp.summary[c] - truth[c]) <= sp.summary_spread[c] ? 1 : 0;
        }
        for (std::size_t c = 0; c < inside.size(); ++c)
            EXPECT_EQ(e.summary_coverage[c], inside[c] / 3.0) << c;
    }
    for (std::size_t c = 0; c < nt; ++c) {
        EXPECT_NEAR(e.rel_spread[c], counted[c] > 0 ? spread[c] / counted[c] : 0.0, 1e-9) << c;
        EXPECT_NEAR(e.coverage[c], counted[c] > 0 ? covered[c] / counted[c] : 0.0, 1e-12) << c;
    }
    EXPECT_GT(e.rel_spread[2], 0);
    // the calibration was fitted and written (an ensemble), and loads back as written
    for (const double f : a.spread_scale())
        EXPECT_TRUE(f > 0 && std::isfinite(f)) << f;
    EXPECT_NE(a.spread_scale(), std::vector<double>(a.spread_scale().size(), 1.0));
    EXPECT_EQ(a.spread_scale(), b.spread_scale());
    // the calibration's defining property, on the samples it is fitted to: the scaled spread
    // covers at least 68.3 % of the errors, and less than that lies strictly within it
    const auto all = load_sequences(data().string());
    std::vector<const SequenceSample*> fit;
    for (const auto& s : all)
        fit.push_back(&s);
    const std::vector<double> scale = surrogate::detail::fit_spread_scale(a, fit);
    const std::size_t ns = sequence_spread_names().size();
    for (std::size_t c = 0; c < ns; ++c) {
        double within = 0, inside = 0, n = 0;
        for (const auto& s : all) {
            const auto m = a.predict_members(s);
            const SequenceSpread raw = surrogate::detail::raw_spread(m);
            for (std::size_t j = 0; j < s.job_count(); ++j) {
                const auto value = [&](const std::vector<double>& v) {
                    return c < nt ? v[j * nt + c] : v[j * nt] + v[j * nt + 1];
                };
                const double y = value(s.targets), sd = raw.jobs[j * ns + c];
                if (y < 1.0 || sd <= 0)
                    continue;
                const double err = std::abs(value(m[0]) - y);
                within += err <= scale[c] * sd * (1 + 1e-12) ? 1 : 0;
                inside += err < scale[c] * sd * (1 - 1e-12) ? 1 : 0;
                n += 1;
            }
        }
        if (n == 0)
            continue;
        if (n < 10) // too few errors: left unscaled
            continue;
        EXPECT_GE(within / n, 0.683) << sequence_spread_names()[c];
        EXPECT_LT(inside / n, 0.683) << sequence_spread_names()[c];
    }
}

TEST_P(SurrogateSequenceKinds, MiniBatchesTrainAndPredictAsOneSampleAtATime) {
    // batch_size: samples of different lengths side by side, padded; the padding must not reach
    // the real steps (packed sequences, a masked Transformer): a batch's predictions are each
    // sample's alone, up to float rounding — also for a sample of several windows.
    const SequenceKind kind = GetParam();
    const auto out = hepkit::test::temp_dir("sequence", "batched-" + to_string(kind)),
               again = hepkit::test::temp_dir("sequence", "batched-again-" + to_string(kind));
    SequenceTrainConfig c = brief(kind, out, 5);
    c.batch_size = 3;
    std::vector<double> losses;
    train_sequence(c, [&](int, int, double, double v) { losses.push_back(v); });
    ASSERT_EQ(losses.size(), 6U);
    EXPECT_LT(*std::min_element(losses.begin(), losses.end()), losses.front()); // it learns something
    c.output = again.string();
    train_sequence(c);
    const SequenceModel a = SequenceModel::load(out.string()), b = SequenceModel::load(again.string());
    std::vector<SequenceSample> samples = load_sequences(data().string(), 4);
    EXPECT_EQ(a.predict(samples[0]), b.predict(samples[0])); // reproducible from the seed
    samples.insert(samples.begin() + 2, beyond_one_window(samples[1]));
    samples.push_back(SequenceSample{}); // no jobs: an empty prediction
    ASSERT_NE(samples[0].job_count(), samples[1].job_count());
    const auto batch = a.predict_batch(samples);
    ASSERT_EQ(batch.size(), samples.size());
    EXPECT_TRUE(batch.back().empty());
    for (std::size_t k = 0; k + 1 < samples.size(); ++k) {
        const auto alone = a.predict(samples[k]);
        ASSERT_EQ(batch[k].size(), alone.size()) << k;
        for (std::size_t i = 0; i < alone.size(); ++i)
            ASSERT_NEAR(batch[k][i], alone[i], 1e-4 * std::max(1.0, std::abs(alone[i]))) << k << ", " << i;
    }
}

TEST(SurrogateSequence, MachineHeadOptionalAndOlderModelsLoad) {
    // machine_weight: 0 trains a platform model without the head; a manifest from before the head
    // (no machine_head key) loads as one without it
    const auto out = hepkit::test::temp_dir("sequence", "no-machines");
    SequenceTrainConfig c = brief(SequenceKind::platform, out, 6);
    c.epochs = 1;
    c.machine_weight = 0;
    train_sequence(c);
    const auto samples = load_sequences(data().string(), 1);
    const SequenceModel a = SequenceModel::load(out.string());
    EXPECT_FALSE(a.predicts_machines());
    EXPECT_TRUE(a.predict_machines(samples[0]).empty());
    const fs::path manifest = out / "surrogate.json";
    nlohmann::json m = nlohmann::json::parse(std::ifstream(manifest));
    EXPECT_EQ(m.at("machine_head"), false);
    m.erase("machine_head");
    m.erase("machine_weight");
    std::ofstream(manifest) << m.dump();
    const SequenceModel b = SequenceModel::load(out.string());
    EXPECT_FALSE(b.predicts_machines());
    EXPECT_EQ(b.predict(samples[0]), a.predict(samples[0]));
    // one network: no spread, no calibration written; a calibration that is not a positive factor
    // is refused naming its key
    EXPECT_FALSE(m.contains("spread_scale"));
    EXPECT_EQ(b.spread_scale(), std::vector<double>(b.spread_scale().size(), 1.0));
    for (const auto& name : sequence_spread_names())
        m["spread_scale"][name] = 1.5;
    for (const auto& name : sequence_summary_names())
        m["spread_scale"][name] = 2.0;
    std::ofstream(manifest) << m.dump();
    EXPECT_EQ(SequenceModel::load(out.string()).spread_scale()[0], 1.5);
    m["spread_scale"]["wall"] = -1.0;
    std::ofstream(manifest) << m.dump();
    try {
        SequenceModel::load(out.string());
        ADD_FAILURE() << "a negative spread factor loaded";
    } catch (const InputError& e) {
        EXPECT_EQ(e.key(), "spread_scale.wall");
    }
}

TEST(SurrogateSequence, PlacementInputsOptional) {
    // placement_inputs: false trains the platform model on the paper's job inputs only, saved as
    // such; a manifest from before the placement inputs loads as one without them
    const auto out = hepkit::test::temp_dir("sequence", "no-placement");
    SequenceTrainConfig c = brief(SequenceKind::platform, out, 6);
    c.epochs = 1;
    c.placement_inputs = false;
    train_sequence(c);
    const auto samples = load_sequences(data().string(), 1);
    const auto a = SequenceModel::load(out.string()).predict(samples[0]);
    const fs::path manifest = out / "surrogate.json";
    nlohmann::json m = nlohmann::json::parse(std::ifstream(manifest));
    EXPECT_EQ(m.at("placement_inputs"), false);
    m.erase("placement_inputs");
    std::ofstream(manifest) << m.dump();
    EXPECT_EQ(SequenceModel::load(out.string()).predict(samples[0]), a);
    // the placement changes nothing for a model that does not read it
    SequenceSample moved = samples[0];
    for (std::size_t j = 0; j < moved.job_count(); ++j)
        moved.job_x[j * job_input_names().size() + kPlacedInputs + 1] *= 3;
    EXPECT_EQ(SequenceModel::load(out.string()).predict(moved), a);
}

TEST(SurrogateSequence, OlderPlacementEstimatesRefused) {
    // A model trained on the placement's estimates records which ones (placement_estimates: 8
    // since the max-min writes are followed and the readers' last blocks computed alone,
    // twenty-fourth session); one trained on other
    // estimates would read inputs it never saw, so it is refused naming the key.
    const auto out = hepkit::test::temp_dir("sequence", "estimates");
    SequenceTrainConfig c = brief(SequenceKind::platform, out, 6);
    c.epochs = 1;
    train_sequence(c);
    const fs::path manifest = out / "surrogate.json";
    nlohmann::json m = nlohmann::json::parse(std::ifstream(manifest));
    EXPECT_EQ(m.at("placement_estimates"), 8);
    EXPECT_NO_THROW(SequenceModel::load(out.string()));
    for (const nlohmann::json& other :
         {nlohmann::json(), nlohmann::json(7), nlohmann::json(9), nlohmann::json("8")}) {
        if (other.is_null())
            m.erase("placement_estimates");
        else
            m["placement_estimates"] = other;
        std::ofstream(manifest) << m.dump();
        try {
            SequenceModel::load(out.string());
            ADD_FAILURE() << "a model of earlier placement estimates loaded";
        } catch (const InputError& e) {
            EXPECT_EQ(e.key(), "placement_estimates");
            EXPECT_NE(std::string(e.what()).find("train it again"), std::string::npos) << e.what();
        }
    }
}

TEST(SurrogateSequence, ResidualTargetsRelativeToThePlacement) {
    // residual_targets: the compute and transfer times learned relative to the placement's
    // estimates (log1p(time) − log1p(estimate)), saved as such and loaded back
    const auto out = hepkit::test::temp_dir("sequence", "residual");
    SequenceTrainConfig c = brief(SequenceKind::platform, out, 8);
    c.epochs = 1;
    EXPECT_TRUE(c.residual_targets); // the default
    train_sequence(c);
    const auto samples = load_sequences(data().string(), 1);
    const SequenceSample& s = samples[0];
    const fs::path manifest = out / "surrogate.json";
    nlohmann::json j = nlohmann::json::parse(std::ifstream(manifest));
    EXPECT_EQ(j.at("residual_targets"), true);
    const std::vector<double> a = SequenceModel::load(out.string()).predict(s);
    // The same network read as a model from before the option (no key): its outputs are the
    // times themselves. So per job (1 + a) / (1 + b) is 1 + the estimate: the submission for the
    // start, the placement's compute, input and output transfer for those, their sum for the wall
    // (where neither prediction is clamped at 0).
    j.erase("residual_targets");
    std::ofstream(manifest) << j.dump();
    const std::vector<double> b = SequenceModel::load(out.string()).predict(s);
    const std::size_t nt = job_target_names().size(), ni = job_input_names().size();
    ASSERT_EQ(a.size(), s.job_count() * nt);
    ASSERT_EQ(b.size(), a.size());
    std::size_t checked = 0;
    for (std::size_t k = 0; k < s.job_count(); ++k)
        for (std::size_t t = 0; t < nt; ++t) {
            const double x = a[k * nt + t], y = b[k * nt + t];
            if (!(x > 0 && y > 0))
                continue;
            const double* in = &s.job_x[k * ni];
            const double* placed = in + kPlacedInputs;
            const double estimate = t == 0   ? placed[4]
                                    : t == 1 ? placed[1] + placed[2] + placed[3]
                                             : placed[t - 1];
            EXPECT_NEAR((1 + x) / (1 + y), 1 + estimate, 1e-9 * (1 + estimate)) << k << " " << t;
            ++checked;
        }
    EXPECT_GE(checked, s.job_count() / 2); // many residuals are near 0: b then clamps at 0
    // The training side: each target's transform was fitted on residuals — for the compute time,
    // its centre lies at the data's mean of log1p(compute) − log1p(placed compute), far from the
    // mean of log1p(compute) itself (the training samples are most of the data)
    double residual = 0, plain = 0, n = 0;
    for (const SequenceSample& q : load_sequences(data().string()))
        for (std::size_t k = 0; k < q.job_count(); ++k) {
            const double t = std::log1p(q.targets[k * nt + 2]);
            plain += t;
            residual += t - std::log1p(q.job_x[k * ni + kPlacedInputs + 1]);
            n += 1;
        }
    const double centre = j.at("target_transforms").at(2).at("mean").get<double>();
    EXPECT_LT(std::abs(centre - residual / n), 0.25 * std::abs(plain / n - residual / n))
        << centre << " " << residual / n << " " << plain / n;
    // only for the platform model with placement inputs
    SequenceTrainConfig bad = c;
    bad.placement_inputs = false;
    train_sequence(bad); // placement off: the option has nothing to anchor to and is off
    EXPECT_EQ(nlohmann::json::parse(std::ifstream(manifest)).at("residual_targets"), false);
}

TEST(SurrogateSequence, TraceMachinesMustBeWorkersOfThePlatform) {
    // a copy of the data whose first trace names a host the platform does not have, then one
    // that has no worker role: errors naming the file, line and column
    const auto sample = load_sequences(data().string(), 1).front();
    const auto storage =
        std::find_if(sample.host_names.begin(), sample.host_names.end(), [&](const auto& name) {
            const auto h = static_cast<std::size_t>(&name - sample.host_names.data());
            return sample.host_x[h * host_input_names().size() + 2] == 0;
        });
    ASSERT_NE(storage, sample.host_names.end());
    for (const std::string& host : {std::string("nowhere"), *storage}) {
        const fs::path copy = hepkit::test::temp_dir("sequence", "bad-machine");
        fs::remove_all(copy);
        fs::copy(data(), copy, fs::copy_options::recursive);
        std::vector<fs::path> dirs;
        for (const auto& e : fs::directory_iterator(copy / "scenarios"))
            dirs.push_back(e.path());
        std::sort(dirs.begin(), dirs.end());
        const fs::path trace = dirs.front() / "trace.csv";
        std::ifstream in(trace);
        std::string header, first, rest, line;
        std::getline(in, header);
        std::getline(in, first);
        while (std::getline(in, line))
            rest += line + "\n";
        in.close();
        const auto a = first.find(',') + 1, b = first.find(',', a);
        first = first.substr(0, a) + " " + host + first.substr(b);
        std::ofstream(trace) << header << "\n" << first << "\n" << rest;
        try {
            load_sequences(copy.string());
            FAIL() << host;
        } catch (const InputError& e) {
            EXPECT_NE(std::string(e.what()).find("trace.csv:2: machine.name: '" + host + "'"),
                      std::string::npos)
                << e.what();
        }
    }
}

class SurrogateMachineHead : public ::testing::TestWithParam<int> {};

TEST_P(SurrogateMachineHead, LearnsWhereJobsRun) {
    // Trained mostly on the machines (a large weight), one sample at a time and in mini-batches,
    // the head's share of jobs in their simulated class of hosts, on the samples it trained on,
    // beats the untrained network's and the guess from the platform alone.
    const int batch = GetParam();
    const auto before = hepkit::test::temp_dir("sequence", fmt::format("machines-{}-before", batch)),
               after = hepkit::test::temp_dir("sequence", fmt::format("machines-{}-after", batch));
    SequenceTrainConfig c = brief(SequenceKind::platform, before, 8);
    c.batch_size = batch;
    c.machine_weight = 50;
    c.validation_fraction = 0.125; // 7 of the 8 samples trained on
    c.epochs = 1;
    c.learning_rate = 1e-6; // about the initial network
    train_sequence(c);
    c.output = after.string();
    c.epochs = 12;
    c.learning_rate = 1e-2;
    train_sequence(c);
    const SequenceEvaluation e0 = evaluate_sequence(SequenceModel::load(before.string()), data().string()),
                             e1 = evaluate_sequence(SequenceModel::load(after.string()), data().string());
    // (measured: 0.16 -> 0.96; all jobs on the class with the most cores: 0.16)
    EXPECT_GT(e1.class_accuracy, std::max(e0.class_accuracy, e1.largest_class_accuracy) + 0.3)
        << e0.class_accuracy << " -> " << e1.class_accuracy << ", largest class "
        << e1.largest_class_accuracy;
    EXPECT_LT(e1.site_share_error, e0.site_share_error);
}

INSTANTIATE_TEST_SUITE_P(BatchSizes, SurrogateMachineHead, ::testing::Values(1, 3));

INSTANTIATE_TEST_SUITE_P(Kinds, SurrogateSequenceKinds,
                         ::testing::Values(SequenceKind::gru, SequenceKind::lstm, SequenceKind::transformer,
                                           SequenceKind::platform),
                         [](const auto& info) { return to_string(info.param); });

TEST(SurrogateSequence, ConfigErrorsNameTheKey) {
    const auto parse = [](const std::string& text) {
        const fs::path p = hepkit::test::temp_dir("sequence", "cfg");
        fs::create_directories(p);
        std::ofstream(p / "t.yaml") << text;
        return parse_sequence_config(
            config::YamlView(config::load_yaml_file((p / "t.yaml").string()), (p / "t.yaml").string()));
    };
    EXPECT_EQ(parse("model: lstm\ndata: d\n").kind, SequenceKind::lstm);
    try {
        parse("model: rnn\ndata: d\n");
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(
            std::string(e.what()).find("t.yaml:1: model: 'rnn': expected summary, gru, lstm, transformer or "
                                       "platform"),
            std::string::npos)
            << e.what();
    }
    EXPECT_THROW(parse("model: gru\ndata: d\nepochs: 0\n"), InputError);
    EXPECT_THROW(parse("model: gru\ndata: d\nwindow: 3\n"), InputError);
    EXPECT_EQ(parse("model: gru\ndata: d\nbatch_size: 16\n").batch_size, 16);
    EXPECT_EQ(parse("model: gru\ndata: d\n").loss, SequenceLoss::mse);
    EXPECT_EQ(parse("model: gru\ndata: d\nloss: l1\n").loss, SequenceLoss::l1);
    EXPECT_EQ(parse("model: platform\ndata: d\nloss: relative\n").loss, SequenceLoss::relative);
    try {
        parse("model: gru\ndata: d\nloss: l2\n");
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("t.yaml:3: loss: 'l2': expected mse, l1 or relative"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_EQ(parse("model: platform\ndata: d\nmachine_weight: 0.5\n").machine_weight, 0.5);
    EXPECT_EQ(parse("model: gru\ndata: d\nmachine_weight: 0\n").machine_weight, 0.0);
    try {
        parse("model: gru\ndata: d\nmachine_weight: 0.5\n");
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("t.yaml:3: machine_weight: the gru model sees no hosts"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_THROW(parse("model: platform\ndata: d\nmachine_weight: -1\n"), InputError);
    EXPECT_FALSE(parse("model: platform\ndata: d\nplacement_inputs: false\n").placement_inputs);
    try {
        parse("model: lstm\ndata: d\nplacement_inputs: true\n");
        ADD_FAILURE() << "a baseline accepted placement_inputs";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("t.yaml:3: placement_inputs: the lstm model reads the paper's"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_THROW(parse("model: gru\ndata: d\nbatch_size: 0\n"), InputError);
    EXPECT_TRUE(parse("model: platform\ndata: d\n").residual_targets);
    EXPECT_FALSE(parse("model: platform\ndata: d\nresidual_targets: false\n").residual_targets);
    for (const char* text : {"model: gru\ndata: d\nresidual_targets: true\n",
                             "model: platform\ndata: d\nplacement_inputs: false\nresidual_targets: true\n"})
        try {
            parse(text);
            ADD_FAILURE() << "accepted: " << text;
        } catch (const InputError& e) {
            EXPECT_EQ(e.key(), "residual_targets") << e.what();
        }
}

} // namespace
