#!/usr/bin/python3
"""The fit plot's legend and info box hide no data point, and x errors are drawn as horizontal
bars with the legend saying that the fit projects them (tools/plot/hepkit_fit_plot.py).

usage: plot_layout_test.py SCRIPT OUTDIR

Draws fit descriptions whose data fill different parts of the axes (a rising line, a falling one,
a peak in the middle, points in all four corners, a cloud filling the plot, a histogram) and
checks in display coordinates that no data point or error bar end lies inside the legend or the
info box, and that the two boxes do not overlap. Exit 77 (ctest: skipped) without matplotlib.
"""
import importlib.util
import math
import os
import sys

try:
    import matplotlib  # noqa: F401
    import numpy as np
except ImportError as e:
    print("skipped: %s (Debian: python3-matplotlib)" % e)
    sys.exit(77)

spec = importlib.util.spec_from_file_location("hepkit_fit_plot", sys.argv[1])
plot = importlib.util.module_from_spec(spec)
spec.loader.exec_module(plot)
outdir = sys.argv[2]
os.makedirs(outdir, exist_ok=True)


def xy(name, x, y, ey, ex=None, panel="none"):
    x, y = np.asarray(x, float), np.asarray(y, float)
    ex = np.zeros_like(x) if ex is None else np.asarray(ex, float)
    ey = np.full_like(x, ey) if np.isscalar(ey) else np.asarray(ey, float)
    a, b = np.polyfit(x, y, 1)
    cx = np.linspace(x.min() - 0.05 * np.ptp(x), x.max() + 0.05 * np.ptp(x), 100)
    return dict(type="xy", title=name, x_label="x", y_label="y", model_label="line", panel=panel,
                info=["a = %.4g ± 0.1" % a, "b = %.4g ± 0.2" % b, "χ²/ndf = 3.1/4 = 0.78", "p(χ²) = 0.54"],
                x=list(x), y=list(y), x_err=list(ex), y_err=list(ey), y_err_total=list(np.hypot(ey, a * ex)),
                x_errors_projected=bool(np.any(ex > 0)), curve_x=list(cx), curve_y=list(a * cx + b),
                band=[0.1] * len(cx), model_at_data=list(a * x + b))


cases = [
    xy("rising", [1, 2, 3, 4], [2.3, 4.2, 7.5, 9.4], 0.4, [0.05, 0.1, 0.15, 0.2], panel="residual"),
    xy("falling", np.arange(10), 10 - np.arange(10) + 0.3 * np.sin(np.arange(10)), 0.5),
    xy("peak", np.arange(15), 5 * np.exp(-0.5 * ((np.arange(15) - 7) / 2.0) ** 2), 0.3),
    xy("corners", [0, 0.1, 0.2, 9.8, 9.9, 10, 0, 0.1, 9.9, 10, 5],
       [0, 0.1, 10, 10, 9.9, 0, 9.8, 0.2, 0.1, 9.7, 5], 0.2),
]
rng = np.random.default_rng(3)
cloud_x = rng.uniform(0, 10, 150)
cases.append(xy("cloud", cloud_x, rng.uniform(0, 10, 150), 0.3))
edges = np.linspace(-3, 3, 25)
centres = 0.5 * (edges[1:] + edges[:-1])
mu = 400 * np.diff(edges) * np.exp(-0.5 * centres ** 2) / math.sqrt(2 * math.pi)
cases.append(dict(type="histogram", title="histogram", x_label="x", y_label="entries", model_label="gauss",
                  panel="pull", info=["mu = 0.01 ± 0.05", "sigma = 1.0 ± 0.04", "χ²/ndf = 20/22 = 0.91"],
                  edges=list(edges), counts=list(np.round(mu)), expected=list(mu), curve_x=list(centres),
                  curve_y=list(mu)))

failures = 0
for d in cases:
    fig = plot.fit_figure(d)
    lay = fig.hepkit_layout
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    ax = lay["ax"]
    pts = ax.transData.transform(lay["data_points"])
    ib = lay["info"].get_window_extent(r)
    lb = lay["legend"].get_window_extent(r)
    # every data point and error bar end inside the axes' visible range still counts
    hidden = [(i, p) for i, p in enumerate(pts) for box in (ib, lb)
              if box.x0 <= p[0] <= box.x1 and box.y0 <= p[1] <= box.y1]
    overlap = ib.overlaps(lb)
    ok = not hidden and not overlap
    print("%-10s %-28s %s" % (d["title"], "/".join(lay["where"]), "ok" if ok else
                              "FAIL: %d points hidden, boxes overlap: %s" % (len(hidden), overlap)))
    if d["type"] == "xy":
        # kafe2's error bars: x errors horizontal, the data's own y errors vertical, and the legend
        # says when the fit projects x errors onto y
        bars = [c for c in ax.containers if hasattr(c, "has_xerr")][0]
        want_x = bool(np.any(np.asarray(d["x_err"]) > 0))
        labels = [t.get_text() for t in lay["legend"].get_texts()]
        said = any("x errors projected onto y" in t for t in labels)
        if bars.has_xerr != want_x or not bars.has_yerr or said != want_x:
            print("%-10s FAIL: horizontal bars %s, vertical %s, legend %s" % (d["title"], bars.has_xerr,
                                                                            bars.has_yerr, labels))
            ok = False
    fig.savefig(os.path.join(outdir, "layout_%s.png" % d["title"]), bbox_inches="tight", dpi=80)
    failures += not ok
sys.exit(1 if failures else 0)
