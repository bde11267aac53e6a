#include "hepkit/fit/Kafe2Library.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <fmt/format.h>
#include <stdexcept>

namespace hepkit::fit {
namespace {

// The formulas and start values of kafe2.fit.util.function_library (every start value 1.0),
// written out for hepkit's compiler; the aliases are kafe2's STRING_TO_FUNCTION keys.
struct LibraryModel {
    const char* name;
    const char* code;
};
constexpr std::array<LibraryModel, 5> models{{
    {"linear_model", "def linear_model(x, a=1.0, b=1.0):\n    return a * x + b\n"},
    {"quadratic_model", "def quadratic_model(x, a=1.0, b=1.0, c=1.0):\n    return a * x ** 2 + b * x + c\n"},
    {"cubic_model",
     "def cubic_model(x, a=1.0, b=1.0, c=1.0, d=1.0):\n    return a * x ** 3 + b * x ** 2 + c * x + d\n"},
    {"exponential_model", "def exponential_model(x, A_0=1.0, x_0=1.0):\n    return A_0 * np.exp(x / x_0)\n"},
    {"normal_distribution",
     "def normal_distribution(x, mu=1.0, sigma=1.0):\n"
     "    return np.exp(-0.5 * ((x - mu) / sigma) ** 2) / np.sqrt(2.0 * np.pi * sigma ** 2)\n"},
}};
constexpr std::array<std::pair<const char*, const char*>, 13> aliases{{
    {"line", "linear_model"},
    {"linear", "linear_model"},
    {"linear_model", "linear_model"},
    {"quadratic", "quadratic_model"},
    {"quadratic_model", "quadratic_model"},
    {"cubic", "cubic_model"},
    {"cubic_model", "cubic_model"},
    {"exp", "exponential_model"},
    {"exponential", "exponential_model"},
    {"exponential_model", "exponential_model"},
    {"normal", "normal_distribution"},
    {"normal_distribution", "normal_distribution"},
    {"normal_distribution_pdf", "normal_distribution"},
}};

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return s;
}

bool identifier(std::string_view s) {
    if (s.empty() || std::isdigit(static_cast<unsigned char>(s.front())))
        return false;
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

} // namespace

std::optional<std::string> kafe2_library_model(std::string_view name) {
    for (const auto& [alias, target] : aliases)
        if (name == alias)
            for (const auto& m : models)
                if (std::string_view(m.name) == target)
                    return std::string(m.code);
    return std::nullopt;
}

const std::vector<std::string>& kafe2_library_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n;
        for (const auto& a : aliases)
            n.emplace_back(a.first);
        return n;
    }();
    return names;
}

std::optional<std::string> kafe2_sympy_shorthand(std::string_view text) {
    const auto arrow = text.find("->");
    if (arrow == std::string_view::npos || text.find("def ") != std::string_view::npos)
        return std::nullopt;
    std::string_view symbols = text.substr(0, arrow);
    const std::string_view expression = trim(text.substr(arrow + 2));
    std::string name = "model";
    if (const auto colon = symbols.find(':'); colon != std::string_view::npos) {
        name = std::string(trim(symbols.substr(0, colon)));
        symbols = symbols.substr(colon + 1);
    }
    if (!identifier(name))
        throw std::invalid_argument(fmt::format("'{}' is not a model name", name));
    // SymPy separates symbols by spaces or commas; `b=2` gives a start value.
    std::vector<std::string> args;
    std::string current;
    for (char c : std::string(symbols) + " ") {
        if (std::isspace(static_cast<unsigned char>(c)) || c == ',') {
            if (!current.empty())
                args.push_back(current);
            current.clear();
        } else {
            current += c;
        }
    }
    if (args.empty())
        throw std::invalid_argument("the shorthand names no variable before '->'");
    for (const auto& a : args) {
        const auto eq = a.find('=');
        if (!identifier(std::string_view(a).substr(0, eq)))
            throw std::invalid_argument(fmt::format("'{}' is not a symbol (name or name=start)", a));
    }
    if (expression.empty())
        throw std::invalid_argument("the shorthand has no expression after '->'");
    std::string expr(expression);
    // SymPy reads ^ as a power (convert_xor); Python's ** is what the compiler knows.
    for (std::size_t p = expr.find('^'); p != std::string::npos; p = expr.find('^', p + 2))
        expr.replace(p, 1, "**");
    std::string joined;
    for (const auto& a : args)
        joined += (joined.empty() ? "" : ", ") + a;
    return fmt::format("def {}({}):\n    return {}\n", name, joined, expr);
}

} // namespace hepkit::fit
