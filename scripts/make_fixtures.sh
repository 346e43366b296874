#!/usr/bin/env bash
# Regenerate every parity fixture under tests/fixtures/ from the official code.
#   scripts/make_fixtures.sh /path/to/EGSDE-checkout [OUT_DIR=tests/fixtures]
# Each script imports the official code from the checkout (never copied here), re-draws all
# weights, runs on the CPU with fixed seeds and saves inputs/outputs. Needs Debian's
# python3-torch (make deps-dev).
set -euo pipefail
official=${1:?usage: scripts/make_fixtures.sh /path/to/EGSDE [OUT_DIR]}
out=${2:-tests/fixtures}
cd "$(dirname "$0")/.."
for script in scripts/fixtures/make_*_fixtures.py; do
  echo "== $script"
  if [[ "$script" == *make_io_fixtures.py ]]; then
    /usr/bin/python3 "$script" "$out"
  else
    /usr/bin/python3 "$script" "$official" "$out"
  fi
done
