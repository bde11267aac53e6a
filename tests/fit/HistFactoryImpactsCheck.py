#!/usr/bin/python3
"""hepkit infer --impacts end to end: the text table, the JSON schema of "impacts" and its ranking on
examples/infer/normsys.json and examples/infer/simple.json, and on normsys.json the numbers against
an independent computation with scipy: the likelihood written out by hand (signal [30, 95]·mu,
background [100, 150] with a normsys bkg_norm (code1, hi 1.1, lo 0.9) and a histosys bkg_shape
(smooth: nom + a·α² + b·α inside |α| <= 1, linear outside), unit Gaussian constraints), its
minimum, the Hessian errors of the nuisances by finite differences, and mu-hat refitted with each
nuisance held at the values hepkit reports (theta_up, ...).

usage: HistFactoryImpactsCheck.py HEPKIT EXAMPLES_INFER_DIR OUTDIR
"""
import json
import math
import os
import subprocess
import sys

import numpy as np
from scipy.optimize import minimize

hepkit, exdir, outdir = sys.argv[1:4]
os.makedirs(outdir, exist_ok=True)
bad = []

KEYS = {
    "rank": int, "name": str, "type": str, "constraint": str, "value": float, "error_down": float,
    "error_up": float, "prefit_value": (float, type(None)), "prefit_error": (float, type(None)),
    "pull": (float, type(None)), "pull_error": (float, type(None)), "theta_up": float, "theta_down": float,
    "impact_up": float, "impact_down": float, "theta_prefit_up": (float, type(None)),
    "theta_prefit_down": (float, type(None)), "impact_prefit_up": (float, type(None)),
    "impact_prefit_down": (float, type(None)),
}


def run(workspace, tag):
    out = os.path.join(outdir, f"impacts-{tag}.json")
    p = subprocess.run([hepkit, "infer", workspace, "--impacts", "--json", out], check=True, capture_output=True,
                       text=True)
    return json.load(open(out)), p.stdout


def check_schema(doc, text, tag):
    imp = doc["impacts"]
    poi = doc["poi"]
    free = [n for n, p in doc["parameters"].items() if n != poi and not p.get("fixed", False)]
    if sorted(i["name"] for i in imp) != sorted(free):
        bad.append(f"{tag}: impacts of {[i['name'] for i in imp]}, the free nuisances are {free}")
    for k, i in enumerate(imp):
        if set(i) != set(KEYS):
            bad.append(f"{tag}: {i.get('name')}: keys {sorted(i)} != {sorted(KEYS)}")
            continue
        for key, types in KEYS.items():
            v = i[key]
            if isinstance(v, int) and not isinstance(v, bool) and types is float:
                v = float(v)
            if not isinstance(v, types):
                bad.append(f"{tag}: {i['name']}.{key} = {v!r} is not {types}")
        if i["rank"] != k + 1:
            bad.append(f"{tag}: rank {i['rank']} at position {k + 1}")
        constrained = i["constraint"] != "none"
        if constrained != (i["pull"] is not None) or constrained != (i["impact_prefit_up"] is not None):
            bad.append(f"{tag}: {i['name']}: constraint {i['constraint']}, pull {i['pull']}")
        if i["pull"] is not None:
            want = (i["value"] - i["prefit_value"]) / i["prefit_error"]
            if abs(i["pull"] - want) > 1e-12 * max(1, abs(want)):
                bad.append(f"{tag}: {i['name']}: pull {i['pull']} != (value - prefit)/prefit error {want}")
        if not i["theta_down"] <= i["value"] <= i["theta_up"]:
            bad.append(f"{tag}: {i['name']}: held at {i['theta_down']}, {i['theta_up']} around {i['value']}")
    keys = [max(abs(i["impact_up"]), abs(i["impact_down"])) for i in imp]
    if keys != sorted(keys, reverse=True):
        bad.append(f"{tag}: not ranked by max |impact|: {keys}")
    # the text table: a header, then the nuisances in rank order
    if f"impacts on {poi} = " not in text:
        bad.append(f"{tag}: no impacts header in the output:\n{text}")
    table = text[text.find(f"impacts on {poi} = "):]
    at = [table.find(f"  {i['name']} ") for i in imp]
    if -1 in at or at != sorted(at):
        bad.append(f"{tag}: the table does not list {[i['name'] for i in imp]} in rank order:\n{text}")


# --- normsys.json by hand -------------------------------------------------------------------------
SIG = np.array([30.0, 95.0])
NOM = np.array([100.0, 150.0])
HI = np.array([104.0, 147.0])
LO = np.array([97.0, 152.0])
N = np.array([120.0, 180.0])
NAMES = ["bkg_norm", "bkg_shape", "mu"]  # hepkit's (and pyhf's) order: by name


def smooth(alpha):
    a = 0.5 * (HI + LO) - NOM
    b = 0.5 * (HI - LO)
    if alpha > 1:
        return NOM + a + b + (b + 2 * a) * (alpha - 1)
    if alpha < -1:
        return NOM + a - b + (b - 2 * a) * (alpha + 1)
    return NOM + a * alpha**2 + b * alpha


def nll(p):
    kappa, shape, mu = p
    factor = 1.1**kappa if kappa >= 0 else 0.9 ** (-kappa)
    nu = mu * SIG + factor * smooth(shape)
    if np.any(nu <= 0):
        return 1e30
    return float(np.sum(nu - N * np.log(nu)) + 0.5 * kappa**2 + 0.5 * shape**2)


def fit(held=None):
    """Minimum of nll with parameter `held` = (index, value) fixed; returns the full point."""
    free = [k for k in range(3) if held is None or k != held[0]]

    def full(x):
        p = np.zeros(3)
        p[free] = x
        if held is not None:
            p[held[0]] = held[1]
        return p

    best = None
    for start in ([0.0, 0.0, 1.0], [0.3, -0.2, 0.3], [-0.5, 0.5, 0.8]):
        x0 = np.array(start)[free]
        r = minimize(lambda x: nll(full(x)), x0, method="Nelder-Mead",
                     options={"xatol": 1e-11, "fatol": 1e-14, "maxiter": 40000, "maxfev": 80000})
        r = minimize(lambda x: nll(full(x)), r.x, method="Nelder-Mead",
                     options={"xatol": 1e-12, "fatol": 1e-15, "maxiter": 40000, "maxfev": 80000})
        if best is None or r.fun < best.fun:
            best = r
    return full(best.x)


def hessian_errors(p):
    h = 1e-4
    H = np.zeros((3, 3))
    for i in range(3):
        for j in range(3):
            e_i, e_j = np.eye(3)[i] * h, np.eye(3)[j] * h
            H[i, j] = (nll(p + e_i + e_j) - nll(p + e_i - e_j) - nll(p - e_i + e_j) + nll(p - e_i - e_j)) / (4 * h * h)
    return np.sqrt(np.diag(np.linalg.inv(H)))


doc, text = run(os.path.join(exdir, "normsys.json"), "normsys")
check_schema(doc, text, "normsys.json")
best = fit()
errors = hessian_errors(best)
mu_hat = best[2]
if abs(doc["parameters"]["mu"]["value"] - mu_hat) > 2e-5:
    bad.append(f"normsys.json: mu-hat {doc['parameters']['mu']['value']} != scipy {mu_hat}")
for i in doc["impacts"]:
    k = NAMES.index(i["name"])
    if abs(i["value"] - best[k]) > 2e-5:
        bad.append(f"{i['name']}: value {i['value']} != scipy {best[k]}")
    if abs(i["error_up"] - errors[k]) > 1e-4 * errors[k] or abs(i["error_down"] - errors[k]) > 1e-4 * errors[k]:
        bad.append(f"{i['name']}: errors -{i['error_down']}/+{i['error_up']} != scipy's Hessian {errors[k]}")
    if i["prefit_value"] != 0.0 or i["prefit_error"] != 1.0 or i["constraint"] != "normal":
        bad.append(f"{i['name']}: prefit {i['prefit_value']} +- {i['prefit_error']}, {i['constraint']}")
    for theta, impact in (("theta_up", "impact_up"), ("theta_down", "impact_down"),
                          ("theta_prefit_up", "impact_prefit_up"), ("theta_prefit_down", "impact_prefit_down")):
        want = fit((k, i[theta]))[2] - mu_hat
        if abs(i[impact] - want) > 5e-5:
            bad.append(f"{i['name']}: {impact} {i[impact]} != scipy {want} (held at {i[theta]})")
    # the held values are the post-fit and pre-fit +-1 sigma
    if abs(i["theta_prefit_up"] - (i["value"] + 1)) > 1e-12 or abs(i["theta_down"] - (i["value"] - i["error_down"])) > 1e-12:
        bad.append(f"{i['name']}: held at {i['theta_prefit_up']}, {i['theta_down']}")

# --- simple.json (pyhf's hello world: Poisson-constrained shapesys) -------------------------------
doc, text = run(os.path.join(exdir, "simple.json"), "simple")
check_schema(doc, text, "simple.json")
for i in doc["impacts"]:
    # shapesys: tau = (nom/sigma)^2 for background [50, 52] and uncertainties [3, 7]
    tau = {"uncorr_bkguncrt[0]": (50 / 3) ** 2, "uncorr_bkguncrt[1]": (52 / 7) ** 2}[i["name"]]
    if i["constraint"] != "poisson" or abs(i["prefit_error"] - 1 / math.sqrt(tau)) > 1e-12 or i["prefit_value"] != 1.0:
        bad.append(f"simple.json: {i['name']}: {i['constraint']}, prefit {i['prefit_value']} +- {i['prefit_error']}")

if bad:
    sys.exit("hepkit infer --impacts:\n  " + "\n  ".join(bad))
print("hepkit infer --impacts: schema, ranking, table and scipy's impacts: ok")
