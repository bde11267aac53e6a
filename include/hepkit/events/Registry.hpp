#pragma once
/// @file
/// Step types by name: what a configuration's `type:` keys resolve to. The built-in types
/// (expression producers and filters, the library of common producers, histograms, cut flows,
/// ntuples) are registered by register_builtins(); a user's shared library adds its own through
/// one C function the library exports:
///
///     extern "C" void hepkit_events_register(hepkit::events::Registry& registry) {
///         registry.add_producer("my_met", [](const hepkit::events::StepConfig& c) {
///             return std::make_unique<MyMet>(c);
///         }, "MET recomputed with my corrections");
///     }
///
/// and the configuration names it: `plugins: [build/libmy_steps.so]`, then `type: my_met`.
/// examples/events/plugin/ is a complete one built against the installed hepkit.

#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/events/Step.hpp"

#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace hepkit::events {

/// A step's configuration: its whole YAML map, as written, and where it is. The keys `type` and
/// `name` are the configuration's own (docs/events-config.md); every other key is the step's. Factories read
/// it with config::YamlView's checked accessors, so a bad value names file, line and key, and call
/// check_keys() with their own keys to catch typos. (A shift's replacement written as an expression string,
/// `Muon_pt: "Muon_pt * 1.01"`, reaches the `expr` producer as a map made by the configuration: {expr: <that
/// string's node>}.)
struct StepConfig {
    StepPlace place;
    config::YamlView yaml;

    /// The keys the configuration reads itself, allowed in every step's map.
    static constexpr const char* reserved_keys[] = {"type", "name"};
    /// Throws hepkit::InputError naming file, line and key for a key of the map that is neither
    /// in `own` nor reserved, listing the allowed ones.
    void check_keys(std::initializer_list<const char*> own) const;
};

class Registry {
  public:
    using ProducerFactory = std::function<std::unique_ptr<Producer>(const StepConfig&)>;
    using FilterFactory = std::function<std::unique_ptr<Filter>(const StepConfig&)>;
    using ConsumerFactory = std::function<std::unique_ptr<Consumer>(const StepConfig&)>;

    /// Adds a type; std::invalid_argument when the name is taken (of the same kind).
    void add_producer(const std::string& type, ProducerFactory make, std::string doc);
    void add_filter(const std::string& type, FilterFactory make, std::string doc);
    void add_consumer(const std::string& type, ConsumerFactory make, std::string doc);

    /// Makes a step of `type`; hepkit::InputError naming the place and listing the known types
    /// when there is none.
    std::unique_ptr<Producer> make_producer(const std::string& type, const StepConfig& config) const;
    std::unique_ptr<Filter> make_filter(const std::string& type, const StepConfig& config) const;
    std::unique_ptr<Consumer> make_consumer(const std::string& type, const StepConfig& config) const;

    /// The kinds ("producer", "filter", "consumer") under which `type` is registered, in that
    /// order; empty when it is unknown. The configuration infers a step's kind from it.
    std::vector<std::string> kinds(const std::string& type) const;
    /// Up to three registered types of any kind close to `type` (a typo's likely meaning),
    /// closest first.
    std::vector<std::string> similar(const std::string& type) const;

    /// A copy of the factory of a producer type (for steps that make their producer later, once
    /// the schema is known); throws std::out_of_range when there is none.
    ProducerFactory producer_factory(const std::string& type) const { return producers_.at(type); }

    /// Loads a shared library and calls its `hepkit_events_register(Registry&)`. Throws
    /// hepkit::InputError naming the library (and dlerror()'s reason) when it cannot be loaded or
    /// lacks the function, and when registering throws (a type name taken). The library stays
    /// loaded for the life of the process; loading the same file again does nothing.
    ///
    /// The library is linked against no hepkit library: it resolves hepkit's symbols in the
    /// program that loads it (the `hepkit` executable exports them), so that both share one copy
    /// of hepkit. It must be built by the same compiler from the same hepkit headers.
    void load_plugin(const std::string& path);

    /// type → one-line doc, per kind (for `hepkit events types`).
    const std::map<std::string, std::string>& producer_docs() const { return producer_docs_; }
    const std::map<std::string, std::string>& filter_docs() const { return filter_docs_; }
    const std::map<std::string, std::string>& consumer_docs() const { return consumer_docs_; }

  private:
    std::map<std::string, ProducerFactory> producers_;
    std::map<std::string, FilterFactory> filters_;
    std::map<std::string, ConsumerFactory> consumers_;
    std::map<std::string, std::string> producer_docs_, filter_docs_, consumer_docs_;
    std::set<std::string> plugins_; ///< canonical paths of the libraries loaded
};

/// Registers every built-in step type (BuiltinSteps.cpp calls the three below).
void register_builtins(Registry& registry);
/// `expr` producer and filter (Expressions.hpp).
void register_expression_steps(Registry& registry);
/// The library of common producers (Library.hpp): object selection, leading objects, four-vector
/// sums and invariant masses, ΔR matching, MET recomputation, event weights.
void register_library(Registry& registry);
/// `histogram` and `ntuple` consumers (Consumers.hpp).
void register_consumers(Registry& registry);

} // namespace hepkit::events
