#!/usr/bin/python3
"""usage: sim_overrides.py HEPKIT OUTDIR EXAMPLES_DIR

Issue 12 §5: with a scenario file, the grid options of `hepkit sim` used to change nothing,
silently (`-d 3` still ran the scenario's jobs). Each option must now override the scenario
(command line > scenario > default) or be refused. Every check compares a run with the option
against the same scenario without it, with an expectation worked out from the inputs:

  -d 3               the trace has exactly 3x the jobs (workloads.json + jobs.csv counted here)
  -H 1               no Tier-1 job reads remotely (the scenario's 0.1: some do)
  -x 1GB / -x 1e9    byte-identical to the scenario's own xrd_blocksize: 1GB (units on the CLI)
  -x 100MB           10x smaller blocks: more than 3x the engine events
  --cache-scope local  no worker shares a host with the cache: 0 bytes read from caches
  -H 0 --no-caching  nothing is ever put in a cache: 0 bytes from caches
  --prefetch-off     streaming reads no longer overlap computation: wall >= compute + transfer
  --dispatcher round-robin   named in the summary title; jobs spread over all 10 workers
  --eviction fifo, --shuffle-jobs   the effective options, logged at info level; shuffling
                     changes the trace
  --xrd-flops-per-time 1Gf   identical to the scenario's 1e9; 0 changes the trace
  --timeseries-interval 10min  samples 600 s apart
  activities scenario with -d, --scan with -H: refused with exit code 64 and the option named
"""
import csv
import json
import os
import subprocess
import sys

hk, out, ex = sys.argv[1], sys.argv[2], sys.argv[3]
scenario = os.path.join(ex, "grid", "scenario.yaml")
os.makedirs(out, exist_ok=True)
failures = []


def run(name, *args, expect=0):
    trace = os.path.join(out, f"ovr-{name}.csv")
    summary = os.path.join(out, f"ovr-{name}.json")
    cmd = [hk, "sim", scenario, "-o", trace, "--summary-json", summary, *args]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if p.returncode != expect:
        failures.append(f"{name}: exit {p.returncode}, expected {expect}: {p.stderr.strip()}")
        return None
    with open(trace) as f:
        rows = list(csv.reader(f, skipinitialspace=True))
    with open(summary) as f:
        doc = json.load(f)
    return {"rows": rows[1:], "header": rows[0], "json": doc, "stdout": p.stdout, "stderr": p.stderr,
            "raw": open(trace).read()}


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def col(r, name):
    i = r["header"].index(name)
    return [row[i] for row in r["rows"]]


base = run("base")
with open(os.path.join(ex, "grid", "workloads.json")) as f:
    n_workload = sum(w["num_jobs"] for w in json.load(f).values())
with open(os.path.join(ex, "grid", "jobs.csv")) as f:
    n_list = sum(1 for line in f if line.strip() and not line.startswith("#")) - 1
n_jobs = n_workload + n_list
check(len(base["rows"]) == n_jobs, f"scenario alone: {len(base['rows'])} jobs = {n_workload} + {n_list} from its inputs")

d3 = run("d3", "-d", "3")
check(len(d3["rows"]) == 3 * n_jobs, f"-d 3: {len(d3['rows'])} jobs = 3 x {n_jobs}")

# -H 1 stages every job's inputs on every cache: jobs at the Tier-1 (whose zone has the
# XCache, cache_scope network) read nothing remotely; with the scenario's 0.1 some do
h = run("h1", "-H", "1")


def t1_remote(r):
    return [float(x) for x, site in zip(col(r, "bytes_from_remote"), col(r, "site")) if site == "T1"]


check(max(t1_remote(base)) > 0, "scenario (hitrate 0.1): some Tier-1 job reads remotely")
check(len(t1_remote(h)) > 0 and max(t1_remote(h)) == 0, "-H 1: no Tier-1 job reads remotely")

x1 = run("x1GB", "-x", "1GB")
x2 = run("x1e9", "-x", "1e9")
check(x1["raw"] == base["raw"] and x2["raw"] == base["raw"], "-x 1GB and -x 1e9: the scenario's 1GB, same trace")
x100 = run("x100MB", "-x", "100MB")
ev_base, ev_x = base["json"]["run"]["events"], x100["json"]["run"]["events"]
check(ev_x > 3 * ev_base, f"-x 100MB: {ev_x} events > 3 x {ev_base}")

local = run("local", "--cache-scope", "local")
check(base["json"]["overall"]["bytes_from_cache"] > 0, "scenario (network scope): bytes from caches > 0")
check(local["json"]["overall"]["bytes_from_cache"] == 0, "--cache-scope local: 0 bytes from caches")

noc = run("nocache", "-H", "0", "--no-caching")
check(noc["json"]["overall"]["bytes_from_cache"] == 0, "-H 0 --no-caching: 0 bytes from caches")

# streaming jobs (analysis): with prefetching, reading overlaps computing, so some job's wall
# time is shorter than its compute + transfer time; without, none is
pf = run("prefetch", "--prefetch-off")


def overlap(r):
    return min(float(e) - float(s) - float(c) - float(t)
               for tag, s, e, c, t in zip(col(r, "job.tag"), col(r, "job.start"), col(r, "job.end"),
                                          col(r, "job.computetime"), col(r, "infiles.transfertime"))
               if tag.startswith("job_analysis"))


ob, op = overlap(base), overlap(pf)
check(ob < -1, f"scenario (prefetch on): wall - compute - transfer down to {ob:.3g} s")
check(op > -1e-3, f"--prefetch-off: wall >= compute + transfer for every streaming job ({op:.3g} s)")

rr = run("rr", "--dispatcher", "round-robin")
check("dispatcher round-robin" in rr["stdout"], "--dispatcher round-robin: in the summary title")
check("dispatcher data-locality" in base["stdout"], "scenario's dispatcher data-locality in the title")
check(len(set(col(rr, "machine.name"))) == 10, f"round-robin uses all 10 workers ({len(set(col(rr, 'machine.name')))})")

ev = run("fifo", "--eviction", "fifo", "--shuffle-jobs", "--log-level", "info")
check("eviction fifo" in ev["stderr"] and "shuffle_jobs on" in ev["stderr"],
      "--eviction fifo --shuffle-jobs: effective options logged")
check(ev["raw"] != base["raw"], "--shuffle-jobs: trace changes")

f1 = run("flops1G", "--xrd-flops-per-time", "1Gf")
check(f1["raw"] == base["raw"], "--xrd-flops-per-time 1Gf: the scenario's 1e9, same trace")
f0 = run("flops0", "--xrd-flops-per-time", "0")
check(f0["raw"] != base["raw"], "--xrd-flops-per-time 0: trace changes")

ts = os.path.join(out, "ovr-series.csv")
run("ts", "--timeseries", ts, "--timeseries-interval", "10min")
times = sorted({float(r["time"]) for r in csv.DictReader(open(ts))})
check(len(times) > 2 and all(abs(b - a - 600) < 1e-9 for a, b in zip(times, times[1:])),
      "--timeseries-interval 10min: samples 600 s apart")


def refused(args, pattern, what):
    p = subprocess.run([hk, *args], capture_output=True, text=True, timeout=60)
    check(p.returncode == 64 and pattern in p.stderr, f"{what}: exit {p.returncode}, '{pattern}' in: {p.stderr.strip()}")


refused(["sim", os.path.join(ex, "campaign", "scenario.yaml"), "-d", "3", "-o", os.path.join(out, "ovr-camp.csv")],
        "-d/--duplications", "activities scenario with -d")
refused(["sim", "--scan", os.path.join(ex, "scan", "scan.yaml"), "-H", "0.3"], "-H/--hitrate", "--scan with -H")
refused(["sim", "-p", os.path.join(ex, "transfers", "platform.xml"), "--activities",
         os.path.join(ex, "transfers", "activities.csv"), "--dispatcher", "round-robin"], "--dispatcher",
        "--activities with --dispatcher")

if failures:
    print("\n".join(["FAILED:"] + failures))
    sys.exit(1)
print("all overrides ok")
