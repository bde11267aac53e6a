#!/usr/bin/python3
"""hepkit infer --plots: the impacts and scan plots are drawn by tools/plot/hepkit_infer_plot.py (as
PNG and PDF: the files start with their formats' signatures), no temporary file is left, and
nothing is drawn when --plots is not given. Skips (exit 77) when /usr/bin/python3 has no
matplotlib, naming it.

usage: HistFactoryInferPlotCheck.py HEPKIT WORKSPACE OUTDIR
"""
import os
import shutil
import subprocess
import sys

try:
    import matplotlib  # noqa: F401
except ImportError:
    print("SKIPPED: /usr/bin/python3 has no matplotlib (Debian: apt install python3-matplotlib)")
    sys.exit(77)

hepkit, workspace, outdir = sys.argv[1:4]
shutil.rmtree(outdir, ignore_errors=True)
os.makedirs(outdir)
bad = []

plots = os.path.join(outdir, "plots")
p = subprocess.run([hepkit, "infer", workspace, "--impacts", "--scan", "21", "--plots", plots], capture_output=True,
                   text=True)
if p.returncode != 0:
    sys.exit(f"hepkit infer --plots: exit {p.returncode}\n{p.stderr}")
for name in ("impacts.png", "scan.png"):
    path = os.path.join(plots, name)
    if not os.path.isfile(path) or open(path, "rb").read(8) != b"\x89PNG\r\n\x1a\n":
        bad.append(f"{path}: missing or not a PNG")
    if f"plot             {path}" not in p.stdout:
        bad.append(f"the output does not name {path}:\n{p.stdout}")
if sorted(os.listdir(plots)) != ["impacts.png", "scan.png"]:
    bad.append(f"{plots} holds {sorted(os.listdir(plots))}: temporary files left")

# PDF, the impacts plot only (no --scan: no scan plot)
pdf = os.path.join(outdir, "pdf")
subprocess.run([hepkit, "-q", "infer", workspace, "--impacts", "--plots", pdf, "--plot-format", "pdf",
                "--plot-top", "1"], check=True)
if sorted(os.listdir(pdf)) != ["impacts.pdf"] or open(os.path.join(pdf, "impacts.pdf"), "rb").read(5) != b"%PDF-":
    bad.append(f"{pdf}: {sorted(os.listdir(pdf))}, expected one PDF impacts.pdf")

# not asked: nothing drawn (the run's directory stays empty)
quiet = os.path.join(outdir, "none")
os.makedirs(quiet)
subprocess.run([hepkit, "-q", "infer", os.path.abspath(workspace), "--impacts", "--scan", "5"], check=True, cwd=quiet)
if os.listdir(quiet):
    bad.append(f"without --plots, files appeared: {os.listdir(quiet)}")

if bad:
    sys.exit("hepkit infer --plots:\n  " + "\n  ".join(bad))
print("hepkit infer --plots: impacts and scan plots drawn")
