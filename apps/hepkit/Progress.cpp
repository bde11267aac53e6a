#include "Progress.hpp"

#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace hepkit::app {
namespace {

hepkit::Progress::Config terminal_policy(bool quiet, double first_after_s, double interval_s) {
    hepkit::Progress::Config c;
    c.enabled = !quiet && ::isatty(STDERR_FILENO) == 1;
    c.first_after_s = first_after_s;
    c.interval_s = interval_s;
    if (const char* env = std::getenv("HEPKIT_PROGRESS"); env && !quiet) {
        c.enabled = std::strcmp(env, "0") != 0;
        if (c.enabled)
            c.first_after_s = 0; // forced (tests, logs): from the first update on, still rate limited
    }
    return c;
}

} // namespace

ProgressLine::ProgressLine(bool quiet, double first_after_s, double interval_s)
    : hepkit::Progress(terminal_policy(quiet, first_after_s, interval_s), stderr) {}

} // namespace hepkit::app
