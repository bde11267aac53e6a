// `hepkit surrogate train | predict | evaluate`: the summary-level surrogate (docs/surrogate.md),
// built where libtorch is (as hepkit nn).

#include "CliChecks.hpp"
#include "Progress.hpp"
#include "SurrogateCommands.hpp"
#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/sim/grid/GridScenario.hpp"
#include "hepkit/surrogate/Features.hpp"
#include "hepkit/surrogate/SequenceModel.hpp"
#include "hepkit/surrogate/SummaryModel.hpp"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

namespace hepkit::app {

namespace {

struct ModelArgs {
    std::string config, model, scenario, data, json, csv, trace;
    int threads = 0;
};

// The kind a model directory holds ("summary", "gru", ...), from its surrogate.json.
std::string model_kind(const std::string& dir) {
    const std::string path = (std::filesystem::path(dir) / "surrogate.json").string();
    std::ifstream in(path);
    if (!in)
        throw InputError(path, 0, "", "cannot read: not a model directory of `hepkit surrogate train`");
    try {
        return nlohmann::json::parse(in).at("kind").get<std::string>();
    } catch (const nlohmann::json::exception& e) {
        throw InputError(path, 0, "kind", fmt::format("not a model description: {}", e.what()));
    }
}

int run_train_sequence(const config::YamlView& root, const ModelArgs& o, const GlobalOptions& g) {
    surrogate::SequenceTrainConfig c = surrogate::parse_sequence_config(root);
    if (o.threads > 0)
        c.threads = o.threads;
    ProgressLine line(g.quiet, 1.0, 0.5);
    const auto r = surrogate::train_sequence(c, [&](int member, int epoch, double train, double val) {
        if (line.due())
            line.show(
                fmt::format("network {} / {}, epoch {} / {}: training loss {:.4g}, validation loss {:.4g} "
                            "({:.0f} s)",
                            member + 1, c.ensemble, epoch, c.epochs, train, val, line.elapsed()));
    });
    line.finish();
    if (!g.quiet)
        fmt::print("hepkit surrogate train: {} model, {} network(s) on {} samples ({} jobs; {} held out), "
                   "best epochs "
                   "{} of {}, validation loss {:.4g}, {:.1f} s -> {}\n",
                   surrogate::to_string(c.kind), c.ensemble, r.train_samples, r.jobs, r.validation_samples,
                   fmt::join(r.best_epochs, ","), fmt::join(r.epochs_run, ","), r.best_validation_loss,
                   r.seconds, c.output);
    return 0;
}

int run_train(const ModelArgs& o, const GlobalOptions& g) {
    const config::YamlView root(config::load_yaml_file(o.config), o.config);
    if (root.has("model") && root.at("model").as_string() != "summary")
        return run_train_sequence(root, o, g);
    surrogate::SummaryTrainConfig c = surrogate::parse_summary_config(root);
    if (o.threads > 0)
        c.threads = o.threads;
    ProgressLine line(g.quiet);
    const auto r = surrogate::train_summary(c, [&](int k, int epoch, double loss) {
        if (line.due())
            line.show(fmt::format("member {} / {}: epoch {} / {}, validation loss {:.4g}", k + 1, c.ensemble,
                                  epoch, c.epochs, loss));
    });
    line.finish();
    if (!g.quiet) {
        fmt::print(
            "hepkit surrogate train: summary model, {} networks on {} samples ({} held out) in {:.1f} s -> "
            "{}\n  validation relative MAE (ensemble mean):\n",
            c.ensemble, r.train_samples, r.validation_samples, r.seconds, c.output);
        for (const auto& [t, e] : r.validation_rel_mae)
            fmt::print("    {:<30} {:.4f}\n", t, e);
    }
    return 0;
}

// Jobs per site (every site with a worker, those without a predicted job included) of one
// assignment of hosts.
std::map<std::string, std::size_t> jobs_per_site(const surrogate::SequenceSample& q,
                                                 const std::vector<int>& hosts) {
    std::map<std::string, std::size_t> n;
    for (std::size_t h = 0; h < q.host_count(); ++h)
        if (q.worker(h))
            n[q.host_sites[h]] += 0;
    for (const int h : hosts)
        n[q.host_sites[static_cast<std::size_t>(h)]] += 1;
    return n;
}

// The predicted trace: hepkit sim's trace columns (GridReport.cpp) that a per-job model predicts
// or that the scenario gives — the times, machine.name and site where the model predicts machines
// (with the probability of the chosen host's class), the jobs' flops, sizes, submission, cores
// and memory, the queue wait the predicted start implies — and each time's spread over an
// ensemble's members. Not written: the status (the model predicts no failures), the job's hit
// rate and the bytes read from caches and remotely (it predicts not where the bytes come from).
void write_predicted_trace(const std::string& path, const surrogate::SequenceModel& model,
                           const surrogate::SequenceSample& q, const std::vector<double>& p,
                           const surrogate::SequenceSpread& sp,
                           const surrogate::SequenceModel::Machines& machines) {
    const std::size_t nt = surrogate::job_target_names().size(),
                      ns = surrogate::sequence_spread_names().size();
    const auto& inputs = surrogate::job_input_names();
    const auto input = [&](const char* name) {
        return static_cast<std::size_t>(std::find(inputs.begin(), inputs.end(), name) - inputs.begin());
    };
    const std::size_t ni = inputs.size(), c_submit = input("submit"), c_cores = input("cores"),
                      c_memory = input("memory"), c_flops = input("flops"), c_in = input("input_bytes"),
                      c_out = input("output_bytes");
    const bool with_machines = !machines.host.empty();
    const bool with_spreads = model.members() > 1; // one network: no spread columns
    CsvWriter csv(path, std::string("job.tag,") + (with_machines ? "machine.name," : "") +
                            "job.start,job.end,job.computetime,job.flops,infiles.transfertime,"
                            "infiles.size,outfiles.transfertime,outfiles.size," +
                            (with_machines ? "site," : "") + "submit,queue_wait,cores,memory" +
                            (with_machines ? ",machine.probability" : "") +
                            (!with_spreads ? ""
                                           : ",job.start.spread,job.end.spread,job.computetime.spread,"
                                             "infiles.transfertime.spread,outfiles.transfertime.spread"));
    const auto num = [](double v) { return CsvWriter::number(v); };
    for (std::size_t j = 0; j < q.job_count(); ++j) {
        const double* t = &p[j * nt];
        const double* x = &q.job_x[j * ni];
        std::string host, site, probability, spreads;
        if (with_machines) {
            const auto h = static_cast<std::size_t>(machines.host[j]);
            host = CsvWriter::field(q.host_names[h]) + ",";
            site = CsvWriter::field(q.host_sites[h]) + ",";
            probability = "," + num(machines.probability[j]);
        }
        if (with_spreads) {
            const double* v = &sp.jobs[j * ns];
            spreads = fmt::format(",{},{},{},{},{}", num(v[0]), num(v[nt]), num(v[2]), num(v[3]), num(v[4]));
        }
        csv.line(fmt::format("{},{}{},{},{},{},{},{},{},{},{}{},{},{},{}{}{}", CsvWriter::field(q.jobs[j]),
                             host, num(t[0]), num(t[0] + t[1]), num(t[2]), num(x[c_flops]), num(t[3]),
                             num(x[c_in]), num(t[4]), num(x[c_out]), site, num(x[c_submit]),
                             num(std::max(0.0, t[0] - x[c_submit])), num(x[c_cores]), num(x[c_memory]),
                             probability, spreads));
    }
    csv.commit();
}

int run_predict_sequence(const ModelArgs& o, const GlobalOptions& g, const sim::GridScenario& s) {
    const surrogate::SequenceModel model = surrogate::SequenceModel::load(o.model);
    const auto t0 = std::chrono::steady_clock::now();
    const surrogate::SequenceSample q = surrogate::sequence_of(s);
    surrogate::SequenceModel::Machines machines; // stays empty where the model predicts none
    const std::vector<std::vector<double>> members = model.predict_members(q, &machines);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const std::vector<double>& p = members.front();
    const std::size_t nt = surrogate::job_target_names().size(), n = q.job_count();
    // The summaries: the members' mean and spread; each job's spread (0 for one network), scaled
    // by the calibration of the model's training
    const surrogate::SequenceSpread sp = model.spread(members);
    const std::vector<std::string>& names = surrogate::sequence_summary_names();
    const std::vector<double>& mean = sp.summary;
    const std::vector<double>& spread = sp.summary_spread;
    const bool with_machines = !machines.host.empty();
    // hepkit sim's other summaries that the jobs' times give: the CPU efficiency (compute / wall
    // over the jobs) and the throughput curve's t10 … t90 (the times by which 10 … 90 % of the
    // jobs ended), of the mean and, where the model is an ensemble, their spread over the members
    // (not calibrated: the spread_scale factors are the five summaries')
    const auto derived = [&](const std::vector<double>& jobs) {
        double compute = 0, wall = 0;
        std::vector<double> ends(n);
        for (std::size_t j = 0; j < n; ++j) {
            compute += jobs[j * nt + 2];
            wall += jobs[j * nt + 1];
            ends[j] = jobs[j * nt] + jobs[j * nt + 1];
        }
        std::sort(ends.begin(), ends.end());
        std::vector<double> v{wall > 0 ? compute / wall : 0.0};
        for (const double f : {0.10, 0.25, 0.50, 0.75, 0.90})
            v.push_back(
                n == 0 ? 0.0
                       : ends[std::min(n - 1,
                                       static_cast<std::size_t>(std::ceil(f * static_cast<double>(n))) - 1)]);
        return v;
    };
    const std::vector<std::string> derived_names{"cpu_efficiency", "t10_s", "t25_s",
                                                 "t50_s",          "t75_s", "t90_s"};
    const std::vector<double> derived_mean = derived(p);
    std::vector<double> derived_spread(derived_names.size(), 0.0);
    if (members.size() > 2) { // the mean, then two or more members
        std::vector<double> sum(derived_names.size(), 0.0), sq(derived_names.size(), 0.0);
        const double k = static_cast<double>(members.size() - 1);
        for (std::size_t m = 1; m < members.size(); ++m) {
            const std::vector<double> v = derived(members[m]);
            for (std::size_t c = 0; c < v.size(); ++c) {
                sum[c] += v[c] / k;
                sq[c] += v[c] * v[c] / k;
            }
        }
        for (std::size_t c = 0; c < sum.size(); ++c)
            derived_spread[c] = std::sqrt(std::max(sq[c] - sum[c] * sum[c], 0.0));
    }
    if (!o.trace.empty())
        write_predicted_trace(o.trace, model, q, p, sp, machines);
    // Jobs per site: the ensemble's assignment, and the spread of the members' own assignments'
    // counts (0 for a single network).
    std::map<std::string, std::size_t> per_site;
    std::map<std::string, double> per_site_spread;
    double mean_probability = 0;
    if (with_machines) {
        per_site = jobs_per_site(q, machines.host);
        const double km = static_cast<double>(machines.members.size());
        std::map<std::string, double> sum, sq;
        for (const auto& hosts : machines.members)
            for (const auto& [site, count] : jobs_per_site(q, hosts)) {
                const auto c = static_cast<double>(count);
                sum[site] += c / km;
                sq[site] += c * c / km;
            }
        for (const auto& [site, c] : per_site)
            per_site_spread[site] = std::sqrt(std::max(sq[site] - sum[site] * sum[site], 0.0));
        for (const double v : machines.probability)
            mean_probability += v / static_cast<double>(machines.probability.size());
    }
    nlohmann::json j;
    j["scenario"] = s.name;
    j["model"] = o.model;
    j["kind"] = surrogate::to_string(model.kind());
    j["jobs"] = n;
    for (std::size_t c = 0; c < names.size(); ++c)
        j["predicted"][names[c]] = {{"value", mean[c]}, {"spread", spread[c]}};
    for (std::size_t c = 0; c < derived_names.size(); ++c)
        j["predicted"][derived_names[c]] = {{"value", derived_mean[c]}, {"spread", derived_spread[c]}};
    if (with_machines) {
        // counts of the ensemble's assignment; their spread over the members' own assignments
        j["jobs_per_site"] = per_site;
        if (model.members() > 1) // one network: no spread (zeros would read as certainty)
            j["jobs_per_site_spread"] = per_site_spread;
        j["machine_probability_mean"] = mean_probability;
    }
    const std::vector<surrogate::OutsideFeature> outside = model.outside_domain(q);
    j["outside_training_domain"] = nlohmann::json::array();
    for (const auto& w : outside)
        j["outside_training_domain"].push_back(w.message());
    j["seconds"] = seconds;
    if (!o.json.empty())
        write_json_file(o.json, j, 2);
    if (!g.quiet) {
        fmt::print("hepkit surrogate predict: {} ({} jobs, {} model, {} network(s), {:.3g} ms)\n", s.name, n,
                   surrogate::to_string(model.kind()), model.members(), 1e3 * seconds);
        for (std::size_t c = 0; c < names.size(); ++c)
            fmt::print("  {:<30} {:>14.6g}  ± {:.3g}\n", names[c], mean[c], spread[c]);
        for (std::size_t c = 0; c < derived_names.size(); ++c)
            fmt::print("  {:<30} {:>14.6g}  ± {:.3g}\n", derived_names[c], derived_mean[c],
                       derived_spread[c]);
        for (const auto& [site, jobs] : per_site)
            fmt::print("  jobs at {:<22} {:>14}{}\n", site, jobs,
                       model.members() > 1 ? fmt::format("  ± {:.3g}", per_site_spread[site]) : "");
        if (with_machines)
            fmt::print("  machine class probability (mean over jobs) {:.3f}\n", mean_probability);
        for (const auto& w : outside)
            fmt::print(stderr, "hepkit: warning: outside the training domain: {}\n", w.message());
    }
    return 0;
}

int run_predict(const ModelArgs& o, const GlobalOptions& g) {
    const config::YamlView root(config::load_yaml_file(o.scenario), o.scenario);
    const sim::GridScenario s =
        sim::read_grid_scenario(root, std::filesystem::path(o.scenario).parent_path().string());
    if (model_kind(o.model) != "summary")
        return run_predict_sequence(o, g, s);
    if (!o.trace.empty())
        throw UsageError("--trace",
                         "a summary model predicts no jobs; train a per-job model (model: platform)");
    const surrogate::SummaryModel model = surrogate::SummaryModel::load(o.model);
    const auto t0 = std::chrono::steady_clock::now();
    surrogate::SummaryPrediction p = model.predict(surrogate::scenario_features(s));
    for (auto& w : model.settings_outside(surrogate::scenario_settings(s)))
        p.outside.push_back(std::move(w));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    nlohmann::json j;
    j["scenario"] = s.name;
    j["model"] = o.model;
    for (std::size_t t = 0; t < model.targets().size(); ++t)
        j["predicted"][model.targets()[t]] = {{"value", p.mean[t]}, {"spread", p.spread[t]}};
    j["outside_training_domain"] = nlohmann::json::array();
    for (const auto& w : p.outside)
        j["outside_training_domain"].push_back(w.message());
    j["seconds"] = seconds;
    if (!o.json.empty())
        write_json_file(o.json, j, 2);
    if (!g.quiet) {
        fmt::print("hepkit surrogate predict: {} ({} features, {} networks, {:.3g} ms)\n", s.name,
                   model.features().size(), model.members(), 1e3 * seconds);
        for (std::size_t t = 0; t < model.targets().size(); ++t)
            fmt::print("  {:<30} {:>14.6g}  ± {:.3g}\n", model.targets()[t], p.mean[t], p.spread[t]);
        for (const auto& w : p.outside)
            fmt::print(stderr, "hepkit: warning: outside the training domain: {}\n", w.message());
    }
    return 0;
}

int run_evaluate_sequence(const ModelArgs& o, const GlobalOptions& g) {
    const surrogate::SequenceModel model = surrogate::SequenceModel::load(o.model);
    const surrogate::SequenceEvaluation e = surrogate::evaluate_sequence(model, o.data);
    nlohmann::json j;
    j["model"] = o.model;
    j["kind"] = surrogate::to_string(model.kind());
    j["data"] = o.data;
    j["samples"] = e.samples;
    j["jobs"] = e.jobs;
    j["outside_training_domain"] = e.outside_domain;
    for (std::size_t t = 0; t < e.targets.size(); ++t) {
        // no job of 1 s or more (no relative error, no spread to compare): null, not a perfect 0
        const bool none = e.counted[t] == 0;
        const auto value = [&](double v, bool missing) {
            return missing || !std::isfinite(v) ? nlohmann::json(nullptr) : nlohmann::json(v);
        };
        j["per_job_rel_mae"][e.targets[t]] = value(e.rel_mae[t], none);
        j["per_job_pooled_rel_mae"][e.targets[t]] = value(e.pooled_rel_mae[t], false);
        if (model.members() > 1) {
            j["per_job_rel_spread"][e.targets[t]] = value(e.rel_spread[t], none);
            j["per_job_coverage"][e.targets[t]] = value(e.coverage[t], none);
        }
        if (model.members() > 1)
            for (std::size_t c = 0; c < e.summary_coverage.size(); ++c)
                j["summary_coverage"][surrogate::sequence_summary_names()[c]] = e.summary_coverage[c];
    }
    j["start_mae_of_makespan"] = e.start_mae_of_makespan;
    j["end_mae_of_makespan"] = e.end_mae_of_makespan;
    j["makespan_rel_mae"] = e.makespan_rel_mae;
    j["mean_wall_time_rel_mae"] = e.mean_wall_rel_mae;
    j["throughput_curve_rel_mae"] = e.throughput_rel_mae;
    j["predict_seconds"] = e.predict_seconds;
    if (e.machine_jobs > 0)
        j["machines"] = {{"jobs", e.machine_jobs},
                         {"class_accuracy", e.class_accuracy},
                         {"site_accuracy", e.site_accuracy},
                         {"largest_class_accuracy", e.largest_class_accuracy},
                         {"mean_class_probability", e.mean_class_probability},
                         {"site_share_error", e.site_share_error},
                         {"site_share_error_by_cores", e.site_share_error_by_cores}};
    if (!o.json.empty())
        write_json_file(o.json, j, 2);
    if (!g.quiet) {
        fmt::print(
            "hepkit surrogate evaluate: {} model, {} samples ({} jobs; {} outside the training domain) "
            "of {}, predicted in {:.3g} s\n"
            "  per job, relative MAE (mean of |error| / value over jobs with times of 1 s and "
            "more; in brackets Σ|error| / Σ value over all jobs){}:\n",
            surrogate::to_string(model.kind()), e.samples, e.jobs, e.outside_domain, o.data,
            e.predict_seconds,
            model.members() > 1 ? "; the ensemble's calibrated spread relative to the simulated value, "
                                  "and the share of errors within it (0.683 where calibrated)"
                                : "");
        for (std::size_t t = 0; t < e.targets.size(); ++t) {
            if (e.counted[t] == 0)
                fmt::print("    {:<20} n/a (no job of 1 s or more){}\n", e.targets[t],
                           std::isfinite(e.pooled_rel_mae[t]) ? fmt::format(" ({:.4f})", e.pooled_rel_mae[t])
                                                              : std::string());
            else if (model.members() > 1)
                fmt::print("    {:<20} {:.4f} ({:.4f})   spread {:.4f}, errors within it {:.3f}\n",
                           e.targets[t], e.rel_mae[t], e.pooled_rel_mae[t], e.rel_spread[t], e.coverage[t]);
            else
                fmt::print("    {:<20} {:.4f} ({:.4f})\n", e.targets[t], e.rel_mae[t], e.pooled_rel_mae[t]);
        }
        fmt::print(
            "  start, end: MAE / makespan {:.4f}, {:.4f}\n  makespan relative MAE {:.4f}, mean wall time "
            "relative MAE {:.4f}, throughput curve (t10 … t90) relative MAE {:.4f}\n",
            e.start_mae_of_makespan, e.end_mae_of_makespan, e.makespan_rel_mae, e.mean_wall_rel_mae,
            e.throughput_rel_mae);
        if (model.members() > 1)
            fmt::print(
                "  samples whose summary lies within the calibrated spread: makespan {:.3f}, mean wall "
                "time {:.3f} (0.683 where calibrated)\n",
                e.summary_coverage[0], e.summary_coverage[1]);
        if (e.machine_jobs > 0)
            fmt::print("  machines ({} jobs): in the simulated host's class {:.4f} (all on the class with "
                       "the most cores: {:.4f}; the model's mean probability of its class: {:.4f}), in its "
                       "site {:.4f}; jobs' shares of the sites off by {:.4f} (shares by cores: {:.4f})\n",
                       e.machine_jobs, e.class_accuracy, e.largest_class_accuracy, e.mean_class_probability,
                       e.site_accuracy, e.site_share_error, e.site_share_error_by_cores);
    }
    return 0;
}

int run_evaluate(const ModelArgs& o, const GlobalOptions& g) {
    if (model_kind(o.model) != "summary") {
        if (!o.csv.empty())
            throw UsageError("--csv", "only for summary models");
        return run_evaluate_sequence(o, g);
    }
    const surrogate::SummaryModel model = surrogate::SummaryModel::load(o.model);
    const surrogate::SummaryEvaluation e = surrogate::evaluate_summary(model, o.data);
    nlohmann::json j;
    j["model"] = o.model;
    j["data"] = o.data;
    j["samples"] = e.samples;
    j["outside_training_domain"] = e.outside_domain;
    j["predict_seconds"] = e.predict_seconds;
    // A target simulated as 0 in every sample has no relative error (null, "n/a"): not a perfect 0.
    auto none = [&](std::size_t t) { return e.samples > 0 && e.zero_truth[t] == e.samples; };
    for (std::size_t t = 0; t < e.targets.size(); ++t) {
        auto value = [&](double v) { return none(t) ? nlohmann::json(nullptr) : nlohmann::json(v); };
        j["targets"][e.targets[t]] = {{"rel_mae", value(e.rel_mae[t])},
                                      {"rel_max", value(e.rel_max[t])},
                                      {"mean_rel_spread", value(e.mean_spread[t])},
                                      {"samples_simulated_at_zero", e.zero_truth[t]}};
    }
    if (!o.json.empty())
        write_json_file(o.json, j, 2);
    if (!o.csv.empty()) {
        std::string header = "sample";
        for (const auto& t : e.targets)
            header.append(",").append(t).append("_sim,").append(t).append("_pred");
        CsvWriter out(o.csv, header);
        const std::size_t nt = e.targets.size();
        for (std::size_t r = 0; r < e.samples; ++r) {
            std::string row = std::to_string(r);
            for (std::size_t t = 0; t < nt; ++t)
                row.append(",")
                    .append(CsvWriter::number(e.simulated[r * nt + t]))
                    .append(",")
                    .append(CsvWriter::number(e.predicted[r * nt + t]));
            out.line(row);
        }
        out.commit();
    }
    if (!g.quiet) {
        fmt::print(
            "hepkit surrogate evaluate: {} samples of {} ({} outside the training domain), predicted in "
            "{:.3g} ms\n  {:<30} {:>9} {:>9} {:>12}\n",
            e.samples, o.data, e.outside_domain, 1e3 * e.predict_seconds, "target", "rel. MAE", "worst",
            "rel. spread");
        for (std::size_t t = 0; t < e.targets.size(); ++t) {
            if (none(t))
                fmt::print("  {:<30} {:>9} {:>9} {:>12}  (0 in every sample: no relative error)\n",
                           e.targets[t], "n/a", "n/a", "n/a");
            else
                fmt::print("  {:<30} {:>9.4f} {:>9.4f} {:>12.4f}{}\n", e.targets[t], e.rel_mae[t],
                           e.rel_max[t], e.mean_spread[t],
                           e.zero_truth[t] > 0
                               ? fmt::format("  ({} samples simulated at 0 left out)", e.zero_truth[t])
                               : std::string());
        }
    }
    return 0;
}

} // namespace

std::vector<SubcommandRunner> add_surrogate_model_commands(CLI::App* cmd, const GlobalOptions& globals) {
    auto o = std::make_shared<ModelArgs>();
    CLI::App* train = cmd->add_subcommand(
        "train",
        "Train a surrogate on the samples of `generate` (docs/surrogate.md): `model: summary` (an ensemble\n"
        "of small networks from a scenario's features to its observables) or a per-job model: gru, lstm,\n"
        "transformer (the paper's baselines) or platform (hepkit's platform-aware model). Example:\n"
        "  hepkit surrogate train examples/surrogate/train.yaml");
    train->add_option("CONFIG", o->config, "training file (YAML: model, data, output, ensemble, hidden, ...)")
        ->required()
        ->check(CLI::ExistingFile);
    train->add_option("-j,--threads", o->threads, "libtorch threads (default: the file's, else 1)")
        ->check(integer_in(1, 1024));
    CLI::App* predict = cmd->add_subcommand(
        "predict", "Predict a scenario's observables with a trained surrogate, with the ensemble's spread;\n"
                   "warns where the scenario leaves the training domain.");
    predict->add_option("MODEL", o->model, "model directory (of `hepkit surrogate train`)")->required();
    predict->add_option("SCENARIO", o->scenario, "grid scenario file (YAML)")
        ->required()
        ->check(CLI::ExistingFile);
    predict->add_option("--json", o->json, "write the prediction as JSON");
    predict->add_option("--trace", o->trace,
                        "per-job models: write the predicted job trace (CSV; with machine.name, site and "
                        "machine.probability from a platform model, and *.spread columns from an ensemble)");
    CLI::App* evaluate = cmd->add_subcommand(
        "evaluate",
        "Compare a surrogate with hepkit sim on held-out samples (a `generate` output): relative\n"
        "MAE per target, the worst sample, the ensemble's spread.");
    evaluate->add_option("MODEL", o->model, "model directory")->required();
    evaluate->add_option("DATA", o->data, "a `hepkit surrogate generate` output directory")->required();
    evaluate->add_option("--json", o->json, "write the figures as JSON");
    evaluate->add_option("--csv", o->csv, "write every sample's simulated and predicted values (for plots)");
    return {[o, train, &globals] {
                return train->parsed() ? std::optional<int>(run_train(*o, globals)) : std::nullopt;
            },
            [o, predict, &globals] {
                return predict->parsed() ? std::optional<int>(run_predict(*o, globals)) : std::nullopt;
            },
            [o, evaluate, &globals] {
                return evaluate->parsed() ? std::optional<int>(run_evaluate(*o, globals)) : std::nullopt;
            }};
}

} // namespace hepkit::app
