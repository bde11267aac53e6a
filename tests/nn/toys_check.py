#!/usr/bin/python3
"""The toys of the Taylor-coefficient paper (arXiv:1803.08782) reproduced with trained networks:
toys_check.py HEPKIT SOURCE_DIR WORKDIR.

Writes the two toy data sets (examples/nn/toys/make_toys.py) and their configurations into WORKDIR,
trains each with `hepkit nn train`, ranks the coefficients of the trained network with
`hepkit nn taylor` on the test fold, and checks the paper's findings:
  mean shift in x1   -> the first-order coefficient of x1 ranks first, at least 1.5 times any other
                        (2.8 times for the exact likelihood ratio on the same events);
  correlation only   -> the mixed second-order coefficient t_12 ranks first, and the first-order
                        coefficients average to about zero (<t_i> within 0.15 <|t_i|>: f depends on
                        x1·x2, so t_i is odd under x -> -x and cancels over the symmetric data).
The expectations come from the toys' exact likelihood ratios (docs/nn-taylor.md), not from hepkit.
It also checks that the per-epoch coefficients of the `taylor:` section were written.
"""
import json
import os
import shutil
import subprocess
import sys


def fail(message):
    print("toys_check: " + message, file=sys.stderr)
    sys.exit(1)


def run(cmd):
    print("+ " + " ".join(cmd), flush=True)
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    print(r.stdout)
    if r.returncode != 0:
        fail(f"exit code {r.returncode}: {' '.join(cmd)}")


def main():
    hepkit, source, work = sys.argv[1:4]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    toys = os.path.join(source, "examples", "nn", "toys")
    run([sys.executable, os.path.join(toys, "make_toys.py"), work, "12000"])
    try:
        import matplotlib  # noqa: F401
        plots = []
    except ImportError:
        plots = ["--no-plots"]
    results = {}
    for toy in ("mean_shift", "correlation"):
        shutil.copy(os.path.join(toys, toy + ".yaml"), work)
        out = os.path.join(work, toy + "-out")
        run([hepkit, "nn", "train", os.path.join(work, toy + ".yaml"), "-o", out] + plots)
        if not os.path.isfile(os.path.join(out, "taylor.csv")):
            fail(f"{toy}: the training's taylor: section wrote no {out}/taylor.csv")
        js = os.path.join(work, toy + "-taylor.json")
        run([hepkit, "nn", "taylor", os.path.join(out, "model.pt"), os.path.join(work, toy, "signal.csv"),
             os.path.join(work, toy, "background.csv"), "--cut", "event % 4 == 3", "--order", "2", "--json", js])
        with open(js) as f:
            results[toy] = {tuple(c["index"]): c for c in json.load(f)["coefficients"]}
            results[toy]["ranked"] = [tuple(c["index"]) for c in json.load(open(js))["coefficients"]]

    ms = results["mean_shift"]
    if ms["ranked"][0] != (0,):
        fail(f"mean shift: expected t_x1 first, ranking is {ms['ranked']}")
    second = ms[ms["ranked"][1]]["mean_abs"]
    if ms[(0,)]["mean_abs"] < 1.5 * second:
        fail(f"mean shift: <|t_x1|> = {ms[(0,)]['mean_abs']:.4g} is not 1.5 times the next ({second:.4g})")
    co = results["correlation"]
    if co["ranked"][0] != (0, 1):
        fail(f"correlation: expected t_x1x2 first, ranking is {co['ranked']}")
    for i in (0, 1):
        c = co[(i,)]
        if abs(c["mean"]) > 0.15 * c["mean_abs"]:
            fail(f"correlation: <t_{i}> = {c['mean']:.4g} is not ~0 (<|t|> = {c['mean_abs']:.4g})")
    for toy in ("mean_shift", "correlation"):
        r = results[toy]
        print(toy + ": " + ", ".join(f"{k}: {r[k]['mean_abs']:.4f}" for k in r["ranked"]))
    print("toys_check: both toys reproduce the paper's findings")


if __name__ == "__main__":
    main()
