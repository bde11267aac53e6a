#!/usr/bin/python3
"""Trade-offs of opportunistic provisioning on examples/opportunistic/scenario.yaml.

usage: tradeoffs.py HEPKIT OUTDIR [--plot]
Runs the scenario (1) with drone walltimes from 3 h to 48 h (drain 2.5 h before the walltime)
and (2) with boot times from 1 to 60 min, and writes OUTDIR/opportunistic-tradeoffs.csv
(and .svg with --plot): fraction of drone core-hours lost to boot and drain, jobs killed at the
walltime, mean queue wait and makespan.
"""
import copy
import csv
import json
import os
import subprocess
import sys

import yaml

hk, out = sys.argv[1], sys.argv[2]
plot = "--plot" in sys.argv
here = os.path.dirname(os.path.abspath(__file__))
base = yaml.safe_load(open(os.path.join(here, "scenario.yaml")))
os.makedirs(out, exist_ok=True)


def run(tag, edit):
    s = copy.deepcopy(base)
    edit(s["opportunistic"]["sites"][0])
    path = os.path.join(out, "tradeoff-%s.yaml" % tag)
    yaml.safe_dump(s, open(path, "w"))
    summary = os.path.join(out, "tradeoff-%s.json" % tag)
    subprocess.run([hk, "-q", "sim", path, "--summary-json", summary], check=True)
    d = json.load(open(summary))
    o = d["opportunistic"]["NEMO"]
    return {"fraction_lost_to_boot": o["fraction_lost_to_boot"], "fraction_lost_to_drain": o["fraction_lost_to_drain"],
            "jobs_killed": o["jobs_killed"], "drones_started": o["drones_started"],
            "core_hours_delivered": o["core_hours_delivered"], "core_hours_used": o["core_hours_used"],
            "mean_queue_wait_h": d["overall"]["mean_queue_wait_s"] / 3600, "makespan_h": d["makespan_s"] / 3600,
            "cost": o["cost"]}


rows = []
for hours in (3, 4, 6, 12, 24, 48):
    def edit(site, h=hours):
        site["walltime"] = "%dh" % h
        site["drain_before"] = "150min"
    rows.append(dict(study="walltime", value=hours, **run("walltime-%d" % hours, edit)))
for minutes in (1, 5, 15, 30, 60):
    def edit(site, m=minutes):
        site["boot_time"] = "%dmin" % m
        site["queue_time"] = 0
    rows.append(dict(study="boot_time", value=minutes, **run("boot-%d" % minutes, edit)))

path = os.path.join(out, "opportunistic-tradeoffs.csv")
with open(path, "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
    w.writeheader()
    for r in rows:
        w.writerow({k: (round(v, 5) if isinstance(v, float) else v) for k, v in r.items()})
for r in rows:
    print("%-9s %4g  lost boot %.3f drain %.3f  killed %3d  drones %3d  queue %.2f h  makespan %.2f h" % (
        r["study"], r["value"], r["fraction_lost_to_boot"], r["fraction_lost_to_drain"], r["jobs_killed"],
        r["drones_started"], r["mean_queue_wait_h"], r["makespan_h"]))

if plot:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4))
    wt = [r for r in rows if r["study"] == "walltime"]
    x = [r["value"] for r in wt]
    a.plot(x, [r["fraction_lost_to_boot"] for r in wt], "o-", label="lost to boot")
    a.plot(x, [r["fraction_lost_to_drain"] for r in wt], "s-", label="lost to drain")
    a.set_xscale("log")
    a.set_xlabel("drone walltime (h), drain 2.5 h before")
    a.set_ylabel("fraction of drone core-hours")
    a2 = a.twinx()
    a2.plot(x, [r["jobs_killed"] for r in wt], "^:", color="C3", label="jobs killed")
    a2.set_ylabel("jobs killed at the walltime", color="C3")
    a.legend(loc="upper right")
    a.set_title("shorter walltime vs drain losses")
    bt = [r for r in rows if r["study"] == "boot_time"]
    x = [r["value"] for r in bt]
    b.plot(x, [r["mean_queue_wait_h"] for r in bt], "o-", label="mean queue wait (h)")
    b.plot(x, [r["makespan_h"] / 10 for r in bt], "s-", label="makespan (10 h)")
    b.set_xlabel("drone boot time (min)")
    b2 = b.twinx()
    b2.plot(x, [r["fraction_lost_to_boot"] for r in bt], "^:", color="C3")
    b2.set_ylabel("fraction lost to boot", color="C3")
    b.legend(loc="upper left")
    b.set_title("faster boot vs demand tracking")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "opportunistic-tradeoffs.svg"))
    print("plot:", os.path.join(out, "opportunistic-tradeoffs.svg"))
