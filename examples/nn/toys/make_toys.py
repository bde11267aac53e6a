#!/usr/bin/python3
"""Writes the two toy data sets of the Taylor-coefficient paper (arXiv:1803.08782, section 4):
make_toys.py OUTDIR [EVENTS]

OUTDIR/mean_shift/{signal,background}.csv
    x1: signal N(+0.5, 1), background N(-0.5, 1)  (the classes differ by a mean shift in x1)
    x2: N(0, 1) for both                          (no information)
OUTDIR/correlation/{signal,background}.csv
    x1, x2: N(0, 1) marginals for both classes; correlation +0.7 for signal, -0.7 for background
    (identical marginals: only the pair (x1, x2) separates the classes)

Expected (the paper's findings, and the coefficients of the exact likelihood ratio): in the
mean-shift toy the first-order coefficient of x1 ranks first; in the correlation toy the mixed
second-order coefficient t_12 ranks first and the first-order coefficients average to ~0.
Columns: event (an event number for the split), x1, x2. Seeded: the same files every time.
"""
import math
import os
import random
import sys


def write(path, rows, first_event):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("event,x1,x2\n")
        for i, (x1, x2) in enumerate(rows):
            f.write(f"{first_event + i},{x1:.9g},{x2:.9g}\n")
    os.replace(tmp, path)


def correlated(rng, rho):
    a, b = rng.gauss(0, 1), rng.gauss(0, 1)
    return a, rho * a + math.sqrt(1 - rho * rho) * b


def main():
    if len(sys.argv) not in (2, 3):
        print("usage: make_toys.py OUTDIR [EVENTS]", file=sys.stderr)
        return 1
    out, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) == 3 else 20000
    rng = random.Random(1803)
    for name in ("mean_shift", "correlation"):
        os.makedirs(os.path.join(out, name), exist_ok=True)
    write(os.path.join(out, "mean_shift", "signal.csv"), [(rng.gauss(0.5, 1), rng.gauss(0, 1)) for _ in range(n)], 0)
    write(os.path.join(out, "mean_shift", "background.csv"), [(rng.gauss(-0.5, 1), rng.gauss(0, 1)) for _ in range(n)], n)
    write(os.path.join(out, "correlation", "signal.csv"), [correlated(rng, 0.7) for _ in range(n)], 0)
    write(os.path.join(out, "correlation", "background.csv"), [correlated(rng, -0.7) for _ in range(n)], n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
