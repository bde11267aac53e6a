// Interpolation codes of HistFactory (Cranmer et al., CERN-OPEN-2012-016, §4.1; ROOT's
// FlexibleInterpVar and PiecewiseInterpolation; pyhf's interpolators) and the C¹ quadratic of the
// analysis-methods README §1, with first and second derivatives in α for the analytic Hessian.
#include "hepkit/fit/HistFactory.hpp"

#include <cmath>

namespace hepkit::fit::hf {

namespace {
struct Name {
    Interpolation code;
    const char* name;
};
constexpr Name kNames[] = {{Interpolation::Linear, "code0"},
                           {Interpolation::Exponential, "code1"},
                           {Interpolation::Quadratic, "code2"},
                           {Interpolation::Polynomial, "code4"},
                           {Interpolation::PolynomialLinear, "code4p"},
                           {Interpolation::Smooth, "smooth"}};

// code4 on a factor g with g(0) = 1, g(±1) = r±: outside |α| ≥ 1 the exponential r₊^α, r₋^(−α);
// inside 1 + Σ_{k=1..6} c_k α^k with value, slope and curvature of the exponential at ±1. The
// even and odd parts separate: E = c2α² + c4α⁴ + c6α⁶ takes the symmetric halves of the six
// conditions, O = c1α + c3α³ + c5α⁵ the antisymmetric ones; each is a 3×3 triangular solve.
Interpolated code4_factor(double alpha, double rhi, double rlo) {
    const double lh = std::log(rhi), ll = std::log(rlo);
    if (alpha >= 1) {
        const double v = std::pow(rhi, alpha);
        return {v, v * lh, v * lh * lh};
    }
    if (alpha <= -1) {
        const double v = std::pow(rlo, -alpha);
        return {v, -v * ll, v * ll * ll};
    }
    const double vp = rhi - 1, vm = rlo - 1;             // g(±1) − 1
    const double sp = rhi * lh, sm = -rlo * ll;          // g'(±1)
    const double kp = rhi * lh * lh, km = rlo * ll * ll; // g''(±1)
    const double e0 = (vp + vm) / 2, e1 = (sp - sm) / 2, e2 = (kp + km) / 2;
    const double o0 = (vp - vm) / 2, o1 = (sp + sm) / 2, o2 = (kp - km) / 2;
    const double c6 = (e2 - 5 * e1 + 8 * e0) / 8, c4 = (e1 - 2 * e0 - 4 * c6) / 2, c2 = e0 - c4 - c6;
    const double c5 = (o2 - 3 * o1 + 3 * o0) / 8, c3 = (o1 - o0 - 4 * c5) / 2, c1 = o0 - c3 - c5;
    const double c[7] = {1, c1, c2, c3, c4, c5, c6};
    Interpolated r;
    double pk = 1; // α^k
    for (int k = 0; k <= 6; ++k) {
        r.value += c[k] * pk;
        if (k >= 1)
            r.d1 += k * c[k] * (k >= 2 ? std::pow(alpha, k - 1) : 1.0);
        if (k >= 2)
            r.d2 += k * (k - 1) * c[k] * (k >= 3 ? std::pow(alpha, k - 2) : 1.0);
        pk *= alpha;
    }
    return r;
}
} // namespace

const char* interpolation_name(Interpolation code) {
    for (const auto& n : kNames)
        if (n.code == code)
            return n.name;
    return "?";
}

std::optional<Interpolation> parse_interpolation(const std::string& name) {
    for (const auto& n : kNames)
        if (name == n.name)
            return n.code;
    return std::nullopt;
}

const char* interpolation_names() {
    return "code0, code1, code2, code4, code4p, smooth";
}

Interpolated interpolate(Interpolation code, double alpha, double nom, double hi, double lo) {
    const double a = 0.5 * (hi + lo) - nom, b = 0.5 * (hi - lo);
    switch (code) {
    case Interpolation::Linear:
        return alpha >= 0 ? Interpolated{nom + alpha * (hi - nom), hi - nom, 0}
                          : Interpolated{nom + alpha * (nom - lo), nom - lo, 0};
    case Interpolation::Exponential: {
        if (nom == 0)
            return {};
        const double r = alpha >= 0 ? hi / nom : lo / nom, l = std::log(r);
        const double v = nom * std::pow(r, std::fabs(alpha));
        const double s = alpha >= 0 ? l : -l;
        return {v, v * s, v * s * s};
    }
    case Interpolation::Quadratic: // pyhf's code2: the linear pieces start from nom, not from the value at ±1
        if (alpha > 1)
            return {nom + (b + 2 * a) * (alpha - 1), b + 2 * a, 0};
        if (alpha < -1)
            return {nom + (b - 2 * a) * (alpha + 1), b - 2 * a, 0};
        return {nom + a * alpha * alpha + b * alpha, 2 * a * alpha + b, 2 * a};
    case Interpolation::Smooth:
        if (alpha > 1)
            return {nom + a + b + (b + 2 * a) * (alpha - 1), b + 2 * a, 0};
        if (alpha < -1)
            return {nom + a - b + (b - 2 * a) * (alpha + 1), b - 2 * a, 0};
        return {nom + a * alpha * alpha + b * alpha, 2 * a * alpha + b, 2 * a};
    case Interpolation::Polynomial: {
        if (nom == 0)
            return {};
        const Interpolated g = code4_factor(alpha, hi / nom, lo / nom);
        return {nom * g.value, nom * g.d1, nom * g.d2};
    }
    case Interpolation::PolynomialLinear: {
        const double up = hi - nom, dn = nom - lo;
        if (alpha > 1)
            return {nom + alpha * up, up, 0};
        if (alpha < -1)
            return {nom + alpha * dn, dn, 0};
        const double S = 0.5 * (up + dn), A = (up - dn) / 16, a2 = alpha * alpha;
        return {nom + alpha * S + A * a2 * (15 + a2 * (3 * a2 - 10)),
                S + A * alpha * (30 + a2 * (18 * a2 - 40)), A * (30 + a2 * (90 * a2 - 120))};
    }
    }
    return {};
}

const char* modifier_type_name(ModifierType type) {
    switch (type) {
    case ModifierType::NormFactor:
        return "normfactor";
    case ModifierType::NormSys:
        return "normsys";
    case ModifierType::HistoSys:
        return "histosys";
    case ModifierType::StatError:
        return "staterror";
    case ModifierType::ShapeSys:
        return "shapesys";
    case ModifierType::Lumi:
        return "lumi";
    case ModifierType::ShapeFactor:
        return "shapefactor";
    }
    return "?";
}

std::optional<ModifierType> parse_modifier_type(const std::string& name) {
    for (ModifierType t :
         {ModifierType::NormFactor, ModifierType::NormSys, ModifierType::HistoSys, ModifierType::StatError,
          ModifierType::ShapeSys, ModifierType::Lumi, ModifierType::ShapeFactor})
        if (name == modifier_type_name(t))
            return t;
    return std::nullopt;
}

} // namespace hepkit::fit::hf
