#!/usr/bin/env bash
# Regenerate every parity fixture under tests/fixtures/ from the official code.
#   [ILVR=/path/to/ilvr_adm-checkout] scripts/make_fixtures.sh /path/to/EGSDE-checkout [OUT_DIR=tests/fixtures]
# Each script imports the official code from the checkout (never copied here), re-draws all
# weights, runs on the CPU with fixed seeds and saves inputs/outputs. make_ilvr_fixtures.py
# imports the ILVR code (github jychoi118/ilvr_adm) from $ILVR instead, and is skipped with a
# note when ILVR is unset. Needs Debian's python3-torch (make deps-dev).
set -euo pipefail
official=${1:?usage: scripts/make_fixtures.sh /path/to/EGSDE [OUT_DIR]}
out=${2:-tests/fixtures}
cd "$(dirname "$0")/.."
for script in scripts/fixtures/make_*_fixtures.py; do
  echo "== $script"
  if [[ "$script" == *make_io_fixtures.py ]]; then
    /usr/bin/python3 "$script" "$out"
  elif [[ "$script" == *make_ilvr_fixtures.py ]]; then
    if [[ -n "${ILVR:-}" ]]; then
      /usr/bin/python3 "$script" "$ILVR" "$out"
    else
      echo "   skipped: set ILVR=/path/to/a checkout of github.com/jychoi118/ilvr_adm"
    fi
  else
    /usr/bin/python3 "$script" "$official" "$out"
  fi
done
