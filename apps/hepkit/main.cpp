// hepkit: one command-line tool, one subcommand per capability.

#include "Commands.hpp"
#include "ExitCodes.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/Version.hpp"

#include <cstdio>
#include <iostream>
#include <new>

int main(int argc, char** argv) {
    CLI::App app{
        "hepkit - HEP computing and analysis toolkit.\n\n"
        "Simulate HEP workloads on grid and batch infrastructures (hepkit sim), generate WLCG-scale\n"
        "scenarios (hepkit generate wlcg), plan GPU sharing (hepkit gpu-plan, hepkit gpu-bench) fit models "
        "to data (hepkit fit), read ROOT files without ROOT (hepkit root) and process events in "
        "pipelines per systematic shift (hepkit events), train networks and rank what they learned (hepkit "
        "nn) and learn fast emulators of the simulator (hepkit surrogate). "
        "Run 'hepkit "
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
    auto run_root = hepkit::app::add_root_command(app, globals);
    auto run_events = hepkit::app::add_events_command(app, globals);
    auto run_nn = hepkit::app::add_nn_command(app, globals);
    auto run_infer = hepkit::app::add_infer_command(app, globals);
    auto run_surrogate = hepkit::app::add_surrogate_command(app, globals);

    // One exit-code table for every subcommand (ExitCodes.hpp), shown at the end of each --help.
    app.footer(hepkit::app::exit_code_table);
    for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
        sub->footer(hepkit::app::exit_code_table);
        for (CLI::App* subsub : sub->get_subcommands([](CLI::App*) { return true; }))
            subsub->footer(hepkit::app::exit_code_table);
    }

    using namespace hepkit::app;
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version end here too, with CLI11's code 0
        const int code = app.exit(e);
        return code == 0 ? exit_ok : exit_usage;
    }
    auto report = [](const char* kind, const std::exception& e) {
        std::fprintf(stderr, "hepkit: %s%s\n", kind, e.what());
    };
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
        if (app.got_subcommand("root"))
            return run_root();
        if (app.got_subcommand("events"))
            return run_events();
        if (app.got_subcommand("nn"))
            return run_nn();
        if (app.got_subcommand("infer"))
            return run_infer();
        if (app.got_subcommand("surrogate"))
            return run_surrogate();
    } catch (const hepkit::UsageError& e) {
        report("error: ", e);
        std::fputs("Run with --help for more information.\n", stderr);
        return exit_usage;
    } catch (const hepkit::OutputError& e) {
        report("error: ", e);
        return exit_output;
    } catch (const hepkit::InputError& e) {
        report("error: ", e);
        return exit_input;
    } catch (const std::bad_alloc&) {
        std::fputs("hepkit: error: out of memory\n", stderr);
        return exit_internal;
    } catch (const std::exception& e) {
        report("internal error (please report it): ", e);
        return exit_internal;
    }
    return exit_ok;
}
