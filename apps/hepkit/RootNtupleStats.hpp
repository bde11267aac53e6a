#pragma once
// `hepkit root stats --ntuple`: kept apart from RootCommands.hpp (which includes the CLI's sim
// headers) so that test_io_rntuple, which links hepkit::io only, can compile it in.

#include <string>

namespace hepkit::app {

/// `hepkit root stats FILE --ntuple NAME [--branches PATTERN] --json OUT`: n, sum, min and max of
/// every numeric top-level field of the RNTuple `ntuple` (entries read cluster by cluster), in
/// the schema of the tree statistics with the key "ntuple" instead of "tree". `branch_pattern`:
/// comma-separated shell globs (`Muon_*,nMuon`), empty for all fields. `json_out`: the output
/// file, or "-" for standard output. `threads` ≥ 1: page decompression threads. Returns the exit
/// code (0); bad input throws hepkit::InputError, an unwritable output hepkit::OutputError.
int root_ntuple_stats(const std::string& file, const std::string& ntuple, const std::string& branch_pattern,
                      const std::string& json_out, int threads);

} // namespace hepkit::app
