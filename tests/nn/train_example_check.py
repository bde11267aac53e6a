#!/usr/bin/python3
"""Runs examples/nn/train.yaml as a test: train_example_check.py HEPKIT SOURCE_DIR WORKDIR.

Writes the toy samples (examples/nn/make_toy.py) and the configuration into WORKDIR, runs
`hepkit nn train WORKDIR/train.yaml -o WORKDIR/out`, and checks the outputs: every file there,
the loss curve's columns, the signal AUC of a sample whose mass peak separates it well (> 0.95),
and summary.json's keys. Without matplotlib the plots are skipped (--no-plots) and not checked.
"""
import csv
import json
import os
import shutil
import subprocess
import sys


def fail(message):
    print("train_example_check: " + message, file=sys.stderr)
    sys.exit(1)


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
    files = ["model.pt", "loss.csv", "roc.csv", "summary.json"] + (["loss.png", "roc.png"] if plots else [])
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
    if auc is None or not auc > 0.95:
        fail(f"signal AUC {auc}, expected > 0.95")
    if not 1 <= summary["best_epoch"] <= summary["epochs_run"]:
        fail(f"best epoch {summary['best_epoch']} of {summary['epochs_run']}")
    if summary["inputs"] != ["mass", "pt", "eta", "log_pt"]:
        fail(f"inputs {summary['inputs']}")
    print(f"example: {summary['epochs_run']} epochs, AUC {auc:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
