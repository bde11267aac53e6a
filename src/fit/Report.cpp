#include "hepkit/fit/Report.hpp"

#include <cmath>
#include <fmt/format.h>

namespace hepkit::fit {

nlohmann::json report_json(const FitResult& r) {
    nlohmann::json doc;
    doc["type"] = r.type;
    doc["parameters"] = nlohmann::json::object();
    for (std::size_t i = 0; i < r.names.size(); ++i) {
        nlohmann::json p = {
            {"value", r.values[i]}, {"error", r.errors[i]}, {"fixed", static_cast<bool>(r.fixed[i])}};
        p["error_low"] = r.error_low[i] ? nlohmann::json(*r.error_low[i]) : nlohmann::json(nullptr);
        p["error_high"] = r.error_high[i] ? nlohmann::json(*r.error_high[i]) : nlohmann::json(nullptr);
        doc["parameters"][r.names[i]] = p;
    }
    nlohmann::json cor = nlohmann::json::array();
    for (Eigen::Index i = 0; i < r.correlation.rows(); ++i) {
        nlohmann::json row = nlohmann::json::array();
        for (Eigen::Index j = 0; j < r.correlation.cols(); ++j)
            row.push_back(r.correlation(i, j));
        cor.push_back(row);
    }
    doc["correlation"] = cor;
    doc["cost"] = r.cost;
    doc["ndf"] = r.ndf;
    doc["chi2"] = r.chi2 ? nlohmann::json(*r.chi2) : nlohmann::json(nullptr);
    doc["chi2_probability"] =
        r.chi2_probability ? nlohmann::json(*r.chi2_probability) : nlohmann::json(nullptr);
    doc["converged"] = r.converged;
    if (!r.message.empty())
        doc["message"] = r.message;
    return doc;
}

std::string report_text(const FitResult& r, const std::string& title) {
    std::string out = fmt::format("hepkit fit: {} ({} fit)\n", title, r.type);
    if (!r.converged)
        out += fmt::format("  WARNING: the fit did not converge: {}\n",
                           r.message.empty() ? "unknown reason" : r.message);
    out += fmt::format("  {:<16} {:>14} {:>12} {:>12} {:>12}\n", "parameter", "value", "error", "error_low",
                       "error_high");
    for (std::size_t i = 0; i < r.names.size(); ++i) {
        if (r.fixed[i]) {
            out += fmt::format("  {:<16} {:>14.6g} {:>12}\n", r.names[i], r.values[i], "(fixed)");
            continue;
        }
        out += fmt::format("  {:<16} {:>14.6g} {:>12.4g} {:>12} {:>12}\n", r.names[i], r.values[i],
                           r.errors[i], r.error_low[i] ? fmt::format("{:.4g}", *r.error_low[i]) : "-",
                           r.error_high[i] ? fmt::format("{:+.4g}", *r.error_high[i]) : "-");
    }
    std::vector<std::size_t> free;
    for (std::size_t i = 0; i < r.names.size(); ++i)
        if (!r.fixed[i])
            free.push_back(i);
    if (free.size() > 1) {
        out += "  correlations\n";
        for (std::size_t a : free) {
            out += fmt::format("  {:<16}", r.names[a]);
            for (std::size_t b : free)
                out += fmt::format(" {:>7.3f}",
                                   r.correlation(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b)));
            out += "\n";
        }
    }
    // never "nan" or "-nan" in a report: a value that is not finite is said to be so
    auto number = [](double v, const char* spec) {
        return std::isfinite(v) ? fmt::format(fmt::runtime(spec), v) : std::string("not finite");
    };
    out += fmt::format("  cost (-2 ln L)   {}\n", number(r.cost, "{:.6g}"));
    if (r.chi2 && std::isfinite(*r.chi2))
        out += fmt::format("  chi2 / ndf       {:.6g} / {} = {}   p = {}\n", *r.chi2, r.ndf,
                           r.ndf > 0 ? fmt::format("{:.4g}", *r.chi2 / r.ndf) : std::string("-"),
                           r.chi2_probability && std::isfinite(*r.chi2_probability)
                               ? fmt::format("{:.4g}", *r.chi2_probability)
                               : "-");
    else if (r.chi2)
        out += fmt::format("  chi2 / ndf       not finite / {}   p = -\n", r.ndf);
    else
        out += fmt::format("  ndf              {}\n", r.ndf);
    return out;
}

} // namespace hepkit::fit
