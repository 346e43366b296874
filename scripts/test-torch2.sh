#!/usr/bin/env bash
# Build egsde and run its whole ctest suite against LibTorch 2.x: Debian 13 (trixie) ships
# libtorch-dev 2.6, OpenCV 4.10, HDF5 1.14, GTest 1.15, GCC 14 and oneDNN 3.6, where this
# Debian 12 machine has LibTorch 1.13 and oneDNN 2.6. `make test-torch2` runs it.
#   scripts/test-torch2.sh [CTEST_ARGS…]     e.g. -L parity, -R Winograd
# The root (scripts/torch2/root.sh: TRIXIE_ROOT) and this checkout's build folder
# (/build/torch2-<checkout key> inside it) are kept, so a rerun costs only the incremental
# build. Needs root (debootstrap, mount, chroot).
set -euo pipefail
source "$(dirname "$0")/torch2/root.sh"
JOBS=${JOBS:-$(nproc)}
BUILD=/build/torch2-$TRIXIE_KEY

trixie_bootstrap
trixie_mount
trixie_say "packages of scripts/install-deps.sh inside the root"
trixie_run "scripts/install-deps.sh"
trixie_run "dpkg-query -W -f='\${Package} \${Version}\n' libtorch-dev libdnnl-dev libopencv-core-dev libhdf5-dev libgtest-dev g++" |
  sed 's/^/  /'
trixie_say "configure + build ($BUILD inside the root)"
trixie_run "export CCACHE_DIR=/root/.cache/ccache CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
  [[ -f $BUILD/build.ninja ]] || cmake -S /egsde -B $BUILD -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build $BUILD -j $JOBS"
trixie_say "ctest"
trixie_run "cd $BUILD && ctest --output-on-failure -j $JOBS $(printf '%q ' "$@")"
trixie_say "LibTorch 2.x: all tests passed"
