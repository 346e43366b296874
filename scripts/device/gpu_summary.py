#!/usr/bin/env python3
"""Summarises one scripts/device/gpu-check.sh run: OUT/summary.json and OUT/summary.md from
OUT/stages.tsv, OUT/parity.json (GoogleTest JSON with the recorded rel_error properties),
OUT/egsde_bench.json (egsde bench) and OUT/official_bench.json (scripts/bench_official.py).
Standard library only (it runs with the device machine's Python).

  scripts/device/gpu_summary.py OUT DEVICE COMMIT
"""
import json
import os
import sys

out, device, commit = sys.argv[1:4]


def load(name):
    try:
        with open(os.path.join(out, name)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


stages = []
try:
    with open(os.path.join(out, "stages.tsv")) as f:
        next(f)
        stages = [dict(zip(("stage", "rc", "seconds"), l.rstrip("\n").split("\t"))) for l in f if l.strip()]
except OSError:
    pass

# parity: every test with its result and the largest recorded relative error
parity = {"passed": 0, "failed": 0, "skipped": 0, "tests": []}
gt = load("parity.json")
for suite in (gt or {}).get("testsuites", []):
    for case in suite.get("testsuite", []):
        errs = []
        for k, v in case.items():
            if k.startswith("rel_error"):
                try:
                    errs.append(float(v))
                except ValueError:
                    pass
        status = "skipped" if case.get("result") == "SKIPPED" else ("failed" if case.get("failures") else "passed")
        parity[status] += 1
        parity["tests"].append({"test": f"{suite['name']}.{case['name']}", "status": status,
                                "max_rel_error": max(errs) if errs else None})
rel = [t["max_rel_error"] for t in parity["tests"] if t["max_rel_error"] is not None]
parity["max_rel_error"] = max(rel) if rel else None

ours = load("egsde_bench.json") or {}
theirs = load("official_bench.json") or {}
orow = {(r["method"], r["batch"], r.get("tf32", "default")): r for r in theirs.get("rows", [])}

# bf16 peak of the device (dense, no sparsity; vendor data sheets) for the fraction reached
PEAK_BF16_TFLOPS = {"H200": 989.0, "H100": 989.0, "A100": 312.0, "L40S": 362.0}
name = theirs.get("device_name", "") or ""
peak = next((v for k, v in PEAK_BF16_TFLOPS.items() if k in name), None)
# work of one 256² image at M = 500 (ADM UNet forward + DSE forward on y and x_t + DSE backward
# to y, each step): the estimate 0.41–0.49 PFLOP stated in the GPU-readiness issue, not measured here
PFLOP_PER_IMAGE = (0.41, 0.49)

rows = []
cl = load("egsde_bench_channels_last.json") or {}
for r in ours.get("rows", []) + cl.get("rows", []):
    o_def = orow.get((r["method"], r["batch"], "default"))
    o_off = orow.get((r["method"], r["batch"], "off"))
    row = {k: r.get(k) for k in ("method", "precision", "channels_last", "batch", "largest_batch", "seconds_per_step",
                                 "images_per_s_at_M", "peak_device_mib")}
    row["vs_official_default"] = r["images_per_s_at_M"] / o_def["images_per_s_at_M"] if o_def else None
    row["vs_official_fp32_strict"] = r["images_per_s_at_M"] / o_off["images_per_s_at_M"] if o_off else None
    if peak and r.get("precision") == "bf16":
        row["fraction_of_bf16_peak"] = [r["images_per_s_at_M"] * f * 1e15 / (peak * 1e12) for f in PFLOP_PER_IMAGE]
    rows.append(row)

summary = {"commit": commit, "device": device, "device_name": name, "stages": stages, "parity": parity,
           "egsde": rows, "official": theirs.get("rows", []), "official_commit": None,
           "egsde_provenance": ours.get("provenance"), "official_torch": theirs.get("torch"),
           "official_cuda": theirs.get("cuda")}
try:
    summary["official_commit"] = open(".device/official/COMMIT").read().strip()
except OSError:
    pass
tmp = os.path.join(out, "summary.json.tmp")
with open(tmp, "w") as f:
    json.dump(summary, f, indent=1)
os.replace(tmp, os.path.join(out, "summary.json"))


def fmt(v, spec=".3g"):
    return "–" if v is None else format(v, spec)


md = [f"# GPU check ({device}: {name or '?'}) at commit {commit}\n",
      "Made by `scripts/device/gpu-check.sh` (summary: scripts/device/gpu_summary.py).\n",
      "| stage | rc | s |", "|---|---|---|"]
md += [f"| {s['stage']} | {s['rc']} | {s['seconds']} |" for s in stages]
md += ["", f"## Parity on {device}", "",
       f"{parity['passed']} passed, {parity['failed']} failed, {parity['skipped']} skipped; largest relative error "
       f"{fmt(parity['max_rel_error'])} (tolerance: tests/common/test_util.h, parity_tol).", ""]
md += [f"- {t['test']}: {t['status']}, rel {fmt(t['max_rel_error'])}" for t in parity["tests"] if t["status"] != "passed"]
md += ["", "## EGSDE step, images/s at M = 500 (batch / (500 × s/step))", "",
       "| precision | batch | s/step | images/s | peak GPU MiB | × official (default TF32) | × official (strict fp32) | "
       "fraction of bf16 peak |", "|---|---|---|---|---|---|---|---|"]
for r in rows:
    frac = r.get("fraction_of_bf16_peak")
    md.append(f"| {r['precision']}{' NHWC' if r.get('channels_last') else ''} | {r['batch']}{' (largest)' if r.get('largest_batch') else ''} | "
              f"{fmt(r['seconds_per_step'], '.4g')} | {fmt(r['images_per_s_at_M'], '.4g')} | "
              f"{fmt(r['peak_device_mib'], '.0f')} | {fmt(r['vs_official_default'], '.2f')} | "
              f"{fmt(r['vs_official_fp32_strict'], '.2f')} | "
              f"{'–' if not frac else f'{frac[0]:.2f}–{frac[1]:.2f}'} |")
md += ["", "Official `egsde_sample` on the same device (torch " + str(theirs.get("torch")) + "):", "",
       "| tf32 | batch | s/step | images/s | peak GPU MiB |", "|---|---|---|---|---|"]
md += [f"| {r.get('tf32')} | {r['batch']} | {fmt(r['seconds_per_step'], '.4g')} | {fmt(r['images_per_s_at_M'], '.4g')} | "
       f"{fmt(r.get('peak_device_mib'), '.0f')} |" for r in theirs.get("rows", [])]
md += ["", "The fraction of the bf16 peak uses the issue's estimate of 0.41–0.49 PFLOP per 256² image at M = 500 "
       f"and the vendor's dense bf16 peak ({peak} TFLOP/s)." if peak else ""]
with open(os.path.join(out, "summary.md.tmp"), "w") as f:
    f.write("\n".join(md) + "\n")
os.replace(os.path.join(out, "summary.md.tmp"), os.path.join(out, "summary.md"))
