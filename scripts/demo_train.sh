#!/usr/bin/env bash
# make demo-train: retrains the demo's three networks (issue 7) into experiments/demo/weights/
# with the committed settings: the score model and the DSE through the commands a user runs on
# their own folders (train-score --images, train-dse --domains) on fmnist-prepare's train class
# folders, the FD-FMNIST classifier on the 10 classes of the package (train-features). --no-flip:
# every Fashion-MNIST shoe points left, so the official random flip would teach both networks
# right-pointing shoes no test image has (with it, the demo's numbers: results/demo/flip_trained/).
# Each command resumes from <weights>.state if interrupted and
# refuses to replace finished weights unless DEMO_TRAIN_OVERWRITE=1. DEMO_WEIGHTS=DIR trains into
# DIR instead (to compare a retraining with the committed weights: scripts/demo_retrain_check.sh).
#   scripts/demo_train.sh [BUILD_DIR] [score|dse|features ...]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build}
shift || true
EGSDE="$BUILD_DIR/egsde"
W=${DEMO_WEIGHTS:-experiments/demo/weights}
PROFILE=experiments/demo/profile.json
DATA=datasets/fashion_mnist/data  # fmnist-prepare's default folder (ignored by git)
OVERWRITE=()
[[ "${DEMO_TRAIN_OVERWRITE:-0}" == 1 ]] && OVERWRITE=(--overwrite)
mkdir -p "$W"
what=("$@")
[[ ${#what[@]} -eq 0 ]] && what=(score dse features)
for w in "${what[@]}"; do
  [[ "$w" == score || "$w" == dse ]] &&
    "$EGSDE" fmnist-prepare --out "$DATA" --split train --classes sandal,sneaker > /dev/null
  case "$w" in
    score)    "$EGSDE" train-score --profile "$PROFILE" --images "$DATA/train/sneaker" --no-flip --iterations 3000 --batch-size 32 \
                --lr 3e-4 --ema 0.999 --seed 1 -o "$W/score_sneaker.pt" "${OVERWRITE[@]}" ;;
    dse)      "$EGSDE" train-dse --profile "$PROFILE" --domains "$DATA/train/sandal,$DATA/train/sneaker" \
                --no-flip --iterations 3000 --batch-size 32 \
                --lr 3e-4 --weight-decay 0.05 --seed 2 -o "$W/dse_sandal_sneaker.pt" "${OVERWRITE[@]}" ;;
    features) "$EGSDE" train-features --iterations 3000 --batch-size 64 --lr 1e-3 --weight-decay 0.01 --seed 3 \
                -o "$W/fmnist_classifier.pt" "${OVERWRITE[@]}" ;;
    *) echo "demo_train.sh: unknown network '$w' (score, dse, features)" >&2; exit 2 ;;
  esac
done
