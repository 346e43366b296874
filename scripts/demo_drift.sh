#!/usr/bin/env bash
# The drift of a speed option on the demo (issue 8): <variant> bf16 (autocast) or winograd (oneDNN
# Winograd convolutions). Runs experiments/demo/demo_<variant>.json (demo.json with "precision":
# "bf16" or "conv": "winograd"; the reference runs of demo.json are made too if missing), writes
# its table to results/demo/<variant>/ and, per method and seed, the L2 / PSNR / SSIM of each
# translation against the reference one (egsde eval) into results/demo/<variant>/drift.md.
#   scripts/demo_drift.sh bf16|winograd [egsde run options]
set -euo pipefail
cd "$(dirname "$0")/.."
variant="${1:-}"
case "$variant" in
  bf16 | winograd) shift ;;
  *) echo "usage: scripts/demo_drift.sh bf16|winograd [egsde run options]" >&2; exit 2 ;;
esac
EGSDE="${EGSDE:-${BUILD_DIR:-build}/egsde}"
out="${DEMO_OUT:-runs/demo}"
"$EGSDE" fmnist-prepare --out datasets/fashion_mnist/data --split test --classes sandal,sneaker > /dev/null
"$EGSDE" run experiments/demo/demo.json --output "$out" --resume "$@"
"$EGSDE" run "experiments/demo/demo_$variant.json" --output "$out" --resume "$@"
mkdir -p "results/demo/$variant"
"$EGSDE" table "experiments/demo/demo_$variant.json" --runs "$out" --output "results/demo/$variant" --no-reference --overwrite \
  --samples 8 --cell 64
/usr/bin/python3 - "$EGSDE" "$out" "$variant" <<'PY'
import json, os, subprocess, sys, tempfile
egsde, out, variant = sys.argv[1:4]
what = {"bf16": "bf16 autocast vs fp32", "winograd": "Winograd vs direct convolutions (fp32 both)"}[variant]
runs = {}
for d in sorted(os.listdir(out)):
    p = os.path.join(out, d, "run.json")
    if os.path.exists(p):
        j = json.load(open(p))
        runs[(j["spec"], j["method"], j["seed"])] = os.path.join(out, d)
rows = []
for (spec, method, seed), d in sorted(runs.items()):
    if spec != f"demo_{variant}" or ("demo", method, seed) not in runs:
        continue
    ref = runs[("demo", method, seed)]
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([egsde, "eval", "--translated", f"{d}/images", "--source", f"{ref}/images", "--no-fid",
                        "--json", f"{tmp}/e.json"], check=True, capture_output=True)
        e = json.load(open(f"{tmp}/e.json"))
    m = {k: json.load(open(f"{x}/metrics.json")) for k, x in (("ref", ref), ("var", d))}
    rows.append((method, seed, e, m))
commit = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True).stdout.strip()
spec = json.load(open(f"experiments/demo/demo_{variant}.json"))
ref_name = {"bf16": "fp32", "winograd": "direct"}[variant]
lines = [f"# {what} on the demo (sandal → sneaker, {spec['max_images']} images, respace {spec['respace']} as demo.json)", "",
         f"Each {variant} translation against the {ref_name} translation of the same image, seed and noise "
         f"(`egsde eval --translated {variant} --source {ref_name}`: L2 on [0, 255] images as the paper's L2, PSNR, "
         "SSIM), and the metrics of both runs against the sources / the target class.", "",
         f"| method | seed | L2 {variant}↔{ref_name} | PSNR {variant}↔{ref_name} | SSIM {variant}↔{ref_name} | "
         f"FD {ref_name} | FD {variant} | Acc. {ref_name} | Acc. {variant} | L2 {ref_name} | L2 {variant} |",
         "|---|---|---|---|---|---|---|---|---|---|---|"]
for method, seed, e, m in rows:
    f, b = m["ref"], m["var"]
    lines.append(f"| {method} | {seed} | {e['l2']:.3f} | {e['psnr']:.2f} | {e['ssim']:.4f} | {f['fd']:.2f} | {b['fd']:.2f} | "
                 f"{f['accuracy']:.3f} | {b['accuracy']:.3f} | {f['l2']:.2f} | {b['l2']:.2f} |")
lines += ["", f"Provenance: commit {commit}; command `scripts/demo_drift.sh {variant}`; both runs' provenance in "
          f"their metrics.json ({variant}'s speed: results/bench/README.md). "
          f"Tables: [table.md](table.md) ({variant}, mean ± std over the seeds) beside ../table.md ({ref_name})."]
tmp = f"results/demo/{variant}/drift.md.tmp"
open(tmp, "w").write("\n".join(lines) + "\n")
os.replace(tmp, f"results/demo/{variant}/drift.md")
print("\n".join(lines))
PY
