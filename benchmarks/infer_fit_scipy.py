#!/usr/bin/python3
"""scipy side of benchmarks/infer_fit.cpp: the HistFactory likelihood of the benchmark's workspace
(one channel; normfactor, normsys code1, histosys code0, staterror — pyhf's conventions, constants
included, so -ln L equals hepkit's and pyhf's -logpdf) in numpy, minimised with
scipy.optimize.minimize(method="L-BFGS-B") with the parameters' bounds and finite-difference
gradients, as a user without an autodiff library writes it.

usage: infer_fit_scipy.py WORKSPACE.json GRID.json   (GRID.json: {"grid": [POI values], "fits": K})
Prints JSON: fit_seconds (per fit, mean of K), scan_seconds (the grid, each point started from the
previous one), nll (the minimum), nll_init (at the initial values), scan_nll, mu_hat.
"""
import json
import math
import sys
import time

import numpy as np
from scipy.optimize import minimize
from scipy.special import gammaln

ws = json.load(open(sys.argv[1]))
cfg = json.load(open(sys.argv[2]))
(channel,) = ws["channels"]
n = np.array(ws["observations"][0]["data"])
nbins = len(n)
poi_name = ws["measurements"][0]["config"]["poi"]

# parameters as hepkit and pyhf order them: by modifier name, per-bin ones NAME[i] in bin order
kinds = {}
for s in channel["samples"]:
    for m in s["modifiers"]:
        kinds[m["name"]] = m["type"]
names, index, init, bounds = [], {}, [], []
for name in sorted(kinds):
    index[name] = len(names)
    if kinds[name] == "staterror":
        names += [f"{name}[{i}]" for i in range(nbins)]
        init += [1.0] * nbins
        bounds += [(1e-10, 10.0)] * nbins
    else:
        names.append(name)
        init.append(1.0 if kinds[name] == "normfactor" else 0.0)
        bounds.append((0.0, 10.0) if kinds[name] == "normfactor" else (-5.0, 5.0))
poi = index[poi_name]
for c in ws["measurements"][0]["config"]["parameters"]:  # the measurement's bounds (the benchmark sets mu's)
    if "bounds" in c:
        for i, b in enumerate(c["bounds"]):
            bounds[index[c["name"]] + i] = tuple(b)

# per sample: nominal, normsys (index, hi, lo), histosys (index, hi - nom, nom - lo), factors, staterror
samples = []
stat_sigma2, stat_nominal = np.zeros(nbins), np.zeros(nbins)
for s in channel["samples"]:
    nom = np.array(s["data"])
    sample = {"nom": nom, "normsys": [], "histosys": [], "factors": [], "stat": None}
    for m in s["modifiers"]:
        k = index[m["name"]]
        if m["type"] == "normfactor":
            sample["factors"].append(k)
        elif m["type"] == "normsys":
            sample["normsys"].append((k, m["data"]["hi"], m["data"]["lo"]))
        elif m["type"] == "histosys":
            sample["histosys"].append((k, np.array(m["data"]["hi_data"]) - nom, nom - np.array(m["data"]["lo_data"])))
        elif m["type"] == "staterror":
            sample["stat"] = k
            stat_sigma2 += np.array(m["data"]) ** 2
            stat_nominal += nom
        else:
            sys.exit(f"infer_fit_scipy.py: modifier type {m['type']} is not part of the benchmark")
    samples.append(sample)
stat_names = [k for k in kinds if kinds[k] == "staterror"]
stat_delta = np.sqrt(stat_sigma2) / np.where(stat_nominal > 0, stat_nominal, 1)
alphas = [index[k] for k in kinds if kinds[k] in ("normsys", "histosys")]
const = float(np.sum(gammaln(n + 1)))
half_log_2pi = 0.5 * math.log(2 * math.pi)


def nll(p):
    nu = np.zeros(nbins)
    for s in samples:
        rate = s["nom"].copy()
        for k, up, down in s["histosys"]:  # code0: piecewise linear
            a = p[k]
            rate += a * (up if a >= 0 else down)
        factor = 1.0
        for k, hi, lo in s["normsys"]:  # code1: exponential
            a = p[k]
            factor *= hi**a if a >= 0 else lo ** (-a)
        for k in s["factors"]:
            factor *= p[k]
        rate = rate * factor
        if s["stat"] is not None:
            rate = rate * p[s["stat"] : s["stat"] + nbins]
        nu += rate
    if np.any(nu <= 0):
        return 1e300
    r = float(np.sum(nu - n * np.log(nu))) + const
    a = p[alphas]
    r += float(0.5 * np.dot(a, a)) + len(alphas) * half_log_2pi
    for name in stat_names:
        g = p[index[name] : index[name] + nbins]
        r += float(np.sum(0.5 * ((g - 1) / stat_delta) ** 2 + np.log(stat_delta))) + nbins * half_log_2pi
    return r


def fit(start, held=None):
    """L-BFGS-B with the bounds; the POI held at `held` through equal bounds."""
    b = list(bounds)
    x0 = np.array(start, dtype=float)
    if held is not None:
        b[poi] = (held, held)
        x0[poi] = held
    return minimize(nll, x0, method="L-BFGS-B", bounds=b, options={"maxiter": 15000, "maxfun": 10**7})


fits = int(cfg["fits"])
t0 = time.perf_counter()
for _ in range(fits):
    best = fit(init)
fit_seconds = (time.perf_counter() - t0) / fits

t0 = time.perf_counter()
start, scan = best.x, []
for mu in cfg["grid"]:
    r = fit(start, held=mu)
    start = r.x
    scan.append(float(r.fun))
scan_seconds = time.perf_counter() - t0

print(json.dumps({"fit_seconds": fit_seconds, "scan_seconds": scan_seconds, "nll": float(best.fun),
                  "nll_init": nll(np.array(init)), "mu_hat": float(best.x[poi]), "scan_nll": scan,
                  "success": bool(best.success), "nfev": int(best.nfev)}))
