#!/usr/bin/python3
"""Tests tools/check-includes.py on small trees written here: each case states the tree, the table
and what the checker must say (ctest arch.check_includes_selftest).

usage: check_includes_test.py CHECKER
"""

import os
import subprocess
import sys
import tempfile

TABLE = """\
core ->
fit -> core
sim/engine -> core
sim/platform -> sim/engine
sim -> sim/platform
apps/hepkit -> fit sim
"""


def run(checker, files, table=TABLE):
    with tempfile.TemporaryDirectory() as repo:
        files = dict(files)
        files["src/dependencies.txt"] = table
        for path, text in files.items():
            os.makedirs(os.path.join(repo, os.path.dirname(path)), exist_ok=True)
            with open(os.path.join(repo, path), "w") as f:
                f.write(text)
        p = subprocess.run([sys.executable, checker, repo], capture_output=True, text=True)
        return p.returncode, p.stdout + p.stderr


def expect(name, result, rc, *fragments):
    got_rc, out = result
    missing = [f for f in fragments if f not in out]
    if got_rc != rc or missing:
        print("FAIL %s: exit %d (want %d), missing %s in:\n%s" % (name, got_rc, rc, missing, out))
        return 1
    print("ok   %s" % name)
    return 0


def main(checker):
    bad = 0
    # downward includes, transitively (sim -> sim/platform -> sim/engine -> core) and the
    # including module's own headers: allowed
    bad += expect("allowed", run(checker, {
        "include/hepkit/sim/Simulation.hpp": '#include "hepkit/sim/engine/Engine.hpp"\n#include "hepkit/core/Units.hpp"\n',
        "src/sim/Simulation.cpp": '#include "hepkit/sim/Simulation.hpp"\n#include <vector>\n#include "Local.hpp"\n',
        "apps/hepkit/main.cpp": '#include "hepkit/fit/Fit.hpp"\n#include "hepkit/sim/Simulation.hpp"\n',
    }), 0, "follow")
    # upward (engine -> platform) and sideways (fit -> sim): named with file:line and the rule
    bad += expect("upward and sideways", run(checker, {
        "include/hepkit/sim/engine/Engine.hpp": '#pragma once\n#include "hepkit/sim/platform/Platform.hpp"\n',
        "src/fit/Fit.cpp": '#include <cmath>\n\n#include <hepkit/sim/Simulation.hpp>\n',
    }), 1, 'include/hepkit/sim/engine/Engine.hpp:2: includes "hepkit/sim/platform/Platform.hpp": '
           "sim/engine may not include sim/platform",
       "src/fit/Fit.cpp:3: includes <hepkit/sim/Simulation.hpp>: fit may not include sim",
       "2 include(s)")
    # a relative include that leaves the module counts like a hepkit/ include
    bad += expect("relative", run(checker, {"src/core/Log.cpp": '#include "../fit/Internal.hpp"\n'}), 1,
                  'src/core/Log.cpp:1: includes "../fit/Internal.hpp": core may not include fit')
    # exceptions are gone (the include views would not compile what they tolerated): refused
    bad += expect("exception refused", run(checker, {"src/core/Log.cpp": '#include "hepkit/fit/Fit.hpp"\n'},
                                           TABLE + "except core/Log.cpp -> fit/Fit.hpp\n"), 1,
                  "dependencies.txt:7: 'except' lines are gone")
    # a module missing from the table, an arrow to an unknown node, a malformed line
    bad += expect("unknown module", run(checker, {"src/nn/Net.cpp": "\n"}), 1,
                  "src/nn/Net.cpp: in no node of src/dependencies.txt")
    bad += expect("unknown arrow", run(checker, {}, TABLE + "io -> expr\n"), 1,
                  "'io -> expr': 'expr' is not a node of the table")
    bad += expect("malformed", run(checker, {}, TABLE + "fit core\n"), 1,
                  "dependencies.txt:7: expected 'NODE -> NODE ...'")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
