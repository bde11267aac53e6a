#include "hepkit/expr/Builtins.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace hepkit::expr {

namespace {

// Plain wrappers, not the overloaded std:: names: the scalar model evaluator calls them through
// function pointers (one indirect call, no switch), exactly as the fit always has.
double d_abs(double x) {
    return std::fabs(x);
}
double d_exp(double x) {
    return std::exp(x);
}
double d_log(double x) {
    return std::log(x);
}
double d_log10(double x) {
    return std::log10(x);
}
double d_log2(double x) {
    return std::log2(x);
}
double d_log1p(double x) {
    return std::log1p(x);
}
double d_expm1(double x) {
    return std::expm1(x);
}
double d_sqrt(double x) {
    return std::sqrt(x);
}
double d_sin(double x) {
    return std::sin(x);
}
double d_cos(double x) {
    return std::cos(x);
}
double d_tan(double x) {
    return std::tan(x);
}
double d_asin(double x) {
    return std::asin(x);
}
double d_acos(double x) {
    return std::acos(x);
}
double d_atan(double x) {
    return std::atan(x);
}
double d_sinh(double x) {
    return std::sinh(x);
}
double d_cosh(double x) {
    return std::cosh(x);
}
double d_tanh(double x) {
    return std::tanh(x);
}
double d_erf(double x) {
    return std::erf(x);
}
double d_erfc(double x) {
    return std::erfc(x);
}
double d_gamma(double x) {
    return std::tgamma(x);
}
double d_lgamma(double x) {
    return std::lgamma(x);
}
double d_atan2(double y, double x) {
    return std::atan2(y, x);
}
double d_pow(double a, double b) {
    return std::pow(a, b);
}
double d_hypot(double a, double b) {
    return std::hypot(a, b);
}
double d_min(double a, double b) {
    return std::fmin(a, b);
}
double d_max(double a, double b) {
    return std::fmax(a, b);
}

using vecmath::Fn1;
using vecmath::Fn2;

const std::map<std::string, Function1, std::less<>>& functions1() {
    static const std::map<std::string, Function1, std::less<>> f = {
        {"exp", {d_exp, Fn1::exp}},          {"log", {d_log, Fn1::log}},
        {"log10", {d_log10, Fn1::log10}},    {"log2", {d_log2, Fn1::log2}},
        {"log1p", {d_log1p, Fn1::log1p}},    {"expm1", {d_expm1, Fn1::expm1}},
        {"sqrt", {d_sqrt, Fn1::sqrt}},       {"sin", {d_sin, Fn1::sin}},
        {"cos", {d_cos, Fn1::cos}},          {"tan", {d_tan, Fn1::tan}},
        {"arcsin", {d_asin, Fn1::asin}},     {"asin", {d_asin, Fn1::asin}},
        {"arccos", {d_acos, Fn1::acos}},     {"acos", {d_acos, Fn1::acos}},
        {"arctan", {d_atan, Fn1::atan}},     {"atan", {d_atan, Fn1::atan}},
        {"sinh", {d_sinh, Fn1::sinh}},       {"cosh", {d_cosh, Fn1::cosh}},
        {"tanh", {d_tanh, Fn1::tanh}},       {"abs", {d_abs, Fn1::abs}},
        {"fabs", {d_abs, Fn1::abs}},         {"absolute", {d_abs, Fn1::abs}},
        {"erf", {d_erf, Fn1::erf}},          {"erfc", {d_erfc, Fn1::erfc}},
        {"gamma", {d_gamma, Fn1::tgamma}},   {"lgamma", {d_lgamma, Fn1::lgamma}},
        {"gammaln", {d_lgamma, Fn1::lgamma}}};
    return f;
}
const std::map<std::string, Function2, std::less<>>& functions2() {
    static const std::map<std::string, Function2, std::less<>> f = {
        {"arctan2", {d_atan2, Fn2::atan2}}, {"atan2", {d_atan2, Fn2::atan2}}, {"power", {d_pow, Fn2::pow}},
        {"pow", {d_pow, Fn2::pow}},         {"hypot", {d_hypot, Fn2::hypot}}, {"minimum", {d_min, Fn2::min}},
        {"maximum", {d_max, Fn2::max}},     {"min", {d_min, Fn2::min}},       {"max", {d_max, Fn2::max}},
        {"fmin", {d_min, Fn2::min}},        {"fmax", {d_max, Fn2::max}}};
    return f;
}
const std::map<std::string, Special, std::less<>>& specials() {
    static const std::map<std::string, Special, std::less<>> s = {
        {"where", Special::where}, {"sum", Special::sum}, {"max", Special::max}, {"min", Special::min},
        {"len", Special::len},     {"any", Special::any}, {"all", Special::all}};
    return s;
}

} // namespace

const Function1* find_function1(std::string_view name) {
    const auto it = functions1().find(name);
    return it == functions1().end() ? nullptr : &it->second;
}

const Function2* find_function2(std::string_view name) {
    const auto it = functions2().find(name);
    return it == functions2().end() ? nullptr : &it->second;
}

std::optional<double> find_constant(std::string_view name) {
    static const std::map<std::string, double, std::less<>> c = {
        {"pi", M_PI}, {"e", M_E}, {"inf", INFINITY}, {"Inf", INFINITY}, {"tau", 2 * M_PI}};
    const auto it = c.find(name);
    if (it == c.end())
        return std::nullopt;
    return it->second;
}

std::optional<Special> find_special(std::string_view name) {
    const auto it = specials().find(name);
    if (it == specials().end())
        return std::nullopt;
    return it->second;
}

std::string_view special_name(Special s) {
    for (const auto& [name, value] : specials())
        if (value == s)
            return name;
    return "?";
}

bool is_module(std::string_view s) {
    return s == "np" || s == "numpy" || s == "math" || s == "scipy.special" || s == "sp" || s == "special";
}

std::vector<std::string> function_names(bool with_selection_functions) {
    std::vector<std::string> out;
    for (const auto& f : functions1())
        out.push_back(f.first);
    for (const auto& f : functions2())
        out.push_back(f.first);
    if (with_selection_functions)
        for (const auto& f : specials())
            out.push_back(f.first);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

} // namespace hepkit::expr
