# Sourced by scripts/test-torch2.sh and scripts/cuda-build.sh: a Debian 13 (trixie) root kept
# between runs, entered with /proc, /sys and /dev bound in and always unbound again on exit.
#   TRIXIE_ROOT   where the root lives (default ~/.cache/egsde/trixie-root, ≈ 2.5 GB with the deps)
#   REPO          this checkout, bound read-write at /egsde inside the root
TRIXIE_ROOT=${TRIXIE_ROOT:-$HOME/.cache/egsde/trixie-root}
TRIXIE_MIRROR=${TRIXIE_MIRROR:-http://deb.debian.org/debian}
REPO=${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
_mounted=()
# One build folder inside the root per checkout: ninja compares mtimes only, so a folder built
# from another clone (newer files) would take this checkout's older sources for up to date.
TRIXIE_KEY=$(printf '%s' "$REPO" | sha1sum | cut -c1-8)

trixie_say() { echo "[$(basename "$0") $(date +%H:%M:%S)] $*"; }

trixie_unmount() {
  local i
  for ((i = ${#_mounted[@]} - 1; i >= 0; i--)); do
    umount "${_mounted[i]}" 2>/dev/null || umount -l "${_mounted[i]}" 2>/dev/null ||
      echo "$(basename "$0"): could not unmount ${_mounted[i]}: run 'umount -l ${_mounted[i]}'" >&2
  done
  _mounted=()
}

# Create the root once (debootstrap minbase, main + contrib); a half-made root is never reused.
trixie_bootstrap() {
  if [[ $(id -u) -ne 0 ]]; then
    echo "$(basename "$0"): needs root (debootstrap, mount, chroot): run it as root or with sudo" >&2
    exit 1
  fi
  if [[ -f "$TRIXIE_ROOT/.egsde-ready" ]]; then return; fi
  if ! command -v debootstrap >/dev/null 2>&1; then
    trixie_say "installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
  fi
  rm -rf "$TRIXIE_ROOT.partial"
  mkdir -p "$(dirname "$TRIXIE_ROOT")"
  trixie_say "debootstrap trixie into $TRIXIE_ROOT (about 30 s)"
  debootstrap --variant=minbase --components=main,contrib,non-free,non-free-firmware trixie \
    "$TRIXIE_ROOT.partial" "$TRIXIE_MIRROR" >"$TRIXIE_ROOT.log" 2>&1 ||
    { echo "$(basename "$0"): debootstrap failed, see $TRIXIE_ROOT.log" >&2; exit 1; }
  rm -rf "$TRIXIE_ROOT"
  mv "$TRIXIE_ROOT.partial" "$TRIXIE_ROOT"
  touch "$TRIXIE_ROOT/.egsde-ready"
}

trixie_mount() {
  trap trixie_unmount EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  # Each run binds its own mounts (stacked over those of a concurrent run) and removes only those.
  local d
  for d in proc sys dev; do
    mount --bind "/$d" "$TRIXIE_ROOT/$d"
    _mounted+=("$TRIXIE_ROOT/$d")
  done
  mkdir -p "$TRIXIE_ROOT/egsde"
  mount --bind "$REPO" "$TRIXIE_ROOT/egsde"
  _mounted+=("$TRIXIE_ROOT/egsde")
  cp -L /etc/resolv.conf "$TRIXIE_ROOT/etc/resolv.conf" 2>/dev/null || true
}

# Run a bash command line inside the root, in /egsde, as root, with CI and HOME passed on.
trixie_run() {
  chroot "$TRIXIE_ROOT" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/root \
    LANG=C.UTF-8 CI="${CI:-}" TERM="${TERM:-dumb}" /bin/bash -c "cd /egsde && $1"
}
