#!/usr/bin/env bash
# The benchmarks of issue 8, one command: random weights at the official cat2dog architecture
# (ADM 256², 128 channels, 1 res block, attention 16, learn_sigma; DSE width 128, depth 2,
# attention 32,16,8), then `egsde bench --levers` and the official egsde_sample step on the same
# weights with the same threads, then the metric benchmarks (scripts/bench_metrics.py), and
# results/bench/README.md with all of them and their ratios.
#   scripts/bench.sh /path/to/EGSDE-checkout [--threads N] [--batch 1,4] [--steps 5]
#                    [--pytorch-fid /path/to/pytorch-fid/src | --skip-metrics] [--skip-netlib]
# The main rows use the system BLAS (OpenBLAS after scripts/install-deps.sh); then both sides run
# batch 1 again on Debian's netlib reference BLAS (LD_LIBRARY_PATH=$NETLIB_DIR) unless --skip-netlib.
set -euo pipefail
cd "$(dirname "$0")/.."
usage="usage: scripts/bench.sh /path/to/ML-GSAI/EGSDE [--threads N] [--batch 1,4] [--steps 5] [--pytorch-fid DIR | --skip-metrics] [--skip-netlib]"
official="${1:?$usage}"
shift
all_args="$*"
threads=$(nproc); batch=1,4; steps=5; pytorch_fid=""; metrics=1; netlib=1
while (($#)); do
  case "$1" in
    --threads) threads=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --pytorch-fid) pytorch_fid=$2; shift 2 ;;
    --skip-metrics) metrics=0; shift ;;
    --skip-netlib) netlib=0; shift ;;
    *) echo "bench.sh: unknown option $1; $usage" >&2; exit 2 ;;
  esac
done
[[ -d "$official/functions" ]] || { echo "bench.sh: $official is not a checkout of ML-GSAI/EGSDE (no functions/)" >&2; exit 2; }
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
OMP_NUM_THREADS=$threads "$EGSDE" bench --profile $work/profile.json --batch $batch --steps $steps --levers \
  --conv direct,winograd --json $work/egsde.json
OMP_NUM_THREADS=$threads scripts/bench_official.py "$official" $work/profile.json --batch $batch --steps $steps \
  --threads "$threads" --json $work/official.json
NETLIB_DIR="${NETLIB_DIR:-/usr/lib/x86_64-linux-gnu/blas}"
rm -f $work/egsde_netlib.json $work/official_netlib.json
if ((netlib)) && [[ -e $NETLIB_DIR/libblas.so.3 ]]; then
  LD_LIBRARY_PATH=$NETLIB_DIR OMP_NUM_THREADS=$threads "$EGSDE" bench --profile $work/profile.json --batch 1 \
    --steps $steps --json $work/egsde_netlib.json
  LD_LIBRARY_PATH=$NETLIB_DIR OMP_NUM_THREADS=$threads scripts/bench_official.py "$official" $work/profile.json \
    --batch 1 --steps $steps --threads "$threads" --json $work/official_netlib.json
elif ((netlib)); then
  echo "bench.sh: no netlib BLAS at $NETLIB_DIR (package libblas3); skipping the netlib rows" >&2
fi
if ((metrics)); then
  OMP_NUM_THREADS=$threads scripts/bench_metrics.py --egsde "$EGSDE" --threads "$threads" \
    ${pytorch_fid:+--pytorch-fid "$pytorch_fid"}
fi
/usr/bin/python3 scripts/bench_report.py $work/egsde.json $work/official.json "$all_args" > results/bench/README.md.tmp
mv results/bench/README.md.tmp results/bench/README.md
cat results/bench/README.md
