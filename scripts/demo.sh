#!/usr/bin/env bash
# make demo: the embedded Fashion-MNIST experiment end to end, no downloads.
#   scripts/demo.sh [full|smoke] [egsde run options]
#   full   prepare the data, run experiments/demo/demo.json (EGSDE vs SDEdit vs ILVR, 3 repeats) and
#          demo_sweep.json (λs, λi) through the runner (resumable) into runs/demo, write the reports
#          runs/demo/report/{demo,demo_sweep}/ (index.html, table.md, samples.png, tradeoff.svg) and
#          print the tables. Nothing tracked by git is written; DEMO_RESULTS=results/demo (make
#          demo-results) also runs demo_cg.json (classifier guidance) and rewrites the committed
#          tables there.
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
    for spec in demo demo_sweep; do
      "$EGSDE" report "experiments/demo/$spec.json" --runs "$out" --output "$out/report/$spec" --no-reference --overwrite \
        --samples 8 --cell 64 > /dev/null
    done
    if [[ -n "${DEMO_RESULTS:-}" ]]; then  # the committed copies (make demo-results)
      "$EGSDE" table experiments/demo/demo.json --runs "$out" --output "$DEMO_RESULTS" --no-reference --overwrite --samples 8 --cell 64
      "$EGSDE" table experiments/demo/demo_sweep.json --runs "$out" --output "$DEMO_RESULTS/sweep" --no-reference --overwrite --samples 8 --cell 64
      # classifier guidance next to the realism expert (results/demo/README.md; not part of make demo)
      "$EGSDE" run experiments/demo/demo_cg.json --output "$out" --resume "$@"
      "$EGSDE" table experiments/demo/demo_cg.json --runs "$out" --output "$DEMO_RESULTS/classifier_guidance" --no-reference --overwrite --samples 8 --cell 64
    fi
    echo
    cat "$out/report/demo/table.md"
    echo
    cat "$out/report/demo_sweep/table.md"
    echo
    echo "demo: done in $(( $(date +%s) - start )) s (after the build)"
    echo "demo: report: file://$(realpath "$out/report/demo/index.html") (the sweep: $out/report/demo_sweep/index.html)"
    ;;
  *) echo "demo: unknown mode '$mode' (full, smoke)" >&2; exit 2 ;;
esac
