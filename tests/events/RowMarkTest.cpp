// mark_differences (src/events/RunnerRows.hpp), the comparison behind row-level sharing, against a
// row-by-row comparison written here: collections of one layout with few differing elements (the
// sparse path: blocks of elements compared, rows found by bisection), with many (the prefix
// count), empty rows among them, over all rows and over a subset.
#include "RunnerRows.hpp"

#include <gtest/gtest.h>
#include <random>

using namespace hepkit;
using namespace hepkit::events::detail;

namespace {

struct Pair {
    io::Column a, b;
};

// Two float collections of `events` events with 0–4 elements each and the same layout; each
// element of b differs from a's with probability p.
Pair collections(std::size_t events, double p, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> count(0, 4);
    std::bernoulli_distribution differs(p);
    Pair out{io::Column::make("x", io::ColumnType::Float32), io::Column::make("x", io::ColumnType::Float32)};
    out.a.offsets = {0};
    out.b.offsets = {0};
    for (std::size_t i = 0; i < events; ++i) {
        const int n = count(rng);
        for (int k = 0; k < n; ++k) {
            const float v = static_cast<float>(rng() % 1000) * 0.5f;
            out.a.mut<float>().push_back(v);
            out.b.mut<float>().push_back(differs(rng) ? v + 1.0f : v);
        }
        out.a.offsets.push_back(static_cast<std::int64_t>(out.a.mut<float>().size()));
        out.b.offsets.push_back(out.a.offsets.back());
    }
    return out;
}

std::vector<std::uint8_t> by_rows(const Pair& c, const std::vector<std::uint32_t>& rows, std::size_t events) {
    std::vector<std::uint8_t> d(events, 0);
    const auto a = c.a.as<float>();
    const auto b = c.b.as<float>();
    for (const std::uint32_t r : rows)
        for (auto k = c.a.offsets[r]; k < c.a.offsets[r + 1]; ++k)
            if (a[static_cast<std::size_t>(k)] != b[static_cast<std::size_t>(k)])
                d[r] = 1;
    return d;
}

} // namespace

TEST(EventsRowMark, DifferencesFoundWhateverTheirDensity) {
    const std::size_t events = 5000;
    for (const double p : {0.0, 0.001, 0.01, 0.3, 1.0}) {
        const Pair c = collections(events, p, 7);
        std::vector<std::uint32_t> all(events), half;
        for (std::uint32_t r = 0; r < events; ++r) {
            all[r] = r;
            if (r % 3 != 0)
                half.push_back(r); // 2/3 of the rows: still the whole-batch comparison
        }
        for (const auto* rows : {&all, &half}) {
            std::vector<std::uint8_t> d(events, 0);
            EXPECT_FALSE(mark_differences(c.a, c.b, *rows, d.data()));
            EXPECT_EQ(d, by_rows(c, *rows, events)) << "p " << p << ", " << rows->size() << " rows";
        }
    }
}
