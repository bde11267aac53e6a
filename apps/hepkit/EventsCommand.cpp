// `hepkit events`: event processing (issue 15). The group only dispatches; each subcommand lives
// in its own file (EventsRunCommand.cpp, EventsHistCommand.cpp, EventsMergeCommand.cpp) and adds
// one line to the table below, except `types`, a listing small enough to live here.

#include "EventsCommands.hpp"
#include "hepkit/events/Registry.hpp"
#if HEPKIT_WITH_TORCH
#include "NnScoreStep.hpp"
#endif

#include <cstdio>
#include <fmt/format.h>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace hepkit::app {

namespace {

// `hepkit events types [--plugin LIB]...`: the step types a configuration may name, with their
// docs — the built-in ones and those of the plugins given.
std::function<int()> add_events_types(CLI::App& events, const GlobalOptions&) {
    auto plugins = std::make_shared<std::vector<std::string>>();
    CLI::App* cmd = events.add_subcommand(
        "types",
        "List the step types a configuration may name (`type:` of producers, filters and consumers),\n"
        "with what each does: the built-in ones and those of the plugin libraries given.");
    cmd->add_option("--plugin", *plugins,
                    "a plugin library (a configuration's `plugins:` entry); repeatable");
    return [plugins]() {
        events::Registry registry;
        events::register_builtins(registry);
#if HEPKIT_WITH_TORCH
        register_nn_steps(registry);
#endif
        for (const auto& p : *plugins)
            registry.load_plugin(p);
        for (const auto& [kind, docs] : {std::pair{"producers", &registry.producer_docs()},
                                         std::pair{"filters", &registry.filter_docs()},
                                         std::pair{"consumers", &registry.consumer_docs()}}) {
            std::size_t width = 0;
            for (const auto& [type, doc] : *docs)
                width = std::max(width, type.size());
            fmt::print("{}:\n", kind);
            for (const auto& [type, doc] : *docs)
                fmt::print("  {:<{}}  {}\n", type, width, doc);
        }
        return 0;
    };
}

} // namespace

std::function<int()> add_events_command(CLI::App& app, const GlobalOptions& globals) {
    CLI::App* events = app.add_subcommand(
        "events",
        "Event processing over ROOT files (ARTUS-class): producers, filters and consumers in pipelines,\n"
        "one per systematic shift and selection, from one YAML configuration (docs/events-config.md).\n"
        "Run 'hepkit events SUBCOMMAND --help'.");
    events->require_subcommand(1);
    const std::vector<std::pair<std::string, std::function<int()>>> subs{
        {"run", add_events_run(*events, globals)},
        {"hist", add_events_hist(*events, globals)},
        {"merge", add_events_merge(*events, globals)},
        {"types", add_events_types(*events, globals)},
    };
    return [events, subs]() {
        for (const auto& [name, run] : subs)
            if (events->got_subcommand(name))
                return run();
        return 0;
    };
}

} // namespace hepkit::app
