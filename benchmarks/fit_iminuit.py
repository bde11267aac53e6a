#!/usr/bin/python3
"""iminuit side of benchmarks/fit_vs_iminuit: the same three costs, numpy-vectorised;
per-fit time of migrad() + hesse(), printed as JSON."""
import json
import math
import sys
import time

import numpy as np
from iminuit import Minuit
from scipy.special import erf

d = json.load(open(sys.argv[1]))
out = {}


def timed(make):
    n, t0 = 0, time.perf_counter()
    while True:
        m = make()
        m.migrad()
        m.hesse()
        n += 1
        if time.perf_counter() - t0 > 1.0:
            return (time.perf_counter() - t0) / n, list(m.values), list(m.errors)


x, y = np.array(d["xy"]["x"]), np.array(d["xy"]["y"])
V = np.full((len(x), len(x)), d["xy"]["corr"] ** 2) + np.eye(len(x)) * d["xy"]["sigma"] ** 2
L = np.linalg.cholesky(V)
from scipy.linalg import solve_triangular  # noqa: E402


def xy_cost(a, b, c):
    r = y - (a * np.exp(-x / b) + c)
    z = solve_triangular(L, r, lower=True)
    return z @ z


def make_xy():
    m = Minuit(xy_cost, a=1, b=1, c=0)
    m.errordef = 1
    return m


edges, n = np.array(d["hist"]["edges"]), np.array(d["hist"]["counts"])
N = n.sum()


def hist_cost(mu, sigma, fs):
    cdf = 0.5 * (1 + erf((edges - mu) / (sigma * math.sqrt(2))))
    e = N * (fs * np.diff(cdf) + (1 - fs) * np.diff(edges) / 10.0)
    return -2 * np.sum(n * np.log(e) - e)


def make_hist():
    m = Minuit(hist_cost, mu=4.5, sigma=1, fs=0.2)
    m.errordef = 1
    return m


ev = np.array(d["unbinned"]["data"])


def nll(mu, sigma, fs, lam):
    g = np.exp(-0.5 * ((ev - mu) / sigma) ** 2) / (math.sqrt(2 * math.pi) * sigma)
    e = lam * np.exp(-lam * ev) / (1 - math.exp(-10 * lam))
    return -2 * np.sum(np.log(fs * g + (1 - fs) * e))


def make_unbinned():
    m = Minuit(nll, mu=4.5, sigma=1, fs=0.2, lam=0.5)
    m.errordef = 1
    m.limits["fs"] = (0, 1)
    return m


for key, make in (("xy", make_xy), ("hist", make_hist), ("unbinned", make_unbinned)):
    t, values, errors = timed(make)
    out[key] = {"seconds": t, "values": values, "errors": errors}
print(json.dumps(out))
