#!/usr/bin/python3
"""The examples of `hepkit events` (examples/events/) checked against an independent computation.

    check_examples.py EXAMPLE DUMP.json OUTDIR [--fit FIT.json] [--jsroot-hist HIST.json PIPELINE/NAME]
                      [--ntuple-dumps DIR]

EXAMPLE is dimuon-hzz, dimuon-nanoaod or ttbar. DUMP.json holds the input branches as jsroot read
them (dump.mjs: JavaScript ROOT I/O, no hepkit code); this script applies the example's selection
to them event by event in plain Python and numpy, fills the histograms and counts the cut flows
for the nominal and every shift, and compares with what `hepkit events run` wrote into OUTDIR:

- integers exactly: cut-flow events, histogram entries, the set of output files;
- floating sums (bin contents, sumw2, under/overflow, the in-range sums sumw, sumw2, sumwx,
  sumwx2, cut-flow sumw and sumw2) to 1e-9 relative: hepkit adds per batch (a cut flow's in
  eight partial sums), this script event by event, so sums of the same numbers may differ by
  rounding;
- values computed from the inputs (masses, eta, Delta R, MET, HT) are computed here with the
  same formulas in float64 (and rounded to float32 where the configuration stores float32), so
  they agree with hepkit's to a few ulp; a value within 1e-9 (relative) of a cut or a bin edge
  would make the comparison depend on that rounding, so such a value fails the check, naming it
  (none does in the reference files).

--fit FIT.json: the report of `hepkit fit examples/events/dimuon/fit.yml --report-json` on the
histogram m_mumu_count; the same model is fitted here with scipy (Poisson likelihood, analytic
bin integrals) to this script's own histogram: parameters must agree within 1 % of their errors,
errors within 2 %.
--jsroot-hist HIST.json PIPELINE/NAME: a hepkit histogram's .root file as tests/io/jsroot/read.mjs
dumped it; its TH1D (contents, sumw2, under/overflow) must equal this script's histogram NAME
(NAME__shift for a shift) of PIPELINE.
--ntuple-dumps DIR: the ROOT ntuples (dimuon's z_candidates) as dump.mjs read them,
DIR/PIPELINE/NAME[__shift].json; their rows must equal this script's (without it only their files'
presence is checked). CSV ntuples (ttbar's two_jets/events) are always compared. Rows: integers
exactly, floats to 1e-12 relative.

Exit status 0 with "events example NAME ok" on success, 1 naming the first difference.
"""

import json
import math
import os
import sys

import numpy as np

REL = 1e-9
MUON_MASS = 0.1056583755  # GeV, as in examples/events/dimuon/selection.yaml (PDG 2024)


class Failure(Exception):
    pass


def f32(x):
    """x rounded to float32 (round to nearest even), as a Python float."""
    return float(np.float32(x))


# Values whose comparison with a cut or a bin edge depends on rounding (see the docstring).
NEAR = []


def near(x, t, what):
    if x != t and abs(x - t) <= REL * max(1.0, abs(t)):
        NEAR.append(f"{what}: {x!r} is within 1e-9 of {t!r}")


def gt(x, t, what, computed=False):
    if computed:
        near(x, t, what)
    return x > t


def lt(x, t, what, computed=False):
    if computed:
        near(x, t, what)
    return x < t


class Hist:
    """A regular 1D histogram with boost-histogram's semantics: bin i holds lo + i w <= x <
    lo + (i + 1) w; x < lo is underflow, x >= hi (and NaN) overflow; every fill is an entry; the
    statistics sums are over the in-range fills (ROOT's fTsumw...)."""

    def __init__(self, n, lo, hi, computed=False):
        self.n, self.lo, self.hi, self.computed = n, lo, hi, computed
        self.edges = [lo + (hi - lo) * i / n for i in range(n + 1)]
        self.counts = [0.0] * n
        self.sumw2 = [0.0] * n
        self.underflow = self.overflow = self.underflow_sumw2 = self.overflow_sumw2 = 0.0
        self.entries = 0
        self.stats = {"sumw": 0.0, "sumw2": 0.0, "sumwx": 0.0, "sumwx2": 0.0}

    def fill(self, x, w=1.0, what=""):
        self.entries += 1
        if self.computed:
            for e in self.edges:
                near(x, e, f"{what} (bin edge)")
        if math.isnan(x) or x >= self.hi:
            self.overflow += w
            self.overflow_sumw2 += w * w
            return
        if x < self.lo:
            self.underflow += w
            self.underflow_sumw2 += w * w
            return
        i = 0
        while i + 1 < self.n and x >= self.edges[i + 1]:
            i += 1
        self.counts[i] += w
        self.sumw2[i] += w * w
        self.stats["sumw"] += w
        self.stats["sumw2"] += w * w
        self.stats["sumwx"] += w * x
        self.stats["sumwx2"] += w * x * x


class Cutflow:
    def __init__(self):
        self.rows = []  # [label, events, sumw, sumw2]

    def count(self, k, label, w):
        row = self.rows[k]
        assert row[0] == label
        row[1] += 1
        row[2] += w
        row[3] += w * w


def close(a, b):
    return a == b or abs(a - b) <= REL * max(abs(a), abs(b))


def compare_hist(path, want, label):
    got = json.load(open(path))
    if len(got["edges"]) != want.n + 1 or any(abs(g - e) > 1e-12 * max(1.0, abs(e))
                                               for g, e in zip(got["edges"], want.edges)):
        raise Failure(f"{label}: edges {got['edges']} differ from {want.edges}")
    if got["entries"] != want.entries:
        raise Failure(f"{label}: entries {got['entries']}, expected {want.entries}")
    for key in ("counts", "sumw2"):
        if len(got[key]) != want.n:
            raise Failure(f"{label}: {len(got[key])} {key}, expected {want.n}")
        for i, (g, e) in enumerate(zip(got[key], getattr(want, key))):
            if not close(g, e):
                raise Failure(f"{label}: {key}[{i}] = {g!r}, expected {e!r}")
    for key in ("underflow", "overflow", "underflow_sumw2", "overflow_sumw2"):
        if not close(got[key], getattr(want, key)):
            raise Failure(f"{label}: {key} = {got[key]!r}, expected {getattr(want, key)!r}")
    for key, e in want.stats.items():
        if not close(got["stats"][key], e):
            raise Failure(f"{label}: stats.{key} = {got['stats'][key]!r}, expected {e!r}")


def compare_cutflow(got_rows, want, label):
    if [r["label"] for r in got_rows] != [r[0] for r in want.rows]:
        raise Failure(f"{label}: rows {[r['label'] for r in got_rows]}, expected {[r[0] for r in want.rows]}")
    for g, (name, events, sumw, sumw2) in zip(got_rows, want.rows):
        if g["events"] != events:
            raise Failure(f"{label} {name}: {g['events']} events, expected {events}")
        if not close(g["sumw"], sumw) or not close(g["sumw2"], sumw2):
            raise Failure(f"{label} {name}: sumw {g['sumw']!r}, sumw2 {g['sumw2']!r}; expected {sumw!r}, {sumw2!r}")


def compare_ntuple(path, fmt, columns, want, label):
    """An ntuple's rows (input order) against the expected ones: integers exactly, floats to 1e-12
    relative (values computed in float64 by both: a few ulp apart at most)."""
    if fmt == "csv":
        import csv
        with open(path, newline="") as f:
            reader = csv.reader(f)
            header = next(reader)
            rows = [[float(v) for v in row] for row in reader]
        if header != columns:
            raise Failure(f"{label}: columns {header}, expected {columns}")
    else:  # dump.mjs's JSON of the tree, read by jsroot
        branches = json.load(open(path))["branches"]
        if sorted(branches) != sorted(columns):
            raise Failure(f"{label}: branches {sorted(branches)}, expected {sorted(columns)}")
        rows = [list(r) for r in zip(*(branches[c] for c in columns))]
    if len(rows) != len(want):
        raise Failure(f"{label}: {len(rows)} rows, expected {len(want)}")
    for k, (got_row, want_row) in enumerate(zip(rows, want)):
        for c, g, e in zip(columns, got_row, want_row):
            gs, es = (g, e) if isinstance(e, list) else ([g], [e])
            if len(gs) != len(es) or any(not (a == b or abs(a - b) <= 1e-12 * max(abs(a), abs(b)))
                                         for a, b in zip(gs, es)):
                raise Failure(f"{label}: row {k} {c} = {g!r}, expected {e!r}")


# ---------------------------------------------------------------------------------------------
# Four-vectors, as docs/events-library.md states the formulas (standard kinematics).

def invariant_mass(objs):
    """objs: (pt, eta, phi, mass) each; m = sqrt(E^2 - p^2), 0 where rounding makes it negative."""
    px = py = pz = e = 0.0
    for pt, eta, phi, m in objs:
        px += pt * math.cos(phi)
        py += pt * math.sin(phi)
        pz += pt * math.sinh(eta)
        e += math.sqrt((pt * math.cosh(eta)) ** 2 + m * m)
    m2 = e * e - (px * px + py * py + pz * pz)
    return math.sqrt(m2) if m2 > 0 else 0.0


def delta_r(eta1, phi1, eta2, phi2):
    dphi = phi1 - phi2
    while dphi > math.pi:
        dphi -= 2 * math.pi
    while dphi < -math.pi:
        dphi += 2 * math.pi
    return math.sqrt((eta1 - eta2) ** 2 + dphi * dphi)


# ---------------------------------------------------------------------------------------------
# Z -> mu mu (examples/events/dimuon/selection.yaml)

DIMUON_SHIFTS = {"": (1.0, 1.0), "muon_scale_up": (1.01, 1.0), "muon_scale_down": (0.99, 1.0),
                 "weight_up": (1.0, 1.1), "weight_down": (1.0, 0.9)}
DIMUON_ROWS = ["all", "two_muons", "opposite_charge", "z_window"]


def dimuon_muons_hzz(b, i):
    """hzz.yaml's global part: NanoAOD-style muons from the four-vectors, and the weight."""
    muons = []
    for px, py, pz, q in zip(b["Muon_Px"][i], b["Muon_Py"][i], b["Muon_Pz"][i], b["Muon_Charge"][i]):
        pt = f32(math.hypot(px, py))  # dtype: float32
        p = math.sqrt(px ** 2 + py ** 2 + pz ** 2)
        eta = (1.0 if pz >= 0 else -1.0) * math.log((p + abs(pz)) / math.hypot(px, py))
        muons.append((pt, eta, math.atan2(py, px), q, True))
    return muons, float(b["EventWeight"][i])


def dimuon_muons_nanoaod(b, i):
    muons = [(pt, eta, phi, q, False) for pt, eta, phi, q in
             zip(b["Muon_pt"][i], b["Muon_eta"][i], b["Muon_phi"][i], b["Muon_charge"][i])]
    g = b["genWeight"][i]
    return muons, g / abs(g)


def dimuon(b, muons_of, shift):
    scale, wscale = DIMUON_SHIFTS[shift]
    hists = {"muon_pt": Hist(40, 0, 200), "n_muons": Hist(5, -0.5, 4.5),
             "m_mumu_wide": Hist(50, 70, 110, computed=True), "m_mumu": Hist(60, 60, 120, computed=True),
             "m_mumu_count": Hist(60, 60, 120, computed=True), "muon0_pt": Hist(40, 0, 200)}
    cf = Cutflow()
    cf.rows = [[label, 0, 0.0, 0.0] for label in DIMUON_ROWS]
    z_candidates = []
    for i in range(len(b[next(iter(b))])):
        muons, w = muons_of(b, i)
        w *= wscale  # weight * 1.1: the weight shift replaces the product `weight`
        cf.count(0, "all", w)
        good = []
        for pt, eta, phi, q, eta_computed in muons:
            if scale != 1.0:
                pt = f32(pt * scale)  # Muon_pt * 1.01, float32 like Muon_pt
            if gt(pt, 20, "muon pT") and lt(abs(eta), 2.4, "muon |eta|", eta_computed):
                good.append((pt, eta, phi, q))
        for mu in good:
            hists["muon_pt"].fill(mu[0], w)
        hists["n_muons"].fill(len(good), w)
        if len(good) != 2:
            continue
        cf.count(1, "two_muons", w)
        if good[0][3] == good[1][3]:
            continue
        cf.count(2, "opposite_charge", w)
        m = invariant_mass([(pt, eta, phi, MUON_MASS) for pt, eta, phi, _ in good])
        hists["m_mumu_wide"].fill(m, w, "m_mumu")
        if not (gt(m, 60, "m_mumu", True) and lt(m, 120, "m_mumu", True)):
            continue
        cf.count(3, "z_window", w)
        hists["m_mumu"].fill(m, w, "m_mumu")
        hists["m_mumu_count"].fill(m, 1.0, "m_mumu")
        hists["muon0_pt"].fill(good[0][0], w)
        z_candidates.append([m, w, [mu[0] for mu in good], [mu[1] for mu in good], [mu[2] for mu in good]])
    columns = ["m_mumu", "weight", "GoodMuon_pt", "GoodMuon_eta", "GoodMuon_phi"]
    return {"zmumu": (cf, hists, {"z_candidates": ("root", columns, z_candidates)})}


# ---------------------------------------------------------------------------------------------
# ttbar -> lepton + jets (examples/events/ttbar/ttbar.yaml)

TTBAR_SHIFTS = {"": 1.0, "jes_up": 1.02, "jes_down": 0.98}
TTBAR_ROWS = ["all", "one_lepton", "four_jets", "one_btag"]


def ttbar(b, shift):
    jes = TTBAR_SHIFTS[shift]
    hists = {"njets": Hist(10, -0.5, 9.5), "ht": Hist(20, 0, 600, computed=True),
             "jet_pt": Hist(20, 30, 230), "met": Hist(20, 0, 200, computed=True),
             "njets_selected": Hist(10, -0.5, 9.5), "ht_selected": Hist(20, 0, 600, computed=True),
             "nbjets_selected": Hist(5, -0.5, 4.5)}
    cf = Cutflow()
    cf.rows = [[label, 0, 0.0, 0.0] for label in TTBAR_ROWS]
    # the control region (pipeline two_jets)
    hists2 = {"ht": Hist(20, 0, 600, computed=True), "nbjets": Hist(5, -0.5, 4.5),
              "met": Hist(20, 0, 200, computed=True)}
    cf2 = Cutflow()
    cf2.rows = [[label, 0, 0.0, 0.0] for label in ["all", "one_lepton", "two_jets"]]
    events2 = []
    for i in range(len(b["genWeight"])):
        g = b["genWeight"][i]
        w = g / abs(g)
        cf.count(0, "all", w)
        cf2.count(0, "all", w)
        leptons = []
        for pt, eta, phi, iso in zip(b["Muon_pt"][i], b["Muon_eta"][i], b["Muon_phi"][i],
                                     b["Muon_pfRelIso04_all"][i]):
            if pt > 30 and abs(eta) < 2.4 and iso < 0.15:
                leptons.append((eta, phi))
        for pt, eta, phi, cut_based in zip(b["Electron_pt"][i], b["Electron_eta"][i], b["Electron_phi"][i],
                                           b["Electron_cutBased"][i]):
            if pt > 30 and cut_based > 3 and abs(eta) < 2.4:
                leptons.append((eta, phi))
        # Jet_pt_corr (float32): the file's Jet_pt, times the scale under a shift
        jets = []
        for pt, eta, phi, jet_id, btag in zip(b["Jet_pt"][i], b["Jet_eta"][i], b["Jet_phi"][i],
                                              b["Jet_jetId"][i], b["Jet_btagCSVV2"][i]):
            jets.append((pt, f32(pt * jes) if jes != 1.0 else pt, eta, phi, jet_id, btag))
        # MET' = MET - sum (pT' - pT)(cos phi, sin phi) over all jets
        mx = b["MET_pt"][i] * math.cos(b["MET_phi"][i])
        my = b["MET_pt"][i] * math.sin(b["MET_phi"][i])
        for pt, pt_corr, _, phi, _, _ in jets:
            mx -= (pt_corr - pt) * math.cos(phi)
            my -= (pt_corr - pt) * math.sin(phi)
        met = math.sqrt(mx * mx + my * my)
        clean = []
        for pt, pt_corr, eta, phi, jet_id, btag in jets:
            if not (pt_corr > 30 and jet_id > 1 and abs(eta) < 2.4):
                continue
            overlaps = [lt(delta_r(eta, phi, le, lp), 0.4, "Delta R(jet, lepton)", True) for le, lp in leptons]
            if not any(overlaps):
                clean.append((pt_corr, btag))
        nb = sum(1 for _, btag in clean if btag > 0.8)
        ht = 0.0
        for pt_corr, _ in clean:
            ht += pt_corr
        if len(leptons) != 1:
            continue
        cf.count(1, "one_lepton", w)
        cf2.count(1, "one_lepton", w)
        if len(clean) >= 2:
            cf2.count(2, "two_jets", w)
            hists2["ht"].fill(ht, w, "HT")
            hists2["nbjets"].fill(nb, w)
            hists2["met"].fill(met, w, "MET_corr_pt")
            events2.append([len(clean), nb, ht, met, w])
        hists["njets"].fill(len(clean), w)
        hists["ht"].fill(ht, w, "HT")
        for pt_corr, _ in clean:
            hists["jet_pt"].fill(pt_corr, w)
        hists["met"].fill(met, w, "MET_corr_pt")
        if len(clean) < 4:
            continue
        cf.count(2, "four_jets", w)
        if nb < 1:
            continue
        cf.count(3, "one_btag", w)
        hists["njets_selected"].fill(len(clean), w)
        hists["ht_selected"].fill(ht, w, "HT")
        hists["nbjets_selected"].fill(nb, w)
    columns = ["nCleanJet", "nBJet", "HT", "MET_corr_pt", "weight"]
    return {"ljets": (cf, hists, {}), "two_jets": (cf2, hists2, {"events": ("csv", columns, events2)})}


# ---------------------------------------------------------------------------------------------
# The Z peak fit (examples/events/dimuon/fit.yml), redone with scipy

def check_fit(hist, report_path):
    from scipy.optimize import minimize
    from scipy.special import erf

    n = np.array(hist.counts)
    e = np.array(hist.edges)
    total = n.sum() + hist.underflow + hist.overflow

    def expected(p):
        m, sigma, s, b = p
        cdf = lambda x: 0.5 * (1 + erf((x - m) / (sigma * math.sqrt(2))))
        peak = (cdf(e[1:]) - cdf(e[:-1])) / (cdf(120.0) - cdf(60.0))
        line = ((e[1:] - e[:-1]) + b * ((e[1:] - 90) ** 2 - (e[:-1] - 90) ** 2) / 2) / 60
        return total * (s * peak + (1 - s) * line)

    def cost(p):  # -2 ln L of Poisson counts, up to a constant
        mu = expected(p)
        if np.any(mu <= 0):
            return 1e30
        return 2 * float(np.sum(mu - n * np.log(mu)))

    start = [91.0, 3.0, 0.9, 0.0]
    r = minimize(cost, start, method="Nelder-Mead",
                 options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 40000, "maxfev": 80000})
    r = minimize(cost, r.x, method="Nelder-Mead",
                 options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 40000, "maxfev": 80000})
    best = r.x
    # covariance = 2 H^-1 for a -2 ln L cost; H by central differences
    h = np.array([1e-3, 1e-3, 1e-4, 1e-5])
    k = len(best)
    hess = np.zeros((k, k))
    for a in range(k):
        for c in range(k):
            def at(da, dc):
                p = best.copy()
                p[a] += da * h[a]
                p[c] += dc * h[c]
                return cost(p)
            hess[a, c] = (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * h[a] * h[c])
    errors = np.sqrt(np.diag(2 * np.linalg.inv(hess)))

    report = json.load(open(report_path))
    if not report.get("converged", False):
        raise Failure(f"hepkit fit did not converge: {report.get('message')}")
    lines = []
    worst_value = worst_error = 0.0
    for name, value, error in zip(["m", "sigma", "s", "b"], best, errors):
        got = report["parameters"][name]
        worst_value = max(worst_value, abs(got["value"] - value) / error)
        worst_error = max(worst_error, abs(got["error"] - error) / error)
        if abs(got["value"] - value) > 0.01 * error:
            raise Failure(f"fit: {name} = {got['value']!r}, scipy {value!r} (error {error:.4g}): "
                          "differ by more than 1 % of the error")
        if abs(got["error"] - error) > 0.02 * error:
            raise Failure(f"fit: error of {name} = {got['error']!r}, scipy {error!r}: differ by more than 2 %")
        lines.append(f"{name} = {got['value']:.6g} +- {got['error']:.4g} (scipy {value:.6g} +- {error:.4g})")
    print("fit: " + "; ".join(lines))
    print(f"fit: hepkit and scipy differ by at most {100 * worst_value:.3g} % of an error in the values, "
          f"{100 * worst_error:.3g} % in the errors")


def check_jsroot_hist(path, want, name):
    """A TH1D as tests/io/jsroot/read.mjs dumped it: ROOT order, bin 0 = underflow."""
    dump = json.load(open(path))
    obj = dump["objects"][name]
    contents = [want.underflow] + want.counts + [want.overflow]
    sumw2 = [want.underflow_sumw2] + want.sumw2 + [want.overflow_sumw2]
    for key, exp in (("contents", contents), ("sumw2", sumw2)):
        got = obj[key]
        if len(got) != len(exp) or any(not close(g, x) for g, x in zip(got, exp)):
            raise Failure(f"{path}: {name} {key} read by jsroot {got} differ from {exp}")
    if obj["xaxis"]["nbins"] != want.n or not close(obj["xaxis"]["min"], want.lo) or not close(
            obj["xaxis"]["max"], want.hi):
        raise Failure(f"{path}: {name} axis {obj['xaxis']} differs from ({want.n}, {want.lo}, {want.hi})")


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    example, dump_path, outdir = argv[1:4]
    rest = argv[4:]
    b = json.load(open(dump_path))["branches"]
    if example == "dimuon-hzz":
        shifts = DIMUON_SHIFTS
        run = lambda s: dimuon(b, dimuon_muons_hzz, s)
    elif example == "dimuon-nanoaod":
        shifts = DIMUON_SHIFTS
        run = lambda s: dimuon(b, dimuon_muons_nanoaod, s)
    elif example == "ttbar":
        shifts = TTBAR_SHIFTS
        run = lambda s: ttbar(b, s)
    else:
        print(f"unknown example '{example}' (dimuon-hzz, dimuon-nanoaod, ttbar)", file=sys.stderr)
        return 2

    results = {s: run(s) for s in shifts}  # shift -> pipeline -> (cut flow, histograms, ntuples)
    pipelines = sorted(results[""])
    ntuple_dumps = None
    if "--ntuple-dumps" in rest:
        k = rest.index("--ntuple-dumps")
        ntuple_dumps = rest[k + 1]
        del rest[k:k + 2]
    checked_root_ntuples = 0
    try:
        if NEAR:
            raise Failure("values too close to a cut or bin edge for an exact comparison:\n  " +
                          "\n  ".join(NEAR[:20]))
        got_pipelines = sorted(f for f in os.listdir(outdir) if f != "report.json")
        if got_pipelines != pipelines:
            raise Failure(f"{outdir}: pipeline folders {got_pipelines}, expected {pipelines}")
        for pipeline in pipelines:
            folder = os.path.join(outdir, pipeline)
            want_files = {"cutflow.json"}
            for s in shifts:
                for name in results[s][pipeline][1]:
                    stem = name + (f"__{s}" if s else "")
                    want_files |= {stem + ".json", stem + ".root"}
                for name, (fmt, _, _) in results[s][pipeline][2].items():
                    want_files.add(name + (f"__{s}" if s else "") + "." + fmt)
            got_files = set(os.listdir(folder))
            if got_files != want_files:
                raise Failure(f"{folder}: files {sorted(got_files ^ want_files)} are missing or unexpected")
            cutflows = json.load(open(os.path.join(folder, "cutflow.json")))
            for s in shifts:
                cf, hists, ntuples = results[s][pipeline]
                compare_cutflow(cutflows["nominal" if not s else s], cf, f"{pipeline}: cut flow {s or 'nominal'}")
                for name, h in hists.items():
                    stem = name + (f"__{s}" if s else "")
                    compare_hist(os.path.join(folder, stem + ".json"), h, f"{pipeline}/{stem}")
                for name, (fmt, columns, rows) in ntuples.items():
                    stem = name + (f"__{s}" if s else "")
                    if fmt == "csv":
                        compare_ntuple(os.path.join(folder, stem + ".csv"), fmt, columns, rows, f"{pipeline}/{stem}.csv")
                    elif ntuple_dumps:
                        compare_ntuple(os.path.join(ntuple_dumps, pipeline, stem + ".json"), fmt, columns, rows,
                                       f"{pipeline}/{stem}.root (read by jsroot)")
                        checked_root_ntuples += 1
        k = 0
        while k < len(rest):
            if rest[k] == "--fit":
                check_fit(results[""]["zmumu"][1]["m_mumu_count"], rest[k + 1])
                k += 2
            elif rest[k] == "--jsroot-hist":  # PIPELINE/NAME[__SHIFT]
                pipeline, _, name = rest[k + 2].partition("/")
                stem, _, s = name.partition("__")
                check_jsroot_hist(rest[k + 1], results[s][pipeline][1][stem], name)
                print(f"{rest[k + 2]}.root read by jsroot equals the expected histogram")
                k += 3
            else:
                print(f"unknown option {rest[k]}", file=sys.stderr)
                return 2
    except Failure as e:
        print(f"FAIL: {example}: {e}")
        return 1
    for s in shifts:
        for pipeline in pipelines:
            cf, hists, ntuples = results[s][pipeline]
            rows = ", ".join(f"{r[0]} {r[1]}" for r in cf.rows)
            filled = sum(h.entries for h in hists.values())
            tuples = "".join(f", ntuple {n} of {len(r)} rows" for n, (_, _, r) in ntuples.items())
            print(f"{example} {pipeline} {s or 'nominal'}: cut flow {rows}; {len(hists)} histograms, "
                  f"{filled} fills{tuples}: equal")
    if checked_root_ntuples:
        print(f"{checked_root_ntuples} ROOT ntuples read by jsroot: rows equal")
    print(f"events example {example} ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
