#pragma once
/// @file
/// A HistFactory workspace built from the histograms `hepkit events` writes (their JSON:
/// edges, counts, sumw2; docs/events-outputs.md), described in YAML (docs/infer.md, "From hepkit
/// events histograms"):
///
///     channels:
///       - name: zmm
///         data: data/zmm/mass.json                  # the observation: its counts
///         samples:
///           - name: dy
///             histogram: mc/zmm/mass.json           # the nominal template: its counts
///             staterror: stat_zmm                   # per-bin MC statistics from sqrt(sumw2)
///             modifiers:
///               - {name: mu, type: normfactor}
///               - {name: lumi, type: lumi}
///               - {name: xsec, type: normsys, hi: 1.05, lo: 0.95}
///               - {name: mu_scale, type: histosys, hi: mc/zmm/mass__mu_scale_up.json,
///                  lo: mc/zmm/mass__mu_scale_down.json, interpcode: smooth}
///     measurements:
///       - {name: zmm, poi: mu, parameters: [{name: lumi, auxdata: [1.0], sigmas: [0.017]}]}
///
/// Paths are relative to the YAML file. The result is the pyhf document these histograms make,
/// read by parse_workspace, so every rule of the JSON format holds; read_workspace() takes such a
/// YAML file too (by its extension .yaml/.yml), so `hepkit infer spec.yaml` fits it directly.

#include "hepkit/fit/HistFactory.hpp"

#include <nlohmann/json.hpp>
#include <string>

namespace hepkit::fit::hf {

/// The pyhf JSON document of the YAML description at `path`. Throws hepkit::InputError naming
/// the YAML file, line and key, or the histogram file and what is wrong with it (not a histogram
/// of hepkit events, binnings that differ within a channel, a template of the wrong length).
nlohmann::json workspace_document_from_histograms(const std::string& path);

/// parse_workspace(workspace_document_from_histograms(path), path).
Workspace build_workspace(const std::string& path);

} // namespace hepkit::fit::hf
