#!/usr/bin/env bash
# The drift of bf16 autocast on the demo (issue 8): runs experiments/demo/demo_bf16.json (demo.json
# with "precision": "bf16"; fp32 runs of demo.json are made too if missing), writes its table to
# results/demo/bf16/ and, per method and seed, the L2 / PSNR / SSIM of each bf16 translation
# against the fp32 one (egsde eval) into results/demo/bf16/drift.md.
#   scripts/demo_bf16.sh [egsde run options]
set -euo pipefail
cd "$(dirname "$0")/.."
EGSDE="${EGSDE:-${BUILD_DIR:-build}/egsde}"
out="${DEMO_OUT:-runs/demo}"
"$EGSDE" fmnist-prepare --out datasets/fashion_mnist/data --split test --classes sandal,sneaker > /dev/null
"$EGSDE" run experiments/demo/demo.json --output "$out" --resume "$@"
"$EGSDE" run experiments/demo/demo_bf16.json --output "$out" --resume "$@"
mkdir -p results/demo/bf16
"$EGSDE" table experiments/demo/demo_bf16.json --runs "$out" --output results/demo/bf16 --no-reference --overwrite \
  --samples 8 --cell 64
/usr/bin/python3 - "$EGSDE" "$out" <<'PY'
import json, os, subprocess, sys, tempfile
egsde, out = sys.argv[1], sys.argv[2]
runs = {}
for d in sorted(os.listdir(out)):
    p = os.path.join(out, d, "run.json")
    if os.path.exists(p):
        j = json.load(open(p))
        runs[(j["spec"], j["method"], j["seed"])] = os.path.join(out, d)
rows = []
for (spec, method, seed), d in sorted(runs.items()):
    if spec != "demo_bf16" or ("demo", method, seed) not in runs:
        continue
    ref = runs[("demo", method, seed)]
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([egsde, "eval", "--translated", f"{d}/images", "--source", f"{ref}/images", "--no-fid",
                        "--json", f"{tmp}/e.json"], check=True, capture_output=True)
        e = json.load(open(f"{tmp}/e.json"))
    m = {k: json.load(open(f"{x}/metrics.json")) for k, x in (("fp32", ref), ("bf16", d))}
    rows.append((method, seed, e, m))
commit = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True).stdout.strip()
lines = ["# bf16 autocast vs fp32 on the demo (sandal → sneaker, 200 images, 8 respaced steps)", "",
         "Each bf16 translation against the fp32 translation of the same image, seed and noise "
         "(`egsde eval --translated bf16 --source fp32`: L2 on [0, 255] images as the paper's L2, PSNR, SSIM), "
         "and the metrics of both runs against the sources / the target class.", "",
         "| method | seed | L2 bf16↔fp32 | PSNR bf16↔fp32 | SSIM bf16↔fp32 | FD fp32 | FD bf16 | Acc. fp32 | Acc. bf16 | L2 fp32 | L2 bf16 |",
         "|---|---|---|---|---|---|---|---|---|---|---|"]
for method, seed, e, m in rows:
    f, b = m["fp32"], m["bf16"]
    lines.append(f"| {method} | {seed} | {e['l2']:.3f} | {e['psnr']:.2f} | {e['ssim']:.4f} | {f['fd']:.2f} | {b['fd']:.2f} | "
                 f"{f['accuracy']:.3f} | {b['accuracy']:.3f} | {f['l2']:.2f} | {b['l2']:.2f} |")
lines += ["", f"Provenance: commit {commit}; command `scripts/demo_bf16.sh`; both runs' provenance in their "
          "metrics.json (bf16's speed: results/bench/README.md). "
          "Tables: [table.md](table.md) (bf16, mean ± std over the 3 seeds) beside ../table.md (fp32)."]
tmp = "results/demo/bf16/drift.md.tmp"
open(tmp, "w").write("\n".join(lines) + "\n")
os.replace(tmp, "results/demo/bf16/drift.md")
print("\n".join(lines))
PY
