// Event selections: per-event arrays (indexing, reductions, elementwise operations) and cuts as
// an analysis writes them, on one hand-made event.
#include "hepkit/core/Error.hpp"
#include "hepkit/expr/Expression.hpp"

#include <gtest/gtest.h>

using namespace hepkit;
using namespace hepkit::expr;

namespace {

// One event: three muons, two jets.
class ExprSelection : public ::testing::Test {
  protected:
    void SetUp() override {
        ev.set("nMuon", 3);
        ev.set("Muon_pt", ArrayView(pt));
        ev.set("Muon_eta", ArrayView(std::span<const float>(eta)));
        ev.set("Muon_charge", ArrayView(charge));
        ev.set("Muon_tight", ArrayView(std::span<const bool>(tight)));
        ev.set("Jet_pt", ArrayView(jet));
        ev.set("Empty", ArrayView(empty));
    }
    Value eval(const std::string& text) const { return Expression::parse(text, ev).evaluate(ev); }
    std::string error_of(const std::string& text) const {
        try {
            eval(text);
        } catch (const InputError& e) {
            return e.what();
        }
        return "no error";
    }
    std::vector<double> pt{50.5, 30.25, 10.0};
    float eta[3] = {0.5f, -2.75f, 1.0f};
    std::vector<std::int32_t> charge{1, -1, 1};
    bool tight[3] = {true, false, true};
    std::vector<double> jet{40.0, 35.0};
    std::vector<double> empty;
    Bindings ev;
};

} // namespace

TEST_F(ExprSelection, IndexingFromBothEnds) {
    EXPECT_EQ(eval("Muon_pt[0]"), Value::real(50.5));
    EXPECT_EQ(eval("Muon_pt[-1]"), Value::real(10.0));
    EXPECT_EQ(eval("Muon_pt[nMuon - 2]"), Value::real(30.25));
    EXPECT_EQ(eval("Muon_eta[1]"), Value::real(-2.75)); // float32 storage
    EXPECT_EQ(eval("Muon_charge[1]"), Value::integer(-1));
    EXPECT_EQ(eval("Muon_tight[1]"), Value::boolean(false));
    EXPECT_EQ(eval("Muon_pt[True]"), Value::real(30.25)); // a bool index is 0 or 1, as Python
}

TEST_F(ExprSelection, IndexOutOfRangeIsAClearError) {
    EXPECT_EQ(error_of("Muon_pt[3] > 20"),
              "Muon_pt[3] > 20: index 3 is out of range for Muon_pt of length 3 at column 8; guard it, e.g. "
              "len(Muon_pt) > 3 and ...");
    EXPECT_NE(error_of("Muon_pt[-4]").find("index -4 is out of range for Muon_pt of length 3"),
              std::string::npos);
    EXPECT_NE(error_of("Empty[0]").find("index 0 is out of range for Empty of length 0"), std::string::npos);
    // ... and the guard works: 'and' does not evaluate its right side
    EXPECT_EQ(eval("len(Empty) > 0 and Empty[0] > 20"), Value::boolean(false));
    EXPECT_EQ(eval("where(len(Empty) > 0, Empty[0], -1.0)"), Value::real(-1.0));
}

TEST_F(ExprSelection, Reductions) {
    EXPECT_EQ(eval("sum(Muon_pt)"), Value::real(90.75));
    EXPECT_EQ(eval("max(Muon_pt)"), Value::real(50.5));
    EXPECT_EQ(eval("min(Muon_pt)"), Value::real(10.0));
    EXPECT_EQ(eval("len(Muon_pt)"), Value::integer(3));
    EXPECT_EQ(eval("sum(Muon_charge)"), Value::integer(1));
    EXPECT_EQ(eval("sum(Muon_tight)"), Value::integer(2));
    EXPECT_EQ(eval("any(Muon_tight)"), Value::boolean(true));
    EXPECT_EQ(eval("all(Muon_tight)"), Value::boolean(false));
    EXPECT_EQ(eval("sum(Empty)"), Value::real(0.0));
    EXPECT_EQ(eval("any(Empty)"), Value::boolean(false));
    EXPECT_EQ(eval("all(Empty)"), Value::boolean(true));
    EXPECT_EQ(eval("np.sum(Muon_charge > 0)"), Value::integer(2));
    EXPECT_NE(error_of("max(Empty)")
                  .find("max() of an empty array (Empty) at column 1; guard it, e.g. "
                        "where(len(Empty) > 0, max(Empty), -1)"),
              std::string::npos);
}

TEST_F(ExprSelection, ElementwiseOperationsOnArrays) {
    EXPECT_EQ(eval("sum(Muon_pt > 20)"), Value::integer(2));           // a count
    EXPECT_EQ(eval("any(abs(Muon_eta) > 2.5)"), Value::boolean(true)); // |−2.75|
    EXPECT_EQ(eval("all(Muon_pt > 5)"), Value::boolean(true));
    EXPECT_EQ(eval("sum(Muon_pt * 2)"), Value::real(181.5));
    EXPECT_EQ(eval("sum(where(Muon_charge > 0, Muon_pt, 0.0))"), Value::real(60.5));
    EXPECT_EQ(eval("sum(Muon_charge * Muon_charge)"), Value::integer(3));
    EXPECT_EQ(eval("sum(10 < Muon_pt < 40)"), Value::integer(1)); // a chain, elementwise: 30.25 only
    EXPECT_EQ(eval("max(Muon_pt - Muon_pt[0])"), Value::real(0.0));
    EXPECT_NE(error_of("sum(Muon_pt + Jet_pt)").find("arrays of different lengths (3 and 2)"),
              std::string::npos);
}

TEST_F(ExprSelection, CutsAsAnalysesWriteThem) {
    const Expression cut = Expression::parse("nMuon >= 2 and Muon_pt[0] > 25 and abs(Muon_eta[0]) < 2.4", ev);
    EXPECT_EQ(cut.type(), Type::boolean);
    EXPECT_TRUE(cut.passes(ev));
    const Expression os = Expression::parse("Muon_charge[0] * Muon_charge[1] < 0", ev);
    EXPECT_TRUE(os.passes(ev));
    const Expression two_jets = Expression::parse("len(Jet_pt) >= 2 and sum(Jet_pt > 38) >= 2", ev);
    EXPECT_FALSE(two_jets.passes(ev)); // 35 fails
    // the same compiled cut on another event: new arrays, same names and types
    std::vector<double> pt2{20.0, 15.0};
    ev.set("Muon_pt", ArrayView(pt2));
    ev.set("nMuon", 2);
    EXPECT_FALSE(cut.passes(ev));
}

TEST_F(ExprSelection, TypeErrorsSayWhatIsAllowed) {
    EXPECT_EQ(
        error_of("Muon_pt > 20 and nMuon > 1"),
        "Muon_pt > 20 and nMuon > 1: 'and' of an array of bool at column 14; an array has no single truth "
        "value: use any(...) or all(...)");
    EXPECT_NE(error_of("not Muon_tight").find("use any(...) or all(...)"), std::string::npos);
    EXPECT_NE(error_of("Muon_pt[1.5]").find("index of type float at column 8; an index is an int"),
              std::string::npos);
    EXPECT_NE(error_of("sum(nMuon)").find("sum() needs an array, not a int"), std::string::npos);
    EXPECT_NE(error_of("max(nMuon)").find("max(a, b) compares two numbers"), std::string::npos);
    EXPECT_NE(error_of("nMuon[0]").find("indexing a int at column 6; only per-event arrays can be indexed"),
              std::string::npos);
    // a whole array is not one value per event
    EXPECT_THROW(Expression::parse("Muon_pt * 2", ev).evaluate(ev), std::invalid_argument);
}
