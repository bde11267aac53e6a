#!/usr/bin/python3
"""Cross-check of hepkit fit against iminuit on the same costs.

usage: iminuit_crosscheck.py HEPKIT DATA_DIR WORKDIR   (DATA_DIR: tests/fit/data, hepkit's own files)
Exits 77 (ctest: skipped) with a visible message when iminuit is not installed.
Models: a line with y errors, an exponential with relative y errors (5% of the data), a
histogram (Poisson, exact bin integrals) and an unbinned fit with a limited parameter.
Values must agree within 0.01 sigma, HESSE errors within 1%.
"""
import json
import math
import os
import subprocess
import sys

try:
    import numpy as np
    from iminuit import Minuit
except ImportError as e:  # visible skip
    print("SKIPPED: iminuit/numpy not available (%s); install python3-iminuit" % e)
    sys.exit(77)

hk, data_dir, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
failures = 0


def hepkit(yml, name):
    path = os.path.join(work, name + ".yml")
    open(path, "w").write(yml)
    out = os.path.join(work, name + ".json")
    subprocess.run([hk, "-q", "fit", path, "--report-json", out], check=True)
    return json.load(open(out))


def compare(name, rep, m):
    global failures
    for p in m.parameters:
        h = rep["parameters"][p]
        dv = abs(h["value"] - m.values[p]) / m.errors[p]
        de = abs(h["error"] / m.errors[p] - 1)
        ok = dv < 0.01 and de < 0.01
        failures += not ok
        print("%-12s %-6s hepkit %.6g +- %.5g  iminuit %.6g +- %.5g  (%.4f sigma, errors %.3f%%) %s"
              % (name, p, h["value"], h["error"], m.values[p], m.errors[p], dv, 100 * de, "ok" if ok else "FAIL"))


x = np.linspace(0.5, 9.5, 19)
y = 1.3 * x - 0.7 + np.sin(7 * x) * 0.3
m = Minuit(lambda a, b: np.sum(((y - a * x - b) / 0.3) ** 2), a=1, b=0)
m.errordef = 1
m.migrad(); m.hesse()
compare("line", hepkit("x_data: %s\ny_data: %s\ny_errors: 0.3\n" % (list(x), list(y)), "line"), m)

ye = 2.0 * np.exp(x / 4.0) * (1 + 0.04 * np.cos(5 * x))
m = Minuit(lambda A, s: np.sum(((ye - A * np.exp(x / s)) / (0.05 * ye)) ** 2), A=1, s=3)
m.errordef = 1
m.migrad(); m.hesse()
compare("exponential", hepkit("x_data: %s\ny_data: %s\ny_errors: 5%%\nmodel_function: |\n  def f(x, A=1.0, s=3.0):\n"
                              "      return A * np.exp(x / s)\n" % (list(x), list(ye)), "exponential"), m)

import yaml  # noqa: E402
hist_file = os.path.join(data_dir, "histogram_normal.yml")
d = yaml.safe_load(open(hist_file))
edges = np.linspace(d["bin_range"][0], d["bin_range"][1], d["n_bins"] + 1)
n, _ = np.histogram(d["raw_data"], edges)
N = n.sum()
cdf = np.vectorize(lambda t: 0.5 * (1 + math.erf(t / math.sqrt(2))))


def hist_cost(mu, sigma):
    e = N * (cdf((edges[1:] - mu) / sigma) - cdf((edges[:-1] - mu) / sigma))
    return -2 * np.sum(n * np.log(e) - e)


m = Minuit(hist_cost, mu=0, sigma=1)
m.limits["sigma"] = (1e-3, None)
m.errordef = 1
m.migrad(); m.hesse()
compare("histogram", hepkit(open(hist_file).read(), "histogram"), m)

unbinned_file = os.path.join(data_dir, "unbinned_decay.yml")
d = yaml.safe_load(open(unbinned_file))
t = np.array(d["data"])


def nll(tau, fbg):
    a, b = 1.0, 11.5
    pdf1 = np.exp(-t / tau) / tau / (np.exp(-a / tau) - np.exp(-b / tau))
    return -2 * np.sum(np.log((1 - fbg) * pdf1 + fbg / (b - a)))


m = Minuit(nll, tau=2.2, fbg=0.1)
m.errordef = 1
m.limits["fbg"] = (0, 1)
m.migrad(); m.hesse()
# iminuit's errors of limited parameters are not sqrt(cov) but a transformed interval; compare
# with sqrt of its covariance, as hepkit reports
cov = np.array(m.covariance)
for i, p in enumerate(m.parameters):
    m.errors[p] = math.sqrt(cov[i, i])
compare("unbinned", hepkit(open(unbinned_file).read(), "unbinned"), m)

print("iminuit cross-check: %s" % ("all agree" if failures == 0 else "%d disagreements" % failures))
sys.exit(1 if failures else 0)
