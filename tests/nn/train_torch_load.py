#!/usr/bin/python3
"""Loads a model.pt written by hepkit::nn::train with Python's torch.jit.load (Debian's python3-torch)
and checks that it gives hepkit's outputs on the same events, and that its hepkit.json says what
the test expects.

    train_torch_load.py MODEL.pt INPUTS.csv EXPECTED.csv TOLERANCE

INPUTS.csv: one event per line, the features; EXPECTED.csv: the outputs hepkit computed.
Exit 0: equal within TOLERANCE; 1: different (a message says where); 5: torch cannot be imported.
"""
import json
import sys

try:
    import torch
except ImportError as e:  # the C++ test skips with this message
    print(f"python3-torch is not importable: {e}", file=sys.stderr)
    sys.exit(5)


def read_rows(path):
    with open(path) as f:
        return [[float(v) for v in line.split(",")] for line in f if line.strip()]


def main():
    model_path, inputs_path, expected_path, tolerance = sys.argv[1:5]
    extra = {"hepkit.json": ""}
    model = torch.jit.load(model_path, _extra_files=extra)
    meta = json.loads(extra["hepkit.json"])
    for key in ("format", "input_names", "standardization", "task", "classes", "outputs"):
        if key not in meta:
            print(f"hepkit.json has no '{key}': {meta}", file=sys.stderr)
            return 1
    inputs = read_rows(inputs_path)
    expected = read_rows(expected_path)
    dtype = next(model.parameters()).dtype
    if len(inputs[0]) != len(meta["input_names"]):
        print(f"{len(inputs[0])} features, input_names {meta['input_names']}", file=sys.stderr)
        return 1
    with torch.no_grad():
        out = model(torch.tensor(inputs, dtype=torch.float64).to(dtype)).to(torch.float64)
    want = torch.tensor(expected, dtype=torch.float64)
    if out.shape != want.shape:
        print(f"shape {tuple(out.shape)}, hepkit's {tuple(want.shape)}", file=sys.stderr)
        return 1
    diff = (out - want).abs().max().item()
    if diff > float(tolerance):
        print(f"largest difference {diff} > {tolerance}", file=sys.stderr)
        return 1
    print(f"torch.jit.load: {out.shape[0]} events × {out.shape[1]} outputs, largest difference {diff:.3g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
