#!/usr/bin/python3
"""hepkit infer on examples/infer/normsys.json: the JSON report's best fit against an independent
minimisation (scipy Nelder-Mead, xatol 1e-12, on the likelihood written out by hand: normsys code1,
histosys "smooth", unit Gaussian constraints): mu = 0.312243, bkg_norm = 0.308077,
-ln L = 8.9736145698."""
import json
import subprocess
import sys

hepkit, workspace, out = sys.argv[1:4]
subprocess.run([hepkit, "infer", workspace, "--json", out, "-q"], check=True)
doc = json.load(open(out))
p = doc["parameters"]
checks = [
    ("mu", p["mu"]["value"], 0.312243, 2e-5),
    ("bkg_norm", p["bkg_norm"]["value"], 0.308077, 2e-5),
    ("nll", doc["nll"], 8.9736145698, 1e-8),
    ("cost", doc["cost"], 2 * 8.9736145698, 2e-8),
]
bad = [f"{n}: {got} != {want} +- {tol}" for n, got, want, tol in checks if abs(got - want) > tol]
if doc["poi"] != "mu" or not doc["converged"] or p["mu"]["error"] <= 0:
    bad.append(f"poi {doc['poi']}, converged {doc['converged']}, error {p['mu']['error']}")
if bad:
    sys.exit("hepkit infer: " + "; ".join(bad))
print("hepkit infer: best fit and -ln L as the independent minimisation")
