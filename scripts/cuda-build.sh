#!/usr/bin/env bash
# Compile every translation unit of egsde (library, binary, tests) against a CUDA LibTorch and
# link the binaries, on a machine without a GPU: Debian 13's contrib libtorch-cuda-dev 2.6
# (CUDA 12) in the Debian 13 root of scripts/torch2/root.sh. `make cuda-build` runs it.
# libtorch-cuda-2.6 depends on nvidia-cudnn, an installer that downloads from NVIDIA, so the two
# LibTorch .debs are fetched with apt-get download and unpacked with dpkg -x under
# /opt/torch-cuda instead of installed; the CUDA toolkit (nvcc, cudart, cuBLAS …) is an ordinary
# package. Only cuDNN stays missing: the link allows symbols that the CUDA LibTorch's own
# libraries leave unresolved (-Wl,--allow-shlib-undefined), never the project's own.
# The test binaries are linked, not run (their CUDA libraries cannot load here): test discovery
# is PRE_TEST instead of after each link. CMAKE_PREFIX_PATH (not Torch_DIR) so that Caffe2Config and the libraries are the unpacked CUDA
# ones: the root also has the CPU libtorch-dev, whose Caffe2Config would otherwise win.
# On a Debian 13 box with a GPU, `apt-get install libtorch-cuda-dev nvidia-cuda-toolkit` (contrib,
# non-free; cuDNN downloads at install time) and a plain `make test` build the same.
set -euo pipefail
source "$(dirname "$0")/torch2/root.sh"
JOBS=${JOBS:-$(nproc)}

trixie_bootstrap
trixie_mount
trixie_say "packages of scripts/install-deps.sh + nvidia-cuda-toolkit inside the root"
trixie_run "scripts/install-deps.sh && { dpkg-query -W -f='\${Status}' nvidia-cuda-toolkit 2>/dev/null | grep -q 'install ok' ||
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nvidia-cuda-toolkit >/dev/null; }"
trixie_run "[[ -f /opt/torch-cuda/.ready ]] || {
  rm -rf /opt/torch-cuda && mkdir -p /opt/torch-cuda/debs && cd /opt/torch-cuda/debs &&
  apt-get download -q libtorch-cuda-dev libtorch-cuda-2.6 2>&1 | grep -v 'unsandboxed' &&
  for d in *.deb; do dpkg -x \$d /opt/torch-cuda/root; done && rm -rf /opt/torch-cuda/debs && touch /opt/torch-cuda/.ready; }"
trixie_run "dpkg-query -W -f='\${Package} \${Version}\n' nvidia-cuda-toolkit libtorch-dev; ls /opt/torch-cuda/root/usr/lib/x86_64-linux-gnu/libtorch_cuda.so" |
  sed 's/^/  /'
LIBDIR=/opt/torch-cuda/root/usr/lib/x86_64-linux-gnu
trixie_say "configure + build against the CUDA LibTorch (/build/cuda-$TRIXIE_KEY inside the root)"
trixie_run "export CCACHE_DIR=/root/.cache/ccache CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
  cmake -S /egsde -B /build/cuda-$TRIXIE_KEY -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_GTEST_DISCOVER_TESTS_DISCOVERY_MODE=PRE_TEST \
    -DCMAKE_PREFIX_PATH=/opt/torch-cuda/root/usr -DEGSDE_REQUIRE_CUDA=ON \
    -DCMAKE_EXE_LINKER_FLAGS='-Wl,--allow-shlib-undefined -Wl,-rpath-link,$LIBDIR'
  cmake --build /build/cuda-$TRIXIE_KEY -j $JOBS"
trixie_run "cd /build/cuda-$TRIXIE_KEY && for b in egsde test_*; do [[ -x \$b ]] && echo \"  linked \$b\"; done
  readelf -d egsde | grep -q 'libtorch_cuda.so' && echo '  egsde links libtorch_cuda.so'"
trixie_say "CUDA build: every translation unit compiled and linked"
