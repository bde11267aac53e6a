#pragma once
/// @file
/// A run's structure, as the configuration (Config.hpp) builds it and the Runner executes it:
/// inputs, a global part, shifts, local pipelines (ARTUS, arXiv:1511.00852).
///
///  - The global part's producers and filters run once per batch (per shift only where a shift
///    reaches them).
///  - Each local pipeline (a selection) continues from the global part with its own producers,
///    filters and consumers, for the nominal and for each shift it lists.
///  - A shift replaces products (an input branch such as Muon_pt, or a weight) with other
///    producers' outputs of the same type and shape. Under a shift, a step runs again only when
///    it reads a shifted product (directly or through other products) or follows a filter that
///    ran again; everything else is shared with the nominal, not copied. Outputs of a shifted
///    pipeline are named `name__shift`.

#include "hepkit/events/Step.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace hepkit::events {

/// One processor of a sequence, in order.
using AnyStep = std::variant<std::shared_ptr<Producer>, std::shared_ptr<Filter>, std::shared_ptr<Consumer>>;

struct Inputs {
    std::vector<std::string> files; ///< ROOT files, read as one chain (global entry range)
    std::string tree = "Events";
    std::int64_t first_entry = 0;
    std::int64_t max_entries = -1; ///< −1: all
    /// Entries per batch (a batch never spans two files; the cut does not depend on the threads,
    /// so outputs do not either). 0: the files' clusters.
    std::int64_t batch_entries = 0;
};

struct Shift {
    std::string name; ///< "muon_scale_up"; outputs become `name__muon_scale_up`
    /// Products replaced: each producer makes one product of the replaced one's type and shape,
    /// which takes the name of the product it replaces for this shift's steps.
    struct Replacement {
        std::string product;
        std::shared_ptr<Producer> producer;
    };
    std::vector<Replacement> replaces;
};

struct Pipeline {
    std::string name;                ///< output subfolder
    std::vector<AnyStep> steps;      ///< producers, filters and consumers, in order
    std::vector<std::string> shifts; ///< shifts it also runs under (the nominal always runs)
    std::string weight;              ///< product weighting its cut flow ("" = 1)
};

struct Plan {
    Inputs inputs;
    std::vector<AnyStep> global; ///< producers and filters (no consumers)
    std::vector<Shift> shifts;
    std::vector<Pipeline> pipelines;
    std::string source; ///< the configuration file, for messages
    /// Where the configuration (or an include) defines a shift, a pipeline or a pipeline's key,
    /// by key: "shifts.up", "pipelines.p", "pipelines.p.shifts", "pipelines.p.weight"; the
    /// runner's messages name it (a key not here: `source`, no line).
    struct Place {
        std::string file;
        int line = 0;
    };
    std::map<std::string, Place> places;
    /// Row-level sharing (docs/events.md): under a shift, a step that runs again computes only the
    /// rows where what it reads differs from the nominal's (bit for bit) or that the nominal
    /// dropped; the other rows take the nominal's values. Exact for steps whose value for an event
    /// depends on that event alone (Step.hpp); false computes every selected row again.
    bool row_sharing = true;
};

} // namespace hepkit::events
