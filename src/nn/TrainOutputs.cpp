// The files of a training (write_train_outputs, include/hepkit/nn/Train.hpp): model.pt, loss.csv,
// roc.csv, summary.json, and the plots drawn by tools/plot/hepkit_nn_plot.py from the CSV files.

#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/Process.hpp"
#include "hepkit/nn/Train.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>

namespace hepkit::nn {

namespace {

namespace fs = std::filesystem;

std::string number(double x) {
    if (std::isinf(x))
        return x > 0 ? "inf" : "-inf";
    return std::isnan(x) ? "nan" : CsvWriter::number(x);
}

nlohmann::json loss_json(const LossConfig& l) {
    nlohmann::json nuisances = nlohmann::json::array();
    for (const auto& n : l.nuisances) {
        nlohmann::json inputs = nlohmann::json::array(), yields = nlohmann::json::array();
        for (const auto& e : n.inputs)
            inputs.push_back({{"sample", e.sample}, {"feature", e.feature}, {"expr", e.expr}});
        for (const auto& e : n.yields)
            yields.push_back({{"sample", e.sample}, {"expr", e.expr}});
        nuisances.push_back({{"name", n.name},
                             {"nominal", n.nominal},
                             {"constraint", n.constraint ? nlohmann::json(*n.constraint) : nlohmann::json()},
                             {"step", n.step_or_default()},
                             {"inputs", inputs},
                             {"yield", yields},
                             {"templates", n.template_sample}});
    }
    return {{"type", to_string(l.type)},
            {"histogram",
             {{"kind", to_string(l.histogram.kind)},
              {"bins", l.histogram.bins},
              {"range", {l.histogram.lo, l.histogram.hi}},
              {"bandwidth", l.histogram.bandwidth},
              {"temperature", l.histogram.temperature}}},
            {"poi", {{"name", l.poi}, {"sample", l.poi_sample}, {"nominal", l.poi_nominal}}},
            {"yields", l.yields},
            {"nuisances", nuisances},
            {"lambda", l.lambda},
            {"objective", l.objective == InferenceObjective::Sigma ? "sigma" : "variance"}};
}

nlohmann::json config_json(const TrainConfig& c) {
    nlohmann::json samples = nlohmann::json::array();
    for (const auto& s : c.data.samples) {
        nlohmann::json j{{"name", s.name},
                         {"files", s.source.files},
                         {"tree", s.source.tree},
                         {"weight", s.source.weight},
                         {"cut", s.source.cut}};
        if (s.label)
            j["class"] = *s.label;
        samples.push_back(j);
    }
    const auto& sp = c.data.split;
    return {
        {"data",
         {{"features", c.data.features},
          {"names", c.data.names},
          {"samples", samples},
          {"target", c.data.target},
          {"split", sp.by.empty()
                        ? nlohmann::json{{"fractions", {sp.train, sp.validation, sp.test}}, {"seed", sp.seed}}
                        : nlohmann::json{{"by", sp.by},
                                         {"train", sp.train_folds},
                                         {"validation", sp.validation_folds},
                                         {"test", sp.test_folds}}},
          {"class_weights", c.data.class_weights}}},
        {"loss", loss_json(c.loss)},
        {"task", to_string(c.task)},
        {"classes", c.class_names},
        {"network",
         {{"hidden", c.network.hidden},
          {"activation", to_string(c.network.activation)},
          {"dropout", c.network.dropout},
          {"batch_norm", c.network.batch_norm}}},
        {"optimizer",
         {{"name", c.optimizer.name},
          {"lr", c.optimizer.lr},
          {"momentum", c.optimizer.momentum},
          {"weight_decay", c.optimizer.weight_decay}}},
        {"schedule",
         {{"name", c.schedule.name},
          {"step_size", c.schedule.step_size},
          {"gamma", c.schedule.gamma},
          {"min_lr", c.schedule.min_lr}}},
        {"training",
         {{"epochs", c.epochs},
          {"batch_size", c.batch_size},
          {"seed", c.seed},
          {"threads", c.threads},
          {"precision", c.precision == Precision::Float64 ? "float64" : "float32"},
          {"class_weights", c.class_weights},
          {"early_stopping",
           {{"patience", c.early_stopping.patience}, {"min_delta", c.early_stopping.min_delta}}}}},
        {"taylor", c.taylor.enabled ? nlohmann::json{{"order", c.taylor.options.order},
                                                     {"convention", to_string(c.taylor.options.convention)},
                                                     {"output_node", c.taylor.options.output_node},
                                                     {"max_events", c.taylor.max_events}}
                                    : nlohmann::json()}};
}

void write_roc(const TrainResult& r, const fs::path& path) {
    CsvWriter csv(path, "class,threshold,fpr,tpr");
    // at most about 1000 points per curve: enough to draw, small to keep (the AUC is from all)
    constexpr std::size_t kPoints = 1000;
    for (const auto& roc : r.roc) {
        const std::size_t n = roc.fpr.size();
        const std::size_t step = n > kPoints ? (n + kPoints - 1) / kPoints : 1;
        for (std::size_t i = 0; i < n; ++i) {
            if (i % step != 0 && i + 1 != n)
                continue;
            csv.line(fmt::format("{},{},{},{}", CsvWriter::field(roc.label), number(roc.threshold[i]),
                                 number(roc.fpr[i]), number(roc.tpr[i])));
        }
    }
    csv.commit();
}

/// taylor.csv: one row per epoch and coefficient, `names` the feature names joined by ','
/// (quoted), in the order of the final ranking.
void write_taylor(const TrainResult& r, const fs::path& path) {
    CsvWriter csv(path, "epoch,order,names,mean_abs,mean");
    for (const auto& e : r.taylor) {
        for (const auto& c : e.result.coefficients) {
            std::string names;
            for (const auto& n : c.names)
                names.append(names.empty() ? "" : ",").append(n);
            csv.line(fmt::format("{},{},{},{},{}", e.epoch, c.index.size(), CsvWriter::field(names),
                                 number(c.mean_abs), number(c.mean)));
        }
    }
    csv.commit();
}

void run_plots(const std::string& script, const fs::path& dir) {
    constexpr const char* python = "/usr/bin/python3";
    ProcessResult run;
    try {
        run = run_process({python, script, dir.string()}, true);
    } catch (const std::runtime_error& e) {
        throw OutputError((dir / "loss.png").string(), 0, "",
                          fmt::format("cannot run the plot script: {}", e.what()));
    }
    if (run.exited && run.exit_code == 0) {
        std::fputs(run.errors.c_str(), stderr); // a matplotlib warning still reaches the user
        return;
    }
    std::string why =
        run.exit_code == 4 && run.exited
            ? "matplotlib is missing for /usr/bin/python3 (Debian: apt install python3-matplotlib; "
              "scripts/install-deps)"
            : fmt::format("the plot script {} failed ({} {}): {}", script, run.exited ? "exit" : "signal",
                          run.exited ? run.exit_code : run.signal,
                          run.errors.size() > 2000 ? run.errors.substr(run.errors.size() - 2000)
                                                   : run.errors);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' '))
        why.pop_back();
    throw OutputError((dir / "loss.png").string(), 0, "", why);
}

} // namespace

void write_train_outputs(const TrainConfig& config, const TrainResult& r, const std::string& directory,
                         const std::string& plot_script) {
    const fs::path dir(directory);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir))
        throw OutputError(directory, 0, "",
                          fmt::format("cannot create the output directory: {}", ec.message()));
    save_model(r.model, (dir / "model.pt").string());
    CsvWriter loss(dir / "loss.csv", "epoch,train_loss,validation_loss,lr,seconds");
    for (const auto& e : r.history)
        loss.line(fmt::format("{},{},{},{},{}", e.epoch, number(e.train_loss), number(e.validation_loss),
                              number(e.lr), number(e.seconds)));
    loss.commit();
    std::vector<std::string> files{"model.pt", "loss.csv"};
    nlohmann::json auc = nlohmann::json::object();
    if (!r.roc.empty()) {
        write_roc(r, dir / "roc.csv");
        files.push_back("roc.csv");
        for (const auto& roc : r.roc)
            auc[roc.label] = std::isnan(roc.auc) ? nlohmann::json() : nlohmann::json(roc.auc);
    }
    nlohmann::json taylor;
    if (!r.taylor.empty()) {
        write_taylor(r, dir / "taylor.csv");
        files.push_back("taylor.csv");
        taylor = nlohmann::json::parse(to_json(r.taylor.back().result)); // the final network's ranking
        taylor["epoch"] = r.taylor.back().epoch;
    }
    if (!plot_script.empty()) {
        files.push_back("loss.png");
        if (!r.roc.empty())
            files.push_back("roc.png");
        if (!r.taylor.empty())
            files.push_back("taylor.png");
    }
    // the trained network's test histograms as workspaces for `hepkit infer`
    const auto systematics_json = [&](const SystematicsResult& s, const std::string& file) {
        fit::hf::write_workspace(s.workspace, (dir / file).string());
        files.push_back(file);
        const auto optional = [](const std::optional<double>& x) {
            return x ? nlohmann::json(*x) : nlohmann::json();
        };
        return nlohmann::json{{"loss", to_string(config.loss.type)},
                              {"poi", config.loss.poi},
                              {"parameters", s.parameters},
                              {"workspace", file},
                              {"sigma_hessian", s.sigma_hessian},
                              {"sigma_profile", std::isfinite(s.sigma_profile)
                                                    ? nlohmann::json(s.sigma_profile)
                                                    : nlohmann::json()},
                              {"interval", {optional(s.lower), optional(s.upper)}}};
    };
    nlohmann::json systematics, evaluations;
    if (r.systematics)
        systematics = systematics_json(*r.systematics, "workspace.json");
    for (const auto& [name, result] : r.evaluations)
        evaluations[name] = systematics_json(result, "workspace-" + name + ".json");
    files.push_back("summary.json");
    nlohmann::json train_loss = nlohmann::json::array(), validation_loss = nlohmann::json::array();
    for (const auto& e : r.history) {
        train_loss.push_back(e.train_loss);
        validation_loss.push_back(e.validation_loss);
    }
    const auto finite = [](double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(); };
    nlohmann::json summary{
        {"config", config_json(config)},
        {"epochs_run", r.epochs_run},
        {"best_epoch", r.best_epoch},
        {"stopped_early", r.stopped_early},
        {"train_loss", train_loss},
        {"validation_loss", validation_loss},
        {"best_validation_loss",
         r.best_epoch > 0 ? finite(r.history[static_cast<std::size_t>(r.best_epoch) - 1].validation_loss)
                          : nlohmann::json()},
        {"test_loss", finite(r.test_loss)},
        {"auc", auc},
        {"events_per_second", r.events_per_second},
        {"inputs", r.model.input_names()},
        {"files", files}};
    if (!taylor.is_null())
        summary["taylor"] = taylor;
    if (!systematics.is_null())
        summary["systematics"] = systematics;
    if (!evaluations.is_null())
        summary["evaluations"] = evaluations;
    if (config.loss.type == LossType::Penalised) {
        nlohmann::json penalty = nlohmann::json::array();
        for (const auto& e : r.history)
            penalty.push_back(finite(e.validation_penalty));
        summary["validation_penalty"] = penalty;
    }
    write_json_file(dir / "summary.json", summary);
    if (!plot_script.empty())
        run_plots(plot_script, dir);
}

} // namespace hepkit::nn
