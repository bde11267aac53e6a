#!/usr/bin/env bash
# usage: surrogate_fixture.sh HEPKIT OUTDIR SOURCE_DIR
# The committed models of tests/surrogate/fixture-model (written by scripts/make-surrogate-fixture
# with an earlier build) load in this build and predict what they predicted when written: a model
# trained once keeps working (issue 18's test fixture). Model format stability, not accuracy.
# Tolerance: 1e-5 relative (float32 networks: the same operations in the same order, up to the
# BLAS's and the CPU's rounding).
set -u
hk="$1"; out="$2"; src="$3"
fix="$src/tests/surrogate/fixture-model"
fail() { echo "FAIL: $*"; exit 1; }
work="$out/surrogate-fixture"
rm -rf "$work"; mkdir -p "$work"; cd "$work" || exit 1
regenerate="if the model format or the features changed on purpose, run scripts/make-surrogate-fixture and commit the new fixture"
msg=$("$hk" surrogate predict "$fix/summary" "$src/examples/surrogate/base.yaml" --json summary.json 2>&1) ||
  fail "the committed summary model does not load: $msg ($regenerate)"
msg=$("$hk" surrogate predict "$fix/platform" "$src/examples/surrogate/base-one-site.yaml" --json platform.json \
  --trace platform-trace.csv 2>&1) || fail "the committed per-job model does not load: $msg ($regenerate)"
/usr/bin/python3 - "$fix/expected.json" "$regenerate" <<'PY' || exit 1
import csv, json, sys
exp = json.load(open(sys.argv[1]))
def close(a, b):
    return abs(a - b) <= 1e-5 * max(abs(a), abs(b)) + 1e-9
bad = []
for kind in ("summary", "platform"):
    got = json.load(open(kind + ".json"))["predicted"]
    for k, v in exp[kind]["predicted"].items():
        if k not in got or not close(got[k]["value"], v):
            bad.append("%s %s: %s, written %s" % (kind, k, got.get(k, {}).get("value"), v))
trace = list(csv.DictReader(open("platform-trace.csv")))
for i, row in enumerate(exp["platform"]["first_jobs"]):
    for c, v in row.items():
        if not close(float(trace[i][c]), v):
            bad.append("platform job %d %s: %s, written %s" % (i, c, trace[i][c], v))
if bad:
    print("FAIL: the committed models predict otherwise than when written (%s):\n  %s" % (sys.argv[2], "\n  ".join(bad)))
    sys.exit(1)
n = len(exp["summary"]["predicted"]) + len(exp["platform"]["predicted"]) + 5 * len(exp["platform"]["first_jobs"][0])
print("%d predictions as written" % n)
PY
echo "surrogate fixture ok"
