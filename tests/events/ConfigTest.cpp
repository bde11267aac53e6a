// load_plan (Config.hpp): the YAML configuration of `hepkit events run` — inputs, globs, includes,
// steps by type or by explicit kind, shifts, pipelines — and every error naming file, line and
// key; file lists and the condor/slurm job arrays of --emit.

#include "ConfigTestSteps.hpp"

#include "Helpers.hpp"
#include "hepkit/events/Config.hpp"

#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <sys/wait.h>

namespace hepkit::events {
namespace {

namespace fs = std::filesystem;
using testing::expect_input_error;
using testing::FakeConsumer;
using testing::FakeFilter;
using testing::FakeProducer;
using testing::TempDir;

template <class T>
const T& as(const AnyStep& s) {
    return dynamic_cast<const T&>(std::visit([](const auto& p) -> const Step& { return *p; }, s));
}

Registry fakes() {
    Registry r;
    testing::register_fakes(r);
    return r;
}

// The input files the configurations name (their contents are not read by load_plan).
void make_inputs(const TempDir& d) {
    for (const char* f : {"data/b.root", "data/a.root", "data/c.root", "data/notes.txt"})
        d.write(f, "");
}

const char* full_config = R"(# a full configuration
inputs:
  files: [data/a.root, data/b.root]
  tree: Events
  first_entry: 5
  entries: 1000
  batch_entries: 4096
global:
  - {type: scale, name: pt_scaled, inputs: [Muon_pt]}
  - filter:
      type: expr
      name: two_muons
      expr: "nMuon >= 2"
  - producer: {type: expr, name: m, expr: "Muon_pt[0] * 2"}
shifts:
  mu_up: {Muon_pt: "Muon_pt * 1.01"}
  mu_down:
    Muon_pt: {type: scale, inputs: [Muon_pt]}
pipelines:
  zmm:
    weight: w
    shifts: [mu_up]
    steps:
      - {type: cut, name: window, inputs: [m]}
      - {type: hist, name: m, inputs: [m], bins: 60}
  all_events:
    shifts: all
    steps:
      - {type: hist, name: m, inputs: [m]}
)";

// Every part of a configuration lands in the Plan, with the steps' places.
TEST(Config, ReadsAFullConfiguration) {
    TempDir d("full");
    make_inputs(d);
    const std::string path = d.write("run.yaml", full_config);
    Registry r = fakes();
    const Plan plan = load_plan(path, r);
    EXPECT_EQ(plan.source, path);
    ASSERT_EQ(plan.inputs.files.size(), 2u);
    EXPECT_EQ(plan.inputs.files[0], (d.path() / "data/a.root").string()); // relative to run.yaml's folder
    EXPECT_EQ(plan.inputs.files[1], (d.path() / "data/b.root").string());
    EXPECT_EQ(plan.inputs.tree, "Events");
    EXPECT_EQ(plan.inputs.first_entry, 5);
    EXPECT_EQ(plan.inputs.max_entries, 1000);
    EXPECT_EQ(plan.inputs.batch_entries, 4096);

    ASSERT_EQ(plan.global.size(), 3u);
    const auto& scaled = as<FakeProducer>(plan.global[0]);
    EXPECT_EQ(scaled.type, "scale");
    EXPECT_EQ(scaled.place().kind, "producer");
    EXPECT_EQ(scaled.place().name, "pt_scaled");
    EXPECT_EQ(scaled.place().file, path);
    EXPECT_EQ(scaled.place().line, 9);
    EXPECT_EQ(scaled.in, std::vector<std::string>{"Muon_pt"});
    const auto& two = as<FakeFilter>(plan.global[1]); // `filter: {type: expr, ...}`: the kind said
    EXPECT_EQ(two.expr, "nMuon >= 2");
    EXPECT_EQ(two.place().line, 11);
    EXPECT_EQ(as<FakeProducer>(plan.global[2]).expr, "Muon_pt[0] * 2");

    ASSERT_EQ(plan.shifts.size(), 2u);
    EXPECT_EQ(plan.shifts[0].name, "mu_up");
    ASSERT_EQ(plan.shifts[0].replaces.size(), 1u);
    EXPECT_EQ(plan.shifts[0].replaces[0].product, "Muon_pt");
    // an expression string becomes the `expr` producer, made with the replaced product's type
    const auto& up = *plan.shifts[0].replaces[0].producer;
    EXPECT_EQ(up.name(), "Muon_pt@mu_up");
    EXPECT_EQ(up.place().line, 16);
    EXPECT_EQ(up.inputs(), std::vector<std::string>{"Muon_pt * 1.01"});
    Schema schema;
    schema.add(ProductInfo{"Muon_pt", io::ColumnType::Float32, true}, "branch of the input");
    const auto infos = plan.shifts[0].replaces[0].producer->declare(schema);
    ASSERT_EQ(infos.size(), 1u);
    EXPECT_EQ(infos[0].type, io::ColumnType::Float32); // the fake `expr` reads dtype: float32
    Schema doubles;
    doubles.add(ProductInfo{"Muon_pt", io::ColumnType::Float64, true}, "branch of the input");
    EXPECT_EQ(plan.shifts[0].replaces[0].producer->declare(doubles)[0].type, io::ColumnType::Float64);
    const auto& down = dynamic_cast<const FakeProducer&>(*plan.shifts[1].replaces[0].producer);
    EXPECT_EQ(down.type, "scale");
    EXPECT_EQ(down.name(), "Muon_pt@mu_down");
    EXPECT_EQ(down.place().line, 18);

    ASSERT_EQ(plan.pipelines.size(), 2u); // in the file's order
    const Pipeline& zmm = plan.pipelines[0];
    EXPECT_EQ(zmm.name, "zmm");
    EXPECT_EQ(zmm.weight, "w");
    EXPECT_EQ(zmm.shifts, std::vector<std::string>{"mu_up"});
    ASSERT_EQ(zmm.steps.size(), 2u);
    EXPECT_EQ(as<FakeFilter>(zmm.steps[0]).type, "cut");
    EXPECT_EQ(as<FakeConsumer>(zmm.steps[1]).place().line, 25);
    EXPECT_EQ(plan.pipelines[1].name, "all_events");
    EXPECT_EQ(plan.pipelines[1].shifts, (std::vector<std::string>{"mu_up", "mu_down"}));
    EXPECT_TRUE(plan.pipelines[1].weight.empty());
}

// Defaults: tree Events, every entry, the files' clusters as batches; one file as a string.
TEST(Config, DefaultsAndASingleFile) {
    TempDir d("defaults");
    make_inputs(d);
    const std::string path = d.write(
        "run.yaml", "inputs: {files: data/c.root}\npipelines: {p: {steps: [{type: hist, name: h}]}}\n");
    Registry r = fakes();
    const Plan plan = load_plan(path, r);
    EXPECT_EQ(plan.inputs.files, std::vector<std::string>{(d.path() / "data/c.root").string()});
    EXPECT_EQ(plan.inputs.tree, "Events");
    EXPECT_EQ(plan.inputs.first_entry, 0);
    EXPECT_EQ(plan.inputs.max_entries, -1);
    EXPECT_EQ(plan.inputs.batch_entries, 0);
    EXPECT_TRUE(plan.global.empty());
    EXPECT_TRUE(plan.shifts.empty());
}

// A glob expands to its matches sorted by name; one that matches nothing is an error.
TEST(Config, GlobsAreSortedAndMustMatch) {
    TempDir d("globs");
    make_inputs(d);
    Registry r = fakes();
    const std::string ok = d.write(
        "ok.yaml", "inputs: {files: [data/*.root]}\npipelines: {p: {steps: [{type: hist, name: h}]}}\n");
    const Plan plan = load_plan(ok, r);
    ASSERT_EQ(plan.inputs.files.size(), 3u);
    EXPECT_EQ(fs::path(plan.inputs.files[0]).filename(), "a.root");
    EXPECT_EQ(fs::path(plan.inputs.files[2]).filename(), "c.root");
    const std::string none = d.write(
        "none.yaml",
        "inputs:\n  files: [data/*.root, other/*.root]\npipelines: {p: {steps: [{type: hist, name: h}]}}\n");
    expect_input_error([&] { load_plan(none, r); }, "none.yaml", 2, "inputs.files[1]",
                       {"no input file matches", "other/*.root"});
    const std::string twice = d.write(
        "twice.yaml",
        "inputs:\n  files: [data/*.root, data/b.root]\npipelines: {p: {steps: [{type: hist, name: h}]}}\n");
    expect_input_error([&] { load_plan(twice, r); }, "twice.yaml", 2, "inputs.files[1]",
                       {"b.root' is listed twice", "inputs.files[0]"});
    const std::string missing =
        d.write("missing.yaml", "inputs:\n  files:\n    - data/a.root\n    - data/zz.root\n"
                                "pipelines: {p: {steps: [{type: hist, name: h}]}}\n");
    expect_input_error([&] { load_plan(missing, r); }, "missing.yaml", 4, "inputs.files[1]",
                       {"input file", "zz.root' does not exist"});
}

// Includes: relative to the including file, read before its own entries; steps keep the file
// they were written in.
TEST(Config, IncludesAreMergedWithTheirPlaces) {
    TempDir d("include");
    make_inputs(d);
    d.write("common/steps.yaml", "include: [more.yaml]\n"
                                 "global:\n  - {type: scale, name: from_common}\n"
                                 "shifts:\n  up: {x: \"x * 2\"}\n");
    d.write("common/more.yaml", "global:\n  - {type: scale, name: from_more}\n");
    const std::string path =
        d.write("run.yaml", "include: [common/steps.yaml]\n"
                            "inputs: {files: [data/a.root]}\n"
                            "global:\n  - {type: scale, name: own}\n"
                            "pipelines: {p: {shifts: [up], steps: [{type: hist, name: h}]}}\n");
    Registry r = fakes();
    const Plan plan = load_plan(path, r);
    ASSERT_EQ(plan.global.size(), 3u);
    EXPECT_EQ(as<FakeProducer>(plan.global[0]).name(), "from_more");
    EXPECT_EQ(as<FakeProducer>(plan.global[1]).name(), "from_common");
    EXPECT_EQ(as<FakeProducer>(plan.global[1]).place().file, (d.path() / "common/steps.yaml").string());
    EXPECT_EQ(as<FakeProducer>(plan.global[1]).place().line, 3);
    EXPECT_EQ(as<FakeProducer>(plan.global[2]).name(), "own");
    ASSERT_EQ(plan.shifts.size(), 1u);
    EXPECT_EQ(plan.pipelines[0].shifts, std::vector<std::string>{"up"});
    // where the shift and the pipeline are defined, for the runner's messages
    EXPECT_EQ(plan.places.at("shifts.up").file, (d.path() / "common/steps.yaml").string());
    EXPECT_EQ(plan.places.at("shifts.up").line, 5);
    EXPECT_EQ(plan.places.at("pipelines.p").file, path);
    EXPECT_EQ(plan.places.at("pipelines.p").line, 5);
    EXPECT_EQ(plan.places.at("pipelines.p.shifts").line, 5);
    EXPECT_EQ(plan.places.count("pipelines.p.weight"), 0u);
}

// A file that includes itself through others: the cycle is named at the include that closes it.
TEST(Config, IncludeCycleIsAnError) {
    TempDir d("cycle");
    make_inputs(d);
    d.write("a.yaml", "include: [sub/b.yaml]\n");
    d.write("sub/b.yaml", "global: []\ninclude:\n  - ../a.yaml\n");
    const std::string path = d.write("run.yaml", "include: [a.yaml]\ninputs: {files: [data/a.root]}\n");
    Registry r = fakes();
    expect_input_error([&] { load_plan(path, r); }, "sub/b.yaml", 3, "include[0]",
                       {"include cycle", "a.yaml -> ", "b.yaml -> ", "a.yaml"});
    const std::string self = d.write("self.yaml", "include: [self.yaml]\n");
    expect_input_error([&] { load_plan(self, r); }, "self.yaml", 1, "include[0]", {"include cycle"});
    // included by two files, no cycle: named at the second include
    d.write("common.yaml", "global: []\n");
    d.write("one.yaml", "include: [common.yaml]\n");
    d.write("two.yaml", "\ninclude: [common.yaml]\n");
    const std::string diamond = d.write("diamond.yaml", "include: [one.yaml, two.yaml]\n");
    expect_input_error([&] { load_plan(diamond, r); }, "two.yaml", 2, "include[0]",
                       {"common.yaml' is included twice (also at ", "one.yaml:1"});
    const std::string gone =
        d.write("gone.yaml", "inputs: {files: [data/a.root]}\ninclude: [nothere.yaml]\n");
    expect_input_error([&] { load_plan(gone, r); }, "gone.yaml", 2, "include[0]",
                       {"included file", "nothere.yaml' does not exist"});
}

// The same shift (or pipeline, or inputs) in two files: both places are named.
TEST(Config, DefinitionsGivenTwiceNameBothPlaces) {
    TempDir d("twice");
    make_inputs(d);
    d.write("shifts.yaml", "shifts:\n  up: {x: \"x\"}\n");
    const std::string path = d.write("run.yaml", "include: [shifts.yaml]\ninputs: {files: [data/a.root]}\n"
                                                 "shifts:\n  down: {x: \"x\"}\n  up: {x: \"x * 2\"}\n");
    Registry r = fakes();
    expect_input_error([&] { load_plan(path, r); }, "run.yaml", 5, "shifts.up",
                       {"shift 'up' is defined twice", "shifts.yaml:2"});
    d.write("inputs.yaml", "inputs: {files: [data/b.root]}\n");
    const std::string in2 = d.write("in2.yaml", "include: [inputs.yaml]\ninputs: {files: [data/a.root]}\n");
    expect_input_error([&] { load_plan(in2, r); }, "in2.yaml", 2, "inputs",
                       {"inputs are given twice", "inputs.yaml:1"});
}

// Keys the format does not know, anywhere, name their file, line and key.
TEST(Config, UnknownKeysAreErrors) {
    TempDir d("keys");
    make_inputs(d);
    Registry r = fakes();
    const std::string top = d.write("top.yaml", "inputs: {files: [data/a.root]}\npipelnes: {}\n");
    expect_input_error([&] { load_plan(top, r); }, "top.yaml", 2, "pipelnes", {"unknown key"});
    const std::string in = d.write("in.yaml", "inputs:\n  files: [data/a.root]\n  treee: T\n");
    expect_input_error([&] { load_plan(in, r); }, "in.yaml", 3, "inputs.treee", {"unknown key"});
    const std::string pipe =
        d.write("pipe.yaml", "inputs: {files: [data/a.root]}\npipelines:\n  p:\n    step: []\n");
    expect_input_error([&] { load_plan(pipe, r); }, "pipe.yaml", 4, "pipelines.p.step", {"unknown key"});
    // the step's own keys are checked by its type (StepConfig::check_keys)
    const std::string step = d.write("step.yaml", "inputs: {files: [data/a.root]}\n"
                                                  "global:\n  - type: scale\n    name: s\n    inptus: [a]\n");
    expect_input_error([&] { load_plan(step, r); }, "step.yaml", 5, "global[0].inptus",
                       {"unknown key 'inptus' of producer s", "closest: inputs"});
}

// Types: unknown (closest named), ambiguous (`type: expr` is producer and filter), wrong kind.
TEST(Config, StepTypeErrors) {
    TempDir d("types");
    make_inputs(d);
    Registry r = fakes();
    auto with_global = [&](const std::string& name, const std::string& step) {
        return d.write(name, "inputs: {files: [data/a.root]}\nglobal:\n  - " + step +
                                 "\npipelines: {p: {steps: [{type: hist, name: h}]}}\n");
    };
    expect_input_error([&] { load_plan(with_global("u.yaml", "{type: scael, name: s}"), r); }, "u.yaml", 3,
                       "global[0].type",
                       {"unknown step type 'scael' (closest: scale)", "known types: expr, scale, cut, hist"});
    expect_input_error([&] { load_plan(with_global("p.yaml", "{producer: {type: scael, name: s}}"), r); },
                       "p.yaml", 3, "global[0].producer.type",
                       {"unknown producer type 'scael'", "closest: scale"});
    expect_input_error(
        [&] { load_plan(with_global("a.yaml", "{type: expr, name: s, expr: x}"), r); }, "a.yaml", 3,
        "global[0].type",
        {"'expr' is both a producer and a filter", "say which, `- producer: {type: expr, ...}`"});
    expect_input_error([&] { load_plan(with_global("k.yaml", "{filter: {type: scale, name: s}}"), r); },
                       "k.yaml", 3, "global[0].filter.type",
                       {"'scale' is a producer type, not a filter type"});
    expect_input_error([&] { load_plan(with_global("n.yaml", "{name: s}"), r); }, "n.yaml", 3, "global[0]",
                       {"a step needs its type"});
    expect_input_error(
        [&] { load_plan(with_global("t.yaml", "{type: scale, producer: scale, name: s}"), r); }, "t.yaml", 3,
        "global[0].producer", {"`producer:` wraps the whole step"});
    expect_input_error([&] { load_plan(with_global("w.yaml", "{producer: scale}"), r); }, "w.yaml", 3,
                       "global[0].producer", {"expected the producer's map"});
    expect_input_error([&] { load_plan(with_global("nn.yaml", "{type: scale}"), r); }, "nn.yaml", 3,
                       "global[0]", {"the producer needs a name"});
    expect_input_error([&] { load_plan(with_global("c.yaml", "{type: hist, name: h}"), r); }, "c.yaml", 3,
                       "global[0]", {"consumer 'h' in the global part"});
    // a factory's std::invalid_argument is bad input too, at the step
    const std::string bins =
        d.write("bins.yaml", "inputs: {files: [data/a.root]}\n"
                             "pipelines:\n  p:\n    steps:\n      - {type: hist, name: h, bins: 0}\n");
    expect_input_error([&] { load_plan(bins, r); }, "bins.yaml", 5, "pipelines.p.steps[0]",
                       {"consumer h: bins must be > 0"});
}

// Names: unique per kind within a pipeline and the global part; safe as file names.
TEST(Config, NameErrors) {
    TempDir d("names");
    make_inputs(d);
    Registry r = fakes();
    const std::string dup =
        d.write("dup.yaml", "inputs: {files: [data/a.root]}\nglobal:\n  - {type: cut, name: c}\n"
                            "pipelines:\n  p:\n    steps:\n      - {type: cut, name: c}\n");
    expect_input_error([&] { load_plan(dup, r); }, "dup.yaml", 7, "pipelines.p.steps[0].name",
                       {"there is already a filter c at", "dup.yaml:3"});
    // the same name for a producer and its histogram is fine; two pipelines may repeat names
    const std::string ok =
        d.write("ok.yaml", "inputs: {files: [data/a.root]}\nglobal:\n  - {type: scale, name: m}\n"
                           "pipelines:\n  p: {steps: [{type: hist, name: m}]}\n"
                           "  q: {steps: [{type: hist, name: m}]}\n");
    EXPECT_NO_THROW(load_plan(ok, r));
    const std::string slash = d.write("slash.yaml", "inputs: {files: [data/a.root]}\n"
                                                    "pipelines:\n  p: {steps: [{type: hist, name: ../h}]}\n");
    expect_input_error([&] { load_plan(slash, r); }, "slash.yaml", 3, "pipelines.p.steps[0].name",
                       {"'../h' is no valid consumer name"});
    const std::string pipe = d.write("pipe.yaml", "inputs: {files: [data/a.root]}\n"
                                                  "pipelines:\n  a/b: {steps: [{type: hist, name: h}]}\n");
    expect_input_error([&] { load_plan(pipe, r); }, "pipe.yaml", 3, "pipelines.a/b",
                       {"no valid pipeline name"});
    const std::string shift =
        d.write("shift.yaml", "inputs: {files: [data/a.root]}\nshifts:\n  jes__up: {x: \"x\"}\n"
                              "pipelines:\n  p: {steps: [{type: hist, name: h}]}\n");
    expect_input_error([&] { load_plan(shift, r); }, "shift.yaml", 3, "shifts.jes__up", {"'__' separates"});
    // names that the outputs would collide with: h__up.json is h's output under shift up, the
    // pipeline's cut flow is cutflow.json, the run's report OUTDIR/report.json
    const std::string under =
        d.write("under.yaml", "inputs: {files: [data/a.root]}\n"
                              "pipelines:\n  p: {steps: [{type: hist, name: h__up}]}\n");
    expect_input_error([&] { load_plan(under, r); }, "under.yaml", 3, "pipelines.p.steps[0].name",
                       {"consumer 'h__up'", "'__' separates"});
    const std::string flow =
        d.write("flow.yaml", "inputs: {files: [data/a.root]}\n"
                             "pipelines:\n  p: {steps: [{type: hist, name: cutflow}]}\n");
    expect_input_error([&] { load_plan(flow, r); }, "flow.yaml", 3, "pipelines.p.steps[0].name",
                       {"'cutflow' is the pipeline's cut flow"});
    const std::string report =
        d.write("report.yaml", "inputs: {files: [data/a.root]}\n"
                               "pipelines:\n  report.json:\n    steps: [{type: hist, name: h}]\n");
    expect_input_error([&] { load_plan(report, r); }, "report.yaml", 4, "pipelines.report.json",
                       {"'report.json' is the run's report"});
    // a producer or filter may hold '__': its name names no output file
    const std::string producer =
        d.write("producer.yaml", "inputs: {files: [data/a.root]}\n"
                                 "global:\n  - {type: scale, name: pt__raw}\n"
                                 "pipelines:\n  p: {steps: [{type: hist, name: h}]}\n");
    EXPECT_NO_THROW(load_plan(producer, r));
}

// Shifts: what they replace, and the pipelines' references to them.
TEST(Config, ShiftErrors) {
    TempDir d("shifts");
    make_inputs(d);
    Registry r = fakes();
    auto config = [&](const std::string& name, const std::string& shifts,
                      const std::string& pipeline_shifts) {
        return d.write(name, "inputs: {files: [data/a.root]}\nshifts:\n" + shifts +
                                 "pipelines:\n  p:\n    shifts: " + pipeline_shifts +
                                 "\n    steps: [{type: hist, name: h}]\n");
    };
    expect_input_error([&] { load_plan(config("u.yaml", "  up: {x: \"x\"}\n", "[up, dwon]"), r); }, "u.yaml",
                       6, "pipelines.p.shifts[1]", {"unknown shift 'dwon'", "defines: up"});
    expect_input_error([&] { load_plan(config("t.yaml", "  up: {x: \"x\"}\n", "[up, up]"), r); }, "t.yaml", 6,
                       "pipelines.p.shifts[1]", {"listed twice"});
    expect_input_error([&] { load_plan(config("e.yaml", "  up: {}\n", "[up]"), r); }, "e.yaml", 3,
                       "shifts.up", {"expected a map of product to its replacement"});
    expect_input_error([&] { load_plan(config("f.yaml", "  up: {x: {type: cut}}\n", "[up]"), r); }, "f.yaml",
                       3, "shifts.up.x", {"'cut' is a filter type"});
    expect_input_error([&] { load_plan(config("n.yaml", "  up: {x: {type: scale, name: y}}\n", "[up]"), r); },
                       "n.yaml", 3, "shifts.up.x.name", {"leave `name` out"});
    // without an `expr` producer type, an expression replacement cannot be made
    Registry bare;
    bare.add_consumer(
        "hist", [](const StepConfig& c) { return std::make_unique<FakeConsumer>(c, "hist"); }, "");
    expect_input_error([&] { load_plan(config("x.yaml", "  up: {x: \"x * 2\"}\n", "[up]"), bare); }, "x.yaml",
                       3, "shifts.up.x", {"needs the `expr` producer type"});
}

// What must be there: the configuration file, inputs, pipelines; values in range.
TEST(Config, MissingPartsAndBadValues) {
    TempDir d("missing");
    make_inputs(d);
    Registry r = fakes();
    expect_input_error([&] { load_plan((d.path() / "nothing.yaml").string(), r); }, "nothing.yaml", 0, "",
                       {"no such file"});
    const std::string noin = d.write("noin.yaml", "pipelines: {p: {steps: [{type: hist, name: h}]}}\n");
    expect_input_error([&] { load_plan(noin, r); }, "noin.yaml", 0, "inputs", {"missing"});
    const std::string nopipe = d.write("nopipe.yaml", "inputs: {files: [data/a.root]}\n");
    expect_input_error([&] { load_plan(nopipe, r); }, "nopipe.yaml", 0, "pipelines",
                       {"at least one pipeline"});
    const std::string list = d.write("list.yaml", "- a\n- b\n");
    expect_input_error([&] { load_plan(list, r); }, "list.yaml", 1, "", {"expected a map"});
    const std::string syntax = d.write("syntax.yaml", "inputs: {files: [data/a.root]\n");
    expect_input_error([&] { load_plan(syntax, r); }, "syntax.yaml", -1, "", {"YAML syntax error"});
    auto with_inputs = [&](const std::string& name, const std::string& extra) {
        return d.write(name, "inputs:\n  files: [data/a.root]\n  " + extra +
                                 "\npipelines: {p: {steps: [{type: hist, name: h}]}}\n");
    };
    expect_input_error([&] { load_plan(with_inputs("e.yaml", "entries: 0"), r); }, "e.yaml", 3,
                       "inputs.entries", {"must be >= 1"});
    expect_input_error([&] { load_plan(with_inputs("f.yaml", "first_entry: -2"), r); }, "f.yaml", 3,
                       "inputs.first_entry", {"must be >= 0"});
    expect_input_error([&] { load_plan(with_inputs("b.yaml", "batch_entries: -1"), r); }, "b.yaml", 3,
                       "inputs.batch_entries", {"or 0 for the files' clusters"});
    expect_input_error([&] { load_plan(with_inputs("t.yaml", "tree: \"\""), r); }, "t.yaml", 3, "inputs.tree",
                       {"name of the tree"});
    expect_input_error([&] { load_plan(with_inputs("s.yaml", "entries: many"), r); }, "s.yaml", 3,
                       "inputs.entries", {});
    const std::string steps =
        d.write("steps.yaml", "inputs: {files: [data/a.root]}\npipelines: {p: {steps: []}}\n");
    expect_input_error([&] { load_plan(steps, r); }, "steps.yaml", 2, "pipelines.p.steps",
                       {"non-empty list"});
}

// The command line's overrides: files in place of the configuration's (not even checked), entries.
TEST(Config, OverridesReplaceFilesAndEntries) {
    TempDir d("overrides");
    make_inputs(d);
    const std::string path = d.write("run.yaml", "inputs: {files: [gone/*.root], entries: 10}\n"
                                                 "pipelines: {p: {steps: [{type: hist, name: h}]}}\n");
    Registry r = fakes();
    PlanOverrides o;
    o.files = std::vector<std::string>{"x.root", "y.root"};
    o.max_entries = 3;
    const Plan plan = load_plan(path, r, o);
    EXPECT_EQ(plan.inputs.files, (std::vector<std::string>{"x.root", "y.root"}));
    EXPECT_EQ(plan.inputs.max_entries, 3);
    // with the files given, the configuration may leave them out; without, they are required
    const std::string nofiles =
        d.write("nofiles.yaml", "inputs: {tree: T}\npipelines: {p: {steps: [{type: hist, name: h}]}}\n");
    EXPECT_EQ(load_plan(nofiles, r, o).inputs.tree, "T");
    expect_input_error([&] { load_plan(nofiles, r); }, "nofiles.yaml", 1, "inputs",
                       {"missing required key 'files'"});
}

// Plugins are loaded before any step is made; a bad one is named at its line in the configuration.
TEST(Config, PluginErrorsNameTheConfigurationLine) {
    TempDir d("plugins");
    make_inputs(d);
    const std::string path =
        d.write("run.yaml", "inputs: {files: [data/a.root]}\nplugins:\n  - lib/libnone.so\n"
                            "pipelines: {p: {steps: [{type: hist, name: h}]}}\n");
    Registry r = fakes();
    expect_input_error([&] { load_plan(path, r); }, "run.yaml", 3, "plugins[0]",
                       {"plugin '", "lib/libnone.so': cannot load the plugin library: no such file"});
}

#ifdef HEPKIT_TEST_PLUGIN
TEST(Config, AStepOfAPluginType) {
    TempDir d("plugin-step");
    make_inputs(d);
    const std::string path =
        d.write("run.yaml",
                std::string("plugins: [") + HEPKIT_TEST_PLUGIN +
                    "]\ninputs: {files: [data/a.root]}\n"
                    "global:\n  - {type: transverse_mass, name: mt, pt: a, phi: b, met_pt: c, met_phi: d}\n"
                    "pipelines: {p: {steps: [{type: hist, name: h}]}}\n");
    Registry r = fakes();
    const Plan plan = load_plan(path, r);
    ASSERT_EQ(plan.global.size(), 1u);
    EXPECT_EQ(std::get<std::shared_ptr<Producer>>(plan.global[0])->inputs(),
              (std::vector<std::string>{"a", "b", "c", "d"}));
}
#endif

// --files-from: one path per line, comments and blanks skipped, relative to the list's folder.
TEST(Config, FileLists) {
    TempDir d("lists");
    make_inputs(d);
    const std::string list = d.write("lists/l.txt", "# files\n../data/b.root\n\n  " +
                                                        (d.path() / "data/a.root").string() + "  \n");
    EXPECT_EQ(read_file_list(list), (std::vector<std::string>{(d.path() / "data/b.root").string(),
                                                              (d.path() / "data/a.root").string()}));
    const std::string bad = d.write("lists/bad.txt", "../data/a.root\n../data/zz.root\n");
    expect_input_error([&] { read_file_list(bad); }, "bad.txt", 2, "", {"zz.root' does not exist"});
    const std::string twice = d.write("lists/twice.txt", "../data/a.root\n../data/a.root\n");
    expect_input_error([&] { read_file_list(twice); }, "twice.txt", 2, "", {"listed twice"});
    const std::string empty = d.write("lists/empty.txt", "# nothing\n");
    expect_input_error([&] { read_file_list(empty); }, "empty.txt", 0, "", {"names no input file"});
    expect_input_error([&] { read_file_list((d.path() / "none.txt").string()); }, "none.txt", 0, "",
                       {"no such file"});
}

int sh(const std::string& command) {
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// --emit: 5 files, 2 per job -> 3 jobs (2, 2, 1 files). The scripts run with a stand-in for
// hepkit that records its arguments: each job gets its own list and output folder, and merge.sh
// refuses to merge until every job's report.json exists.
TEST(Config, JobArrayRunsAndMerges) {
    TempDir d("emit");
    std::vector<std::string> files;
    for (int i = 0; i < 5; ++i)
        files.push_back(d.write("in/f" + std::to_string(i) + ".root", ""));
    const std::string fake =
        d.write("fake hepkit", "#!/bin/sh\necho \"$@\" >> " + (d.path() / "calls.txt").string() + "\n");
    fs::permissions(fake, fs::perms::owner_exec, fs::perm_options::add);
    JobArray a;
    a.kind = "slurm";
    a.config = d.write("run.yaml", "");
    a.files = files;
    a.files_per_job = 2;
    a.outdir = (d.path() / "array").string();
    a.hepkit = fake;
    a.threads = 2;
    EXPECT_EQ(emit_job_array(a), 3u);
    const fs::path out = a.outdir;
    EXPECT_EQ(hepkit::test::slurp(out / "files/job-2.txt"),
              "# input files of job 2 of " + a.config + "\n" + files[4] + "\n");
    EXPECT_NE(
        hepkit::test::slurp(out / "events.sbatch").find("#SBATCH --array=0-2\n#SBATCH --cpus-per-task=2"),
        std::string::npos);
    for (int j = 0; j < 3; ++j)
        EXPECT_EQ(sh((out / "run_job.sh").string() + " " + std::to_string(j)), 0);
    EXPECT_EQ(sh((out / "run_job.sh").string() + " x 2>/dev/null"), 64);
    const std::string calls = hepkit::test::slurp(d.path() / "calls.txt");
    EXPECT_NE(calls.find("-q events run " + a.config + " -j 2 --files-from " +
                         (out / "files/job-1.txt").string() + " -o " + (out / "job-1").string() + "\n"),
              std::string::npos)
        << calls;
    // (the stand-in writes no outputs: no job finished)
    EXPECT_EQ(sh((out / "merge.sh").string() + " 2>" + (d.path() / "merge.err").string()), 1);
    EXPECT_NE(hepkit::test::slurp(d.path() / "merge.err").find("3 of 3 jobs unfinished"), std::string::npos);
    for (int j = 0; j < 3; ++j)
        d.write("array/job-" + std::to_string(j) + "/report.json", "{}\n");
    EXPECT_EQ(sh((out / "merge.sh").string()), 0);
    EXPECT_NE(
        hepkit::test::slurp(d.path() / "calls.txt").find("-q events merge job-0 job-1 job-2 -o merged\n"),
        std::string::npos);
    // a second array into the same folder would merge the first one's outputs: refused
    EXPECT_THROW(emit_job_array(a), OutputError);

    a.kind = "condor";
    a.outdir = (d.path() / "condor").string();
    a.files_per_job = 10;
    EXPECT_EQ(emit_job_array(a), 1u);
    const std::string sub = hepkit::test::slurp(fs::path(a.outdir) / "events.sub");
    EXPECT_NE(sub.find("arguments = $(Process)\n"), std::string::npos);
    EXPECT_NE(sub.find("request_cpus = 2\n"), std::string::npos);
    EXPECT_NE(sub.find("queue 1\n"), std::string::npos);
    a.kind = "pbs";
    EXPECT_THROW(emit_job_array(a), std::invalid_argument);
}

} // namespace
} // namespace hepkit::events
