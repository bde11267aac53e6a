// `hepkit infer WORKSPACE.json`: the maximum-likelihood fit of a HistFactory workspace in pyhf's
// JSON format (docs/infer.md). Scans, CLs limits and impacts follow (issue 17).

#include "Commands.hpp"
#include "ExitCodes.hpp"
#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/fit/HistFactoryModel.hpp"
#include "hepkit/fit/Report.hpp"

#include <cstdio>
#include <fmt/format.h>
#include <memory>
#include <stdexcept>

namespace hepkit::app {

std::function<int()> add_infer_command(CLI::App& app, const GlobalOptions& globals) {
    struct Options {
        std::string workspace, measurement, json, report;
        bool asymmetric = false;
        std::vector<std::string> fixes;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand(
        "infer",
        "Maximum-likelihood fit of a binned likelihood with nuisance parameters: a HistFactory\n"
        "workspace in pyhf's JSON format (channels, samples, normfactor/normsys/histosys/staterror/\n"
        "shapesys/lumi/shapefactor modifiers); prints the parameters, their errors and correlations.\n"
        "Example: hepkit infer examples/infer/simple.json -a --json fit.json");
    cmd->add_option("workspace", o->workspace, "pyhf JSON workspace")->required()->check(CLI::ExistingFile);
    cmd->add_option("--measurement", o->measurement, "the measurement to fit (default: the first)");
    cmd->add_flag("-a,--asymmetric", o->asymmetric, "asymmetric errors from the profile likelihood");
    cmd->add_option("--fix", o->fixes, "hold a parameter at a value: NAME=VALUE (repeatable)");
    cmd->add_option("--json", o->json,
                    "write the result as JSON: hepkit fit --report-json's document plus \"poi\",\n"
                    "\"measurement\" and \"nll\" (-ln L at the minimum, pyhf's -logpdf)");
    cmd->add_option("--report", o->report, "write the text report to this file");
    return [o, &globals]() {
        const fit::hf::Workspace ws = fit::hf::read_workspace(o->workspace);
        std::unique_ptr<fit::hf::Model> model;
        try {
            model = std::make_unique<fit::hf::Model>(ws, o->measurement);
        } catch (const std::invalid_argument& e) {
            throw UsageError("--measurement", e.what());
        }
        fit::Fit fit = fit::hf::make_fit(*model);
        for (const auto& f : o->fixes) {
            const auto eq = f.find('=');
            double value = 0;
            try {
                std::size_t used = 0;
                value = std::stod(f.substr(eq == std::string::npos ? f.size() : eq + 1), &used);
                if (eq == std::string::npos || used != f.size() - eq - 1)
                    throw std::invalid_argument("trailing characters");
            } catch (const std::exception&) {
                throw UsageError("--fix", fmt::format("'{}': must be NAME=VALUE with a number", f));
            }
            try {
                fit.fix(f.substr(0, eq), value);
            } catch (const std::invalid_argument& e) {
                throw UsageError("--fix", e.what());
            }
        }
        const fit::FitResult r = fit.run(o->asymmetric);
        const std::string& measurement = ws.measurement(o->measurement).name;
        std::string text =
            fit::report_text(r, fmt::format("{} (measurement '{}')", o->workspace, measurement));
        if (text.rfind("hepkit fit:", 0) == 0) // the shared table's title names the command
            text.replace(0, 11, "hepkit infer:");
        text += fmt::format("  POI              {}\n  -ln L            {:.10g}\n",
                            model->names()[model->poi()], r.cost / 2);
        if (!globals.quiet)
            std::fputs(text.c_str(), stdout);
        if (!o->json.empty()) {
            nlohmann::json doc = fit::report_json(r);
            doc["poi"] = model->names()[model->poi()];
            doc["measurement"] = measurement;
            doc["nll"] = r.cost / 2;
            write_json_file(o->json, doc);
        }
        if (!o->report.empty())
            write_file_atomically(o->report, text);
        if (!r.converged) {
            std::fprintf(stderr, "hepkit: %s: the fit did not converge: %s\n", o->workspace.c_str(),
                         r.message.c_str());
            return static_cast<int>(exit_not_converged);
        }
        return static_cast<int>(exit_ok);
    };
}

} // namespace hepkit::app
