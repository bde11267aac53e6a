// The likelihood of systematics-aware training (SystematicsLoss.hpp). Expected events per bin:
//   ν_i(p) = Σ_k μ^[k = POI class] · f_k(p) · (h_k,i(p) + Σ_templates δ_k,i(α)),
// h_k the class's histogram (its yield × the weighted fractions of its events per bin, the network
// run on inputs transformed by the parameters), f_k the yield factors, δ the C¹ quadratic/linear
// template interpolation of analysis-methods README §1 with α = (θ − θ₀)/step.

#include "SystematicsLoss.hpp"

#include "DiffHistogram.hpp"

#include "hepkit/core/Error.hpp"

#include <fmt/format.h>
#include <torch/csrc/autograd/forward_grad.h>

#include <algorithm>
#include <cmath>

namespace hepkit::nn {

namespace {

std::size_t index_of(const std::vector<std::string>& names, const std::string& name, const std::string& key,
                     const char* what) {
    const auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end())
        throw InputError("", 0, key,
                         fmt::format("'{}': no such {} (there are: {})", name, what, fmt::join(names, ", ")));
    return static_cast<std::size_t>(it - names.begin());
}

} // namespace

torch::Tensor smooth_delta(const torch::Tensor& alpha, const torch::Tensor& nom, const torch::Tensor& up,
                           const torch::Tensor& down) {
    const auto a = 0.5 * (up + down) - nom;
    const auto b = 0.5 * (up - down);
    const double value = alpha.item<double>();
    if (value > 1)
        return (a + b) + (b + 2 * a) * (alpha - 1);
    if (value < -1)
        return (a - b) + (b - 2 * a) * (alpha + 1);
    return a * alpha * alpha + b * alpha;
}

torch::Tensor asimov_hessian(const std::function<torch::Tensor(const torch::Tensor&)>& nu_of,
                             const torch::Tensor& p0, const std::vector<std::optional<double>>& constraints) {
    const torch::Tensor p = p0.detach().clone().requires_grad_(true);
    const torch::Tensor d = nu_of(p0.detach());
    const torch::Tensor nu = nu_of(p);
    // a bin without expected events carries no information in the hard histogram; its Gaussian
    // backward would still give it a derivative (and 1/ν would be infinite): left out
    const torch::Tensor used = (d.detach() > 0).to(nu.scalar_type());
    torch::Tensor nll = (used * (nu - d * torch::log(nu.clamp_min(1e-300)))).sum();
    for (std::size_t j = 0; j < constraints.size(); ++j)
        if (constraints[j])
            nll =
                nll +
                (p[static_cast<std::int64_t>(j)] - p0[static_cast<std::int64_t>(j)].item<double>()).square() /
                    (2 * *constraints[j] * *constraints[j]);
    const torch::Tensor g = torch::autograd::grad({nll}, {p}, {}, true, true)[0];
    std::vector<torch::Tensor> rows;
    for (std::int64_t r = 0; r < p.size(0); ++r)
        rows.push_back(torch::autograd::grad({g[r]}, {p}, {}, true, true, true)[0]);
    return torch::stack(rows);
}

SystematicsModel::SystematicsModel(const LossConfig& config, const std::vector<std::string>& class_names,
                                   const std::vector<std::string>& features,
                                   const std::vector<Variation>& variations)
    : config_(config), class_names_(class_names), features_(features) {
    const std::size_t K = class_names_.size();
    poi_class_ = index_of(class_names_, config_.poi_sample, "loss.poi.sample", "class");
    names_.push_back(config_.poi);
    for (const auto& n : config_.nuisances) {
        if (std::find(names_.begin(), names_.end(), n.name) != names_.end())
            throw InputError(
                "", 0, "loss.nuisances",
                fmt::format("'{}': two parameters of this name (the POI is '{}')", n.name, config_.poi));
        names_.push_back(n.name);
    }
    for (const auto& [name, value] : config_.yields)
        index_of(class_names_, name, "loss.yields", "class");
    std::vector<std::string> expr_names = features_;
    expr_names.insert(expr_names.end(), names_.begin(), names_.end());
    inputs_.resize(K);
    yields_.resize(K);
    templates_.resize(K);
    for (std::size_t j = 0; j < config_.nuisances.size(); ++j) {
        const NuisanceConfig& n = config_.nuisances[j];
        const std::string key = fmt::format("loss.nuisances[{}]", j);
        for (const auto& e : n.inputs) {
            const std::size_t f = index_of(features_, e.feature, key + ".inputs.feature", "feature");
            TorchExpression expr(e.expr, expr_names, key + ".inputs.expr");
            for (std::size_t k = 0; k < K; ++k)
                if (e.sample.empty() || e.sample == class_names_[k])
                    inputs_[k].push_back({f, expr});
            if (!e.sample.empty())
                index_of(class_names_, e.sample, key + ".inputs.sample", "class");
        }
        if (!n.inputs.empty())
            input_nuisances_.push_back(j);
        for (const auto& e : n.yields) {
            const std::size_t k = index_of(class_names_, e.sample, key + ".yield.sample", "class");
            yields_[k].emplace_back(j, TorchExpression(e.expr, names_, key + ".yield.expr"));
        }
        if (!n.template_sample.empty()) {
            const std::size_t k =
                index_of(class_names_, n.template_sample, key + ".templates.sample", "class");
            Template t{j, variations.size(), variations.size()};
            for (std::size_t v = 0; v < variations.size(); ++v)
                if (variations[v].of == n.template_sample && variations[v].nuisance == n.name)
                    (variations[v].direction == "up" ? t.up : t.down) = v;
            if (t.up == variations.size() || t.down == variations.size())
                throw InputError("", 0, key + ".templates",
                                 fmt::format("nuisance '{}' needs two data samples with variation: {{of: {}, "
                                             "nuisance: {}, direction: up}} and direction: down",
                                             n.name, n.template_sample, n.name));
            templates_[k].push_back(t);
        }
    }
}

torch::Tensor SystematicsModel::nominal() const {
    std::vector<double> v{config_.poi_nominal};
    for (const auto& n : config_.nuisances)
        v.push_back(n.nominal);
    return torch::tensor(v, torch::kFloat64);
}

double SystematicsModel::yield(std::size_t k, const LossEvents& events) const {
    const auto it = config_.yields.find(class_names_[k]);
    if (it != config_.yields.end())
        return it->second;
    return events.classes.at(k).w.sum().item<double>();
}

torch::Tensor SystematicsModel::yield_factor(std::size_t k, const torch::Tensor& p) const {
    torch::Tensor f = torch::ones({}, torch::kFloat64);
    if (yields_[k].empty())
        return f;
    std::vector<torch::Tensor> values;
    for (std::int64_t q = 0; q < p.size(0); ++q)
        values.push_back(p[q]);
    for (const auto& [nuisance, expr] : yields_[k])
        f = f * expr.eval(values).to(torch::kFloat64);
    return f;
}

torch::Tensor SystematicsModel::histogram_of(const Forward& net, const SampleEvents& s,
                                             const std::vector<Input>& inputs, const torch::Tensor& p,
                                             bool hard, Memo* memo) const {
    torch::Tensor* cached = nullptr;
    bool depends = false;
    if (memo) {
        for (auto& [sample, h] : memo->nominal)
            if (sample == &s)
                cached = &h;
        for (const auto& in : inputs)
            depends = depends || (memo->tangent >= 0 &&
                                  in.expr.uses(features_.size() + static_cast<std::size_t>(memo->tangent)));
        if (cached && !depends)
            return *cached;
    }
    std::optional<torch::NoGradGuard> no_grad;
    if (hard)
        no_grad.emplace();
    torch::Tensor x = s.x;
    if (!inputs.empty()) {
        std::vector<torch::Tensor> columns = x.unbind(1);
        std::vector<torch::Tensor> values = columns;
        for (std::int64_t q = 0; q < p.size(0); ++q)
            values.push_back(p[q]);
        for (const auto& in : inputs)
            columns[in.feature] = in.expr.eval(values).to(x.scalar_type()).expand({x.size(0)});
        x = torch::stack(columns, 1);
    }
    if (x.size(0) == 0)
        return torch::zeros({config_.histogram.bins}, torch::kFloat64);
    const auto out = net(x);
    const auto h =
        (hard ? hard_histogram(config_.histogram, out, s.w) : diff_histogram(config_.histogram, out, s.w))
            .to(torch::kFloat64);
    // at the nominal point the primal of a pass with a tangent is the nominal histogram itself
    if (memo && !cached)
        memo->nominal.emplace_back(
            &s, depends ? std::get<0>(at::_unpack_dual(h, static_cast<std::int64_t>(memo->level))) : h);
    return h;
}

torch::Tensor SystematicsModel::class_histogram(const Forward& net, const LossEvents& events, std::size_t k,
                                                const torch::Tensor& p, bool hard) const {
    return class_histogram(net, events, k, p, hard, nullptr);
}

torch::Tensor SystematicsModel::class_histogram(const Forward& net, const LossEvents& events, std::size_t k,
                                                const torch::Tensor& p, bool hard, Memo* memo) const {
    const double y = yield(k, events);
    const auto normalised = [&](const SampleEvents& s) {
        const double sw = s.w.sum().item<double>();
        if (!(sw > 0))
            throw InputError("", 0, "loss",
                             fmt::format("class '{}': no events (or weights summing to {}) in a batch; "
                                         "use larger batches",
                                         class_names_[k], sw));
        return histogram_of(net, s, inputs_[k], p, hard, memo) * (y / sw);
    };
    const torch::Tensor nominal = normalised(events.classes.at(k));
    torch::Tensor h = nominal;
    for (const Template& t : templates_[k]) {
        const NuisanceConfig& n = config_.nuisances[t.nuisance];
        const auto alpha = (p[static_cast<std::int64_t>(t.nuisance) + 1] - n.nominal) / n.step_or_default();
        h = h + smooth_delta(alpha, nominal, normalised(events.variations.at(t.up)),
                             normalised(events.variations.at(t.down)));
    }
    h = h * yield_factor(k, p);
    if (k == poi_class_)
        h = h * p[0];
    return h;
}

torch::Tensor SystematicsModel::expected(const Forward& net, const LossEvents& events, const torch::Tensor& p,
                                         bool hard) const {
    torch::Tensor nu = class_histogram(net, events, 0, p, hard, nullptr);
    for (std::size_t k = 1; k < class_names_.size(); ++k)
        nu = nu + class_histogram(net, events, k, p, hard, nullptr);
    return nu;
}

torch::Tensor SystematicsModel::expected(const Forward& net, const LossEvents& events, const torch::Tensor& p,
                                         Memo* memo) const {
    torch::Tensor nu = class_histogram(net, events, 0, p, false, memo);
    for (std::size_t k = 1; k < class_names_.size(); ++k)
        nu = nu + class_histogram(net, events, k, p, false, memo);
    return nu;
}

torch::Tensor SystematicsModel::asimov_hessian(const Forward& net, const LossEvents& events) const {
    const torch::Tensor p0 = nominal();
    const std::int64_t P = p0.size(0);
    // the parameters that change some class's inputs first: their passes compute the nominal
    // histograms of those classes as their primal, which the other passes then reuse
    std::vector<std::int64_t> order;
    for (const bool inputs : {true, false})
        for (std::int64_t q = 0; q < P; ++q) {
            bool uses = false;
            for (const auto& class_inputs : inputs_)
                for (const auto& in : class_inputs)
                    uses = uses || in.expr.uses(features_.size() + static_cast<std::size_t>(q));
            if (uses == inputs)
                order.push_back(q);
        }
    Memo memo;
    memo.level = torch::autograd::ForwardADLevel::get_next_idx();
    struct Release {
        std::uint64_t level;
        ~Release() { torch::autograd::ForwardADLevel::release_idx(level); }
    } release{memo.level};
    const ForwardModeScope forward_mode;
    const TangentScope tangents(memo.level); // the network propagates them itself (Network.hpp)
    std::vector<torch::Tensor> columns(static_cast<std::size_t>(P));
    for (const std::int64_t q : order) {
        memo.tangent = q;
        const auto tangent = torch::zeros_like(p0);
        tangent[q] = 1;
        const auto dual = at::_make_dual(p0, tangent, static_cast<std::int64_t>(memo.level));
        const auto nu = expected(net, events, dual, &memo);
        const auto j = std::get<1>(at::_unpack_dual(nu, static_cast<std::int64_t>(memo.level)));
        columns[static_cast<std::size_t>(q)] = j.defined() ? j.clone() : torch::zeros_like(nu.detach());
    }
    memo.tangent = -1;
    const torch::Tensor nu = expected(net, events, p0, &memo); // every histogram from the memo
    // a bin without expected events carries no information in the hard histogram (its Gaussian
    // backward would still give it a derivative, and 1/ν would be infinite): left out
    const torch::Tensor inverse_nu = (nu.detach() > 0).to(nu.scalar_type()) / nu.clamp_min(1e-300);
    const torch::Tensor J = torch::stack(columns, 1); // bins × P
    torch::Tensor H = J.t().mm(J * inverse_nu.view({-1, 1}));
    std::vector<double> c(static_cast<std::size_t>(P), 0.0);
    for (std::size_t j = 0; j < config_.nuisances.size(); ++j)
        if (const auto& s = config_.nuisances[j].constraint)
            c[j + 1] = 1 / (*s * *s);
    return H + torch::diag(torch::tensor(c, torch::kFloat64));
}

Forward SystematicsModel::forward_of(Network& net) const {
    return
        [this, &net](const torch::Tensor& x) { return histogram_input(config_.histogram, net->forward(x)); };
}

torch::Tensor SystematicsModel::inference_loss(const Forward& net, const LossEvents& events) const {
    const torch::Tensor h = asimov_hessian(net, events);
    const torch::Tensor v = torch::inverse(h)[0][0];
    return config_.objective == InferenceObjective::Sigma ? torch::sqrt(v) : v;
}

std::vector<std::size_t> SystematicsModel::shape_classes(std::size_t nuisance) const {
    std::vector<std::size_t> out;
    for (std::size_t k = 0; k < class_names_.size(); ++k) {
        bool changes = std::any_of(templates_[k].begin(), templates_[k].end(),
                                   [&](const Template& t) { return t.nuisance == nuisance; });
        for (const auto& in : inputs_[k])
            changes = changes || in.expr.uses(features_.size() + nuisance + 1);
        if (changes)
            out.push_back(k);
    }
    return out;
}

torch::Tensor SystematicsModel::penalty(const Forward& net, const LossEvents& events) const {
    const torch::Tensor p0 = nominal();
    torch::Tensor total = torch::zeros({}, torch::kFloat64);
    int terms = 0;
    std::vector<torch::Tensor> nominal_h(class_names_.size());
    for (std::size_t j = 0; j < config_.nuisances.size(); ++j) {
        const std::vector<std::size_t> classes = shape_classes(j);
        for (const double sign : {1.0, -1.0}) {
            torch::Tensor p = p0.clone();
            p[static_cast<std::int64_t>(j) + 1] += sign * config_.nuisances[j].step_or_default();
            for (const std::size_t k : classes) {
                if (!nominal_h[k].defined())
                    nominal_h[k] = class_histogram(net, events, k, p0, false);
                const torch::Tensor& h0 = nominal_h[k];
                const torch::Tensor hs = class_histogram(net, events, k, p, false);
                // χ²/yield: the mean squared relative change, independent of the yields' scale
                const double y = yield(k, events);
                const auto variance = h0.detach().clamp_min(1e-6 * y);
                total = total + ((hs - h0).square() / variance).sum() / y;
                ++terms;
            }
        }
    }
    return terms > 0 ? total / terms : total;
}

LossEvents loss_events(const Table& t, const std::vector<const Table*>& variations, std::size_t classes,
                       torch::Dtype dtype) {
    LossEvents out;
    const auto tensors = [&](const Table& table, const std::vector<std::size_t>& rows) {
        std::vector<double> x, w;
        x.reserve(rows.size() * table.cols());
        for (const std::size_t r : rows) {
            for (std::size_t c = 0; c < table.cols(); ++c)
                x.push_back(table.at(r, c));
            w.push_back(table.weight(r));
        }
        const auto n = static_cast<std::int64_t>(rows.size());
        return SampleEvents{
            torch::tensor(x, torch::kFloat64).view({n, static_cast<std::int64_t>(table.cols())}).to(dtype),
            torch::tensor(w, torch::kFloat64).to(dtype)};
    };
    std::vector<std::vector<std::size_t>> rows(classes);
    for (std::size_t r = 0; r < t.rows; ++r) {
        const auto k = static_cast<std::size_t>(t.targets.at(r));
        if (k < classes)
            rows[k].push_back(r);
    }
    for (std::size_t k = 0; k < classes; ++k)
        out.classes.push_back(tensors(t, rows[k]));
    for (const Table* v : variations) {
        std::vector<std::size_t> all(v->rows);
        for (std::size_t r = 0; r < v->rows; ++r)
            all[r] = r;
        out.variations.push_back(tensors(*v, all));
    }
    return out;
}

} // namespace hepkit::nn
