#!/usr/bin/python3
"""Reads an HDF5 file with h5py (independent of hepkit) and writes its content as JSON, for
tests/io/ColumnFileTest.cpp: every dataset with its dtype, shape, attributes and values.

usage: h5_to_json.py IN.h5 OUT.json      exit 77 when h5py is missing (the test skips)
"""
import json
import math
import sys

try:
    import h5py
    import numpy as np
except ImportError as e:  # the C++ test turns this into a skip with the message
    print(f"h5py is not installed ({e}); apt-get install python3-h5py", file=sys.stderr)
    sys.exit(77)


def plain(v):
    """A numpy scalar as JSON: non-finite floats as strings (JSON has no NaN)."""
    if isinstance(v, (bytes, np.bytes_)):
        return v.decode("utf-8")
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (np.integer, int)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        f = float(v)
        if math.isnan(f):
            return "nan"
        if math.isinf(f):
            return "inf" if f > 0 else "-inf"
        return f
    return str(v)


def attrs(obj):
    return {k: plain(v) for k, v in obj.attrs.items()}


def walk(group):
    out = {}
    for name, obj in group.items():
        if isinstance(obj, h5py.Group):
            out[name] = {"group": walk(obj), "attrs": attrs(obj)}
        else:
            data = obj[()]
            out[name] = {
                "dtype": "bool" if data.dtype == np.bool_ else data.dtype.str if data.dtype.kind != "O" else "str",
                "shape": list(data.shape),
                "values": [plain(v) for v in data.reshape(-1)],
                "attrs": attrs(obj),
            }
    return out


with h5py.File(sys.argv[1], "r") as f:
    doc = {"attrs": attrs(f), "items": walk(f)}
with open(sys.argv[2], "w", encoding="utf-8") as out:
    json.dump(doc, out)
