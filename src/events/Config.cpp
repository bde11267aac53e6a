// load_plan (Config.hpp): the YAML configuration of `hepkit events run` into a Plan. The format is
// documented in docs/events-config.md. Two passes: gather() reads the file and its includes
// (depth first, includes before the including file's own entries, cycles refused) into one list
// of entries that remember their file and line; then the plugins are loaded and every step made,
// so a step may use a type from any plugin of any file.
#include "hepkit/events/Config.hpp"

#include "ConfigShift.hpp"

#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Error.hpp"

#include <algorithm>
#include <filesystem>
#include <glob.h>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <system_error>
#include <yaml-cpp/yaml.h>

namespace hepkit::events {
namespace {

namespace fs = std::filesystem;
using config::YamlView;

// A named entry of a map (a shift, a pipeline) with the view of its value.
struct Entry {
    std::string name;
    YamlView value;
};

// Everything the files of one configuration hold, in order.
struct Gathered {
    std::optional<YamlView> inputs;
    std::string inputs_dir;                                // folder of the file that holds `inputs`
    std::vector<std::pair<YamlView, std::string>> plugins; // where, resolved path
    std::vector<YamlView> global;
    std::vector<Entry> shifts, pipelines;
    std::map<std::string, YamlView> included; // canonical path -> the include that read it
};

std::string folder_of(const std::string& file) {
    return fs::path(file).parent_path().string();
}

// `p` relative to `dir` (the naming file's folder) unless absolute.
std::string resolve(const std::string& dir, const std::string& p) {
    if (fs::path(p).is_absolute() || dir.empty())
        return p;
    return (fs::path(dir) / p).lexically_normal().string();
}

// A string that becomes part of a file name (pipelines, consumers) or of `name__shift`.
bool safe_name(const std::string& s) {
    if (s.empty() || s.front() == '.' || s.front() == '-')
        return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
               c == '.' || c == '-' || c == '+';
    });
}

void check_name(const YamlView& at, const std::string& name, const char* what) {
    if (!safe_name(name))
        at.fail(
            std::string("'")
                .append(name)
                .append("' is no valid ")
                .append(what)
                .append(" name: it names output files, so use letters, digits and _ . + - (not first: . -)"));
}

// Entries of a map-valued key, each name given once across all files.
void gather_map(const YamlView& map, const char* what, std::vector<Entry>& into) {
    if (!map.is_map())
        map.fail(std::string("expected a map of ").append(what).append(" name to its definition"));
    for (const auto& kv : map.node()) {
        const std::string name = kv.first.Scalar();
        const YamlView value(kv.second, map.file(), map.key() + "." + name);
        for (const auto& e : into)
            if (e.name == name)
                throw InputError(map.file(), static_cast<int>(kv.first.Mark().line + 1),
                                 map.key() + "." + name,
                                 std::string(what)
                                     .append(" '")
                                     .append(name)
                                     .append("' is defined twice: also at ")
                                     .append(e.value.file())
                                     .append(":")
                                     .append(std::to_string(e.value.line())));
        into.push_back({name, value});
    }
}

void gather(const std::string& path, std::vector<std::string>& chain, Gathered& g) {
    const YamlView root(config::load_yaml_file(path), path);
    if (!root.is_map())
        root.fail("expected a map with the keys inputs, global, shifts, pipelines, plugins, include "
                  "(docs/events-config.md)");
    root.check_keys({"include", "plugins", "inputs", "global", "shifts", "pipelines"});
    const std::string dir = folder_of(path);

    if (root.has("include")) {
        const YamlView list = root.at("include");
        if (!list.is_sequence())
            list.fail("expected a list of configuration files");
        for (std::size_t i = 0; i < list.size(); ++i) {
            const YamlView item = list.at(i);
            const std::string file = resolve(dir, item.as_string());
            std::error_code ec;
            if (!fs::is_regular_file(file, ec))
                item.fail(std::string("included file '").append(file).append("' does not exist"));
            const std::string canonical = fs::canonical(file).string();
            if (std::find(chain.begin(), chain.end(), canonical) != chain.end()) {
                std::string cycle;
                const auto first = std::find(chain.begin(), chain.end(), canonical);
                for (auto it = first; it != chain.end(); ++it)
                    cycle.append(*it).append(" -> ");
                item.fail(std::string("include cycle: ").append(cycle).append(canonical));
            }
            // twice without a cycle (a file included by two others): its shifts and pipelines would be
            // defined twice, its global steps run twice
            if (auto it = g.included.find(canonical); it != g.included.end())
                item.fail(std::string("'")
                              .append(file)
                              .append("' is included twice (also at ")
                              .append(it->second.file())
                              .append(":")
                              .append(std::to_string(it->second.line()))
                              .append("); include it once"));
            g.included.emplace(canonical, item);
            chain.push_back(canonical);
            gather(file, chain, g);
            chain.pop_back();
        }
    }
    if (root.has("plugins")) {
        const YamlView list = root.at("plugins");
        if (!list.is_sequence())
            list.fail("expected a list of shared libraries");
        for (std::size_t i = 0; i < list.size(); ++i)
            g.plugins.emplace_back(list.at(i), resolve(dir, list.at(i).as_string()));
    }
    if (root.has("inputs")) {
        if (g.inputs)
            root.at("inputs").fail(std::string("inputs are given twice: also at ")
                                       .append(g.inputs->file())
                                       .append(":")
                                       .append(std::to_string(g.inputs->line())));
        g.inputs = root.at("inputs");
        g.inputs_dir = dir;
    }
    if (root.has("global")) {
        const YamlView list = root.at("global");
        if (!list.is_sequence())
            list.fail("expected a list of steps (producers and filters)");
        for (std::size_t i = 0; i < list.size(); ++i)
            g.global.push_back(list.at(i));
    }
    if (root.has("shifts"))
        gather_map(root.at("shifts"), "shift", g.shifts);
    if (root.has("pipelines"))
        gather_map(root.at("pipelines"), "pipeline", g.pipelines);
}

bool has_glob(const std::string& p) {
    return p.find_first_of("*?[") != std::string::npos;
}

// The files of one `files:` entry: the pattern's matches, sorted, or the one existing file.
std::vector<std::string> expand(const YamlView& at, const std::string& pattern) {
    std::error_code ec;
    if (!has_glob(pattern)) {
        if (!fs::is_regular_file(pattern, ec))
            at.fail(std::string("input file '").append(pattern).append("' does not exist"));
        return {pattern};
    }
    glob_t matches{};
    const int rc = glob(pattern.c_str(), GLOB_ERR, nullptr, &matches);
    std::vector<std::string> out;
    for (std::size_t i = 0; rc == 0 && i < matches.gl_pathc; ++i)
        if (fs::is_regular_file(matches.gl_pathv[i], ec))
            out.emplace_back(matches.gl_pathv[i]);
    globfree(&matches);
    if (out.empty())
        at.fail(std::string("no input file matches '").append(pattern).append("'"));
    // by name, bytewise: the order (hence batch numbers and merge order) must not depend on the locale
    std::sort(out.begin(), out.end());
    return out;
}

Inputs read_inputs(const Gathered& g, const std::string& top, const PlanOverrides& overrides) {
    if (!g.inputs)
        throw InputError(top, 0, "inputs",
                         "missing: the run needs `inputs: {files: [...], tree: Events}` (in this file or an "
                         "included one)");
    const YamlView& in = *g.inputs;
    if (!in.is_map())
        in.fail("expected a map with files, tree, first_entry, entries, batch_entries");
    in.check_keys({"files", "tree", "first_entry", "entries", "batch_entries"});
    Inputs inputs;
    std::vector<std::pair<std::string, YamlView>> seen;
    auto add = [&](const YamlView& at) {
        for (const auto& f : expand(at, resolve(g.inputs_dir, at.as_string()))) {
            for (const auto& [old, where] : seen)
                if (old == f)
                    at.fail(std::string("input file '")
                                .append(f)
                                .append("' is listed twice (also by ")
                                .append(where.key())
                                .append("): its events would be counted twice"));
            seen.emplace_back(f, at);
            inputs.files.push_back(f);
        }
    };
    if (overrides.files) {
        // (a configuration run only with --files-from may leave `files` out)
        inputs.files = *overrides.files;
    } else {
        const YamlView files = in.at("files");
        if (files.is_sequence()) {
            if (files.size() == 0)
                files.fail("expected at least one input file");
            for (std::size_t i = 0; i < files.size(); ++i)
                add(files.at(i));
        } else {
            add(files);
        }
    }
    if (in.has("tree")) {
        inputs.tree = in.at("tree").as_string();
        if (inputs.tree.empty())
            in.at("tree").fail("expected the name of the tree (e.g. Events)");
    }
    if (in.has("first_entry")) {
        inputs.first_entry = in.at("first_entry").as_int();
        if (inputs.first_entry < 0)
            in.at("first_entry").fail(std::to_string(inputs.first_entry).append(": must be >= 0"));
    }
    if (in.has("entries")) {
        inputs.max_entries = in.at("entries").as_int();
        if (inputs.max_entries < 1)
            in.at("entries").fail(std::to_string(inputs.max_entries)
                                      .append(": must be >= 1 (leave the key out to read every entry)"));
    }
    if (in.has("batch_entries")) {
        const long long b = in.at("batch_entries").as_int();
        // rows of a batch are 32-bit; far below that a batch no longer fits a cache anyway
        if (b < 0 || b > 100'000'000)
            in.at("batch_entries")
                .fail(std::to_string(b).append(
                    ": must be between 1 and 100000000, or 0 for the files' clusters"));
        inputs.batch_entries = b;
    }
    if (overrides.max_entries)
        inputs.max_entries = *overrides.max_entries;
    return inputs;
}

// A step as written: its map ({type: T, name: N, ...}), wrapped or not in a one-key map that
// says its kind (`filter: {type: expr, ...}`), which a type registered under several kinds
// needs. The step's own map reaches its factory unchanged (keys and lines as written).
struct StepAt {
    std::string kind; // "" when not said
    YamlView map;
};

StepAt unwrap(const YamlView& step) {
    if (!step.is_map())
        step.fail("expected a step: a map with type and name (or `producer:`/`filter:`/`consumer:` and such "
                  "a map)");
    if (step.size() == 1) {
        for (const char* kind : {"producer", "filter", "consumer"}) {
            if (!step.has(kind))
                continue;
            const YamlView inner = step.at(kind);
            if (!inner.is_map())
                inner.fail(std::string("expected the ")
                               .append(kind)
                               .append("'s map: `")
                               .append(kind)
                               .append(": {type: TYPE, name: NAME, ...}`"));
            return {kind, inner};
        }
    }
    for (const char* kind : {"producer", "filter", "consumer"})
        if (step.has(kind))
            step.at(kind).fail(std::string("`")
                                   .append(kind)
                                   .append(":` wraps the whole step, alone in its map: `- ")
                                   .append(kind)
                                   .append(": {type: TYPE, name: NAME, ...}`"));
    return {"", step};
}

// The kind and type of a step: the kind said, or the one the registry knows the type under.
std::pair<std::string, std::string> kind_and_type(const StepAt& step, const Registry& registry) {
    if (!step.map.has("type"))
        step.map.fail("a step needs its type (`type: TYPE`; 'hepkit events types' lists them)");
    const YamlView at = step.map.at("type");
    const std::string type = at.as_string();
    if (!step.kind.empty())
        return {step.kind, type}; // the registry names an unknown type of that kind
    const auto kinds = registry.kinds(type);
    if (kinds.size() > 1)
        at.fail(std::string("type '")
                    .append(type)
                    .append("' is both a ")
                    .append(kinds[0])
                    .append(" and a ")
                    .append(kinds[1])
                    .append(": say which, `- ")
                    .append(kinds[0])
                    .append(": {type: ")
                    .append(type)
                    .append(", ...}` or `- ")
                    .append(kinds[1])
                    .append(": {type: ")
                    .append(type)
                    .append(", ...}`"));
    if (kinds.empty()) {
        // the registry's own message lists one kind's types; this one names all
        std::vector<std::string> names;
        for (const auto* docs :
             {&registry.producer_docs(), &registry.filter_docs(), &registry.consumer_docs()})
            for (const auto& [name, doc] : *docs)
                if (std::find(names.begin(), names.end(), name) == names.end())
                    names.push_back(name);
        std::string known;
        for (const auto& name : names)
            known.append(known.empty() ? "" : ", ").append(name);
        std::string near;
        for (const auto& n : registry.similar(type))
            near.append(near.empty() ? " (closest: " : ", ").append(n);
        if (!near.empty())
            near.append(")");
        throw InputError(at.file(), at.line(), at.key(),
                         std::string("unknown step type '")
                             .append(type)
                             .append("'")
                             .append(near)
                             .append("; known types: ")
                             .append(known.empty() ? std::string("none") : known)
                             .append(" ('hepkit events types' describes them; a plugin library adds more)"));
    }
    return {kinds[0], type};
}

// Names used per kind in one sequence (the global part plus one pipeline): cut-flow rows,
// time-report rows and output files must not collide.
struct NamesSeen {
    std::map<std::string, YamlView> by_kind_name;
};

AnyStep make_step(const YamlView& written, Registry& registry, bool allow_consumers, NamesSeen& names) {
    const StepAt at = unwrap(written);
    const YamlView& step = at.map;
    const auto [kind, type] = kind_and_type(at, registry);
    if (!step.has("name"))
        step.fail(std::string("the ").append(kind).append(" needs a name (`name: ...`)"));
    const YamlView name_at = step.at("name");
    const std::string name = name_at.as_string();
    check_name(name_at, name, kind.c_str());
    if (kind == "consumer") {
        // A consumer writes OUTDIR/PIPELINE/NAME.* and NAME__SHIFT.*, beside cutflow.json.
        if (name.find("__") != std::string::npos)
            name_at.fail(std::string("consumer '")
                             .append(name)
                             .append("': '__' separates an output's name from its shift (name__shift), so a "
                                     "consumer name may "
                                     "not hold it"));
        if (name == "cutflow")
            name_at.fail(
                "'cutflow' is the pipeline's cut flow (cutflow.json): give the consumer another name");
    }
    if (kind == "consumer" && !allow_consumers)
        step.fail(std::string("consumer '")
                      .append(name)
                      .append("' in the global part: consumers belong to a pipeline's steps (the global part "
                              "has producers and "
                              "filters)"));
    const std::string id = kind + " " + name;
    if (auto it = names.by_kind_name.find(id); it != names.by_kind_name.end())
        name_at.fail(std::string("there is already a ")
                         .append(id)
                         .append(" at ")
                         .append(it->second.file())
                         .append(":")
                         .append(std::to_string(it->second.line()))
                         .append(" in this pipeline (or the global part): give it another name"));
    names.by_kind_name.emplace(id, step);

    const StepConfig config{StepPlace{kind, name, step.file(), step.line()}, step};
    try {
        if (kind == "producer")
            return std::shared_ptr<Producer>(registry.make_producer(type, config));
        if (kind == "filter")
            return std::shared_ptr<Filter>(registry.make_filter(type, config));
        return std::shared_ptr<Consumer>(registry.make_consumer(type, config));
    } catch (const InputError&) {
        throw;
    } catch (const std::invalid_argument& e) {
        // a factory's own check of a value (a plugin's constructor, say): still bad input
        step.fail(std::string(kind).append(" ").append(name).append(": ").append(e.what()));
    }
}

Shift make_shift(const Entry& e, Registry& registry) {
    check_name(e.value, e.name, "shift");
    if (e.name.find("__") != std::string::npos)
        e.value.fail(
            std::string("shift '").append(e.name).append("': '__' separates an output's name from its shift "
                                                         "(name__shift), so a shift name may not hold it"));
    if (!e.value.is_map() || e.value.size() == 0)
        e.value.fail(
            "expected a map of product to its replacement: an expression (`Muon_pt: \"Muon_pt * 1.01\"`) "
            "or a producer step ({type: ..., ...})");
    Shift shift;
    shift.name = e.name;
    for (const auto& kv : e.value.node()) {
        const std::string product = kv.first.Scalar();
        const YamlView value(kv.second, e.value.file(), e.value.key() + "." + product);
        // The replacement makes a product of its own name, which the runner puts in place of the
        // replaced one for this shift's steps (Plan.hpp).
        const std::string name = product + "@" + e.name;
        if (value.node().IsScalar()) {
            if (registry.producer_docs().count("expr") == 0)
                value.fail(
                    "an expression replacement needs the `expr` producer type, which is not registered");
            try {
                shift.replaces.push_back(
                    {product, std::make_shared<detail::SameTypeExpression>(
                                  StepPlace{"producer", name, value.file(), value.line()}, value, product,
                                  registry.producer_factory("expr"))});
            } catch (const std::invalid_argument& err) {
                value.fail(err.what());
            }
            continue;
        }
        if (!value.is_map())
            value.fail("expected an expression or a producer step ({type: ..., ...})");
        const StepAt wrapped = unwrap(value);
        const YamlView& map = wrapped.map;
        const auto [kind, type] = kind_and_type(wrapped, registry);
        if (kind != "producer")
            value.fail(std::string("a shift replaces a product with a producer's output; '")
                           .append(type)
                           .append("' is a ")
                           .append(kind)
                           .append(" type"));
        if (map.has("name"))
            map.at("name").fail(std::string("a replacement takes the name of the product it replaces (")
                                    .append(product)
                                    .append("): leave `name` out"));
        const StepConfig config{StepPlace{"producer", name, map.file(), map.line()}, map};
        try {
            shift.replaces.push_back(
                {product, std::shared_ptr<Producer>(registry.make_producer(type, config))});
        } catch (const std::invalid_argument& err) {
            value.fail(err.what());
        }
    }
    return shift;
}

Pipeline make_pipeline(const Entry& e, Registry& registry, const std::vector<Shift>& shifts,
                       const NamesSeen& global_names) {
    check_name(e.value, e.name, "pipeline");
    if (!e.value.is_map())
        e.value.fail("expected a map with steps, shifts, weight");
    e.value.check_keys({"steps", "shifts", "weight"});
    // The run writes OUTDIR/report.json beside the pipelines' folders.
    if (e.name == "report.json")
        e.value.fail(
            "'report.json' is the run's report in the output folder: give the pipeline another name");
    Pipeline p;
    p.name = e.name;
    const YamlView steps = e.value.at("steps");
    if (!steps.is_sequence() || steps.size() == 0)
        steps.fail("expected a non-empty list of steps (producers, filters, consumers)");
    NamesSeen names = global_names;
    for (std::size_t i = 0; i < steps.size(); ++i)
        p.steps.push_back(make_step(steps.at(i), registry, true, names));
    if (e.value.has("shifts")) {
        const YamlView list = e.value.at("shifts");
        auto add = [&](const YamlView& at, const std::string& name) {
            const bool known =
                std::any_of(shifts.begin(), shifts.end(), [&](const Shift& s) { return s.name == name; });
            if (!known) {
                std::string all;
                for (const auto& s : shifts)
                    all.append(all.empty() ? "" : ", ").append(s.name);
                at.fail(std::string("unknown shift '")
                            .append(name)
                            .append("'; the shifts: section defines: ")
                            .append(all.empty() ? std::string("none") : all));
            }
            if (std::find(p.shifts.begin(), p.shifts.end(), name) != p.shifts.end())
                at.fail(std::string("shift '").append(name).append("' is listed twice"));
            p.shifts.push_back(name);
        };
        if (list.node().IsScalar() && list.as_string() == "all") {
            for (const auto& s : shifts)
                p.shifts.push_back(s.name);
        } else if (list.is_sequence()) {
            for (std::size_t i = 0; i < list.size(); ++i)
                add(list.at(i), list.at(i).as_string());
        } else {
            list.fail("expected a list of shift names, or `all`");
        }
    }
    if (e.value.has("weight")) {
        p.weight = e.value.at("weight").as_string();
        if (p.weight.empty())
            e.value.at("weight").fail("expected the name of a product (leave the key out for weight 1)");
    }
    return p;
}

} // namespace

Plan load_plan(const std::string& path, Registry& registry, const PlanOverrides& overrides) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        throw InputError(path, 0, "", "cannot read the configuration: no such file");
    Gathered g;
    std::vector<std::string> chain{fs::canonical(path).string()};
    gather(path, chain, g);

    for (const auto& [at, library] : g.plugins) {
        try {
            registry.load_plugin(library);
        } catch (const InputError& e) {
            throw InputError(at.file(), at.line(), at.key(),
                             std::string("plugin '").append(e.file()).append("': ").append(e.message()));
        }
    }

    Plan plan;
    plan.source = path;
    plan.inputs = read_inputs(g, path, overrides);
    NamesSeen global_names;
    for (const auto& step : g.global)
        plan.global.push_back(make_step(step, registry, false, global_names));
    for (const auto& e : g.shifts)
        plan.shifts.push_back(make_shift(e, registry));
    // where each is defined, for the runner's messages (Plan::places)
    auto place = [&](const YamlView& at) { plan.places[at.key()] = {at.file(), at.line()}; };
    for (const auto& e : g.shifts)
        place(e.value);
    for (const auto& e : g.pipelines) {
        place(e.value);
        for (const char* key : {"shifts", "weight"})
            if (e.value.is_map() && e.value.has(key))
                place(e.value.at(key));
    }
    if (g.pipelines.empty())
        throw InputError(
            path, 0, "pipelines",
            "missing: a run needs at least one pipeline (`pipelines: {NAME: {steps: [...]}}`) with "
            "the consumers that write its outputs");
    for (const auto& e : g.pipelines)
        plan.pipelines.push_back(make_pipeline(e, registry, plan.shifts, global_names));
    return plan;
}

} // namespace hepkit::events
