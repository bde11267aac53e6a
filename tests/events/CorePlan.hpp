#pragma once
// The small plan most tests of the events core run (CoreTest.cpp, CorePipelinesTest.cpp): two
// files of 15 entries, a global part with a filter, one pipeline with three shifts.

#include "CoreSteps.hpp"

#include <filesystem>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

namespace hepkit::events::test {

// Two files: entries 0–9 and 10–14 (clusters of 3), one chain of 15 entries.
struct Files {
    fs::path a = write_file("a", 0, 10);
    fs::path b = write_file("b", 10, 5);
    ~Files() {
        fs::remove(a);
        fs::remove(b);
    }
};

inline const Files& files() {
    static const Files f;
    return f;
}

// The plan of most tests:
//   global:    a = 2x (float64);  b = n + 1 (int32);  filter a_gt_6: a > 6
//   pipeline sel (weight w; shifts xup, nup, wup):
//              sum_a0: Σa;  c = 10 b (float64);  sum_c: Σc;  sum_b: Σb;
//              filter b_ge_2: b ≥ 2;  sum_a: Σa
//   shifts:    xup: x → 1.5 x;  nup: n → n + 1;  wup: w → 2 w
struct Steps {
    std::shared_ptr<FnProducer> a, b, c, x_up, n_up, w_up;
    std::shared_ptr<FnFilter> a_gt_6, b_ge_2;
    std::shared_ptr<SumConsumer> sum_a0, sum_c, sum_b, sum_a;
};

inline Plan make_plan(Steps& s, std::int64_t batch_entries = 0) {
    s.a = std::make_shared<FnProducer>(place("producer", "a", 10), std::vector<std::string>{"x"},
                                       ProductInfo{"a", io::ColumnType::Float64},
                                       [](auto& v) { return 2 * v[0]; });
    s.b = std::make_shared<FnProducer>(place("producer", "b", 11), std::vector<std::string>{"n"},
                                       ProductInfo{"b", io::ColumnType::Int32},
                                       [](auto& v) { return v[0] + 1; });
    s.c = std::make_shared<FnProducer>(place("producer", "c", 20), std::vector<std::string>{"b"},
                                       ProductInfo{"c", io::ColumnType::Float64},
                                       [](auto& v) { return 10 * v[0]; });
    s.x_up = std::make_shared<FnProducer>(place("producer", "x_up", 30), std::vector<std::string>{"x"},
                                          ProductInfo{"x_up", io::ColumnType::Float32},
                                          [](auto& v) { return 1.5 * v[0]; });
    s.n_up = std::make_shared<FnProducer>(place("producer", "n_up", 31), std::vector<std::string>{"n"},
                                          ProductInfo{"n_up", io::ColumnType::Int32},
                                          [](auto& v) { return v[0] + 1; });
    s.w_up = std::make_shared<FnProducer>(place("producer", "w_up", 32), std::vector<std::string>{"w"},
                                          ProductInfo{"w_up", io::ColumnType::Float64},
                                          [](auto& v) { return 2 * v[0]; });
    s.a_gt_6 = std::make_shared<FnFilter>(place("filter", "a_gt_6", 12), "a", [](double a) { return a > 6; });
    s.b_ge_2 =
        std::make_shared<FnFilter>(place("filter", "b_ge_2", 23), "b", [](double b) { return b >= 2; });
    s.sum_a0 = std::make_shared<SumConsumer>(place("consumer", "sum_a0", 19), "a");
    s.sum_c = std::make_shared<SumConsumer>(place("consumer", "sum_c", 21), "c");
    s.sum_b = std::make_shared<SumConsumer>(place("consumer", "sum_b", 22), "b");
    s.sum_a = std::make_shared<SumConsumer>(place("consumer", "sum_a", 24), "a");

    Plan plan;
    plan.source = "plan.yaml";
    plan.inputs.files = {files().a.string(), files().b.string()};
    plan.inputs.batch_entries = batch_entries;
    plan.global = {s.a, s.b, s.a_gt_6};
    plan.shifts = {Shift{"xup", {{"x", s.x_up}}}, Shift{"nup", {{"n", s.n_up}}},
                   Shift{"wup", {{"w", s.w_up}}}};
    Pipeline sel;
    sel.name = "sel";
    sel.steps = {s.sum_a0, s.c, s.sum_c, s.sum_b, s.b_ge_2, s.sum_a};
    sel.shifts = {"xup", "nup", "wup"};
    sel.weight = "w";
    plan.pipelines = {sel};
    return plan;
}

inline std::vector<std::string> names(std::initializer_list<const char*> list) {
    return {list.begin(), list.end()};
}

} // namespace hepkit::events::test
