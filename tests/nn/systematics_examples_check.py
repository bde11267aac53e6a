#!/usr/bin/python3
"""Runs the KIT-toy examples of examples/nn-systematics (issue 17 §3) and checks what the papers
say should happen: systematics_examples_check.py HEPKIT SOURCE_DIR WORK_DIR

- inference-aware training (arXiv:2003.07186) gives a smaller expected σ_μ, with the nuisance
  profiled, than cross-entropy training on the same events;
- penalised training (arXiv:1907.11674): with growing λ the histogram change under the ±1 shift
  (the validation penalty) and the network's dependence on the shifted input (its first-order
  Taylor coefficient ⟨|t_x1|⟩) go down, and so does the separation (AUC);
- the workspace written after training gives `hepkit infer` the same Hessian error of μ.
Figures are printed (docs/nn-systematics.md quotes them).
"""
import json
import os
import shutil
import subprocess
import sys


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        print(" ".join(cmd), "failed:\n", r.stdout, r.stderr)
        sys.exit(1)
    return r.stdout


def main():
    hepkit, source, work = sys.argv[1:4]
    example = os.path.join(source, "examples", "nn-systematics")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    for f in os.listdir(example):
        if f.startswith("kit_") and f.endswith(".yaml"):
            shutil.copy(os.path.join(example, f), work)
    run(["/usr/bin/python3", os.path.join(example, "make_data.py"), os.path.join(work, "data"), "20000"])

    def train(config, out, edit=None):
        path = os.path.join(work, config)
        if edit:
            text = open(path).read()
            for a, b in edit:
                assert a in text, (a, config)
                text = text.replace(a, b)
            path = os.path.join(work, out + ".yaml")
            open(path, "w").write(text)
        run([hepkit, "-q", "nn", "train", path, "-o", os.path.join(work, out), "--no-plots"], cwd=work)
        return json.load(open(os.path.join(work, out, "summary.json")))

    ok = True
    ce = train("kit_cross_entropy.yaml", "ce")
    ia = train("kit_inference_aware.yaml", "ia")
    s_ce, s_ia = ce["systematics"]["sigma_profile"], ia["systematics"]["sigma_profile"]
    print(f"KIT toy, sigma_mu with theta profiled: cross-entropy {s_ce:.4f}, inference-aware {s_ia:.4f} "
          f"(ratio {s_ia / s_ce:.3f}); AUC {ce['auc']['signal']:.4f} / {ia['auc']['signal']:.4f}")
    if not s_ia < 0.97 * s_ce:
        print("FAIL: inference-aware training should beat cross-entropy by > 3 %")
        ok = False
    # the Hessian and the profile agree for these nearly Gaussian likelihoods
    for name, s in (("ce", ce), ("ia", ia)):
        sh, sp = s["systematics"]["sigma_hessian"], s["systematics"]["sigma_profile"]
        if abs(sh - sp) > 0.02 * sp:
            print(f"FAIL: {name}: Hessian {sh} and profile {sp} differ by > 2 %")
            ok = False

    # the workspace through hepkit infer
    out = os.path.join(work, "infer.json")
    run([hepkit, "-q", "infer", os.path.join(work, "ia", "workspace.json"), "--json", out])
    err = json.load(open(out))["parameters"]["mu"]["error"]
    print(f"hepkit infer on ia/workspace.json: mu error {err:.6f} (training reported {ia['systematics']['sigma_hessian']:.6f})")
    if abs(err - ia["systematics"]["sigma_hessian"]) > 1e-4 * err:
        print("FAIL: hepkit infer disagrees with the training's evaluation")
        ok = False

    # penalised training against lambda
    rows = []
    for lam in (0, 1, 10, 100):
        s = train("kit_penalised.yaml", f"pen{lam}", [("lambda: 10", f"lambda: {lam}")])
        t = {tuple(c["names"]): c["mean_abs"] for c in s["taylor"]["coefficients"]}
        rows.append((lam, s["auc"]["signal"], s["validation_penalty"][s["best_epoch"] - 1], t[("x1",)], t[("x0",)],
                     s["systematics"]["sigma_profile"]))
    print("lambda  AUC     penalty   <|t_x1|>  <|t_x0|>  sigma_mu")
    for r in rows:
        print(f"{r[0]:>6}  {r[1]:.4f}  {r[2]:.5f}  {r[3]:.5f}   {r[4]:.5f}   {r[5]:.4f}")
    if not (rows[-1][2] < 0.2 * rows[0][2] and rows[-1][3] < 0.2 * rows[0][3] and rows[-1][1] < rows[0][1]):
        print("FAIL: with lambda = 100 the penalty and <|t_x1|> should fall below a fifth of lambda = 0's, and the AUC drop")
        ok = False
    if not all(rows[i + 1][3] <= rows[i][3] * 1.05 for i in range(len(rows) - 1)):
        print("FAIL: <|t_x1|> should not grow with lambda")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
