#!/usr/bin/python3
"""Runs examples/nn/train.yaml as a test: train_example_check.py HEPKIT SOURCE_DIR WORKDIR.

Writes the toy samples (examples/nn/make_toy.py) and the configuration into WORKDIR, runs
`hepkit nn train WORKDIR/train.yaml -o WORKDIR/out`, and checks the outputs: every file there,
the loss curve's columns, summary.json's keys, and the signal AUC against the best any classifier
can reach on the same test events: the AUC of the exact likelihood ratio of the toy's densities
(make_toy.py), computed here independently. The network's must come within 0.01 of it. Without matplotlib the plots are skipped (--no-plots) and not checked.
"""
import csv
import json
import math
import os
import shutil
import subprocess
import sys


def fail(message):
    print("train_example_check: " + message, file=sys.stderr)
    sys.exit(1)


def log_likelihood_ratio(mass, pt):
    """log p_signal / p_background of make_toy.py's densities (eta has the same density in both)."""
    if mass < 80.0:
        return math.inf  # no background below 80
    log_s = -0.5 * ((mass - 125.0) / 8.0) ** 2 - math.log(8.0 * math.sqrt(2 * math.pi)) - pt / 60.0 - math.log(60.0)
    log_b = -(mass - 80.0) / 40.0 - math.log(40.0) - pt / 35.0 - math.log(35.0)
    return log_s - log_b


def weighted_auc(events):
    """events: (score, is_signal, weight); ties count one half, as hepkit's ROC does."""
    events = sorted(events, key=lambda e: -e[0])
    total_s = sum(w for _, s, w in events if s)
    total_b = sum(w for _, s, w in events if not s)
    auc, tp, i = 0.0, 0.0, 0
    while i < len(events):
        j, group_s, group_b = i, 0.0, 0.0
        while j < len(events) and events[j][0] == events[i][0]:
            if events[j][1]:
                group_s += events[j][2]
            else:
                group_b += events[j][2]
            j += 1
        auc += group_b * (tp + group_s / 2)
        tp += group_s
        i = j
    return auc / (total_s * total_b)


def optimal_auc(work):
    events = []
    for name, signal in (("signal.csv", True), ("background.csv", False)):
        with open(os.path.join(work, name)) as f:
            for r in csv.DictReader(f):
                if int(r["event"]) % 4 == 3:  # the test fold of train.yaml
                    score = log_likelihood_ratio(float(r["mass"]), float(r["pt"]))
                    events.append((score, signal, float(r["weight"])))
    return weighted_auc(events)


def main():
    hepkit, source, work = sys.argv[1:4]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    example = os.path.join(source, "examples", "nn")
    subprocess.run([sys.executable, os.path.join(example, "make_toy.py"), work], check=True)
    shutil.copy(os.path.join(example, "train.yaml"), work)
    try:
        import matplotlib  # noqa: F401

        plots = True
    except ImportError:
        plots = False
    out = os.path.join(work, "out")
    command = [hepkit, "nn", "train", os.path.join(work, "train.yaml"), "-o", out]
    if not plots:
        command.append("--no-plots")
    run = subprocess.run(command, capture_output=True, text=True)
    sys.stdout.write(run.stdout)
    sys.stderr.write(run.stderr)
    if run.returncode != 0:
        fail(f"hepkit nn train exited {run.returncode}")
    files = ["model.pt", "loss.csv", "roc.csv", "taylor.csv", "summary.json"]
    files += ["loss.png", "roc.png", "taylor.png"] if plots else []
    for name in files:
        if not os.path.isfile(os.path.join(out, name)):
            fail(f"{name} is missing in {out}: {sorted(os.listdir(out))}")
    with open(os.path.join(out, "loss.csv")) as f:
        rows = list(csv.DictReader(f))
    if list(rows[0].keys()) != ["epoch", "train_loss", "validation_loss", "lr", "seconds"]:
        fail(f"loss.csv columns {list(rows[0].keys())}")
    with open(os.path.join(out, "summary.json")) as f:
        summary = json.load(f)
    if len(rows) != summary["epochs_run"]:
        fail(f"{len(rows)} loss rows for {summary['epochs_run']} epochs")
    auc = summary["auc"].get("signal")
    best = optimal_auc(work)
    if auc is None or not abs(auc - best) < 0.01:
        fail(f"signal AUC {auc}, the likelihood ratio's on the same events is {best:.4f}")
    if not 1 <= summary["best_epoch"] <= summary["epochs_run"]:
        fail(f"best epoch {summary['best_epoch']} of {summary['epochs_run']}")
    if summary["inputs"] != ["mass", "pt", "eta", "log_pt"]:
        fail(f"inputs {summary['inputs']}")
    # the mass peak is what separates the classes: a mass coefficient leads the final ranking
    leader = summary["taylor"]["coefficients"][0]["names"]
    if "mass" not in leader:
        fail(f"the leading Taylor coefficient is t_{leader}, expected one of mass")
    print(f"example: {summary['epochs_run']} epochs, AUC {auc:.4f} (likelihood ratio: {best:.4f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
