#pragma once
// The exit codes of every hepkit subcommand: one table, documented in README.md ("Exit codes"),
// printed at the end of `hepkit --help` and of each subcommand's --help.
//
// Why these numbers: 0 and 1 keep their universal meaning (success, "something went wrong" —
// here reserved for internal errors, i.e. bugs to report); 2 has been hepkit's input-error code
// since the first release and scripts test for it; 3 is the fit's "did not converge" (results
// are still written, flagged); 4 separates "the inputs were fine but an output could not be
// made" (full disk, missing directory, plot script failing), which a batch wrapper retries
// differently from bad input; 64 is EX_USAGE of BSD's sysexits.h, the one widespread convention
// for a command line that cannot be run, instead of CLI11's internal numbers (105, 106, ...).
// Signals are not caught for an exit code: a killed run ends "killed by signal N" (128 + N).

namespace hepkit::app {

enum ExitCode : int {
    exit_ok = 0,
    exit_internal = 1,      ///< unexpected failure inside hepkit (a bug; please report it)
    exit_input = 2,         ///< bad input: a file, a value, a key; the message names it
    exit_not_converged = 3, ///< hepkit fit: a fit did not converge (its report is still written)
    exit_output = 4,        ///< an output could not be written, or the plot/measurement helper failed
    exit_usage = 64,        ///< the command line cannot be run (unknown option, bad value, conflict)
};

/// The table as shown at the end of --help.
inline constexpr const char* exit_code_table =
    "Exit codes (the same for every subcommand):\n"
    "  0   success\n"
    "  1   internal error (a bug in hepkit: please report it)\n"
    "  2   input error: a file or value is wrong (the message names file, line and key)\n"
    "  3   fit did not converge (hepkit fit; the report is still written)\n"
    "  4   output error: an output cannot be written, or the plot/measurement helper failed\n"
    "  64  command-line usage error (unknown option, bad option value, conflicting options)\n"
    "  128+N  killed by signal N (temporary output files are removed)";

} // namespace hepkit::app
