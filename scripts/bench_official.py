#!/usr/bin/python3
"""Times the OFFICIAL EGSDE reverse step (functions/denoising.egsde_sample, as runners/egsde.py
calls it) on the CPU or a CUDA device, with the networks of a profile and the same checkpoint
files egsde uses, so scripts/bench.sh and scripts/device/gpu-check.sh can print the ratio next to
`egsde bench`.

  scripts/bench_official.py OFFICIAL_CHECKOUT PROFILE.json --batch 1,4 --steps 5 --warmup 1 \
      --threads 2 [--device cuda --tf32 default,off --methods egsde] --json out.json

On CUDA the runner's placement is kept (networks, betas, the Resizers and t on the device) and the
timed steps run back to back between two synchronisations (mean per step), as egsde bench does
there. --tf32: `default` leaves PyTorch's defaults (cuDNN convolutions may use TF32, matmuls not:
how the official code runs for its users), `off` is strict fp32, `on` TF32 everywhere.

The official code is imported from OFFICIAL_CHECKOUT (github.com/ML-GSAI/EGSDE); nothing of it
is copied here. SDEdit in the official code is egsde_sample with ls = li = 0 (the energies are
still computed, their gradients weighted by 0), which is what is timed as its step.
"""
import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time

import torch

ap = argparse.ArgumentParser()
ap.add_argument("official")
ap.add_argument("profile")
ap.add_argument("--batch", default="1,4")
ap.add_argument("--steps", type=int, default=5)
ap.add_argument("--warmup", type=int, default=1)
ap.add_argument("--threads", type=int, default=os.cpu_count())
ap.add_argument("--M", type=int, default=500)
ap.add_argument("--device", default="cpu")
ap.add_argument("--tf32", default="default", help="comma list of default|off|on (CUDA only)")
ap.add_argument("--methods", default="egsde,sdedit")
ap.add_argument("--json")
opt = ap.parse_args()
dev = torch.device(opt.device)
cuda = dev.type == "cuda"
sys.path.insert(0, opt.official)
torch.set_num_threads(opt.threads)

from functions.denoising import egsde_sample  # noqa: E402
from functions.resizer import Resizer  # noqa: E402
from guided_diffusion.script_util import create_model, create_dse  # noqa: E402

with open(opt.profile) as f:
    prof = json.load(f)
base = os.path.dirname(os.path.abspath(opt.profile))
args, cfg = prof["args"], prof["config"]
m, d, S = cfg["model"], cfg["dse"], cfg["data"]["image_size"]


def path(p):
    return p if os.path.isabs(p) else os.path.join(base, p)


model = create_model(image_size=S, num_class=m["num_class"], num_channels=m["num_channels"],
                     num_res_blocks=m["num_res_blocks"], learn_sigma=m["learn_sigma"], class_cond=m["class_cond"],
                     attention_resolutions=m["attention_resolutions"], num_heads=m["num_heads"],
                     num_head_channels=m["num_head_channels"], num_heads_upsample=m["num_heads_upsample"],
                     use_scale_shift_norm=m["use_scale_shift_norm"], dropout=m["dropout"],
                     resblock_updown=m["resblock_updown"], use_fp16=m["use_fp16"],
                     use_new_attention_order=m["use_new_attention_order"])
model.load_state_dict(torch.load(path(args["ckpt"]), map_location="cpu"))
model = torch.nn.DataParallel(model.to(dev)).eval()  # as the runner wraps it (a no-op on the CPU)
dse = create_dse(image_size=S, num_class=d["num_class"], classifier_use_fp16=d["classifier_use_fp16"],
                 classifier_width=d["classifier_width"], classifier_depth=d["classifier_depth"],
                 classifier_attention_resolutions=d["classifier_attention_resolutions"],
                 classifier_use_scale_shift_norm=d["classifier_use_scale_shift_norm"],
                 classifier_resblock_updown=d["classifier_resblock_updown"],
                 classifier_pool=d["classifier_pool"], phase="test")
dse.load_state_dict(torch.load(path(args["dsepath"]), map_location="cpu"))
dse = torch.nn.DataParallel(dse.to(dev)).eval()

T = cfg["diffusion"]["num_diffusion_timesteps"]
betas = torch.linspace(cfg["diffusion"]["beta_start"], cfg["diffusion"]["beta_end"], T, dtype=torch.float64).float()
alphas_cumprod = (1 - betas).cumprod(0)
prev = torch.cat([torch.ones(1), alphas_cumprod[:-1]])
logvar = (betas * (1 - prev) / (1 - alphas_cumprod)).clamp(min=1e-20).log()  # the runner's fixedsmall
betas, logvar, alphas_cumprod = betas.to(dev), logvar.to(dev), alphas_cumprod.to(dev)
methods = {"egsde": (args["ls"], args["li"]), "sdedit": (0.0, 0.0)}
tf32_default = (torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32)


def set_tf32(mode):
    cudnn, matmul = {"default": tf32_default, "off": (False, False), "on": (True, True)}[mode]
    torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = cudnn, matmul


def sync():
    if cuda:
        torch.cuda.synchronize(dev)


rows = []
for tf32 in opt.tf32.split(",") if cuda else ["default"]:
    set_tf32(tf32)
    for b in [int(x) for x in opt.batch.split(",")]:
        down_n = args["down_N"]
        die = (Resizer((b, 3, S, S), 1 / down_n).to(dev), Resizer((b, 3, S // down_n, S // down_n), down_n).to(dev))
        torch.manual_seed(0)
        x0 = (torch.rand(b, 3, S, S) * 2 - 1).to(dev)
        e = torch.randn_like(x0)
        for name in opt.methods.split(","):
            ls, li = methods[name]
            y = x0.clone()
            times = []
            i = opt.M - 1
            if cuda:
                torch.cuda.reset_peak_memory_stats(dev)
            for k in range(opt.warmup + opt.steps):
                if k == opt.warmup:
                    sync()
                    mark = time.perf_counter()
                t = (torch.ones(b) * i).to(dev)
                xt = x0 * alphas_cumprod[i].sqrt() + e * (1.0 - alphas_cumprod[i]).sqrt()
                start = time.perf_counter()
                y = egsde_sample(y=y, dse=dse, ls=ls, die=die, li=li, t=t, model=model, logvar=logvar, betas=betas,
                                 xt=xt, s1=args["s1"], s2=args["s2"], model_name="ADM")
                if k >= opt.warmup and not cuda:
                    times.append(time.perf_counter() - start)
                i -= 1
            sync()
            s = (time.perf_counter() - mark) / opt.steps if cuda else statistics.median(times)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
            gpu = torch.cuda.max_memory_allocated(dev) / 2**20 if cuda else -1
            rows.append({"method": name, "batch": b, "tf32": tf32, "seconds_per_step": s,
                         "images_per_s_at_M": b / (s * opt.M), "M": opt.M, "peak_rss_mib": rss, "peak_device_mib": gpu})
            print(f"{name:8s}{tf32:8s}{b:<7d}{s:<10.4g}{b / (s * opt.M):<22.4g}{rss:<8.0f}{gpu:.0f}", flush=True)


def loaded_blas():
    """Every BLAS-like library this process mapped (address order, not load order)."""
    libs = []
    for line in open("/proc/self/maps"):
        f = line.split()[-1]
        if ("libblas.so" in f or "libopenblas" in f or "libmkl_rt" in f) and os.path.realpath(f) not in libs:
            libs.append(os.path.realpath(f))
    return " + ".join(libs) or "none"


out = {"rows": rows, "threads": opt.threads, "blas": loaded_blas(), "torch": torch.__version__, "python": platform.python_version(),
       "official": opt.official, "profile": opt.profile, "steps_timed": opt.steps, "warmup": opt.warmup,
       "device": opt.device, "cuda": torch.version.cuda,
       "device_name": torch.cuda.get_device_name(dev) if cuda else platform.processor()}
if opt.json:
    with open(opt.json + ".tmp", "w") as f:
        json.dump(out, f, indent=1)
    os.replace(opt.json + ".tmp", opt.json)
