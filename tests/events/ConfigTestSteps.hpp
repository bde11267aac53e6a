#pragma once
// Step types of the configuration and registry tests: they keep what their configuration said
// (type, keys, place) and do nothing, so that the tests check load_plan and the Registry alone.

#include "hepkit/core/Error.hpp"
#include "hepkit/events/Registry.hpp"

#include <filesystem>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <string>
#include <unistd.h>
#include <vector>
#include <yaml-cpp/yaml.h>

namespace hepkit::events::testing {

// The `inputs` list of a step's map, if any.
inline std::vector<std::string> inputs_of(const StepConfig& c) {
    std::vector<std::string> out;
    if (c.yaml.has("inputs"))
        for (std::size_t i = 0; i < c.yaml.at("inputs").size(); ++i)
            out.push_back(c.yaml.at("inputs").at(i).as_string());
    return out;
}

inline std::string text_of(const StepConfig& c, const char* key) {
    return c.yaml.has(key) ? c.yaml.at(key).as_string() : "";
}

struct FakeProducer : Producer {
    FakeProducer(const StepConfig& c, std::string t)
        : Producer(c.place), type(std::move(t)), in(inputs_of(c)), expr(text_of(c, "expr")),
          dtype(text_of(c, "dtype")) {
        c.check_keys({"inputs", "expr", "dtype"});
        if (type == "expr" && in.empty())
            in = {expr}; // what the tests read back through inputs()
    }
    std::vector<std::string> inputs() const override { return in; }
    // float64, or float32 for `dtype: float32` (what the tests use)
    std::vector<ProductInfo> declare(const Schema&) override {
        return {ProductInfo{name(), dtype == "float32" ? io::ColumnType::Float32 : io::ColumnType::Float64}};
    }
    void outputs_declared(std::span<const ProductId>) override {}
    void produce(Batch&) const override {}
    std::string type;
    std::vector<std::string> in;
    std::string expr;
    std::string dtype;
};

struct FakeFilter : Filter {
    FakeFilter(const StepConfig& c, std::string t)
        : Filter(c.place), type(std::move(t)), in(inputs_of(c)), expr(text_of(c, "expr")) {
        c.check_keys({"inputs", "expr"});
    }
    std::vector<std::string> inputs() const override { return in; }
    void declare(const Schema&) override {}
    void select(const Batch&, std::span<std::uint8_t>) const override {}
    std::string type;
    std::vector<std::string> in;
    std::string expr;
};

struct FakeConsumer : Consumer {
    FakeConsumer(const StepConfig& c, std::string t)
        : Consumer(c.place), type(std::move(t)), in(inputs_of(c)) {
        c.check_keys({"inputs", "bins"});
        if (c.yaml.has("bins") && c.yaml.at("bins").as_int() <= 0)
            throw std::invalid_argument("bins must be > 0");
    }
    std::vector<std::string> inputs() const override { return in; }
    void declare(const Schema&) override {}
    std::unique_ptr<Result> consume(const Batch&) const override { return nullptr; }
    std::unique_ptr<Result> empty() const override { return nullptr; }
    std::string type;
    std::vector<std::string> in;
};

// `expr` as producer and filter (as the built-in one is), `scale` producer, `cut` filter,
// `hist` consumer.
inline void register_fakes(Registry& r) {
    r.add_producer(
        "expr", [](const StepConfig& c) { return std::make_unique<FakeProducer>(c, "expr"); },
        "a product from an expression");
    r.add_filter(
        "expr", [](const StepConfig& c) { return std::make_unique<FakeFilter>(c, "expr"); },
        "events passing an expression");
    r.add_producer(
        "scale", [](const StepConfig& c) { return std::make_unique<FakeProducer>(c, "scale"); },
        "scales a product");
    r.add_filter(
        "cut", [](const StepConfig& c) { return std::make_unique<FakeFilter>(c, "cut"); }, "a cut");
    r.add_consumer(
        "hist", [](const StepConfig& c) { return std::make_unique<FakeConsumer>(c, "hist"); }, "a histogram");
}

// A fresh folder per test, removed at the end.
class TempDir {
  public:
    explicit TempDir(const std::string& name)
        : path_(std::filesystem::temp_directory_path() /
                ("hepkit-events-config-" + std::to_string(::getpid()) + "-" + name)) {
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    const std::filesystem::path& path() const { return path_; }
    /// Writes `text` to path()/rel (creating folders) and returns the full path.
    std::string write(const std::string& rel, const std::string& text) const {
        const auto p = path_ / rel;
        std::filesystem::create_directories(p.parent_path());
        std::ofstream(p) << text;
        return p.string();
    }

  private:
    std::filesystem::path path_;
};

// Runs `f`, expects an InputError whose file ends with `file`, with `line` and `key` (when not
// empty/0... -1 means "any line") and a message containing each of `parts`.
inline void expect_input_error(const std::function<void()>& f, const std::string& file, int line,
                               const std::string& key, const std::vector<std::string>& parts) {
    try {
        f();
        ADD_FAILURE() << "no InputError";
    } catch (const InputError& e) {
        SCOPED_TRACE(e.what());
        EXPECT_TRUE(e.file().size() >= file.size() &&
                    e.file().compare(e.file().size() - file.size(), file.size(), file) == 0)
            << "file " << e.file();
        if (line >= 0) {
            EXPECT_EQ(e.line(), line);
        }
        EXPECT_EQ(e.key(), key);
        for (const auto& p : parts)
            EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << "missing: " << p;
    }
}

} // namespace hepkit::events::testing
