// The trained network's hard output histograms as a HistFactory workspace and the expected
// uncertainty of the POI they give (evaluate_systematics, SystematicsLoss.hpp).

#include "SystematicsLoss.hpp"

#include "hepkit/fit/HistFactoryInference.hpp"
#include "hepkit/fit/HistFactoryModel.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <limits>

namespace hepkit::nn {

namespace {

std::vector<double> to_vector(const torch::Tensor& t) {
    const auto c = t.detach().to(torch::kFloat64).contiguous();
    return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}

} // namespace

SystematicsResult evaluate_systematics(const SystematicsModel& sys, const Forward& net,
                                       const LossEvents& test) {
    namespace hf = fit::hf;
    torch::NoGradGuard no_grad;
    SystematicsResult r;
    r.parameters = sys.parameter_names();
    const torch::Tensor p0 = sys.nominal();
    torch::Tensor at_one = p0.clone();
    at_one[0] = 1.0; // templates at μ = 1: the normfactor multiplies them
    hf::Channel channel{"nn", {}};
    std::vector<double> asimov(static_cast<std::size_t>(sys.config().histogram.bins), 0.0);
    hf::Measurement m{"nn", sys.config().poi, {}};
    for (std::size_t k = 0; k < sys.classes(); ++k) {
        hf::Sample s;
        s.name = sys.class_names()[k];
        const torch::Tensor nominal = sys.class_histogram(net, test, k, at_one, true);
        s.data = to_vector(nominal);
        const auto total = to_vector(sys.class_histogram(net, test, k, p0, true));
        for (std::size_t i = 0; i < asimov.size(); ++i)
            asimov[i] += total[i];
        if (s.name == sys.config().poi_sample) {
            hf::Modifier poi;
            poi.name = sys.config().poi;
            poi.type = hf::ModifierType::NormFactor;
            s.modifiers.push_back(poi);
        }
        for (std::size_t j = 0; j < sys.config().nuisances.size(); ++j) {
            const NuisanceConfig& n = sys.config().nuisances[j];
            const auto shapes = sys.shape_classes(j);
            const bool shape = std::find(shapes.begin(), shapes.end(), k) != shapes.end();
            const bool yield = std::any_of(n.yields.begin(), n.yields.end(),
                                           [&](const YieldEffect& y) { return y.sample == s.name; });
            if (!shape && !yield)
                continue;
            torch::Tensor up = at_one.clone(), down = at_one.clone();
            up[static_cast<std::int64_t>(j) + 1] += n.step_or_default();
            down[static_cast<std::int64_t>(j) + 1] -= n.step_or_default();
            hf::Modifier mod;
            mod.name = n.name;
            if (shape) {
                // a nuisance acting on the shape and the yield of a class: one histosys with both
                mod.type = hf::ModifierType::HistoSys;
                mod.hi_data = to_vector(sys.class_histogram(net, test, k, up, true));
                mod.lo_data = to_vector(sys.class_histogram(net, test, k, down, true));
                mod.interpolation = hf::Interpolation::Smooth;
            } else {
                mod.type = hf::ModifierType::NormSys;
                const double f0 = sys.yield_factor(k, at_one).item<double>();
                mod.hi = sys.yield_factor(k, up).item<double>() / f0;
                mod.lo = sys.yield_factor(k, down).item<double>() / f0;
                mod.interpolation = hf::Interpolation::Linear;
            }
            s.modifiers.push_back(mod);
        }
        channel.samples.push_back(std::move(s));
    }
    hf::ParameterConfig poi;
    poi.name = sys.config().poi;
    poi.inits = std::vector<double>{sys.config().poi_nominal};
    m.parameters.push_back(poi);
    for (const auto& n : sys.config().nuisances) {
        hf::ParameterConfig c;
        c.name = n.name;
        // α = (θ − θ₀)/step has the constraint N(α | 0, σ/step); a free nuisance gets a constraint 10⁴
        // steps wide (pyhf's format has no unconstrained histosys; its curvature is 10⁻⁸ of a unit one)
        c.sigmas = std::vector<double>{n.constraint ? *n.constraint / n.step_or_default() : 1e4};
        m.parameters.push_back(c);
    }
    r.workspace.channels.push_back(channel);
    r.workspace.observations.push_back({"nn", asimov});
    r.workspace.measurements.push_back(m);

    const hf::Model model(r.workspace);
    const auto inits = model.inits();
    const Eigen::MatrixXd h = model.hessian(inits);
    r.sigma_hessian = std::sqrt(
        h.inverse()(static_cast<Eigen::Index>(model.poi()), static_cast<Eigen::Index>(model.poi())));
    const auto [lo, hi] = hf::scan_range(model, 1.5);
    const hf::ProfileScan scan = hf::profile_scan(model, 31, lo, hi);
    r.lower = scan.lower;
    r.upper = scan.upper;
    r.sigma_profile = scan.lower && scan.upper ? 0.5 * (*scan.upper - *scan.lower)
                                               : std::numeric_limits<double>::quiet_NaN();
    return r;
}

} // namespace hepkit::nn
