// Where the fit plot script is found (plot_script_candidates, find_plot_script) and how it is run
// (write_plots: a child process with an argument vector, its stderr in the error message).

#include "hepkit/fit/FitPlot.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <optional>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace hepkit::fit {
namespace {

namespace fs = std::filesystem;

// A private folder per test, removed at the end; HEPKIT_PLOT_SCRIPT restored as it was.
class PlotScript : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("hepkit-plot-script-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        if (const char* env = std::getenv("HEPKIT_PLOT_SCRIPT"))
            saved_ = env;
        ::unsetenv("HEPKIT_PLOT_SCRIPT");
    }
    void TearDown() override {
        if (saved_)
            ::setenv("HEPKIT_PLOT_SCRIPT", saved_->c_str(), 1);
        else
            ::unsetenv("HEPKIT_PLOT_SCRIPT");
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    fs::path write(const fs::path& name, const std::string& text) {
        const fs::path p = dir_ / name;
        fs::create_directories(p.parent_path());
        std::ofstream(p) << text;
        return p;
    }
    fs::path dir_;
    std::optional<std::string> saved_;
};

// the smallest description write_plots accepts
const nlohmann::json one_fit = {{"type", "xy"}};

TEST_F(PlotScript, EnvironmentVariableWinsOverTheProgramDirectory) {
    const fs::path beside = write("bin/hepkit_fit_plot.py", "# next to the program\n");
    const fs::path chosen = write("mine/my_plot.py", "# the user's own\n");
    ::setenv("HEPKIT_PLOT_SCRIPT", chosen.c_str(), 1);
    EXPECT_EQ(find_plot_script(beside.parent_path()), chosen);
    ASSERT_EQ(plot_script_candidates(beside.parent_path()).size(), 1u); // nothing else is looked at
}

TEST_F(PlotScript, ProgramDirectoryComesFirstWithoutTheVariable) {
    const fs::path beside = write("bin/hepkit_fit_plot.py", "# next to the program\n");
    EXPECT_EQ(find_plot_script(beside.parent_path()), beside);
    const auto places = plot_script_candidates(beside.parent_path());
    ASSERT_GE(places.size(), 2u); // then the install data directory and/or the source tree
    EXPECT_EQ(places.front(), beside);
    // without a program directory the search goes on to the source tree's copy (this build's)
    EXPECT_EQ(find_plot_script({}).filename(), "hepkit_fit_plot.py");
}

TEST_F(PlotScript, MissingScriptNamesThePlacesSearched) {
    const fs::path missing = dir_ / "nowhere" / "hepkit_fit_plot.py";
    ::setenv("HEPKIT_PLOT_SCRIPT", missing.c_str(), 1);
    try {
        find_plot_script(dir_);
        FAIL() << "a missing script was found";
    } catch (const std::runtime_error& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("hepkit_fit_plot.py is missing"), std::string::npos) << m;
        EXPECT_NE(m.find(missing.string()), std::string::npos) << m;
        EXPECT_NE(m.find("HEPKIT_PLOT_SCRIPT"), std::string::npos) << m;
    }
    EXPECT_THROW(write_plots({one_fit}, (dir_ / "out.png").string(), dir_), std::runtime_error);
    EXPECT_FALSE(fs::exists(dir_ / "out.png"));
}

TEST_F(PlotScript, RunWithoutAShellEvenForQuotesAndSpacesInPaths) {
    // a script and an output whose names a shell would split or expand: passed as they are
    const fs::path script =
        write("it's a $dir/plot; rm -rf x.py", "import json, sys\n"
                                               "d = json.load(open(sys.argv[1]))\n"
                                               "open(sys.argv[2], 'w').write(str(len(d['fits'])))\n");
    ::setenv("HEPKIT_PLOT_SCRIPT", script.c_str(), 1);
    const fs::path out = dir_ / "it's a $dir" / "out `x`.png";
    write_plots({one_fit}, out.string(), {});
    std::ifstream in(out);
    std::string text;
    in >> text;
    EXPECT_EQ(text, "1"); // the script read the description and wrote where it was told
}

TEST_F(PlotScript, FailingScriptReportsItsExitStatusAndStderr) {
    const fs::path script =
        write("fail.py", "import sys\nsys.stderr.write('boom: no axes\\n')\nsys.exit(3)\n");
    ::setenv("HEPKIT_PLOT_SCRIPT", script.c_str(), 1);
    try {
        write_plots({one_fit}, (dir_ / "out.svg").string(), {});
        FAIL() << "a failing script was not reported";
    } catch (const std::runtime_error& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("exit 3"), std::string::npos) << m;
        EXPECT_NE(m.find("boom: no axes"), std::string::npos) << m;
        EXPECT_NE(m.find(script.string()), std::string::npos) << m;
    }
    // exit 4 is the script's code for a failed import: the message says what to install
    const fs::path imports = write("imports.py", "import sys\nsys.exit(4)\n");
    ::setenv("HEPKIT_PLOT_SCRIPT", imports.c_str(), 1);
    try {
        write_plots({one_fit}, (dir_ / "out.svg").string(), {});
        FAIL() << "a failed import was not reported";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("python3-matplotlib"), std::string::npos) << e.what();
    }
}

} // namespace
} // namespace hepkit::fit
