# Sourced by the smoke scripts (reproduce.sh smoke, check_kill_resume.sh): what the smoke specs
# (experiments/smoke/*.json) need besides the committed fixtures.
# ensure_smoke_inception EGSDE: the random-weight Inception the smoke specs name
# (build/smoke/inception.pth, seed 7), written atomically by egsde once.
ensure_smoke_inception() {
  mkdir -p build/smoke
  [[ -s build/smoke/inception.pth ]] ||
    "$1" random-weights --network inception --seed 7 --overwrite -o build/smoke/inception.pth > /dev/null
}
