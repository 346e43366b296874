#!/usr/bin/env bash
# The runner's end-to-end guarantee (issue 6), run by ctest: a λs sweep with 2 repeats gives the
# same table on 1 worker, on 2 workers, and when the run is killed with SIGKILL mid-way and
# resumed. Uses the smoke networks (experiments/smoke/smoke.json) with a grid over args.ls.
set -euo pipefail
cd "$(dirname "$0")/.."
EGSDE="${EGSDE:-build/egsde}"
work="${WORK:-build/kill-resume}"
rm -rf "$work"; mkdir -p "$work"
source scripts/smoke_env.sh
ensure_smoke_inception "$EGSDE"
spec=experiments/smoke/sweep_ls.json

table() {  # output root -> table.csv without its provenance lines
  "$EGSDE" table "$spec" --runs "$1" --output "$1/table" --no-reference --overwrite > /dev/null
  grep -v '^#' "$1/table/table.csv"
}
"$EGSDE" run "$spec" --output "$work/one" --workers 1 --quiet
"$EGSDE" run "$spec" --output "$work/two" --workers 2 --quiet
# killed at some point mid-way (SIGKILL: no cleanup), then resumed until complete
timeout -s KILL 4 "$EGSDE" run "$spec" --output "$work/killed" --workers 2 --quiet || true
"$EGSDE" run "$spec" --output "$work/killed" --workers 2 --quiet --resume
a=$(table "$work/one"); b=$(table "$work/two"); c=$(table "$work/killed")
[[ "$a" == "$b" ]] || { echo "kill-resume: 1 worker and 2 workers give different tables"; diff <(echo "$a") <(echo "$b"); exit 1; }
[[ "$a" == "$c" ]] || { echo "kill-resume: the killed-and-resumed run differs"; diff <(echo "$a") <(echo "$c"); exit 1; }
n=$(find "$work/killed" -path '*/images/*' -type f | wc -l)
[[ $n -eq 12 ]] || { echo "kill-resume: expected 12 images (4 runs x 3), found $n"; exit 1; }
echo "kill-resume: identical tables (1 worker, 2 workers, killed + resumed); $n images"
