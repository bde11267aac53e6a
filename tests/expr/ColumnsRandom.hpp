#pragma once
// Random batches, row sets and grammar-generated expressions for the columnar cross-checks
// (ColumnsCrossCheckTest.cpp, ColumnsReuseTest.cpp).
#include "ColumnsTestSupport.hpp"

#include <random>

namespace columns_test {

using namespace hepkit;
using namespace hepkit::expr;

// Random events: scalars of every element type, two collections (Mu: 0–4 per event, Jet: 0–6)
// with columns of every element type; offsets that start above 0 (a batch inside a cluster);
// NaN, ±inf, −0 among the floats; ints near the int64 limits in a few events (overflow).
inline Batch random_batch(std::size_t events, unsigned seed) {
    std::mt19937_64 rng(seed);
    auto uniform = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
    auto integer = [&](std::int64_t lo, std::int64_t hi) {
        return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
    };
    auto real = [&]() -> double {
        const double u = uniform(0, 1);
        if (u < 0.03)
            return std::nan("");
        if (u < 0.04)
            return std::numeric_limits<double>::infinity();
        if (u < 0.05)
            return -0.0;
        if (u < 0.10)
            return 0.0;
        return uniform(-3, 60);
    };
    auto big = [&]() -> std::int64_t {
        const double u = uniform(0, 1);
        if (u < 0.03)
            return integer(INT64_MAX / 2, INT64_MAX);
        if (u < 0.06)
            return integer(INT64_MIN, INT64_MIN / 2);
        return integer(-20, 20);
    };
    Batch b;
    b.events = events;
    std::vector<double> x;
    std::vector<float> y;
    std::vector<std::int64_t> k;
    std::vector<std::int32_t> n;
    std::vector<std::int16_t> s16;
    std::vector<std::uint16_t> u16;
    std::vector<std::int8_t> s8;
    std::vector<std::uint8_t> u8, flag;
    std::vector<std::uint32_t> u32;
    std::vector<std::uint64_t> u64;
    for (std::size_t i = 0; i < events; ++i) {
        x.push_back(real());
        y.push_back(static_cast<float>(real()));
        k.push_back(big());
        n.push_back(static_cast<std::int32_t>(integer(-3, 5)));
        s16.push_back(static_cast<std::int16_t>(integer(-32768, 32767)));
        u16.push_back(static_cast<std::uint16_t>(integer(0, 65535)));
        s8.push_back(static_cast<std::int8_t>(integer(-128, 127)));
        u8.push_back(static_cast<std::uint8_t>(integer(0, 255)));
        flag.push_back(static_cast<std::uint8_t>(integer(0, 1)));
        u32.push_back(static_cast<std::uint32_t>(integer(0, 4294967295)));
        u64.push_back(static_cast<std::uint64_t>(integer(0, 3)) * 3000000000000000000ull);
    }
    b.flat("x", x);
    b.flat("y", y);
    b.flat("k", k);
    b.flat("n", n);
    b.flat("s16", s16);
    b.flat("u16", u16);
    b.flat("s8", s8);
    b.flat("u8", u8);
    b.flat_bool("flag", flag);
    b.flat("u32", u32);
    b.flat("u64", u64);

    for (const std::string coll : {"Mu", "Jet"}) {
        const std::int64_t most = coll == "Mu" ? 4 : 6;
        std::vector<std::int64_t> off{integer(0, 3)}; // content before the batch's first event
        for (std::size_t i = 0; i < events; ++i)
            off.push_back(off.back() + (uniform(0, 1) < 0.2 ? 0 : integer(0, most)));
        const auto size = static_cast<std::size_t>(off.back()) + static_cast<std::size_t>(integer(0, 2));
        std::vector<float> pt;
        std::vector<double> eta;
        std::vector<std::int32_t> q;
        std::vector<std::int8_t> id;
        std::vector<std::uint8_t> ok, u8c;
        std::vector<std::int16_t> i16c;
        std::vector<std::uint16_t> u16c;
        std::vector<std::uint32_t> u32c;
        std::vector<std::uint64_t> u64c;
        std::vector<std::int64_t> i64c;
        for (std::size_t j = 0; j < size; ++j) {
            pt.push_back(static_cast<float>(uniform(0, 1) < 0.9 ? uniform(0, 80) : real()));
            eta.push_back(uniform(0, 1) < 0.9 ? uniform(-3, 3) : real());
            q.push_back(static_cast<std::int32_t>(integer(-1, 1)));
            id.push_back(static_cast<std::int8_t>(integer(-13, 13)));
            ok.push_back(static_cast<std::uint8_t>(integer(0, 1)));
            u8c.push_back(static_cast<std::uint8_t>(integer(0, 255)));
            i16c.push_back(static_cast<std::int16_t>(integer(-300, 300)));
            u16c.push_back(static_cast<std::uint16_t>(integer(0, 65535)));
            u32c.push_back(static_cast<std::uint32_t>(integer(0, 4294967295)));
            u64c.push_back(static_cast<std::uint64_t>(integer(0, 1000)));
            i64c.push_back(big());
        }
        b.jagged(coll + "_pt", off, pt);
        b.jagged(coll + "_eta", off, eta);
        b.jagged(coll + "_q", off, q);
        b.jagged(coll + "_id", off, id);
        b.jagged_bool(coll + "_ok", off, ok);
        b.jagged(coll + "_u8", off, u8c);
        b.jagged(coll + "_i16", off, i16c);
        b.jagged(coll + "_u16", off, u16c);
        b.jagged(coll + "_u32", off, u32c);
        b.jagged(coll + "_u64", off, u64c);
        b.jagged(coll + "_i64", off, i64c);
    }
    return b;
}

inline const std::vector<std::string>& cross_check_expressions() {
    static const std::vector<std::string> list = {
        // literals and constants
        "2 + 3",
        "True",
        "pi * x",
        "inf > x",
        "1 // 0",
        "9223372036854775807 + 1",
        "-(2 ** 3)",
        "2 ** 0.5",
        // scalar arithmetic, every element type
        "x + y",
        "x * 1.01",
        "k + n",
        "n * 3",
        "k * k",
        "k - k",
        "k + k",
        "x / y",
        "n / 0",
        "x / 0",
        "k // n",
        "k % n",
        "x // y",
        "x % y",
        "y % -2.5",
        "-x",
        "-k",
        "+flag",
        "-flag",
        "+n",
        "x ** 2",
        "n ** 2",
        "k ** 3",
        "2 ** n",
        "y ** 0.5",
        "flag + flag",
        "True + n",
        "not flag",
        "not x",
        "not n",
        "s16 * u16 + s8 - u8",
        "u32 * u32",
        "u64 + u64 + u64",
        "u64 * 4",
        "s8 // 7",
        "u16 % 10",
        "n ** 0",
        "flag * 1.5",
        "x * flag",
        // comparisons, chained
        "x < y",
        "n == k",
        "0 < x <= 1",
        "n < k < 10",
        "x == x",
        "u64 > 5",
        "s8 < u8",
        "flag == True",
        "x != y",
        "flag < n <= k",
        "y >= x",
        "k > 4.5",
        "9007199254740993 == k + 9007199254740993 - k",
        // logical
        "x > 0 and y > 0",
        "n != 0 and k // n > 1",
        "n == 0 or k % n == 0",
        "flag or x > 0.5",
        "not (x > 1)",
        "x and y",
        "n or k",
        "x > 0.5 and (n > 0 or k // n > 0)",
        "x > 0 or 1 // 0 > 0",
        "flag and n != 0 and k % n == 1",
        // functions
        "sqrt(x)",
        "abs(n)",
        "abs(k)",
        "abs(x)",
        "abs(flag)",
        "exp(y)",
        "log(x)",
        "sin(x) + cos(y)",
        "atan2(x, y)",
        "hypot(x, y)",
        "pow(x, 2)",
        "min(n, k)",
        "max(x, n)",
        "max(flag, n)",
        "min(flag, flag)",
        "gamma(y)",
        "lgamma(x)",
        "erf(x)",
        "tanh(x)",
        "cosh(x) - cos(y)",
        "log10(u32)",
        "expm1(s8 / 100)",
        "np.fmin(x, y)",
        "maximum(u8, s8)",
        // jagged, elementwise and broadcast
        "Mu_pt",
        "Mu_ok",
        "Mu_q",
        "Mu_pt * 1.01",
        "Mu_pt + Mu_eta",
        "Mu_pt + Jet_pt",
        "Mu_pt * x",
        "x * Mu_pt",
        "abs(Mu_eta) < 2.4",
        "Mu_q * Mu_id",
        "Mu_q // n",
        "n // Mu_q",
        "-Mu_q",
        "-Mu_ok",
        "+Mu_ok",
        "sqrt(Mu_pt)",
        "exp(Mu_eta)",
        "abs(Mu_q)",
        "abs(Mu_i64)",
        "-Mu_i64",
        "Mu_u64 + 1",
        "Mu_u8 * Mu_i16",
        "Mu_u16 + Mu_u32",
        "10 < Mu_pt < 40",
        "Mu_pt > x",
        "x < Mu_pt < y",
        "Mu_pt > Mu_eta",
        "Mu_q == Mu_id",
        "Mu_ok == flag",
        "min(Mu_pt, Mu_eta)",
        "max(Mu_q, 0)",
        "max(Mu_q, Mu_ok)",
        "atan2(Mu_eta, Mu_pt)",
        "hypot(Mu_pt, 3)",
        "Mu_pt ** 2",
        "Mu_q ** 2",
        "Mu_i64 * Mu_i64",
        "Mu_i64 + k",
        "Mu_pt % 3",
        "Mu_q % 2 == 0",
        "Mu_pt / Mu_eta",
        "Mu_i64 // Mu_q",
        "Mu_pt * Mu_ok",
        "(Mu_pt * 2)[0] > 1",
        "Jet_pt * Jet_eta",
        "Mu_id < Mu_q < Mu_i16",
        // where
        "where(Mu_ok, Mu_pt, 0.0)",
        "where(Mu_pt > 20, Mu_pt, Mu_eta)",
        "where(flag, Mu_pt, -1)",
        "where(flag, 1, Mu_q)",
        "where(flag, x, n)",
        "where(flag, n, k)",
        "where(flag, flag, x > 0)",
        "where(n > 0, k // n, -1)",
        "where(Mu_ok, 1, 0)",
        "where(Mu_q > 0, Mu_q, Jet_pt)",
        "where(x, n, flag)",
        "where(Mu_ok, Mu_q, flag)",
        "where(Mu_q, Mu_ok, Mu_ok)",
        "where(n != 0, Mu_q // n, Mu_q)",
        "where(flag, Mu_ok, flag)",
        "where(x > 1, Mu_pt, Jet_pt)",
        "sum(where(Mu_q > 0, Mu_pt, 0.0))",
        "where(len(Mu_pt) > 0, Mu_pt[0], -1.0)",
        "where(flag, 1 // 0, 2)",
        // reductions
        "len(Mu_pt)",
        "len(Mu_pt * 2)",
        "sum(Mu_pt)",
        "sum(Mu_q)",
        "sum(Mu_ok)",
        "sum(Jet_eta > 0.5)",
        "sum(Mu_i64)",
        "sum(Mu_u64)",
        "max(Mu_pt)",
        "min(Mu_q)",
        "max(Mu_ok)",
        "min(Mu_eta)",
        "max(Mu_i64)",
        "any(Mu_ok)",
        "all(Mu_pt > 10)",
        "any(Mu_pt)",
        "all(Mu_eta)",
        "any(Mu_q)",
        "all(Mu_q)",
        "np.sum(Mu_u8)",
        "len(Mu_pt) > 0 and max(Mu_pt) > 20",
        "where(len(Mu_pt) > 0, max(Mu_pt), -1.0)",
        "len(Jet_pt) >= 4 and sum(Jet_eta > 0.5) >= 1",
        "sum(Mu_pt * 2) > x",
        "any(abs(Mu_eta) > 2.4)",
        "sum(Mu_pt > 20) >= 2",
        "len(Mu_pt) == len(Jet_pt)",
        "sum(Jet_pt) + sum(Mu_pt)",
        "len(Mu_pt) > 0 and min(Mu_eta) < 0",
        "max(Mu_q * 3)",
        // indexing
        "Mu_pt[0]",
        "Mu_pt[-1]",
        "Mu_q[n]",
        "Mu_q[1]",
        "len(Mu_pt) > 1 and Mu_pt[1] > 10",
        "Mu_ok[0]",
        "len(Mu_pt) > 0 and Mu_ok[-1]",
        "Mu_pt[True]",
        "Mu_u8[k]",
        "len(Mu_pt) > 2 and Mu_i64[2] > 0",
        "len(Mu_q) > 0 and Mu_q[-len(Mu_q)] == Mu_q[0]",
        "len(Mu_pt) > 0 and Mu_pt[0] > 25 and abs(Mu_eta[0]) < 2.4",
        "len(Mu_pt) >= 2 and sqrt(2*Mu_pt[0]*Mu_pt[1]*(cosh(Mu_eta[0]-Mu_eta[1])-cos(x-y))) > 50",
        "len(Mu_pt) >= 2 and Mu_q[0] * Mu_q[1] < 0",
        "len(Jet_pt) > 0 and Jet_u64[0] % 7",
        "len(Mu_pt) > 0 and (Mu_pt - Mu_eta)[-1] * 2 > 3",
        "Mu_pt[len(Mu_pt) - 1]",
    };
    return list;
}

// `text` parsed against `schema`, or nothing where it does not type-check (as many generated
// expressions do not).
inline std::optional<Expression> parsed(const std::string& text, const Bindings& schema) {
    try {
        return Expression::parse(text, schema);
    } catch (const InputError&) {
        return std::nullopt;
    }
}

inline std::vector<std::vector<std::uint32_t>> row_sets(std::size_t events, unsigned seed) {
    std::mt19937 rng(seed);
    std::vector<std::vector<std::uint32_t>> sets;
    sets.push_back(all_rows(events));
    sets.push_back({});
    sets.push_back({static_cast<std::uint32_t>(events - 1)});
    std::vector<std::uint32_t> odd, random, range;
    for (std::uint32_t i = 0; i < events; ++i) {
        if (i % 2)
            odd.push_back(i);
        if (rng() % 10 < 3)
            random.push_back(i);
        if (i >= 10 && i < 60)
            range.push_back(i);
    }
    sets.push_back(odd);
    sets.push_back(random);
    sets.push_back(range);
    return sets;
}

// Random expressions from the grammar (names of every kind, literals, every operator and
// function, where, reductions, indexing), up to `depth` levels; many do not type-check and are
// skipped by the caller.
class RandomExpression {
  public:
    explicit RandomExpression(unsigned seed) : rng_(seed) {}
    std::string make(int depth) {
        if (depth <= 0 || pick(4) == 0)
            return leaf();
        switch (pick(12)) {
        case 0:
            return cat({one_of({"-", "+", "not "}), paren(depth)});
        case 1:
        case 2:
            return cat({paren(depth), one_of({" + ", " - ", " * ", " / ", " // ", " % ", " ** 2", " ** "}),
                        paren(depth)});
        case 3: {
            std::string s = paren(depth);
            for (int k = 0, n = 1 + pick(3); k < n; ++k)
                s.append(one_of({" < ", " <= ", " > ", " >= ", " == ", " != "})).append(paren(depth));
            return s;
        }
        case 4:
            return cat({paren(depth), one_of({" and ", " or "}), paren(depth)});
        case 5:
            return cat({one_of({"sqrt", "abs", "exp", "log", "cos", "tanh", "erf", "lgamma", "log1p"}), "(",
                        make(depth - 1), ")"});
        case 6:
            return cat({one_of({"atan2", "hypot", "min", "max", "pow"}), "(", make(depth - 1), ", ",
                        make(depth - 1), ")"});
        case 7:
            return cat({"where(", make(depth - 1), ", ", make(depth - 1), ", ", make(depth - 1), ")"});
        case 8:
        case 9:
            return cat({one_of({"sum", "len", "max", "min", "any", "all"}), "(", make(depth - 1), ")"});
        default:
            return cat({paren(depth), "[", one_of({"0", "1", "-1", "n", "True", make(depth - 1)}), "]"});
        }
    }

  private:
    // std::string::append, not "lit" + std::string (GCC 12's false -Wrestrict)
    static std::string cat(std::initializer_list<std::string> parts) {
        std::string s;
        for (const std::string& p : parts)
            s.append(p);
        return s;
    }
    int pick(int n) { return static_cast<int>(rng_() % static_cast<unsigned>(n)); }
    std::string one_of(std::initializer_list<std::string> l) {
        return *(l.begin() + pick(static_cast<int>(l.size())));
    }
    std::string paren(int depth) { return cat({"(", make(depth - 1), ")"}); }
    std::string leaf() {
        return one_of({"x",      "y",    "k",     "n",      "flag",   "u8",     "s16",   "u64", "Mu_pt",
                       "Mu_eta", "Mu_q", "Mu_ok", "Mu_i64", "Mu_u16", "Jet_pt", "Jet_q", "0",   "1",
                       "2",      "-3",   "0.5",   "2.5",    "True",   "False",  "pi",    "inf"});
    }
    std::mt19937 rng_;
};

} // namespace columns_test
