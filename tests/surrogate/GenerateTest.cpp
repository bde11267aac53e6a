// hepkit surrogate generate: samples in parallel (the same as one at a time), resuming, the
// index, and observables checked against the trace they were computed from.

#include "hepkit/surrogate/Generate.hpp"
#include "Helpers.hpp"
#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/surrogate/Domain.hpp"
#include "hepkit/surrogate/Features.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace hepkit;
using namespace hepkit::surrogate;

namespace {

Space small_space() {
    Space s;
    s.origin = "test-space";
    s.bases = {std::string(HEPKIT_SOURCE_DIR) + "/examples/surrogate/base.yaml"};
    s.samples = 6;
    s.seed = 5;
    s.parameters = {{"cores_factor", 0.5, 2, false},
                    {"link_bandwidth_factor", 0.25, 4, true},
                    {"removed_hosts", 0, 1, false},
                    {"jobs_factor", 0.3, 0.6, false}};
    return s;
}

std::string read(const fs::path& p) {
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), {}};
}

nlohmann::json json_of(const fs::path& p) {
    return nlohmann::json::parse(read(p));
}

std::string trimmed(const std::string& f) {
    const auto a = f.find_first_not_of(' ');
    return a == std::string::npos ? std::string() : f.substr(a, f.find_last_not_of(' ') - a + 1);
}

// The CSV trace's rows, fields by header name (the trace separates fields with ", ").
std::vector<std::map<std::string, std::string>> trace_rows(const fs::path& p) {
    std::istringstream in(read(p));
    std::string line;
    std::getline(in, line);
    std::vector<std::string> header;
    std::stringstream h(line);
    for (std::string f; std::getline(h, f, ',');)
        header.push_back(trimmed(f));
    std::vector<std::map<std::string, std::string>> rows;
    while (std::getline(in, line)) {
        std::stringstream r(line);
        std::map<std::string, std::string> row;
        std::size_t i = 0;
        for (std::string f; std::getline(r, f, ',') && i < header.size(); ++i)
            row[header[i]] = trimmed(f);
        rows.push_back(row);
    }
    return rows;
}

TEST(SurrogateGenerate, ThreadsResumeAndIndex) {
    const Space space = small_space();
    const auto one = hepkit::test::temp_dir("generate", "one"),
               two = hepkit::test::temp_dir("generate", "two");
    GenerateOptions o1;
    o1.threads = 1;
    std::size_t calls = 0;
    o1.progress = [&](std::size_t done, std::size_t total) {
        EXPECT_EQ(total, 6U);
        EXPECT_EQ(done, ++calls);
    };
    const GenerateReport r1 = generate(space, one.string(), o1);
    EXPECT_EQ(r1.run, 6U);
    EXPECT_EQ(calls, 6U);
    GenerateOptions o2;
    o2.threads = 2;
    EXPECT_EQ(generate(space, two.string(), o2).run, 6U);
    EXPECT_EQ(write_index(space, one.string()), 6U);
    EXPECT_EQ(write_index(space, two.string()), 6U);
    // whatever the threads, the same samples (the index holds no wall times)
    EXPECT_EQ(read(one / "index.csv"), read(two / "index.csv"));
    for (int k = 0; k < 6; ++k) {
        const auto d = fmt::format("scenarios/{:06d}", k);
        EXPECT_EQ(read(one / d / "trace.csv"), read(two / d / "trace.csv")) << k;
        EXPECT_EQ(read(one / d / "platform.xml"), read(two / d / "platform.xml")) << k;
    }
    // Resuming: a sample without observables.json runs again, the others are skipped.
    fs::remove(two / "scenarios/000004/observables.json");
    const GenerateReport again = generate(space, two.string(), o2);
    EXPECT_EQ(again.run, 1U);
    EXPECT_EQ(again.skipped, 5U);
    EXPECT_EQ(read(one / "scenarios/000004/trace.csv"), read(two / "scenarios/000004/trace.csv"));
    // A subset [2, 4) only.
    const auto part = hepkit::test::temp_dir("generate", "part");
    GenerateOptions o3;
    o3.first = 2;
    o3.last = 4;
    EXPECT_EQ(generate(space, part.string(), o3).run, 2U);
    EXPECT_FALSE(fs::exists(part / "scenarios/000001"));
    EXPECT_EQ(read(one / "scenarios/000003/trace.csv"), read(part / "scenarios/000003/trace.csv"));
    // The index refuses to be written with samples missing, naming them.
    try {
        write_index(space, part.string());
        FAIL() << "no error";
    } catch (const OutputError& e) {
        EXPECT_NE(std::string(e.what()).find("4 of 6 samples are not done (samples 0, 1, 4, 5)"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_FALSE(fs::exists(part / "index.csv"));
    // generate() wrote the index of a whole space itself
    fs::remove(two / "index.csv");
    generate(space, two.string(), o2);
    EXPECT_EQ(read(one / "index.csv"), read(two / "index.csv"));
    // Resuming with another space is refused (its samples would join the others' index),
    // naming what differs; more samples of the same space are not another space.
    Space other = space;
    other.seed += 1;
    try {
        generate(other, part.string(), o3);
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("space.json: seed: "), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("holds the samples of another space"), std::string::npos)
            << e.what();
    }
    other = space;
    other.parameters.front().max *= 0.5;
    EXPECT_THROW(write_index(other, one.string()), InputError);
    other = space;
    other.samples += 1;
    o3.first = 6;
    o3.last = 7;
    EXPECT_EQ(generate(other, part.string(), o3).run, 1U);
}

TEST(SurrogateGenerate, ObservablesAgreeWithTheTrace) {
    const Space space = small_space();
    const auto dir = hepkit::test::temp_dir("generate", "obs");
    GenerateOptions o;
    o.threads = 2;
    generate(space, dir.string(), o);
    for (int k = 0; k < 6; ++k) {
        SCOPED_TRACE(k);
        const fs::path d = dir / fmt::format("scenarios/{:06d}", k);
        const auto obs = json_of(d / "observables.json");
        const auto rows = trace_rows(d / "trace.csv");
        ASSERT_FALSE(rows.empty());
        EXPECT_EQ(obs["jobs"].get<std::size_t>(), rows.size());
        std::vector<double> ends;
        double wall = 0, compute = 0, infile = 0;
        for (const auto& r : rows) {
            const double start = std::stod(r.at("job.start")), end = std::stod(r.at("job.end"));
            ends.push_back(end);
            wall += end - start;
            compute += std::stod(r.at("job.computetime"));
            infile += std::stod(r.at("infiles.transfertime"));
        }
        std::sort(ends.begin(), ends.end());
        const double n = static_cast<double>(rows.size());
        // The trace prints times to the microsecond: agreement within that rounding.
        const double us = 1e-6;
        EXPECT_NEAR(obs["makespan_s"].get<double>(), ends.back(), us);
        EXPECT_NEAR(obs["mean_wall_time_s"].get<double>(), wall / n, us);
        EXPECT_NEAR(obs["mean_compute_time_s"].get<double>(), compute / n, us);
        EXPECT_NEAR(obs["mean_input_transfer_time_s"].get<double>(), infile / n, us);
        // t50: the end of the job by which half of them ended
        EXPECT_NEAR(obs["t50_s"].get<double>(), ends[static_cast<std::size_t>(std::ceil(0.5 * n)) - 1], us);
        EXPECT_NEAR(obs["t90_s"].get<double>(), ends[static_cast<std::size_t>(std::ceil(0.9 * n)) - 1], us);
        // the throughput curve: the jobs ended by each time, all of them at the makespan
        const auto curve = trace_rows(d / "throughput.csv");
        ASSERT_EQ(curve.size(), 101U);
        EXPECT_EQ(std::stod(curve.front().at("time_s")), 0);
        EXPECT_EQ(std::stoul(curve.back().at("jobs_done")), rows.size());
        for (const auto& point : {curve[25], curve[50], curve[75]}) {
            const double t = std::stod(point.at("time_s"));
            // counted from the trace's microsecond times: a job ending within 1 µs may fall either side
            const auto lo = std::upper_bound(ends.begin(), ends.end(), t - us) - ends.begin();
            const auto hi = std::upper_bound(ends.begin(), ends.end(), t + us) - ends.begin();
            const auto done = static_cast<long>(std::stoul(point.at("jobs_done")));
            EXPECT_TRUE(done >= lo && done <= hi)
                << t << ": " << done << " not in [" << lo << ", " << hi << "]";
        }
        // the platform description counts what the varied platform.xml holds
        const auto plat = json_of(d / "platform.json");
        int workers = 0;
        for (const auto& h : plat["hosts"])
            workers += h["type"] == "worker" ? 1 : 0;
        EXPECT_EQ(workers, 10 - static_cast<int>(obs["values"]["removed_hosts"].get<double>()));
    }
}

// More hosts drawn for removal than the platform has workers (10): one stays, and the sample's
// value (observables.json and the index's value.removed_hosts) is the 9 removed, the draw kept as
// drawn.removed_hosts.
TEST(SurrogateGenerate, RemovedHostsRecordedAsApplied) {
    Space space = small_space();
    space.samples = 2;
    space.parameters = {{"removed_hosts", 12, 15, false}, {"jobs_factor", 0.3, 0.3, false}};
    const auto dir = hepkit::test::temp_dir("generate", "removed");
    GenerateOptions o;
    o.threads = 1;
    generate(space, dir.string(), o);
    for (int k = 0; k < 2; ++k) {
        const auto obs = json_of(dir / fmt::format("scenarios/{:06d}", k) / "observables.json");
        EXPECT_EQ(obs["values"]["removed_hosts"].get<double>(), 9);
        EXPECT_GE(obs["drawn"]["removed_hosts"].get<double>(), 12);
    }
    std::istringstream index(read(dir / "index.csv"));
    std::string header, row;
    std::getline(index, header);
    std::getline(index, row);
    EXPECT_EQ(header.rfind("sample,seed,base,value.removed_hosts,", 0), 0U) << header;
    std::stringstream fields(row);
    std::string field;
    for (int i = 0; i < 4; ++i)
        std::getline(fields, field, ',');
    EXPECT_EQ(field, "9") << row;
}

} // namespace

// --refresh-features: the features of samples made by an earlier hepkit (here: one feature
// dropped, another changed, as an older version would have written them) are computed again from
// the stored scenarios, equal to a fresh run's; the simulated observables stay; nothing runs.
TEST(SurrogateGenerate, FeaturesRefreshedWithoutSimulating) {
    Space space = small_space();
    space.samples = 3;
    const auto dir = hepkit::test::temp_dir("generate", "refresh");
    GenerateOptions o;
    o.threads = 1;
    ASSERT_EQ(generate(space, dir.string(), o).run, 3U);
    ASSERT_EQ(write_index(space, dir.string()), 3U);
    const std::string fresh_index = read(dir / "index.csv");
    const auto obs = [&](int k) { return dir / fmt::format("scenarios/{:06d}/observables.json", k); };
    const std::string trace = read(dir / "scenarios/000001/trace.csv");
    for (int k = 0; k < 3; ++k) {
        nlohmann::json j = json_of(obs(k));
        j["features"].erase(feature_names().back());
        j["features"][feature_names().front()] = -1;
        std::ofstream(obs(k)) << j.dump(2);
    }
    EXPECT_THROW(write_index(space, dir.string()), InputError); // "made by another hepkit version"
    // samples made before the settings were recorded: an index without their columns (nothing to
    // check), and the refresh records them
    for (int k = 0; k < 3; ++k) {
        nlohmann::json j = json_of(obs(k));
        j.erase("settings");
        std::ofstream(obs(k)) << j.dump(2);
    }
    std::size_t calls = 0;
    EXPECT_EQ(refresh_features(space, dir.string(),
                               [&](std::size_t done, std::size_t total) {
                                   EXPECT_EQ(total, 3U);
                                   EXPECT_EQ(done, ++calls);
                               }),
              3U);
    EXPECT_EQ(calls, 3U);
    EXPECT_EQ(read(dir / "index.csv"), fresh_index);
    EXPECT_NE(fresh_index.find(",setting.jobs.duplications,"), std::string::npos);
    // some samples with settings, some without (resumed by a newer hepkit): refused, not dropped
    {
        const std::string before = read(obs(1));
        nlohmann::json j = json_of(obs(1));
        j.erase("settings");
        std::ofstream(obs(1)) << j.dump(2);
        try {
            write_index(space, dir.string());
            ADD_FAILURE() << "no error";
        } catch (const InputError& e) {
            EXPECT_NE(std::string(e.what()).find("2 of the 3 samples record their settings"),
                      std::string::npos)
                << e.what();
        }
        std::ofstream(obs(1)) << before;
    }
    EXPECT_EQ(read(dir / "scenarios/000001/trace.csv"), trace);
    // A sample whose workload would be drawn otherwise now (here: its simulated job count
    // changed): refused, naming its scenario.
    {
        const std::string before = read(obs(2));
        nlohmann::json j = json_of(obs(2));
        j["jobs"] = j["jobs"].get<double>() + 1;
        std::ofstream(obs(2)) << j.dump(2);
        try {
            refresh_features(space, dir.string());
            FAIL() << "no error";
        } catch (const InputError& e) {
            EXPECT_NE(std::string(e.what()).find("when it was simulated"), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("scenarios/000002/scenario.yaml"), std::string::npos)
                << e.what();
        }
        std::ofstream(obs(2)) << before;
    }
    // A sample not done: refused, naming it, and no sample's file rewritten.
    const std::string kept = read(obs(0));
    fs::remove(obs(2));
    try {
        refresh_features(space, dir.string());
        FAIL() << "no error";
    } catch (const OutputError& e) {
        EXPECT_NE(std::string(e.what()).find("1 of 3 samples are not done (samples 2)"), std::string::npos)
            << e.what();
    }
    EXPECT_EQ(read(obs(0)), kept);
    // A sample whose scenario is gone: named.
    ASSERT_EQ(generate(space, dir.string(), o).run, 1U);
    fs::remove(dir / "scenarios/000001/scenario.yaml");
    try {
        refresh_features(space, dir.string());
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("scenarios/000001/scenario.yaml"), std::string::npos)
            << e.what();
    }
}

// The settings no feature describes: one value per name, a duplicated job mix's own, and the
// training domain's check — a value no training sample had is named with the values seen.
TEST(SurrogateGenerate, SettingsAndTheirDomain) {
    const std::string base = std::string(HEPKIT_SOURCE_DIR) + "/examples/surrogate/base.yaml";
    sim::GridScenario s = sim::read_grid_scenario(config::YamlView(config::load_yaml_file(base), base),
                                                  fs::path(base).parent_path().string(), std::nullopt,
                                                  sim::WorkloadDetail::totals);
    const std::vector<double> plain = scenario_settings(s);
    ASSERT_EQ(plain.size(), setting_names().size());
    const auto at = [&](const std::string& name) {
        return static_cast<std::size_t>(std::find(setting_names().begin(), setting_names().end(), name) -
                                        setting_names().begin());
    };
    EXPECT_EQ(plain[at("jobs.duplications")], 1);
    EXPECT_EQ(plain[at("streaming.block_size")], 1e9); // xrd_blocksize: 1GB
    s.options.jobs.duplications = 3;
    s.options.streaming.prefetch = !s.options.streaming.prefetch;
    const std::vector<double> changed = scenario_settings(s);
    SettingsDomain d;
    std::vector<OutsideFeature> out;
    d.outside(changed, out);
    EXPECT_TRUE(out.empty()) << "nothing recorded: nothing checked";
    d.add(plain);
    d.add(plain);
    d.outside(plain, out);
    EXPECT_TRUE(out.empty());
    d.outside(changed, out);
    ASSERT_EQ(out.size(), 2U);
    EXPECT_EQ(out[0].message(), "jobs.duplications = 3 (trained on [1, 1])");
    EXPECT_EQ(out[1].name, "streaming.prefetch");
    d.add(changed); // seen now
    out.clear();
    d.outside(changed, out);
    EXPECT_TRUE(out.empty());
    EXPECT_THROW(d.add({1, 2}), std::invalid_argument);
}
