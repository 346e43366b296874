#!/usr/bin/python3
"""Writes results/bench/README.md from `egsde bench --levers --json`, scripts/bench_official.py --json
and (when present) results/bench/metrics_{egsde,python}.json of scripts/bench_metrics.py.

  scripts/bench_report.py EGSDE.json OFFICIAL.json "ARGS OF bench.sh" > results/bench/README.md
"""
import datetime
import json
import os
import sys

ours, theirs = (json.load(open(p)) for p in sys.argv[1:3])
args = sys.argv[3].strip() if len(sys.argv) > 3 else ""
here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "results", "bench")
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
off = {(r["method"], r["batch"]): r for r in theirs["rows"]}
M = ours["rows"][0]["M"] if ours["rows"] else 500

print("# Benchmarks\n")
print("Regenerate everything on this page: `scripts/bench.sh /path/to/ML-GSAI/EGSDE "
      "[--pytorch-fid /path/to/pytorch-fid/src]` (after `make build` and `make deps-dev`). "
      "Every ratio below is two measurements of the same run, on the same machine and threads.\n")
print("## One reverse step on the CPU, official cat2dog architecture (random weights)\n")
print("ADM UNet 256², 128 channels, 1 res block, attention at 16, learn_sigma; DSE width 128, depth 2,")
print("attention 32,16,8; λs 500, λi 2, down_N 32; fp32. Median of the timed steps after warm-up; the")
print("official step is `functions/denoising.egsde_sample` as `runners/egsde.py` calls it (SDEdit there is")
print(f"the same call with ls = li = 0). images/s for a whole translation at M = {M} is")
print(f"batch / ({M} × s/step): derived from the step time (a step's cost does not depend on t), not timed.\n")
print("egsde's `conv` column: `direct` runs the 3×3 convolutions through LibTorch as the official code")
print("does (egsde's default); `winograd` through oneDNN's Winograd F(4×4,3×3) (`--conv winograd`: opt-in,")
print("AVX-512 CPUs; the networks' outputs stay within the 1e-5 parity tolerance of the official ones,")
print("tests/parity/test_adm_{unet,dse}.cpp).\n")
print(f"| method | egsde conv | batch | egsde s/step | official s/step | speed-up | egsde images/s (M={M}) | "
      "official images/s | egsde first step s | egsde peak RSS MiB | official peak RSS MiB |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for r in ours["rows"]:
    o = off.get((r["method"], r["batch"]))
    if not o:
        continue
    print(f"| {r['method']} | {r.get('conv', 'direct')} | {r['batch']} | {r['seconds_per_step']:.3f} | "
          f"{o['seconds_per_step']:.3f} | "
          f"**{o['seconds_per_step'] / r['seconds_per_step']:.2f}×** | {r['images_per_s_at_M']:.5f} | "
          f"{o['images_per_s_at_M']:.5f} | {r.get('first_step_seconds', float('nan')):.1f} | "
          f"{r['peak_rss_mib']:.0f} | {o['peak_rss_mib']:.0f} |")
print("\nPeak RSS is each process's high-water mark so far (cumulative over its rows, in table order).")
print("egsde's first step is the untimed warm-up step: it includes one-time set-up, for `winograd` the oneDNN")
print("plans and the transformed weights of every convolution at that batch size (once per translation")
print(f"and batch size; a whole translation at M = {M} pays it once, not per step).")
print(f"BLAS loaded: egsde `{ours['provenance'].get('blas', '?')}`, official `{theirs.get('blas', '?')}`.")
cache = ours["provenance"].get("cpu_cache")
if cache is not None:
    print(f"egsde's CPU allocation cache (core/cpu_cache.h): {'on' if cache else 'off (EGSDE_CPU_CACHE=0)'}; the "
          "official process allocates through glibc as released.")

wd = os.path.dirname(os.path.abspath(sys.argv[1]))
nl = [os.path.join(wd, f) for f in ("egsde_netlib.json", "official_netlib.json")]
if all(os.path.exists(f) for f in nl):
    on, tn = (json.load(open(f)) for f in nl)
    offn = {(r["method"], r["batch"]): r for r in tn["rows"]}
    main = {(r["method"], r["batch"]): r for r in ours["rows"] if r.get("conv", "direct") == "direct"}
    print("\n### The same step on Debian's default netlib reference BLAS\n")
    print("Both processes again, with `LD_LIBRARY_PATH` pointing at the netlib `libblas.so.3` (what Debian")
    print("installs unless an optimised BLAS such as `libopenblas0-pthread` is present). LibTorch's attention")
    print("matmuls (`bmm`: 1024 tokens at the DSE's 32² level) run on it; the convolutions (oneDNN) do not.")
    print("`liblapack.so.3` still resolves to OpenBLAS's, so libopenblas is mapped too; BLAS symbols resolve")
    print("to the library loaded first (egsde's list below is in load order, Python's in address order).\n")
    print("| method | batch | egsde s/step | official s/step | speed-up | egsde with system BLAS: faster by |")
    print("|---|---|---|---|---|---|")
    for r in on["rows"]:
        o, m = offn.get((r["method"], r["batch"])), main.get((r["method"], r["batch"]))
        if not o:
            continue
        gain = f"{r['seconds_per_step'] / m['seconds_per_step']:.2f}×" if m else "–"
        print(f"| {r['method']} | {r['batch']} | {r['seconds_per_step']:.3f} | {o['seconds_per_step']:.3f} | "
              f"**{o['seconds_per_step'] / r['seconds_per_step']:.2f}×** | {gain} |")
    print(f"\nBLAS loaded: egsde `{on['provenance'].get('blas', '?')}`, official `{tn.get('blas', '?')}`.")

if ours.get("levers"):
    b = ours["levers"][0]["batch"]
    print(f"\n## Where egsde's EGSDE step gains (batch {b}, `egsde bench --levers`)\n")
    print("The first row computes the guidance the way the official `egsde_sample` does (inside egsde: the")
    print("same networks and kernels); each following row switches one more lever on. Drift: ‖y − y₁‖/‖y₁‖")
    print("of the sample after the same steps and noise against the first row (fp32 levers change how the")
    print("gradient is computed, not what: rounding only).\n")
    print("| lever | threads | precision | CPU allocator | s/step | speed-up vs first row | rel. drift vs first row |")
    print("|---|---|---|---|---|---|---|")
    for r in ours["levers"]:
        alloc = {True: "egsde cache", False: "system"}.get(r.get("cpu_cache"), "?")
        print(f"| {r['lever']} | {r['threads']} | {r['precision']} | {alloc} | {r['seconds_per_step']:.3f} | "
              f"{r['speedup_vs_first']:.2f}× | {r['rel_drift_vs_first']:.2e} |")
    print("\nThe autograd rows (2–4) do the same arithmetic up to autograd bookkeeping: at 256² the step is")
    print("dominated by the DSE's and the UNet's convolutions, so their spread is mostly this machine's")
    lv = ours["levers"]
    k = next((i for i, r in enumerate(lv) if r.get("cpu_cache") and i > 0 and lv[i - 1].get("cpu_cache") is False), None)
    same = k is not None and lv[k]["rel_drift_vs_first"] == lv[k - 1]["rel_drift_vs_first"]
    print("run-to-run noise. Allocation reuse changes no arithmetic (its sample " +
          ("is bitwise the row before's: the same drift):" if same else "drifts from the row before's, see the table):"))
    print("through glibc every 32 MiB activation of a 256² step is a fresh mmap whose pages the kernel faults")
    print("in and zeroes again each step; the cache hands the same blocks back instead. The bf16 row is opt-in")
    print("(it changes the images; the demo's drift: results/demo/bf16/drift.md). The channels-last row keeps")
    print("LibTorch's direct convolutions in NHWC (oneDNN then skips the activation reorders, but GroupNorm,")
    print("SiLU and the attention reshapes pay for the layout); the Winograd row (`--conv winograd`) changes")
    print("the convolution algorithm: oneDNN's F(4×4,3×3) does a 3×3 convolution with 4× fewer multiplications,")
    print("and the drift it adds is rounding (about 1e-6 per network, tests/unit/test_winograd.cpp). Not")
    print("measured by this script: CUDA graphs, batching DSE(y) and DSE(x_t) into one forward (the backward")
    print("would then run over x_t's half too).")
    slow = [r for r in ours["levers"] if r["precision"] == "bf16" and r["speedup_vs_first"] < 1]
    if slow:
        print(f"\n**bf16 on this CPU is {1 / slow[0]['speedup_vs_first']:.0f}× slower than the first row** in this run "
              f"(BLAS `{ours['provenance'].get('blas', '?')}`): do not use `--precision bf16` on such a CPU.")


def load(name):
    p = os.path.join(here, f"metrics_{name}.json")
    return json.load(open(p)) if os.path.exists(p) else None


eg, py = load("egsde"), load("python")
if eg and py:
    fe, fp = eg["frechet"], py["frechet"]
    print("\n## Metrics (details, load and variance: [metrics.md](metrics.md))\n")
    print("| what | egsde | reference | ratio |")
    print("|---|---|---|---|")
    print(f"| Fréchet {fe['dims']}-d, {fe['samples']} samples/side, from mu/sigma (s) | {fe['factored_s']:.2f} | "
          f"{fp['scipy_s']:.2f} (scipy sqrtm) | **{fp['scipy_s'] / fe['factored_s']:.1f}×** |")
    print(f"| Fréchet from features (s) | {fe['features_s']:.2f} | {fp['scipy_s']:.2f} | "
          f"**{fp['scipy_s'] / fe['features_s']:.1f}×** |")
    ie, ip = eg["inception"], py["inception"]
    print(f"| Inception pool3, batch {ie['batch']} (images/s, mean) | {ie['mean_images_per_s']:.2f} | "
          f"{ip['mean_images_per_s']:.2f} (pytorch-fid) | **{ie['mean_images_per_s'] / ip['mean_images_per_s']:.2f}×** |")
    print(f"\nBLAS: {eg['provenance'].get('blas', 'not recorded (measured before egsde recorded it)')}. "
          f"Measured at commit {eg['provenance'].get('commit')}, load average {py.get('loadavg')} / "
          f"{eg.get('loadavg')} (`scripts/bench_metrics.py`, run by `scripts/bench.sh` unless `--skip-metrics`).")

p = ours["provenance"]
print("\n## Provenance\n")
print(f"- report written {datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M UTC')}; measured at commit "
      f"{p.get('commit')} (egsde's provenance)")
print(f"- machine: {cpu}, {os.cpu_count()} logical CPUs; {theirs['threads']} threads for both "
      f"(OMP_NUM_THREADS / torch.set_num_threads); device {ours.get('device', 'cpu')}")
print(f"- egsde {p.get('egsde')} with LibTorch {p.get('libtorch')}, OpenCV {p.get('opencv')}")
print(f"- official: Python {theirs['python']}, torch {theirs['torch']}")
print(f"- command: `scripts/bench.sh OFFICIAL{' ' + args if args else ''}` (OFFICIAL = a checkout of ML-GSAI/EGSDE)")
print(f"- steps timed: {ours['steps_timed']} after {ours['warmup']} warm-up, per row")
if not p.get("cuda_available"):
    print("\nGPU figures: no GPU was lent to this task; none are reported (the GPU build and the precision")
    print("options: top-level README, 'Precision and the GPU build').")
