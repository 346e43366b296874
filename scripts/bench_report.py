#!/usr/bin/python3
"""Writes results/bench/README.md from `egsde bench --json` and scripts/bench_official.py --json."""
import datetime
import json
import platform
import subprocess
import sys

ours, theirs = (json.load(open(p)) for p in sys.argv[1:3])
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
commit = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True).stdout.strip()
off = {(r["method"], r["batch"]): r for r in theirs["rows"]}
print("# Benchmarks\n")
print("Regenerate: `scripts/bench.sh /path/to/ML-GSAI/EGSDE` (after `make build`; needs `make deps-dev`).\n")
print("## One reverse step on the CPU, official cat2dog architecture (random weights)\n")
print("ADM UNet 256², 128 channels, 1 res block, attention at 16, learn_sigma; DSE width 128, depth 2,")
print("attention 32,16,8; λs 500, λi 2, down_N 32; fp32. Median of the timed steps after warm-up; the")
print("official step is `functions/denoising.egsde_sample` as `runners/egsde.py` calls it (SDEdit there is")
print("the same call with ls = li = 0). images/s at M = 500 is batch / (500 × s/step).\n")
print("| method | batch | egsde s/step | official s/step | speed-up | egsde images/s (M=500) | egsde peak RSS MiB | official peak RSS MiB |")
print("|---|---|---|---|---|---|---|---|")
for r in ours["rows"]:
    o = off.get((r["method"], r["batch"]))
    if not o:
        continue
    print(f"| {r['method']} | {r['batch']} | {r['seconds_per_step']:.3f} | {o['seconds_per_step']:.3f} | "
          f"**{o['seconds_per_step'] / r['seconds_per_step']:.2f}×** | {r['images_per_s_at_M']:.5f} | "
          f"{r['peak_rss_mib']:.0f} | {o['peak_rss_mib']:.0f} |")
p = ours["provenance"]
print("\nPeak RSS is the process's high-water mark so far (cumulative over the rows).\n")
print("## Provenance\n")
print(f"- date: {datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M UTC')}; commit {commit}")
print(f"- machine: {cpu}, {theirs['threads']} threads for both (OMP_NUM_THREADS / torch.set_num_threads); no GPU")
print(f"- egsde {p.get('egsde')} with LibTorch {p.get('libtorch')} (Debian), OpenCV {p.get('opencv')}")
print(f"- official: Python {theirs['python']}, torch {theirs['torch']} (Debian python3-torch)")
args = sys.argv[3].strip() if len(sys.argv) > 3 else ""
print(f"- command: `scripts/bench.sh OFFICIAL{' ' + args if args else ''}` (OFFICIAL = a checkout of ML-GSAI/EGSDE)")
print(f"- steps timed: {ours['steps_timed']} after {ours['warmup']} warm-up")
print("\nGPU figures: no GPU was lent to this task; none are reported.")
