// pyhf's JSON workspace format (HistFactory.hpp): a round trip, bad workspaces refused with the
// JSON path, the value and what is allowed; and pyhf's published numbers for its "hello world"
// model (examples/infer/simple.json, written here from the numbers of pyhf's README: signal
// [12, 11], background [50, 52] ± [3, 7] as shapesys, data [51, 48]): observed CLs 0.05251497,
// expected 0.06445321 at μ = 1 with the q̃_μ asymptotics (Cowan, Cranmer, Gross, Vitells,
// arXiv:1007.1727, eqs. 65–66), computed here from hepkit's fits.

#include "hepkit/core/Error.hpp"
#include "hepkit/fit/HistFactoryModel.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace hepkit::fit::hf {
namespace {

using nlohmann::json;

const std::string kSimple = std::string(HEPKIT_SOURCE_DIR) + "/examples/infer/simple.json";

json rich() {
    return json::parse(R"({
      "channels": [
        {"name": "SR", "samples": [
          {"name": "sig", "data": [4, 9], "modifiers": [
            {"name": "mu", "type": "normfactor", "data": null},
            {"name": "lumi", "type": "lumi", "data": null},
            {"name": "xs", "type": "normsys", "data": {"hi": 1.1, "lo": 0.92, "interpcode": "code4"}}]},
          {"name": "bkg", "data": [30, 22], "modifiers": [
            {"name": "jes", "type": "histosys", "data": {"hi_data": [32, 21], "lo_data": [28, 23]}},
            {"name": "staterror_SR", "type": "staterror", "data": [2, 1.5]},
            {"name": "free", "type": "shapefactor", "data": null}]}]},
        {"name": "CR", "samples": [
          {"name": "bkg", "data": [80], "modifiers": [
            {"name": "jes", "type": "normsys", "data": {"hi": 1.03, "lo": 0.96}},
            {"name": "unc", "type": "shapesys", "data": [6]}]}]}],
      "observations": [{"name": "SR", "data": [36, 30]}, {"name": "CR", "data": [83]}],
      "measurements": [{"name": "m", "config": {"poi": "mu", "parameters": [
        {"name": "lumi", "auxdata": [1.0], "sigmas": [0.017], "bounds": [[0.9, 1.1]], "inits": [1.0]},
        {"name": "mu", "bounds": [[0, 5]], "inits": [0.5]},
        {"name": "free", "fixed": true}]}}],
      "version": "1.0.0"})");
}

TEST(HistFactoryJson, RoundTrip) {
    const Workspace ws = parse_workspace(rich(), "rich.json");
    ASSERT_EQ(ws.channels.size(), 2u);
    EXPECT_EQ(ws.channels[0].samples[0].modifiers[2].interpolation, Interpolation::Polynomial);
    EXPECT_DOUBLE_EQ(ws.channels[0].samples[1].modifiers[0].hi_data[1], 21);
    const json once = to_json(ws);
    const Workspace again = parse_workspace(once, "again.json");
    EXPECT_EQ(to_json(again), once);
    // what was written is what was read (nothing dropped, nothing added but the key order)
    EXPECT_EQ(once, rich());
    // through a file
    const auto path = std::filesystem::temp_directory_path() / "hepkit_hf_roundtrip.json";
    write_workspace(ws, path.string());
    EXPECT_EQ(to_json(read_workspace(path.string())), once);
    std::filesystem::remove(path);
    // the model of the measurement: settings applied
    const Model m(ws);
    EXPECT_DOUBLE_EQ(m.parameters()[m.index("mu")].upper, 5);
    EXPECT_DOUBLE_EQ(m.parameters()[m.index("mu")].init, 0.5);
    EXPECT_DOUBLE_EQ(m.parameters()[m.index("lumi")].sigma, 0.017);
    EXPECT_TRUE(m.parameters()[m.index("free[1]")].fixed);
    EXPECT_EQ(m.bins(), 3u);
}

void expect_refused(const json& doc, const std::string& key, const std::string& part) {
    try {
        (void)parse_workspace(doc, "bad.json");
        ADD_FAILURE() << "accepted; expected an error at " << key;
    } catch (const InputError& e) {
        EXPECT_EQ(e.file(), "bad.json");
        EXPECT_EQ(e.key(), key) << e.what();
        EXPECT_NE(e.message().find(part), std::string::npos) << e.what();
    }
}

TEST(HistFactoryJson, BadWorkspacesNameThePath) {
    json d = rich();
    d["channels"][0]["samples"][1]["modifiers"][0]["data"]["hi_data"] = {32, 21, 5};
    expect_refused(d, "channels[0].samples[1].modifiers[0].data.hi_data", "3 numbers, must be 2");
    d = rich();
    d["channels"][0]["samples"][1]["modifiers"][0]["data"]["lo_data"][1] = "x";
    expect_refused(d, "channels[0].samples[1].modifiers[0].data.lo_data[1]",
                   "\"x\": must be a finite number");
    d = rich();
    d["channels"][0]["samples"][0]["modifiers"][1]["type"] = "lumix";
    expect_refused(d, "channels[0].samples[0].modifiers[1].type", "unknown modifier type (allowed: histosys");
    d = rich();
    d["channels"][0]["samples"][0]["modifiers"][2]["data"]["interpcode"] = "code9";
    expect_refused(d, "channels[0].samples[0].modifiers[2].data.interpcode", "allowed: code0, code1");
    d = rich();
    d["channels"][1]["samples"][0]["modifiers"][0]["data"]["lo"] = -0.5;
    expect_refused(d, "channels[1].samples[0].modifiers[0].data.lo", "-0.5: a factor of the exponential");
    d = rich();
    d["channels"][1]["samples"][0]["modifiers"][1]["data"] = {-6};
    expect_refused(d, "channels[1].samples[0].modifiers[1].data[0]", "-6: must be >= 0");
    d = rich();
    d["channels"][0]["samples"][1]["data"] = {30};
    expect_refused(d, "channels[0].samples[1].data", "1 numbers, must be 2");
    d = rich();
    d["channels"][0]["samples"][0]["colour"] = "red";
    expect_refused(d, "channels[0].samples[0].colour", "unknown key (allowed: name, data, modifiers)");
    d = rich();
    d["observations"][1]["name"] = "VR";
    expect_refused(d, "observations[1].name", "'VR': no channel of this name");
    d = rich();
    d["observations"].erase(1);
    expect_refused(d, "observations", "channel 'CR' (channels[1]) has no observation");
    d = rich();
    d["measurements"][0]["config"]["poi"] = "nu";
    expect_refused(d, "measurements[0]", "poi 'nu'");
    d = rich();
    d["measurements"][0]["config"]["parameters"][0].erase("sigmas");
    expect_refused(d, "measurements[0]", "'lumi' needs auxdata and sigmas");
    d = rich();
    d["measurements"][0]["config"]["parameters"][1]["bounds"] = {{5, 0}};
    expect_refused(d, "measurements[0].config.parameters[1].bounds[0]", "lower < upper");
    d = rich();
    d["version"] = "2.0.0";
    expect_refused(d, "version", "version 1.0.0");
    d = rich();
    d.erase("measurements");
    expect_refused(d, "", "the key 'measurements' is missing");
    // not JSON at all: the file and line
    const auto path = std::filesystem::temp_directory_path() / "hepkit_hf_bad.json";
    std::ofstream(path) << "{\n \"channels\": [,]\n}\n";
    try {
        (void)read_workspace(path.string());
        ADD_FAILURE() << "accepted broken JSON";
    } catch (const InputError& e) {
        EXPECT_EQ(e.file(), path.string());
        EXPECT_EQ(e.line(), 2);
    }
    std::filesystem::remove(path);
}

// ---- pyhf's published CLs of its hello-world model ----

double Phi(double x) {
    return 0.5 * std::erfc(-x / std::sqrt(2.0));
}

// 2·(−ln L) minimised with μ held at `mu` (nullopt: free).
FitResult fit_at(const Model& m, std::optional<double> mu) {
    Fit fit = make_fit(m);
    if (mu)
        fit.fix("mu", *mu);
    return fit.run();
}

TEST(HistFactoryJson, PyhfHelloWorldCLs) {
    const Model m(read_workspace(kSimple));
    ASSERT_EQ(m.names(), (std::vector<std::string>{"mu", "uncorr_bkguncrt[0]", "uncorr_bkguncrt[1]"}));
    EXPECT_NEAR(m.auxdata()[1], (50.0 / 3) * (50.0 / 3), 1e-12);
    EXPECT_NEAR(m.auxdata()[2], (52.0 / 7) * (52.0 / 7), 1e-12);
    // q̃_1 on the data
    const FitResult free = fit_at(m, std::nullopt), held = fit_at(m, 1.0);
    ASSERT_TRUE(free.converged && held.converged) << free.message << held.message;
    const double q = free.values[0] <= 1 ? std::max(0.0, held.cost - free.cost) : 0.0;
    // q̃_1 on the Asimov data of μ = 0 with the nuisances at their fit to the data under μ = 0
    const FitResult bonly = fit_at(m, 0.0);
    ASSERT_TRUE(bonly.converged) << bonly.message;
    const Model asimov = m.asimov(bonly.values);
    const FitResult held_a = fit_at(asimov, 1.0);
    ASSERT_TRUE(held_a.converged) << held_a.message;
    const double qA = held_a.cost - 2 * asimov.nll(bonly.values); // the Asimov minimum is at bonly
    ASSERT_GT(qA, 0);
    const double sq = std::sqrt(q), sqA = std::sqrt(qA);
    double clsb, clb;
    if (q <= qA) {
        clsb = 1 - Phi(sq);
        clb = Phi(sqA - sq);
    } else {
        clsb = 1 - Phi((q + qA) / (2 * sqA));
        clb = 1 - Phi((q - qA) / (2 * sqA));
    }
    // pyhf 0.7 prints 0.05251497 and 0.06445321 (earlier versions 0.0525151, 0.0644537: minimiser
    // tolerance): agreement to 1e-5 absolute is what the published digits support.
    EXPECT_NEAR(clsb / clb, 0.05251497, 1e-5);
    EXPECT_NEAR(2 * (1 - Phi(sqA)), 0.06445321, 1e-5); // median expected: CLs+b/CLb at q̃ = q_A
}

} // namespace
} // namespace hepkit::fit::hf
