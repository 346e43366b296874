#!/usr/bin/env bash
# make reproduce-<task>: check that the data and the released weights are in place (else say
# exactly what to download from where and exit 1), then run the paper spec through the runner
# (resumable) and write the table.
#   scripts/reproduce.sh cat2dog|wild2dog|male2female [egsde run options, e.g. --devices cuda:0,cuda:1]
#   scripts/reproduce.sh smoke   the same pipeline on tiny random-weight networks (seconds; CI)
set -euo pipefail
cd "$(dirname "$0")/.."
task="${1:?usage: scripts/reproduce.sh cat2dog|wild2dog|male2female|smoke [egsde run options]}"
shift
EGSDE="${EGSDE:-${BUILD_DIR:-build}/egsde}"
[[ -x "$EGSDE" ]] || { echo "reproduce: $EGSDE is not built; run 'make build' first" >&2; exit 1; }

WEIGHTS_URL="https://drive.google.com/drive/folders/1awa0vkcWhd9LIEiS9VtGTwO5hI4WEI3G (the official EGSDE README's 'Pretrained Models' link)"
INCEPTION_URL="https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/pt_inception-2015-12-05-6726825d.pth"
DATA_URL="https://github.com/clovaai/stargan-v2 (its README: download.sh afhq-dataset / celeba-hq-dataset)"

missing=0
need_file() {  # path, where to get it
  if [[ ! -s "$1" ]]; then
    echo "missing: $1"
    echo "    get it from $2"
    echo "    and put it at $1"
    missing=1
  fi
}
need_images() {  # folder, expected count, where to get it
  local n=0 ext names=()
  # egsde's listing rule (src/core/image_list.h): recursive, following links, the official
  # extensions, case-sensitive
  for ext in jpg JPG jpeg JPEG png PNG ppm PPM bmp BMP tif TIF tiff TIFF; do names+=(-o -name "*.$ext"); done
  [[ -d "$1" ]] && n=$(find -L "$1" -type f \( "${names[@]:1}" \) | wc -l)
  if (( n < $2 )); then
    echo "missing: $1 holds $n images, the paper's protocol needs $2"
    echo "    get them from $3"
    echo "    and put them in $1/"
    missing=1
  fi
}

case "$task" in
  cat2dog|wild2dog)
    src=${task%2dog}
    need_images "data/afhq/val/$src" 500 "$DATA_URL"
    need_images data/afhq/val/dog 500 "$DATA_URL"
    need_file pretrained_model/afhq_dog_4m.pt "$WEIGHTS_URL"
    need_file "pretrained_model/${task}_dse.pt" "$WEIGHTS_URL"
    need_file pretrained_model/pt_inception-2015-12-05-6726825d.pth "$INCEPTION_URL"
    ;;
  male2female)
    need_images data/celeba_hq/val/male 1000 "$DATA_URL"
    need_images data/celeba_hq/train/female 1 "$DATA_URL (or the official female FID statistics from $WEIGHTS_URL)"
    need_file pretrained_model/celebahq_female_ddpm.pth "$WEIGHTS_URL"
    need_file pretrained_model/male2female_dse.pt "$WEIGHTS_URL"
    need_file pretrained_model/pt_inception-2015-12-05-6726825d.pth "$INCEPTION_URL"
    ;;
  smoke)
    source scripts/smoke_env.sh
    ensure_smoke_inception "$EGSDE"
    out="${SMOKE_OUT:-runs/smoke}"
    rm -rf "$out"
    "$EGSDE" run experiments/smoke/smoke.json --output "$out" --quiet "$@"
    "$EGSDE" table experiments/smoke/smoke.json --runs "$out" --output "$out/table" --no-reference --overwrite
    # the regression check CI runs: exit 1 with a table of what moved beyond tolerance
    "$EGSDE" check "$out/table" --baseline results/baselines/smoke.json
    exit 0
    ;;
  *) echo "reproduce: unknown task '$task' (cat2dog, wild2dog, male2female, smoke)" >&2; exit 2 ;;
esac
if (( missing )); then
  echo "reproduce-$task: the files above are missing; nothing was run." >&2
  exit 1
fi
"$EGSDE" run "experiments/paper/$task.json" --output "runs/$task" --resume "$@"
"$EGSDE" table "experiments/paper/$task.json" --runs "runs/$task" --output "results/$task" --overwrite
