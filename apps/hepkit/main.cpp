// hepkit: one command-line tool, one subcommand per capability.

#include "Commands.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/Version.hpp"

#include <cstdio>
#include <iostream>

int main(int argc, char** argv) {
    CLI::App app{
        "hepkit - HEP computing and analysis toolkit.\n\n"
        "Simulate HEP workloads on grid and batch infrastructures (hepkit sim), generate WLCG-scale\n"
        "scenarios (hepkit generate wlcg), plan GPU sharing (hepkit gpu-plan, hepkit gpu-bench) fit models "
        "to data (hepkit fit) and, in "
        "later releases, analyse events. Run 'hepkit "
        "SUBCOMMAND --help' for details.",
        "hepkit"};
    app.set_version_flag("--version", std::string("hepkit ") + hepkit::version_string);
    app.require_subcommand(1);
    app.fallthrough(); // global options are accepted after the subcommand too
    hepkit::app::GlobalOptions globals;
    app.add_option("--log-level", globals.log_level, "trace, debug, info, warning (default), error or off")
        ->check(CLI::IsMember({"trace", "debug", "info", "warning", "error", "off"}));
    app.add_flag("-q,--quiet", globals.quiet, "print no progress and no summary, only errors");

    auto run_sim = hepkit::app::add_sim_command(app, globals);
    auto run_generate = hepkit::app::add_generate_command(app, globals);
    auto run_gpu_plan = hepkit::app::add_gpu_plan_command(app, globals);
    auto run_gpu_bench = hepkit::app::add_gpu_bench_command(app, globals);
    auto run_fit = hepkit::app::add_fit_command(app, globals);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    try {
        if (app.got_subcommand("sim"))
            return run_sim();
        if (app.got_subcommand("generate"))
            return run_generate();
        if (app.got_subcommand("gpu-plan"))
            return run_gpu_plan();
        if (app.got_subcommand("gpu-bench"))
            return run_gpu_bench();
        if (app.got_subcommand("fit"))
            return run_fit();
    } catch (const hepkit::InputError& e) {
        std::fprintf(stderr, "hepkit: error: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "hepkit: error: %s\n", e.what());
        return 1;
    }
    return 0;
}
