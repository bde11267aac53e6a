#!/usr/bin/python3
"""Gradient-boosted trees (Debian's python3-xgboost, on libxgboost) as the comparison of hepkit's
summary surrogate (issue 18; docs/surrogate.md, "Summary model"): the same features and targets of
`hepkit surrogate generate`'s index.csv, logarithms where every training value is positive (as the
MLP), one XGBRegressor per target, the same seeded 80/20 split of the training samples for early
stopping; relative MAE on held-out data directories, next to `hepkit surrogate evaluate`'s.

    /usr/bin/python3 benchmarks/surrogate_xgboost.py TRAIN_DATA HELD_OUT_DATA [HELD_OUT_DATA ...]
        [--model DIR] [--hepkit build/apps/hepkit/hepkit] [--json OUT]

With --model (a `hepkit surrogate train` summary model of the same TRAIN_DATA), each held-out set
is also evaluated with hepkit and both are printed side by side.
"""
import argparse
import csv
import json
import math
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import xgboost as xgb
except ImportError as e:  # a user's machine without python3-xgboost
    print(f"SKIPPED: {e} (install python3-xgboost)")
    sys.exit(77)

FEATURES = None  # read from the index: the columns between the space's values and the observables
TARGETS = ["makespan_s", "mean_wall_time_s", "mean_compute_time_s", "mean_input_transfer_time_s",
           "mean_output_transfer_time_s", "cpu_efficiency", "t10_s", "t25_s", "t50_s", "t75_s", "t90_s"]
FEATURE_NAMES = ["jobs", "job_cores_mean", "flops_total", "flops_per_job", "input_bytes_total",
                 "output_bytes_total", "submit_span_s", "workers", "worker_cores", "flop_rate",
                 "core_speed_mean", "sites", "storage_read_bw", "cache_read_bw", "cache_bytes",
                 "route_bw_mean", "route_latency_mean", "link_bw_median", "link_bw_min", "latency_max",
                 "hitrate"]


def read(data):
    with open(os.path.join(data, "index.csv")) as f:
        rows = list(csv.DictReader(f))
    x = np.array([[float(r[c]) for c in FEATURE_NAMES] for r in rows])
    y = {t: np.array([float(r[t]) for r in rows]) for t in TARGETS}
    return x, y


def log_columns(x):
    # logarithm of x + 5 % of the median where every training value is positive (as hepkit's)
    out = []
    for c in range(x.shape[1]):
        col = x[:, c]
        out.append(0.05 * float(np.median(col)) if np.all(col > 0) else None)
    return out


def transform(x, offsets):
    z = x.copy()
    for c, off in enumerate(offsets):
        if off is not None:
            z[:, c] = np.log(np.maximum(x[:, c] + off, 1e-300))
    return z


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("train")
    ap.add_argument("held_out", nargs="+")
    ap.add_argument("--model")
    ap.add_argument("--hepkit", default="build/apps/hepkit/hepkit")
    ap.add_argument("--json")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    x, y = read(a.train)
    offsets = log_columns(x)
    xt = transform(x, offsets)
    rng = np.random.default_rng(a.seed)
    order = rng.permutation(len(xt))
    n_val = max(1, round(0.2 * len(xt)))
    val, train = order[:n_val], order[n_val:]
    models = {}
    for t in TARGETS:
        yt = y[t]
        use_log = bool(np.all(yt[train] > 0))
        target = np.log(yt) if use_log else yt
        params = {"eta": 0.03, "max_depth": 6, "subsample": 0.8, "colsample_bytree": 0.8,
                  "seed": a.seed, "nthread": 1, "objective": "reg:squarederror"}
        dtrain = xgb.DMatrix(xt[train], label=target[train])
        dval = xgb.DMatrix(xt[val], label=target[val])
        m = xgb.train(params, dtrain, num_boost_round=2000, evals=[(dval, "validation")],
                      early_stopping_rounds=100, verbose_eval=False)
        models[t] = (m, use_log)
    result = {}
    for d in a.held_out:
        xh, yh = read(d)
        zh = transform(xh, offsets)
        res = {}
        for t in TARGETS:
            m, use_log = models[t]
            p = m.predict(xgb.DMatrix(zh), iteration_range=(0, m.best_iteration + 1))
            p = np.exp(p) if use_log else p
            keep = yh[t] != 0
            res[t] = float(np.mean(np.abs(p[keep] - yh[t][keep]) / np.abs(yh[t][keep]))) if keep.any() else math.nan
        hk = None
        if a.model:
            with tempfile.TemporaryDirectory() as tmp:
                out = os.path.join(tmp, "eval.json")
                subprocess.run([a.hepkit, "-q", "surrogate", "evaluate", a.model, d, "--json", out], check=True)
                with open(out) as f:
                    hk = {t: v["rel_mae"] for t, v in json.load(f)["targets"].items()}
        result[d] = {"xgboost": res, "hepkit_mlp": hk}
        print(f"{d}: relative MAE, gradient-boosted trees" + (" | hepkit's MLP ensemble" if hk else ""))
        for t in TARGETS:
            print(f"  {t:<30} {res[t]:8.4f}" + (f" | {hk[t]:8.4f}" if hk else ""))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
