#!/usr/bin/python3
"""Draws the plots of a `hepkit nn train` output directory: hepkit_nn_plot.py OUTDIR.

Reads the CSV files hepkit wrote there (src/nn/TrainOutputs.cpp) and writes next to them:
  loss.png  training and validation loss per epoch (loss.csv), the best epoch marked;
  roc.png   the ROC curves of the test set with their AUC (roc.csv; classification only):
            signal efficiency (true-positive rate) against background efficiency, one curve per
            class for multi-class (one-vs-rest);
  taylor.png  the Taylor coefficients <|t|> per epoch on the validation set (taylor.csv; with the
            training's `taylor:` section), the ten largest of the final network, as Wunsch et al.
            (arXiv:1803.08782) follow them during training.
Each file is written to a temporary name and renamed, so a failed run leaves no half-written plot.

Exit status: 0 on success, 4 if matplotlib cannot be imported (hepkit then names the Debian
package), 1 on any other error.
"""
import csv
import math
import os
import sys

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError as e:  # pragma: no cover - depends on the installation
    print("hepkit_nn_plot.py: %s (Debian: apt install python3-matplotlib)" % e, file=sys.stderr)
    sys.exit(4)


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def save(fig, target):
    tmp = target + ".tmp.%d.png" % os.getpid()
    try:
        fig.savefig(tmp, bbox_inches="tight", dpi=150)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
        plt.close(fig)


def plot_loss(outdir):
    rows = read_csv(os.path.join(outdir, "loss.csv"))
    epochs = [int(r["epoch"]) for r in rows]
    train = [float(r["train_loss"]) for r in rows]
    validation = [float(r["validation_loss"]) for r in rows]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(epochs, train, marker="o", markersize=3, label="training")
    ax.plot(epochs, validation, marker="s", markersize=3, label="validation")
    finite = [(v, e) for v, e in zip(validation, epochs) if math.isfinite(v)]
    if finite:
        best, epoch = min(finite)
        ax.axvline(epoch, color="grey", linestyle=":", label="best epoch %d" % epoch)
    ax.set_xlabel("epoch")
    ax.set_ylabel("weighted loss")
    ax.legend()
    ax.grid(alpha=0.3)
    save(fig, os.path.join(outdir, "loss.png"))


def plot_roc(outdir):
    path = os.path.join(outdir, "roc.csv")
    if not os.path.exists(path):
        return
    curves = {}
    for r in read_csv(path):
        curves.setdefault(r["class"], ([], []))
        curves[r["class"]][0].append(float(r["fpr"]))
        curves[r["class"]][1].append(float(r["tpr"]))
    fig, ax = plt.subplots(figsize=(5, 5))
    for label, (fpr, tpr) in curves.items():
        # the area by the trapezoidal rule on the stored points (hepkit's summary.json has the exact one)
        auc = sum((fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1]) / 2 for i in range(1, len(fpr)))
        name = label if len(curves) > 1 else "class %s" % label
        ax.plot(fpr, tpr, label="%s (AUC %.4f)" % (name, auc))
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="random")
    ax.set_xlabel("false-positive rate (background efficiency)")
    ax.set_ylabel("true-positive rate (signal efficiency)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.legend(loc="lower right")
    ax.grid(alpha=0.3)
    save(fig, os.path.join(outdir, "roc.png"))


def plot_taylor(outdir, shown=10):
    path = os.path.join(outdir, "taylor.csv")
    if not os.path.exists(path):
        return
    series, last = {}, -1
    for r in read_csv(path):
        key = (int(r["order"]), r["names"])
        series.setdefault(key, ([], []))
        series[key][0].append(int(r["epoch"]))
        series[key][1].append(float(r["mean_abs"]))
        last = max(last, int(r["epoch"]))
    final = sorted(series, key=lambda k: -series[k][1][-1])[:shown]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for order, names in final:
        epochs, values = series[(order, names)]
        label = "t_" + "".join("{%s}" % n for n in names.split(","))
        ax.plot(epochs, values, marker="o", markersize=3, linestyle="-" if order == 1 else "--", label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel("<|t|> on the validation set")
    ax.set_yscale("log")
    ax.legend(fontsize="small", loc="center left", bbox_to_anchor=(1.0, 0.5))
    ax.grid(alpha=0.3)
    save(fig, os.path.join(outdir, "taylor.png"))


def main():
    if len(sys.argv) != 2:
        print("usage: hepkit_nn_plot.py OUTDIR", file=sys.stderr)
        return 1
    plot_loss(sys.argv[1])
    plot_roc(sys.argv[1])
    plot_taylor(sys.argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
