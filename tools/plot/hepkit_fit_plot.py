#!/usr/bin/python3
"""Draws a hepkit fit from its JSON description: hepkit_fit_plot.py PLOT.json OUT.{png,pdf,svg}.

Data with error bars, model line, 1-sigma error band, an info box (values, chi2/ndf, p-value),
an optional residual/ratio/pull panel; contours and profiles go to OUT_contours / OUT_profiles.
"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def info_box(ax, lines):
    ax.text(0.03, 0.97, "\n".join(lines), transform=ax.transAxes, va="top", ha="left", fontsize=9,
            bbox=dict(boxstyle="round", facecolor="white", alpha=0.85, edgecolor="0.7"))


def main(src, out):
    d = json.load(open(src))
    panel = d.get("panel", "none")
    if panel != "none" and d["type"] in ("xy", "histogram"):
        fig, (ax, axp) = plt.subplots(2, 1, sharex=True, figsize=(7, 6.2),
                                      gridspec_kw=dict(height_ratios=[3, 1], hspace=0.05))
    else:
        fig, ax = plt.subplots(figsize=(7, 5))
        axp = None
    t = d["type"]
    if t == "xy":
        x, y, e = np.array(d["x"]), np.array(d["y"]), np.array(d["y_err"])
        ax.errorbar(x, y, yerr=e, fmt="o", color="k", ms=4, capsize=2, label="data")
        cx, cy, band = np.array(d["curve_x"]), np.array(d["curve_y"]), np.array(d["band"])
        ax.plot(cx, cy, color="C0", label=d["model_label"])
        ax.fill_between(cx, cy - band, cy + band, color="C0", alpha=0.25, label="model uncertainty")
        m = np.array(d["model_at_data"])
        ref_x, ref_y, ref_e, ref_m = x, y, e, m
    elif t == "histogram":
        edges, counts, mu = np.array(d["edges"]), np.array(d["counts"]), np.array(d["expected"])
        centres = 0.5 * (edges[1:] + edges[:-1])
        ax.errorbar(centres, counts, yerr=np.sqrt(counts), fmt="o", color="k", ms=4, capsize=2, label="data")
        ax.stairs(mu, edges, color="C1", label="expected per bin")
        ax.plot(d["curve_x"], d["curve_y"], color="C0", label=d["model_label"])
        ref_x, ref_y, ref_e, ref_m = centres, counts, np.sqrt(np.maximum(mu, 1e-300)), mu
    else:
        data = np.array(d["data"])
        ax.hist(data, bins=max(10, int(np.sqrt(len(data)))), density=True, histtype="step", color="k", label="data")
        ax.plot(data, np.zeros_like(data), "|", color="k", ms=8)
        ax.plot(d["curve_x"], d["curve_y"], color="C0", label=d["model_label"])
        ref_x = None
    ax.set_ylabel(d["y_label"])
    ax.set_title(d["title"])
    info_box(ax, d["info"])
    ax.legend(loc="lower right", fontsize=9)
    if axp is not None and ref_x is not None:
        if panel == "residual":
            axp.errorbar(ref_x, ref_y - ref_m, yerr=ref_e, fmt="o", color="k", ms=3)
            axp.set_ylabel("data − model")
            axp.axhline(0, color="C0")
        elif panel == "ratio":
            axp.errorbar(ref_x, ref_y / ref_m, yerr=ref_e / np.abs(ref_m), fmt="o", color="k", ms=3)
            axp.set_ylabel("data / model")
            axp.axhline(1, color="C0")
        else:
            axp.plot(ref_x, (ref_y - ref_m) / ref_e, "o", color="k", ms=3)
            axp.set_ylabel("pull")
            axp.axhline(0, color="C0")
        axp.set_xlabel(d["x_label"])
    else:
        ax.set_xlabel(d["x_label"])
    fig.savefig(out, bbox_inches="tight", dpi=150)
    stem, ext = os.path.splitext(out)
    if d.get("contours"):
        n = len(d["contours"])
        fig, axes = plt.subplots(1, n, figsize=(4.5 * n, 4.2), squeeze=False)
        for a, c in zip(axes[0], d["contours"]):
            for s, style in ((2, "--"), (1, "-")):
                pts = np.array(c["sigma%d" % s] + [c["sigma%d" % s][0]])
                a.plot(pts[:, 0], pts[:, 1], style, color="C0", label="%dσ (%.1f%%)" % (s, 100 * (1 - np.exp(-(2.30 if s == 1 else 6.18) / 2))))
            a.plot(*c["best"], "+", color="k")
            a.set_xlabel(c["x"])
            a.set_ylabel(c["y"])
            a.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(stem + "_contours" + ext, dpi=150)
    if d.get("profiles"):
        n = len(d["profiles"])
        fig, axes = plt.subplots(1, n, figsize=(4 * n, 3.6), squeeze=False)
        for a, p in zip(axes[0], d["profiles"]):
            pts = np.array(p["points"])
            a.plot(pts[:, 0], pts[:, 1], color="C0", label="profile")
            a.plot(pts[:, 0], ((pts[:, 0] - p["best"]) / p["error"]) ** 2, ":", color="C1", label="parabola")
            a.axhline(1, color="0.5", lw=0.8)
            a.set_xlabel(p["name"])
            a.set_ylabel("Δ cost")
            a.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(stem + "_profiles" + ext, dpi=150)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: hepkit_fit_plot.py PLOT.json OUT.{png,pdf,svg}")
    main(sys.argv[1], sys.argv[2])
