#!/usr/bin/python3
"""Per-job predicted against simulated, for a per-job surrogate (docs/surrogate.md): the model's
`hepkit surrogate predict --trace` of the first samples of `generate` outputs against their
simulated traces, one row of panels per output (e.g. unseen and random platforms), one panel per
column (compute and input transfer time), jobs with simulated times of 1 s and more, log axes, the
diagonal and the issue's goals (±5 % compute, ±15 % transfers) dashed.

    /usr/bin/python3 tools/plot/hepkit_surrogate_perjob_plot.py OUT.png MODEL LABEL=DATA [LABEL=DATA ...]
        [--samples 40] [--hepkit build/apps/hepkit/hepkit]
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLUMNS = [("job.computetime", "compute", 0.05), ("infiles.transfertime", "input transfer", 0.15)]


def points(hk, model, data, samples, work):
    """Per column: (simulated, predicted) over the jobs of the first `samples` samples of `data`."""
    pts = {c: ([], []) for c, _, _ in COLUMNS}
    names = sorted(os.listdir(os.path.join(data, "scenarios")))[:samples]
    for name in names:
        sample = os.path.join(data, "scenarios", name)
        trace = os.path.join(work, os.path.basename(os.path.normpath(data)) + "-" + name + ".csv")
        run = subprocess.run([hk, "surrogate", "predict", model, os.path.join(sample, "scenario.yaml"),
                              "--trace", trace], capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"hepkit surrogate predict failed on {sample}: {run.stderr.strip()}")
        pred = {row["job.tag"]: row for row in csv.DictReader(open(trace))}
        for row in csv.DictReader(open(os.path.join(sample, "trace.csv")), skipinitialspace=True):
            if row["status"].strip() != "done" or row["job.tag"] not in pred:
                continue
            for c, _, _ in COLUMNS:
                sim, p = float(row[c]), float(pred[row["job.tag"]][c])
                if sim >= 1:
                    pts[c][0].append(sim)
                    pts[c][1].append(p)
    return pts, len(names)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("output")
    ap.add_argument("model", help="a per-job model directory (hepkit surrogate train)")
    ap.add_argument("inputs", nargs="+", help="LABEL=DATA: a `hepkit surrogate generate` output")
    ap.add_argument("--samples", type=int, default=40, help="the first N samples of each (default 40)")
    ap.add_argument("--hepkit", default="build/apps/hepkit/hepkit")
    a = ap.parse_args()
    sets = []
    for spec in a.inputs:
        label, _, path = spec.partition("=")
        if not path or not os.path.isdir(os.path.join(path, "scenarios")):
            sys.exit(f"{spec}: expected LABEL=DIR, DIR a `hepkit surrogate generate` output")
        sets.append((label, path))
    fig, axes = plt.subplots(len(sets), len(COLUMNS), figsize=(4.5 * len(COLUMNS), 4.2 * len(sets)), squeeze=False)
    with tempfile.TemporaryDirectory() as work:
        for r, (label, data) in enumerate(sets):
            pts, n = points(a.hepkit, a.model, data, a.samples, work)
            for i, (c, name, goal) in enumerate(COLUMNS):
                ax = axes[r][i]
                s, q = pts[c]
                if not s:
                    ax.set_title(f"{label}, {name}: no job of 1 s or more", fontsize=9)
                    continue
                ax.scatter(s, q, s=3, alpha=0.3)
                lo, hi = min(s + q), max(s + q)
                lo = max(lo, 1e-3)
                ax.plot([lo, hi], [lo, hi], "k-", lw=0.8)
                for f in (1 - goal, 1 + goal):
                    ax.plot([lo, hi], [lo * f, hi * f], "k--", lw=0.5)
                mae = sum(abs(p - t) / t for t, p in zip(s, q)) / len(s)
                ax.set_xscale("log")
                ax.set_yscale("log")
                ax.set_title(f"{label}, {name}\nrel. MAE {mae:.3f} ({len(s)} jobs, {n} samples)", fontsize=9)
                ax.set_xlabel("simulated (s)")
                ax.set_ylabel("predicted (s)")
    fig.suptitle(f"Per-job predicted against simulated: {os.path.basename(os.path.normpath(a.model))}", fontsize=10)
    fig.tight_layout()
    fig.savefig(a.output, dpi=90)


if __name__ == "__main__":
    main()
