#!/usr/bin/env bash
# make demo: the embedded Fashion-MNIST experiment (issue 7) end to end, no downloads.
#   scripts/demo.sh [full|smoke] [egsde run options]
#   full   prepare the data, run experiments/demo/demo.json (EGSDE vs SDEdit vs ILVR, 3 repeats) and
#          demo_sweep.json (λs, λi) through the runner (resumable), write results/demo/ (table.md,
#          samples.png, tradeoff.svg; sweep/ likewise) and print the tables.
#   smoke  experiments/demo/smoke.json (16 images, 4 steps) checked against
#          results/baselines/demo_smoke.json with egsde check (ctest demo_smoke; CI).
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-full}"
shift || true
EGSDE="${EGSDE:-${BUILD_DIR:-build}/egsde}"
[[ -x "$EGSDE" ]] || { echo "demo: $EGSDE is not built; run 'make build' first" >&2; exit 1; }
DATA=datasets/fashion_mnist/data
W=experiments/demo/weights
for f in score_sneaker.pt dse_sandal_sneaker.pt fmnist_classifier.pt; do
  [[ -s "$W/$f" ]] || { echo "demo: $W/$f is missing; it is committed with the repository (make demo-train retrains it)" >&2; exit 1; }
done
# Only the two classes the demo reads (idempotent: verifies the manifest, rewrites nothing).
"$EGSDE" fmnist-prepare --out "$DATA" --split test --classes sandal,sneaker > /dev/null

case "$mode" in
  smoke)
    out="${DEMO_OUT:-runs/demo_smoke}"
    rm -rf "$out"
    "$EGSDE" run experiments/demo/smoke.json --output "$out" --quiet "$@"
    "$EGSDE" table experiments/demo/smoke.json --runs "$out" --output "$out/table" --no-reference --overwrite --samples 4 --cell 64
    "$EGSDE" check "$out/table" --baseline results/baselines/demo_smoke.json
    ;;
  full)
    out="${DEMO_OUT:-runs/demo}"
    start=$(date +%s)
    "$EGSDE" run experiments/demo/demo.json --output "$out" --resume "$@"
    "$EGSDE" run experiments/demo/demo_sweep.json --output "$out" --resume "$@"
    "$EGSDE" table experiments/demo/demo.json --runs "$out" --output results/demo --no-reference --overwrite --samples 8 --cell 64
    "$EGSDE" table experiments/demo/demo_sweep.json --runs "$out" --output results/demo/sweep --no-reference --overwrite --samples 8 --cell 64
    echo
    cat results/demo/table.md
    echo
    cat results/demo/sweep/table.md
    echo
    echo "demo: done in $(( $(date +%s) - start )) s (after the build): results/demo/{table.md,samples.png,tradeoff.svg}, results/demo/sweep/"
    ;;
  *) echo "demo: unknown mode '$mode' (full, smoke)" >&2; exit 2 ;;
esac
