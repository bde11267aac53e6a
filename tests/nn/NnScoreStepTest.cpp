// The `nn_score` producer of hepkit events (apps/hepkit/NnScoreStep.cpp): a network's output on
// the selected rows of a batch, zero on the others; its configuration errors.

#include "NnScoreStep.hpp"
#include "ScriptModels.hpp"

#include "hepkit/core/Error.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

namespace fs = std::filesystem;
namespace ev = hepkit::events;

namespace {

struct Fixture {
    fs::path dir = fs::temp_directory_path() / ("hepkit_nn_score_" + std::to_string(::getpid()));
    ev::Registry registry;
    Fixture() {
        fs::create_directories(dir);
        hepkit::app::register_nn_steps(registry);
        // score = sigmoid(a - 2 b), inputs named a and b
        hepkit::nn::test::save_script_model(
            (dir / "model.pt").string(),
            "def forward(self, x):\n    return torch.sigmoid(torch.linear(x, self.w, self.b))\n",
            {{"w", torch::tensor({{1.0f, -2.0f}})}, {"b", torch::tensor({0.0f})}},
            R"({"input_names": ["a", "b"]})");
    }
    ~Fixture() { fs::remove_all(dir); }
    std::unique_ptr<ev::Producer> make(const std::string& yaml) {
        const std::string file = (dir / "run.yaml").string();
        ev::StepConfig config{ev::StepPlace{"producer", "dnn", file, 3},
                              hepkit::config::YamlView(YAML::Load(yaml), file, "producers[0]")};
        return registry.make_producer("nn_score", config);
    }
};

hepkit::io::Column floats(const std::string& name, std::vector<float> v) {
    auto c = hepkit::io::Column::make(name, hepkit::io::ColumnType::Float32);
    c.mut<float>() = std::move(v);
    return c;
}

} // namespace

TEST(NnScoreStep, ScoresTheSelectedRows) {
    Fixture f;
    auto step = f.make("{type: nn_score, model: model.pt, output: score}"); // inputs: the model's names
    EXPECT_EQ(step->inputs(), (std::vector<std::string>{"a", "b"}));
    ev::Schema schema;
    const auto a = schema.add({"a", hepkit::io::ColumnType::Float32, false}, "branch");
    const auto b = schema.add({"b", hepkit::io::ColumnType::Float32, false}, "branch");
    const auto infos = step->declare(schema);
    ASSERT_EQ(infos.size(), 1u);
    EXPECT_EQ(infos[0].name, "score");
    const auto out = schema.add(infos[0], "producer dnn");
    step->outputs_declared(std::vector<ev::ProductId>{out});
    ev::Batch batch(schema, 0, 4);
    batch.put(a, floats("a", {1, 2, 3, 4}));
    batch.put(b, floats("b", {0, 1, 0.5f, 3}));
    batch.set_rows({0, 2, 3});
    step->produce(batch);
    const auto s = batch.get(out).as<float>();
    auto sigmoid = [](double z) { return static_cast<float>(1 / (1 + std::exp(-z))); };
    EXPECT_FLOAT_EQ(s[0], sigmoid(1));
    EXPECT_EQ(s[1], 0.0f); // not selected
    EXPECT_FLOAT_EQ(s[2], sigmoid(2));
    EXPECT_FLOAT_EQ(s[3], sigmoid(-2));
}

TEST(NnScoreStep, ConfigurationErrorsNameTheKey) {
    Fixture f;
    EXPECT_THROW(f.make("{type: nn_score, model: missing.pt}"), hepkit::InputError);
    try {
        f.make("{type: nn_score, model: model.pt, inputs: [a]}");
        FAIL();
    } catch (const hepkit::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("takes 2 inputs"), std::string::npos) << e.what();
    }
    EXPECT_THROW(f.make("{type: nn_score, model: model.pt, nodes: 1}"), hepkit::InputError); // typo
    auto step = f.make("{type: nn_score, model: model.pt, inputs: [a, jets]}");
    ev::Schema schema;
    schema.add({"a", hepkit::io::ColumnType::Float32, false}, "branch");
    schema.add({"jets", hepkit::io::ColumnType::Float32, true}, "branch");
    try {
        step->declare(schema);
        FAIL();
    } catch (const hepkit::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("one number per event"), std::string::npos) << e.what();
    }
}
