#!/usr/bin/python3
"""Writes HDF5 files with h5py, independently of hepkit, for tests/io/ColumnFileReadTest.cpp:
good files in hepkit's column layout (docs/root-io.md, "CSV and HDF5") and bad ones, one defect
each, that read_hdf5 must refuse with a clear error.

usage: h5_write_layout.py DIR      exit 77 when h5py is missing (the test skips)

DIR/good_ordered.h5   track_order=True and every attribute hepkit writes: columns in the order
                      written (mass, n, Muon_pt, ok, p3, name, tags, id16, u64)
DIR/good_plain.h5     plain h5py (no creation order, no attributes): columns sorted by name; a
                      big-endian float, a gzip-compressed chunked 2-D dataset, fixed-length
                      strings, int32 offsets
DIR/bad_*.h5          one defect each (see BAD below)
"""
import sys

try:
    import h5py
    import numpy as np
except ImportError as e:  # the C++ test turns this into a skip with the message
    print(f"h5py is not installed ({e}); apt-get install python3-h5py", file=sys.stderr)
    sys.exit(77)

out = sys.argv[1]
STR = h5py.string_dtype("utf-8")


def column(parent, name, data, root_type, layout, dtype=None):
    d = parent.create_dataset(name, data=np.asarray(data, dtype=dtype))
    d.attrs["root_type"] = root_type
    d.attrs["layout"] = layout
    return d


def jagged(parent, name, values, offsets, root_type, dtype, attrs=True):
    g = parent.create_group(name)
    g.create_dataset("values", data=np.asarray(values, dtype=dtype))
    g.create_dataset("offsets", data=np.asarray(offsets, dtype=np.int64))
    if attrs:
        g.attrs["root_type"] = root_type
        g.attrs["layout"] = "jagged"
    return g


with h5py.File(f"{out}/good_ordered.h5", "w", track_order=True) as f:
    f.attrs["creator"] = "h5py"
    f.attrs["entries"] = np.int64(3)
    column(f, "mass", [91.1875, -0.0, 1e-300], "Double_t", "flat", np.float64)
    column(f, "n", [0, -7, 2147483647], "Int_t", "flat", np.int32)
    jagged(f, "Muon_pt", [30.5, 25.25, 1.0e-3], [0, 2, 2, 3], "Float_t", np.float32)
    column(f, "ok", [True, False, True], "Bool_t", "flat", np.bool_)
    column(f, "p3", [[1, 2, 3], [4, 5, 6], [7, 8, 0.1]], "Float_t", "fixed", np.float32)
    column(f, "name", ["a", "", "\u00fcber"], "string", "flat", STR)
    jagged(f, "tags", ["x", "y,z", "w"], [0, 1, 1, 3], "string", STR)
    column(f, "id16", [-32768, 0, 32767], "Short_t", "flat", np.int16)
    column(f, "u64", [0, 2**63 + 1, 2**64 - 1], "ULong64_t", "flat", np.uint64)

with h5py.File(f"{out}/good_plain.h5", "w") as f:
    f.create_dataset("z", data=np.array([1, 2], dtype=np.uint16))
    f.create_dataset("a", data=np.array([0.5, 1.5], dtype=">f8"))  # big-endian: HDF5 converts
    f.create_dataset("c", data=np.array([[1, -2], [3, -4]], dtype=np.int64), compression="gzip", chunks=(1, 2))
    f.create_dataset("m", data=np.array([b"ab", b"c"], dtype="S2"))  # fixed-length strings
    g = f.create_group("j")
    g.create_dataset("values", data=np.array([True, False, True]))
    g.create_dataset("offsets", data=np.array([0, 3, 3], dtype=np.int32))  # any integer type


def bad(name):
    return h5py.File(f"{out}/bad_{name}.h5", "w")


# BAD: one defect per file
with bad("missing_offsets") as f:
    f.create_group("jet_pt").create_dataset("values", data=np.zeros(3, np.float32))
with bad("offsets_decrease") as f:
    jagged(f, "jet_pt", [1, 2, 3], [0, 2, 1, 3], "Float_t", np.float32)
with bad("offsets_end") as f:
    jagged(f, "jet_pt", [1, 2, 3], [0, 1, 2], "Float_t", np.float32)
with bad("offsets_start") as f:
    jagged(f, "jet_pt", [1, 2, 3], [1, 2, 3], "Float_t", np.float32)
with bad("offsets_empty") as f:
    jagged(f, "jet_pt", [], [], "Float_t", np.float32)
with bad("offsets_float") as f:
    g = f.create_group("jet_pt")
    g.create_dataset("values", data=np.zeros(2, np.float32))
    g.create_dataset("offsets", data=np.array([0.0, 2.0]))
with bad("entries_differ") as f:
    f.create_dataset("a", data=np.zeros(3))
    f.create_dataset("b", data=np.zeros(4))
with bad("scalar") as f:
    f.create_dataset("x", data=np.float64(1.0))
with bad("rank3") as f:
    f.create_dataset("x", data=np.zeros((2, 2, 2)))
with bad("compound") as f:
    f.create_dataset("x", data=np.zeros(2, dtype=[("a", "f4"), ("b", "i4")]))
with bad("float16") as f:
    f.create_dataset("x", data=np.zeros(2, dtype=np.float16))
with bad("layout_attr") as f:
    column(f, "x", [1.0, 2.0], "Double_t", "jagged", np.float64)
with bad("root_type_attr") as f:
    column(f, "x", [1.0, 2.0], "Float_t", "flat", np.float64)
with bad("entries_attr") as f:
    f.attrs["entries"] = np.int64(5)
    f.create_dataset("x", data=np.zeros(2))
with bad("empty") as f:
    pass
with bad("huge") as f:
    # declares 10^13 doubles (80 TB) and stores none: refused before any allocation
    f.create_dataset("x", shape=(10**13,), dtype=np.float64, chunks=(1024,))
