#!/usr/bin/env bash
# The CPU benchmark of issue 8, one command: random weights at the official cat2dog architecture
# (ADM 256², 128 channels, 1 res block, attention 16, learn_sigma; DSE width 128, depth 2,
# attention 32,16,8), then `egsde bench` and the official egsde_sample step on the same weights
# with the same threads, and results/bench/README.md with both and their ratio.
#   scripts/bench.sh /path/to/EGSDE-checkout [--threads N] [--batch 1,4] [--steps 5]
set -euo pipefail
cd "$(dirname "$0")/.."
all_args="${*:2}"
official="${1:?usage: scripts/bench.sh /path/to/ML-GSAI/EGSDE checkout [--threads N] [--batch 1,4] [--steps 5]}"
shift
threads=$(nproc); batch=1,4; steps=5
while (($#)); do
  case "$1" in
    --threads) threads=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    *) echo "bench.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
EGSDE="${EGSDE:-build/egsde}"
work=build/bench
mkdir -p "$work" results/bench
for n in adm-unet adm-dse; do
  [[ -s $work/$n.pt ]] || "$EGSDE" random-weights --network $n --config experiments/profiles/cat2dog.json --seed 0 -o $work/$n.pt
done
/usr/bin/python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
p = json.load(open("experiments/profiles/cat2dog.json"))
p["args"].update(ckpt="adm-unet.pt", dsepath="adm-dse.pt", testdata_path=".")
json.dump(p, open(f"{work}/profile.json", "w"), indent=1)
PY
OMP_NUM_THREADS=$threads "$EGSDE" bench --profile $work/profile.json --batch $batch --steps $steps --json $work/egsde.json
OMP_NUM_THREADS=$threads scripts/bench_official.py "$official" $work/profile.json --batch $batch --steps $steps \
  --threads "$threads" --json $work/official.json
/usr/bin/python3 scripts/bench_report.py $work/egsde.json $work/official.json "$all_args" > results/bench/README.md.tmp
mv results/bench/README.md.tmp results/bench/README.md
cat results/bench/README.md
