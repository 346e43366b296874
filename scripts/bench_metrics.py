#!/usr/bin/python3
"""Benchmark of the metrics hot spots (not a test): writes results/bench/metrics.md.

  Fréchet distance, D-dim features from N samples per side: egsde (`egsde bench-metrics`:
  factored path from mu/sigma, features path from the features) vs the official formula,
  pytorch-fid's calculate_frechet_distance (scipy.linalg.sqrtm), imported from a checkout.
  Inception features/s at 299x299, batch B: egsde's InceptionFid vs pytorch-fid's InceptionV3
  (random weights: torchvision's default init, the download of the FID weights is skipped).
Both sides use the same thread count (torch.set_num_threads / --threads, OMP_NUM_THREADS) and the
same features (torch.Generator().manual_seed(seed) draws are bit-identical in LibTorch).

usage: scripts/bench_metrics.py [--egsde build/egsde] [--pytorch-fid /work/ref/mseitzer+pytorch-fid/src]
                                [--threads N] [--part all|python|egsde] [--dims 2048] [--samples 500]
Each part saves results/bench/metrics_{python,egsde}.json; the report uses whatever is there.
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(ROOT, "results", "bench")


def features(dims, samples, seed):
    import torch
    g = torch.Generator().manual_seed(seed)
    mix = torch.randn(dims, dims, generator=g, dtype=torch.float64) / dims ** 0.5
    a = torch.relu(torch.randn(samples, dims, generator=g, dtype=torch.float64) @ mix)
    b = torch.relu((torch.randn(samples, dims, generator=g, dtype=torch.float64) @ mix) * 1.2 + 0.1)
    return a.numpy(), b.numpy()


def run_python(args):
    import numpy as np
    import scipy
    import torch
    sys.path.insert(0, args.pytorch_fid)
    from pytorch_fid import fid_score, inception  # the official formula and network, not copied
    torch.set_num_threads(args.threads)
    a, b = features(args.dims, args.samples, args.seed)
    mu1, s1 = np.mean(a, axis=0), np.cov(a, rowvar=False)  # as pytorch-fid's calculate_activation_statistics
    mu2, s2 = np.mean(b, axis=0), np.cov(b, rowvar=False)
    t = time.perf_counter()
    fid = fid_score.calculate_frechet_distance(mu1, s1, mu2, s2)
    fr = {"scipy_s": time.perf_counter() - t, "scipy_fid": float(fid)}
    # InceptionV3 without the weight download: skip load_state_dict while it is built.
    real = torch.nn.Module.load_state_dict
    inception.load_state_dict_from_url = lambda *a, **k: None
    torch.nn.Module.load_state_dict = lambda self, *a, **k: None
    try:
        net = inception.InceptionV3([3]).eval()
    finally:
        torch.nn.Module.load_state_dict = real
    x = torch.rand(args.batch, 3, 299, 299)
    with torch.no_grad():
        net(x)
        times = []
        for _ in range(args.batches):
            t = time.perf_counter()
            net(x)
            times.append(time.perf_counter() - t)
        secs = sum(times)
    res = {"threads": torch.get_num_threads(), "frechet": fr,
           "inception": {"batch": args.batch, "batches": args.batches, "seconds": secs,
                         "images_per_s": args.batch / min(times),
                         "mean_images_per_s": args.batch * args.batches / secs},
           "versions": {"torch": torch.__version__, "scipy": scipy.__version__, "numpy": np.__version__,
                        "python": platform.python_version()},
           "loadavg": os.getloadavg()}
    return res


def run_egsde(args):
    cmd = [args.egsde, "bench-metrics", "--threads", str(args.threads), "--dims", str(args.dims), "--samples",
           str(args.samples), "--batch", str(args.batch), "--batches", str(args.batches), "--seed", str(args.seed)]
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    res = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout)
    res["command"] = " ".join(cmd)
    res["loadavg"] = os.getloadavg()
    return res


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, cwd=ROOT).stdout.strip()
    except OSError:
        return "?"


def report(args):
    def load(name):
        p = os.path.join(OUT, "metrics_%s.json" % name)
        return json.load(open(p)) if os.path.exists(p) else None
    py, eg = load("python"), load("egsde")
    f = lambda v, d=3: ("%.*f" % (d, v)) if isinstance(v, (int, float)) else "—"
    lines = ["# Metrics benchmark", "",
             "Measured by `scripts/bench_metrics.py` (not a test). Machine shared with other jobs: the load",
             "average at each run is listed; timings are wall clock (Fréchet: best of the repeats for egsde,",
             "one run for scipy; Inception: after one warm-up batch, best batch and mean over the batches).", ""]
    if py and eg:
        fr_py, fr_eg = py["frechet"], eg["frechet"]
        lines += ["## Fréchet distance, %d-d, %d samples per side (both covariances singular)" % (
            fr_eg["dims"], fr_eg["samples"]), "",
            "| implementation | seconds | FID | speed-up vs scipy |", "|---|---|---|---|",
            "| pytorch-fid `calculate_frechet_distance` (scipy `sqrtm`), from mu/sigma | %s | %s | 1× |" % (
                f(fr_py["scipy_s"]), f(fr_py["scipy_fid"], 6)),
            "| egsde `--sqrtm fast` from mu/sigma (pivoted Cholesky factors, `.npz`/`.h5` inputs) | %s | %s | %s× |" % (
                f(fr_eg["factored_s"]), f(fr_eg["factored_fid"], 6), f(fr_py["scipy_s"] / fr_eg["factored_s"], 1)),
            "| egsde `--sqrtm fast` from features (N×N product, folder inputs) | %s | %s | %s× |" % (
                f(fr_eg["features_s"]), f(fr_eg["features_fid"], 6), f(fr_py["scipy_s"] / fr_eg["features_s"], 1)),
            "", "Relative difference of the FIDs vs scipy: factored %.2e, features %.2e." % (
                abs(fr_eg["factored_fid"] - fr_py["scipy_fid"]) / fr_py["scipy_fid"],
                abs(fr_eg["features_fid"] - fr_py["scipy_fid"]) / fr_py["scipy_fid"]), "",
            "## Inception pool3 features, 299×299, batch %d" % eg["inception"]["batch"], "",
            "| implementation | images/s (best batch) | images/s (mean) | ratio (best) |", "|---|---|---|---|",
            "| pytorch-fid `InceptionV3([3])` (PyTorch %s) | %s | %s | 1× |" % (
                py["versions"]["torch"], f(py["inception"]["images_per_s"], 2),
                f(py["inception"].get("mean_images_per_s"), 2)),
            "| egsde `InceptionFid` (LibTorch %s) | %s | %s | %s× |" % (
                eg["provenance"].get("libtorch", "?"), f(eg["inception"]["images_per_s"], 2),
                f(eg["inception"].get("mean_images_per_s"), 2),
                f(eg["inception"]["images_per_s"] / py["inception"]["images_per_s"], 2)), ""]
    lines += ["## Set-up", "",
              "- date: %s" % datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
              "- git commit: %s" % sh("git rev-parse --short HEAD"),
              "- CPU: %s, %s logical CPUs; threads used: %s" % (
                  sh("lscpu | sed -n 's/^Model name: *//p'"), os.cpu_count(), args.threads),
              "- BLAS/LAPACK: %s (the same library under scipy, PyTorch and LibTorch)" % sh(
                  "readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3"),
              "- load average during the runs: python %s, egsde %s" % (
                  py and [round(v, 2) for v in py["loadavg"]], eg and [round(v, 2) for v in eg["loadavg"]]),
              "- versions: %s; egsde provenance: %s" % (py and py["versions"], eg and json.dumps(eg["provenance"])),
              "- commands: `%s`" % " ".join(["scripts/bench_metrics.py"] + sys.argv[1:]),
              "  (egsde part: `%s`)" % (eg and eg.get("command")), ""]
    with open(os.path.join(OUT, "metrics.md"), "w") as fh:
        fh.write("\n".join(lines))
    print("\n".join(lines))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--egsde", default=os.path.join(ROOT, "build", "egsde"))
    p.add_argument("--pytorch-fid", default="/work/ref/mseitzer+pytorch-fid/src")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--part", choices=["all", "python", "egsde", "report"], default="all")
    p.add_argument("--dims", type=int, default=2048)
    p.add_argument("--samples", type=int, default=500)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--batches", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    os.makedirs(OUT, exist_ok=True)
    if args.part in ("all", "python"):
        json.dump(run_python(args), open(os.path.join(OUT, "metrics_python.json"), "w"), indent=1)
    if args.part in ("all", "egsde"):
        json.dump(run_egsde(args), open(os.path.join(OUT, "metrics_egsde.json"), "w"), indent=1)
    report(args)


if __name__ == "__main__":
    main()
