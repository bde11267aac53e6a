#pragma once
// The command-line tool's policy for hepkit::Progress (include/hepkit/core/Progress.hpp): the line
// goes to stderr, only when stderr is a terminal (a log file or a pipe gets no carriage-return
// clutter), never with -q, and only for runs longer than `first_after_s` (short runs print
// nothing). HEPKIT_PROGRESS=1 forces it on without a terminal and from the first update (for
// tests and for logs that want it); HEPKIT_PROGRESS=0 turns it off.

#include "hepkit/core/Progress.hpp"

namespace hepkit::app {

class ProgressLine : public hepkit::Progress {
  public:
    /// At most one line per `interval_s` seconds.
    explicit ProgressLine(bool quiet, double first_after_s = 1.0, double interval_s = 1.0);
};

} // namespace hepkit::app
