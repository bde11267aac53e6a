#!/usr/bin/env bash
# usage: surrogate_model.sh HEPKIT OUTDIR EXAMPLES_DIR
# The README's surrogate example from a fresh directory: generate the example space, train the
# example's summary model, predict the base scenario (a warning names the features outside the
# training domain), evaluate on the samples, with JSON and CSV outputs.
set -u
hk="$1"; out="$2"; ex="$3"
fail() { echo "FAIL: $*"; exit 1; }
work="$out/surrogate-example"
rm -rf "$work"; mkdir -p "$work"; cd "$work" || exit 1
"$hk" -q surrogate generate "$ex/surrogate/space.yaml" -o surrogate-data || fail generate
msg=$("$hk" surrogate train "$ex/surrogate/train.yaml" 2>&1) || fail "train: $msg"
grep -q "summary model, 5 networks on 32 samples (8 held out)" <<<"$msg" || fail "train: $msg"
[ -s surrogate-model/surrogate.json ] && [ -s surrogate-model/member_4.pt ] || fail "model files missing"
msg=$("$hk" surrogate predict surrogate-model "$ex/surrogate/base.yaml" --json predict.json 2>&1) || fail "predict: $msg"
grep -q "makespan_s" <<<"$msg" || fail "predict: $msg"
grep -q "warning: outside the training domain: workers = 10" <<<"$msg" || fail "predict: no domain warning: $msg"
/usr/bin/python3 - <<'PY' || fail "predict.json"
import json
p = json.load(open("predict.json"))
v = p["predicted"]["makespan_s"]["value"]
assert 100 < v < 1e6, v
assert any("workers" in w for w in p["outside_training_domain"])
PY
msg=$("$hk" surrogate evaluate surrogate-model surrogate-data --json eval.json --csv eval.csv) || fail "evaluate: $msg"
rows=$(($(wc -l < eval.csv) - 1))
[ "$rows" = 40 ] || fail "eval.csv: $rows rows"
/usr/bin/python3 - <<'PY' || fail "eval.json"
import json, csv
e = json.load(open("eval.json"))
rows = list(csv.DictReader(open("eval.csv")))
# the JSON's relative MAE is the CSV's, recomputed here
for t, v in e["targets"].items():
    mae = sum(abs(float(r[t + "_pred"]) - float(r[t + "_sim"])) / abs(float(r[t + "_sim"])) for r in rows) / len(rows)
    assert abs(mae - v["rel_mae"]) < 1e-9 * max(1, mae), (t, mae, v)
PY
# a per-job platform-aware model, briefly (2 networks, 2 epochs, mini-batches of 4): the predicted
# trace of a scenario
printf 'model: platform\ndata: surrogate-data\noutput: perjob-model\nepochs: 2\nensemble: 2\nmax_samples: 10\nbatch_size: 4\n' > perjob.yaml
msg=$("$hk" surrogate train perjob.yaml 2>&1) || fail "per-job train: $msg"
grep -q "platform model, 2 network(s) on 8 samples" <<<"$msg" || fail "per-job train: $msg"
msg=$("$hk" surrogate predict perjob-model "$ex/surrogate/base-one-site.yaml" --trace perjob-trace.csv --json perjob.json 2>&1) ||
  fail "per-job predict: $msg"
grep -q "120 jobs, platform model, 2 network(s)" <<<"$msg" || fail "per-job predict: $msg"
[ "$(($(wc -l < perjob-trace.csv) - 1))" = 120 ] || fail "perjob-trace.csv: $(wc -l < perjob-trace.csv) lines"
# the machine each job runs on: a worker of the scenario's platform (one-site.xml: the cluster
# "batch" of wn1 … wn20) and its site, as hepkit sim's trace names them; the JSON's jobs per site
# add up to the jobs
"$hk" -q sim "$ex/surrogate/base-one-site.yaml" -o sim-trace.csv || fail "sim of the scenario"
/usr/bin/python3 - <<'PY' || fail "perjob-trace.csv machines"
import csv, json
pred = list(csv.DictReader(open("perjob-trace.csv")))
sim = list(csv.DictReader(open("sim-trace.csv"), skipinitialspace=True))
workers = {"wn%d" % k for k in range(1, 21)}
assert {r["machine.name"] for r in sim} <= workers and {r["site"] for r in sim} == {"batch"}
assert all(r["machine.name"] in workers and r["site"] == "batch" for r in pred), pred[:3]
# hepkit sim's trace columns, but the status and where the bytes came from (not predicted); what
# the scenario gives (flops, sizes, submission, cores, memory, hit rate) as the simulation has it
missing = sorted(c.strip() for c in sim[0] if c.strip() not in pred[0])
assert missing == ["bytes_from_cache", "bytes_from_remote", "hitrate", "status"], missing
by_tag = {r["job.tag"]: r for r in pred}
for r in sim:
    q = by_tag[r["job.tag"]]
    for c in ("job.flops", "infiles.size", "outfiles.size", "submit", "cores", "memory"):
        assert abs(float(q[c]) - float(r[c])) <= 1e-6 * max(1.0, abs(float(r[c]))), (c, q[c], r[c])
    assert abs(float(q["queue_wait"]) - max(0.0, float(q["job.start"]) - float(q["submit"]))) < 1e-6
# the per-job model's training domain: the one-site platform's 20 workers, trained on at most 10
assert any(w.startswith("workers = 20 (trained on [") for w in json.load(open("perjob.json"))["outside_training_domain"])
predicted = json.load(open("perjob.json"))["predicted"]
assert 0 < predicted["cpu_efficiency"]["value"] <= 1 and predicted["t10_s"]["value"] <= predicted["t90_s"]["value"], predicted
per_site = json.load(open("perjob.json"))["jobs_per_site"]
assert per_site == {"batch": 120}, per_site
# one class of identical workers: every job's class is certain, and both members put all jobs at
# "batch"; the two members' times differ (own initialisations): spreads ≥ 0, some > 0
assert json.load(open("perjob.json"))["jobs_per_site_spread"] == {"batch": 0}
assert all(abs(float(r["machine.probability"]) - 1) < 1e-4 for r in pred), pred[:3]
cols = ("job.start", "job.end", "job.computetime", "infiles.transfertime", "outfiles.transfertime")
spreads = [float(r[c + ".spread"]) for r in pred for c in cols]
assert min(spreads) >= 0 and max(spreads) > 0, (min(spreads), max(spreads))
# the ensemble's spreads are calibrated on the validation samples: a positive factor per spread
scale = json.load(open("perjob-model/surrogate.json"))["spread_scale"]
assert len(scale) == 11 and all(v > 0 for v in scale.values()), scale
PY
msg=$("$hk" surrogate evaluate perjob-model surrogate-data --json perjob-eval.json) || fail "per-job evaluate: $msg"
grep -q "platform model, 40 samples" <<<"$msg" || fail "per-job evaluate: $msg"
/usr/bin/python3 - <<'PY' || fail "perjob-eval.json machines"
import json
m = json.load(open("perjob-eval.json"))["machines"]
assert m["jobs"] > 0 and all(0 <= m[k] <= 1 for k in ("class_accuracy", "site_accuracy", "largest_class_accuracy")), m
assert 0 < m["mean_class_probability"] <= 1 + 1e-6, m
PY
# a scan predicted by the surrogate: one row per point, the parameters as the simulated scan's
"$hk" -q sim --scan "$ex/surrogate/scan.yaml" -o scan-sim.csv || fail "simulated scan"
"$hk" sim --scan "$ex/surrogate/scan.yaml" --surrogate surrogate-model -o scan-pred.csv 2> scan.err || fail "surrogate scan"
/usr/bin/python3 - <<'PY' || fail "scan-pred.csv"
import csv
sim = list(csv.DictReader(open("scan-sim.csv")))
pred = list(csv.DictReader(open("scan-pred.csv")))
assert len(sim) == len(pred) == 12, (len(sim), len(pred))
for a, b in zip(sim, pred):
    assert (a["point"], a["hitrate"], a["link_bandwidth_factor"]) == (b["point"], b["hitrate"], b["link_bandwidth_factor"])
    assert float(b["makespan_s"]) > 0 and float(b["makespan_s_spread"]) >= 0
    assert "workers" in b["outside_training_domain"]   # the base's 10 workers: trained on 5 to 9
PY
grep -q "12 of 12 scan points lie outside the surrogate's training domain" scan.err || fail "scan warning: $(cat scan.err)"
# settings no feature describes are checked against the training samples': every job run three
# times (jobs.duplications) flags the scenario for both kinds of model and a scan's points
sed 's/^options:/options:\n  duplications: 3/' "$ex/surrogate/base.yaml" > base-dup.yaml
sed -i "s#\.\./grid/#$ex/grid/#; s#\[workloads.json\]#[$ex/surrogate/workloads.json]#" base-dup.yaml
for m in surrogate-model perjob-model; do
  msg=$("$hk" surrogate predict "$m" base-dup.yaml 2>&1) || fail "predict $m with duplications: $msg"
  grep -q "warning: outside the training domain: jobs.duplications = 3 (trained on \[1, 1\])" <<<"$msg" ||
    fail "$m: no warning for duplications: $msg"
done
printf 'scenarios: [base-dup.yaml]\nparameters:\n  hitrate: [0.1]\n' > scan-dup.yaml
"$hk" sim --scan scan-dup.yaml --surrogate surrogate-model -o scan-dup.csv 2> /dev/null || fail "scan with duplications"
grep -q "jobs.duplications = 3" scan-dup.csv || fail "scan-dup.csv: $(cat scan-dup.csv)"
# a job array would simulate the points: --emit and --surrogate together are refused, nothing written
msg=$("$hk" sim --scan "$ex/surrogate/scan.yaml" --surrogate surrogate-model --emit slurm --emit-dir emitted 2>&1)
code=$?
[ "$code" = 64 ] && grep -q "give one of the two" <<<"$msg" && [ ! -e emitted ] || fail "--emit --surrogate: $code $msg"
/usr/bin/python3 "$ex/../tools/plot/hepkit_surrogate_plot.py" eval.png "example=eval.csv" || fail "plot script"
[ -s eval.png ] || fail "no eval.png"
# per-job predicted against simulated, from the per-job model's traces of two samples
/usr/bin/python3 "$ex/../tools/plot/hepkit_surrogate_perjob_plot.py" perjob.png perjob-model "example=surrogate-data" \
  --samples 2 --hepkit "$hk" || fail "per-job plot script"
[ -s perjob.png ] || fail "no perjob.png"
# the gradient-boosted-trees comparison (python3-xgboost) runs on the same data, side by side
if /usr/bin/python3 -c "import xgboost" 2>/dev/null; then
  msg=$(/usr/bin/python3 "$ex/../benchmarks/surrogate_xgboost.py" surrogate-data surrogate-data \
        --model surrogate-model --hepkit "$hk" --json xgb.json) || fail "surrogate_xgboost.py: $msg"
  grep -q "gradient-boosted trees | hepkit's MLP ensemble" <<<"$msg" || fail "surrogate_xgboost.py: $msg"
else
  echo "python3-xgboost missing: the gradient-boosted-trees comparison is not run"
fi
echo "surrogate model ok"
