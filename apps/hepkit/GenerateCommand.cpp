// `hepkit generate wlcg`: writes a WLCG-scale grid scenario that `hepkit sim` runs.

#include "CliChecks.hpp"
#include "Commands.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/Units.hpp"
#include "hepkit/sim/grid/WlcgGenerator.hpp"

#include <fmt/format.h>
#include <memory>

namespace hepkit::app {

std::function<int()> add_generate_command(CLI::App& app, const GlobalOptions& globals) {
    struct Options {
        std::string dir;
        std::string preset = "full";
        long long jobs = -1, tier1 = -1, tier2 = -1;
        double hours = -1;
        long long seed = 1;
    };
    auto o = std::make_shared<Options>();
    CLI::App* gen = app.add_subcommand("generate", "Generate scenarios.");
    gen->require_subcommand(1);
    CLI::App* wlcg = gen->add_subcommand(
        "wlcg",
        "Write a WLCG day: sites in tiers (Tier-0, Tier-1s, Tier-2s) with cores, storage and caches,\n"
        "a wide-area network, datasets with replicas and production, reprocessing, analysis and\n"
        "ML-training jobs, as DIR/scenario.yaml with its platform (SimGrid XML) and DCSim JSON files.\n"
        "Figures and their sources: docs/wlcg.md.  Then: hepkit sim DIR/scenario.yaml");
    wlcg->add_option("-o,--output-dir", o->dir, "directory to write (created)")->required();
    wlcg->add_option("--scale", o->preset,
                     "preset: tiny (10 sites, 2000 jobs), small (30 sites, 20k jobs), medium (100 sites, "
                     "200k jobs), full (164 sites, 1.2M jobs; default)")
        ->check(CLI::IsMember({"tiny", "small", "medium", "full"}));
    wlcg->add_option("--jobs", o->jobs, "number of jobs (overrides the preset)")
        ->check(integer_in(1, 100000000));
    wlcg->add_option("--tier1", o->tier1, "number of Tier-1 sites (overrides the preset)")
        ->check(integer_in(1, 100));
    wlcg->add_option("--tier2", o->tier2, "number of Tier-2 sites (overrides the preset)")
        ->check(integer_in(1, 10000));
    wlcg->add_option("--hours", o->hours, "simulated horizon in hours (overrides the preset)")
        ->check(real_in(5, 744));
    wlcg->add_option("-s,--seed", o->seed, "seed (default 1)")->check(integer_in(0, 1LL << 62));
    return [o, wlcg, &globals]() {
        if (!wlcg->parsed())
            return 0;
        sim::WlcgSpec spec = sim::WlcgSpec::preset(o->preset);
        if (o->jobs > 0)
            spec.jobs = static_cast<std::uint64_t>(o->jobs);
        if (o->tier1 > 0)
            spec.tier1 = static_cast<int>(o->tier1);
        if (o->tier2 > 0)
            spec.tier2 = static_cast<int>(o->tier2);
        if (o->hours > 0)
            spec.hours = o->hours;
        spec.seed = static_cast<std::uint64_t>(o->seed);
        const auto sum = sim::generate_wlcg(spec, o->dir);
        if (!globals.quiet)
            fmt::print("hepkit generate wlcg: {} sites ({} Tier-1, {} Tier-2), {} cores, {} disk, {} jobs, "
                       "{} files\n"
                       "  wrote {}/scenario.yaml, platform.xml, datasets.json, workloads.json\n",
                       sum.sites, spec.tier1, spec.tier2, sum.cores, units::format_bytes(sum.disk_bytes),
                       sum.jobs, sum.files, o->dir);
        return 0;
    };
}

} // namespace hepkit::app
