#!/usr/bin/env bash
# Issue 19's GPU leg, one prepared call of about eight minutes on a lent GPU: the from-scratch runs of configs/gpu/
# (en-es and es-en, each at the shipped size and wider) side by side for about six minutes (on one H200 a step is
# mostly kernel launches and batch building on the CPU, so four processes share it well), then per direction the
# candidate that scores best on the dev books at beam 5 (each run's best checkpoint and the mean of its last five
# kept), exported in fp16 and packed for the trip back, as the device tool returns at most 8 files of 16 MiB:
#   $OUT/DIRECTION.tar.part-*   the bundle; here: cat DIR/en-es.tar.part-* | tar -x -C DEST  (DEST/en-es/)
#   $OUT/logs.tar.gz            each run's log.jsonl, training.png and console output; dev-bleu.txt, every
#                               candidate's dev BLEU at beam 5 (also printed); device.txt
#
#     bash benchmarks/gpu_wheels.sh     # here, once: the web stack's wheels into .whl/
#     bash benchmarks/gpu_train.sh      # on the device tool, carrying .whl; models/ need not travel (gpu.sh says how)
# DEVICE=cpu MINUTES=0.2 checks the script itself on the CPU; RUNS="en-es es-en" trains only those. SEEDS=2 trains
# each run's twin apart (RUN-s2: train.seed 2, the base's subword models) and adds the ensemble of the two best
# checkpoints (`nmt ensemble`, RUN+s2) to the candidates: networks trained apart err apart (README, "Ensembles").
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-gpu-results}
bases=${RUNS:-en-es en-es-wide es-en es-en-wide}
work=/tmp/gpu-runs
mkdir -p "$out/logs" "$work/configs" "$work/export"
source benchmarks/gpu_env.sh
nmt_cmd=(python3 -P -m nmt)  # -P: not the source folder nmt/ of the working directory
nmt() { "${nmt_cmd[@]}" "$@"; }
quiet() { stdbuf -oL tr '\r' '\n' | grep --line-buffered -v '%|' || true; }  # progress bars out of the logs

runs=""
for r in $bases; do  # the configs, with this call's device and minutes (and the seed twins' seed and directory)
  sed -e "s/^  device: .*/  device: ${DEVICE:-cuda}/" -e "s/^  max_minutes: .*/  max_minutes: ${MINUTES:-6.2}/" \
    "configs/gpu/$r.yaml" > "$work/configs/$r.yaml"
  runs="$runs $r"
  if [ "${SEEDS:-1}" = 2 ]; then
    # train.seed 2; data.spm_seed 1, the base's train.seed: the same subword models (and prepared data)
    sed -e "s|^out_dir: .*|out_dir: $work/$r-s2|" -e 's/^train:$/train:\n  seed: 2/' \
      -e 's/^data:$/data:\n  spm_seed: 1/' "$work/configs/$r.yaml" > "$work/configs/$r-s2.yaml"
    runs="$runs $r-s2"
  fi
done
directions=$(for r in $runs; do echo "${r:0:5}"; done | sort -u)
for d in $directions; do  # the runs of one direction share its prepared data: prepared once, before they start
  first=$(printf '%s\n' $runs | grep -m1 "^$d")
  timeout 150 "${nmt_cmd[@]}" prepare "$work/configs/$first.yaml" 2>&1 | quiet > "$out/logs/prepare-$d.txt" &
done
wait
echo "== prepared: $SECONDS s (a preparation that outlasted 150 s was stopped: see its log)"
for r in $runs; do
  nmt train "$work/configs/$r.yaml" 2>&1 | quiet > "$out/logs/train-$r.txt" &
done
wait
echo "== trained: $SECONDS s"

dev_bleu() {  # RUN MODEL: "RUN MODEL BLEU" at beam 5 on the run's dev file (BLEU -1 where it fails)
  local dev bleu
  dev=$(sed -n 's/^  dev: //p' "$work/configs/$1.yaml")
  bleu=$(nmt evaluate --model "$2" --test "$dev" --beam 5 --json 2>/dev/null | tail -1 |
         python3 -c 'import json, sys; print(json.load(sys.stdin)["bleu"])' 2>/dev/null) || bleu=-1
  echo "$1 $2 $bleu"
}
for r in $runs; do
  (nmt average "$work/$r" "$work/$r-mean" --last 5 > /dev/null 2>&1 || true
   dev_bleu "$r" "$work/$r/best" > "$work/$r.best.bleu" &
   dev_bleu "$r" "$work/$r-mean" > "$work/$r.mean.bleu" &
   wait) &
done
if [ "${SEEDS:-1}" = 2 ]; then
  for r in $bases; do
    (nmt ensemble "$work/$r/best" "$work/$r-s2/best" "$work/$r+s2" > /dev/null 2>&1 || true
     dev_bleu "$r" "$work/$r+s2" > "$work/$r.ensemble.bleu") &
  done
fi
wait
cat "$work"/*.bleu | sort | tee "$out/dev-bleu.txt"
echo "== evaluated: $SECONDS s"

for d in $directions; do  # the direction's best candidate, in fp16, in parts of 15 MiB
  read -r _ best bleu < <(grep "^$d" "$out/dev-bleu.txt" | sort -k3 -g | tail -1)
  if [ "$bleu" = -1 ]; then echo "== $d: no candidate could be evaluated (see logs.tar.gz)"; continue; fi
  echo "== $d: $best"
  nmt export --fp16 "$best" "$work/export/$d" > /dev/null
  echo "chosen: $d $best" >> "$out/dev-bleu.txt"
  tar -C "$work/export" -cf - "$d" | split -b 15M - "$out/$d.tar.part-"
done
for r in $runs; do cp "$work/$r/log.jsonl" "$out/logs/$r.log.jsonl" 2>/dev/null || true
                   cp "$work/$r/training.png" "$out/logs/$r.png" 2>/dev/null || true; done
mv "$out/dev-bleu.txt" "$out/device.txt" "$out/logs/"  # few files: two ensembles' parts (3 each) and the logs
tar -C "$out" -czf "$out/logs.tar.gz" logs && rm -r "$out/logs"
ls -la "$out"
echo "== done: $SECONDS s"
