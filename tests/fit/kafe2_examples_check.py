#!/usr/bin/python3
"""Runs `hepkit fit` over every YAML file of a copy of kafe2's examples/ folder and compares with
kafe2's own results (tests/fit/data/kafe2_examples_reference.json, made by
make_kafe2_reference.py): values within 0.01 sigma, symmetric errors within 0.5 %, asymmetric
errors within 2 % (kafe2: MINOS; hepkit: the profile likelihood's crossings).

Usage: kafe2_examples_check.py HEPKIT EXAMPLES_DIR REFERENCE_JSON WORK_DIR
Exit 77 (ctest: skipped) when EXAMPLES_DIR is empty or absent: the examples are GPL files that
hepkit does not ship; point the CMake cache variable HEPKIT_KAFE2_EXAMPLES_DIR at a copy of
kafe2's examples/ folder to run it.
"""
import json
import math
import pathlib
import subprocess
import sys

VALUE_SIGMA, ERROR_REL, ASYM_REL = 0.01, 0.005, 0.02


def main():
    hepkit, examples, reference, work = sys.argv[1:5]
    if not examples or not pathlib.Path(examples).is_dir():
        print(f"SKIP: no kafe2 examples directory (HEPKIT_KAFE2_EXAMPLES_DIR='{examples}'); set it to a copy of "
              "kafe2's examples/ folder to run this validation")
        return 77
    ref = json.loads(pathlib.Path(reference).read_text())
    work = pathlib.Path(work)
    work.mkdir(parents=True, exist_ok=True)
    root = pathlib.Path(examples)
    found = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.yml"))
    missing = [f for f in ref["files"] if f not in found]
    unknown = [f for f in found if f not in ref["files"]]
    failures, passed = [], 0
    worst = {"value": (0.0, ""), "error": (0.0, ""), "asym": (0.0, "")}

    def note(kind, x, where):
        if x > worst[kind][0]:
            worst[kind] = (x, where)

    for rel in found:
        if rel in unknown:
            failures.append(f"{rel}: no kafe2 reference for this file")
            continue
        r = ref["files"][rel]
        out = work / (rel.replace("/", "__") + ".json")
        asym = r.get("asymmetric_parameter_errors") is not None
        cmd = [hepkit, "-q", "fit", str(root / rel), "--report-json", str(out)] + (["-a"] if asym else [])
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        if run.returncode != 0:
            failures.append(f"{rel}: hepkit fit exited {run.returncode}: {run.stderr.strip()[:300]}")
            continue
        got = json.loads(out.read_text())
        # the report's parameters are a JSON object: match them by name (result files written by
        # kafe2's save_state with bare lists have no names: p0, p1, ... in order)
        names_ref = r.get("parameter_names") or [f"p{i}" for i in range(len(r["parameter_values"]))]
        pars = [got["parameters"].get(n) for n in names_ref]
        bad = []
        if None in pars or len(got["parameters"]) != len(names_ref):
            bad.append(f"parameters {sorted(got['parameters'])}, kafe2 {names_ref}")
        elif len(pars) != len(r["parameter_values"]):
            bad.append(f"{len(pars)} parameters, kafe2 {len(r['parameter_values'])}")
        else:
            names = names_ref
            errs = r.get("parameter_errors_from_cov_mat") or r["parameter_errors"]
            for i, (name, p) in enumerate(zip(names, pars)):
                v, e = r["parameter_values"][i], errs[i]
                if e == 0:  # fixed
                    if abs(p["value"] - v) > 1e-12 * max(1.0, abs(v)):
                        bad.append(f"{name} (fixed) = {p['value']}, kafe2 {v}")
                    continue
                dv = abs(p["value"] - v) / e
                de = abs(p["error"] / e - 1)
                line = f"{name}: {p['value']:.8g} ± {p['error']:.6g}, kafe2 {v:.8g} ± {e:.6g} ({dv:.4f}σ, {100 * de:.3f}%)"
                note("value", dv, f"{rel} {name}")
                note("error", de, f"{rel} {name}")
                if dv > VALUE_SIGMA or de > ERROR_REL:
                    bad.append(line)
                if asym and r["asymmetric_parameter_errors"][i] is not None:
                    lo, hi = r["asymmetric_parameter_errors"][i]
                    glo, ghi = p.get("error_low"), p.get("error_high")
                    if glo is None or ghi is None:
                        bad.append(f"{name}: no asymmetric errors")
                    else:
                        note("asym", max(abs(glo / lo - 1), abs(ghi / hi - 1)), f"{rel} {name}")
                    if glo is not None and ghi is not None and (abs(glo / lo - 1) > ASYM_REL or abs(ghi / hi - 1) > ASYM_REL):
                        bad.append(f"{name}: asymmetric {glo:.5g} {ghi:+.5g}, kafe2 {lo:.5g} {hi:+.5g}")
        if bad:
            failures.append(f"{rel}: " + "; ".join(bad))
        else:
            passed += 1
            print(f"ok   {rel}")
    for f in failures:
        print(f"FAIL {f}")
    for m in missing:
        print(f"note {m}: in the reference, not in {examples}")
    print(f"largest differences: values {worst['value'][0]:.4f}σ ({worst['value'][1]}), errors "
          f"{100 * worst['error'][0]:.3f}% ({worst['error'][1]}), asymmetric errors {100 * worst['asym'][0]:.2f}% "
          f"({worst['asym'][1]})")
    print(f"{passed} of {len(found)} kafe2 example files agree with kafe2 "
          f"(values {VALUE_SIGMA}σ, errors {100 * ERROR_REL}%, asymmetric {100 * ASYM_REL}%)")
    return 1 if failures or not found else 0


if __name__ == "__main__":
    sys.exit(main())
