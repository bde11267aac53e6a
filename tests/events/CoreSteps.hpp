#pragma once
// Steps written in the tests of the events core: a producer and a filter from C++ functions
// (counting their calls), a consumer that sums a product and logs what it saw, and the small ROOT
// files they run on. Values follow one formula per global entry g, so that every expected number
// is a hand computation over g (comments at the tests).

#include "hepkit/core/Error.hpp"
#include "hepkit/events/Runner.hpp"
#include "hepkit/io/RootWriter.hpp"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace hepkit::events::test {

namespace fs = std::filesystem;

inline StepPlace place(std::string kind, std::string name, int line = 0) {
    return StepPlace{std::move(kind), std::move(name), line ? "plan.yaml" : "", line};
}

/// The entries of the test files: entry g (global over the chain) has
///   x = g + 1 (float32), n = g % 3 (int32), w = 0.5 + 0.1 g (float64),
///   Muon_pt: g % 3 muons with pT 10 (g + 1) + k, k = 0 … (float32, jagged),
///   arr[3] = {g, g + 0.5, g + 1} (float32, fixed-size array).
inline std::vector<io::Column> make_columns(int first, int count) {
    auto x = io::Column::make("x", io::ColumnType::Float32);
    auto n = io::Column::make("n", io::ColumnType::Int32);
    auto w = io::Column::make("w", io::ColumnType::Float64);
    auto pt = io::Column::make("Muon_pt", io::ColumnType::Float32);
    auto arr = io::Column::make("arr", io::ColumnType::Float32);
    arr.width = 3;
    pt.offsets.push_back(0);
    for (int g = first; g < first + count; ++g) {
        x.mut<float>().push_back(static_cast<float>(g + 1));
        n.mut<std::int32_t>().push_back(g % 3);
        w.mut<double>().push_back(0.5 + 0.1 * g);
        for (int k = 0; k < g % 3; ++k)
            pt.mut<float>().push_back(static_cast<float>(10 * (g + 1) + k));
        pt.offsets.push_back(static_cast<std::int64_t>(pt.mut<float>().size()));
        for (const double a : {0.0, 0.5, 1.0})
            arr.mut<float>().push_back(static_cast<float>(g + a));
    }
    return {x, n, w, pt, arr};
}

/// A ROOT file of entries [first, first+count), clusters of `cluster` entries.
inline fs::path write_file(const std::string& name, int first, int count, std::size_t cluster = 3) {
    const auto path =
        fs::temp_directory_path() / (std::to_string(::getpid()) + "-hepkit-evcore-" + name + ".root");
    io::RootWriter out(path.string());
    io::TreeOptions options;
    options.cluster_entries = cluster;
    out.write_tree("Events", make_columns(first, count), options);
    out.close();
    return path;
}

/// The value of `column` at row r as double (flat columns).
inline double at(const io::Column& c, std::size_t r) {
    return c.value_as_double(r);
}

/// A producer computing one flat product from a function of the row's input values.
class FnProducer : public Producer {
  public:
    using Fn = std::function<double(const std::vector<double>&)>;
    FnProducer(StepPlace p, std::vector<std::string> inputs, ProductInfo out, Fn fn)
        : Producer(std::move(p)), inputs_(std::move(inputs)), out_(std::move(out)), fn_(std::move(fn)) {}
    std::vector<std::string> inputs() const override { return inputs_; }
    std::vector<ProductInfo> declare(const Schema& schema) override {
        for (const auto& n : inputs_)
            ids_.push_back(schema.require(n, place().label()));
        return {out_};
    }
    void outputs_declared(std::span<const ProductId> ids) override { id_ = ids[0]; }
    void produce(Batch& batch) const override {
        ++calls;
        auto col = io::Column::make(out_.name, out_.type);
        std::vector<double> values(batch.size(), 0.0);
        std::vector<double> args(ids_.size());
        for (const auto r : batch.rows()) {
            for (std::size_t k = 0; k < ids_.size(); ++k)
                args[k] = at(batch.get(ids_[k]), r);
            values[r] = fn_(args);
        }
        std::visit(
            [&](auto& v) {
                using T = typename std::decay_t<decltype(v)>::value_type;
                if constexpr (std::is_arithmetic_v<T>)
                    for (const double d : values)
                        v.push_back(static_cast<T>(d));
            },
            col.values);
        batch.put(id_, std::move(col));
    }
    mutable std::atomic<int> calls{0};

  private:
    std::vector<std::string> inputs_;
    ProductInfo out_;
    Fn fn_;
    std::vector<ProductId> ids_;
    ProductId id_ = 0;
};

/// A filter passing rows where fn(value of its one input) is true.
class FnFilter : public Filter {
  public:
    FnFilter(StepPlace p, std::string input, std::function<bool(double)> fn)
        : Filter(std::move(p)), input_(std::move(input)), fn_(std::move(fn)) {}
    std::vector<std::string> inputs() const override { return {input_}; }
    void declare(const Schema& schema) override { id_ = schema.require(input_, place().label()); }
    void select(const Batch& batch, std::span<std::uint8_t> pass) const override {
        ++calls;
        const auto rows = batch.rows();
        for (std::size_t k = 0; k < rows.size(); ++k)
            pass[k] = fn_(at(batch.get(id_), rows[k]));
    }
    mutable std::atomic<int> calls{0};

  private:
    std::string input_;
    std::function<bool(double)> fn_;
    ProductId id_ = 0;
};

/// Sum and count of a flat product over the selected rows; the log lists "entry:value" in the
/// order merged (so a wrong merge order shows), `columns` the column addresses seen per batch.
struct SumResult : Result {
    double sum = 0;
    std::int64_t count = 0;
    std::string log;
    std::vector<const void*> columns;
    std::vector<std::int64_t> first_entries;
    void merge(Result&& later) override {
        auto& o = dynamic_cast<SumResult&>(later);
        sum += o.sum;
        count += o.count;
        log += o.log;
        columns.insert(columns.end(), o.columns.begin(), o.columns.end());
        first_entries.insert(first_entries.end(), o.first_entries.begin(), o.first_entries.end());
    }
    void write(const fs::path& stem) const override {
        std::ofstream out(stem.string() + ".txt");
        out << "sum " << sum << "\ncount " << count << "\nlog " << log << '\n';
    }
};

class SumConsumer : public Consumer {
  public:
    SumConsumer(StepPlace p, std::string input) : Consumer(std::move(p)), input_(std::move(input)) {}
    std::vector<std::string> inputs() const override { return {input_}; }
    void declare(const Schema& schema) override { id_ = schema.require(input_, place().label()); }
    std::unique_ptr<Result> consume(const Batch& batch) const override {
        ++calls;
        auto r = std::make_unique<SumResult>();
        const auto& c = batch.get(id_);
        std::ostringstream log;
        for (const auto row : batch.rows()) {
            r->sum += at(c, row);
            ++r->count;
            log << batch.first_entry() + row << ':' << at(c, row) << ' ';
        }
        r->log = log.str();
        r->columns.push_back(&c);
        r->first_entries.push_back(batch.first_entry());
        return r;
    }
    std::unique_ptr<Result> empty() const override { return std::make_unique<SumResult>(); }
    mutable std::atomic<int> calls{0};

  private:
    std::string input_;
    ProductId id_ = 0;
};

/// Checks that the rows a batch does not select hold 0 (Products.hpp; the first three of a batch
/// go into the log: "entry E not selected holds V") and sums the selected ones.
class SumAndZeros : public Consumer {
  public:
    explicit SumAndZeros(std::string input, const std::string& name = "sum")
        : Consumer(test::place("consumer", name)), input_(std::move(input)) {}
    std::vector<std::string> inputs() const override { return {input_}; }
    void declare(const Schema& schema) override { id_ = schema.require(input_, place().label()); }
    std::unique_ptr<Result> consume(const Batch& batch) const override {
        auto r = std::make_unique<SumResult>();
        const auto& c = batch.get(id_);
        std::vector<std::uint8_t> selected(batch.size(), 0);
        for (const auto row : batch.rows()) {
            selected[row] = 1;
            r->sum += at(c, row);
            ++r->count;
        }
        int shown = 0;
        for (std::size_t row = 0; row < batch.size(); ++row)
            if (!selected[row] && at(c, row) != 0 && shown++ < 3)
                r->log += "entry " + std::to_string(batch.first_entry() + static_cast<std::int64_t>(row)) +
                          " not selected holds " + std::to_string(at(c, row)) + "\n";
        return r;
    }
    std::unique_ptr<Result> empty() const override { return std::make_unique<SumResult>(); }

  private:
    std::string input_;
    ProductId id_ = 0;
};

inline const SumResult& sum_of(const Runner& runner, const std::string& pipeline, const std::string& consumer,
                               const std::string& shift = "") {
    return dynamic_cast<const SumResult&>(runner.result(pipeline, consumer, shift));
}

inline std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace hepkit::events::test
