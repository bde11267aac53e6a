#!/usr/bin/python3
"""Plots of `hepkit infer --plots DIR` (docs/infer.md, "Pulls and impacts").

usage: hepkit_infer_plot.py RESULT.json KIND OUTPUT.{png,pdf,svg} [TOP]

RESULT.json is the command's --json document. KIND:

- impacts: the CMS-style impacts plot of its "impacts" list (ranked, as hepkit writes it): on the
  left the pulls (value - prefit)/prefit error with their post-fit error bars and the +-1, +-2
  bands (free parameters, which have no pull, as value +- error on a separate axis marker), on
  the right the POI's shifts when the nuisance is held at value +- post-fit error (filled) and
  +- prefit error (outlined). The TOP (default 30) highest-ranked nuisances, the first on top.
- scan: the profile likelihood of its "scan": -2 Delta ln L against the POI, the line at 1 and
  the interval where it lies below (ends reported open where the scan does not reach them).

Exit status: 0 on success, 4 if matplotlib cannot be imported (hepkit then names the Debian
package), 1 for any other failure (the traceback goes to stderr).
"""

import json
import math
import sys

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
except ImportError as e:
    print(f"hepkit_infer_plot.py: {e}", file=sys.stderr)
    sys.exit(4)

UP, DOWN = "#d62728", "#1f77b4"  # shifts of the nuisance up (+1 sigma) and down


def poi_title(doc):
    """'mu-hat = 0.312 +0.21 -0.20' from the parameters table (profile errors where present)."""
    poi = doc["poi"]
    p = doc["parameters"][poi]
    lo, hi = p.get("error_low"), p.get("error_high")
    if lo is not None and hi is not None:
        return f"{poi} = {p['value']:.4g} +{abs(hi):.3g} -{abs(lo):.3g}"
    return f"{poi} = {p['value']:.4g} ± {p['error']:.3g}"


def plot_impacts(doc, output, top):
    impacts = doc["impacts"][:top]
    if not impacts:
        raise SystemExit("hepkit_infer_plot.py: the model has no free nuisance parameter: no impacts to plot")
    n = len(impacts)
    ys = list(range(n))[::-1]  # the first ranked on top
    # a row of its own for the legends above the panels (inside the panels they would hide bars)
    body = 0.8 + 0.34 * n
    fig, axes = plt.subplots(2, 2, figsize=(9.5, 1.2 + body), sharey="row",
                             gridspec_kw={"width_ratios": [1.2, 1.0], "height_ratios": [0.45, body], "wspace": 0.05,
                                          "hspace": 0.02})
    (left_key, right_key), (left, right) = axes
    for ax in (left_key, right_key):
        ax.axis("off")
    left.axvspan(-1, 1, color="0.88", zorder=0)
    left.axvspan(-2, -1, color="0.95", zorder=0)
    left.axvspan(1, 2, color="0.95", zorder=0)
    left.axvline(0, color="0.5", lw=0.8)
    free_seen = False
    for y, im in zip(ys, impacts):
        if im["pull"] is not None:
            s = im["prefit_error"]
            left.errorbar(im["pull"], y, xerr=[[im["error_down"] / s], [im["error_up"] / s]], fmt="o", color="k",
                          ms=4, capsize=0, lw=1.2)
        else:
            # a free parameter has no pull: its value relative to 1 (the nominal of normfactors and
            # shapefactors) with its error, drawn with another marker
            free_seen = True
            left.errorbar(im["value"] - 1, y, xerr=[[im["error_down"]], [im["error_up"]]], fmt="s", color="#9467bd",
                          ms=4, capsize=0, lw=1.2)
    lim = max([2.5] + [abs(im["pull"]) + max(im["error_down"], im["error_up"]) / im["prefit_error"] + 0.2
                       for im in impacts if im["pull"] is not None])
    left.set_xlim(-lim, lim)
    left.set_xlabel("pull = (post-fit value − θ₀) / σ_prefit")
    left.set_yticks(ys)
    left.set_yticklabels([f"{i + 1}. {im['name']}" for i, im in enumerate(impacts)])
    left.set_ylim(-0.7, n - 0.3)
    handles = [Line2D([], [], marker="o", color="k", ls="", label="pull ± post-fit error")]
    if free_seen:
        handles.append(Line2D([], [], marker="s", color="#9467bd", ls="", label="free: value − 1 ± error"))
    left_key.legend(handles=handles, loc="center", fontsize="small", ncol=2, frameon=False)

    h = 0.36
    for y, im in zip(ys, impacts):
        right.barh(y + h / 2, im["impact_up"], height=h, color=UP, alpha=0.8)
        right.barh(y - h / 2, im["impact_down"], height=h, color=DOWN, alpha=0.8)
        if im["impact_prefit_up"] is not None:
            right.barh(y + h / 2, im["impact_prefit_up"], height=h, fill=False, edgecolor=UP, lw=1.0)
            right.barh(y - h / 2, im["impact_prefit_down"], height=h, fill=False, edgecolor=DOWN, lw=1.0)
    right.axvline(0, color="0.3", lw=0.8)
    m = max([1e-12] + [abs(im[k]) for im in impacts for k in
                       ("impact_up", "impact_down", "impact_prefit_up", "impact_prefit_down") if im[k] is not None])
    right.set_xlim(-1.15 * m, 1.15 * m)
    right.set_xlabel(f"Δ{doc['poi']}: refit with θ held − best fit")
    right_key.legend(handles=[Patch(color=UP, alpha=0.8, label="+1σ post-fit"),
                          Patch(color=DOWN, alpha=0.8, label="−1σ post-fit"),
                          Patch(fill=False, edgecolor="0.3", label="±1σ pre-fit")],
                     loc="center", fontsize="small", ncol=3, frameon=False)
    for ax in (left, right):
        ax.grid(axis="x", alpha=0.3)
    shown = f" (top {n} of {len(doc['impacts'])})" if n < len(doc["impacts"]) else ""
    fig.suptitle(f"Pulls and impacts on {doc['poi']}{shown}: {poi_title(doc)}")
    fig.tight_layout()
    fig.savefig(output, bbox_inches="tight")


def plot_scan(doc, output):
    s = doc["scan"]
    x = s["values"]
    y = [2 * d for d in s["delta_nll"]]
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    ax.plot(x, y, "o-", color="k", lw=1.5, ms=3, label="profile likelihood (refitted points)")
    bad = [(a, b) for a, b, ok in zip(x, y, s["converged"]) if not ok]
    if bad:
        ax.plot([a for a, _ in bad], [b for _, b in bad], "x", color="red", label="refit not converged")
    ax.axhline(1, color="#d62728", ls="--", lw=1, label="−2 Δln L = 1 (68.3 %)")
    lo, hi = s["interval"]["lower"], s["interval"]["upper"]
    for end in (lo, hi):
        if end is not None:
            ax.axvline(end, color="#d62728", ls=":", lw=1)
    best = s["best"]
    ax.axvline(best, color="0.5", lw=0.8)
    left = f"−{best - lo:.3g}" if lo is not None else "(open)"
    right = f"+{hi - best:.3g}" if hi is not None else "(open)"
    ax.set_title(f"{s['parameter']} = {best:.4g} {right} {left}")
    ax.set_xlabel(s["parameter"])
    ax.set_ylabel("−2 Δ ln L")
    finite = [v for v in y if math.isfinite(v)]
    ax.set_ylim(0, max([1.5] + finite) * 1.05)
    ax.set_xlim(min(x), max(x))
    ax.grid(alpha=0.3)
    ax.legend(loc="upper center", fontsize="small")
    fig.tight_layout()
    fig.savefig(output, bbox_inches="tight")


def main():
    if len(sys.argv) not in (4, 5):
        print(__doc__, file=sys.stderr)
        return 1
    with open(sys.argv[1], encoding="utf-8") as f:
        doc = json.load(f)
    kind, output = sys.argv[2], sys.argv[3]
    top = int(sys.argv[4]) if len(sys.argv) == 5 else 30
    if kind == "impacts":
        plot_impacts(doc, output, top)
    elif kind == "scan":
        plot_scan(doc, output)
    else:
        print(f"hepkit_infer_plot.py: unknown plot '{kind}' (impacts or scan)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
