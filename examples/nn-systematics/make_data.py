#!/usr/bin/python3
"""Writes the toy data sets of systematics-aware training (issue 17, docs/nn-systematics.md):
make_data.py OUTDIR [EVENTS]

OUTDIR/kit/{signal,background,background_up,background_down}.csv
    The KIT toy (arXiv:2003.07186, analysis-methods README §2): x0, x1 with signal N((-1,-1), I),
    background N((1,1), I); the systematic shifts the background mean in x1 by ±1 (up: (1,2),
    down: (1,0)).
OUTDIR/inferno/{signal,background}.csv
    The INFERNO synthetic benchmark (arXiv:1806.04743, README §1): x0, x1 with signal N((0,0), I),
    background N((2,0), diag(5, 9)); x2 exponential with rate 2 (signal) and 3 (background). The
    nuisances r and lambda act on the background's inputs in the training configurations.

EVENTS per sample (default 20000). Columns: event (for the split), the features. Seeded, pure
Python (random.Random): the same files on every machine.
"""
import math
import os
import random
import sys


def write(path, header, rows):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("event," + ",".join(header) + "\n")
        for i, row in enumerate(rows):
            f.write(f"{i}," + ",".join(f"{v:.9g}" for v in row) + "\n")
    os.replace(tmp, path)


def main():
    if len(sys.argv) not in (2, 3):
        print("usage: make_data.py OUTDIR [EVENTS]", file=sys.stderr)
        return 1
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) == 3 else 20000
    if n < 10:
        print(f"make_data.py: EVENTS = {n}, must be >= 10", file=sys.stderr)
        return 1
    os.makedirs(os.path.join(out, "kit"), exist_ok=True)
    os.makedirs(os.path.join(out, "inferno"), exist_ok=True)
    rng = random.Random(20031807)  # one stream per file, in a fixed order
    kit = {"signal": (-1, -1), "background": (1, 1), "background_up": (1, 2), "background_down": (1, 0)}
    for name, (m0, m1) in kit.items():
        rows = [(rng.gauss(m0, 1), rng.gauss(m1, 1)) for _ in range(n)]
        write(os.path.join(out, "kit", name + ".csv"), ["x0", "x1"], rows)
    rows = [(rng.gauss(0, 1), rng.gauss(0, 1), rng.expovariate(2.0)) for _ in range(n)]
    write(os.path.join(out, "inferno", "signal.csv"), ["x0", "x1", "x2"], rows)
    rows = [(rng.gauss(2, math.sqrt(5)), rng.gauss(0, 3), rng.expovariate(3.0)) for _ in range(n)]
    write(os.path.join(out, "inferno", "background.csv"), ["x0", "x1", "x2"], rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
