#!/usr/bin/python3
"""The Python baseline of benchmarks/nn_taylor.cpp: Taylor coefficients by nested
torch.autograd.grad the way the group's PyTorch package (tayloranalysis, arXiv:1803.08782)
computes them: for every coefficient (i), (i, j), (i, j, k) one forward pass and one to three
gradient passes over the batch, the coefficient taken from the last gradient's column.

usage: nn_taylor_baseline.py MODEL.pt DATA.f64 EVENTS FEATURES ORDER BATCH THREADS OUT.json
DATA.f64: EVENTS × FEATURES float64, row-major. Writes {"seconds", "mean_abs": {"i,j,k": x}}.
Prints "SKIPPED: ..." and exits 0 when torch cannot be imported."""

import itertools
import json
import math
import sys
import time
from collections import Counter

try:
    import numpy as np
    import torch
except ImportError as e:  # Debian's python3-torch missing
    print(f"SKIPPED: {e}")
    sys.exit(0)


def factorial_factor(index):
    f = 1.0
    for m in Counter(index).values():
        f /= math.factorial(m)
    return f


def coefficient(model, x, index, node=0):
    """One coefficient per event: a fresh forward and len(index) nested gradients."""
    x = x.detach().requires_grad_(True)
    g = torch.autograd.grad(model(x)[:, node].sum(), x, create_graph=len(index) > 1)[0]
    for n, i in enumerate(index[:-1]):
        g = torch.autograd.grad(g[:, i].sum(), x, create_graph=n + 2 < len(index))[0]
    return g[:, index[-1]] * factorial_factor(index)


def main():
    model_path, data_path, events, features, order, batch, threads, out = sys.argv[1:9]
    events, features, order, batch, threads = map(int, (events, features, order, batch, threads))
    torch.set_num_threads(threads)
    x = torch.from_numpy(np.fromfile(data_path, dtype="<f8").reshape(events, features))
    model = torch.jit.load(model_path).double().eval()
    indices = [ix for n in range(1, order + 1)
               for ix in itertools.combinations_with_replacement(range(features), n)]
    sums = {ix: 0.0 for ix in indices}
    start = time.perf_counter()
    for begin in range(0, events, batch):
        xb = x[begin:begin + batch]
        for ix in indices:
            sums[ix] += coefficient(model, xb, ix).abs().sum().item()
    seconds = time.perf_counter() - start
    with open(out, "w") as f:
        json.dump({"seconds": seconds, "threads": torch.get_num_threads(),
                   "mean_abs": {",".join(map(str, ix)): s / events for ix, s in sums.items()}}, f)


if __name__ == "__main__":
    main()
