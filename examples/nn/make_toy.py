#!/usr/bin/python3
"""Writes the toy signal and background samples of examples/nn/train.yaml: make_toy.py OUTDIR [EVENTS].

signal.csv and background.csv, one event per line, the layout `hepkit root dump` writes:
  event    the event number (the training configuration splits by it, event % 4)
  mass     signal: a peak, Gaussian at 125 with width 8; background: falling, 80 + exponential(40)
  pt       signal: exponential with mean 60; background: mean 35
  eta      the same Gaussian for both (carries no information)
  weight   a generator weight, 1 ± 0.2
Seeded: the same files every time (Python's random.Random, Mersenne twister).
"""
import os
import random
import sys


def write(path, rng, signal, events, first_event):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("event,mass,pt,eta,weight\n")
        for i in range(events):
            mass = rng.gauss(125.0, 8.0) if signal else 80.0 + rng.expovariate(1 / 40.0)
            pt = rng.expovariate(1 / 60.0) if signal else rng.expovariate(1 / 35.0)
            eta = rng.gauss(0.0, 1.5)
            weight = 1.0 + 0.2 * (2 * rng.random() - 1)
            f.write(f"{first_event + i},{mass:.6g},{pt:.6g},{eta:.6g},{weight:.6g}\n")
    os.replace(tmp, path)


def main():
    if len(sys.argv) not in (2, 3):
        print("usage: make_toy.py OUTDIR [EVENTS]", file=sys.stderr)
        return 1
    outdir = sys.argv[1]
    events = int(sys.argv[2]) if len(sys.argv) == 3 else 4000
    os.makedirs(outdir, exist_ok=True)
    rng = random.Random(16)
    write(os.path.join(outdir, "signal.csv"), rng, True, events, 0)
    write(os.path.join(outdir, "background.csv"), rng, False, events, events)
    return 0


if __name__ == "__main__":
    sys.exit(main())
