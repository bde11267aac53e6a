#!/usr/bin/python3
"""Predicted against simulated, per target, from `hepkit surrogate evaluate --csv` files
(docs/surrogate.md): one panel per target, one colour per file (e.g. interpolation and unseen
platforms), the diagonal and ±10 % lines.

    /usr/bin/python3 tools/plot/hepkit_surrogate_plot.py OUT.png LABEL=eval.csv [LABEL=eval.csv ...]
        [--targets makespan_s,mean_wall_time_s,...]
"""
import argparse
import csv
import math
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("output")
    ap.add_argument("inputs", nargs="+", help="LABEL=FILE.csv")
    ap.add_argument("--targets", default="makespan_s,mean_wall_time_s,mean_compute_time_s,mean_input_transfer_time_s")
    a = ap.parse_args()
    targets = a.targets.split(",")
    sets = []
    for spec in a.inputs:
        label, _, path = spec.partition("=")
        if not path:
            sys.exit(f"hepkit_surrogate_plot: '{spec}': expected LABEL=FILE.csv")
        with open(path) as f:
            sets.append((label, list(csv.DictReader(f))))
    cols = min(len(targets), 2)
    rows = math.ceil(len(targets) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 4.6 * rows), squeeze=False)
    for k, t in enumerate(targets):
        ax = axes[k // cols][k % cols]
        lo, hi = math.inf, 0.0
        for label, data in sets:
            sim = [float(r[t + "_sim"]) for r in data if float(r[t + "_sim"]) > 0]
            pred = [float(r[t + "_pred"]) for r in data if float(r[t + "_sim"]) > 0]
            if not sim:
                continue
            mae = sum(abs(p - s) / s for p, s in zip(pred, sim)) / len(sim)
            ax.scatter(sim, pred, s=6, alpha=0.6, label=f"{label} (rel. MAE {mae:.3f})")
            lo, hi = min(lo, min(sim), min(pred)), max(hi, max(sim), max(pred))
        if hi > 0:
            xs = [lo, hi]
            ax.plot(xs, xs, color="black", lw=1)
            ax.plot(xs, [1.1 * x for x in xs], color="grey", lw=0.7, ls="--")
            ax.plot(xs, [0.9 * x for x in xs], color="grey", lw=0.7, ls="--")
            ax.set_xscale("log")
            ax.set_yscale("log")
        ax.set_xlabel(f"{t}, hepkit sim")
        ax.set_ylabel(f"{t}, surrogate")
        ax.legend(fontsize=8)
    for k in range(len(targets), rows * cols):
        axes[k // cols][k % cols].axis("off")
    fig.tight_layout()
    fig.savefig(a.output, dpi=110)


if __name__ == "__main__":
    main()
