#!/usr/bin/python3
"""`nn_score` inside `hepkit events run`, end to end: events_nn_score.py HEPKIT MODEL TREE WORKDIR.

MODEL is the polynomial f(x, y) = x·y + x·y² + y³ as TorchScript without metadata (written by
taylor_cli_models), TREE the small tree of uproot's test files (branches `one` int32, `two`
float32, 4 entries). The configuration scores every event with inputs [one, two], under a shift
of `two` (× 1.1) too, and writes the scores as a CSV ntuple; this script checks each score
against the polynomial computed here from the branch values the ntuple also holds — the nominal
and the shifted pipeline (where the network must see the shifted input).
"""
import csv
import os
import shutil
import subprocess
import sys


def main():
    hepkit, model, tree, work = sys.argv[1:5]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    config = os.path.join(work, "score.yaml")
    with open(config, "w") as f:
        f.write(f"""inputs: {{files: [{tree}], tree: tree}}
global:
  - producer: {{type: nn_score, name: score, model: {model}, inputs: [one, two]}}
shifts:
  two_up: {{two: "two * 1.1"}}
pipelines:
  all:
    shifts: [two_up]
    steps:
      - {{type: ntuple, name: scores, products: [one, two, score], format: csv}}
""")
    out = os.path.join(work, "out")
    r = subprocess.run([hepkit, "events", "run", config, "-o", out, "-q"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    print(r.stdout)
    if r.returncode != 0:
        sys.exit(f"events_nn_score: hepkit events run failed with exit code {r.returncode}")
    checked = 0
    for name in ("scores.csv", "scores__two_up.csv"):
        with open(os.path.join(out, "all", name)) as f:
            for row in csv.DictReader(f):
                x, y, score = float(row["one"]), float(row["two"]), float(row["score"])
                expected = x * y + x * y * y + y ** 3
                if abs(score - expected) > 1e-5 * abs(expected):
                    sys.exit(f"events_nn_score: {name}: one={x} two={y}: score {score}, expected {expected}")
                checked += 1
    if checked != 8:
        sys.exit(f"events_nn_score: expected 8 rows (4 events, nominal and shifted), got {checked}")
    print(f"events_nn_score: {checked} scores equal the polynomial")


if __name__ == "__main__":
    main()
