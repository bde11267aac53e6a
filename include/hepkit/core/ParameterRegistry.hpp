#pragma once
/// @file
/// A typed registry of the settings of a config struct: each setting has a path
/// (`hitrate`, `calibration.context_latency`, `sites.*.walltime`), the key a scenario file sets
/// it under, a unit, one line of documentation and the function that reads and checks its
/// value. Components register their own fields, one line each:
///
///     void register_parameters(ParameterRegistry<CacheConfig>& r) {
///         r.field("hitrate", "hitrate", "fraction", "input bytes staged on the caches (-H)",
///                 &CacheConfig::hitrate, Bounds::fraction());
///         r.field("eviction", "eviction", "eviction policy of every cache", &CacheConfig::eviction,
///                 evictions);
///     }
///
/// and a program composes them under prefixes (`add("cache.", "options.", &Options::cache,
/// register_parameters)`), so that the command line, scans and file readers set any field by its
/// path with the same checks and messages everywhere.
///
/// How a value is read follows the field's type and unit: a `double` in `B`, `s` or `flop/s` is
/// a quantity with an optional unit suffix (`500MB`, `2h`, `20Gf`; core/Units.hpp), any other
/// `double` a plain number; integers, booleans and strings are YAML scalars of that kind; an enum
/// is a name of its EnumTable. Bounds are checked after reading and a violation fails at the
/// value (config::YamlView::fail: file, line, key).
///
/// A `*` segment in a path stands for a name the user chooses (a host, a site); the setter
/// receives that name. The registry is generic (it knows paths, units and member pointers, no
/// component); it is built once and then only read, so threads may share it.

#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/EnumTable.hpp"

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <functional>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace hepkit {

/// The range a number must lie in, and the words of the error when it does not:
/// "must be " + says, or "VALUE must be " + says with quote_value.
struct Bounds {
    double lo = -std::numeric_limits<double>::infinity();
    double hi = std::numeric_limits<double>::infinity();
    bool lo_open = false;     ///< lo itself is outside
    bool hi_open = false;     ///< hi itself is outside
    std::string says;         ///< e.g. "between 0 and 1", "> 0"; empty: no bounds
    bool quote_value = false; ///< the message starts with the value read

    /// True if `x` lies in the range (never for NaN).
    bool contains(double x) const;
    /// Throws InputError at `value` with this range's message; `shown` is the value as read.
    [[noreturn]] void fail(const config::YamlView& value, std::string_view shown) const;

    /// Any number.
    static Bounds none() { return {}; }
    /// x > lo ("> lo").
    static Bounds above(double lo);
    /// x >= lo (">= lo").
    static Bounds at_least(double lo);
    /// lo <= x <= hi; `says` defaults to "between LO and HI".
    static Bounds between(double lo, double hi, std::string says = {});
    /// 0 <= x <= 1 ("between 0 and 1").
    static Bounds fraction() { return between(0, 1); }
    /// The same range with hi excluded (the words stay as given).
    Bounds below_hi() const {
        Bounds b = *this;
        b.hi_open = true;
        return b;
    }
    /// The same range with the value at the start of the message.
    Bounds quoting_value() const {
        Bounds b = *this;
        b.quote_value = true;
        return b;
    }
};

namespace detail {
/// The integer types of integer fields (bool is a switch, not a count).
template <class T>
concept Integer = std::integral<T> && !std::same_as<T, bool>;
/// The kind of quantity a unit name reads (B: size, s: time, flop/s: speed), or none.
std::optional<units::Kind> quantity_kind(std::string_view unit);
/// Reads a number (a quantity if `unit` names one) and checks `bounds`.
double read_number(const config::YamlView& value, std::string_view unit, const Bounds& bounds);
/// Reads an integer and checks `bounds`.
long long read_integer(const config::YamlView& value, const Bounds& bounds);
/// Throws std::logic_error if `bounds` admit integers that a field of [min, max] cannot hold
/// (a registration error, found when the registry is built).
void check_integer_bounds(std::string_view path, const Bounds& bounds, long double min, long double max);
/// Splits "a.b.c" at dots.
std::vector<std::string_view> segments(std::string_view path);
/// True if `path` matches `pattern`, whose `*` segments stand for any non-empty name; the
/// name matched is stored in `*name` (the last one, if several).
bool path_matches(std::string_view pattern, std::string_view path, std::string* name);
/// The words "a.b", "c.d" of `texts` joined with ", ".
std::string join(const std::vector<std::string>& texts, std::string_view separator = ", ");
} // namespace detail

/// The settings of one config struct `C`, in registration order (the order of lists and docs).
template <class C>
class ParameterRegistry {
  public:
    /// Reads `value` into the config; `name` is the path's `*` segment (empty without one).
    /// Throws InputError at `value` for a bad value.
    using Setter = std::function<void(C& config, const config::YamlView& value, const std::string& name)>;

    struct Parameter {
        std::string path;     ///< e.g. `cache.hitrate`; `*` stands for a name
        std::string scenario; ///< where a scenario file sets it, e.g. `options.hitrate`
        std::string unit;     ///< B, s, flop/s, fraction, count, bool, host, name, ...
        std::string doc;      ///< one line: what it does
        Setter set;           ///< reads and checks a value
        /// For a unit `name`: the allowed names (from the enum's table); empty otherwise.
        std::function<std::string()> allowed;
    };

    // --- one field, one line ------------------------------------------------------------
    /// A number (see the file comment for how the unit decides the reading).
    void field(std::string_view path, std::string_view scenario, std::string_view unit, std::string_view doc,
               double C::*member, Bounds bounds = {}) {
        const std::string u(unit);
        push(path, scenario, unit, doc, member,
             [member, u, bounds](C& c, const config::YamlView& v, const std::string&) {
                 c.*member = detail::read_number(v, u, bounds);
             });
    }
    /// An integer; `bounds` must keep it within T's range.
    template <detail::Integer T>
    void field(std::string_view path, std::string_view scenario, std::string_view unit, std::string_view doc,
               T C::*member, Bounds bounds) {
        detail::check_integer_bounds(path, bounds, static_cast<long double>(std::numeric_limits<T>::min()),
                                     static_cast<long double>(std::numeric_limits<T>::max()));
        push(path, scenario, unit, doc, member,
             [member, bounds](C& c, const config::YamlView& v, const std::string&) {
                 c.*member = static_cast<T>(detail::read_integer(v, bounds));
             });
    }
    /// A switch (unit `bool`).
    void field(std::string_view path, std::string_view scenario, std::string_view doc, bool C::*member) {
        push(path, scenario, "bool", doc, member,
             [member](C& c, const config::YamlView& v, const std::string&) { c.*member = v.as_bool(); });
    }
    /// A text, e.g. a host name (unit `unit`).
    void field(std::string_view path, std::string_view scenario, std::string_view unit, std::string_view doc,
               std::string C::*member) {
        push(path, scenario, unit, doc, member,
             [member](C& c, const config::YamlView& v, const std::string&) { c.*member = v.as_string(); });
    }
    /// One of the names of `table` (unit `name`; lists and errors give the allowed names).
    /// `table` must outlive the registry (enum tables are `inline constexpr` globals).
    template <class E, std::size_t N>
    void field(std::string_view path, std::string_view scenario, std::string_view doc, E C::*member,
               const EnumTable<E, N>& table) {
        const EnumTable<E, N>* t = &table;
        push(path, scenario, "name", doc, member,
             [member, t](C& c, const config::YamlView& v, const std::string&) {
                 try {
                     c.*member = t->parse(v.as_string());
                 } catch (const std::invalid_argument& e) {
                     v.fail(e.what());
                 }
             });
        parameters_.back().allowed = [t] { return t->allowed(); };
    }
    /// A setting whose reading is its own (a map entry, a parsed policy): `set` writes `member`.
    template <class T>
    void custom(std::string_view path, std::string_view scenario, std::string_view unit, std::string_view doc,
                T C::*member, Setter set) {
        push(path, scenario, unit, doc, member, std::move(set));
    }

    // --- composition --------------------------------------------------------------------
    /// Every parameter of `inner` as a parameter of C's `member`, its path and scenario key
    /// prefixed (`add("calibration.", "gpu_calibration.", &GpuConfig::calibration, r)`).
    template <class Inner>
    void add(std::string_view path_prefix, std::string_view scenario_prefix, Inner C::*member,
             const ParameterRegistry<Inner>& inner) {
        add_each(
            path_prefix, scenario_prefix, member,
            [member](C& c, const config::YamlView&, const std::string&) -> Inner& { return c.*member; },
            inner);
    }
    /// The same with the registration function of `Inner` (`register_parameters`).
    template <class Inner>
    void add(std::string_view path_prefix, std::string_view scenario_prefix, Inner C::*member,
             std::type_identity_t<void (*)(ParameterRegistry<Inner>&)> registration) {
        ParameterRegistry<Inner> inner;
        registration(inner);
        add(path_prefix, scenario_prefix, member, inner);
    }
    /// Parameters of `inner` for each element of a collection `member` of C (`path_prefix`
    /// holds a `*`, e.g. "sites.*."): `element(config, value, name)` returns the element named by
    /// the `*` segment, or fails at `value`.
    template <class Inner, class Collection>
    void add_each(
        std::string_view path_prefix, std::string_view scenario_prefix, Collection C::*member,
        std::type_identity_t<std::function<Inner&(C&, const config::YamlView&, const std::string&)>> element,
        const ParameterRegistry<Inner>& inner) {
        for (const auto& p : inner.parameters()) {
            std::string path(path_prefix);
            path += p.path;
            std::string scenario(scenario_prefix);
            scenario += p.scenario;
            push(path, scenario, p.unit, p.doc, member,
                 [element, set = p.set](C& c, const config::YamlView& v, const std::string& name) {
                     set(element(c, v, name), v, name);
                 });
            parameters_.back().allowed = p.allowed;
        }
    }

    // --- lookups ------------------------------------------------------------------------
    /// Every parameter, in registration order.
    const std::vector<Parameter>& parameters() const { return parameters_; }
    /// The parameter whose path matches `path` and the name its `*` segment matched; nullptr if none.
    const Parameter* find(std::string_view path, std::string* name = nullptr) const {
        for (const auto& p : parameters_)
            if (detail::path_matches(p.path, path, name))
                return &p;
        return nullptr;
    }
    /// The first segments of the paths, each once, in order ("cache caches output_storage ...").
    std::string prefixes() const {
        std::vector<std::string> heads;
        for (const auto& p : parameters_) {
            std::string head(detail::segments(p.path).front());
            if (std::find(heads.begin(), heads.end(), head) == heads.end())
                heads.push_back(std::move(head));
        }
        return detail::join(heads, " ");
    }
    /// How many distinct fields of C the parameters set (a test compares it with C's fields).
    std::size_t members() const { return members_.size(); }

  private:
    template <class T>
    void push(std::string_view path, std::string_view scenario, std::string_view unit, std::string_view doc,
              T C::*member, Setter set) {
        for (const auto& p : parameters_)
            if (p.path == path)
                throw std::logic_error("parameter path registered twice: " + std::string(path));
        parameters_.push_back(Parameter{std::string(path),
                                        std::string(scenario),
                                        std::string(unit),
                                        std::string(doc),
                                        std::move(set),
                                        {}});
        // A member's identity is its offset in a default-built config.
        static const C probe{};
        const auto offset =
            reinterpret_cast<const char*>(&(probe.*member)) - reinterpret_cast<const char*>(&probe);
        if (std::find(members_.begin(), members_.end(), offset) == members_.end())
            members_.push_back(offset);
    }

    std::vector<Parameter> parameters_;
    std::vector<std::ptrdiff_t> members_;
};

} // namespace hepkit
