#!/usr/bin/env bash
# ctest slurm_array (issue 19): scripts/slurm/egsde_array.sbatch on a real one-node Slurm.
# As root, starts a private cluster in a temp folder on loopback — its own munged (key, socket,
# pid), slurmctld and slurmd (slurm.conf with its own ports, state, spool, pid and log files), so
# a system Slurm or munge is never touched — then submits experiments/smoke/smoke.json as N = 3
# array tasks + the merge job on the CPU (EGSDE_GPUS=0, --cpus 1: no --gres, 1 CPU per job),
# waits (bounded), and checks:
#   - every job COMPLETED, the logs are under OUT/logs (4 of them), none in the repository root;
#   - OUT/merged holds the same 18 images (byte-equal) as one `egsde run` of the spec, and
#     OUT/results the same table files as its `egsde table` (equal but for the provenance lines
#     naming paths and the date).
# Every daemon it started is stopped by pid on exit. Exit 77 (ctest SKIP_RETURN_CODE) with the
# reason when Slurm cannot start here: not root, slurm-wlm/munge missing, daemons not coming up.
#   WORK (default build/slurm-array): OUT and the single run
#   SLURM_TEST_TIMEOUT: seconds to wait for the jobs (default 300)
set -euo pipefail
cd "$(dirname "$0")/.."
EGSDE="${EGSDE:-build/egsde}"
work="${WORK:-build/slurm-array}"
timeout_s="${SLURM_TEST_TIMEOUT:-300}"
spec=experiments/smoke/smoke.json
N=3
start=$SECONDS
skip() { echo "slurm_array: SKIP: $*"; exit 77; }
fail() { echo "slurm_array: FAIL: $*"; exit 1; }
tail_logs() {  # the last lines of each daemon's log
  local f
  for f in "$tmp"/*.log; do [[ -s "$f" ]] && { echo "--- $f"; tail -n 15 "$f"; }; done
  return 0
}

[[ -x "$EGSDE" ]] || fail "$EGSDE is not built"
[[ $(id -u) -eq 0 ]] || skip "not root (the test starts its own munged, slurmctld and slurmd)"
for b in munged slurmctld slurmd sbatch squeue sinfo scontrol scancel; do
  command -v "$b" > /dev/null || skip "$b is not installed (make deps installs slurm-wlm and munge)"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/egsde-slurm.XXXXXX")
chmod 711 "$tmp"  # munged wants its socket folder and every parent traversable by all
pids=()
cleanup() {
  local rc=$? p k
  if [[ ${#pids[@]} -gt 1 ]]; then  # slurmctld is up: cancel what is left, let slurmd end it
    scancel --quiet --user=root 2> /dev/null || true
    for ((k = 0; k < 20; k++)); do [[ -z "$(squeue -h 2> /dev/null)" ]] && break; sleep 0.5; done
  fi
  ((rc == 0 || rc == 77)) || tail_logs
  for ((k = ${#pids[@]} - 1; k >= 0; k--)); do  # slurmd, slurmctld, munged
    p=${pids[k]}
    kill -TERM "$p" 2> /dev/null || continue
    for ((t = 0; t < 20; t++)); do kill -0 "$p" 2> /dev/null || break; sleep 0.5; done
    kill -KILL "$p" 2> /dev/null || true
    wait "$p" 2> /dev/null || true
  done
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# munged with its own key, socket, pid and seed file (root may run it; logs on stderr with -F)
mkdir -m 711 "$tmp/munge"
head -c 1024 /dev/urandom > "$tmp/munge/munge.key"
chmod 400 "$tmp/munge/munge.key"
munged -F --key-file="$tmp/munge/munge.key" --socket="$tmp/munge/socket" \
  --pid-file="$tmp/munge/munged.pid" --seed-file="$tmp/munge/munged.seed" 2> "$tmp/munged.log" &
pids+=($!)
for ((k = 0; k < 50; k++)); do [[ -S "$tmp/munge/socket" ]] && break; sleep 0.2; done
[[ -S "$tmp/munge/socket" ]] || { tail_logs; skip "munged did not start (its log above)"; }

# Two free loopback ports for slurmctld and slurmd (a connect that fails = nobody listens).
port_free() { ! (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; }
port=$((20000 + $$ % 20000))
for ((k = 0; k < 100; k++, port += 2)); do port_free "$port" && port_free $((port + 1)) && break; done
node=$(slurmd -C | head -n 1)  # NodeName=<host> CPUs=… RealMemory=…: what slurmd will find
[[ "$node" == NodeName=* ]] || skip "slurmd -C gives no node line ($node)"
mkdir "$tmp/state" "$tmp/spool"
: > "$tmp/plugstack.conf"
# Slurm ≥ 24 (Debian 13) starts a cgroup plugin in slurmd even with proctrack/linuxproc and
# task/none; switch it off (no cgroup fs in a chroot). Slurm 22.05 (Debian 12) has no such option.
: > "$tmp/cgroup.conf"
slurm_major=$(slurmd -V | grep -oE '[0-9]+' | head -n 1)  # "slurm-wlm 22.05.8"
if ((slurm_major >= 24)); then echo CgroupPlugin=disabled > "$tmp/cgroup.conf"; fi
cat > "$tmp/slurm.conf" << EOF
ClusterName=egsdetest
SlurmctldHost=localhost
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge/socket
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
PlugStackConfig=$tmp/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
DependencyParameters=kill_invalid_depend
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=egsdetest Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$tmp/slurm.conf"
slurmctld -D 2> "$tmp/slurmctld.log" &  # -D: in the foreground, logging to stderr
pids+=($!)
slurmd -D 2> "$tmp/slurmd.log" &
pids+=($!)
state=
for ((k = 0; k < 60; k++)); do
  state=$(sinfo -h -N -o %T 2> /dev/null | head -n 1) || true
  [[ "$state" == idle ]] && break
  for p in "${pids[@]}"; do kill -0 "$p" 2> /dev/null || break 2; done
  sleep 0.5
done
[[ "$state" == idle ]] || { tail_logs; skip "the one-node Slurm did not come up (node state '${state:-none}'; logs above)"; }
echo "slurm_array: cluster up in $((SECONDS - start)) s (ports $port/$((port + 1)), $tmp)"

# The array on the CPU: EGSDE_GPUS=0 (environment) and --cpus 1 (option); the devices default to cpu.
source scripts/smoke_env.sh
ensure_smoke_inception "$EGSDE"
rm -rf "$work"
mkdir -p "$work"
out="$work/out"
root_logs() { find . -maxdepth 1 -name '*.log' | wc -l; }
before=$(root_logs)
EGSDE="$EGSDE" EGSDE_GPUS=0 bash scripts/slurm/egsde_array.sbatch --cpus 1 "$spec" "$out" "$N"
# Meanwhile, the same spec as one run (1 thread, as each job: SLURM_CPUS_PER_TASK=1).
OMP_NUM_THREADS=1 "$EGSDE" run "$spec" --output "$work/single" --quiet
"$EGSDE" table "$spec" --runs "$work/single" --output "$work/single/results" --overwrite > /dev/null
deadline=$((SECONDS + timeout_s))
while [[ -n "$(squeue -h)" ]]; do
  ((SECONDS < deadline)) || { squeue; fail "jobs still queued after ${timeout_s} s (SLURM_TEST_TIMEOUT)"; }
  sleep 1
done
show_logs() { local f; for f in "$out"/logs/*; do echo "--- $f"; tail -n 20 "$f"; done; }
states=$(scontrol -o show job | grep -o 'JobState=[A-Z_]*' | sort | uniq -c | xargs)
[[ "$states" == "$((N + 1)) JobState=COMPLETED" ]] || { show_logs; fail "job states: $states (want $((N + 1)) COMPLETED)"; }
logs=$(find "$out/logs" -type f -name '*.log' | wc -l)
((logs == N + 1)) || { show_logs; fail "$logs logs in $out/logs, want $((N + 1))"; }
(($(root_logs) == before)) || fail "a job log was written into the repository root"

# OUT/merged's images = the single run's (byte-equal, same names); OUT/results = its results,
# file by file, but for the provenance lines that name paths and the time (spec file, runs,
# command, date in table.md / .csv / .tex).
same_files() {  # DIR DIR FIND-ARGS...: both hold the same relative paths
  local x=$1 y=$2
  shift 2
  diff <(cd "$x" && find . "$@" -type f | sort) <(cd "$y" && find . "$@" -type f | sort)
}
m="$out/merged" s="$work/single"
same_files "$s" "$m" -path '*/images/*' > /dev/null || fail "$m and $s hold different images"
images=$(cd "$s" && find . -path '*/images/*' -type f | sort)
n_images=$(echo "$images" | wc -l)
((n_images == 18)) || fail "$n_images images in $s, want 18 (6 runs x 3)"
for f in $images; do cmp -s "$s/$f" "$m/$f" || fail "$f differs between $m (Slurm) and $s (one run)"; done
a="$out/results" b="$s/results"
[[ -d "$a" ]] || { show_logs; fail "no $a"; }
same_files "$b" "$a" > /dev/null || fail "$a and $b hold different files: $(same_files "$b" "$a" | xargs)"
drop() { grep -Ev '^(#|%|-) (spec file|runs|command|date): ' "$1" || true; }
files=$(cd "$b" && find . -type f | sort)
for f in $files; do
  cmp -s "$a/$f" "$b/$f" && continue
  if grep -qI '' "$b/$f" && diff <(drop "$a/$f") <(drop "$b/$f") > /dev/null; then continue; fi
  diff <(drop "$a/$f") <(drop "$b/$f") | head -n 20 || true
  fail "$f differs between $a (Slurm) and $b (one run)"
done
echo "slurm_array: OK: $N array tasks + merge on Slurm = one run ($n_images images byte-equal," \
     "$(echo "$files" | wc -l) result files equal); $((SECONDS - start)) s"
