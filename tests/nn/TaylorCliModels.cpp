// Writes the TorchScript models of the `hepkit nn taylor` command-line tests
// (tests/integration/CMakeLists.txt, nn.taylor_*): the polynomial f = x·y + x·y² + y³ of the
// reference table (reference/analysis-methods §3), once with hepkit's metadata naming its inputs
// x and y, once without any.
//
// usage: taylor_cli_models NAMED.pt UNNAMED.pt

#include "ScriptModels.hpp"

#include <cstdio>

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: taylor_cli_models NAMED.pt UNNAMED.pt\n");
        return 64;
    }
    const char* source = "def forward(self, x):\n"
                         "    a = x[:, 0]\n"
                         "    b = x[:, 1]\n"
                         "    return (a * b + a * b * b + b * b * b).unsqueeze(1)\n";
    hepkit::nn::test::save_script_model(argv[1], source, {}, R"({"input_names": ["x", "y"]})");
    hepkit::nn::test::save_script_model(argv[2], source);
    return 0;
}
