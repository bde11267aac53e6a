#!/usr/bin/python3
"""Bar chart of the ranked Taylor coefficients of `hepkit nn taylor --plot` (docs/nn-taylor.md).

usage: hepkit_taylor_plot.py RESULT.json OUTPUT.{png,pdf,svg} [TOP]

RESULT.json is the command's --json output ({"convention", "order", "features", "coefficients":
[{"index", "names", "mean_abs", "mean"}, ...]}, ranked). The TOP (default 20) largest <|t|> are
drawn as horizontal bars, the largest on top, coloured by order; the bar's label names the
features of the coefficient.

Exit status: 0 on success, 4 if matplotlib cannot be imported (hepkit then names the Debian
package), 1 for any other failure (the traceback goes to stderr).
"""

import json
import sys

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch
except ImportError as e:
    print(f"hepkit_taylor_plot.py: {e}", file=sys.stderr)
    sys.exit(4)

ORDER_COLOURS = {1: "#3b75af", 2: "#ef8636", 3: "#519e3e"}


def label(names):
    """t_x, t_x,y, ... in mathtext-free plain text (feature names may hold any character)."""
    return "t(" + ", ".join(names) + ")"


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 1
    with open(sys.argv[1], encoding="utf-8") as f:
        result = json.load(f)
    top = int(sys.argv[3]) if len(sys.argv) == 4 else 20
    coefficients = result["coefficients"][:top]
    values = [c["mean_abs"] for c in coefficients][::-1]
    labels = [label(c["names"]) for c in coefficients][::-1]
    colours = [ORDER_COLOURS.get(len(c["index"]), "grey") for c in coefficients][::-1]

    fig, ax = plt.subplots(figsize=(7.0, 1.2 + 0.32 * max(len(values), 1)))
    ax.barh(range(len(values)), values, color=colours)
    ax.set_yticks(range(len(values)))
    ax.set_yticklabels(labels)
    convention = result.get("convention", "derivative")
    what = "derivatives" if convention == "derivative" else "Taylor coefficients (÷ factorials)"
    ax.set_xlabel(f"⟨|t|⟩, {what}")
    ax.set_title(f"Taylor-coefficient ranking, order ≤ {result.get('order')} (arXiv:1803.08782)")
    orders = sorted({len(c["index"]) for c in coefficients})
    ax.legend(handles=[Patch(color=ORDER_COLOURS.get(o, "grey"), label=f"order {o}") for o in orders],
              loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(sys.argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main())
