#!/usr/bin/env bash
# Prepares .device/ (ignored; carried to the GPU machine with `carry: [".device"]`, ≈ 6 MiB) for
# scripts/device/gpu-check.sh, from this Debian machine:
#   .device/deps      nlohmann_json and CLI11 (headers + CMake configs), GoogleTest's sources —
#                     what the lean build (EGSDE_GPU_LEAN) needs that the GPU machine has no apt for
#   .device/official  the official EGSDE code (functions/, guided_diffusion/, models/, runners/, tool/)
#                     from a checkout of github.com/ML-GSAI/EGSDE, for the official step timing
#   scripts/device/pack.sh /path/to/ML-GSAI/EGSDE
set -euo pipefail
cd "$(dirname "$0")/../.."
official="${1:?usage: scripts/device/pack.sh /path/to/ML-GSAI/EGSDE}"
[[ -d "$official/functions" && -d "$official/guided_diffusion" ]] ||
  { echo "pack.sh: $official is not a checkout of ML-GSAI/EGSDE (no functions/ or guided_diffusion/)" >&2; exit 2; }
for f in /usr/include/nlohmann/json.hpp /usr/include/CLI/CLI.hpp /usr/share/cmake/nlohmann_json /usr/share/cmake/CLI11 \
         /usr/src/googletest/CMakeLists.txt; do
  [[ -e $f ]] || { echo "pack.sh: $f is missing: run scripts/install-deps.sh (nlohmann-json3-dev, libcli11-dev, libgtest-dev)" >&2; exit 2; }
done
rm -rf .device.partial && mkdir -p .device.partial/deps/include .device.partial/deps/share/cmake .device.partial/deps/src .device.partial/official
cp -r /usr/include/nlohmann /usr/include/CLI .device.partial/deps/include/
cp -r /usr/share/cmake/nlohmann_json /usr/share/cmake/CLI11 .device.partial/deps/share/cmake/
cp -r /usr/src/googletest .device.partial/deps/src/googletest
for d in functions guided_diffusion models runners tool; do cp -r "$official/$d" .device.partial/official/; done
{ [[ -n "${OFFICIAL_COMMIT:-}" ]] && echo "$OFFICIAL_COMMIT" || git -C "$official" rev-parse HEAD 2>/dev/null || echo unknown; } > .device.partial/official/COMMIT
rm -rf .device && mv .device.partial .device
echo "pack.sh: .device ready ($(du -sh .device | cut -f1)); carry it: run(..., carry=[\".device\"])"
