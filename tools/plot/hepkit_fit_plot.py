#!/usr/bin/python3
"""Draws hepkit fits from their JSON description: hepkit_fit_plot.py PLOTS.json OUT.{png,pdf,svg}.

PLOTS.json is {"fits": [FIT, ...]} as hepkit writes it (src/fit/FitPlot.cpp). Per fit: data with
error bars (horizontal x error bars, as kafe2 draws them), model line, 1-sigma error band, an info
box (values, chi2/ndf, p-value), an optional residual/ratio/pull panel; contours and profiles of
the fit on figures of their own.

A .pdf holds every figure of every fit, one per page. A .png or .svg holds one figure: the fit;
its contours and profiles go to OUT_contours.EXT and OUT_profiles.EXT (hepkit then gets one fit
per call).

The legend and the info box are placed where they hide no data point: the first free pair of
corners wins; if none is free the plot gets head room above the data, and as a last resort both
boxes go to the right of the axes.

Exit status: 0 on success, 4 if matplotlib or numpy cannot be imported (hepkit then names the
Debian package), 1 on any other error.
"""
import json
import math
import os
import sys

try:
    import matplotlib
    import matplotlib.colors

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.offsetbox import AnchoredText
except ImportError as e:  # pragma: no cover - depends on the installation
    print("hepkit_fit_plot.py: %s (Debian: apt install python3-matplotlib python3-numpy)" % e, file=sys.stderr)
    sys.exit(4)

# corners tried for the (info box, legend) pair, best looking first
CORNERS = ["upper left", "upper right", "lower left", "lower right", "upper center", "lower center",
           "center left", "center right"]


def as_array(values):
    """JSON null (a value hepkit could not compute) becomes NaN: matplotlib leaves a gap there."""
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def obstacle_points(ax, xs, ys, xerr=None, yerr=None):
    """Display coordinates of the data points and of points along their error bars."""
    pts = []
    for i, (x, y) in enumerate(zip(xs, ys)):
        if not (np.isfinite(x) and np.isfinite(y)):
            continue
        pts.append((x, y))
        for f in (-1.0, -0.5, 0.5, 1.0):
            if yerr is not None and np.isfinite(yerr[i]) and yerr[i] > 0:
                pts.append((x, y + f * yerr[i]))
            if xerr is not None and np.isfinite(xerr[i]) and xerr[i] > 0:
                pts.append((x + f * xerr[i], y))
    if not pts:
        return np.zeros((0, 2))
    return np.array(pts, dtype=float)


def covered(bbox, disp, pad=6.0):
    """How many display points lie inside the box grown by pad pixels (a marker's half size)."""
    if len(disp) == 0:
        return 0
    inside = ((disp[:, 0] >= bbox.x0 - pad) & (disp[:, 0] <= bbox.x1 + pad) & (disp[:, 1] >= bbox.y0 - pad)
              & (disp[:, 1] <= bbox.y1 + pad))
    return int(inside.sum())


def place_boxes(fig, ax, info_lines, data_pts, curve_pts):
    """Puts the info box and the legend where they cover no data point (and as little of the model
    curve as possible). Returns (info artist, legend artist, where) with where = the corners used,
    'outside' when they had to leave the axes."""
    handles, labels = ax.get_legend_handles_labels()
    text = "\n".join(info_lines)
    fig.canvas.draw()  # once, so that the axes' layout is final; the boxes are measured without drawing
    renderer = fig.canvas.get_renderer()
    y0, y1 = ax.get_ylim()
    for headroom in (0.0, 0.25, 0.5, 0.8):
        ax.set_ylim(y0, y1 + headroom * (y1 - y0))
        disp_data = ax.transData.transform(data_pts) if len(data_pts) else data_pts
        disp_curve = ax.transData.transform(curve_pts) if len(curve_pts) else curve_pts
        best = None
        for ci in CORNERS:
            info = AnchoredText(text, loc=ci, prop=dict(fontsize=8.5), frameon=True)
            info.patch.set_boxstyle("round,pad=0.3")
            info.patch.set(facecolor="white", alpha=0.9, edgecolor="0.7")
            ax.add_artist(info)
            ib = info.get_window_extent(renderer)
            if covered(ib, disp_data):
                info.remove()
                continue
            for cl in CORNERS:
                if cl == ci:
                    continue
                leg = ax.legend(handles, labels, loc=cl, fontsize=8.5, framealpha=0.9)
                lb = leg.get_window_extent(renderer)
                if covered(lb, disp_data) or lb.overlaps(ib):
                    leg.remove()
                    continue
                score = covered(ib, disp_curve) + covered(lb, disp_curve)
                leg.remove()
                if best is None or score < best[0]:
                    best = (score, ci, cl)
                if score == 0:
                    break
            info.remove()
            if best is not None and best[0] == 0:
                break
        if best is not None:
            _, ci, cl = best
            info = AnchoredText(text, loc=ci, prop=dict(fontsize=8.5), frameon=True)
            info.patch.set_boxstyle("round,pad=0.3")
            info.patch.set(facecolor="white", alpha=0.9, edgecolor="0.7")
            ax.add_artist(info)
            leg = ax.legend(handles, labels, loc=cl, fontsize=8.5, framealpha=0.9)
            return info, leg, (ci, cl)
    # nowhere inside: both boxes to the right of the axes, nothing hidden
    ax.set_ylim(y0, y1)
    leg = ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8.5,
                    borderaxespad=0)
    info = AnchoredText(text, loc="lower left", bbox_to_anchor=(1.02, 0.0), bbox_transform=ax.transAxes,
                        prop=dict(fontsize=8.5), frameon=True, borderpad=0)
    info.patch.set(facecolor="white", edgecolor="0.7")
    ax.add_artist(info)
    return info, leg, ("outside", "outside")


def fit_figure(d):
    """The main figure of one fit; returns (figure, placement, obstacle points in data coordinates)."""
    panel = d.get("panel", "none")
    if panel != "none" and d["type"] in ("xy", "histogram"):
        fig, (ax, axp) = plt.subplots(2, 1, sharex=True, figsize=(7, 6.2),
                                      gridspec_kw=dict(height_ratios=[3, 1], hspace=0.05))
    else:
        fig, ax = plt.subplots(figsize=(7, 5))
        axp = None
    t = d["type"]
    curve_pts = np.zeros((0, 2))
    if t == "xy":
        x, y = as_array(d["x"]), as_array(d["y"])
        ey, ex = as_array(d["y_err"]), as_array(d.get("x_err", [0.0] * len(x)))
        label = "data"
        if d.get("x_errors_projected"):
            label = "data (x errors projected onto y in the fit)"
        ax.errorbar(x, y, yerr=ey, xerr=ex if np.any(ex > 0) else None, fmt="o", color="k", ms=4, capsize=2,
                    elinewidth=1, label=label, zorder=3)
        cx, cy, band = as_array(d["curve_x"]), as_array(d["curve_y"]), as_array(d["band"])
        ax.plot(cx, cy, color="C0", label=d["model_label"], zorder=2)
        ax.fill_between(cx, cy - band, cy + band, color="C0", alpha=0.25, label="model uncertainty", zorder=1)
        m = as_array(d["model_at_data"])
        et = as_array(d.get("y_err_total", d["y_err"]))
        ref_x, ref_y, ref_e, ref_m = x, y, et, m
        data_pts = obstacle_points(ax, x, y, ex, ey)
        curve_pts = np.column_stack([cx, cy])
    elif t == "histogram":
        edges, counts, mu = as_array(d["edges"]), as_array(d["counts"]), as_array(d["expected"])
        centres = 0.5 * (edges[1:] + edges[:-1])
        ax.errorbar(centres, counts, yerr=np.sqrt(counts), fmt="o", color="k", ms=4, capsize=2, label="data",
                    zorder=3)
        ax.stairs(mu, edges, color="C1", label="expected per bin")
        ax.plot(as_array(d["curve_x"]), as_array(d["curve_y"]), color="C0", label=d["model_label"])
        ref_x, ref_y, ref_e, ref_m = centres, counts, np.sqrt(np.maximum(mu, 1e-300)), mu
        data_pts = obstacle_points(ax, centres, counts, None, np.sqrt(counts))
        curve_pts = np.column_stack([as_array(d["curve_x"]), as_array(d["curve_y"])])
    else:
        data = as_array(d["data"])
        heights, edges, _ = ax.hist(data, bins=max(10, int(np.sqrt(len(data)))), density=True, histtype="step",
                                    color="k", label="data")
        ax.plot(data, np.zeros_like(data), "|", color="k", ms=8)
        ax.plot(as_array(d["curve_x"]), as_array(d["curve_y"]), color="C0", label=d["model_label"])
        ref_x = None
        # the tops of the histogram's bins and the events' rug marks are its "data points"
        tops = [(e, h) for lo, hi, h in zip(edges[:-1], edges[1:], heights) for e in np.linspace(lo, hi, 4)]
        data_pts = np.vstack([np.array(tops, dtype=float), np.column_stack([data, np.zeros_like(data)])])
        curve_pts = np.column_stack([as_array(d["curve_x"]), as_array(d["curve_y"])])
    curve_pts = curve_pts[np.all(np.isfinite(curve_pts), axis=1)] if len(curve_pts) else curve_pts
    ax.set_ylabel(d["y_label"])
    ax.set_title(d["title"])
    if axp is not None and ref_x is not None:
        projected = " (x errors projected)" if d.get("x_errors_projected") else ""
        if panel == "residual":
            axp.errorbar(ref_x, ref_y - ref_m, yerr=ref_e, fmt="o", color="k", ms=3)
            axp.set_ylabel("data − model" + ("\n" + projected.strip() if projected else ""), fontsize=9)
            axp.axhline(0, color="C0")
        elif panel == "ratio":
            axp.errorbar(ref_x, ref_y / ref_m, yerr=ref_e / np.abs(ref_m), fmt="o", color="k", ms=3)
            axp.set_ylabel("data / model" + ("\n" + projected.strip() if projected else ""), fontsize=9)
            axp.axhline(1, color="C0")
        else:
            axp.plot(ref_x, (ref_y - ref_m) / ref_e, "o", color="k", ms=3)
            axp.set_ylabel("pull" + ("\n" + projected.strip() if projected else ""), fontsize=9)
            axp.axhline(0, color="C0")
        axp.set_xlabel(d["x_label"])
    else:
        ax.set_xlabel(d["x_label"])
    info, leg, where = place_boxes(fig, ax, d["info"], data_pts, curve_pts)
    fig.hepkit_layout = dict(ax=ax, info=info, legend=leg, where=where, data_points=data_pts)
    return fig


def contour_figure(d):
    """The contours of every parameter pair as a triangular matrix (as kafe2's contour plots):
    parameter i against parameter j in row j - 1, column i; one legend for all."""
    names = []
    for c in d["contours"]:
        for n in (c["x"], c["y"]):
            if n not in names:
                names.append(n)
    k = len(names) - 1
    size = 4.2 if k == 1 else max(2.4, 9.0 / k)
    fig, axes = plt.subplots(k, k, figsize=(size * k + 0.5, size * k), squeeze=False)
    for a in axes.flat:
        a.set_visible(False)
    handles = []
    for c in d["contours"]:
        i, j = names.index(c["x"]), names.index(c["y"])
        a = axes[j - 1][i]
        a.set_visible(True)
        handles = []
        # kafe2's look: filled 1σ and 2σ regions with their outlines, the best fit marked
        for s, alpha in ((2, 0.25), (1, 0.55)):
            pts = np.array(c["sigma%d" % s], dtype=float)
            if len(pts) == 0:
                continue
            coverage = 100 * math.erf(s / math.sqrt(2))  # the 2-D region has the 1-D interval's coverage
            (patch,) = a.fill(pts[:, 0], pts[:, 1], facecolor=matplotlib.colors.to_rgba("C0", alpha),
                              edgecolor="C0", lw=1.2, label="%dσ (%.1f%%)" % (s, coverage))
            handles.insert(0, patch)
        handles += a.plot(*c["best"], "+", color="k", ms=10, label="best fit")
        # labels on the matrix's outer edges only (every axis when there is one pair)
        if j == k or k == 1:
            a.set_xlabel(c["x"])
        if i == 0 or k == 1:
            a.set_ylabel(c["y"])
        a.tick_params(labelsize=8)
    if k == 1:
        axes[0][0].legend(handles=handles, fontsize=8, loc="best")
        fig.suptitle(d["title"] + ": confidence regions", fontsize=11)
    else:  # the empty upper triangle holds the legend
        fig.legend(handles=handles, loc="upper right", fontsize=10, bbox_to_anchor=(0.98, 0.95),
                   title=d["title"] + ": confidence regions", title_fontsize=11)
    fig.tight_layout()
    return fig


def profile_figure(d):
    n = len(d["profiles"])
    fig, axes = plt.subplots(1, n, figsize=(4 * n, 3.6), squeeze=False)
    for a, p in zip(axes[0], d["profiles"]):
        pts = np.array(p["points"], dtype=float)
        a.plot(pts[:, 0], pts[:, 1], color="C0", label="profile")
        a.plot(pts[:, 0], ((pts[:, 0] - p["best"]) / p["error"]) ** 2, ":", color="C1", label="parabola")
        a.axhline(1, color="0.5", lw=0.8)
        a.set_xlabel(p["name"])
        a.set_ylabel("Δ cost")
        a.legend(fontsize=8, loc="best")
    fig.suptitle(d["title"] + ": profile likelihood", fontsize=11)
    fig.tight_layout()
    return fig


def figures(d):
    """(suffix, figure) for every figure of one fit."""
    out = [("", fit_figure(d))]
    if d.get("contours"):
        out.append(("_contours", contour_figure(d)))
    if d.get("profiles"):
        out.append(("_profiles", profile_figure(d)))
    return out


def save(fig, target):
    """Writes through a temporary file, so that a failure leaves no half-written plot."""
    tmp = "%s.tmp.%d" % (target, os.getpid())
    try:
        fig.savefig(tmp, format=os.path.splitext(target)[1][1:], bbox_inches="tight", dpi=150)
        os.replace(tmp, target)
    finally:
        plt.close(fig)
        if os.path.exists(tmp):
            os.remove(tmp)


def main(src, out):
    with open(src) as f:
        doc = json.load(f)
    fits = doc["fits"]
    stem, ext = os.path.splitext(out)
    if ext == ".pdf":
        tmp = "%s.tmp.%d" % (out, os.getpid())
        try:
            with PdfPages(tmp) as pdf:
                for d in fits:
                    for _, fig in figures(d):
                        pdf.savefig(fig, bbox_inches="tight")
                        plt.close(fig)
            os.replace(tmp, out)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
        return
    if len(fits) != 1:
        raise SystemExit("hepkit_fit_plot.py: a %s file holds one fit (got %d); use .pdf for several" % (ext, len(fits)))
    for suffix, fig in figures(fits[0]):
        save(fig, stem + suffix + ext)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: hepkit_fit_plot.py PLOTS.json OUT.{png,pdf,svg}")
    main(sys.argv[1], sys.argv[2])
