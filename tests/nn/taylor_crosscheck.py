#!/usr/bin/python3
"""hepkit nn taylor against nested torch.autograd.grad in Debian's python3-torch.

A small MLP with random weights (two outputs, tanh and softplus, hepkit's input standardisation in
its forward and hepkit.json metadata, saved with torch.jit.save as any PyTorch user would) and 400
weighted events in a CSV file; hepkit's JSON must agree with the coefficients computed here, one
coefficient at a time by nested gradients (the way of the group's tayloranalysis package), to 1e-9
relative, for order 3 in the Taylor convention on the standardised inputs and for order 2 bare
derivatives on the raw inputs.

usage: taylor_crosscheck.py HEPKIT WORKDIR      (prints SKIPPED: ... without torch)
"""

import itertools
import json
import math
import os
import subprocess
import sys
from collections import Counter

try:
    import torch
except ImportError as e:
    print(f"SKIPPED: python3-torch is not installed ({e})")
    sys.exit(0)

FEATURES = ["a", "b", "c", "d"]
MEAN = [0.5, -1.0, 2.0, 0.0]
SCALE = [2.0, 0.5, 3.0, 1.5]


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.tensor(MEAN))
        self.register_buffer("scale", torch.tensor(SCALE))
        self.l1 = torch.nn.Linear(4, 16)
        self.l2 = torch.nn.Linear(16, 16)
        self.l3 = torch.nn.Linear(16, 2)

    def forward(self, x):
        z = (x - self.mean) / self.scale
        h = torch.tanh(self.l1(z))
        h = torch.nn.functional.softplus(self.l2(h))
        return self.l3(h)


def factorial_factor(index):
    f = 1.0
    for m in Counter(index).values():
        f /= math.factorial(m)
    return f


def reference(model, x, w, order, node, taylor, standardized):
    """{index: (<|t|>, <t>)}: each coefficient by its own forward and nested gradients."""
    out = {}
    for n in range(1, order + 1):
        for index in itertools.combinations_with_replacement(range(x.shape[1]), n):
            xr = x.detach().clone().requires_grad_(True)
            g = torch.autograd.grad(model(xr)[:, node].sum(), xr, create_graph=n > 1)[0]
            for k, i in enumerate(index[:-1]):
                g = torch.autograd.grad(g[:, i].sum(), xr, create_graph=k + 2 < n)[0]
            t = g[:, index[-1]].detach()
            if taylor:
                t = t * factorial_factor(index)
            if standardized:
                t = t * math.prod(SCALE[i] for i in index)
            out[index] = ((w * t.abs()).sum().item() / w.sum().item(), (w * t).sum().item() / w.sum().item())
    return out


def run_hepkit(hepkit, args):
    proc = subprocess.run([hepkit, "nn", "taylor"] + args, capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"FAIL: hepkit nn taylor {' '.join(args)} exited {proc.returncode}\n{proc.stderr}")
        sys.exit(1)
    return proc.stdout


def compare(label, got, want, order):
    failures = 0
    if got["order"] != order or len(got["coefficients"]) != len(want):
        print(f"FAIL {label}: order {got['order']}, {len(got['coefficients'])} coefficients, expected {len(want)}")
        return 1
    ranks = [c["mean_abs"] for c in got["coefficients"]]
    if ranks != sorted(ranks, reverse=True):
        print(f"FAIL {label}: not ranked by mean_abs")
        failures += 1
    scale = max(abs(v[0]) for v in want.values())
    worst = 0.0
    for c in got["coefficients"]:
        ref_abs, ref_mean = want[tuple(c["index"])]
        for g, r in ((c["mean_abs"], ref_abs), (c["mean"], ref_mean)):
            # relative, with a floor of 1e-12 of the largest coefficient for means that cancel to ~0
            rel = abs(g - r) / max(abs(r), 1e-12 * scale)
            worst = max(worst, rel)
            if rel > 1e-9:
                print(f"FAIL {label}: t{c['index']} hepkit {g!r} torch {r!r} (relative {rel:.2e})")
                failures += 1
    print(f"{label}: {len(want)} coefficients, largest relative difference {worst:.2e}")
    return failures


def main():
    hepkit, workdir = sys.argv[1], sys.argv[2]
    os.makedirs(workdir, exist_ok=True)
    torch.manual_seed(1803)
    net = Net()
    model_path = os.path.join(workdir, "mlp.pt")
    meta = {"input_names": FEATURES, "standardization": {"mean": MEAN, "scale": SCALE}}
    torch.jit.save(torch.jit.script(net), model_path, _extra_files={"hepkit.json": json.dumps(meta)})

    gen = torch.Generator().manual_seed(8782)
    x = torch.randn(400, 4, generator=gen, dtype=torch.float64) * torch.tensor(SCALE, dtype=torch.float64) \
        + torch.tensor(MEAN, dtype=torch.float64)
    w = 0.5 + torch.rand(400, generator=gen, dtype=torch.float64)
    csv_path = os.path.join(workdir, "events.csv")
    with open(csv_path, "w") as f:
        f.write(",".join(FEATURES + ["w"]) + "\n")
        for row, weight in zip(x.tolist(), w.tolist()):
            f.write(",".join(repr(v) for v in row + [weight]) + "\n")

    model = torch.jit.load(model_path).double().eval()
    failures = 0
    out3 = os.path.join(workdir, "taylor3.json")
    run_hepkit(hepkit, [model_path, csv_path, "--weight", "w", "--order", "3", "--convention", "taylor",
                        "--output-node", "1", "--batch", "64", "--json", out3])
    with open(out3) as f:
        got = json.load(f)
    failures += compare("order 3, taylor, standardised, node 1", got,
                        reference(model, x, w, 3, 1, True, True), 3)
    out2 = os.path.join(workdir, "taylor2.json")
    run_hepkit(hepkit, [model_path, csv_path, "--weight", "w", "--raw-inputs", "--features", "a,b,c,d",
                        "--json", out2])
    with open(out2) as f:
        got = json.load(f)
    failures += compare("order 2, derivative, raw inputs, node 0", got,
                        reference(model, x, w, 2, 0, False, False), 2)
    if failures:
        print(f"FAIL: {failures} differences")
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
