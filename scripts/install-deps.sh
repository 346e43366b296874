#!/usr/bin/env bash
# Install the Debian 12 (or 13) packages egsde needs to build, test and run its demo.
# Idempotent: exits at once when everything is present. Works as root or via sudo.
#   scripts/install-deps.sh          build + test + demo packages
#   scripts/install-deps.sh --dev    also python3-torch & co. for the fixture/benchmark scripts
set -euo pipefail

PKGS=(
  cmake ninja-build ccache g++ make pkg-config
  libtorch-dev
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev
  libhdf5-dev nlohmann-json3-dev libcli11-dev libtbb-dev libgtest-dev zlib1g-dev
  # Optimised BLAS/LAPACK: takes over the libblas.so.3/liblapack.so.3 alternatives from Debian's
  # netlib reference BLAS, which LibTorch's attention matmuls (bmm) would otherwise run on.
  libopenblas0-pthread
  # oneDNN's headers: egsde calls the library LibTorch runs on for Winograd convolutions (--conv)
  libdnnl-dev
  dataset-fashion-mnist
  # ctest slurm_array (scripts/check_slurm.sh) starts its own one-node Slurm with these
  slurm-wlm munge
  # the report's browser test (tests/integration/test_report_browser.cpp) opens it headless
  chromium
)
if [[ "${1:-}" == "--dev" ]]; then
  PKGS+=(python3-torch python3-torchvision python3-numpy python3-scipy python3-pil python3-yaml python3-skimage)
fi

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#PKGS[@]} packages present"
  exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "install-deps: missing packages (${missing[*]}) and not root and no sudo: install them as root" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: done"
