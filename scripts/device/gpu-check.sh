#!/usr/bin/env bash
# One prepared GPU check, for the GPU machine (no apt, no network; a Python with a CUDA torch,
# CMake, ninja): the lean build (EGSDE_GPU_LEAN) against that torch, the network and sampler
# parity tests on the device, `egsde bench` at the official cat2dog architecture (fp32 / tf32 /
# bf16; batch 1, 8 and the largest that fits; images/s at M = 500; peak GPU memory) and the
# official egsde_sample on the same device in the same call, then one summary (JSON + Markdown).
#   scripts/device/pack.sh /path/to/ML-GSAI/EGSDE        # here, once: fills .device/ (carried)
#   scripts/device/gpu-check.sh [--device cuda|cpu] [--out DIR] [--python PY] [--torch-prefix DIR]
#                               [--jobs N] [--quick]
# On the device machine: run(command="scripts/device/gpu-check.sh --out $OUT", carry=[".device"]).
# Rehearsal on a CPU machine: --device cpu --quick --torch-prefix /usr (Debian's CPU LibTorch
# stands in for the Python torch; --quick: a 64² stand-in architecture, tiny batches, few steps).
# Every stage runs under its own time limit and is logged; a failed stage is recorded in the
# summary and the rest still runs, so one run always brings back what it measured.
set -uo pipefail
cd "$(dirname "$0")/../.."
device=cuda; out=${OUT:-build-gpu/out}; py=python3; torch_prefix=""; jobs=$(nproc); quick=0
while (($#)); do
  case "$1" in
    --device) device=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --python) py=$2; shift 2 ;;
    --torch-prefix) torch_prefix=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --quick) quick=1; shift ;;
    *) echo "gpu-check.sh: unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
[[ -d .device/deps && -d .device/official ]] ||
  { echo "gpu-check.sh: .device/ is missing: run scripts/device/pack.sh /path/to/ML-GSAI/EGSDE here and carry .device" >&2; exit 2; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
B=build-gpu
log="$out/log.txt"
: >"$log"
stages="$out/stages.tsv"
printf 'stage\trc\tseconds\n' >"$stages"
t0=$(date +%s)

# stage NAME LIMIT_S CMD...: runs CMD with a time limit, output to the log, rc + time to stages.tsv
stage() {
  local name=$1 limit=$2; shift 2
  local s=$(date +%s)
  echo "== $name ($(date +%H:%M:%S), limit ${limit}s): $*" | tee -a "$log"
  timeout "$limit" "$@" >>"$log" 2>&1
  local rc=$?
  printf '%s\t%s\t%s\n' "$name" "$rc" "$(($(date +%s) - s))" >>"$stages"
  echo "   rc $rc after $(($(date +%s) - s)) s (total $(($(date +%s) - t0)) s)" | tee -a "$log"
  return $rc
}

if [[ -n "$torch_prefix" ]]; then
  torch_args=(-DCMAKE_PREFIX_PATH="$torch_prefix")
else
  torch_args=(-DEGSDE_TORCH_FROM_PYTHON=ON -DEGSDE_PYTHON="$py")
fi
stage configure 120 cmake -S . -B $B -G Ninja -DCMAKE_BUILD_TYPE=Release -DEGSDE_GPU_LEAN=ON \
  -DEGSDE_DEPS_PREFIX="$PWD/.device/deps" -DEGSDE_USE_CCACHE=OFF "${torch_args[@]}" || { echo "configure failed"; }
stage build 300 cmake --build $B -j "$jobs" --target egsde test_parity || true

# parity on the device: every test of the lean parity binary (networks, schedule, resizer, sampler)
EGSDE_TEST_DEVICE=$device OMP_NUM_THREADS=1 stage parity 120 $B/test_parity --gtest_output=json:"$out/parity.json" || true

# random weights at the official cat2dog architecture (--quick: 64², 32 channels, for a CPU rehearsal)
mkdir -p $B/bench
"$py" - "$B/bench" "$quick" <<'PY' >>"$log" 2>&1
import json, sys
work, quick = sys.argv[1], sys.argv[2] == "1"
p = json.load(open("experiments/profiles/cat2dog.json"))
p["args"].update(ckpt="adm-unet.pt", dsepath="adm-dse.pt", testdata_path=".")
if quick:  # a stand-in architecture small enough for a CPU rehearsal of every stage
    p["config"]["data"]["image_size"] = 64
    p["config"]["model"].update(num_channels=32, num_head_channels=16, attention_resolutions="8")
    p["config"]["dse"].update(classifier_width=32, classifier_attention_resolutions="8")
json.dump(p, open(f"{work}/profile.json", "w"), indent=1)
PY
for n in adm-unet adm-dse; do
  [[ -s $B/bench/$n.pt ]] || stage "weights-$n" 120 $B/egsde random-weights --network $n --config $B/bench/profile.json \
    --seed 0 -o $B/bench/$n.pt || true
done
if ((quick)); then
  batches=1,2; max_batch=0; steps=2; warmup=1
else
  batches=1,8; max_batch=64; steps=6; warmup=2
fi
stage bench 300 $B/egsde bench --profile $B/bench/profile.json --device "$device" --precision fp32,tf32,bf16 \
  --methods egsde --batch $batches --max-batch $max_batch --steps $steps --warmup $warmup --json "$out/egsde_bench.json" || true
((quick)) || stage bench-channels-last 120 $B/egsde bench --profile $B/bench/profile.json --device "$device" \
  --precision bf16 --methods egsde --batch 8 --steps $steps --warmup $warmup --channels-last \
  --json "$out/egsde_bench_channels_last.json" || true
stage official 240 "$py" scripts/bench_official.py .device/official $B/bench/profile.json --device "$device" \
  --batch $batches --steps $steps --warmup $warmup --methods egsde --tf32 default,off --json "$out/official_bench.json" || true
$B/egsde version >"$out/version.txt" 2>&1 || true
"$py" scripts/device/gpu_summary.py "$out" "$device" "$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)" >>"$log" 2>&1
echo "gpu-check.sh: $(($(date +%s) - t0)) s; summary: $out/summary.md" | tee -a "$log"
cat "$out/summary.md" 2>/dev/null
